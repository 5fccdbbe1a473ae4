import { afterAll, afterEach, beforeAll, describe, expect, test } from 'bun:test';
import { join } from 'node:path';
import { render } from 'solid-js/web';
import { ConfirmIdentityDialog } from '../../client/auth';
import { createStateClient, StateProvider, type StateClient } from '../../client/state';
import { readErrorEnvelope } from '../../client/state/link';
import { openMigratedDatabase, type DatabaseHandle } from '../../db/client';
import { createLibsqlSessionBackend } from '../../server/auth/libsql-session-backend';
import { createSession } from '../../server/auth/session';
import { createUser } from '../../server/auth/users';
import { loadConfig } from '../../server/config';
import { sessionSettingsOf } from '../../server/runtime';
import type { AuthSnapshot } from '../../server/state/protocol';
import { createTempDir, TEST_HASHING, TEST_RULES } from '../helpers/db';
import type { TestRouter } from '../helpers/server';
import { spawnNode, type NodeProcess } from '../helpers/spawn-node';
import { waitFor } from '../helpers/wait-for';

/**
 * The canned **Confirm it's you** dialog, whose form is a chunk fetched at the
 * first refusal, against the real server (in its own process): the refused
 * call waits for the form and the user, goes again once confirmed, and
 * rejects with the refusal on Cancel.
 */
type Slices = { auth: AuthSnapshot };

const PASSWORD = 'a long enough passphrase';
const ELEVEN_MINUTES = 11 * 60_000;

let node: NodeProcess;
let db: DatabaseHandle;
let userId = 0;
const cleanups: (() => unknown)[] = [];

beforeAll(async () => {
  const url = `file:${join(createTempDir('statehouse-dom-'), 'dom.db')}`;
  node = await spawnNode({ DATABASE_URL: url, LOG_LEVEL: 'warn' });
  db = await openMigratedDatabase(url);
  const created = await createUser(db.db, { username: 'ada', password: PASSWORD }, { hashing: TEST_HASHING, rules: TEST_RULES });
  if (!created.ok) throw new Error('no user');
  userId = created.value.id;
}, 30_000);

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  document.body.innerHTML = '';
});

afterAll(async () => {
  db?.close();
  await node?.stop();
});

/** The dialog mounted under a client on a session signed in eleven minutes ago: past the default window. */
async function mountOnOldSession(): Promise<{ client: StateClient<TestRouter, Slices>; container: HTMLElement }> {
  const { token } = await createSession(
    createLibsqlSessionBackend(db.db),
    sessionSettingsOf(loadConfig({}, {})),
    { userId },
    Date.now() - ELEVEN_MINUTES,
  );
  const http = new URL(node.url);
  const Native = globalThis.__native.WebSocket;
  const BrowserLike = class extends Native {
    constructor(url: string | URL) {
      super(url, { headers: { origin: http.origin, cookie: `statehouse_session=${token}` } } as unknown as string[]);
    }
  } as unknown as typeof WebSocket;
  const client = createStateClient<TestRouter, Slices>({ url: `ws://${http.host}/trpc`, WebSocket: BrowserLike, onError: () => undefined });
  const container = document.createElement('div');
  document.body.append(container);
  const dispose = render(
    () => (
      <StateProvider client={client}>
        <ConfirmIdentityDialog />
      </StateProvider>
    ),
    container,
  );
  cleanups.push(() => client.close(), dispose);
  return { client, container };
}

const button = (container: HTMLElement, name: string) =>
  [...container.querySelectorAll('button')].find((b) => b.textContent?.trim() === name) ?? null;

/** Whether `promise` has settled yet (a turn of the event loop to let it). */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  await Bun.sleep(0);
  return done;
}

describe('Confirm it’s you, fetched at the first refusal', () => {
  test('the refused call waits for the form and the password, then goes again once and resolves', async () => {
    const { client, container } = await mountOnOldSession();
    const call = client.trpc.auth.revokeOtherSessions.mutate();
    const dialog = await waitFor(() => container.querySelector('[role="dialog"]'), { what: 'the dialog' });
    expect(dialog.textContent).toContain('Confirm it’s you');
    // Shown, and the call still waits for the user.
    await Bun.sleep(100);
    expect(await settled(call)).toBe(false);

    const field = container.querySelector<HTMLInputElement>('#sh-confirm-identity-password')!;
    field.value = PASSWORD;
    field.dispatchEvent(new InputEvent('input', { bubbles: true }));
    button(container, 'Confirm')!.click();
    expect(await call).toEqual({ ended: 0 });
    await waitFor(() => container.querySelector('[role="dialog"]') === null, { what: 'the dialog to close' });
  });

  test('Cancel rejects the call with the refusal', async () => {
    const { client, container } = await mountOnOldSession();
    const call = client.trpc.auth.revokeOtherSessions.mutate().catch((error: unknown) => error);
    await waitFor(() => container.querySelector('[role="dialog"]'), { what: 'the dialog' });
    button(container, 'Cancel')!.click();
    expect(readErrorEnvelope(await call)?.reason).toBe('REAUTH_REQUIRED');
    expect(container.querySelector('[role="dialog"]')).toBeNull();
  });

  test('a wrong password keeps the dialog open and the call waiting', async () => {
    const { client, container } = await mountOnOldSession();
    const call = client.trpc.auth.revokeOtherSessions.mutate().catch((error: unknown) => error);
    await waitFor(() => container.querySelector('[role="dialog"]'), { what: 'the dialog' });
    const field = container.querySelector<HTMLInputElement>('#sh-confirm-identity-password')!;
    field.value = 'not the password at all';
    field.dispatchEvent(new InputEvent('input', { bubbles: true }));
    button(container, 'Confirm')!.click();
    await waitFor(() => container.querySelector('#sh-confirm-identity-password-error')?.textContent?.includes('incorrectly'), {
      what: 'the refusal',
    });
    expect(await settled(call)).toBe(false);
    button(container, 'Cancel')!.click();
    expect(readErrorEnvelope(await call)?.reason).toBe('REAUTH_REQUIRED');
  });
});

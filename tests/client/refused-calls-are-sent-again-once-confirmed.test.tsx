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
import type { AuthSnapshot, ReauthMethod } from '../../server/state/protocol';
import { createTempDir, TEST_HASHING, TEST_RULES } from '../helpers/db';
import type { TestRouter } from '../helpers/server';
import { spawnNode, type NodeProcess } from '../helpers/spawn-node';
import { waitFor } from '../helpers/wait-for';

/**
 * "Confirm it's you" through the real state client against the real server
 * (in its own process): a call refused with REAUTH_REQUIRED asks the
 * registered confirmer and, once confirmed, goes again exactly once. Then the
 * canned dialog, whose form is a chunk fetched at the first refusal: the
 * refused call waits for the form and the user, goes again once confirmed,
 * and rejects with the refusal on Cancel, the dialog's while the form still
 * loads as the form's.
 */
type Slices = { auth: AuthSnapshot };

const PASSWORD = 'a long enough passphrase';
const ELEVEN_MINUTES = 11 * 60_000;

/** One per test: a user of its own (revoking "other sessions" touches no other test's) and a session of theirs. */
const TESTS = 8;

let node: NodeProcess;
let db: DatabaseHandle;
const oldSessionTokens: string[] = [];

beforeAll(async () => {
  const url = `file:${join(createTempDir('statehouse-dom-'), 'dom.db')}`;
  node = await spawnNode({ DATABASE_URL: url, LOG_LEVEL: 'warn' });
  db = await openMigratedDatabase(url);
  // Written before any test runs: the server process writes to the same file while a test runs.
  for (let index = 0; index < TESTS; index++) {
    const created = await createUser(db.db, { username: `ada${index}`, password: PASSWORD }, { hashing: TEST_HASHING, rules: TEST_RULES });
    if (!created.ok) throw new Error('no user');
    // Signed in eleven minutes ago: past the default window.
    const { token } = await createSession(
      createLibsqlSessionBackend(db.db),
      sessionSettingsOf(loadConfig({}, {})),
      { userId: created.value.id },
      Date.now() - ELEVEN_MINUTES,
    );
    oldSessionTokens.push(token);
  }
}, 30_000);

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  document.body.innerHTML = '';
});

afterAll(async () => {
  db?.close();
  await node?.stop();
});

/** A client on the next test's session, signed in eleven minutes ago. */
async function connectOnOldSession(): Promise<StateClient<TestRouter, Slices>> {
  const token = oldSessionTokens.shift();
  if (!token) throw new Error(`more than ${TESTS} tests: make more sessions`);
  const http = new URL(node.url);
  const Native = globalThis.__native.WebSocket;
  const BrowserLike = class extends Native {
    constructor(url: string | URL) {
      super(url, { headers: { origin: http.origin, cookie: `statehouse_session=${token}` } } as unknown as string[]);
    }
  } as unknown as typeof WebSocket;
  return createStateClient<TestRouter, Slices>({ url: `ws://${http.host}/trpc`, WebSocket: BrowserLike, onError: () => undefined });
}

describe('a call refused with REAUTH_REQUIRED', () => {
  test('asks the confirmer; once it confirmed, the call goes again and resolves with its data', async () => {
    const client = await connectOnOldSession();
    const asked: (readonly ReauthMethod[])[] = [];
    client.actions.setConfirmIdentity(async (methods) => {
      asked.push(methods);
      await client.trpc.auth.confirmIdentity.mutate({ password: PASSWORD });
      return true;
    });
    expect(await client.trpc.auth.revokeOtherSessions.mutate()).toEqual({ ended: 0 });
    expect(asked).toEqual([['password']]);
    await client.close();
  });

  test('rejects with the refusal when the user gives up, without sending it again', async () => {
    const client = await connectOnOldSession();
    let asked = 0;
    client.actions.setConfirmIdentity(async () => {
      asked++;
      return false;
    });
    const error = await client.trpc.auth.revokeOtherSessions.mutate().catch((e: unknown) => e);
    expect(readErrorEnvelope(error)?.reason).toBe('REAUTH_REQUIRED');
    expect(asked).toBe(1);
    await client.close();
  });

  test('goes again only once: a second refusal is the answer', async () => {
    const client = await connectOnOldSession();
    let asked = 0;
    // Claims a confirmation it never made: the server refuses the retry too.
    client.actions.setConfirmIdentity(async () => {
      asked++;
      return true;
    });
    const error = await client.trpc.auth.revokeOtherSessions.mutate().catch((e: unknown) => e);
    expect(readErrorEnvelope(error)?.reason).toBe('REAUTH_REQUIRED');
    expect(asked).toBe(2);
    await client.close();
  });

  test('without a confirmer nobody is asked and the call rejects', async () => {
    const client = await connectOnOldSession();
    const error = await client.trpc.auth.revokeOtherSessions.mutate().catch((e: unknown) => e);
    expect(readErrorEnvelope(error)?.reason).toBe('REAUTH_REQUIRED');
    await client.close();
  });
});

/** The canned dialog mounted under a client on an old session. */
async function mountDialogOnOldSession(
  props: Parameters<typeof ConfirmIdentityDialog>[0] = {},
): Promise<{ client: StateClient<TestRouter, Slices>; container: HTMLElement }> {
  const client = await connectOnOldSession();
  const container = document.createElement('div');
  document.body.append(container);
  const dispose = render(
    () => (
      <StateProvider client={client}>
        <ConfirmIdentityDialog {...props} />
      </StateProvider>
    ),
    container,
  );
  cleanups.push(() => client.close(), dispose);
  return { client, container };
}

/** The form's own dialog, once its chunk is in (the dialog's frame shows before it). */
const formShown = (container: HTMLElement) => () => container.querySelector('#sh-confirm-identity-title')?.closest('[role="dialog"]');

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
    const { client, container } = await mountDialogOnOldSession();
    const call = client.trpc.auth.revokeOtherSessions.mutate();
    const dialog = await waitFor(formShown(container), { what: 'the form' });
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
    const { client, container } = await mountDialogOnOldSession();
    const call = client.trpc.auth.revokeOtherSessions.mutate().catch((error: unknown) => error);
    await waitFor(formShown(container), { what: 'the form' });
    button(container, 'Cancel')!.click();
    expect(readErrorEnvelope(await call)?.reason).toBe('REAUTH_REQUIRED');
    expect(container.querySelector('[role="dialog"]')).toBeNull();
  });

  test('while the form loads the dialog shows at once, and its Cancel rejects the call with the refusal', async () => {
    // A chunk that never comes: the dialog stays in its loading state.
    const { client, container } = await mountDialogOnOldSession({ loadForm: () => new Promise(() => {}) });
    const call = client.trpc.auth.revokeOtherSessions.mutate().catch((error: unknown) => error);
    const dialog = await waitFor(() => container.querySelector('[role="dialog"]'), { what: 'the dialog' });
    expect(dialog.getAttribute('aria-label')).toBe('Confirm it’s you');
    expect(dialog.getAttribute('aria-busy')).toBe('true');
    expect(dialog.querySelector('[role="status"]')?.textContent).toBe('Loading…');
    expect(container.querySelector('#sh-confirm-identity-password')).toBeNull();
    // Shown, and the call waits for the user.
    expect(await settled(call)).toBe(false);
    await waitFor(() => document.activeElement === button(container, 'Cancel'), { what: 'Cancel to have the focus' });
    button(container, 'Cancel')!.click();
    expect(readErrorEnvelope(await call)?.reason).toBe('REAUTH_REQUIRED');
    expect(container.querySelector('[role="dialog"]')).toBeNull();
    expect(client.toasts).toEqual([]);
  });

  test('a wrong password keeps the dialog open and the call waiting', async () => {
    const { client, container } = await mountDialogOnOldSession();
    const call = client.trpc.auth.revokeOtherSessions.mutate().catch((error: unknown) => error);
    await waitFor(formShown(container), { what: 'the form' });
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

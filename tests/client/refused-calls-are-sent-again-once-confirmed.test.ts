import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { join } from 'node:path';
import { createStateClient, type StateClient } from '../../client/state';
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

/**
 * "Confirm it's you" through the real state client against the real server
 * (in its own process): a call refused with REAUTH_REQUIRED asks the
 * registered confirmer and, once confirmed, goes again exactly once.
 */
type Slices = { auth: AuthSnapshot };

const PASSWORD = 'a long enough passphrase';
const ELEVEN_MINUTES = 11 * 60_000;

let node: NodeProcess;
let db: DatabaseHandle;
let userId = 0;

beforeAll(async () => {
  const url = `file:${join(createTempDir('statehouse-dom-'), 'dom.db')}`;
  node = await spawnNode({ DATABASE_URL: url, LOG_LEVEL: 'warn' });
  db = await openMigratedDatabase(url);
  const created = await createUser(db.db, { username: 'ada', password: PASSWORD }, { hashing: TEST_HASHING, rules: TEST_RULES });
  if (!created.ok) throw new Error('no user');
  userId = created.value.id;
}, 30_000);

afterAll(async () => {
  db?.close();
  await node?.stop();
});

/** A client on a fresh session that signed in eleven minutes ago: past the default window. */
async function connectOnOldSession(): Promise<StateClient<TestRouter, Slices>> {
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

import { afterEach, beforeEach, describe, expect, spyOn, test } from 'bun:test';
import { eq } from 'drizzle-orm';
import { users } from '../../../db/schema';
import { findUserByUsername } from '../../../server/auth/users';
import type { MailMessage } from '../../../server/mail/mailer';
import { SocketProtocol } from '../../../server/bridge/socket-protocol';
import { createTestUser } from '../../helpers/db';
import { captureMail } from '../../helpers/mail';
import { startTestServer, type TestServer } from '../../helpers/server';
import type { RpcReply, TestSocket } from '../../helpers/socket-client';

const PASSWORD = 'a long enough passphrase';

let server: TestServer;
let mails: MailMessage[];
beforeEach(async () => {
  server = await startTestServer({ publicUrl: 'https://app.example', rateLimit: { ipBurst: 100 } });
  mails = captureMail(server.statehouse.runtime.mailer);
  await createTestUser(server.db.db, { username: 'alice', email: 'alice@example.com', password: PASSWORD });
});
afterEach(async () => {
  await server.stop();
});

function register(ws: TestSocket, username: string, email: string): Promise<RpcReply> {
  return ws.call('mutation', 'auth.register', { username, email, password: PASSWORD, confirmPassword: PASSWORD });
}

/** A sign-up, with the statements, hashes and mails counted up to the moment its reply is written. */
async function measuredSignUp(username: string, email: string) {
  const ws = await server.open();
  await ws.ok('query', 'probe.whoami');
  const client = server.db.client;
  const execute = spyOn(client, 'execute');
  const batch = spyOn(client, 'batch');
  const hashing = spyOn(server.statehouse.runtime.hashing, 'run');
  const respond = SocketProtocol.prototype.respond;
  const count = () => ({
    statements: execute.mock.calls.length + batch.mock.calls.length,
    hashes: hashing.mock.calls.length,
    mails: mails.length,
  });
  let atReply: ReturnType<typeof count> | null = null;
  const reply = spyOn(SocketProtocol.prototype, 'respond').mockImplementation(function (this: SocketProtocol<object>, ...args) {
    atReply ??= count();
    return respond.apply(this, args);
  });
  try {
    const answer = await register(ws, username, email);
    await server.statehouse.runtime.background.drain();
    const who = await ws.ok('query', 'probe.whoami');
    return { answer, atReply: atReply!, who: who.data, ws };
  } finally {
    for (const spy of [execute, batch, hashing, reply]) spy.mockRestore();
  }
}

/**
 * Everything a client sees of a sign-up's answer: data, client actions and
 * the whole delta (the `auth` snapshot included), with the user's own
 * username, id and address put in neutral form and tickets dropped (they
 * differ by nature).
 */
function shape(reply: RpcReply, own: { username: string; email: string }) {
  const envelope = reply.result?.data as { data: unknown; delta: unknown; actions: { type: string; to?: string }[] } | undefined;
  const neutral = JSON.stringify({ data: envelope?.data, delta: envelope?.delta })
    .replaceAll(own.email, '<email>')
    .replaceAll(own.username, '<username>')
    .replace(/"userId":\d+/g, '"userId":"<id>"');
  return { error: reply.error?.data.code, ...JSON.parse(neutral), actions: envelope?.actions.map((a) => [a.type, a.to]) };
}

describe('sign-up with an address that is already registered', () => {
  test('answers exactly as a sign-up with a new address: no email_taken, the same work before the reply', async () => {
    const fresh = await measuredSignUp('trent', 'trent@example.com');
    const taken = await measuredSignUp('mallory', 'alice@example.com');
    const seen = shape(taken.answer, { username: 'mallory', email: 'alice@example.com' });
    expect(seen).toEqual(shape(fresh.answer, { username: 'trent', email: 'trent@example.com' }));
    expect(seen.data).toEqual({ username: '<username>' });
    // The snapshot names the address typed, in both cases.
    expect(seen.delta.auth.email).toBe('<email>');
    expect(JSON.stringify(taken.answer)).not.toContain('email_taken');
    expect(taken.atReply).toEqual(fresh.atReply);
    expect(taken.atReply.mails).toBe(0);
    // Both are signed in.
    expect(fresh.who.username).toBe('trent');
    expect(taken.who.username).toBe('mallory');
    for (const ws of [fresh.ws, taken.ws]) await ws.close();
  });

  test('the new account does not get the address (it is kept as pending: shown, never used); its owner is told by mail, after the reply', async () => {
    const { ws } = await measuredSignUp('mallory', 'Alice@Example.com');
    const mallory = await findUserByUsername(server.db.db, 'mallory');
    expect(mallory?.email).toBeNull();
    expect(mallory?.pendingEmail).toBe('Alice@Example.com');
    expect((await server.db.db.select().from(users).where(eq(users.email, 'alice@example.com'))).map((u) => u.username)).toEqual(['alice']);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.to).toBe('alice@example.com');
    expect(mails[0]!.text).toContain('someone tried to create an account');
    expect(mails[0]!.text).toContain('https://app.example/login');
    expect(mails[0]!.text).toContain('https://app.example/password-reset');
    // The mail names neither the new username nor anything the registrant could use.
    expect(mails[0]!.text).not.toContain('mallory');
    await ws.close();
  });

  test('a new address is mailed nothing', async () => {
    const { ws } = await measuredSignUp('trent', 'trent@example.com');
    expect((await findUserByUsername(server.db.db, 'trent'))?.email).toBe('trent@example.com');
    expect(mails).toEqual([]);
    await ws.close();
  });
});

describe('a taken username', () => {
  test('stays a visible field error (usernames are public); with a taken address too, only the username is named', async () => {
    const ws = await server.open();
    for (const email of ['new@example.com', 'alice@example.com']) {
      const reply = await register(ws, 'Alice', email);
      expect(reply.error?.data.code).toBe('BAD_REQUEST');
      expect(reply.error?.data.statehouse.fieldErrors.map((e: { code: string }) => e.code)).toEqual(['username_taken']);
    }
    await server.statehouse.runtime.background.drain();
    expect(mails).toEqual([]);
    await ws.close();
  });
});

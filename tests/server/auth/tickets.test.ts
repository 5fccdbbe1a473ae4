import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { eq } from 'drizzle-orm';
import { authTokens, users } from '../../../db/schema';
import { HOUR, DAY } from '../../../server/config';
import { createLibsqlSessionBackend } from '../../../server/auth/libsql-session-backend';
import { createSession, type SessionSettings } from '../../../server/auth/session';
import { hashSecret } from '../../../server/auth/secrets';
import { issueCookieTicket, redeemCookieTicket } from '../../../server/auth/tickets';
import { createTestDatabase, type TestDatabase } from '../../helpers/db';

const SETTINGS: SessionSettings = { inactivityTimeoutMs: 14 * DAY, renewalIntervalMs: 1 * HOUR, absoluteLifetimeMs: 30 * DAY };
const T0 = Date.UTC(2026, 0, 1);

let t: TestDatabase;
let session: { id: string; token: string };

beforeEach(async () => {
  t = await createTestDatabase();
  const [user] = await t.db.insert(users).values({ username: 'alice', passwordHash: '!', dateJoined: T0 }).returning({ id: users.id });
  const created = await createSession(createLibsqlSessionBackend(t.db), SETTINGS, { userId: user!.id }, T0);
  session = { id: created.session.id, token: created.token };
});

afterEach(() => t.cleanup());

async function payloadOf(ticket: string): Promise<Buffer> {
  const [row] = await t.db
    .select()
    .from(authTokens)
    .where(eq(authTokens.id, ticket.split('.')[0]!));
  return Buffer.from(row!.payload!);
}

/** How a ticket was sealed with WebCrypto: HKDF-SHA-256 of the secret, AES-256-GCM, `iv ‖ ciphertext ‖ tag`. */
async function webCryptoSeal(secret: string, plaintext: string): Promise<Buffer> {
  const material = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), 'HKDF', false, ['deriveKey']);
  const key = await crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: new TextEncoder().encode('statehouse cookie ticket v1') },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt'],
  );
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, new TextEncoder().encode(plaintext));
  return Buffer.concat([iv, new Uint8Array(sealed)]);
}

describe('cookie tickets at rest', () => {
  test('the row holds the session token sealed (12-byte IV, ciphertext, 16-byte tag), never in clear', async () => {
    const ticket = await issueCookieTicket(t.db, { sessionId: session.id, sessionToken: session.token, ttlMs: 30_000 }, T0);
    const payload = await payloadOf(ticket);
    expect(payload.length).toBe(12 + session.token.length + 16);
    expect(payload.toString('latin1')).not.toContain(session.token);
    expect(payload.toString('latin1')).not.toContain(session.token.split('.')[1]!);
    expect(await redeemCookieTicket(t.db, ticket, T0 + 1_000)).toEqual({ sessionId: session.id, sessionToken: session.token });
  });

  test('a ticket sealed through WebCrypto, the same primitives and layout, opens', async () => {
    // Tickets live at most 60 s: one issued by a process that sealed through WebCrypto still redeems after a restart.
    const id = 'a'.repeat(32);
    const secret = 'b'.repeat(32);
    await t.db.insert(authTokens).values({
      id,
      secretHash: Buffer.from(hashSecret(secret)),
      purpose: 'cookie_ticket',
      sessionId: session.id,
      payload: await webCryptoSeal(secret, session.token),
      createdAt: T0,
      expiresAt: T0 + 30_000,
    });
    expect(await redeemCookieTicket(t.db, `${id}.${secret}`, T0 + 1_000)).toEqual({ sessionId: session.id, sessionToken: session.token });
  });

  test('a payload with a flipped bit, a cut tag or too few bytes to hold one opens to nothing', async () => {
    for (const damage of [
      (p: Buffer) => {
        p[20]! ^= 1;
        return p;
      },
      (p: Buffer) => p.subarray(0, p.length - 1),
      (p: Buffer) => p.subarray(0, 20),
    ]) {
      const ticket = await issueCookieTicket(t.db, { sessionId: session.id, sessionToken: session.token, ttlMs: 30_000 }, T0);
      const damaged = damage(await payloadOf(ticket));
      await t.db
        .update(authTokens)
        .set({ payload: damaged })
        .where(eq(authTokens.id, ticket.split('.')[0]!));
      expect(await redeemCookieTicket(t.db, ticket, T0 + 1_000)).toBeNull();
    }
  });
});

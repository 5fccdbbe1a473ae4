import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { and, eq } from 'drizzle-orm';
import { authTokens } from '../../../db/schema';
import { checkPasswordResetToken, issuePasswordResetToken } from '../../../server/auth/password-reset';
import { newToken } from '../../../server/auth/secrets';
import { HOUR } from '../../../server/config';
import { createTestUser } from '../../helpers/db';
import { startTestServer, type TestServer } from '../../helpers/server';

const PASSWORD = 'original password 1';
const NEW_PASSWORD = 'a fresh new secret';

let server: TestServer;
beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  await server.stop();
});

async function makeUser(username: string): Promise<number> {
  return (await createTestUser(server.db.db, { username, email: `${username}@example.com`, password: PASSWORD })).id;
}

/**
 * A second live link for the user, as a reset request served by another
 * process at the same moment would leave (issuing one deletes the older ones).
 */
async function anotherLiveLink(userId: number): Promise<string> {
  const { id, token, secretHash } = newToken();
  const now = Date.now();
  await server.db.db
    .insert(authTokens)
    .values({ id, secretHash: Buffer.from(secretHash), purpose: 'password_reset', userId, createdAt: now, expiresAt: now + HOUR });
  return token;
}

async function pendingResetRows(userId: number) {
  return server.db.db
    .select()
    .from(authTokens)
    .where(and(eq(authTokens.userId, userId), eq(authTokens.purpose, 'password_reset')));
}

describe('a password change ends the pending reset links of its user', () => {
  test('a change over the socket', async () => {
    const alice = await makeUser('alice');
    const bob = await makeUser('bob');
    const link = await issuePasswordResetToken(server.db.db, alice, HOUR);
    const bobLink = await issuePasswordResetToken(server.db.db, bob, HOUR);
    const ws = await server.open();
    await ws.ok('mutation', 'auth.login', { loginId: 'alice', password: PASSWORD });
    await ws.ok('mutation', 'auth.changePassword', { currentPassword: PASSWORD, newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
    expect(await checkPasswordResetToken(server.db.db, link)).toBeNull();
    expect(await pendingResetRows(alice)).toEqual([]);
    // Another user's link is not touched.
    expect(await checkPasswordResetToken(server.db.db, bobLink)).toBe(bob);
    await ws.close();
  });

  test('a failed change (wrong current password) leaves the links alone', async () => {
    const alice = await makeUser('alice');
    const link = await issuePasswordResetToken(server.db.db, alice, HOUR);
    const ws = await server.open();
    await ws.ok('mutation', 'auth.login', { loginId: 'alice', password: PASSWORD });
    const wrong = await ws.call('mutation', 'auth.changePassword', {
      currentPassword: 'not the password',
      newPassword: NEW_PASSWORD,
      confirmPassword: NEW_PASSWORD,
    });
    expect(wrong.error?.data.code).toBe('BAD_REQUEST');
    expect(await checkPasswordResetToken(server.db.db, link)).toBe(alice);
    await ws.close();
  });

  test('a reset through one link ends every other pending link', async () => {
    const alice = await makeUser('alice');
    const used = await issuePasswordResetToken(server.db.db, alice, HOUR);
    const other = await anotherLiveLink(alice);
    const ws = await server.open();
    await ws.ok('mutation', 'auth.confirmPasswordReset', { token: used, newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
    expect(await checkPasswordResetToken(server.db.db, other)).toBeNull();
    expect(await pendingResetRows(alice)).toEqual([]);
    await ws.close();
  });
});

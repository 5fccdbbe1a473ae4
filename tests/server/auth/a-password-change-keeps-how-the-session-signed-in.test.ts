import { afterEach, beforeEach, expect, test } from 'bun:test';
import { eq } from 'drizzle-orm';
import { sessions } from '../../../db/schema';
import { createSession } from '../../../server/auth/session';
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

test('a password change rotates the session but keeps how it signed in (a passkey stays a passkey)', async () => {
  const ada = await createTestUser(server.db.db, { username: 'ada', password: PASSWORD });
  const { runtime } = server.statehouse;
  const { token, session } = await createSession(runtime.sessions, runtime.sessionSettings, { userId: ada.id, signInMethod: 'passkey' });
  const ws = await server.open({ cookie: `${runtime.config.auth.cookieName}=${token}` });
  await ws.ok('mutation', 'auth.changePassword', { currentPassword: PASSWORD, newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
  const rows = await server.db.db.select().from(sessions).where(eq(sessions.userId, ada.id));
  expect(rows).toHaveLength(1);
  expect(rows[0]?.id).not.toBe(session.id);
  expect(rows[0]?.signInMethod).toBe('passkey');
  await ws.close();
});

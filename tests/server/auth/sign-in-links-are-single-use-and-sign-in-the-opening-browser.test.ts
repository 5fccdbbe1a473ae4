import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { readdirSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { authTokens } from '../../../db/schema';
import { CookieJar, pressSignInLink } from '../../helpers/browser-flow';
import { createTempDir, createTestUser } from '../../helpers/db';
import { signInLinksIn } from '../../helpers/mail';
import { startTestServer, type TestServer } from '../../helpers/server';

let server: TestServer;
let mailDir: string;
beforeEach(async () => {
  mailDir = createTempDir('statehouse-mail-');
  server = await startTestServer({ auth: { magicLink: true }, mail: { backend: 'file', fileDir: mailDir } });
});
afterEach(async () => {
  await server.stop();
});

async function linkFor(email: string): Promise<{ link: string; token: string }> {
  const ws = await server.open();
  await ws.ok('mutation', 'auth.requestSignInLink', { email });
  await ws.close();
  await server.statehouse.runtime.background.drain();
  const link = (await signInLinksIn(mailDir)).at(-1);
  if (!link) throw new Error('no sign-in link mailed');
  return link;
}

/** Opens the link and presses **Sign in**, as a browser does (the page's form posts from this origin). */
async function use(jar: CookieJar, token: string): Promise<Response> {
  const page = await jar.get_(`${server.url}/auth/link/${token}`);
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain('<form method="post" action="/auth/link">');
  return pressSignInLink(jar, server.url, token);
}

describe('emailed sign-in links', () => {
  test('answer the same for a known and an unknown address, and mail only the known one', async () => {
    await createTestUser(server.db.db, { username: 'alice', email: 'alice@example.com' });
    const ws = await server.open();
    const known = await ws.ok('mutation', 'auth.requestSignInLink', { email: 'alice@example.com' });
    const unknown = await ws.ok('mutation', 'auth.requestSignInLink', { email: 'nobody@example.com' });
    expect(unknown).toEqual(known);
    await ws.close();
    await server.statehouse.runtime.background.drain();
    expect(readdirSync(mailDir)).toHaveLength(1);
  });

  test('are hashed at rest and live 15 minutes', async () => {
    await createTestUser(server.db.db, { username: 'alice', email: 'alice@example.com' });
    const { token } = await linkFor('alice@example.com');
    const [row] = await server.db.db.select().from(authTokens).where(eq(authTokens.purpose, 'sign_in_link'));
    expect(row!.id).toBe(token.split('.')[0]!);
    expect(Buffer.from(row!.secretHash).toString('utf8')).not.toContain(token.split('.')[1]!);
    expect(row!.expiresAt - row!.createdAt).toBe(15 * 60 * 1000);
  });

  test('sign in the browser that opens the link, with the HttpOnly cookie set over HTTP; used twice, refused', async () => {
    await createTestUser(server.db.db, { username: 'alice', email: 'alice@example.com' });
    const { token } = await linkFor('alice@example.com');
    const browser = new CookieJar();
    const signedIn = await use(browser, token);
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe('/');
    expect(signedIn.headers.getSetCookie().find((c) => c.startsWith('statehouse_session='))).toContain('HttpOnly');
    const ws = await server.open({ cookie: browser.header() });
    expect((await ws.ok('query', 'probe.whoami')).data.username).toBe('alice');
    await ws.close();
    const other = new CookieJar();
    const again = await use(other, token);
    expect(again.headers.get('location')).toBe('/login?error=link_invalid');
    expect(other.get('statehouse_session')).toBeUndefined();
  });

  test('an expired link is refused', async () => {
    await createTestUser(server.db.db, { username: 'alice', email: 'alice@example.com' });
    const { token } = await linkFor('alice@example.com');
    await server.db.db
      .update(authTokens)
      .set({ expiresAt: Date.now() - 1 })
      .where(eq(authTokens.purpose, 'sign_in_link'));
    expect((await use(new CookieJar(), token)).headers.get('location')).toBe('/login?error=link_invalid');
  });

  test('the sign-in POST is refused from another site', async () => {
    await createTestUser(server.db.db, { username: 'alice', email: 'alice@example.com' });
    const { token } = await linkFor('alice@example.com');
    const answer = await fetch(`${server.url}/auth/link`, {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token }).toString(),
      redirect: 'manual',
    });
    expect(answer.status).toBe(403);
    // Not used up by the refused request.
    expect((await use(new CookieJar(), token)).status).toBe(303);
  });

  test('opening the link (GET) uses nothing: a mail scanner cannot spend it', async () => {
    await createTestUser(server.db.db, { username: 'alice', email: 'alice@example.com' });
    const { link, token } = await linkFor('alice@example.com');
    const scanner = await fetch(link.replace(/^https?:\/\/[^/]+/, server.url));
    expect(scanner.status).toBe(200);
    expect(scanner.headers.get('set-cookie')).toBeNull();
    expect((await use(new CookieJar(), token)).status).toBe(303);
  });

  test('are rate limited per recipient and per account: past the budget no more mail goes to it', async () => {
    await createTestUser(server.db.db, { username: 'alice', email: 'alice@example.com' });
    const ws = await server.open();
    for (let i = 0; i < 6; i++) await ws.ok('mutation', 'auth.requestSignInLink', { email: 'alice@example.com' });
    await ws.close();
    await server.statehouse.runtime.background.drain();
    // recipientMailBurst (3) per address and per account.
    expect(readdirSync(mailDir)).toHaveLength(3);
  });

  test('are rate limited per client address before anything else', async () => {
    const ws = await server.open();
    let refused = null;
    for (let i = 0; i < 25 && !refused; i++) {
      const reply = await ws.call('mutation', 'auth.requestSignInLink', { email: `n${i}@example.com` });
      if (reply.error) refused = reply.error;
    }
    expect(refused?.data.code).toBe('TOO_MANY_REQUESTS');
    await ws.close();
  });

  test('are refused when the site does not offer them', async () => {
    await server.stop();
    server = await startTestServer({ mail: { backend: 'file', fileDir: mailDir } });
    const ws = await server.open();
    const reply = await ws.call('mutation', 'auth.requestSignInLink', { email: 'alice@example.com' });
    expect(reply.error?.data.code).toBe('FORBIDDEN');
    await ws.close();
    expect((await fetch(`${server.url}/auth/link/abc.def`, { redirect: 'manual' })).status).toBe(404);
  });
});

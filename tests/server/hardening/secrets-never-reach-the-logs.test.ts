import { afterAll, beforeAll, describe, expect, spyOn, test } from 'bun:test';
import { authTokens } from '../../../db/schema';
import { createLogger, type LogLevel } from '../../../server/log';
import { createTempDir } from '../../helpers/db';
import { resetLinksIn } from '../../helpers/mail';
import { startTestServer, type TestServer } from '../../helpers/server';
import { waitFor } from '../../helpers/wait-for';
import type { TestSocket } from '../../helpers/socket-client';

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;

let server: TestServer;
let mailDir: string;
/** Every line the logger wrote, and anything printed straight to the console meanwhile. */
const captured: string[] = [];
const levels = new Set<LogLevel>();
const consoleSpies: { mockRestore(): void }[] = [];

beforeAll(async () => {
  mailDir = createTempDir('statehouse-mail-');
  const log = createLogger('debug', (line, level) => {
    captured.push(line);
    levels.add(level);
  });
  server = await startTestServer(
    { logLevel: 'debug', mail: { backend: 'file', fileDir: mailDir }, rateLimit: { ipBurst: 1000, accountFreeFailures: 1000 } },
    { log },
  );
  for (const method of CONSOLE_METHODS) {
    consoleSpies.push(spyOn(console, method).mockImplementation((...args: unknown[]) => void captured.push(args.map(String).join(' '))));
  }
});
afterAll(async () => {
  for (const spy of consoleSpies) spy.mockRestore();
  await server.stop();
});

/** Every secret the journey saw: session tokens, tickets and reset tokens. */
const issued = { sessionTokens: new Set<string>(), tickets: new Set<string>(), resetTokens: new Set<string>() };

function ticketOf(envelope: { actions: { type: string; ticket?: string }[] }): string {
  const action = envelope.actions.find((a) => a.type === 'syncCookieThenNavigate');
  if (!action?.ticket) throw new Error(`no ticket in ${JSON.stringify(envelope.actions)}`);
  issued.tickets.add(action.ticket);
  return action.ticket;
}

/** Redeems a ticket like the tab does; returns the `Cookie` header it bought. */
async function redeem(ticket: string): Promise<string> {
  const res = await fetch(`${server.url}/auth/session`, {
    method: 'POST',
    headers: { origin: server.url, 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' },
    body: JSON.stringify({ ticket }),
  });
  expect(res.status).toBe(204);
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  issued.sessionTokens.add(cookie.split('=')[1]!);
  return cookie;
}

async function ok(ws: TestSocket, type: 'query' | 'mutation', path: string, input?: unknown) {
  return ws.ok(type, path, input);
}

async function lastResetToken(): Promise<string> {
  await server.statehouse.runtime.background.drain();
  const link = (await resetLinksIn(mailDir)).at(-1);
  if (!link || issued.resetTokens.has(link.token)) throw new Error('no new reset mail');
  issued.resetTokens.add(link.token);
  return link.token;
}

describe('a whole journey at log level debug', () => {
  test('writes no session token, ticket or reset token, nor any of their secret halves, to the log or the console', async () => {
    // An anonymous visitor writes to its session: lazy session, cookie sync.
    const visitor = await server.open({ path: '/shop' });
    await visitor.subscribeState();
    const visitorCookie = await redeem(ticketOf(await ok(visitor, 'mutation', 'probe.sessionSet', { key: 'cart', value: 'apples' })));

    // Registration signs in; the ticket buys the cookie.
    const carolPassword = 'carol likes long walks';
    const registered = await ok(visitor, 'mutation', 'auth.register', {
      username: 'carol',
      email: 'carol@example.com',
      password: carolPassword,
      confirmPassword: carolPassword,
    });
    const carolCookie = await redeem(ticketOf(registered));

    // A failed login, then a login on a new socket, then session writes.
    const tab = await server.open({ cookie: visitorCookie, path: '/login', query: '?next=/notes' });
    expect((await tab.call('mutation', 'auth.login', { loginId: 'carol', password: 'not her password' })).error?.data.code).toBe(
      'UNAUTHORIZED',
    );
    expect((await tab.call('mutation', 'auth.login', { loginId: 'nobody', password: 'not anyones password' })).error?.data.code).toBe(
      'UNAUTHORIZED',
    );
    const loginCookie = await redeem(ticketOf(await ok(tab, 'mutation', 'auth.login', { loginId: 'carol', password: carolPassword })));
    const carolTab = await server.open({ cookie: loginCookie });
    await carolTab.subscribeState();
    for (let i = 0; i < 5; i++) await ok(carolTab, 'mutation', 'probe.sessionSet', { key: `k${i}`, value: `v${i}` });
    await ok(carolTab, 'query', 'probe.secret');
    await ok(carolTab, 'query', 'auth.sessions');

    // Refusals at debug level: a replayed and a forged ticket, a forged cookie, an anonymous authed call.
    const replay = [...issued.tickets][0]!;
    for (const ticket of [replay, `${replay.split('.')[0]}.${'a'.repeat(32)}`]) {
      const res = await fetch(`${server.url}/auth/session`, {
        method: 'POST',
        headers: { origin: server.url },
        body: JSON.stringify({ ticket }),
      });
      expect(res.status).toBe(400);
    }
    const forged = await server.open({ cookie: `statehouse_session=${[...issued.sessionTokens][0]!.split('.')[0]}.${'b'.repeat(32)}` });
    expect((await forged.call('query', 'probe.secret')).error?.data.code).toBe('UNAUTHORIZED');

    // Logout over the socket, then the cookie endpoint.
    await ok(tab, 'mutation', 'auth.logout');
    expect(
      (await fetch(`${server.url}/auth/logout`, { method: 'POST', headers: { origin: server.url, cookie: carolCookie } })).status,
    ).toBe(204);

    // Password reset by mail (file backend), for a known and an unknown address.
    const resetTab = await server.open();
    await ok(resetTab, 'mutation', 'auth.requestPasswordReset', { email: 'carol@example.com' });
    await ok(resetTab, 'mutation', 'auth.requestPasswordReset', { email: 'nobody@example.com' });
    const resetToken = await lastResetToken();
    expect((await ok(resetTab, 'query', 'auth.checkPasswordResetToken', { token: resetToken })).data.valid).toBe(true);
    expect(
      (
        await resetTab.call('mutation', 'auth.confirmPasswordReset', {
          token: `${resetToken.split('.')[0]}.${'c'.repeat(32)}`,
          newPassword: 'x',
          confirmPassword: 'x',
        })
      ).error,
    ).toBeDefined();
    const newPassword = 'an entirely new passphrase';
    const resetCookie = await redeem(
      ticketOf(
        await ok(resetTab, 'mutation', 'auth.confirmPasswordReset', { token: resetToken, newPassword, confirmPassword: newPassword }),
      ),
    );
    expect(
      (await resetTab.call('mutation', 'auth.confirmPasswordReset', { token: resetToken, newPassword, confirmPassword: newPassword }))
        .error,
    ).toBeDefined();

    // A password change rotates the session: one more ticket and token.
    const changer = await server.open({ cookie: resetCookie });
    const finalPassword = 'the final passphrase here';
    await redeem(
      ticketOf(
        await ok(changer, 'mutation', 'auth.changePassword', {
          currentPassword: newPassword,
          newPassword: finalPassword,
          confirmPassword: finalPassword,
        }),
      ),
    );
    expect(
      (
        await changer.call('mutation', 'auth.changePassword', {
          currentPassword: 'wrong current one',
          newPassword: 'whatever long',
          confirmPassword: 'whatever long',
        })
      ).error,
    ).toBeDefined();
    await ok(changer, 'mutation', 'auth.logout');

    for (const ws of [visitor, tab, carolTab, forged, resetTab, changer]) await ws.close();
    // Whatever the closes and the work after replies still log, logged.
    await waitFor(() => server.statehouse.runtime.registry.all.size === 0, { what: 'every socket to close' });
    await server.statehouse.runtime.background.drain();

    // The capture worked: the journey left a trail at several levels.
    const text = captured.join('\n');
    expect(text).toContain('login failed');
    expect(text).toContain('password reset mailed');
    expect(text).toContain('event refused');
    expect([...levels]).toEqual(expect.arrayContaining(['debug', 'info']));

    // Every token the journey met (plus the ticket rows' ids, which are not secret, for scale).
    const secrets = [...issued.sessionTokens, ...issued.tickets, ...issued.resetTokens];
    expect(issued.sessionTokens.size).toBeGreaterThanOrEqual(5);
    expect(issued.tickets.size).toBeGreaterThanOrEqual(5);
    expect(issued.resetTokens.size).toBe(1);
    // The used reset link's row went with the password change that followed it.
    expect((await server.db.db.select().from(authTokens)).filter((row) => row.purpose === 'password_reset')).toEqual([]);
    for (const token of secrets) {
      const secretHalf = token.split('.')[1]!;
      expect(text.includes(token)).toBe(false);
      expect(text.includes(secretHalf)).toBe(false);
    }
    // Nothing even needed the logger's redaction safety net.
    expect(text).not.toContain('[redacted]');
  }, 60_000);
});

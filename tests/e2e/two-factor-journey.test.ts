import { describe, expect, test } from 'bun:test';
import type { Page, WebSocket } from 'playwright-core';
import { TestAuthenticator } from '../helpers/two-factor';
import { startAppAndBrowser } from './support/app-server';
import { newAppContext } from './support/browser';
import { GOOD_PASSWORD, register, uniqueUsername, waitForPath } from './support/flows';
import { mailFiles, waitForMailLink } from './support/mail';
import { saveScreenshot } from './support/screenshots';

/**
 * Two-factor sign-in in real Chromium against the example app: the codes are
 * computed here with `@oslojs/otp` from the **Setup key** the page shows, as
 * an authenticator app would. The server is another process, so its clock is
 * the real one: every code typed is one of the current ±1 steps, and none is
 * used twice unless the test means it to be refused.
 */
const REAUTH_WINDOW_MS = 3_000;
const { server, browser } = await startAppAndBrowser({ AUTH_REAUTH_WINDOW_MS: String(REAUTH_WINDOW_MS) });

/** Lets the window of a proof made at `since` run out (the server's clock is not the test's to move). */
async function outlastReauthWindow(since: number): Promise<void> {
  await Bun.sleep(Math.max(0, since + REAUTH_WINDOW_MS + 100 - Date.now()));
}

const STEP_MS = 30_000;
/** The chunk of the two-factor page (`client/auth/second-step.ts`). */
const SECOND_STEP_CHUNK = /^\/assets\/two-factor-page\.[0-9a-z]+\.js$/;
const NEW_PASSWORD = 'amber-quarry-whistle-58';

/**
 * A code of a step after `lastStep` that the server accepts now: the current
 * step, or the next one. The server takes a step at most one ahead of the
 * current one, so when `lastStep` is already ahead (a code of the next step
 * was used), this waits for the step to turn: a fast journey otherwise asks
 * for a code two steps ahead, which is refused.
 */
async function freshCode(app: TestAuthenticator, lastStep: number): Promise<{ code: string; step: number }> {
  while (lastStep >= Math.floor(Date.now() / STEP_MS) + 1) await Bun.sleep(STEP_MS - (Date.now() % STEP_MS) + 50);
  const step = Math.max(Math.floor(Date.now() / STEP_MS), lastStep + 1);
  return { code: app.codeAt(step * STEP_MS), step };
}

/** Signs in with the password on the login page and waits for the second step's page. */
async function password(page: Page, username: string, secret = GOOD_PASSWORD): Promise<void> {
  await page.getByLabel('Username', { exact: true }).fill(username);
  await page.getByLabel('Password', { exact: true }).fill(secret);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await waitForPath(page, '/two-factor');
  await page.getByRole('heading', { name: 'Two-factor authentication' }).waitFor();
}

/** Logs out and waits for the fresh load of the login page (`clearAuthThenNavigate`): moving on before it would race it. */
async function logOut(page: Page): Promise<void> {
  const freshLogin = page.waitForResponse((r) => r.request().isNavigationRequest() && new URL(r.url()).pathname === '/login');
  await page.getByRole('button', { name: 'Log out' }).click();
  await freshLogin;
  await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
}

describe('two-factor sign-in in the browser', () => {
  test('register → verify → turn on two-factor → sign in with a code; wrong and reused codes refused; a recovery code once; Confirm it’s you; delete', async () => {
    const username = uniqueUsername('tess');
    const email = `${username}@example.com`;
    const context = await newAppContext(browser, server.url);
    const page = await context.newPage();
    const before = mailFiles(server.mailDir).length;
    await register(page, username, email);
    const registeredAt = Date.now();
    const { link } = await waitForMailLink(server.mailDir, before, '/verify-email/');
    await page.goto(link);
    await page.getByText('Your email address is verified.').waitFor();

    // Settings → Security: setting up asks Confirm it's you once the sign-in is not recent.
    await page.goto('/settings');
    const security = page.getByRole('region', { name: 'Security' });
    await security.getByText('Two-factor authentication is off.', { exact: false }).waitFor();
    const dialog = page.getByRole('dialog', { name: 'Confirm it’s you' });
    await outlastReauthWindow(registeredAt);
    await security.getByRole('button', { name: 'Set up authenticator app' }).click();
    await dialog.getByLabel('Password').fill(GOOD_PASSWORD);
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await security.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
    const setupKey = (await security.locator('.sh-setup-key').textContent()) ?? '';
    expect(await security.getByText('Setup key', { exact: true }).count()).toBe(1);
    expect(setupKey).toMatch(/^[A-Z2-7]{4}( [A-Z2-7]{1,4})+$/);
    await security.getByRole('img', { name: 'QR code for your authenticator app' }).evaluate((e) => e.scrollIntoView({ block: 'center' }));
    await saveScreenshot(page, 'two-factor-setup');
    const app = new TestAuthenticator(setupKey);
    let last = await freshCode(app, 0);
    await security.getByLabel('Authentication code').fill(last.code);
    await security.getByRole('button', { name: 'Turn on two-factor' }).click();
    const list = security.getByRole('list', { name: 'Recovery codes' });
    await list.waitFor();
    const recovery = (await list.getByRole('listitem').allTextContents()).map((c) => c.trim());
    expect(recovery).toHaveLength(10);
    await list.evaluate((e) => e.scrollIntoView({ block: 'center' }));
    await saveScreenshot(page, 'two-factor-recovery-codes');
    await security.getByRole('button', { name: 'Done' }).click();
    await security.getByText('Two-factor authentication is on.').waitFor();
    expect(await page.getByText(recovery[0]!).count()).toBe(0);

    // Log out; the password alone no longer signs in: the second step asks for the code.
    // Its page's code is not loaded with the login page, but as the password is sent: before the
    // server's answer sends the tab there (not after, as a page first shown would load it).
    const order: string[] = [];
    const onRequest = (request: { url(): string }) => {
      if (SECOND_STEP_CHUNK.test(new URL(request.url()).pathname)) order.push('second-step chunk requested');
    };
    const onSocket = (socket: WebSocket) => {
      socket.on('framereceived', ({ payload }) => {
        if (String(payload).includes('"/two-factor"')) order.push('answer sending the tab to /two-factor');
      });
    };
    page.on('websocket', onSocket);
    page.on('request', onRequest);
    await logOut(page);
    expect(order).toEqual([]);
    await password(page, username);
    expect(order).toEqual(['second-step chunk requested', 'answer sending the tab to /two-factor']);
    page.off('request', onRequest);
    page.off('websocket', onSocket);
    await saveScreenshot(page, 'two-factor');
    expect(await page.getByText(`Hi, ${username}`).count()).toBe(0);
    await page.getByLabel('Authentication code').fill('000000');
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByText('That code is not valid. Check your authenticator app and try again.').waitFor();
    last = await freshCode(app, last.step);
    await page.getByLabel('Authentication code').fill(last.code);
    await page.getByRole('button', { name: 'Verify' }).click();
    await waitForPath(page, '/');
    await page.getByText(`Hi, ${username}`).waitFor();

    // The same code a second time is refused; a recovery code works instead, once.
    await logOut(page);
    await password(page, username);
    await page.getByLabel('Authentication code').fill(last.code);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByText('That code is not valid. Check your authenticator app and try again.').waitFor();
    await page.getByRole('link', { name: 'Use a recovery code' }).click();
    await page.getByLabel('Recovery code').fill(recovery[0]!);
    await page.getByRole('button', { name: 'Verify' }).click();
    await waitForPath(page, '/');
    await page.getByText(`Hi, ${username}`).waitFor();
    await logOut(page);
    await password(page, username);
    await page.getByRole('link', { name: 'Use a recovery code' }).click();
    await page.getByLabel('Recovery code').fill(recovery[0]!);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByText('That recovery code is not valid or was used already.').waitFor();
    await page.getByLabel('Recovery code').fill(recovery[1]!);
    await page.getByRole('button', { name: 'Verify' }).click();
    await waitForPath(page, '/');
    const signedInAt = Date.now();

    // The sessions list says how this session signed in.
    await page.goto('/settings');
    await page.getByText('with password + recovery code').waitFor();

    // A second tab, to see the account's deletion reach it.
    const second = await context.newPage();
    await second.goto('/notes');
    await second.getByText(`Hi, ${username}`).waitFor();

    // Change password once the sign-in is no longer recent: Confirm it's you first, then it succeeds.
    await outlastReauthWindow(signedInAt);
    await page.getByLabel('Current password').fill(GOOD_PASSWORD);
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('Confirm new password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Use a code from your authenticator app' }).waitFor();
    await dialog.getByLabel('Password').fill(GOOD_PASSWORD);
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await page.getByText('Your password was changed.').waitFor();
    const changedAt = Date.now();

    // Delete account, confirmed with a code this time: the second tab is signed out too.
    await outlastReauthWindow(changedAt);
    await page.getByRole('button', { name: 'Delete account' }).click();
    await page.getByRole('button', { name: 'Yes, delete my account' }).click();
    await dialog.getByRole('button', { name: 'Use a code from your authenticator app' }).click();
    last = await freshCode(app, last.step);
    await dialog.getByLabel('Authentication code').fill(last.code);
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    // The deletion, the sign-out of both tabs and their logout requests: on a loaded machine this took over 10 s.
    await waitForPath(page, '/login', 30_000);
    await waitForPath(second, '/login', 30_000);
    await context.close();
    // A long journey: it waits out the re-authentication window three times.
  }, 120_000);
});

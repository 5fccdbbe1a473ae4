import { describe, expect, test } from 'bun:test';
import { startAppAndBrowser } from './support/app-server';
import { newAppContext } from './support/browser';
import { GOOD_PASSWORD, register, uniqueUsername, waitForPath } from './support/flows';
import { mailFiles, waitForMailLink } from './support/mail';
import { saveScreenshot } from './support/screenshots';

/**
 * Email verification and "Confirm it's you" in real Chromium against the
 * example app (`auth.emailVerification: 'required'`), with a re-authentication
 * window of 3 seconds.
 */
const REAUTH_WINDOW_MS = 3_000;
const { server, browser } = await startAppAndBrowser({ AUTH_REAUTH_WINDOW_MS: String(REAUTH_WINDOW_MS) });

/**
 * Lets the window of a proof made at `since` run out. The server is another
 * process, so no clock of the test reaches it: the window itself is what is
 * waited for, and nothing else is timed.
 */
async function outlastReauthWindow(since: number): Promise<void> {
  await Bun.sleep(Math.max(0, since + REAUTH_WINDOW_MS + 100 - Date.now()));
}

const NEW_PASSWORD = 'amber-quarry-whistle-58';

describe('account security in the browser', () => {
  test('register → verify by mail → change password after Confirm it’s you → delete account signs a second tab out', async () => {
    const username = uniqueUsername('vera');
    const email = `${username}@example.com`;
    const context = await newAppContext(browser, server.url);
    const page = await context.newPage();
    const before = mailFiles(server.mailDir).length;
    await register(page, username, email);
    const signedInAt = Date.now();

    // Signed in, not verified: the banner asks, and its button mails a new link.
    const banner = page.getByRole('region', { name: 'Verify your email address' });
    await banner.waitFor();
    await saveScreenshot(page, 'verify-email-banner');
    const first = await waitForMailLink(server.mailDir, before, '/verify-email/');
    expect(first.to).toBe(email);
    await banner.getByRole('button', { name: 'Resend verification email' }).click();
    const { link } = await waitForMailLink(server.mailDir, before + 1, '/verify-email/');
    expect(link).not.toBe(first.link);

    // The first link died with the resend; the newest one verifies.
    await page.goto(first.link);
    await page.getByText('This verification link is invalid or has expired. Please ask for a new one.').waitFor();
    await page.goto(link);
    await page.getByText('Your email address is verified.').waitFor();
    await saveScreenshot(page, 'verify-email');
    await page.goto('/');
    await page.getByText(`Hi, ${username}`).waitFor();
    expect(await banner.count()).toBe(0);

    // A second tab of the same browser, to see the account's deletion reach it.
    const second = await context.newPage();
    await second.goto('/notes');
    await second.getByText(`Hi, ${username}`).waitFor();

    // Change password: the sign-in is no longer recent, so the dialog asks first.
    await page.goto('/settings');
    await outlastReauthWindow(signedInAt);
    await page.getByLabel('Current password').fill(GOOD_PASSWORD);
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('Confirm new password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    const dialog = page.getByRole('dialog', { name: 'Confirm it’s you' });
    await dialog.waitFor();
    await saveScreenshot(page, 'confirm-identity');
    await dialog.getByLabel('Password').fill('not-my-password-at-all');
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await dialog.getByText('Your password was entered incorrectly.').waitFor();
    await dialog.getByLabel('Password').fill(GOOD_PASSWORD);
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    // The refused call went again on its own.
    await page.getByText('Your password was changed.').waitFor();
    const changedAt = Date.now();
    expect(await dialog.count()).toBe(0);

    // Delete account: asked twice, then "Confirm it's you" with the new password.
    await outlastReauthWindow(changedAt);
    await page.getByRole('button', { name: 'Delete account' }).click();
    await page.getByRole('button', { name: 'Yes, delete my account' }).click();
    await dialog.getByLabel('Password').fill(NEW_PASSWORD);
    // Every page this tab shows from here on, client-side route changes included (the router reports a load twice).
    const landings: string[] = [];
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) landings.push(new URL(frame.url()).pathname + new URL(frame.url()).search);
    });
    const pageLoads: string[] = [];
    page.on('request', (request) => {
      if (request.isNavigationRequest() && request.frame() === page.mainFrame()) pageLoads.push(new URL(request.url()).pathname);
    });
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await page.waitForURL((url) => url.pathname === '/login' && url.search === '');
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    // One navigation to the login page: the settings page's guard does not redirect first (to /login?next=%2Fsettings).
    expect(pageLoads).toEqual(['/login']);
    expect(landings.filter((path) => path !== '/login')).toEqual([]);
    await waitForPath(second, '/login');

    // The account is gone: its credentials sign nobody in (checked from another browser
    // context, while this one may still be reloading after the sign-out).
    const stranger = await newAppContext(browser, server.url);
    const login = await stranger.newPage();
    await login.goto('/login');
    await login.getByLabel('Username').fill(username);
    await login.getByLabel('Password').fill(NEW_PASSWORD);
    await login.getByRole('button', { name: 'Sign in', exact: true }).click();
    await login.getByText('Please enter a correct username and password.', { exact: false }).waitFor();
    await stranger.close();
    await context.close();
  });
});

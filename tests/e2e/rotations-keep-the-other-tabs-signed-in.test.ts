import { describe, expect, test } from 'bun:test';
import type { BrowserContext, Page } from 'playwright-core';
import { startAppAndBrowser } from './support/app-server';
import { newAppContext } from './support/browser';
import { eventually, GOOD_PASSWORD, register, signIn, uniqueUsername, waitForPath } from './support/flows';

/**
 * A session rotated in one tab (a password change, a sign-in) keeps the
 * browser's other tabs signed in: they reconnect with the browser's new
 * cookie instead of finding their session dead and logging the browser out.
 */
const { server, browser } = await startAppAndBrowser({ LANGUAGES: 'en,ar' });

async function sessionCookie(context: BrowserContext): Promise<string | undefined> {
  return (await context.cookies()).find((c) => /session/i.test(c.name))?.value;
}

async function addNote(page: Page, title: string): Promise<void> {
  await page.getByLabel('Title').fill(title);
  await page.getByLabel('Content').fill('written after the other tab changed the password');
  await page.getByRole('button', { name: 'Add note' }).click();
  await page.getByRole('heading', { name: title }).waitFor();
}

describe('two tabs signed in', () => {
  test('changing the password in one keeps the other signed in, and its next event works', async () => {
    const context = await newAppContext(browser, server.url);
    const tabA = await context.newPage();
    const username = uniqueUsername('rot');
    await register(tabA, username, `${username}@example.com`);
    const tabB = await context.newPage();
    await tabB.goto('/notes');
    await tabB.getByText(`Hi, ${username}`).waitFor();
    const before = await sessionCookie(context);

    await tabA.goto('/settings');
    const newPassword = 'amber-orchard-compass-19';
    await tabA.getByLabel('Current password').fill(GOOD_PASSWORD);
    await tabA.getByLabel('New password', { exact: true }).fill(newPassword);
    await tabA.getByLabel('Confirm new password').fill(newPassword);
    await tabA.getByRole('button', { name: 'Change password' }).click();
    await tabA.getByText('Your password was changed.').waitFor();

    // Tab B did nothing: it follows the rotation, and its next event is still alice's.
    await addNote(tabB, 'Still signed in');
    expect(new URL(tabB.url()).pathname).toBe('/notes');
    await tabB.getByText(`Hi, ${username}`).waitFor();
    const after = await sessionCookie(context);
    expect(after).toBeDefined();
    expect(after).not.toBe(before);

    for (const tab of [tabA, tabB]) {
      await tab.reload();
      await tab.getByText(`Hi, ${username}`).waitFor();
    }
    await tabB.getByRole('heading', { name: 'Still signed in' }).waitFor();
    await context.close();
  });
});

describe('an anonymous tab and a sign-in in another tab', () => {
  test('the anonymous tab follows the sign-in by itself', async () => {
    const username = uniqueUsername('anon');
    const setup = await newAppContext(browser, server.url);
    await register(await setup.newPage(), username, `${username}@example.com`);
    await setup.close();

    const context = await newAppContext(browser, server.url);
    const waiting = await context.newPage();
    await waiting.goto('/login?next=%2Fnotes');
    await waiting.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    await signIn(await context.newPage(), username);
    // Told by the signing-in tab, the login page sees the user and moves on.
    await waitForPath(waiting, '/notes');
    await waiting.getByText(`Hi, ${username}`).waitFor();
    await context.close();
  });

  test('a stale anonymous tab that writes the session (a language switch) does not sign the browser out', async () => {
    const username = uniqueUsername('lang');
    const setup = await newAppContext(browser, server.url);
    await register(await setup.newPage(), username, `${username}@example.com`);
    await setup.close();

    const context = await newAppContext(browser, server.url);
    const stale = await context.newPage();
    // A tab that misses the other tab's message (a frozen tab, a sign-in over HTTP): no BroadcastChannel here.
    await stale.addInitScript(() => {
      delete (globalThis as { BroadcastChannel?: unknown }).BroadcastChannel;
    });
    await stale.goto('/login');
    await stale.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    const tabA = await context.newPage();
    await signIn(tabA, username);
    const signedIn = await sessionCookie(context);
    expect(signedIn).toBeDefined();

    await stale.locator('#sh-language').selectOption('ar');
    // Its anonymous session is refused the cookie; it reconnects and finds the user instead.
    await eventually(async () => {
      expect(new URL(stale.url()).pathname !== '/login' || (await sessionCookie(context)) !== signedIn).toBe(true);
    }, 10_000);
    expect(await sessionCookie(context)).toBe(signedIn);
    await stale.getByText(`Hi, ${username}`).waitFor();
    await tabA.reload();
    await tabA.getByText(`Hi, ${username}`).waitFor();
    await context.close();
  });
});

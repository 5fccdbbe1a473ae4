import { describe, expect, test } from 'bun:test';
import { startAppAndBrowser } from './support/app-server';
import { newAppContext, VIEWPORT } from './support/browser';
import { signIn } from './support/flows';
import { mailFiles, waitForResetLink } from './support/mail';
import { saveScreenshot } from './support/screenshots';

/**
 * Pictures of every canned page and of the example app, for the README
 * (docs/screenshots/) and for looking at after each run (tests/.artifacts/).
 */
const { server, browser } = await startAppAndBrowser();
await server.run(['db:seed']);

describe('screenshots', () => {
  test('the canned auth pages', async () => {
    const context = await newAppContext(browser, server.url);
    const page = await context.newPage();

    await page.goto('/login');
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    await saveScreenshot(page, 'login');

    await page.goto('/register');
    await page.getByRole('button', { name: 'Create account' }).waitFor();
    await saveScreenshot(page, 'register');

    await page.goto('/password-reset');
    const seen = mailFiles(server.mailDir).length;
    await page.getByLabel('Email').fill('alice@example.com');
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await page.getByText('If an account exists for that address, we sent a link to reset its password.').waitFor();
    await saveScreenshot(page, 'password-reset-request');

    const { link } = await waitForResetLink(server.mailDir, seen);
    await page.goto(link);
    await page.getByRole('button', { name: 'Set password' }).waitFor();
    await saveScreenshot(page, 'password-reset-confirm');
    await context.close();
  });

  test('the login page in Arabic, right to left; the language picker switches it back to English', async () => {
    const context = await browser.newContext({ baseURL: server.url, viewport: VIEWPORT, locale: 'ar-EG', timezoneId: 'UTC' });
    const page = await context.newPage();
    await page.goto('/login');
    await page.getByRole('button', { name: 'تسجيل الدخول', exact: true }).waitFor();
    expect(await page.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).toEqual(['ar', 'rtl']);
    await saveScreenshot(page, 'login-arabic');

    // The language picker switches the pages (and the document's direction) at once, and the choice sticks.
    await page.getByLabel('اللغة').selectOption('en');
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    await page.waitForFunction(() => document.documentElement.dir === 'ltr');
    await page.reload();
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    await context.close();
  });

  test('the example app signed in as a staff user', async () => {
    const context = await newAppContext(browser, server.url);
    const page = await context.newPage();
    await signIn(page, 'alice', 'alice-demo-pass');
    await page.goto('/notes');
    for (const [title, content] of [
      ['Release checklist', 'Tag the build, update the changelog, tell the team.'],
      ['Ideas for the dashboard', 'A weekly summary card; keyboard shortcuts for tabs.'],
    ] as const) {
      await page.getByLabel('Title').fill(title);
      await page.getByLabel('Content').fill(content);
      await page.getByRole('button', { name: 'Add note' }).click();
      await page.getByRole('heading', { name: title }).waitFor();
    }
    await saveScreenshot(page, 'notes');

    await page.goto('/?tab=overview');
    await page.getByText('Last time you were on').waitFor();
    await saveScreenshot(page, 'dashboard');

    await page.goto('/settings');
    await page.getByText('This session').waitFor();
    await saveScreenshot(page, 'settings');

    await page.getByText('Dark', { exact: true }).click();
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
    await saveScreenshot(page, 'settings-dark');
    expect(await page.evaluate(() => localStorage.getItem('theme'))).toBe('dark');
    await context.close();
  });
});

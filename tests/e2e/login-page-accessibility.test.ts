import { describe, expect, test } from 'bun:test';
import type { Page } from 'playwright-core';
import { startAppAndBrowser } from './support/app-server';
import { newAppContext } from './support/browser';
import { GOOD_PASSWORD, uniqueUsername, waitForPath } from './support/flows';

/** The login page with a keyboard and a screen reader in mind. */
const { server, browser } = await startAppAndBrowser();
const username = uniqueUsername('kim');
await server.run(['manage', 'createuser', username, '--email', `${username}@example.com`, '--password', GOOD_PASSWORD]);

/** The focused element's id (or its text, for elements without one). */
function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const element = document.activeElement as HTMLElement | null;
    return element?.id || element?.textContent?.trim() || '';
  });
}

/** The texts `aria-describedby` of an element points at. */
function descriptionOf(page: Page, id: string): Promise<string> {
  return page.evaluate((elementId) => {
    const ids = document.getElementById(elementId)?.getAttribute('aria-describedby')?.split(/\s+/) ?? [];
    return ids.map((ref) => document.getElementById(ref)?.textContent ?? '').join(' ');
  }, id);
}

describe('the login page', () => {
  test('submitting it empty focuses the first invalid field, whose error is tied to it', async () => {
    const context = await newAppContext(browser, server.url);
    const page = await context.newPage();
    await page.goto('/login');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();

    await page.waitForFunction(() => document.activeElement?.id === 'sh-login-id');
    expect(await page.getByLabel('Username').getAttribute('aria-invalid')).toBe('true');
    expect(await descriptionOf(page, 'sh-login-id')).toBe('This field is required.');
    expect(await page.getByLabel('Password').getAttribute('aria-invalid')).toBe('true');

    // Fixing the field clears its error.
    await page.getByLabel('Username').fill(username);
    expect(await page.getByLabel('Username').getAttribute('aria-invalid')).toBeNull();
    await context.close();
  });

  test('a refused login is announced in the alert region, with the button busy while the call is in flight', async () => {
    const context = await newAppContext(browser, server.url);
    const page = await context.newPage();
    await page.goto('/login');
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill('wrong-password-for-sure');
    // Record every state the button goes through.
    await page.evaluate(() => {
      const states: string[] = [];
      (window as { __buttonStates?: string[] }).__buttonStates = states;
      const button = document.querySelector('button[type="submit"]')!;
      const record = () =>
        states.push(`${button.textContent?.trim()}|${button.getAttribute('aria-busy')}|${(button as HTMLButtonElement).disabled}`);
      new MutationObserver(record).observe(button, { attributes: true, childList: true, subtree: true, characterData: true });
    });
    await page.getByLabel('Password').press('Enter');

    const alert = page.getByRole('alert').filter({ hasText: 'Please enter a correct username and password.' });
    await alert.waitFor();
    await page.waitForFunction(() => document.activeElement?.getAttribute('role') === 'alert');
    const states = await page.evaluate(() => (window as { __buttonStates?: string[] }).__buttonStates ?? []);
    expect(states).toContain('Signing in…|true|true');
    expect(states.at(-1)).toBe('Sign in|false|false');
    await context.close();
  });

  test('keyboard only: type, Tab, type, Enter signs in; the tab order follows the page', async () => {
    const context = await newAppContext(browser, server.url);
    const page = await context.newPage();
    await page.goto('/login');
    await page.waitForFunction(() => document.activeElement?.id === 'sh-login-id');

    await page.keyboard.type(username);
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('sh-login-password');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('Sign in');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('Sign in with a passkey');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('Forgot your password?');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('Create an account');

    for (let i = 0; i < 4; i++) await page.keyboard.press('Shift+Tab');
    expect(await focused(page)).toBe('sh-login-password');
    await page.keyboard.type(GOOD_PASSWORD);
    await page.keyboard.press('Enter');
    await waitForPath(page, '/');
    await page.getByText(`Hi, ${username}`).waitFor();
    await context.close();
  });
});

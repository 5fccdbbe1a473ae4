import type { Page } from 'playwright-core';

/** A password the validators accept (long, not common, unlike any username here). */
export const GOOD_PASSWORD = 'violet-harbour-lantern-42';

/** A username no other scenario uses. */
export function uniqueUsername(prefix = 'user'): string {
  return `${prefix}${crypto.randomUUID().slice(0, 8)}`;
}

export { eventually } from '../../helpers/wait-for';

/** The page's path and query, e.g. `/login?next=%2Fnotes`. */
export function pathOf(page: Page): string {
  const url = new URL(page.url());
  return url.pathname + url.search;
}

/** Waits until the page shows `path` (and, when given, exactly that query). */
export async function waitForPath(page: Page, path: string, timeoutMs = 10_000): Promise<void> {
  await page.waitForURL((url) => url.pathname + (path.includes('?') ? url.search : '') === path, { timeout: timeoutMs });
}

/** Registers through the canned page and waits for the dashboard's greeting. */
export async function register(page: Page, username: string, email: string, password = GOOD_PASSWORD): Promise<void> {
  await page.goto('/register');
  await page.getByLabel('Username', { exact: true }).fill(username);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByLabel('Confirm password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  // The navbar greets as soon as the socket says so; the landing page follows the cookie sync.
  await waitForPath(page, '/');
  await page.getByText(`Hi, ${username}`).waitFor();
}

/**
 * Signs in through the canned login page (already open, or opened at
 * `/login`) and waits until the tab has left it, greeted.
 */
export async function signIn(page: Page, username: string, password = GOOD_PASSWORD, options: { open?: boolean } = {}): Promise<void> {
  if (options.open ?? true) await page.goto('/login');
  await page.getByLabel('Username', { exact: true }).fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL((url) => url.pathname !== '/login', { timeout: 10_000 });
  await page.getByText(`Hi, ${username}`).waitFor();
}

import { describe, expect, test } from 'bun:test';
import { startAppAndBrowser } from './support/app-server';
import { newAppContext } from './support/browser';
import { register, uniqueUsername } from './support/flows';

/** User-provided text is rendered as text, never parsed as HTML. */
const { server, browser } = await startAppAndBrowser();

const PAYLOAD = '<img src=x onerror="window.__xss=1">';

describe('user-provided text', () => {
  test('a note title and content holding markup show literally and run nothing', async () => {
    const context = await newAppContext(browser, server.url);
    const page = await context.newPage();
    const username = uniqueUsername('xss');
    await register(page, username, `${username}@example.com`);
    await page.goto('/notes');
    await page.getByLabel('Title').fill(PAYLOAD);
    await page.getByLabel('Content').fill(`${PAYLOAD} <script>window.__xss=2</script>`);
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.getByRole('heading', { name: PAYLOAD }).waitFor();

    await page.reload();
    await page.getByRole('heading', { name: PAYLOAD }).waitFor();
    await page.getByText(`${PAYLOAD} <script>window.__xss=2</script>`).waitFor();
    // No element came of the markup: no <img> whose onerror could fire later, no
    // script (and a <script> inserted as HTML never runs anyway).
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(await page.evaluate(() => (window as { __xss?: unknown }).__xss)).toBeUndefined();
    await context.close();
  });

  test('a username holding markup is refused with a field error shown as text', async () => {
    const context = await newAppContext(browser, server.url);
    const page = await context.newPage();
    await page.goto('/register');
    await page.getByLabel('Username', { exact: true }).fill(PAYLOAD);
    await page.getByLabel('Password', { exact: true }).fill('violet-harbour-lantern-42');
    await page.getByLabel('Confirm password').fill('violet-harbour-lantern-42');
    await page.getByRole('button', { name: 'Create account' }).click();
    const username = page.getByLabel('Username', { exact: true });
    await page.waitForFunction(() => document.querySelector('#sh-register-username')?.getAttribute('aria-invalid') === 'true');
    expect(await username.inputValue()).toBe(PAYLOAD);
    expect(await page.evaluate(() => (window as { __xss?: unknown }).__xss)).toBeUndefined();
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    await context.close();
  });
});

import { describe, expect, test } from 'bun:test';
import type { BrowserContext, Page, Response } from 'playwright-core';
import { startAppAndBrowser } from './support/app-server';
import { newAppContext, VIEWPORT } from './support/browser';

/**
 * The production build in Chromium: a visit in English fetches no other
 * language's texts; a browser in Arabic fetches the Arabic chunk and the login
 * page shows Arabic without an English heading first; when that chunk cannot
 * be loaded the page is in English and says so.
 */
const { server, browser } = await startAppAndBrowser();

const ARABIC_CHUNK = /\/assets\/messages-ar\.[0-9a-z]+\.js$/;

/** A page that records the scripts it fetches and every `<h1>` text it shows, from the first paint on. */
async function recordingPage(context: BrowserContext): Promise<{ page: Page; scripts: string[]; headings: () => Promise<string[]> }> {
  const page = await context.newPage();
  const scripts: string[] = [];
  page.on('request', (request) => {
    if (request.resourceType() === 'script') scripts.push(new URL(request.url()).pathname);
  });
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __headings: string[] }).__headings = seen;
    new MutationObserver(() => {
      const text = document.querySelector('h1')?.textContent;
      if (text && seen.at(-1) !== text) seen.push(text);
    }).observe(document, { childList: true, subtree: true, characterData: true });
  });
  const headings = () => page.evaluate(() => (window as unknown as { __headings: string[] }).__headings);
  return { page, scripts, headings };
}

describe('each language’s texts arrive with it', () => {
  test('a visit in English fetches no Arabic texts', async () => {
    const context = await newAppContext(browser, server.url);
    const { page, scripts, headings } = await recordingPage(context);
    await page.goto('/login');
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    expect(scripts.some((path) => ARABIC_CHUNK.test(path))).toBe(false);
    expect(await headings()).toEqual(['Sign in']);
    await context.close();
  });

  test('the scripts and the stylesheet arrive compressed, in a coding Chromium asked for', async () => {
    const context = await newAppContext(browser, server.url);
    const page = await context.newPage();
    const arrived: Promise<{ path: string; accepted: string; encoding: string | undefined }>[] = [];
    const record = (response: Response) => {
      const path = new URL(response.url()).pathname;
      if (!/^\/assets\/.+\.(js|css)$/.test(path)) return;
      arrived.push(
        (async () => ({
          path,
          accepted: (await response.request().allHeaders())['accept-encoding'] ?? '',
          encoding: (await response.allHeaders())['content-encoding'],
        }))(),
      );
    };
    page.on('response', record);
    await page.goto('/login');
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    // Chunks the login page fetches after it shows (the passkey library for the field's autofill,
    // then what that imports) arrive too; none may be read after the context is gone.
    await page.waitForLoadState('networkidle');
    page.off('response', record);
    const responses = await Promise.all(arrived);
    expect(responses.some((r) => r.path.endsWith('.css'))).toBe(true);
    expect(responses.some((r) => r.path.endsWith('.js'))).toBe(true);
    for (const { path, accepted, encoding } of responses) {
      expect({ path, encoding: encoding !== undefined && accepted.includes(encoding) }).toEqual({ path, encoding: true });
    }
    await context.close();
  });

  test('a browser in Arabic fetches the Arabic chunk, and the page shows no English heading first', async () => {
    const context = await browser.newContext({ baseURL: server.url, viewport: VIEWPORT, locale: 'ar-EG', timezoneId: 'UTC' });
    const { page, scripts, headings } = await recordingPage(context);
    await page.goto('/login');
    await page.getByRole('button', { name: 'تسجيل الدخول', exact: true }).waitFor();
    expect(scripts.filter((path) => ARABIC_CHUNK.test(path))).toHaveLength(1);
    expect(await headings()).toEqual(['تسجيل الدخول']);
    expect(await page.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).toEqual(['ar', 'rtl']);
    await context.close();
  });

  test('an Arabic chunk that cannot be loaded leaves the page in English, with a toast', async () => {
    const context = await browser.newContext({ baseURL: server.url, viewport: VIEWPORT, locale: 'ar-EG', timezoneId: 'UTC' });
    await context.route(ARABIC_CHUNK, (route) => route.abort());
    const page = await context.newPage();
    await page.goto('/login');
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    await page.getByText('The texts of this language could not be loaded. Reload to try again.').waitFor();
    expect(await page.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).toEqual(['en', 'ltr']);
    await context.close();
  });
});

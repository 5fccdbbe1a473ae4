import { describe, expect, test } from 'bun:test';
import type { BrowserContext } from 'playwright-core';
import { startAppAndBrowser } from './support/app-server';
import { newAppContext } from './support/browser';
import { eventually, GOOD_PASSWORD, signIn, uniqueUsername, waitForPath } from './support/flows';

/**
 * The app's HTML is served with a strict CSP (scripts, styles and
 * connections from this origin only; no framing), and every page still works
 * under it. Browsed at `http://localhost:<port>`: a loopback name the host
 * allow-list lets in.
 */
const { server, browser } = await startAppAndBrowser();
const baseUrl = server.url.replace('127.0.0.1', 'localhost');
const username = uniqueUsername('csp');
await server.run(['manage', 'createuser', username, '--email', `${username}@example.com`, '--password', GOOD_PASSWORD]);

/** A context that records every CSP violation its pages report, and every console line about one. */
async function watchedContext(): Promise<{ context: BrowserContext; violations: string[] }> {
  const context = await newAppContext(browser, baseUrl);
  const violations: string[] = [];
  await context.exposeFunction('reportCspViolation', (text: string) => void violations.push(text));
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      (window as unknown as { reportCspViolation(text: string): void }).reportCspViolation(
        `${event.violatedDirective} ${event.blockedURI}`,
      );
    });
  });
  context.on('console', (message) => {
    if (/content security policy|refused to/i.test(message.text())) violations.push(`console: ${message.text()}`);
  });
  return { context, violations };
}

describe('a strict Content-Security-Policy', () => {
  test('is sent with the app’s HTML, with frame-ancestors none', async () => {
    const res = await fetch(`${baseUrl}/login`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });

  test('the login page renders, a login works and the signed-in pages run, with no violation reported', async () => {
    const { context, violations } = await watchedContext();
    const page = await context.newPage();
    await page.goto('/login');
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    await signIn(page, username, GOOD_PASSWORD, { open: false });
    await page.goto('/notes');
    await waitForPath(page, '/notes');
    await page.goto('/settings');
    await page.getByRole('button', { name: 'Change password' }).waitFor();
    expect(violations).toEqual([]);

    // The watch itself works: an inline script is refused, and reported.
    await page.addScriptTag({ content: 'window.inlineRan = true' }).catch(() => {});
    await eventually(() => expect(violations.some((v) => v.startsWith('script-src'))).toBe(true));
    expect(await page.evaluate(() => (window as unknown as { inlineRan?: boolean }).inlineRan)).toBeUndefined();
    await context.close();
  });

  test('another page cannot frame the app', async () => {
    const { context } = await watchedContext();
    const page = await context.newPage();
    // The outer page's load event waits for its frame, whether the frame got the app or an error page.
    await page.setContent(`<iframe id="app" src="${baseUrl}/login"></iframe>`, { waitUntil: 'load' });
    const frame = await (await page.$('#app'))!.contentFrame();
    expect(frame!.url()).not.toStartWith(baseUrl);
    expect(await frame!.locator('#root').count()).toBe(0);
    await context.close();
  });
});

import { describe, expect, test } from 'bun:test';
import type { Page } from 'playwright-core';
import { startAppAndBrowser } from './support/app-server';
import { newAppContext } from './support/browser';
import { eventually, GOOD_PASSWORD, pathOf, register, signIn, uniqueUsername, waitForPath } from './support/flows';
import { socketCall } from './support/socket-call';

/**
 * A stranger's first minutes with the example app in a real browser, and
 * the regression "re-login after logout in the same tab never loops".
 */
const { server, browser } = await startAppAndBrowser();

/** Every main-frame navigation of the page (full loads and router pushes), as path + query. */
function recordNavigations(page: Page): string[] {
  const seen: string[] = [];
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) seen.push(pathOf(page));
  });
  return seen;
}

async function addNote(page: Page, title: string, content: string): Promise<void> {
  await page.getByLabel('Title').fill(title);
  await page.getByLabel('Content').fill(content);
  await page.getByRole('button', { name: 'Add note' }).click();
  await page.getByRole('heading', { name: title }).waitFor();
}

describe('the full journey', () => {
  test('register, stay signed in, keep notes private, log out, and sign in again without a redirect loop', async () => {
    const context = await newAppContext(browser, server.url);
    const page = await context.newPage();
    const username = uniqueUsername('ada');

    // Register: lands on the dashboard, signed in.
    await register(page, username, `${username}@example.com`);
    await page.getByRole('button', { name: 'Log out' }).waitFor();

    // A reload keeps the session.
    await page.reload();
    await page.getByText(`Hi, ${username}`).waitFor();
    expect(new URL(page.url()).pathname).toBe('/');

    // The session cookie is HttpOnly: the page's scripts never see it.
    const cookies = await context.cookies();
    const sessionCookie = cookies.find((cookie) => /session/i.test(cookie.name));
    expect(sessionCookie).toBeDefined();
    expect(sessionCookie!.httpOnly).toBe(true);
    expect(sessionCookie!.sameSite).toBe('Lax');
    expect(await page.evaluate(() => document.cookie)).not.toContain(sessionCookie!.name);

    // A signed-in visitor of /login goes to the landing page.
    await page.goto('/login');
    await waitForPath(page, '/');
    await page.getByText(`Hi, ${username}`).waitFor();

    // A note of her own.
    await page.getByRole('link', { name: 'Notes' }).first().click();
    await waitForPath(page, '/notes');
    await addNote(page, 'Ada’s private plan', 'Only Ada may read this.');
    const adaList = await socketCall(page, 'query', 'notes.list', {});
    const adaItems = (adaList.result?.data?.data as { items: { id: number; title: string }[] }).items;
    const adaNote = adaItems.find((note) => note.title === 'Ada’s private plan');
    expect(adaNote).toBeDefined();

    // Another visitor cannot see it, neither on the page nor by asking the socket directly.
    const otherContext = await newAppContext(browser, server.url);
    const other = await otherContext.newPage();
    const otherName = uniqueUsername('bea');
    await register(other, otherName, `${otherName}@example.com`);
    await other.goto('/notes');
    await other.getByText('No notes yet').waitFor();
    expect(await other.getByText('Ada’s private plan').count()).toBe(0);
    const otherList = await socketCall(other, 'query', 'notes.list', {});
    expect((otherList.result?.data?.data as { items: unknown[] }).items).toEqual([]);
    const stolen = await socketCall(other, 'query', 'notes.get', { id: adaNote!.id });
    expect(stolen.error?.data?.code).toBe('NOT_FOUND');
    const apiAnswer = await other.evaluate(async () => (await fetch('/api/notes')).json());
    expect(JSON.stringify(apiAnswer)).not.toContain('Ada’s private plan');
    await otherContext.close();

    // Log out: the login page, and the private page now asks to sign in.
    // The auth delta first sends /notes to the login page in place (its guard);
    // then `clearAuthThenNavigate` expires the cookie and loads /login afresh.
    // Moving on before that load would race it.
    const freshLogin = page.waitForResponse((r) => r.request().isNavigationRequest() && new URL(r.url()).pathname === '/login');
    await page.getByRole('button', { name: 'Log out' }).click();
    await freshLogin;
    await page.waitForURL((url) => url.pathname === '/login' && url.search === '');
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    await page.goto('/notes');
    await page.waitForURL((url) => url.pathname === '/login' && url.searchParams.get('next') === '/notes');

    // Sign in again in the same tab: straight to /notes, no bounce between / and /login.
    const navigations = recordNavigations(page);
    await signIn(page, username, GOOD_PASSWORD, { open: false });
    await waitForPath(page, '/notes');
    await page.getByRole('heading', { name: 'Ada’s private plan' }).waitFor();
    await Bun.sleep(1_500);
    expect(pathOf(page)).toBe('/notes');
    expect(navigations.filter((path) => path !== '/notes')).toEqual([]);
    expect(navigations.length).toBeLessThanOrEqual(2);
    await context.close();
  });

  test('signing in from /login?next= lands on that page; a hostile next= lands on the dashboard', async () => {
    const context = await newAppContext(browser, server.url);
    const page = await context.newPage();
    const username = uniqueUsername('cy');
    await register(page, username, `${username}@example.com`);
    await page.getByRole('button', { name: 'Log out' }).click();
    await waitForPath(page, '/login');

    await page.goto(`/login?next=${encodeURIComponent('//evil.example/steal')}`);
    await signIn(page, username, GOOD_PASSWORD, { open: false });
    await eventually(() => expect(new URL(page.url()).origin).toBe(new URL(server.url).origin));
    expect(new URL(page.url()).pathname).toBe('/');
    await context.close();
  });
});

import { describe, expect, test } from 'bun:test';
import { startAppAndBrowser } from './support/app-server';
import { newAppContext } from './support/browser';
import { GOOD_PASSWORD, register, signIn, uniqueUsername, waitForPath } from './support/flows';

/** Identity changes reach every open tab at once: a logout, a revoked session, a password change. */
const { server, browser } = await startAppAndBrowser();

describe('two tabs of one user', () => {
  test('logging out in one tab lands the other on /login within 2 s, without any action in it', async () => {
    const context = await newAppContext(browser, server.url);
    const tabA = await context.newPage();
    const username = uniqueUsername('tabs');
    await register(tabA, username, `${username}@example.com`);

    const tabB = await context.newPage();
    await tabB.goto('/notes');
    await tabB.getByRole('heading', { name: 'Notes', exact: true }).waitFor();
    await tabB.getByText(`Hi, ${username}`).waitFor();

    await tabA.getByRole('button', { name: 'Log out' }).click();
    const started = Date.now();
    await waitForPath(tabB, '/login', 2_000);
    await tabB.getByRole('button', { name: 'Sign in', exact: true }).waitFor({ timeout: 2_000 });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await tabB.getByText(`Hi, ${username}`).count()).toBe(0);

    await waitForPath(tabA, '/login');
    expect(await context.cookies()).not.toContainEqual(expect.objectContaining({ name: expect.stringMatching(/session/i) }));
    await context.close();
  });
});

describe('Settings', () => {
  test('Revoke signs the other browser out at once and the list follows; a password change keeps this one signed in', async () => {
    const here = await newAppContext(browser, server.url);
    const page = await here.newPage();
    const username = uniqueUsername('sam');
    await register(page, username, `${username}@example.com`);
    const elsewhere = await newAppContext(browser, server.url);
    const other = await elsewhere.newPage();
    await signIn(other, username);

    await page.goto('/settings');
    const sessions = page.getByRole('region', { name: 'Your sessions' });
    await sessions.getByText('This session').waitFor();
    await sessions.getByRole('button', { name: /^Revoke / }).waitFor();
    expect(await sessions.getByRole('listitem').count()).toBe(2);

    await sessions.getByRole('button', { name: /^Revoke / }).click();
    await waitForPath(other, '/login', 2_000);
    await page.getByText('Session revoked.').waitFor();
    await sessions.getByRole('button', { name: /^Revoke / }).waitFor({ state: 'detached' });
    expect(await sessions.getByRole('listitem').count()).toBe(1);

    const newPassword = 'amber-orchard-compass-19';
    await page.getByLabel('Current password').fill(GOOD_PASSWORD);
    await page.getByLabel('New password', { exact: true }).fill(newPassword);
    await page.getByLabel('Confirm new password').fill(newPassword);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Your password was changed.').waitFor();
    await page.reload();
    await page.getByText(`Hi, ${username}`).waitFor();
    expect(new URL(page.url()).pathname).toBe('/settings');

    await signIn(other, username, newPassword);
    await elsewhere.close();
    await here.close();
  });
});

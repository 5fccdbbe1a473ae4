import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Browser } from 'playwright-core';
import { startAppServer, type AppServer } from './support/app-server';
import { launchBrowser, newAppContext } from './support/browser';
import { register, uniqueUsername, waitForPath } from './support/flows';

/** Identity changes reach every open tab at once: tab B follows tab A's logout by itself. */
let server: AppServer;
let browser: Browser;

beforeAll(async () => {
  server = await startAppServer();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

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
    await tabB.getByRole('button', { name: 'Sign in' }).waitFor({ timeout: 2_000 });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await tabB.getByText(`Hi, ${username}`).count()).toBe(0);

    await waitForPath(tabA, '/login');
    expect(await context.cookies()).not.toContainEqual(expect.objectContaining({ name: expect.stringMatching(/session/i) }));
    await context.close();
  });
});

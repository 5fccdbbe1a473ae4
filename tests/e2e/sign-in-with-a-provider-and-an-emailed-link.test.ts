import { describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { parseMail } from '../helpers/mail';
import { startIdentityProvider } from '../helpers/identity-provider';
import { startAppAndBrowser } from './support/app-server';
import { newAppContext } from './support/browser';
import { eventually, uniqueUsername, waitForPath } from './support/flows';
import { mailFiles } from './support/mail';
import { saveScreenshot } from './support/screenshots';

/**
 * Provider and emailed-link sign-in in real Chromium: the example app
 * (`bun run start`) configured from the environment with one OpenID Connect
 * provider, a real one in this process (`oauth2-mock-server`), and the file
 * mail backend.
 */
const idp = await startIdentityProvider();
const { server, browser } = await startAppAndBrowser({
  OAUTH_TEST_CLIENT_ID: 'statehouse-e2e',
  OAUTH_TEST_CLIENT_SECRET: 'e2e-secret',
  OAUTH_TEST_ISSUER: idp.issuer,
  OAUTH_TEST_LABEL: 'Test Provider',
  AUTH_MAGIC_LINK: 'true',
});
const { afterAll } = await import('bun:test');
afterAll(() => idp.stop());

/** Waits for a mail beyond the `seen` first ones and answers the sign-in link in it. */
async function waitForSignInLink(seen: number): Promise<string> {
  let link = '';
  await eventually(async () => {
    const files = mailFiles(server.mailDir);
    expect(files.length).toBeGreaterThan(seen);
    const mail = await parseMail(readFileSync(files.at(-1)!));
    link = /https?:\/\/\S+\/auth\/link\/\S+/.exec(mail.text ?? '')?.[0] ?? '';
    expect(link).not.toBe('');
  }, 10_000);
  return link;
}

describe('signing in without a password', () => {
  test('Continue with the provider signs this browser in, its open tab follows; log out; an emailed link signs in once', async () => {
    const name = uniqueUsername('pia');
    const email = `${name}@provider.test`;
    idp.nextUser({ sub: `sub-${name}`, email, email_verified: true, preferred_username: name });
    const context = await newAppContext(browser, server.url);

    // A tab already open, anonymous, on the dashboard.
    const other = await context.newPage();
    await other.goto('/');
    await other.getByRole('link', { name: 'Sign in', exact: true }).first().waitFor();

    const page = await context.newPage();
    await page.goto('/login?next=/notes');
    const button = page.getByRole('link', { name: 'Continue with Test Provider' });
    await button.waitFor();
    await saveScreenshot(page, 'login-providers');
    await button.click();
    await waitForPath(page, '/notes');
    await page.getByText(`Hi, ${name}`).waitFor();
    const session = (await context.cookies()).find((c) => c.name === 'statehouse_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    expect((await context.cookies()).some((c) => c.name === 'statehouse_oauth')).toBe(false);

    // The tab that was open follows without being touched.
    await other.getByText(`Hi, ${name}`).waitFor({ timeout: 5_000 });

    // Settings lists the provider as connected.
    await page.goto('/settings');
    const connected = page.getByRole('region', { name: 'Connected accounts' });
    await connected.getByText(email).waitFor();
    await connected.getByRole('button', { name: 'Disconnect' }).waitFor();
    await saveScreenshot(page, 'connected-accounts');
    // Not the only way in (emailed links reach the provider's verified address): Disconnect works.
    await connected.getByRole('button', { name: 'Disconnect' }).click();
    await page.getByText('Test Provider is disconnected.').waitFor();
    await connected.getByRole('link', { name: 'Connect' }).waitFor();

    await page.getByRole('button', { name: 'Log out' }).click();
    await waitForPath(page, '/login');
    await waitForPath(other, '/login', 5_000);

    // The emailed link, asked for on the login page, opened in this browser.
    const seen = mailFiles(server.mailDir).length;
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
    await page.getByText('If an account has this address, a sign-in link is on its way.', { exact: false }).waitFor();
    const link = await waitForSignInLink(seen);
    await page.goto(link);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await waitForPath(page, '/');
    await page.getByText(`Hi, ${name}`).waitFor();

    // The same link again, in another browser: refused.
    const stranger = await newAppContext(browser, server.url);
    const again = await stranger.newPage();
    await again.goto(link);
    await again.getByRole('button', { name: 'Sign in', exact: true }).click();
    await waitForPath(again, '/login');
    await again.getByText('This sign-in link is invalid, used or expired.', { exact: false }).waitFor();
    expect((await stranger.cookies()).some((c) => c.name === 'statehouse_session')).toBe(false);
    await stranger.close();
    await context.close();
  });
});

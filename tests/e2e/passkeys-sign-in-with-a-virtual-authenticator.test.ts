import { describe, expect, test } from 'bun:test';
import type { BrowserContext } from 'playwright-core';
import { startAppAndBrowser } from './support/app-server';
import { newAppContext } from './support/browser';
import { eventually, register, signIn, uniqueUsername, waitForPath } from './support/flows';
import { saveScreenshot } from './support/screenshots';
import { addVirtualAuthenticator } from './support/virtual-authenticator';

/**
 * Passkeys in real Chromium, answered by its virtual authenticator (the
 * DevTools protocol's WebAuthn domain): a platform authenticator with
 * resident keys and user verification, as a laptop's fingerprint reader.
 * WebAuthn needs a secure context, so the tab browses http://localhost
 * (127.0.0.1 is not one to Chromium's WebAuthn).
 */
const { server, browser } = await startAppAndBrowser();
const base = server.url.replace('127.0.0.1', 'localhost');

/** The session cookie the browser holds for the site, if any. */
async function sessionCookie(context: BrowserContext) {
  return (await context.cookies(base)).find((c) => c.name.endsWith('statehouse_session'));
}

describe('passkeys in the browser', () => {
  test('password sign-in → Add a passkey → log out → Sign in with a passkey → remove it → passkey sign-in refused', async () => {
    const username = uniqueUsername('pia');
    const context = await newAppContext(browser, base);
    const page = await context.newPage();
    const authenticator = await addVirtualAuthenticator(context, page);

    // An account, signed in with its password.
    await register(page, username, `${username}@example.com`);
    await page.getByRole('button', { name: 'Log out' }).click();
    await waitForPath(page, '/login');
    await signIn(page, username);

    // Settings → Passkeys → Add a passkey: the virtual authenticator answers the prompt.
    await page.goto('/settings');
    const passkeys = page.getByRole('region', { name: 'Passkeys' });
    await passkeys.getByText('No passkeys yet.').waitFor();
    await passkeys.getByRole('button', { name: 'Add a passkey' }).click();
    await passkeys.getByText('Never used').waitFor();
    await page.getByText('Your passkey is added.').waitFor();
    // Rename it.
    await passkeys.getByRole('button', { name: 'Rename: Passkey' }).click();
    await passkeys.getByLabel('Name').fill('This laptop');
    await passkeys.getByRole('button', { name: 'Save' }).click();
    await passkeys.getByText('This laptop').waitFor();
    await passkeys.scrollIntoViewIfNeeded();
    await saveScreenshot(page, 'settings-passkeys');

    // Log out: on the login page the field's autofill (conditional UI) offers the passkey, and
    // the virtual authenticator, present and verified, picks it: signed in, nothing typed.
    await page.getByRole('button', { name: 'Log out' }).click();
    await waitForPath(page, '/login');
    await page.waitForURL((url) => url.pathname === '/', { timeout: 10_000 });
    await page.getByText(`Hi, ${username}`).waitFor();
    await eventually(async () => expect((await sessionCookie(context))?.httpOnly).toBe(true));

    // Log out with the user away from the authenticator: the autofill request waits. Then
    // **Sign in with a passkey** aborts it and asks again, and the user is there.
    await authenticator.presence(false);
    await page.getByRole('button', { name: 'Log out' }).click();
    await waitForPath(page, '/login');
    await page.getByRole('button', { name: 'Sign in with a passkey' }).waitFor();
    expect(await page.getByLabel('Username').getAttribute('autocomplete')).toBe('username webauthn');
    expect(await page.getByLabel('Password', { exact: true }).inputValue()).toBe('');
    expect(await sessionCookie(context)).toBeUndefined();
    await saveScreenshot(page, 'login-passkey');
    await authenticator.presence(true);
    // The sign-in ends in a full load of the landing page, once the cookie is set.
    const landed = page.waitForEvent('load');
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await landed;
    await waitForPath(page, '/');
    await page.getByText(`Hi, ${username}`).waitFor();
    await eventually(async () => {
      const cookie = await sessionCookie(context);
      expect(cookie?.httpOnly).toBe(true);
      expect(cookie?.sameSite).toBe('Lax');
    });

    // The sessions list says how this session signed in; the passkey shows its last use.
    await page.goto('/settings');
    await page.locator('.session-current').getByText('with passkey').waitFor();
    await passkeys.getByText(/^Last used /).waitFor();

    // Remove it (the passkey sign-in is recent: nothing to confirm).
    await passkeys.getByRole('button', { name: 'Remove: This laptop' }).click();
    await passkeys.getByText('No passkeys yet.').waitFor();

    // The authenticator still holds the credential, but the site no longer knows it.
    await authenticator.presence(false);
    await page.getByRole('button', { name: 'Log out' }).click();
    await waitForPath(page, '/login');
    await authenticator.presence(true);
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.getByText('That passkey was not accepted.').waitFor();
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(await sessionCookie(context)).toBeUndefined();
    await context.close();
  });
});

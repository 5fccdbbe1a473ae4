import { describe, expect, test } from 'bun:test';
import { startAppAndBrowser } from './support/app-server';
import { newAppContext } from './support/browser';
import { GOOD_PASSWORD, register, uniqueUsername } from './support/flows';
import { addVirtualAuthenticator } from './support/virtual-authenticator';

/**
 * "Confirm it's you" with a passkey in real Chromium (its virtual
 * authenticator), with a re-authentication window of 3 seconds: adding the
 * first passkey asks for the password; removing the password then offers
 * the passkey; with no password left, the dialog asks for the passkey alone,
 * and the last passkey is not removed.
 */
const REAUTH_WINDOW_MS = 3_000;
const { server, browser } = await startAppAndBrowser({ AUTH_REAUTH_WINDOW_MS: String(REAUTH_WINDOW_MS) });
const base = server.url.replace('127.0.0.1', 'localhost');

/** Lets the proof made at `since` grow old (the server is another process: its window is what is waited for). */
async function outlastReauthWindow(since: number): Promise<void> {
  await Bun.sleep(Math.max(0, since + REAUTH_WINDOW_MS + 100 - Date.now()));
}

describe('Confirm it’s you with a passkey', () => {
  test('add a passkey (password confirms) → Remove password (the passkey confirms) → the last passkey stays', async () => {
    const username = uniqueUsername('cora');
    const context = await newAppContext(browser, base);
    const page = await context.newPage();
    await addVirtualAuthenticator(context, page);
    await register(page, username, `${username}@example.com`);
    const signedInAt = Date.now();
    await page.goto('/settings');
    const passkeys = page.getByRole('region', { name: 'Passkeys' });
    const dialog = page.getByRole('dialog', { name: 'Confirm it’s you' });

    // No passkey yet: the dialog asks for the password only.
    await outlastReauthWindow(signedInAt);
    await passkeys.getByRole('button', { name: 'Add a passkey' }).click();
    await dialog.waitFor();
    expect(await dialog.getByRole('button', { name: 'Use a passkey' }).count()).toBe(0);
    await dialog.getByLabel('Password').fill(GOOD_PASSWORD);
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await passkeys.getByText('Never used').waitFor();
    const addedAt = Date.now();

    // Remove password: the dialog offers the passkey, which confirms.
    await outlastReauthWindow(addedAt);
    await passkeys.getByRole('button', { name: 'Remove password' }).click();
    await dialog.getByRole('button', { name: 'Use a passkey' }).click();
    await page.getByText('Your password is removed. Sign in with a passkey from now on.').waitFor();
    await passkeys.getByText('Your account has no password: you sign in with a passkey.').waitFor();
    const removedAt = Date.now();

    // No password: the dialog asks for a passkey alone; the last passkey is refused all the same.
    await outlastReauthWindow(removedAt);
    await passkeys.getByRole('button', { name: 'Remove: Passkey' }).click();
    await dialog.waitFor();
    expect(await dialog.getByLabel('Password').count()).toBe(0);
    await dialog.getByRole('button', { name: 'Use a passkey' }).click();
    await passkeys.getByText('This is your only way to sign in. Add another one first.').waitFor();
    expect(await passkeys.getByText(/^Last used /).count()).toBe(1);
    await context.close();
  });
});

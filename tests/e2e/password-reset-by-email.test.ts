import { describe, expect, test } from 'bun:test';
import { startAppAndBrowser } from './support/app-server';
import { newAppContext } from './support/browser';
import { GOOD_PASSWORD, signIn, uniqueUsername, waitForPath } from './support/flows';
import { mailFiles, waitForResetLink } from './support/mail';

/** Password reset end to end with the file mail backend: request, mail, link, new password, single use. */
const { server, browser } = await startAppAndBrowser();

const SENT = 'If an account exists for that address, we sent a link to reset its password.';
const NEW_PASSWORD = 'copper-meadow-signal-77';

describe('password reset by email', () => {
  test('bun run start serves the built client, with an index.html fallback for client routes', async () => {
    const index = await fetch(`${server.url}/notes`, { headers: { accept: 'text/html' } });
    expect(index.status).toBe(200);
    const html = await index.text();
    const script = /<script type="module" src="(\/assets\/main\.[^"]+\.js)"><\/script>/.exec(html)?.[1];
    const style = /<link rel="stylesheet" href="(\/assets\/main\.[^"]+\.css)" \/>/.exec(html)?.[1];
    expect(script).toBeDefined();
    expect(style).toBeDefined();
    const bundle = await fetch(`${server.url}${script}`);
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('cache-control')).toContain('immutable');
    expect((await bundle.text()).length).toBeGreaterThan(10_000);
    expect((await fetch(`${server.url}${style}`)).status).toBe(200);
  });

  test('the link from the newest mail sets a new password once, signs in, and the pages send no referrer', async () => {
    const username = uniqueUsername('rita');
    const email = `${username}@example.com`;
    await server.run(['manage', 'createuser', username, '--email', email, '--password', GOOD_PASSWORD]);

    const context = await newAppContext(browser, server.url);
    const page = await context.newPage();
    await page.goto('/login');
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await waitForPath(page, '/password-reset');
    const requestPage = await page.request.get('/password-reset', { headers: { accept: 'text/html' } });
    expect(requestPage.headers()['referrer-policy']).toBe('no-referrer');

    // An unknown address gets the same answer and no mail (checked below, once
    // the known address's mail, asked for after it, has arrived).
    const before = mailFiles(server.mailDir).length;
    await page.getByLabel('Email').fill('nobody-here@example.com');
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await page.getByText(SENT).waitFor();

    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await page.getByRole('status').getByText(SENT).waitFor();
    const { link, to } = await waitForResetLink(server.mailDir, before);
    expect(to).toBe(email);
    expect(mailFiles(server.mailDir).length).toBe(before + 1);
    expect(new URL(link).origin).toBe(new URL(server.url).origin);

    const confirmPage = await page.goto(link);
    expect(confirmPage?.headers()['referrer-policy']).toBe('no-referrer');
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('Confirm new password').fill('not-the-same-password-1');
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByText('The two password fields didn’t match.').waitFor();
    await page.getByLabel('Confirm new password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Set password' }).click();
    await waitForPath(page, '/');
    await page.getByText(`Hi, ${username}`).waitFor();

    // The link is single use.
    const stranger = await newAppContext(browser, server.url);
    const again = await stranger.newPage();
    await again.goto(link);
    await again.getByText('This password reset link is invalid or has expired. Please ask for a new one.').waitFor();
    await again.getByRole('link', { name: 'Ask for a new link' }).click();
    await waitForPath(again, '/password-reset');

    // The old password is refused with the uniform message; the new one signs in.
    await again.goto('/login');
    await again.getByLabel('Username').fill(username);
    await again.getByLabel('Password').fill(GOOD_PASSWORD);
    await again.getByRole('button', { name: 'Sign in', exact: true }).click();
    await again.getByRole('alert').getByText('Please enter a correct username and password.', { exact: false }).waitFor();
    await signIn(again, username, NEW_PASSWORD);
    await stranger.close();
    await context.close();
  });
});

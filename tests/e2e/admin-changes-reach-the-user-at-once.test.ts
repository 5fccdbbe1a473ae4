import { describe, expect, test } from 'bun:test';
import { startAppAndBrowser } from './support/app-server';
import { newAppContext } from './support/browser';
import { register, signIn, uniqueUsername, waitForPath } from './support/flows';
import { saveScreenshot } from './support/screenshots';

/**
 * The admin console in two browsers: a superuser grants a permission and the
 * user's open page shows the button it allows without a reload; deactivates
 * them and their open tab is signed out at once; the audit log lists both.
 */
const { server, browser } = await startAppAndBrowser();
await server.run(['db:seed']);
const ROOT_PASSWORD = 'quartz-meadow-signal-77';
await server.run(['manage', 'createuser', 'root', '--superuser', '--email', 'root@example.com', '--password', ROOT_PASSWORD]);
await server.run(['manage', 'createuser', 'ops', '--superuser', '--password', ROOT_PASSWORD]);

describe('the admin console', () => {
  test('a permission granted and a deactivation reach the other browser at once; the audit log lists both', async () => {
    const userContext = await newAppContext(browser, server.url);
    const userPage = await userContext.newPage();
    const username = uniqueUsername('dana');
    await register(userPage, username, `${username}@example.com`);
    await userPage.goto('/notes');
    await userPage.getByLabel('Title').fill('Groceries');
    await userPage.getByRole('button', { name: 'Add note' }).click();
    await userPage.getByRole('heading', { name: 'Groceries' }).waitFor();
    expect(await userPage.getByRole('button', { name: 'Delete' }).count()).toBe(0);

    const adminContext = await newAppContext(browser, server.url);
    const admin = await adminContext.newPage();
    await signIn(admin, 'root', ROOT_PASSWORD);
    await admin.getByRole('link', { name: 'Admin' }).click();
    await waitForPath(admin, '/admin/users');
    await admin.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Users' }).waitFor();
    await admin.getByLabel('Search').fill(username);
    await admin.getByRole('link', { name: username }).waitFor();
    await admin.getByLabel('Search').fill('');
    await admin.getByRole('link', { name: username }).waitFor();
    await saveScreenshot(admin, 'admin-users');
    await admin.getByRole('link', { name: username }).click();
    await admin.getByRole('heading', { name: username }).waitFor();

    // Another admin watches the users list in a browser of their own.
    const watcherContext = await newAppContext(browser, server.url);
    const watcher = await watcherContext.newPage();
    await signIn(watcher, 'ops', ROOT_PASSWORD);
    await watcher.goto('/admin/users');
    const watchedRow = watcher.getByRole('row').filter({ hasText: username });
    await watchedRow.getByRole('cell', { name: 'Active', exact: true }).waitFor();

    // Grant: the user's Notes page shows Delete without a reload.
    await admin.getByLabel('notes.delete_note (Can delete note)').check();
    await admin.getByRole('button', { name: 'Save permissions' }).click();
    await admin.getByText('Permissions saved.').waitFor();
    await userPage.getByRole('button', { name: 'Delete' }).waitFor({ timeout: 3_000 });
    await admin.evaluate(() => window.scrollTo(0, 0));
    await saveScreenshot(admin, 'admin-user');

    // Deactivate: the user's tab is signed out at once.
    await admin.getByRole('button', { name: 'Deactivate' }).click();
    await admin.getByText('User deactivated and signed out.').waitFor();
    await waitForPath(userPage, '/login', 3_000);
    await admin.getByRole('button', { name: 'Activate' }).waitFor();
    // The other admin's list follows without a reload.
    await watchedRow.getByRole('cell', { name: 'Inactive', exact: true }).waitFor({ timeout: 3_000 });
    await watcherContext.close();

    // The audit log lists both, with the admin as the actor.
    await admin.getByRole('link', { name: 'Audit log' }).click();
    const rows = admin.getByRole('row').filter({ hasText: username });
    await rows.filter({ hasText: 'User deactivated' }).waitFor();
    await rows.filter({ hasText: 'Permissions changed' }).waitFor();
    expect(await rows.filter({ hasText: 'User deactivated' }).getByRole('cell', { name: 'root', exact: true }).count()).toBe(1);
    await saveScreenshot(admin, 'admin-audit-log');
    // Filtered by an address nobody used, nothing is left; by today's date, the rows come back.
    await admin.getByLabel('IP', { exact: true }).fill('192.0.2.1');
    await admin.getByText('No events match.').waitFor({ timeout: 3_000 });
    await admin.getByLabel('IP', { exact: true }).fill('');
    const d = new Date();
    const today = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    await admin.getByLabel('From', { exact: true }).fill(today);
    await admin.getByLabel('To', { exact: true }).fill(today);
    await rows.filter({ hasText: 'User deactivated' }).waitFor({ timeout: 3_000 });

    // A deactivated user cannot sign in again; the attempt says nothing of why.
    await userPage.getByLabel('Username', { exact: true }).fill(username);
    await userPage.getByLabel('Password', { exact: true }).fill('violet-harbour-lantern-42');
    await userPage.getByRole('button', { name: 'Sign in', exact: true }).click();
    await userPage.getByText('Please enter a correct username and password.', { exact: false }).waitFor();
    await userContext.close();
    await adminContext.close();
  });

  test('Delete user, asked twice, signs the user out at once; the audit log lists it', async () => {
    const userContext = await newAppContext(browser, server.url);
    const userPage = await userContext.newPage();
    const username = uniqueUsername('erin');
    await register(userPage, username, `${username}@example.com`);
    await userPage.goto('/notes');
    await userPage.getByLabel('Title').waitFor();

    const adminContext = await newAppContext(browser, server.url);
    const admin = await adminContext.newPage();
    await signIn(admin, 'root', ROOT_PASSWORD);
    await admin.goto('/admin/users');
    await admin.getByLabel('Search').fill(username);
    await admin.getByRole('link', { name: username }).click();
    await admin.getByRole('heading', { name: username }).waitFor();
    await admin.getByRole('button', { name: 'Delete user' }).click();
    await admin.getByRole('button', { name: `Yes, delete ${username}` }).click();
    await admin.getByText('User deleted.').waitFor();
    await waitForPath(admin, '/admin/users');
    await waitForPath(userPage, '/login', 3_000);

    await admin.getByRole('link', { name: 'Audit log' }).click();
    const deleted = admin.getByRole('row').filter({ hasText: username }).filter({ hasText: 'User deleted' });
    await deleted.waitFor();
    expect(await deleted.getByRole('cell', { name: 'root', exact: true }).count()).toBe(1);
    await userContext.close();
    await adminContext.close();
  });

  test('a user who is not staff sees no Admin link and a refusal at /admin; Settings shows their recent activity', async () => {
    const context = await newAppContext(browser, server.url);
    const page = await context.newPage();
    await signIn(page, 'bob', 'bob-demo-pass');
    expect(await page.getByRole('link', { name: 'Admin' }).count()).toBe(0);
    await page.goto('/admin/users');
    await page.getByText('Only staff members can open the admin.').waitFor();
    await page.goto('/settings');
    const activity = page.getByRole('region', { name: 'Recent security activity' });
    await activity.getByText('Signed in').first().waitFor();
    await activity.scrollIntoViewIfNeeded();
    await saveScreenshot(page, 'settings-security-activity');
    await context.close();
  });

  test('a staff user without auth.view_user is refused by the server', async () => {
    const context = await newAppContext(browser, server.url);
    const page = await context.newPage();
    await signIn(page, 'alice', 'alice-demo-pass');
    await page.getByRole('link', { name: 'Admin' }).click();
    await page.getByText('You do not have permission to do that.').first().waitFor();
    expect(await page.getByRole('link', { name: 'bob' }).count()).toBe(0);
    await context.close();
  });
});

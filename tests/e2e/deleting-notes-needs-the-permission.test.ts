import { describe, expect, test } from 'bun:test';
import type { Page } from 'playwright-core';
import { startAppAndBrowser } from './support/app-server';
import { newAppContext } from './support/browser';
import { signIn } from './support/flows';
import { socketCall } from './support/socket-call';

/**
 * `notes.delete` needs `notes.delete_note`: the page hides the button from
 * users without it, and the server refuses them even when they ask the
 * socket by hand. Demo users from `bun run db:seed`: alice may delete, bob not.
 */
const { server, browser } = await startAppAndBrowser();
await server.run(['db:seed']);

async function addNote(page: Page, title: string): Promise<number> {
  await page.getByLabel('Title').fill(title);
  await page.getByRole('button', { name: 'Add note' }).click();
  await page.getByRole('heading', { name: title }).waitFor();
  const reply = await socketCall(page, 'query', 'notes.list', {});
  const items = (reply.result?.data?.data as { items: { id: number; title: string }[] }).items;
  return items.find((note) => note.title === title)!.id;
}

describe('deleting a note', () => {
  test('a user without notes.delete_note sees no Delete button, and a hand-sent notes.delete is FORBIDDEN', async () => {
    const context = await newAppContext(browser, server.url);
    const page = await context.newPage();
    await signIn(page, 'bob', 'bob-demo-pass');
    await page.goto('/notes');
    const id = await addNote(page, 'Bob keeps this one');
    const note = page.getByRole('article').filter({ hasText: 'Bob keeps this one' });
    await note.getByRole('button', { name: 'Edit' }).waitFor();
    expect(await page.getByRole('button', { name: 'Delete' }).count()).toBe(0);

    const reply = await socketCall(page, 'mutation', 'notes.delete', { id });
    expect(reply.error?.data?.code).toBe('FORBIDDEN');
    expect(reply.result).toBeUndefined();

    await page.reload();
    await page.getByRole('heading', { name: 'Bob keeps this one' }).waitFor();
    await context.close();
  });

  test('a user with notes.delete_note deletes from the page', async () => {
    const context = await newAppContext(browser, server.url);
    const page = await context.newPage();
    await signIn(page, 'alice', 'alice-demo-pass');
    await page.getByText('Staff', { exact: true }).waitFor();
    await page.goto('/notes');
    await addNote(page, 'Alice will delete this');
    const note = page.getByRole('article').filter({ hasText: 'Alice will delete this' });
    await note.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('heading', { name: 'Alice will delete this' }).waitFor({ state: 'detached' });
    const reply = await socketCall(page, 'query', 'notes.list', {});
    expect(JSON.stringify(reply.result?.data?.data)).not.toContain('Alice will delete this');
    await context.close();
  });

  test('editing inline: Edit, then Save changes the note and Cancel leaves it', async () => {
    const context = await newAppContext(browser, server.url);
    const page = await context.newPage();
    await signIn(page, 'bob', 'bob-demo-pass');
    await page.goto('/notes');
    await addNote(page, 'Draft title');
    const note = page.getByRole('article').filter({ hasText: 'Draft title' });
    await note.getByRole('button', { name: 'Edit' }).click();
    const editor = page.getByRole('article').filter({ has: page.getByRole('button', { name: 'Save' }) });
    await editor.getByLabel('Title').fill('Final title');
    await editor.getByLabel('Content').fill('Edited in place.');
    await editor.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Final title' }).waitFor();
    await page.getByText('Edited in place.').waitFor();

    const edited = page.getByRole('article').filter({ hasText: 'Final title' });
    await edited.getByRole('button', { name: 'Edit' }).click();
    await page
      .getByRole('article')
      .filter({ has: page.getByRole('button', { name: 'Cancel' }) })
      .getByLabel('Title')
      .fill('Never saved');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('heading', { name: 'Final title' }).waitFor();
    expect(await page.getByText('Never saved').count()).toBe(0);
    await context.close();
  });
});

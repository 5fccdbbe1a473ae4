import { describe, expect, test } from 'bun:test';
import { startAppAndBrowser } from './support/app-server';
import { newAppContext } from './support/browser';
import { signIn } from './support/flows';

/**
 * A push from outside an event, in a real browser: a note added through
 * `POST /api/notes` (a script, a webhook) shows in the user's open Notes
 * tabs without a reload or an event of theirs, and in nobody else's.
 */
const { server, browser } = await startAppAndBrowser();
await server.run(['db:seed']);

describe('POST /api/notes', () => {
  test("a note added over HTTP appears at once in every open Notes tab of its owner, and in no one else's", async () => {
    const alice = await newAppContext(browser, server.url);
    const tabs = [await alice.newPage(), await alice.newPage()];
    await signIn(tabs[0]!, 'alice', 'alice-demo-pass');
    for (const tab of tabs) {
      await tab.goto('/notes');
      await tab.getByText('No notes yet. Add your first one.').waitFor();
    }
    const bob = await newAppContext(browser, server.url);
    const bobs = await bob.newPage();
    await signIn(bobs, 'bob', 'bob-demo-pass');
    await bobs.goto('/notes');
    await bobs.getByText('No notes yet. Add your first one.').waitFor();

    // From a third tab of Alice's browser: same origin, her cookie, no socket event in the Notes tabs.
    const script = await alice.newPage();
    await script.goto('/');
    const status = await script.evaluate(async () => {
      const response = await fetch('/api/notes', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'Added by a webhook', content: 'Pushed, not polled.' }),
      });
      return response.status;
    });
    expect(status).toBe(201);

    for (const tab of tabs) {
      await tab.getByRole('heading', { name: 'Added by a webhook' }).waitFor();
      await tab.getByText('Pushed, not polled.').waitFor();
    }
    // Bob's tab, read afresh after the push: none of Alice's notes.
    await bobs.reload();
    await bobs.getByText('No notes yet. Add your first one.').waitFor();
    expect(await bobs.getByText('Added by a webhook').count()).toBe(0);
    await alice.close();
    await bob.close();
  });
});

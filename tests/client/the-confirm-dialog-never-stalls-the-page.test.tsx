import { describe, expect, spyOn, test } from 'bun:test';
import type { Component } from 'solid-js';
import { render } from 'solid-js/web';
import { ConfirmIdentityDialog } from '../../client/auth';
import type { ConfirmIdentityFormProps } from '../../client/auth/confirm-identity-form';
import { AUTH_EN } from '../../client/auth/messages';
import { createStateClient, StateProvider } from '../../client/state';
import type { ClientAction } from '../../server/state/protocol';
import { waitFor } from '../helpers/wait-for';
import { fakeServerPerFile } from './mount-on-fake-server';

/**
 * The "Confirm it's you" dialog fetches its form at the first refusal, and
 * every client action (navigate, toast, a logout from another tab) queues
 * behind the refused call: however the fetch ends (the dialog unmounted
 * meanwhile, the chunk failing or never coming), the call settles as refused
 * and the queue goes on.
 */
const fake = fakeServerPerFile();
spyOn(console, 'error').mockImplementation(() => undefined);

type Form = Component<ConfirmIdentityFormProps>;

/** A form fetch the test ends when it chooses; `asked` counts the fetches. */
function deferredForm() {
  const pending: { resolve: (form: Form) => void; reject: (error: Error) => void }[] = [];
  const load = () => new Promise<Form>((resolve, reject) => pending.push({ resolve, reject }));
  return { load, pending };
}

/** A stand-in form: the refusal's methods and a Cancel. */
const StubForm: Form = (props) => (
  <div role="dialog" data-stub>
    {props.methods.join(',')}
    <button type="button" onClick={() => props.onClose(false)}>
      Cancel
    </button>
  </div>
);

function mountDialog(props: Parameters<typeof ConfirmIdentityDialog>[0]) {
  const known = new Set(fake.server.connections);
  const client = createStateClient<never, Record<string, never>>({
    url: fake.server.url,
    WebSocket: globalThis.__native.WebSocket,
    toastDurationMs: 0,
  });
  const container = document.createElement('div');
  document.body.append(container);
  const dispose = render(
    () => (
      <StateProvider client={client}>
        <ConfirmIdentityDialog {...props} />
      </StateProvider>
    ),
    container,
  );
  fake.cleanups.push(() => client.close(), dispose);
  const refuse = () => client.actions.run([{ type: 'confirmIdentity', methods: ['password'] } satisfies ClientAction]);
  const toastAfter = () => client.actions.run([{ type: 'toast', kind: 'info', message: 'after' } satisfies ClientAction]);
  const connection = () =>
    fake.server.waitFor(() =>
      fake.server.connections.find((c) => !known.has(c) && [...c.subscriptions.values()].includes('statehouse.state')),
    );
  return { client, container, dispose, refuse, toastAfter, connection };
}

describe('the Confirm it’s you dialog never stalls the page', () => {
  test('unmounted while its form loads: the refused call answers refused and the queued actions run', async () => {
    const form = deferredForm();
    const { client, dispose, refuse, toastAfter } = mountDialog({ loadForm: form.load });
    const call = refuse();
    const next = toastAfter();
    await waitFor(() => form.pending.length === 1, { what: 'the form fetch' });
    dispose();
    form.pending[0]!.resolve(StubForm);
    expect(await call).toEqual({ identityConfirmed: false });
    await next;
    expect(client.toasts.map((t) => t.message)).toContain('after');
  });

  test('a form that cannot be loaded: the call fails as refused and a toast says so', async () => {
    const form = deferredForm();
    const { client, refuse, toastAfter } = mountDialog({ loadForm: form.load });
    const call = refuse();
    const next = toastAfter();
    await waitFor(() => form.pending.length === 1, { what: 'the form fetch' });
    form.pending[0]!.reject(new Error('chunk failed'));
    expect(await call).toEqual({ identityConfirmed: false });
    await next;
    expect(client.toasts.map((t) => t.message)).toEqual([AUTH_EN.somethingWentWrong, 'after']);
  });

  test('a form that never comes: the call fails as refused after the timeout', async () => {
    const form = deferredForm();
    const { client, container, refuse } = mountDialog({ loadForm: form.load, formTimeoutMs: 50 });
    expect(await refuse()).toEqual({ identityConfirmed: false });
    expect(client.toasts.map((t) => t.message)).toEqual([AUTH_EN.somethingWentWrong]);
    // The frame shown while it loaded is gone with it.
    expect(container.querySelector('[role="dialog"]')).toBeNull();
  });

  test('a second refusal while the form loads waits its turn, then gets the form', async () => {
    const form = deferredForm();
    const { container, refuse } = mountDialog({ loadForm: form.load });
    const first = refuse();
    const second = refuse();
    await waitFor(() => form.pending.length === 1, { what: 'the form fetch' });
    form.pending[0]!.resolve(StubForm);
    // The form's Cancel, not the one of the frame shown while it loads.
    const cancel = () => [...container.querySelectorAll('[data-stub] button')].find((b) => b.textContent === 'Cancel') as HTMLElement;
    (await waitFor(cancel, { what: 'the first dialog' })).click();
    expect(await first).toEqual({ identityConfirmed: false });
    await waitFor(() => form.pending.length === 2, { what: 'the second fetch' });
    form.pending[1]!.resolve(StubForm);
    (await waitFor(cancel, { what: 'the second dialog' })).click();
    expect(await second).toEqual({ identityConfirmed: false });
  });

  test('while the form loads: the frame shows at once, Escape answers refused, and a form arriving later is not shown', async () => {
    const form = deferredForm();
    const { container, refuse, toastAfter, client } = mountDialog({ loadForm: form.load });
    const call = refuse();
    const next = toastAfter();
    const dialog = await waitFor(() => container.querySelector<HTMLElement>('[role="dialog"][aria-busy="true"]'), {
      what: 'the loading frame',
    });
    expect(dialog.textContent).toContain(AUTH_EN.loadingPage);
    dialog.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    expect(await call).toEqual({ identityConfirmed: false });
    await next;
    expect(container.querySelector('[role="dialog"]')).toBeNull();
    form.pending[0]!.resolve(StubForm);
    await Bun.sleep(0);
    expect(container.querySelector('[role="dialog"]')).toBeNull();
    // Cancelled by the user: no toast says something went wrong.
    expect(client.toasts.map((t) => t.message)).toEqual(['after']);
  });

  test('a signed-in page fetches the form while the browser is idle, before any refusal', async () => {
    const form = deferredForm();
    const { connection } = mountDialog({ loadForm: form.load });
    await Bun.sleep(50);
    expect(form.pending).toHaveLength(0);
    (await connection()).push('statehouse.state', { full: true, delta: { auth: { isAuthenticated: true } }, actions: [] });
    await waitFor(() => form.pending.length === 1, { what: 'the prefetch' });
  });
});

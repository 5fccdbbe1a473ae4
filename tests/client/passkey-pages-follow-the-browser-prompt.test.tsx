import { afterAll, afterEach, beforeAll, describe, expect, test } from 'bun:test';
import { createMemoryHistory, MemoryRouter, Route } from '@solidjs/router';
import type { JSX } from 'solid-js';
import { render } from 'solid-js/web';
import {
  ConfirmIdentityDialog,
  DEFAULT_SITE,
  LoginPage,
  PasskeyPromptError,
  PasskeySettings,
  cancelPasskeyPrompt,
} from '../../client/auth';
import { authMessagesFor } from '../../client/auth/messages';
import { promptForPasskey } from '../../client/auth/passkey-client';
import { createStateClient, type StateClient } from '../../client/state/client';
import { StateProvider } from '../../client/state/context';
import type { SliceMap } from '../../client/state/store';
import { ANONYMOUS_SNAPSHOT, type SiteSnapshot } from '../../server/state/protocol';
import { createFakeLocation, createMemoryStorage } from './browser-fakes';
import { startFakeTrpcServer, type FakeCall, type FakeReply, type FakeTrpcServer } from './fake-trpc-server';

/**
 * The passkey parts of the canned pages against a hand-driven tRPC server and
 * a stand-in for the browser's WebAuthn (`PublicKeyCredential`,
 * `navigator.credentials`): what each part asks the server, what it asks
 * the browser, and what it shows when the prompt is closed or aborted.
 */
let server: FakeTrpcServer;
let answer: (call: FakeCall) => FakeReply | undefined = () => undefined;
const cleanups: (() => unknown)[] = [];

const ok = (data: unknown): FakeReply => ({ data: { data, delta: {}, actions: [] } });
const SIGN_IN_OPTIONS = {
  challenge: 'Y2hhbGxlbmdlLWNoYWxsZW5nZS1jaGFsbGVuZ2UtMTI',
  rpId: 'app.test',
  allowCredentials: [],
  userVerification: 'required',
};

/** The default site, with sign-up and reset links off so the login page shows only sign-in parts. */
const SITE: SiteSnapshot = { ...DEFAULT_SITE, signupEnabled: false, passwordResetEnabled: false, languages: ['en', 'ar'] };

/** One call the page made to `navigator.credentials`. */
interface PromptCall {
  kind: 'get' | 'create';
  options: CredentialRequestOptions & CredentialCreationOptions & { mediation?: string };
  settle: { resolve(value: unknown): void; reject(error: unknown): void };
}

/** Installs a WebAuthn the test answers by hand; every prompt waits in `prompts` until settled. */
function installWebAuthn(conditional: boolean): PromptCall[] {
  const prompts: PromptCall[] = [];
  const ask = (kind: PromptCall['kind']) => (options: PromptCall['options']) =>
    new Promise((resolve, reject) => {
      options.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      prompts.push({ kind, options, settle: { resolve, reject } });
    });
  const g = globalThis as Record<string, unknown>;
  g.PublicKeyCredential = Object.assign(function PublicKeyCredential() {}, {
    isConditionalMediationAvailable: async () => conditional,
  });
  Object.defineProperty(navigator, 'credentials', { configurable: true, value: { get: ask('get'), create: ask('create') } });
  cleanups.push(() => {
    delete g.PublicKeyCredential;
    Object.defineProperty(navigator, 'credentials', { configurable: true, value: undefined });
  });
  return prompts;
}

/** What a browser hands back for an assertion (bytes are placeholders: the fake server checks nothing). */
function assertion(id: string) {
  const bytes = (text: string) => new TextEncoder().encode(text).buffer;
  return {
    id,
    rawId: bytes(id),
    type: 'public-key',
    authenticatorAttachment: 'platform',
    response: { clientDataJSON: bytes('{}'), authenticatorData: bytes('auth'), signature: bytes('sig'), userHandle: bytes('handle') },
    getClientExtensionResults: () => ({}),
  };
}

beforeAll(() => {
  server = startFakeTrpcServer((call) => answer(call) ?? ok(null));
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  document.body.innerHTML = '';
  server.calls.splice(0);
  answer = () => undefined;
});
afterAll(() => server.stop());

/** Renders `page` at `/login` (signed in as ada when `signedIn`), the server's first push applied. */
async function mount(page: () => JSX.Element, options: { signedIn?: boolean; language?: 'en' | 'ar' } = {}) {
  const known = new Set(server.connections);
  const client: StateClient<never, SliceMap> = createStateClient<never, SliceMap>({
    url: server.url,
    WebSocket: globalThis.__native.WebSocket,
    location: createFakeLocation('http://app.test/login', []),
    sessionStorage: createMemoryStorage('sessionStorage', []),
    localStorage: createMemoryStorage('localStorage', []),
    toastDurationMs: 0,
  });
  const history = createMemoryHistory();
  history.set({ value: '/login', replace: true });
  const container = document.createElement('div');
  document.body.append(container);
  const dispose = render(
    () => (
      <StateProvider client={client}>
        <MemoryRouter history={history}>
          <Route path="*" component={page} />
        </MemoryRouter>
      </StateProvider>
    ),
    container,
  );
  cleanups.push(() => client.close(), dispose);
  const conn = await server.waitFor(() =>
    server.connections.find((c) => !known.has(c) && [...c.subscriptions.values()].includes('statehouse.state')),
  );
  const auth = options.signedIn ? { ...ANONYMOUS_SNAPSHOT, userId: 1, username: 'ada', isAuthenticated: true } : ANONYMOUS_SNAPSHOT;
  const language = options.language ?? 'en';
  conn.push('statehouse.state', {
    full: true,
    delta: { auth, site: SITE, i18n: { language, dir: language === 'ar' ? 'rtl' : 'ltr' } },
    actions: [],
  });
  return { container, client };
}

const buttonNamed = (container: HTMLElement, name: string) =>
  [...container.querySelectorAll('button')].find((b) => b.textContent?.trim() === name || b.getAttribute('aria-label') === name);
const alertText = (container: HTMLElement) =>
  [...container.querySelectorAll('[role="alert"]')]
    .map((a) => a.textContent?.trim())
    .filter(Boolean)
    .join(' | ');
const callsTo = (path: string) => server.calls.filter((c) => c.path === path);

describe('the login page’s passkeys', () => {
  test('without WebAuthn in the browser there is no passkey button and no prompt', async () => {
    const { container } = await mount(() => <LoginPage />);
    await server.waitFor(() => container.querySelector('#sh-login-id'));
    expect(buttonNamed(container, 'Sign in with a passkey')).toBeUndefined();
    expect(container.querySelector('#sh-login-id')?.getAttribute('autocomplete')).toBe('username webauthn');
    expect(callsTo('auth.passkeySignInOptions')).toEqual([]);
  });

  test('the field’s autofill waits with a conditional request; the button aborts it, and a closed prompt says so', async () => {
    const prompts = installWebAuthn(true);
    answer = (call) => (call.path === 'auth.passkeySignInOptions' ? ok(SIGN_IN_OPTIONS) : undefined);
    const { container } = await mount(() => <LoginPage />);
    const conditional = await server.waitFor(() => prompts[0]);
    expect(conditional.options.mediation).toBe('conditional');
    expect(conditional.options.signal?.aborted).toBe(false);

    buttonNamed(container, 'Sign in with a passkey')!.click();
    const modal = await server.waitFor(() => prompts[1]);
    expect(conditional.options.signal?.aborted).toBe(true);
    expect(modal.options.mediation).toBeUndefined();
    expect(buttonNamed(container, 'Waiting for your passkey…')?.disabled).toBe(true);
    // The aborted autofill request says nothing; the closed prompt does.
    modal.settle.reject(new DOMException('The operation either timed out or was not allowed.', 'NotAllowedError'));
    await server.waitFor(() => alertText(container).includes('closed or timed out'));
    expect(alertText(container)).toBe('The passkey prompt was closed or timed out. Try again when you are ready.');
    expect(buttonNamed(container, 'Sign in with a passkey')?.disabled).toBe(false);
    expect(callsTo('auth.signInWithPasskey')).toEqual([]);
  });

  test('a picked passkey goes to auth.signInWithPasskey; the server’s refusal shows', async () => {
    const prompts = installWebAuthn(false);
    answer = (call) => {
      if (call.path === 'auth.passkeySignInOptions') return ok(SIGN_IN_OPTIONS);
      if (call.path === 'auth.signInWithPasskey')
        return { error: { message: 'That passkey was not accepted.', code: -32001, data: { code: 'UNAUTHORIZED', httpStatus: 401 } } };
      return undefined;
    };
    const { container } = await mount(() => <LoginPage />);
    await server.waitFor(() => buttonNamed(container, 'Sign in with a passkey'));
    expect(prompts).toEqual([]);
    buttonNamed(container, 'Sign in with a passkey')!.click();
    const modal = await server.waitFor(() => prompts[0]);
    expect(modal.kind).toBe('get');
    modal.settle.resolve(assertion('cred-1'));
    const [sent] = await server.waitFor(() => callsTo('auth.signInWithPasskey').length > 0 && callsTo('auth.signInWithPasskey'));
    expect((sent!.input as any).response).toMatchObject({ id: 'cred-1', type: 'public-key', response: { signature: 'c2ln' } });
    await server.waitFor(() => alertText(container) === 'That passkey was not accepted.');
  });

  test('options the server refuses leave the autofill unstarted and silent; the button then says why', async () => {
    const prompts = installWebAuthn(true);
    answer = (call) =>
      call.path === 'auth.passkeySignInOptions'
        ? {
            error: {
              message: 'Passkeys are not available on this site yet.',
              code: -32012,
              data: { code: 'PRECONDITION_FAILED', httpStatus: 412 },
            },
          }
        : undefined;
    const { container } = await mount(() => <LoginPage />);
    await server.waitFor(() => callsTo('auth.passkeySignInOptions').length === 1);
    await server.waitFor(() => buttonNamed(container, 'Sign in with a passkey'));
    expect(alertText(container)).toBe('');
    expect(prompts).toEqual([]);
    buttonNamed(container, 'Sign in with a passkey')!.click();
    await server.waitFor(() => alertText(container) === 'Passkeys are not available on this site yet.');
    expect(prompts).toEqual([]);
  });

  test('in Arabic the button and the messages are Arabic', async () => {
    installWebAuthn(false);
    const { container } = await mount(() => <LoginPage />, { language: 'ar' });
    await server.waitFor(() => buttonNamed(container, 'تسجيل الدخول بمفتاح مرور'));
  });
});

describe('cancelling a prompt', () => {
  test('a prompt cancelled before the WebAuthn library is in never reaches the browser', async () => {
    const prompts = installWebAuthn(true);
    const pending = promptForPasskey(authMessagesFor('en'), { challenge: 'Y2hhbGxlbmdl', allowCredentials: [] }, { conditional: true });
    // The login page goes away at once (its cleanup cancels), before the library has loaded.
    cancelPasskeyPrompt();
    const failure = await pending.then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(PasskeyPromptError);
    expect((failure as PasskeyPromptError).reason).toBe('aborted');
    expect(prompts).toHaveLength(0);
  });
});

describe('Settings → Passkeys', () => {
  const LIST = {
    passkeys: [
      { id: 7, name: 'Laptop', createdAt: Date.UTC(2026, 0, 2, 9, 30), lastUsedAt: null, backedUp: false },
      { id: 8, name: 'Phone', createdAt: Date.UTC(2026, 0, 3, 9, 30), lastUsedAt: Date.UTC(2026, 0, 4, 9, 30), backedUp: true },
    ],
    hasPassword: true,
    mayRemovePassword: true,
  };

  test('lists each passkey with its name, when it was added and last used, Rename and Remove', async () => {
    installWebAuthn(false);
    answer = (call) => (call.path === 'auth.passkeys' ? ok(LIST) : undefined);
    const { container } = await mount(() => <PasskeySettings />, { signedIn: true });
    await server.waitFor(() => container.querySelectorAll('.sh-passkey').length === 2);
    const rows = [...container.querySelectorAll('.sh-passkey')].map((row) => row.textContent);
    expect(rows[0]).toContain('Laptop');
    expect(rows[0]).toContain('Added Jan 2, 2026');
    expect(rows[0]).toContain('Never used');
    expect(rows[1]).toContain('Synced');
    expect(rows[1]).toContain('Last used Jan 4, 2026');
    expect(buttonNamed(container, 'Add a passkey')).toBeDefined();

    buttonNamed(container, 'Remove: Phone')!.click();
    await server.waitFor(() => callsTo('auth.removePasskey').length === 1);
    expect(callsTo('auth.removePasskey')[0]!.input).toEqual({ id: 8 });

    buttonNamed(container, 'Rename: Laptop')!.click();
    const input = await server.waitFor(() => container.querySelector<HTMLInputElement>('#sh-passkey-name-7'));
    expect(input.value).toBe('Laptop');
    input.value = 'Work laptop';
    input.dispatchEvent(new Event('input', { bubbles: true }));
    container.querySelector<HTMLFormElement>('form.sh-passkey-rename')!.requestSubmit(buttonNamed(container, 'Save'));
    await server.waitFor(() => callsTo('auth.renamePasskey').length === 1);
    expect(callsTo('auth.renamePasskey')[0]!.input).toEqual({ id: 7, name: 'Work laptop' });
  });

  test('Add a passkey runs the browser’s create prompt on the server’s options and sends the answer', async () => {
    const prompts = installWebAuthn(false);
    answer = (call) => {
      if (call.path === 'auth.passkeys') return ok({ passkeys: [], hasPassword: true, mayRemovePassword: false });
      if (call.path === 'auth.passkeyRegistrationOptions')
        return ok({
          challenge: SIGN_IN_OPTIONS.challenge,
          rp: { id: 'app.test', name: 'Test site' },
          user: { id: 'dXNlci1oYW5kbGU', name: 'ada', displayName: 'ada' },
          pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
          excludeCredentials: [],
          authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
        });
      return undefined;
    };
    const { container } = await mount(() => <PasskeySettings />, { signedIn: true });
    await server.waitFor(() => container.textContent?.includes('No passkeys yet.'));
    // No passkey: the password cannot go, and the page says why.
    expect(container.textContent).toContain('Add a passkey before you remove your password.');
    expect(buttonNamed(container, 'Remove password')?.disabled).toBe(true);

    buttonNamed(container, 'Add a passkey')!.click();
    const create = await server.waitFor(() => prompts[0]);
    expect(create.kind).toBe('create');
    expect(create.options.publicKey?.rp.id).toBe('app.test');
    // The user closes the prompt: a friendly message, nothing sent.
    create.settle.reject(new DOMException('closed', 'NotAllowedError'));
    await server.waitFor(() => alertText(container).includes('closed or timed out'));
    expect(callsTo('auth.addPasskey')).toEqual([]);
  });

  test('a user without a password is told so, and has no Remove password', async () => {
    installWebAuthn(false);
    answer = (call) => (call.path === 'auth.passkeys' ? ok({ ...LIST, hasPassword: false, mayRemovePassword: false }) : undefined);
    const { container } = await mount(() => <PasskeySettings />, { signedIn: true });
    await server.waitFor(() => container.textContent?.includes('Your account has no password: you sign in with a passkey.'));
    expect(buttonNamed(container, 'Remove password')).toBeUndefined();
  });
});

describe('Confirm it’s you with a passkey', () => {
  async function ask(methods: ('password' | 'passkey')[]) {
    const { container, client } = await mount(() => <ConfirmIdentityDialog />, { signedIn: true });
    const confirmed = client.actions.run([{ type: 'confirmIdentity', methods }]).then((outcome) => outcome.identityConfirmed);
    await server.waitFor(() => container.querySelector('[role="dialog"]'));
    return { container, confirmed };
  }

  test('with a passkey and a password: both ways are offered', async () => {
    installWebAuthn(false);
    const { container } = await ask(['password', 'passkey']);
    expect(container.querySelector('#sh-confirm-identity-password')).not.toBeNull();
    expect(buttonNamed(container, 'Confirm')).toBeDefined();
    expect(buttonNamed(container, 'Use a passkey')).toBeDefined();
  });

  test('with only a passkey: no password field; the passkey confirms and the dialog answers true', async () => {
    const prompts = installWebAuthn(false);
    answer = (call) => {
      if (call.path === 'auth.passkeyConfirmOptions')
        return ok({ ...SIGN_IN_OPTIONS, allowCredentials: [{ id: 'cred-1', type: 'public-key' }] });
      if (call.path === 'auth.confirmIdentityWithPasskey') return ok({ confirmed: true });
      return undefined;
    };
    const { container, confirmed } = await ask(['passkey']);
    expect(container.querySelector('#sh-confirm-identity-password')).toBeNull();
    expect(container.textContent).toContain('Use one of your passkeys to continue.');
    buttonNamed(container, 'Use a passkey')!.click();
    const get = await server.waitFor(() => prompts[0]);
    expect(get.options.publicKey?.allowCredentials?.length).toBe(1);
    get.settle.resolve(assertion('cred-1'));
    expect(await confirmed).toBe(true);
    expect((callsTo('auth.confirmIdentityWithPasskey')[0]!.input as any).response.id).toBe('cred-1');
  });
});

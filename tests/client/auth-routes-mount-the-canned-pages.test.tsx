import { afterAll, afterEach, beforeAll, describe, expect, test } from 'bun:test';
import { createMemoryHistory, MemoryRouter, Route } from '@solidjs/router';
import type { JSX } from 'solid-js';
import { render } from 'solid-js/web';
import { AuthRoutes, type AuthHeaderProps, type AuthRoutesProps } from '../../client/auth';
import { createStateClient } from '../../client/state/client';
import { StateProvider } from '../../client/state/context';
import type { SliceMap } from '../../client/state/store';
import { ANONYMOUS_SNAPSHOT, type AuthSnapshot, type SiteSnapshot } from '../../server/state/protocol';
import { createFakeLocation, createMemoryStorage, type EventLog } from './browser-fakes';
import { startFakeTrpcServer, type FakeCall, type FakeReply, type FakeTrpcServer } from './fake-trpc-server';

/** `<AuthRoutes />` mounts the canned pages at the site slice's URLs, with its texts and parts. */
let server: FakeTrpcServer;
let answer: (call: FakeCall) => FakeReply = () => ({ data: { data: null, delta: {}, actions: [] } });
const cleanups: (() => unknown)[] = [];

const SITE: SiteSnapshot = {
  siteName: 'Test site',
  loginUrl: '/login',
  signupUrl: '/register',
  passwordResetUrl: '/password-reset',
  loginRedirectUrl: '/home',
  signupEnabled: true,
  passwordResetEnabled: true,
  loginFields: ['username'],
  oauthProviders: [],
  magicLinkEnabled: false,
  messages: {},
  languages: ['en'],
};

beforeAll(() => {
  server = startFakeTrpcServer((call) => answer(call));
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  document.body.innerHTML = '';
  answer = () => ({ data: { data: null, delta: {}, actions: [] } });
});
afterAll(() => server.stop());

async function mount(
  start: string,
  site: Partial<SiteSnapshot> = {},
  props: AuthRoutesProps = {},
  auth: AuthSnapshot = ANONYMOUS_SNAPSHOT,
) {
  const log: EventLog = [];
  const known = new Set(server.connections);
  const client = createStateClient<never, SliceMap>({
    url: server.url,
    WebSocket: globalThis.__native.WebSocket,
    location: createFakeLocation(`http://app.test${start}`, log),
    sessionStorage: createMemoryStorage('sessionStorage', log),
    localStorage: createMemoryStorage('localStorage', log),
    toastDurationMs: 0,
  });
  const history = createMemoryHistory();
  history.set({ value: start, replace: true });
  const container = document.createElement('div');
  document.body.append(container);
  const routes = (): JSX.Element => (
    <>
      <Route path="/home" component={() => <p data-testid="home">home</p>} />
      <AuthRoutes {...props} />
      <Route path="*404" component={() => <p data-testid="missing">missing</p>} />
    </>
  );
  const dispose = render(
    () => (
      <StateProvider client={client}>
        <MemoryRouter history={history}>{routes()}</MemoryRouter>
      </StateProvider>
    ),
    container,
  );
  cleanups.push(() => client.close(), dispose);
  const conn = await server.waitFor(() =>
    server.connections.find((c) => !known.has(c) && [...c.subscriptions.values()].includes('statehouse.state')),
  );
  conn.push('statehouse.state', {
    full: true,
    delta: { auth, site: { ...SITE, ...site }, i18n: { language: 'en', dir: 'ltr' } },
    actions: [],
  });
  return { container, history };
}

const heading = (container: HTMLElement): string | null | undefined => container.querySelector('h1')?.textContent;
const labels = (container: HTMLElement): string[] => [...container.querySelectorAll('label')].map((label) => label.textContent ?? '');
const button = (container: HTMLElement): HTMLButtonElement | null => container.querySelector('button[type="submit"]');

/** Types a login id and a password into the login form and submits it. */
function signIn(container: HTMLElement): void {
  const input = (id: string): HTMLInputElement => container.querySelector<HTMLInputElement>(`#${id}`)!;
  input('sh-login-id').value = 'ada';
  input('sh-login-id').dispatchEvent(new Event('input', { bubbles: true }));
  input('sh-login-password').value = 'whatever-it-is';
  input('sh-login-password').dispatchEvent(new Event('input', { bubbles: true }));
  button(container)!.click();
}

describe('<AuthRoutes />', () => {
  test('mounts login, register, reset request and reset confirm at their default URLs', async () => {
    const login = await mount('/login');
    await server.waitFor(() => heading(login.container) === 'Sign in');
    expect(labels(login.container)).toEqual(['Username', 'Password']);
    expect(button(login.container)?.textContent).toBe('Sign in');
    expect([...login.container.querySelectorAll('a')].map((a) => a.textContent)).toEqual(['Forgot your password?', 'Create an account']);

    const register = await mount('/register');
    await server.waitFor(() => heading(register.container) === 'Create an account');
    expect(labels(register.container)).toEqual(['Username', 'Email', 'Password', 'Confirm password']);
    expect(button(register.container)?.textContent).toBe('Create account');

    const reset = await mount('/password-reset');
    await server.waitFor(() => heading(reset.container) === 'Reset your password');
    expect(labels(reset.container)).toEqual(['Email']);
    expect(button(reset.container)?.textContent).toBe('Send reset link');

    answer = (call) => ({ data: { data: { valid: call.path === 'auth.checkPasswordResetToken' }, delta: {}, actions: [] } });
    const confirm = await mount('/password-reset/some-token');
    await server.waitFor(() => labels(confirm.container).length === 2);
    expect(labels(confirm.container)).toEqual(['New password', 'Confirm new password']);
    expect(button(confirm.container)?.textContent).toBe('Set password');
  });

  test('follows the site slice: other URLs, the login field, disabled pages left out', async () => {
    const site = {
      loginUrl: '/signin',
      loginFields: ['username', 'email'] as SiteSnapshot['loginFields'],
      signupEnabled: false,
      passwordResetEnabled: false,
    };
    const login = await mount('/signin', site);
    await server.waitFor(() => heading(login.container) === 'Sign in');
    expect(labels(login.container)).toEqual(['Username or email', 'Password']);
    expect(login.container.querySelectorAll('.sh-auth-links a').length).toBe(0);

    const register = await mount('/register', site);
    await server.waitFor(() => register.container.querySelector('[data-testid="missing"]'));
    const reset = await mount('/password-reset', site);
    await server.waitFor(() => reset.container.querySelector('[data-testid="missing"]'));
  });

  test('texts follow auth.messages, then the messages prop; parts can be replaced', async () => {
    const Header = (props: AuthHeaderProps): JSX.Element => <p data-testid="brand">Welcome to {props.siteName}</p>;
    const { container } = await mount(
      '/login',
      { messages: { signIn: 'Log in', password: 'Passphrase', 'ar.password': 'ignored in English' } },
      { messages: { password: 'Secret phrase' }, components: { Header } },
    );
    await server.waitFor(() => heading(container) === 'Log in');
    expect(labels(container)).toEqual(['Username', 'Secret phrase']);
    expect(button(container)?.textContent).toBe('Log in');
    expect(container.querySelector('[data-testid="brand"]')?.textContent).toBe('Welcome to Test site');
  });

  test('a signed-in visitor of the login page goes to a safe ?next=, else loginRedirectUrl', async () => {
    const ada = { ...ANONYMOUS_SNAPSHOT, userId: 1, username: 'ada', isAuthenticated: true };
    const plain = await mount('/login', {}, {}, ada);
    await server.waitFor(() => plain.container.querySelector('[data-testid="home"]'));
    expect(plain.history.get()).toBe('/home');

    const hostile = await mount('/login?next=%2F%2Fevil.example', {}, {}, ada);
    await server.waitFor(() => hostile.history.get() === '/home');
  });
});

describe('the login form', () => {
  test('TOO_MANY_REQUESTS says how long to wait, in the alert region', async () => {
    answer = () => ({
      error: {
        message: 'Too many attempts. Try again later.',
        code: -32029,
        data: { code: 'TOO_MANY_REQUESTS', httpStatus: 429, statehouse: { delta: {}, actions: [], retryAfter: 42 } },
      },
    });
    const { container } = await mount('/login');
    await server.waitFor(() => button(container));
    signIn(container);
    expect(button(container)?.getAttribute('aria-busy')).toBe('true');
    expect(button(container)?.textContent).toBe('Signing in…');
    await server.waitFor(() => container.querySelector('[role="alert"]')?.textContent === 'Too many attempts. Try again in 42 seconds.');
    expect(button(container)?.disabled).toBe(false);
    expect(document.activeElement?.getAttribute('role')).toBe('alert');
  });

  test('a busy server (SERVICE_UNAVAILABLE with retryAfter) says how long to wait, in the language of the page', async () => {
    answer = () => ({
      error: {
        message: 'The server is busy. Please try again in a moment.',
        code: -32603,
        data: { code: 'SERVICE_UNAVAILABLE', httpStatus: 503, statehouse: { delta: {}, actions: [], retryAfter: 2 } },
      },
    });
    const { container } = await mount('/login');
    await server.waitFor(() => button(container));
    signIn(container);
    await server.waitFor(() => container.querySelector('[role="alert"]')?.textContent === 'The server is busy. Try again in 2 seconds.');
    expect(button(container)?.disabled).toBe(false);
  });

  test('server field errors land on their fields, tied with aria-describedby', async () => {
    answer = () => ({
      error: {
        message: 'Please correct the errors below.',
        code: -32600,
        data: {
          code: 'BAD_REQUEST',
          statehouse: {
            delta: {},
            actions: [],
            fieldErrors: [{ field: 'username', code: 'username_taken', message: 'A user with that username already exists.' }],
          },
        },
      },
    });
    const { container } = await mount('/register');
    await server.waitFor(() => button(container));
    for (const [id, value] of [
      ['sh-register-username', 'ada'],
      ['sh-register-password', 'long-enough-pass'],
      ['sh-register-confirm-password', 'long-enough-pass'],
    ]) {
      const input = container.querySelector<HTMLInputElement>(`#${id}`)!;
      input.value = value!;
      input.dispatchEvent(new Event('input', { bubbles: true }));
    }
    button(container)!.click();
    const username = await server.waitFor(() => container.querySelector('#sh-register-username[aria-invalid="true"]'));
    expect(username.getAttribute('aria-describedby')).toBe('sh-register-username-error');
    expect(container.querySelector('#sh-register-username-error')?.textContent).toBe('A user with that username already exists.');
    expect(document.activeElement).toBe(username);
  });

  test("the app's own sign-up fields show after Statehouse's, travel as fields, and get their errors", async () => {
    const calls: FakeCall[] = [];
    answer = (call) => {
      calls.push(call);
      return {
        error: {
          message: 'Please correct the errors below.',
          code: -32600,
          data: {
            code: 'BAD_REQUEST',
            statehouse: {
              delta: {},
              actions: [],
              fieldErrors: [{ field: 'displayName', code: 'too_big', message: 'Use at most 50 characters.' }],
            },
          },
        },
      };
    };
    const { container } = await mount(
      '/register',
      {},
      { registerFields: [{ name: 'displayName', label: 'Display name', hint: 'Optional.' }] },
    );
    await server.waitFor(() => button(container));
    expect(labels(container)).toEqual(['Username', 'Email', 'Password', 'Confirm password', 'Display name']);
    for (const [id, value] of [
      ['sh-register-username', 'ada'],
      ['sh-register-password', 'long-enough-pass'],
      ['sh-register-confirm-password', 'long-enough-pass'],
      ['sh-register-displayName', '  Ada L.  '],
    ]) {
      const input = container.querySelector<HTMLInputElement>(`#${id}`)!;
      input.value = value!;
      input.dispatchEvent(new Event('input', { bubbles: true }));
    }
    button(container)!.click();
    const field = await server.waitFor(() => container.querySelector('#sh-register-displayName[aria-invalid="true"]'));
    expect(container.querySelector('#sh-register-displayName-error')?.textContent).toBe('Use at most 50 characters.');
    expect(field).toBeTruthy();
    const register = calls.find((call) => call.path === 'auth.register');
    expect((register?.input as { fields?: unknown }).fields).toEqual({ displayName: 'Ada L.' });
  });
});

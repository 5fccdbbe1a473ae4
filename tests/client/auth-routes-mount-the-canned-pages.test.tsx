import { afterAll, afterEach, beforeAll, describe, expect, test } from 'bun:test';
import { Route } from '@solidjs/router';
import type { JSX } from 'solid-js';
import { AuthRoutes, DEFAULT_SITE, type AuthHeaderProps, type AuthRoutesProps } from '../../client/auth';
import { mountOnFakeServer } from './mount-on-fake-server';
import { ANONYMOUS_SNAPSHOT, type AuthSnapshot, type SiteSnapshot } from '../../server/state/protocol';
import { startFakeTrpcServer, type FakeCall, type FakeReply, type FakeTrpcServer } from './fake-trpc-server';

/** `<AuthRoutes />` mounts the canned pages at the site slice's URLs, with its texts and parts. */
let server: FakeTrpcServer;
let answer: (call: FakeCall) => FakeReply = () => ({ data: { data: null, delta: {}, actions: [] } });
const cleanups: (() => unknown)[] = [];

const SITE: SiteSnapshot = { ...DEFAULT_SITE, siteName: 'Test site', loginRedirectUrl: '/home' };

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
  const routes = (): JSX.Element => (
    <>
      <Route path="/home" component={() => <p data-testid="home">home</p>} />
      <AuthRoutes {...props} />
      <Route path="*404" component={() => <p data-testid="missing">missing</p>} />
    </>
  );
  const { container, history, connection } = mountOnFakeServer(server, routes, start, cleanups);
  const conn = await connection();
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

/** Types each value into the field with that id, as a user would, and submits the form. */
function fillAndSubmit(container: HTMLElement, values: readonly (readonly [id: string, value: string])[]): void {
  for (const [id, value] of values) {
    const input = container.querySelector<HTMLInputElement>(`#${id}`)!;
    input.value = value;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }
  button(container)!.click();
}

/** Types a login id and a password into the login form and submits it. */
function signIn(container: HTMLElement): void {
  fillAndSubmit(container, [
    ['sh-login-id', 'ada'],
    ['sh-login-password', 'whatever-it-is'],
  ]);
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
    fillAndSubmit(container, [
      ['sh-register-username', 'ada'],
      ['sh-register-password', 'long-enough-pass'],
      ['sh-register-confirm-password', 'long-enough-pass'],
    ]);
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
    fillAndSubmit(container, [
      ['sh-register-username', 'ada'],
      ['sh-register-password', 'long-enough-pass'],
      ['sh-register-confirm-password', 'long-enough-pass'],
      ['sh-register-displayName', '  Ada L.  '],
    ]);
    const field = await server.waitFor(() => container.querySelector('#sh-register-displayName[aria-invalid="true"]'));
    expect(container.querySelector('#sh-register-displayName-error')?.textContent).toBe('Use at most 50 characters.');
    expect(field).toBeTruthy();
    const register = calls.find((call) => call.path === 'auth.register');
    expect((register?.input as { fields?: unknown }).fields).toEqual({ displayName: 'Ada L.' });
  });
});

describe('other ways to sign in on the login page', () => {
  const links = (container: HTMLElement): { text: string | null; href: string | null; rel: string | null }[] =>
    [...container.querySelectorAll('.sh-providers a')].map((a) => ({
      text: a.textContent,
      href: a.getAttribute('href'),
      rel: a.getAttribute('rel'),
    }));

  test('none configured: no provider button, no link form', async () => {
    const { container } = await mount('/login');
    await server.waitFor(() => heading(container) === 'Sign in');
    expect(links(container)).toEqual([]);
    expect(container.querySelector('.sh-sign-in-link')).toBeNull();
  });

  test('Continue with <Provider name> for each configured provider: full-page links that keep ?next= (the server makes it safe)', async () => {
    const site = {
      oauthProviders: [
        { id: 'github', label: 'GitHub' },
        { id: 'acme', label: 'Acme SSO' },
      ],
    };
    const { container } = await mount('/login?next=%2Fnotes', site);
    await server.waitFor(() => links(container).length === 2);
    expect(links(container)).toEqual([
      { text: 'Continue with GitHub', href: '/auth/oauth/github?next=%2Fnotes', rel: 'external' },
      { text: 'Continue with Acme SSO', href: '/auth/oauth/acme?next=%2Fnotes', rel: 'external' },
    ]);
  });

  test('Email me a sign-in link asks the server and says the same whatever the address', async () => {
    const calls: FakeCall[] = [];
    answer = (call) => {
      calls.push(call);
      return { data: { data: { sent: true }, delta: {}, actions: [] } };
    };
    const { container } = await mount('/login', { magicLinkEnabled: true });
    const form = await server.waitFor(() => container.querySelector<HTMLFormElement>('.sh-sign-in-link'));
    const email = form.querySelector<HTMLInputElement>('#sh-link-email')!;
    email.value = 'ada@example.com';
    email.dispatchEvent(new Event('input', { bubbles: true }));
    form.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    await server.waitFor(() => container.querySelector('.sh-sign-in-link .sh-notice'));
    expect(form.querySelector('button[type="submit"]')?.textContent).toBe('Email me a sign-in link');
    expect(container.querySelector('.sh-sign-in-link .sh-notice')?.textContent).toContain('If an account has this address');
    expect(calls.map((c) => [c.path, c.input])).toContainEqual(['auth.requestSignInLink', { email: 'ada@example.com' }]);
  });

  test('a refused provider sign-in or link says why (?error=), and an unknown code says nothing', async () => {
    const refused = await mount('/login?error=oauth_account_exists');
    await server.waitFor(() => refused.container.querySelector('.sh-alert-shown'));
    expect(refused.container.querySelector('.sh-alert-shown')?.textContent).toContain('An account already uses this address.');
    const unknown = await mount('/login?error=toString');
    await server.waitFor(() => heading(unknown.container) === 'Sign in');
    expect(unknown.container.querySelector('.sh-alert-shown')).toBeNull();
  });
});

import { afterAll, afterEach, beforeAll, describe, expect, test } from 'bun:test';
import { Route } from '@solidjs/router';
import type { JSX } from 'solid-js';
import { AuthRoutes, DEFAULT_SITE, RequireTwoFactor, TwoFactorSettings } from '../../client/auth';
import { ANONYMOUS_SNAPSHOT, type SiteSnapshot } from '../../server/state/protocol';
import { mountOnFakeServer } from './mount-on-fake-server';
import { startFakeTrpcServer, type FakeCall, type FakeReply, type FakeTrpcServer } from './fake-trpc-server';

/** The two-factor pages: the second step of a sign-in, and Settings → Security. */
let server: FakeTrpcServer;
let answer: (call: FakeCall) => FakeReply = () => ok(null);
let calls: FakeCall[] = [];
const cleanups: (() => unknown)[] = [];

const SITE: SiteSnapshot = { ...DEFAULT_SITE, siteName: 'Test site', loginRedirectUrl: '/home', languages: ['en', 'ar'] };

function ok(data: unknown, actions: unknown[] = []): FakeReply {
  return { data: { data, delta: {}, actions } };
}

function fieldError(field: string, message: string): FakeReply {
  return {
    error: {
      message: 'Please correct the errors below.',
      code: -32600,
      data: { code: 'BAD_REQUEST', statehouse: { delta: {}, actions: [], fieldErrors: [{ field, code: 'code_incorrect', message }] } },
    },
  };
}

beforeAll(() => {
  server = startFakeTrpcServer((call) => {
    calls.push(call);
    return answer(call);
  });
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  document.body.innerHTML = '';
  answer = () => ok(null);
  calls = [];
});
afterAll(() => server.stop());

/** The pages at `start` under a state client on the fake server, once its first push (site, `auth`, language) arrived. */
async function mount(start: string, language: 'en' | 'ar' = 'en', page: (() => JSX.Element) | null = null, auth = ANONYMOUS_SNAPSHOT) {
  const routes = (): JSX.Element => (
    <>
      <Route path="/settings" component={() => <TwoFactorSettings />} />
      <Route path="/payouts" component={page ?? (() => null)} />
      <AuthRoutes />
    </>
  );
  const { container, history, connection } = mountOnFakeServer(server, routes, start, cleanups);
  (await connection()).push('statehouse.state', {
    full: true,
    delta: { auth, site: SITE, i18n: { language, dir: language === 'ar' ? 'rtl' : 'ltr' } },
    actions: [],
  });
  return { container, history };
}

const text = (container: HTMLElement, selector: string): string[] =>
  [...container.querySelectorAll(selector)].map((element) => element.textContent ?? '');

function type(container: HTMLElement, id: string, value: string): void {
  const input = container.querySelector<HTMLInputElement>(`#${id}`)!;
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true }));
}

function linkNamed(container: HTMLElement, name: string): HTMLAnchorElement {
  return [...container.querySelectorAll('a')].find((a) => a.textContent === name)!;
}

describe('the Two-factor authentication page', () => {
  test('asks for the authentication code; a wrong one is a field error; Verify sends code and trust choice', async () => {
    answer = (call) => {
      if (call.path === 'auth.secondStep') return ok({ pending: true, trustDeviceOffered: true });
      const input = call.input as { code?: string };
      return input.code === '123456' ? ok({ username: 'ada' }) : fieldError('code', 'That code is not valid.');
    };
    const { container } = await mount('/two-factor?next=%2Fnotes');
    await server.waitFor(() => container.querySelector('button[type="submit"]'));
    expect(container.querySelector('h1')?.textContent).toBe('Two-factor authentication');
    expect(text(container, 'form label')).toEqual(['Authentication code', ' Trust this device for 30 days']);
    expect(container.querySelector('button[type="submit"]')?.textContent).toBe('Verify');
    expect(container.querySelector('#sh-two-factor-code')?.getAttribute('autocomplete')).toBe('one-time-code');
    type(container, 'sh-two-factor-code', '000000');
    container.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    await server.waitFor(() => container.querySelector('#sh-two-factor-code-error')?.textContent === 'That code is not valid.');
    expect(container.querySelector('#sh-two-factor-code')?.getAttribute('aria-invalid')).toBe('true');
    type(container, 'sh-two-factor-code', '123456');
    container.querySelector<HTMLInputElement>('input[type="checkbox"]')!.click();
    container.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    await server.waitFor(() => calls.filter((c) => c.path === 'auth.verifySecondFactor').length === 2);
    expect(calls.at(-1)?.input).toEqual({ code: '123456', trustDevice: true });
  });

  test('Use a recovery code switches to the Recovery code field', async () => {
    answer = (call) => (call.path === 'auth.secondStep' ? ok({ pending: true, trustDeviceOffered: false }) : ok({ username: 'ada' }));
    const { container } = await mount('/two-factor');
    await server.waitFor(() => container.querySelector('#sh-two-factor-code'));
    expect(text(container, 'form label')).toEqual(['Authentication code']);
    linkNamed(container, 'Use a recovery code').click();
    await server.waitFor(() => container.querySelector('#sh-two-factor-recovery-code'));
    expect(text(container, 'form label')).toEqual(['Recovery code']);
    type(container, 'sh-two-factor-recovery-code', 'abcde-fghij');
    container.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    await server.waitFor(() => calls.some((c) => c.path === 'auth.verifySecondFactor'));
    expect(calls.find((c) => c.path === 'auth.verifySecondFactor')?.input).toEqual({ recoveryCode: 'abcde-fghij', trustDevice: false });
    expect(linkNamed(container, 'Use a code from your authenticator app')).toBeTruthy();
  });

  test('Use a passkey, when the user holds one, answers the step with the browser’s passkey prompt', async () => {
    const asked: CredentialRequestOptions[] = [];
    const g = globalThis as Record<string, unknown>;
    g.PublicKeyCredential = Object.assign(function PublicKeyCredential() {}, { isConditionalMediationAvailable: async () => false });
    const bytes = (text: string) => new TextEncoder().encode(text).buffer;
    const get = async (options: CredentialRequestOptions) => {
      asked.push(options);
      return {
        id: 'cred-1',
        rawId: bytes('cred-1'),
        type: 'public-key',
        authenticatorAttachment: 'cross-platform',
        response: { clientDataJSON: bytes('{}'), authenticatorData: bytes('auth'), signature: bytes('sig'), userHandle: null },
        getClientExtensionResults: () => ({}),
      };
    };
    Object.defineProperty(navigator, 'credentials', { configurable: true, value: { get } });
    cleanups.push(() => {
      delete g.PublicKeyCredential;
      Object.defineProperty(navigator, 'credentials', { configurable: true, value: undefined });
    });
    answer = (call) => {
      if (call.path === 'auth.secondStep') return ok({ pending: true, trustDeviceOffered: true, passkey: true });
      if (call.path === 'auth.secondStepPasskeyOptions')
        return ok({ challenge: 'Y2hhbGxlbmdl', rpId: 'app.test', allowCredentials: [{ id: 'Y3JlZC0x', type: 'public-key' }] });
      return ok({ username: 'ada' });
    };
    const { container } = await mount('/two-factor');
    await server.waitFor(() => buttonNamed(container, 'Use a passkey'));
    container.querySelector<HTMLInputElement>('input[type="checkbox"]')!.click();
    buttonNamed(container, 'Use a passkey')!.click();
    await server.waitFor(() => calls.some((c) => c.path === 'auth.verifySecondFactorWithPasskey'));
    expect(asked).toHaveLength(1);
    const sent = calls.find((c) => c.path === 'auth.verifySecondFactorWithPasskey')?.input as {
      response: { id: string };
      trustDevice: boolean;
    };
    expect(sent.response.id).toBe('cred-1');
    expect(sent.trustDevice).toBe(true);
  });

  test('no Use a passkey for a user without one', async () => {
    answer = () => ok({ pending: true, trustDeviceOffered: false, passkey: false });
    const { container } = await mount('/two-factor');
    await server.waitFor(() => container.querySelector('#sh-two-factor-code'));
    expect(buttonNamed(container, 'Use a passkey')).toBeUndefined();
  });

  test('without a pending second step it says so and links back to sign in, next kept', async () => {
    answer = () => ok({ pending: false, trustDeviceOffered: true });
    const { container } = await mount('/two-factor?next=%2Fnotes');
    await server.waitFor(() => container.querySelector('[role="alert"]'));
    expect(container.querySelector('[role="alert"]')?.textContent).toBe('Your sign-in took too long. Please sign in again.');
    expect(linkNamed(container, 'Back to sign in').getAttribute('href')).toBe('/login?next=%2Fnotes');
    expect(container.querySelector('form')).toBeNull();
  });

  test('in Arabic', async () => {
    answer = () => ok({ pending: true, trustDeviceOffered: false });
    const { container } = await mount('/two-factor', 'ar');
    await server.waitFor(() => container.querySelector('h1')?.textContent === 'المصادقة الثنائية');
    expect(text(container, 'form label')).toContain('رمز المصادقة');
    expect(container.querySelector('button[type="submit"]')?.textContent).toBe('تحقّق');
  });
});

describe('Settings → Security', () => {
  test('Set up authenticator app shows a QR code and the Setup key; Turn on two-factor shows the recovery codes once', async () => {
    let enabled = false;
    const codes = Array.from({ length: 10 }, (_, i) => `aaaa${i}-bbbbb`);
    answer = (call) => {
      if (call.path === 'auth.twoFactorStatus') return ok({ available: true, enabled, recoveryCodesLeft: enabled ? 10 : 0 });
      if (call.path === 'auth.beginTwoFactorSetup')
        return ok({ setupKey: 'ABCD EFGH IJKL MNOP', uri: 'otpauth://totp/Test:ada?secret=ABCDEFGHIJKLMNOP' });
      if (call.path === 'auth.enableTwoFactor') {
        enabled = true;
        return ok({ recoveryCodes: codes });
      }
      return ok(null);
    };
    const { container } = await mount('/settings');
    await server.waitFor(() => container.querySelector('h2')?.textContent === 'Security');
    const setUp = [...container.querySelectorAll('button')].find((b) => b.textContent === 'Set up authenticator app')!;
    setUp.click();
    await server.waitFor(() => container.querySelector('.sh-setup-key'));
    expect(container.querySelector('.sh-setup-key')?.textContent).toBe('ABCD EFGH IJKL MNOP');
    expect(text(container, 'dt')).toEqual(['Setup key']);
    const qr = container.querySelector('svg[role="img"]')!;
    expect(qr.getAttribute('aria-label')).toBe('QR code for your authenticator app');
    expect(qr.querySelector('path')?.getAttribute('d')).toMatch(/^M4 4h1v1h-1z/);
    expect(text(container, 'form label')).toEqual(['Authentication code']);
    type(container, 'sh-two-factor-setup-code', '123456');
    const turnOn = container.querySelector<HTMLButtonElement>('button[type="submit"]')!;
    expect(turnOn.textContent).toBe('Turn on two-factor');
    turnOn.click();
    await server.waitFor(() => container.querySelectorAll('.sh-recovery-codes li').length === 10);
    expect(text(container, '.sh-recovery-codes li')).toEqual(codes);
    expect(text(container, 'button')).toEqual(['Download', 'Done']);
    [...container.querySelectorAll('button')].find((b) => b.textContent === 'Done')!.click();
    await server.waitFor(() => text(container, 'button').includes('Regenerate'));
    expect(text(container, 'button')).toEqual(['Regenerate', 'Turn off two-factor']);
    expect(container.textContent).not.toContain(codes[0]!);
    expect(container.textContent).toContain('Recovery codes left: 10.');
  });

  test('nothing shows when the server does not offer two-factor', async () => {
    answer = () => ok({ available: false, enabled: false, recoveryCodesLeft: 0 });
    const { container } = await mount('/settings');
    await server.waitFor(() => calls.some((c) => c.path === 'auth.twoFactorStatus'));
    await Bun.sleep(0);
    expect(container.querySelector('section')).toBeNull();
  });
});

describe('<RequireTwoFactor>', () => {
  async function mountGuard(enabled: boolean) {
    answer = (call) => (call.path === 'auth.twoFactorStatus' ? ok({ available: true, enabled, recoveryCodesLeft: 0 }) : ok(null));
    const ada = { ...ANONYMOUS_SNAPSHOT, userId: 1, username: 'ada', isAuthenticated: true };
    const guarded = () => (
      <RequireTwoFactor>
        <p data-testid="secret">payouts</p>
      </RequireTwoFactor>
    );
    return (await mount('/payouts', 'en', guarded, ada)).container;
  }

  test('renders its children for a user with two-factor on', async () => {
    const container = await mountGuard(true);
    await server.waitFor(() => container.querySelector('[data-testid="secret"]'));
  });

  test('refuses a user without it, saying what to do', async () => {
    const container = await mountGuard(false);
    await server.waitFor(() => container.textContent === 'Turn on two-factor authentication to continue.');
    expect(container.querySelector('[data-testid="secret"]')).toBeNull();
  });
});

function buttonNamed(container: HTMLElement, name: string): HTMLButtonElement | undefined {
  return [...container.querySelectorAll('button')].find((b) => b.textContent === name);
}

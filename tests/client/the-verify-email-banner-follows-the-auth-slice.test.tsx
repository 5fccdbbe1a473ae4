import { describe, expect, test } from 'bun:test';
import { Route } from '@solidjs/router';
import { VerifyEmailBanner } from '../../client/auth';
import { useAuth } from '../../client/state';
import { ANONYMOUS_SNAPSHOT } from '../../server/state/protocol';
import { eventually } from '../helpers/wait-for';
import { fakeServerPerFile, mountOnFakeServer } from './mount-on-fake-server';

/** The banner follows the `auth` slice: an unverified signed-in user sees it, until the address is verified. */
const fake = fakeServerPerFile();

const SITE = { siteName: 'Test site', loginUrl: '/login', messages: {}, languages: ['en'], emailVerification: 'optional' };
const ALICE = { ...ANONYMOUS_SNAPSHOT, userId: 2, username: 'alice', isAuthenticated: true };

async function mount(auth: typeof ALICE, site = SITE) {
  const mounted = mountOnFakeServer(
    fake.server,
    () => (
      <Route
        path="/"
        component={() => (
          <>
            {/* Says the push is applied: the banner, if due, would be up by then. */}
            <p id="ready">{useAuth().username}</p>
            <VerifyEmailBanner />
          </>
        )}
      />
    ),
    '/',
    fake.cleanups,
  );
  (await mounted.connection()).push('statehouse.state', {
    full: true,
    delta: { auth, site, i18n: { language: 'en', dir: 'ltr' } },
    actions: [],
  });
  return mounted;
}

describe('VerifyEmailBanner', () => {
  test('appears, with its resend button, for a signed-in user whose address is not verified', async () => {
    const { container } = await mount({ ...ALICE, emailVerified: false });
    await eventually(() => expect(container.querySelector('#sh-verify-banner-title')?.textContent).toBe('Verify your email address'));
    expect(container.querySelector('.sh-verify-banner button')?.textContent).toBe('Resend verification email');
  });

  test('goes once the address is verified', async () => {
    const { container, connection } = await mount({ ...ALICE, emailVerified: false });
    await eventually(() => expect(container.querySelector('.sh-verify-banner')).not.toBeNull());
    (await connection()).push('statehouse.state', {
      full: true,
      delta: { auth: { ...ALICE, emailVerified: true }, site: SITE, i18n: { language: 'en', dir: 'ltr' } },
      actions: [],
    });
    await eventually(() => expect(container.querySelector('.sh-verify-banner')).toBeNull());
  });

  test('never shows while verification is off, nor to a verified user', async () => {
    for (const [auth, site] of [
      [
        { ...ALICE, emailVerified: false },
        { ...SITE, emailVerification: 'off' },
      ],
      [{ ...ALICE, emailVerified: true }, SITE],
    ] as const) {
      const { container } = await mount(auth, site);
      await eventually(() => expect(container.querySelector('#ready')?.textContent).toBe('alice'));
      expect(container.querySelector('.sh-verify-banner')).toBeNull();
      container.remove();
    }
  });
});

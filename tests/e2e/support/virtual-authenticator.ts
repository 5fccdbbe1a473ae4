import type { BrowserContext, Page } from 'playwright-core';

/** A virtual authenticator in the page's browser: `presence` makes its user step away or come back. */
export interface VirtualAuthenticator {
  presence(enabled: boolean): Promise<void>;
}

/**
 * Gives the page's browser a virtual platform authenticator through the
 * DevTools protocol's WebAuthn domain: CTAP2, internal transport, resident
 * keys and user verification, the user present and verified (a laptop's
 * fingerprint reader). WebAuthn needs a secure context: browse
 * `http://localhost:<port>`, not 127.0.0.1.
 *
 * @example
 * const authenticator = await addVirtualAuthenticator(context, page);
 * await authenticator.presence(false); // prompts now wait
 */
export async function addVirtualAuthenticator(context: BrowserContext, page: Page): Promise<VirtualAuthenticator> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return {
    async presence(enabled) {
      await cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId, enabled });
    },
  };
}

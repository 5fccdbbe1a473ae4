import { createSignal, Show, type Component, type JSX } from 'solid-js';
import { useAuth } from '../state/context';
import { chunkOnce } from './chunk';
import { useSite } from './site';

/** The banner's texts and button, fetched once; a failed fetch is tried again at the next render. */
const loadBody = chunkOnce(() => import('./verify-email-banner-body').then((m) => m.VerifyEmailBannerBody));

/** The body once its chunk is in; nothing before, and nothing (but a console error) if it cannot load. */
function LoadedBody(): JSX.Element {
  const [Body, setBody] = createSignal<Component | null>(null);
  loadBody().then(
    (loaded) => setBody(() => loaded),
    (error: unknown) => console.error('statehouse: the "Verify your email address" banner could not be loaded', error),
  );
  return (
    <Show when={Body()} keyed>
      {(Loaded) => <Loaded />}
    </Show>
  );
}

/**
 * The **Verify your email address** banner with **Resend verification
 * email** (`auth.resendVerificationEmail`): shown to a signed-in user whose
 * address is not verified while `auth.emailVerification` is on.
 *
 * Its texts and button are a chunk of their own, fetched the first time the
 * banner is due (most visits never show it). A chunk that cannot load leaves
 * the banner out (the page goes on; the console says why) until a later
 * render tries again.
 *
 * @example
 * <VerifyEmailBanner />
 */
export function VerifyEmailBanner(): JSX.Element {
  const auth = useAuth();
  const site = useSite();
  return (
    <Show when={site().emailVerification !== 'off' && auth.isAuthenticated && !auth.emailVerified}>
      <LoadedBody />
    </Show>
  );
}

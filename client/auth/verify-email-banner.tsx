import { createSignal, Show, type JSX } from 'solid-js';
import { useAuth } from '../state/context';
import { useAuthClient } from './auth-client';
import { useAuthMessages } from './auth-context';
import { useSite } from './site';

/**
 * The **Verify your email address** banner with **Resend verification
 * email** (`auth.resendVerificationEmail`): shown to a signed-in user whose
 * address is not verified while `auth.emailVerification` is on.
 *
 * @example
 * <VerifyEmailBanner />
 */
export function VerifyEmailBanner(): JSX.Element {
  const auth = useAuth();
  const site = useSite();
  const t = useAuthMessages();
  const trpc = useAuthClient();
  const [busy, setBusy] = createSignal(false);
  const resend = async (): Promise<void> => {
    setBusy(true);
    try {
      await trpc.auth.resendVerificationEmail.mutate();
    } catch {
      // The server's toast (or its refusal) already told the user.
    } finally {
      setBusy(false);
    }
  };
  return (
    <Show when={site().emailVerification !== 'off' && auth.isAuthenticated && !auth.emailVerified}>
      <section class="sh-verify-banner" aria-labelledby="sh-verify-banner-title">
        <h2 id="sh-verify-banner-title">{t().verifyEmailTitle}</h2>
        <p>{t().verifyEmailHelp}</p>
        <button type="button" class="sh-button sh-button-primary" disabled={busy()} onClick={() => void resend()}>
          {t().resendVerificationEmail}
        </button>
      </section>
    </Show>
  );
}

import { createSignal, type JSX } from 'solid-js';
import { useAuthClient } from './auth-client';
import { useAuthMessages } from './auth-context';

/**
 * What `VerifyEmailBanner` shows: **Verify your email address** with
 * **Resend verification email** (`auth.resendVerificationEmail`). A chunk of
 * its own, fetched when the banner is first due.
 *
 * @example
 * <Show when={!auth.emailVerified}><VerifyEmailBannerBody /></Show>
 */
export function VerifyEmailBannerBody(): JSX.Element {
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
    <section class="sh-verify-banner" aria-labelledby="sh-verify-banner-title">
      <h2 id="sh-verify-banner-title">{t().verifyEmailTitle}</h2>
      <p>{t().verifyEmailHelp}</p>
      <button type="button" class="sh-button sh-button-primary" disabled={busy()} onClick={() => void resend()}>
        {t().resendVerificationEmail}
      </button>
    </section>
  );
}

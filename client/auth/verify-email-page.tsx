import { A, useParams } from '@solidjs/router';
import { createResource, Match, Switch, type JSX } from 'solid-js';
import { useAuthClient } from './auth-client';
import { useAuthMessages } from './auth-context';
import { AuthPageFrame } from './page-frame';
import { useSite } from './site';

/**
 * The page of an emailed verification link (`verifyEmailUrl/:token`): uses
 * the link (`auth.verifyEmail`) and says **Your email address is verified.**,
 * or that the link is invalid or expired.
 *
 * @example
 * <Route path="/verify-email/:token" component={VerifyEmailPage} />
 */
export function VerifyEmailPage(): JSX.Element {
  const trpc = useAuthClient();
  const t = useAuthMessages();
  const site = useSite();
  const params = useParams<{ token: string }>();
  const [result] = createResource(
    () => params.token,
    async (token) => {
      try {
        return (await trpc.auth.verifyEmail.mutate({ token })).verified;
      } catch {
        return false;
      }
    },
  );
  return (
    <AuthPageFrame title={t().verifyEmailTitle}>
      <div class="sh-status" role="status">
        <Switch fallback={<p>{t().connecting}</p>}>
          <Match when={result() === true}>
            <p class="sh-notice">{t().emailVerified}</p>
          </Match>
          <Match when={result() === false}>
            <p class="sh-form-alert">{t().verifyEmailLinkInvalid}</p>
          </Match>
        </Switch>
      </div>
      <div class="sh-auth-links">
        <A href={site().loginRedirectUrl}>{t().backToSignIn}</A>
      </div>
    </AuthPageFrame>
  );
}

import { useLocation } from '@solidjs/router';
import { For, Show, type JSX } from 'solid-js';
import { useAuthClient } from './auth-client';
import { useAuthComponents } from './auth-components';
import { useAuthMessages } from './auth-context';
import { createAddressForm } from './form-state';
import type { AuthMessages, PageMessageKey } from './messages';
import { useSite } from './site';

/** Where a provider sign-in starts: `GET /auth/oauth/<provider>`, `?next=` kept. */
export function providerSignInUrl(provider: string, search: string): string {
  const next = new URLSearchParams(search).get('next');
  return `/auth/oauth/${encodeURIComponent(provider)}${next ? `?next=${encodeURIComponent(next)}` : ''}`;
}

/** The message for a sign-in that came back refused (`?error=oauth_…` or `link_invalid`), if it is one of ours. */
export function signInErrorMessage(search: string, t: AuthMessages): string | null {
  const code = new URLSearchParams(search).get('error');
  return code && /^(oauth_[a-z_]+|link_invalid)$/.test(code) && code in t ? t[code as PageMessageKey] : null;
}

/**
 * The login page's other ways in: **Continue with <Provider name>** for each
 * configured provider (full-page links: the flow runs over HTTP), and
 * **Email me a sign-in link** when `auth.magicLink` is on. Nothing shows
 * when neither is configured.
 */
export function OtherSignInMethods(): JSX.Element {
  const trpc = useAuthClient();
  const { Field, FormAlert, SubmitButton } = useAuthComponents();
  const t = useAuthMessages();
  const site = useSite();
  const location = useLocation();
  const { form, email, setEmail, sent, onSubmit } = createAddressForm(t, (address) =>
    trpc.auth.requestSignInLink.mutate({ email: address }),
  );
  return (
    <>
      <Show when={signInErrorMessage(location.search, t())}>{(message) => <FormAlert message={message()} />}</Show>
      <Show when={site().oauthProviders.length > 0}>
        <div class="sh-providers">
          <For each={site().oauthProviders}>
            {(provider) => (
              <a class="sh-button sh-provider" rel="external" href={providerSignInUrl(provider.id, location.search)}>
                {t().continueWith.replace('{provider}', provider.label)}
              </a>
            )}
          </For>
        </div>
      </Show>
      <Show when={site().magicLinkEnabled}>
        <form class="sh-form sh-sign-in-link" novalidate ref={form.formRef} onSubmit={onSubmit}>
          <FormAlert message={form.formError()} ref={form.alertRef} />
          <div class="sh-status" role="status">
            <Show when={sent()}>
              <p class="sh-notice">{t().signInLinkSent}</p>
            </Show>
          </div>
          <Field id="sh-link-email" label={t().email} type="email" autocomplete="email" {...form.bind('email', email, setEmail)} required />
          <SubmitButton label={t().emailSignInLink} busyLabel={t().sendingSignInLink} busy={form.busy()} />
        </form>
      </Show>
    </>
  );
}

import { createSignal, onCleanup, Show, type JSX } from 'solid-js';
import { useStateClient } from '../state/context';
import { useAuthClient } from './auth-client';
import { useAuthComponents } from './auth-components';
import { useAuthMessages } from './auth-context';
import { createFormState, focusWhenShown } from './form-state';
import type { ReauthMethod } from '../../server/shared';

/**
 * The **Confirm it's you** dialog: mount it once (in the app's shell). It
 * answers the `confirmIdentity` action a `recentAuth()` refusal carries:
 * field **Password**, button **Confirm** (`auth.confirmIdentity`), or
 * **Cancel**. When the action's methods include `totp` (two-factor is on),
 * a link switches to field **Authentication code**. Once confirmed, the
 * refused call is sent again, once.
 *
 * @example
 * <Router root={(props) => <><ConfirmIdentityDialog />{props.children}</>}>…</Router>
 */
export function ConfirmIdentityDialog(): JSX.Element {
  const client = useStateClient();
  const trpc = useAuthClient();
  const { Field, FormAlert, SubmitButton } = useAuthComponents();
  const t = useAuthMessages();
  const form = createFormState(t);
  const [password, setPassword] = createSignal('');
  const [code, setCode] = createSignal('');
  const [methods, setMethods] = createSignal<readonly ReauthMethod[]>(['password']);
  const [withCode, setWithCode] = createSignal(false);
  const [answer, setAnswer] = createSignal<((confirmed: boolean) => void) | null>(null);

  const close = (confirmed: boolean): void => {
    const settle = answer();
    setAnswer(null);
    setPassword('');
    setCode('');
    setWithCode(false);
    settle?.(confirmed);
  };
  onCleanup(
    client.actions.setConfirmIdentity(
      (offered) =>
        new Promise<boolean>((resolve) => {
          answer()?.(false);
          setMethods(offered);
          setAnswer(() => resolve);
        }),
    ),
  );
  onCleanup(() => close(false));

  const onSubmit = (event: SubmitEvent): void => {
    event.preventDefault();
    const usingCode = withCode();
    void form.submit({
      validate: (): Record<string, string> => {
        if (usingCode) return code().trim() ? {} : { code: t().required };
        return password() ? {} : { password: t().required };
      },
      fields: { password: 'password', code: 'code' },
      run: async () => {
        await trpc.auth.confirmIdentity.mutate(usingCode ? { code: code().trim() } : { password: password() });
      },
      onSuccess: () => close(true),
    });
  };

  return (
    <Show when={answer()}>
      <div class="sh-dialog-backdrop">
        <div
          class="sh-dialog"
          role="dialog"
          aria-modal="true"
          aria-labelledby="sh-confirm-identity-title"
          onKeyDown={(event) => {
            if (event.key === 'Escape') close(false);
          }}
        >
          <h2 id="sh-confirm-identity-title">{t().confirmIdentityTitle}</h2>
          <p class="sh-auth-lead">{t().confirmIdentityHelp}</p>
          <form class="sh-form" novalidate ref={form.formRef} onSubmit={onSubmit}>
            <FormAlert message={form.formError()} ref={form.alertRef} />
            <Show
              when={withCode()}
              fallback={
                <Field
                  id="sh-confirm-identity-password"
                  label={t().password}
                  type="password"
                  autocomplete="current-password"
                  {...form.bind('password', password, setPassword)}
                  required
                  ref={focusWhenShown}
                />
              }
            >
              <Field
                id="sh-confirm-identity-code"
                label={t().authenticationCode}
                autocomplete="one-time-code"
                {...form.bind('code', code, setCode)}
                required
                ref={focusWhenShown}
              />
            </Show>
            <Show when={methods().includes('totp')}>
              <button type="button" class="sh-link-button" onClick={() => setWithCode((c) => !c)}>
                {withCode() ? t().usePassword : t().useAuthenticationCode}
              </button>
            </Show>
            <div class="sh-dialog-actions">
              <SubmitButton label={t().confirm} busyLabel={t().confirm} busy={form.busy()} />
              <button type="button" class="sh-button sh-button-secondary" onClick={() => close(false)}>
                {t().cancel}
              </button>
            </div>
          </form>
        </div>
      </div>
    </Show>
  );
}

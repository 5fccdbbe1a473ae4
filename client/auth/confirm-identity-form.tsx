import { createSignal, Show, type JSX } from 'solid-js';
import type { ReauthMethod } from '../../server/shared';
import { useAuthClient } from './auth-client';
import { useAuthComponents } from './auth-components';
import { useAccountMessages } from './account-messages';
import { createFormState, focusWhenShown } from './form-state';
import { confirmWithPasskey } from './passkey-account';
import { DialogFrame } from './dialog-frame';

export interface ConfirmIdentityFormProps {
  /** The ways the user may confirm (`password`, `passkey`, `totp`), as the refusal offered them. */
  methods: readonly ReauthMethod[];
  /** Called once: `true` when the server accepted the confirmation, `false` on **Cancel** or Escape. */
  onClose: (confirmed: boolean) => void;
}

/**
 * The body of the **Confirm it's you** dialog, a chunk of its own that
 * `<ConfirmIdentityDialog>` fetches the first time a call is refused for want
 * of a recent sign-in. Mounted afresh for each refusal.
 */
export function ConfirmIdentityForm(props: ConfirmIdentityFormProps): JSX.Element {
  const trpc = useAuthClient();
  const { Field, FormAlert, SubmitButton } = useAuthComponents();
  const t = useAccountMessages();
  const form = createFormState(t);
  const [password, setPassword] = createSignal('');
  const [code, setCode] = createSignal('');
  const methods = (): readonly ReauthMethod[] => props.methods;
  const [withCode, setWithCode] = createSignal(!props.methods.includes('password') && props.methods.includes('totp'));
  const close = (confirmed: boolean): void => props.onClose(confirmed);

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

  const usePasskey = (): void => {
    void form.submit({
      run: () => confirmWithPasskey(trpc, t()),
      onSuccess: () => close(true),
    });
  };
  const offers = (method: ReauthMethod): boolean => methods().includes(method);

  return (
    <DialogFrame title={t().confirmIdentityTitle} titleId="sh-confirm-identity-title" onEscape={() => close(false)}>
      <p class="sh-auth-lead">{offers('password') ? t().confirmIdentityHelp : t().confirmWithPasskeyHelp}</p>
      <form class="sh-form" novalidate ref={form.formRef} onSubmit={onSubmit}>
        <FormAlert message={form.formError()} ref={form.alertRef} />
        <Show
          when={withCode()}
          fallback={
            <Show when={offers('password')}>
              <Field
                id="sh-confirm-identity-password"
                label={t().password}
                type="password"
                autocomplete="current-password"
                {...form.bind('password', password, setPassword)}
                required
                ref={focusWhenShown}
              />
            </Show>
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
        <Show when={offers('totp') && offers('password')}>
          <button type="button" class="sh-link-button" onClick={() => setWithCode((c) => !c)}>
            {withCode() ? t().usePassword : t().useAuthenticationCode}
          </button>
        </Show>
        <div class="sh-dialog-actions">
          <Show when={offers('password') || withCode()}>
            <SubmitButton label={t().confirm} busyLabel={t().confirm} busy={form.busy()} />
          </Show>
          <Show when={offers('passkey')}>
            <button
              type="button"
              class="sh-button"
              classList={{ 'sh-button-quiet': offers('password') }}
              disabled={form.busy()}
              onClick={usePasskey}
            >
              {t().usePasskey}
            </button>
          </Show>
          <button type="button" class="sh-button sh-button-secondary" onClick={() => close(false)}>
            {t().cancel}
          </button>
        </div>
      </form>
    </DialogFrame>
  );
}

import { A, useLocation } from '@solidjs/router';
import { createResource, createSignal, Match, Show, Switch, type JSX } from 'solid-js';
import { useAuthClient } from './auth-client';
import { useAuthComponents } from './auth-components';
import { useAccountMessages } from './account-messages';
import { createFormState, focusWhenShown } from './form-state';
import { answerSecondStepWithPasskey } from './passkey-account';
import { passkeysSupported } from './passkey-client';
import { withNext } from './login-page';
import { AuthPageFrame } from './page-frame';
import { useSite } from './site';

/**
 * The second step of a sign-in with two-factor on (`/two-factor`): heading
 * **Two-factor authentication**, field **Authentication code**, button
 * **Verify** (`auth.verifySecondFactor`); **Use a recovery code** switches
 * to field **Recovery code**; **Trust this device for 30 days** when the
 * server offers it; **Use a passkey** when the user has one and the browser
 * can ask for it. Success lands on the sign-in's `?next=`. Without a
 * pending second step on this tab (expired, never begun) it says so and
 * links back to sign in.
 *
 * @example
 * <Route path="/two-factor" component={TwoFactorPage} />
 */
export function TwoFactorPage(): JSX.Element {
  const trpc = useAuthClient();
  const { Field, FormAlert, SubmitButton } = useAuthComponents();
  const t = useAccountMessages();
  const site = useSite();
  const location = useLocation();
  const form = createFormState(t);
  const [recovery, setRecovery] = createSignal(false);
  const [code, setCode] = createSignal('');
  const [recoveryCode, setRecoveryCode] = createSignal('');
  const [trust, setTrust] = createSignal(false);
  const [expired, setExpired] = createSignal(false);
  const [step] = createResource(() => trpc.auth.secondStep.query());

  const onSubmit = (event: SubmitEvent): void => {
    event.preventDefault();
    const usingRecovery = recovery();
    void form.submit({
      validate: (): Record<string, string> => {
        if (usingRecovery) return recoveryCode().trim() ? {} : { recoveryCode: t().required };
        return code().trim() ? {} : { code: t().required };
      },
      fields: { code: 'code', recoveryCode: 'recoveryCode' },
      run: async () => {
        try {
          const trustDevice = trust();
          await trpc.auth.verifySecondFactor.mutate(
            usingRecovery ? { recoveryCode: recoveryCode().trim(), trustDevice } : { code: code().trim(), trustDevice },
          );
        } catch (error) {
          if ((error as { data?: { statehouse?: { reason?: string } } }).data?.statehouse?.reason === 'SECOND_STEP_EXPIRED')
            setExpired(true);
          throw error;
        }
        return 'navigates';
      },
    });
  };
  const usePasskey = (): void => {
    void form.submit({
      run: async () => {
        await answerSecondStepWithPasskey(trpc, t(), trust());
        return 'navigates';
      },
    });
  };
  const toggle = (event: MouseEvent): void => {
    event.preventDefault();
    setRecovery((r) => !r);
  };

  return (
    <AuthPageFrame title={t().twoFactorTitle}>
      <Switch>
        <Match when={step.loading}>
          <p role="status">{t().connecting}</p>
        </Match>
        <Match when={expired() || step()?.pending === false}>
          <p class="sh-form-alert" role="alert">
            {t().secondStepExpired}
          </p>
          <div class="sh-auth-links">
            <A href={withNext(site().loginUrl, location.search)}>{t().backToSignIn}</A>
          </div>
        </Match>
        <Match when={step()?.pending}>
          <p class="sh-auth-lead">{recovery() ? t().recoveryCodeHelp : t().twoFactorHelp}</p>
          <form class="sh-form" novalidate ref={form.formRef} onSubmit={onSubmit}>
            <FormAlert message={form.formError()} ref={form.alertRef} />
            <Show
              when={recovery()}
              fallback={
                <Field
                  id="sh-two-factor-code"
                  label={t().authenticationCode}
                  autocomplete="one-time-code"
                  {...form.bind('code', code, setCode)}
                  required
                  ref={focusWhenShown}
                />
              }
            >
              <Field
                id="sh-two-factor-recovery-code"
                label={t().recoveryCode}
                autocomplete="off"
                {...form.bind('recoveryCode', recoveryCode, setRecoveryCode)}
                required
                ref={focusWhenShown}
              />
            </Show>
            <Show when={step()?.trustDeviceOffered}>
              <label class="sh-check">
                <input type="checkbox" checked={trust()} onChange={(event) => setTrust(event.currentTarget.checked)} />{' '}
                {t().trustThisDevice}
              </label>
            </Show>
            <SubmitButton label={t().verify} busyLabel={t().verifying} busy={form.busy()} />
            <Show when={step()?.passkey && passkeysSupported()}>
              <button type="button" class="sh-button sh-button-secondary" disabled={form.busy()} onClick={usePasskey}>
                {t().usePasskey}
              </button>
            </Show>
          </form>
          <div class="sh-auth-links">
            <a href={location.pathname + location.search} onClick={toggle}>
              {recovery() ? t().useAuthenticationCode : t().useRecoveryCode}
            </a>
            <A href={withNext(site().loginUrl, location.search)}>{t().backToSignIn}</A>
          </div>
        </Match>
      </Switch>
    </AuthPageFrame>
  );
}

import { createResource, createSignal, For, Match, Show, Switch, type JSX } from 'solid-js';
import { useSlice } from '../state/context';
import { useAuthClient } from './auth-client';
import { useAuthComponents } from './auth-components';
import { useAccountMessages } from './account-messages';
import { createFormState, focusWhenShown } from './form-state';
import { formatMessage } from './messages';
import { QrCode } from './qr-code';

/** What the panel shows: the state of two-factor, or a step of turning it on. */
type Stage = { kind: 'status' } | { kind: 'setup'; setupKey: string; uri: string } | { kind: 'codes'; codes: string[] };

/**
 * Settings → **Security**: two-factor sign-in with an authenticator app.
 * Off: **Set up authenticator app** shows a QR code (drawn here) and the
 * **Setup key**, field **Authentication code**, button **Turn on
 * two-factor**; then the 10 recovery codes, shown once, with **Download**.
 * On: how many recovery codes are left, **Regenerate** and **Turn off
 * two-factor** (both ask **Confirm it's you** when the sign-in is not
 * recent). Nothing shows when the server's config turns two-factor off.
 *
 * @example
 * <TwoFactorSettings class="card" />
 */
export function TwoFactorSettings(props: { class?: string }): JSX.Element {
  const trpc = useAuthClient();
  const { Field, FormAlert, SubmitButton } = useAuthComponents();
  const t = useAccountMessages();
  const form = createFormState(t);
  const [stage, setStage] = createSignal<Stage>({ kind: 'status' });
  const [code, setCode] = createSignal('');
  // Read again when the user's account changes elsewhere (an admin's **Reset two-factor** moves `access`).
  const access = useSlice<{ revision?: number }>('access');
  const [status, { refetch }] = createResource(
    () => access.revision ?? 0,
    () => trpc.auth.twoFactorStatus.query(),
  );

  const act = (run: () => Promise<void>): void => {
    void form.submit({ run });
  };
  const beginSetup = (): void =>
    act(async () => {
      const setup = await trpc.auth.beginTwoFactorSetup.mutate();
      setCode('');
      setStage({ kind: 'setup', ...setup });
    });
  const turnOn = (event: SubmitEvent): void => {
    event.preventDefault();
    void form.submit({
      validate: (): Record<string, string> => (code().trim() ? {} : { code: t().required }),
      fields: { code: 'code' },
      run: async () => {
        const { recoveryCodes } = await trpc.auth.enableTwoFactor.mutate({ code: code().trim() });
        setStage({ kind: 'codes', codes: recoveryCodes });
        await refetch();
      },
    });
  };
  const regenerate = (): void =>
    act(async () => {
      const { recoveryCodes } = await trpc.auth.regenerateRecoveryCodes.mutate();
      setStage({ kind: 'codes', codes: recoveryCodes });
      await refetch();
    });
  const turnOff = (): void =>
    act(async () => {
      await trpc.auth.disableTwoFactor.mutate();
      setStage({ kind: 'status' });
      await refetch();
    });

  return (
    <Show when={status()?.available}>
      <section class={`sh-security ${props.class ?? ''}`} aria-labelledby="sh-security-title">
        <h2 id="sh-security-title">{t().security}</h2>
        <FormAlert message={form.formError()} ref={form.alertRef} />
        <Switch>
          <Match when={stage().kind === 'setup' && (stage() as Extract<Stage, { kind: 'setup' }>)}>
            {(setup) => (
              <form class="sh-form" novalidate ref={form.formRef} onSubmit={turnOn}>
                <h3>{t().setUpAuthenticatorApp}</h3>
                <p class="sh-auth-lead">{t().setupHelp}</p>
                <QrCode value={setup().uri} label={t().qrCodeLabel} />
                <dl class="sh-setup">
                  <dt class="sh-label">{t().setupKey}</dt>
                  <dd>
                    <code class="sh-setup-key">{setup().setupKey}</code>
                  </dd>
                </dl>
                <Field
                  id="sh-two-factor-setup-code"
                  label={t().authenticationCode}
                  autocomplete="one-time-code"
                  {...form.bind('code', code, setCode)}
                  required
                  ref={focusWhenShown}
                />
                <div class="sh-dialog-actions">
                  <SubmitButton label={t().turnOnTwoFactor} busyLabel={t().verifying} busy={form.busy()} />
                  <button type="button" class="sh-button" onClick={() => setStage({ kind: 'status' })}>
                    {t().cancel}
                  </button>
                </div>
              </form>
            )}
          </Match>
          <Match when={stage().kind === 'codes' && (stage() as Extract<Stage, { kind: 'codes' }>)}>
            {(shown) => (
              <div class="sh-recovery">
                <h3>{t().recoveryCodes}</h3>
                <p class="sh-auth-lead">{t().recoveryCodesHelp}</p>
                <ul class="sh-recovery-codes" aria-label={t().recoveryCodes}>
                  <For each={shown().codes}>{(c) => <li>{c}</li>}</For>
                </ul>
                <div class="sh-dialog-actions">
                  <button type="button" class="sh-button" onClick={() => downloadCodes(shown().codes)}>
                    {t().download}
                  </button>
                  <button type="button" class="sh-button sh-button-primary" onClick={() => setStage({ kind: 'status' })}>
                    {t().done}
                  </button>
                </div>
              </div>
            )}
          </Match>
          <Match when={status()?.enabled}>
            <p class="sh-notice">{t().twoFactorIsOn}</p>
            <p>{formatMessage(t().recoveryCodesLeft, { count: status()?.recoveryCodesLeft ?? 0 })}</p>
            <div class="sh-dialog-actions">
              <button type="button" class="sh-button" disabled={form.busy()} onClick={regenerate}>
                {t().regenerate}
              </button>
              <button type="button" class="sh-button sh-button-danger" disabled={form.busy()} onClick={turnOff}>
                {t().turnOffTwoFactor}
              </button>
            </div>
          </Match>
          <Match when={status()?.enabled === false}>
            <p>{t().twoFactorIsOff}</p>
            <button type="button" class="sh-button sh-button-primary" disabled={form.busy()} onClick={beginSetup}>
              {t().setUpAuthenticatorApp}
            </button>
          </Match>
        </Switch>
      </section>
    </Show>
  );
}

/** Saves the recovery codes as a text file (`recovery-codes.txt`), built in the page. */
function downloadCodes(codes: readonly string[]): void {
  const url = URL.createObjectURL(new Blob([`${codes.join('\n')}\n`], { type: 'text/plain' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = 'recovery-codes.txt';
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

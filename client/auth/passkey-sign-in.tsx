import { createSignal, onCleanup, onMount, Show, type JSX } from 'solid-js';
import { useAuthClient } from './auth-client';
import { useAuthComponents } from './auth-components';
import { useAuthMessages } from './auth-context';
import { describeFailure } from './failure';
import {
  cancelPasskeyPrompt,
  PasskeyPromptError,
  passkeyAutofillSupported,
  passkeysSupported,
  promptForPasskey,
  signInWithPasskey,
} from './passkey-client';

/**
 * The login page's **Sign in with a passkey** button, and the conditional
 * request behind the login field (`autocomplete="username webauthn"`): where
 * the browser supports it, the field's autofill offers the site's passkeys
 * and picking one signs in. Clicking the button aborts that waiting request
 * first (a page has one WebAuthn request at a time), as leaving the page
 * does. Renders nothing in a browser without WebAuthn.
 */
export function PasskeySignIn(): JSX.Element {
  const trpc = useAuthClient();
  const { FormAlert } = useAuthComponents();
  const t = useAuthMessages();
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const supported = passkeysSupported();
  let alive = true;

  const fail = (failure: unknown): void => {
    setError(describeFailure(failure, t()).formError);
  };

  /**
   * Waits in the login field's autofill. Options the server will not give
   * (passkeys unavailable, too many requests) leave it unstarted: the button
   * says why when used. It ends aborted when the button (or leaving the page)
   * takes over; a prompt the browser ends on its own is let go quietly; a
   * passkey picked there but refused by the server says so. It is never
   * restarted on its own, only after the button's ceremony ends, so a failing
   * browser cannot loop.
   */
  const waitInAutofill = async (): Promise<void> => {
    if (!alive || !(await passkeyAutofillSupported())) return;
    let optionsJSON: Awaited<ReturnType<typeof trpc.auth.passkeySignInOptions.mutate>>;
    try {
      optionsJSON = await trpc.auth.passkeySignInOptions.mutate();
    } catch {
      return;
    }
    let picked = false;
    try {
      const response = await promptForPasskey(t(), optionsJSON, { conditional: true });
      picked = true;
      setBusy(true);
      await trpc.auth.signInWithPasskey.mutate({ response });
    } catch (failure) {
      if (picked) setBusy(false);
      if (!(failure instanceof PasskeyPromptError)) fail(failure);
    }
  };

  const onClick = async (): Promise<void> => {
    if (busy()) return;
    setBusy(true);
    setError(null);
    cancelPasskeyPrompt();
    try {
      await signInWithPasskey(trpc, t());
      // The cookie action navigates away; the button stays busy until then.
    } catch (failure) {
      setBusy(false);
      fail(failure);
      void waitInAutofill();
    }
  };

  onMount(() => {
    if (supported) void waitInAutofill();
  });
  onCleanup(() => {
    alive = false;
    cancelPasskeyPrompt();
  });

  return (
    <Show when={supported}>
      <div class="sh-passkey-sign-in">
        <FormAlert message={error()} />
        <button
          type="button"
          class="sh-button sh-button-quiet sh-passkey-button"
          disabled={busy()}
          aria-busy={busy() ? 'true' : 'false'}
          onClick={() => void onClick()}
        >
          <span class="sh-button-spinner" aria-hidden="true" hidden={!busy()} />
          {busy() ? t().waitingForPasskey : t().signInWithPasskey}
        </button>
      </div>
    </Show>
  );
}

import {
  browserSupportsWebAuthn,
  browserSupportsWebAuthnAutofill,
  startAuthentication,
  startRegistration,
  WebAuthnAbortService,
  WebAuthnError,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/browser';
import type { TRPCClient } from '@trpc/client';
import type { BuiltinRouter } from './auth-client';
import type { AuthMessages } from './messages';

/**
 * The browser half of passkeys: each ceremony asks the server for options
 * over the socket, runs the browser's prompt (`@simplewebauthn/browser`), and
 * sends the answer back. A prompt the user closes, that times out, or that a
 * newer ceremony aborted becomes a {@link PasskeyPromptError}.
 */

/** Why a browser prompt ended without an answer. */
export type PasskeyPromptFailure =
  /** Closed or timed out (`NotAllowedError`: browsers do not say which). */
  | 'cancelled'
  /** Aborted by the page: another ceremony started, or the page left (`AbortError`). */
  | 'aborted'
  /** This browser has no WebAuthn, or not in this context (http other than localhost). */
  | 'unsupported'
  /** The authenticator already holds a passkey of this account (`InvalidStateError` on create). */
  | 'already-registered'
  /** Anything else the browser or authenticator refused. */
  | 'failed';

const FAILURE_TEXT: Readonly<Record<PasskeyPromptFailure, keyof AuthMessages>> = {
  cancelled: 'passkeyCancelled',
  aborted: 'passkeyCancelled',
  unsupported: 'passkeyUnsupported',
  'already-registered': 'passkeyAlreadyOnDevice',
  failed: 'passkeyFailed',
};

/**
 * A browser prompt that gave no answer. Shaped like a refused call
 * (`data.code`, a message in the page's language), so the canned forms show
 * it as they show a server's refusal.
 */
export class PasskeyPromptError extends Error {
  override readonly name = 'PasskeyPromptError';
  readonly data: { code: string };
  constructor(
    readonly reason: PasskeyPromptFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.data = { code: `PASSKEY_${reason.toUpperCase().replace('-', '_')}` };
  }
}

/** What kind of failure a WebAuthn error is (a `WebAuthnError` or the browser's own `DOMException`). */
export function passkeyFailureOf(error: unknown): PasskeyPromptFailure {
  if (error instanceof WebAuthnError) {
    if (error.code === 'ERROR_CEREMONY_ABORTED') return 'aborted';
    if (error.code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED') return 'already-registered';
  }
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'AbortError') return 'aborted';
  if (name === 'NotAllowedError') return 'cancelled';
  if (name === 'InvalidStateError') return 'already-registered';
  if (name === 'NotSupportedError' || name === 'SecurityError') return 'unsupported';
  return 'failed';
}

async function prompt<T>(t: AuthMessages, run: () => Promise<T>): Promise<T> {
  if (!browserSupportsWebAuthn()) throw new PasskeyPromptError('unsupported', t.passkeyUnsupported);
  try {
    return await run();
  } catch (error) {
    const reason = passkeyFailureOf(error);
    throw new PasskeyPromptError(reason, t[FAILURE_TEXT[reason]], { cause: error });
  }
}

/** Whether this browser can use passkeys at all (the **Sign in with a passkey** button shows only then). */
export function passkeysSupported(): boolean {
  return browserSupportsWebAuthn();
}

/** Whether the login field can offer passkeys in its autofill (conditional UI). */
export function passkeyAutofillSupported(): Promise<boolean> {
  return browserSupportsWebAuthnAutofill();
}

/** Aborts the page's pending prompt, conditional or not (it rejects as `aborted`). */
export function cancelPasskeyPrompt(): void {
  WebAuthnAbortService.cancelCeremony();
}

/**
 * **Sign in with a passkey**: on success the server's cookie action signs the
 * tab in and navigates. With `conditional`, the prompt waits in the login
 * field's autofill (`autocomplete="username webauthn"`) until the user picks
 * a passkey there; starting any other ceremony aborts it.
 */
export async function signInWithPasskey(
  trpc: TRPCClient<BuiltinRouter>,
  t: AuthMessages,
  options: { conditional?: boolean } = {},
): Promise<{ username: string }> {
  const optionsJSON = await trpc.auth.passkeySignInOptions.mutate();
  const response = await promptForPasskey(t, optionsJSON, options);
  return trpc.auth.signInWithPasskey.mutate({ response });
}

/** The browser's assertion prompt on options the server gave (modal, or `conditional` in the autofill). */
export function promptForPasskey(
  t: AuthMessages,
  optionsJSON: PublicKeyCredentialRequestOptionsJSON,
  options: { conditional?: boolean } = {},
): Promise<AuthenticationResponseJSON> {
  return prompt(t, () => startAuthentication({ optionsJSON, useBrowserAutofill: options.conditional === true }));
}

/** Settings → **Add a passkey** (the server asks **Confirm it's you** first when the sign-in is old). */
export async function addPasskey(trpc: TRPCClient<BuiltinRouter>, t: AuthMessages, name?: string): Promise<{ id: number; name: string }> {
  const optionsJSON = await trpc.auth.passkeyRegistrationOptions.mutate();
  const response = await prompt(t, () => startRegistration({ optionsJSON }));
  return trpc.auth.addPasskey.mutate(name ? { response, name } : { response });
}

/** **Confirm it's you** with one of the signed-in user's passkeys. */
export async function confirmWithPasskey(trpc: TRPCClient<BuiltinRouter>, t: AuthMessages): Promise<void> {
  const optionsJSON = await trpc.auth.passkeyConfirmOptions.mutate();
  const response = await prompt(t, () => startAuthentication({ optionsJSON }));
  await trpc.auth.confirmIdentityWithPasskey.mutate({ response });
}

/**
 * Answers the second step of a two-factor sign-in with one of the user's
 * passkeys (the **Two-factor authentication** page's **Use a passkey**).
 */
export async function answerSecondStepWithPasskey(trpc: TRPCClient<BuiltinRouter>, t: AuthMessages, trustDevice: boolean): Promise<void> {
  const optionsJSON = await trpc.auth.secondStepPasskeyOptions.mutate();
  const response = await prompt(t, () => startAuthentication({ optionsJSON }));
  await trpc.auth.verifySecondFactorWithPasskey.mutate({ response, trustDevice });
}

import type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/browser';
import type { StateTrpc } from '../state/trpc';
import type { BuiltinRouter } from './auth-client';
import type { AuthMessages } from './messages';

/**
 * The browser half of passkeys: each ceremony asks the server for options
 * over the socket, runs the browser's prompt (`@simplewebauthn/browser`), and
 * sends the answer back. A prompt the user closes, that times out, or that a
 * newer ceremony aborted becomes a {@link PasskeyPromptError}.
 *
 * `@simplewebauthn/browser` is fetched (a chunk of its own) when the first
 * prompt starts, not with the page: the checks below need only the browser.
 * The ceremonies of a signed-in user and of the two-factor step are in
 * `passkey-account.ts`, with the pages that run them; this module holds what
 * the login page needs.
 */

/** `@simplewebauthn/browser`, as a prompt receives it. */
export type WebAuthnLibrary = typeof import('@simplewebauthn/browser');

/** The library once a prompt has loaded it: whatever prompt is pending was started through it. */
let library: WebAuthnLibrary | null = null;

async function loadLibrary(): Promise<WebAuthnLibrary> {
  library ??= await import('@simplewebauthn/browser');
  return library;
}

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
  // A `WebAuthnError`'s code (read without the class, which may not be loaded yet).
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ERROR_CEREMONY_ABORTED') return 'aborted';
  if (code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED') return 'already-registered';
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'AbortError') return 'aborted';
  if (name === 'NotAllowedError') return 'cancelled';
  if (name === 'InvalidStateError') return 'already-registered';
  if (name === 'NotSupportedError' || name === 'SecurityError') return 'unsupported';
  return 'failed';
}

/** Counts {@link cancelPasskeyPrompt} calls: a prompt cancelled while the library was still loading does not start. */
let cancellations = 0;

/**
 * Runs one browser prompt through `@simplewebauthn/browser` (fetched on the
 * first one): refuses at once without WebAuthn, does not start when
 * {@link cancelPasskeyPrompt} came while the library loaded, and turns
 * any failure into a {@link PasskeyPromptError} worded in `t`'s language.
 *
 * @example
 * const response = await runPasskeyPrompt(t, (webauthn) => webauthn.startAuthentication({ optionsJSON }));
 */
export async function runPasskeyPrompt<T>(t: AuthMessages, run: (webauthn: WebAuthnLibrary) => Promise<T>): Promise<T> {
  if (!passkeysSupported()) throw new PasskeyPromptError('unsupported', t.passkeyUnsupported);
  const asked = cancellations;
  try {
    const webauthn = await loadLibrary();
    if (cancellations !== asked) throw new DOMException('The prompt was cancelled before it started.', 'AbortError');
    return await run(webauthn);
  } catch (error) {
    const reason = passkeyFailureOf(error);
    throw new PasskeyPromptError(reason, t[FAILURE_TEXT[reason]], { cause: error });
  }
}

/** Whether this browser can use passkeys at all (the **Sign in with a passkey** button shows only then). */
export function passkeysSupported(): boolean {
  return typeof globalThis.PublicKeyCredential === 'function';
}

/** Whether the login field can offer passkeys in its autofill (conditional UI). */
export async function passkeyAutofillSupported(): Promise<boolean> {
  if (!passkeysSupported()) return false;
  const check = globalThis.PublicKeyCredential.isConditionalMediationAvailable;
  return typeof check === 'function' ? check.call(globalThis.PublicKeyCredential) : false;
}

/** Aborts the page's pending prompt, conditional or not (it rejects as `aborted`). */
export function cancelPasskeyPrompt(): void {
  cancellations++;
  // No library yet: a prompt waiting for it sees the count move and does not start.
  library?.WebAuthnAbortService.cancelCeremony();
}

/**
 * **Sign in with a passkey**: on success the server's cookie action signs the
 * tab in and navigates. With `conditional`, the prompt waits in the login
 * field's autofill (`autocomplete="username webauthn"`) until the user picks
 * a passkey there; starting any other ceremony aborts it.
 */
export async function signInWithPasskey(
  trpc: StateTrpc<BuiltinRouter>,
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
  return runPasskeyPrompt(t, (webauthn) => webauthn.startAuthentication({ optionsJSON, useBrowserAutofill: options.conditional === true }));
}

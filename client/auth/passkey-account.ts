import type { StateTrpc } from '../state/trpc';
import type { BuiltinRouter } from './auth-client';
import type { AuthMessages } from './messages';
import { runPasskeyPrompt } from './passkey-client';

/*
 * The passkey ceremonies that run beyond the login page: adding a passkey
 * (Settings), **Confirm it's you** and the two-factor step. A module of its
 * own so that they come with those pages' chunks, not with the first visit.
 */

/** Settings → **Add a passkey** (the server asks **Confirm it's you** first when the sign-in is old). */
export async function addPasskey(trpc: StateTrpc<BuiltinRouter>, t: AuthMessages, name?: string): Promise<{ id: number; name: string }> {
  const optionsJSON = await trpc.auth.passkeyRegistrationOptions.mutate();
  const response = await runPasskeyPrompt(t, (webauthn) => webauthn.startRegistration({ optionsJSON }));
  return trpc.auth.addPasskey.mutate(name ? { response, name } : { response });
}

/** **Confirm it's you** with one of the signed-in user's passkeys. */
export async function confirmWithPasskey(trpc: StateTrpc<BuiltinRouter>, t: AuthMessages): Promise<void> {
  const optionsJSON = await trpc.auth.passkeyConfirmOptions.mutate();
  const response = await runPasskeyPrompt(t, (webauthn) => webauthn.startAuthentication({ optionsJSON }));
  await trpc.auth.confirmIdentityWithPasskey.mutate({ response });
}

/**
 * Answers the second step of a two-factor sign-in with one of the user's
 * passkeys (the **Two-factor authentication** page's **Use a passkey**).
 */
export async function answerSecondStepWithPasskey(trpc: StateTrpc<BuiltinRouter>, t: AuthMessages, trustDevice: boolean): Promise<void> {
  const optionsJSON = await trpc.auth.secondStepPasskeyOptions.mutate();
  const response = await runPasskeyPrompt(t, (webauthn) => webauthn.startAuthentication({ optionsJSON }));
  await trpc.auth.verifySecondFactorWithPasskey.mutate({ response, trustDevice });
}

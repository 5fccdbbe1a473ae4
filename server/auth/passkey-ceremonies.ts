import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransportFuture,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { decodeBase64urlIgnorePadding, encodeBase64urlNoPadding } from '@oslojs/encoding';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import type { Database } from '../../db/client';
import type { PasskeyRow } from '../../db/schema';
import type { StatehouseConfig } from '../config';
import { linkBaseOf } from './auth-mail';
import { PASSKEY_CHALLENGE_TTL_MS, type TakenChallenge } from './passkey-challenges';
import { credentialsOf, findPasskeyByCredentialId, insertPasskey, PASSKEY_NAME_MAX, recordPasskeyUse, userHandleOf } from './passkeys';

/**
 * The two WebAuthn ceremonies on `@simplewebauthn/server`: registration
 * (Settings → **Add a passkey**) and assertion (sign-in, **Confirm it's
 * you**, and a second step). The challenge comes from the connection
 * (`PasskeyChallenges`), taken before this runs; this module checks
 * everything else and keeps the `passkeys` rows current.
 */

/** The relying party: its id (a host name) and the origins a response may come from. */
export interface RelyingParty {
  readonly id: string;
  readonly name: string;
  readonly origins: readonly string[];
}

/**
 * The relying party for a tab opened from `origin`: with `publicUrl`, its
 * host is the RP id and its origin (and every `allowedOrigins` entry on that
 * host or under it) may answer; without it, the tab's origin when it can be
 * trusted (this machine, or in `allowedOrigins`), else `null`: passkeys are
 * then off, as emailed links are, rather than bound to a host the request named.
 */
export function relyingPartyFor(
  config: Pick<StatehouseConfig, 'publicUrl' | 'allowedOrigins' | 'siteName'>,
  origin: string,
): RelyingParty | null {
  const base = linkBaseOf(config, origin);
  if (base === null) return null;
  const url = new URL(base);
  const id = url.hostname;
  const origins = new Set([url.origin]);
  for (const allowed of config.allowedOrigins) {
    const host = new URL(allowed).hostname;
    if (host === id || host.endsWith(`.${id}`)) origins.add(new URL(allowed).origin);
  }
  return { id, name: config.siteName, origins: [...origins] };
}

/** Why an assertion was refused (what the audit log and the server log say; the user is told less). */
export type AssertionFailure =
  /** No pending challenge, an expired one, one from another tab or session, or the signed one is not it. */
  | 'challenge'
  /** No passkey has this credential id (never registered, or removed). */
  | 'unknown_credential'
  /** The passkey belongs to another user than the one this check is for. */
  | 'wrong_user'
  /** The signature, origin, RP id, flags or user handle did not check out. */
  | 'invalid'
  /** The counter did not grow: a cloned authenticator, or a replayed assertion. */
  | 'counter_regression';

/** A verified assertion: the passkey (its stored use already updated) and its flags. */
export interface VerifiedPasskey {
  readonly passkey: PasskeyRow;
  readonly userVerified: boolean;
  readonly backedUp: boolean;
}

export type AssertionOutcome = { ok: true; verified: VerifiedPasskey } | { ok: false; reason: AssertionFailure; userId: number | null };

/** What an assertion is checked against. */
export interface AssertionCheck {
  readonly relyingParty: RelyingParty;
  /** The connection's challenge for this ceremony, taken (`null`: there was none to take). */
  readonly challenge: TakenChallenge | null;
  /** Only this user's passkeys pass (confirming, a second step); `null` for a sign-in (any user's). */
  readonly userId: number | null;
  /** Require the UV flag (a sign-in and a confirmation: the passkey is the whole proof). */
  readonly requireUserVerification: boolean;
}

const TIMEOUT_MS = PASSKEY_CHALLENGE_TTL_MS;

/**
 * Options for **Add a passkey**: a discoverable credential (resident key
 * required), user verification preferred, "none" attestation, the user's
 * passkeys excluded so one authenticator is not registered twice. The user
 * handle is random per user, never their id.
 */
export async function registrationOptions(
  db: Database,
  relyingParty: RelyingParty,
  user: { id: number; username: string; displayName: string },
  issue: (userHandle: string) => Uint8Array<ArrayBuffer>,
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const [stored, existing] = await Promise.all([userHandleOf(db, user.id), credentialsOf(db, user.id)]);
  const handle = stored ?? encodeBase64urlNoPadding(newUserHandle());
  return generateRegistrationOptions({
    rpName: relyingParty.name,
    rpID: relyingParty.id,
    userName: user.username,
    userDisplayName: user.displayName,
    userID: decodeBase64urlIgnorePadding(handle) as Uint8Array<ArrayBuffer>,
    challenge: issue(handle),
    timeout: TIMEOUT_MS,
    attestationType: 'none',
    excludeCredentials: existing.map((c) => ({ id: c.credentialId, transports: transportsOf(c.transports) })),
    authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
    supportedAlgorithmIDs: [-7, -8, -257],
  });
}

/**
 * Options for an assertion: for a sign-in no credential list (the browser
 * offers the user's discoverable passkeys, conditional UI included); for a
 * given user, their passkeys.
 */
export async function assertionOptions(
  db: Database,
  relyingParty: RelyingParty,
  userId: number | null,
  challenge: Uint8Array<ArrayBuffer>,
  userVerification: 'required' | 'preferred',
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const allow = userId === null ? [] : await credentialsOf(db, userId);
  return generateAuthenticationOptions({
    rpID: relyingParty.id,
    challenge,
    timeout: TIMEOUT_MS,
    userVerification,
    allowCredentials: allow.map((c) => ({ id: c.credentialId, transports: transportsOf(c.transports) })),
  });
}

export type RegistrationOutcome =
  | { ok: true; passkeyId: number; name: string }
  | { ok: false; reason: 'challenge' | 'invalid' | 'duplicate' };

/**
 * Verifies **Add a passkey**'s answer (challenge, origin, RP id, user
 * presence, the attestation) and stores the passkey for `userId`.
 */
export async function verifyRegistration(
  db: Database,
  check: { relyingParty: RelyingParty; challenge: TakenChallenge | null; userId: number; name: string },
  response: RegistrationResponseJSON,
  now: number = Date.now(),
): Promise<RegistrationOutcome> {
  const { challenge, relyingParty } = check;
  const signed = signedChallenge(response.response.clientDataJSON);
  if (!challenge || signed === null || !challenge.matches(signed)) return { ok: false, reason: 'challenge' };
  let result: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
  try {
    result = await verifyRegistrationResponse({
      response,
      expectedChallenge: signed,
      expectedOrigin: [...relyingParty.origins],
      expectedRPID: relyingParty.id,
      requireUserVerification: false,
    });
  } catch {
    return { ok: false, reason: 'invalid' };
  }
  if (!result.verified || result.registrationInfo.credential.id !== response.id) return { ok: false, reason: 'invalid' };
  const { credential, credentialDeviceType, credentialBackedUp, aaguid } = result.registrationInfo;
  if (await findPasskeyByCredentialId(db, credential.id)) return { ok: false, reason: 'duplicate' };
  const handle = (await userHandleOf(db, check.userId)) ?? challenge.userHandle;
  if (!handle) return { ok: false, reason: 'challenge' };
  const name = check.name.trim().slice(0, PASSKEY_NAME_MAX) || 'Passkey';
  try {
    const passkeyId = await insertPasskey(db, {
      userId: check.userId,
      credentialId: credential.id,
      publicKey: Buffer.from(credential.publicKey),
      userHandle: handle,
      counter: credential.counter,
      deviceType: credentialDeviceType,
      backedUp: credentialBackedUp,
      transports: JSON.stringify(response.response.transports ?? []),
      aaguid,
      name,
      createdAt: now,
      lastUsedAt: null,
    });
    return { ok: true, passkeyId, name };
  } catch {
    // A concurrent registration of the same credential won the unique index.
    return { ok: false, reason: 'duplicate' };
  }
}

/**
 * The assertion seam: verifies an assertion against `check` and, when it
 * holds, records the passkey's new counter, backup state and last use.
 * Sign-in, **Confirm it's you** and a passkey as a second step all call
 * this; the last two pass `userId` so only that user's passkeys pass.
 *
 * Checked: the connection's challenge (single use), the credential (known,
 * and the user's when `userId` is given), the user handle (when the
 * authenticator sent one), origin, RP id hash, user presence (and user
 * verification when asked), the signature over authenticator data and
 * client data, and that the signature counter grew (either counter 0
 * means the authenticator keeps none).
 *
 * @example
 * const outcome = await verifyPasskeyAssertion(db, { relyingParty, challenge, userId, requireUserVerification: false }, response);
 * if (outcome.ok) completeSecondStep(outcome.verified.passkey.userId);
 */
export async function verifyPasskeyAssertion(
  db: Database,
  check: AssertionCheck,
  response: AuthenticationResponseJSON,
  now: number = Date.now(),
): Promise<AssertionOutcome> {
  const { challenge, relyingParty } = check;
  const signed = signedChallenge(response.response.clientDataJSON);
  if (!challenge || signed === null || !challenge.matches(signed)) return { ok: false, reason: 'challenge', userId: null };
  const passkey = await findPasskeyByCredentialId(db, response.id);
  if (!passkey) return { ok: false, reason: 'unknown_credential', userId: null };
  const userId = passkey.userId;
  if (check.userId !== null && passkey.userId !== check.userId) return { ok: false, reason: 'wrong_user', userId: check.userId };
  if (response.response.userHandle !== undefined && !sameHandle(response.response.userHandle, passkey.userHandle)) {
    return { ok: false, reason: 'invalid', userId };
  }
  let result: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
  try {
    result = await verifyAuthenticationResponse({
      response,
      expectedChallenge: signed,
      expectedOrigin: [...relyingParty.origins],
      expectedRPID: relyingParty.id,
      // The counter is compared below, where a regression is told apart from a bad signature.
      credential: { id: passkey.credentialId, publicKey: new Uint8Array(passkey.publicKey), counter: 0 },
      requireUserVerification: check.requireUserVerification,
    });
  } catch {
    return { ok: false, reason: 'invalid', userId };
  }
  if (!result.verified) return { ok: false, reason: 'invalid', userId };
  const { newCounter, credentialBackedUp, userVerified } = result.authenticationInfo;
  if ((newCounter > 0 || passkey.counter > 0) && newCounter <= passkey.counter) return { ok: false, reason: 'counter_regression', userId };
  // Compare-and-set on the counter: of two assertions racing with one counter value, one passes.
  const recorded = await recordPasskeyUse(
    db,
    passkey.id,
    { expectedCounter: passkey.counter, counter: newCounter, backedUp: credentialBackedUp },
    now,
  );
  if (!recorded) return { ok: false, reason: 'counter_regression', userId };
  return {
    ok: true,
    verified: {
      passkey: { ...passkey, counter: newCounter, backedUp: credentialBackedUp, lastUsedAt: now },
      userVerified,
      backedUp: credentialBackedUp,
    },
  };
}

/**
 * The challenge the client data says was signed, or `null` when the client
 * data is not JSON with one. Matched against the connection's before
 * anything else is looked at, so a replay costs no lookup or signature check.
 */
function signedChallenge(clientDataJSON: string): string | null {
  try {
    const parsed: unknown = JSON.parse(new TextDecoder().decode(decodeBase64urlIgnorePadding(clientDataJSON)));
    const challenge = (parsed as { challenge?: unknown } | null)?.challenge;
    return typeof challenge === 'string' && challenge.length <= 128 ? challenge : null;
  } catch {
    return null;
  }
}

/** A new random user handle (32 bytes). */
function newUserHandle(): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(32);
  crypto.getRandomValues(bytes);
  return bytes;
}

function sameHandle(given: string, stored: string): boolean {
  try {
    const a = decodeBase64urlIgnorePadding(given);
    const b = decodeBase64urlIgnorePadding(stored);
    return a.byteLength === b.byteLength && constantTimeEqual(a, b);
  } catch {
    return false;
  }
}

function transportsOf(json: string): AuthenticatorTransportFuture[] {
  try {
    const parsed: unknown = JSON.parse(json);
    return Array.isArray(parsed) ? (parsed.filter((t) => typeof t === 'string') as AuthenticatorTransportFuture[]) : [];
  } catch {
    return [];
  }
}

import { TRPCError } from '@trpc/server';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { z } from 'zod';
import { PasskeyChallenges, type PasskeyCeremony } from '../auth/passkey-challenges';
import {
  assertionOptions,
  registrationOptions,
  relyingPartyFor,
  verifyPasskeyAssertion,
  verifyRegistration,
  type AssertionFailure,
  type RelyingParty,
} from '../auth/passkey-ceremonies';
import { deletePasskey, listPasskeys, PASSKEY_NAME_MAX, renamePasskey } from '../auth/passkeys';
import { removePassword } from '../auth/remove-password';
import { markSessionAuthenticated } from '../auth/session';
import { mayRemoveSignInWay, signInWaysOf } from '../auth/sign-in-ways';
import { findUserById } from '../auth/users';
import { recentAuth } from '../bridge/account-guards';
import { guarded, publicProcedure } from '../bridge/bridge';
import { authed } from '../bridge/guards';
import type { EventContext } from '../bridge/trpc';
import { secondStepExpired } from '../auth/two-factor-flow';
import { tooManyRequests } from '../errors';
import { messageFor, type MessageKey } from '../i18n/catalog';
import { sitePathSchema } from '../state/app-actions';

/**
 * Passkeys (WebAuthn) over the socket, merged into `auth.*`. Each ceremony is
 * two calls on the same connection: options (a fresh challenge kept, hashed,
 * by the connection) and the browser's answer. See docs/passkeys.md.
 */

/** A base64url field of a WebAuthn response (generous: an RSA attestation is a few KiB). */
const b64url = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^[A-Za-z0-9_-]*={0,2}$/, 'must be base64url');
const transports = z.array(z.enum(['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb'])).max(8);
/** The extension outputs the server reads (others are dropped). */
const extensionResults = z.object({
  appid: z.boolean().optional(),
  credProps: z.object({ rk: z.boolean().optional() }).optional(),
  hmacCreateSecret: z.boolean().optional(),
});

/** What both kinds of answer share: the credential's id, its type and the client's extension outputs. */
const credentialFields = {
  id: b64url(1024),
  rawId: b64url(1024),
  type: z.literal('public-key'),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults: extensionResults,
};

const registrationResponseSchema = z.object({
  ...credentialFields,
  response: z.object({
    clientDataJSON: b64url(4096),
    attestationObject: b64url(32_768),
    authenticatorData: b64url(16_384).optional(),
    transports: transports.optional(),
    publicKeyAlgorithm: z.number().int().optional(),
    publicKey: b64url(4096).optional(),
  }),
}) satisfies z.ZodType<RegistrationResponseJSON>;

const authenticationResponseSchema = z.object({
  ...credentialFields,
  response: z.object({
    clientDataJSON: b64url(4096),
    authenticatorData: b64url(4096),
    signature: b64url(1024),
    userHandle: b64url(256).optional(),
  }),
}) satisfies z.ZodType<AuthenticationResponseJSON>;

const passkeyName = z.string().trim().min(1, 'Enter a name.').max(PASSKEY_NAME_MAX);

/** The connection's challenges, made on first use. */
function challengesOf(ctx: EventContext): PasskeyChallenges {
  ctx.connection.passkeyChallenges ??= new PasskeyChallenges();
  return ctx.connection.passkeyChallenges;
}

/** The tab's session and user: what a register or confirm challenge is bound to. */
function bindingOf(ctx: EventContext, ceremony: PasskeyCeremony) {
  return ceremony === 'sign-in' ? { sessionId: null, userId: null } : { sessionId: ctx.event.sessionRow?.id ?? null, userId: ctx.user.id };
}

function text(ctx: EventContext, key: MessageKey): string {
  return messageFor(ctx.request.languageCode, key, ctx.runtime.config.auth.messages);
}

/** When each server last logged that passkeys have no origin to bind to: once a minute is enough to be seen. */
const unavailableLoggedAt = new WeakMap<EventContext['runtime'], number>();
const UNAVAILABLE_LOG_INTERVAL_MS = 60_000;

/**
 * The relying party for this tab, or a refusal when the site has no trusted
 * origin to bind passkeys to. The misconfiguration is logged at most once a
 * minute: every login page asks for sign-in options, which spend no budget.
 */
function relyingParty(ctx: EventContext): RelyingParty {
  const rp = relyingPartyFor(ctx.runtime.config, ctx.connection.origin);
  if (rp) return rp;
  const now = Date.now();
  if (now - (unavailableLoggedAt.get(ctx.runtime) ?? -Infinity) >= UNAVAILABLE_LOG_INTERVAL_MS) {
    unavailableLoggedAt.set(ctx.runtime, now);
    ctx.runtime.log.error('passkeys unavailable: set publicUrl (PUBLIC_URL); passkeys never bind to a host the request named', {
      origin: ctx.connection.origin,
    });
  }
  throw new TRPCError({ code: 'PRECONDITION_FAILED', message: text(ctx, 'passkeysUnavailable') });
}

/**
 * Runs a removal of a way to sign in holding the user's credential-change
 * slot, so two removals racing cannot both pass the "never the last way in"
 * check.
 */
async function withCredentialClaim<T>(ctx: EventContext, userId: number, work: () => Promise<T>): Promise<T> {
  const release = await ctx.runtime.limiter.claimCredentialChange(userId, ctx.runtime.config.credentials.changeLockMs);
  if (!release) throw tooManyRequests(1, 'A change for this account is already under way. Try again in a moment.');
  try {
    return await work();
  } finally {
    await release();
  }
}

async function spendIp(ctx: EventContext, scope: string): Promise<void> {
  const decision = await ctx.runtime.limiter.hitIp(scope, ctx.connection.ip);
  if (!decision.ok) throw tooManyRequests(decision.retryAfter);
}

/** Logs (without anything secret) a refused assertion; a counter regression is a warning: a cloned authenticator. */
function logRefusal(ctx: EventContext, reason: AssertionFailure, userId: number | null, what: string): void {
  if (reason === 'counter_regression') {
    ctx.runtime.log.warn('passkey counter did not grow: refused (a cloned authenticator or a replay)', { userId, ip: ctx.connection.ip });
  } else ctx.runtime.log.info(`${what} refused`, { reason, userId, ip: ctx.connection.ip });
}

/** The message for a refused assertion: an expired prompt asks to try again; anything else says no more than "not accepted". */
function assertionRefused(ctx: EventContext, reason: AssertionFailure, code: 'UNAUTHORIZED' | 'BAD_REQUEST'): TRPCError {
  return new TRPCError({ code, message: text(ctx, reason === 'challenge' ? 'passkeyExpired' : 'passkeyNotAccepted') });
}

export const passkeyProcedures = {
  /**
   * Options for **Sign in with a passkey** (and the login field's conditional
   * UI): any discoverable passkey of this site. Every login page asks for
   * them as it opens, so they spend no IP budget (an office behind one
   * address would spend it by opening the page): they read nothing, and a
   * tab holds one sign-in challenge at a time, so asking again costs a
   * message of the tab's own budget and replaces it. The sign-in spends the
   * `login` budget.
   */
  passkeySignInOptions: publicProcedure.mutation(async function passkeySignInOptions({ ctx }) {
    const rp = relyingParty(ctx);
    const { bytes } = challengesOf(ctx).issue('sign-in', bindingOf(ctx, 'sign-in'));
    return assertionOptions(ctx.db, rp, null, bytes, 'required');
  }),

  /** Signs in with a passkey: the same rotation and cookie ticket as a password, method `passkey`. */
  signInWithPasskey: publicProcedure
    .input(z.object({ response: authenticationResponseSchema, to: sitePathSchema.optional() }))
    .mutation(async function signInWithPasskey({ ctx, input }) {
      await spendIp(ctx, 'login');
      const rp = relyingParty(ctx);
      const challenge = challengesOf(ctx).take('sign-in', bindingOf(ctx, 'sign-in'));
      const outcome = await verifyPasskeyAssertion(
        ctx.db,
        { relyingParty: rp, challenge, userId: null, requireUserVerification: true },
        input.response,
      );
      const row = outcome.ok ? await findUserById(ctx.db, outcome.verified.passkey.userId, ctx.runtime.userModel) : null;
      const user = row ? await ctx.auth.completeSignIn(row, 'passkey', input.to === undefined ? {} : { to: input.to }) : false;
      if (!user) {
        const reason = outcome.ok ? 'inactive' : outcome.reason;
        const userId = outcome.ok ? outcome.verified.passkey.userId : outcome.userId;
        logRefusal(ctx, outcome.ok ? 'invalid' : outcome.reason, userId, 'passkey sign-in');
        ctx.auth.audit({
          type: 'login.failed',
          actor: null,
          target: userId === null ? null : { id: userId, username: row?.username ?? '' },
          detail: { method: 'passkey', reason },
        });
        throw outcome.ok
          ? new TRPCError({ code: 'UNAUTHORIZED', message: text(ctx, 'passkeyNotAccepted') })
          : assertionRefused(ctx, outcome.reason, 'UNAUTHORIZED');
      }
      return { username: user.username };
    }),

  /**
   * Options for the second step of a two-factor sign-in answered with a
   * passkey: only the pending user's passkeys, the challenge bound to this
   * tab and that user.
   */
  secondStepPasskeyOptions: publicProcedure.mutation(async function secondStepPasskeyOptions({ ctx }) {
    const pending = await ctx.auth.twoFactor.pendingSecondStep();
    if (!pending) throw secondStepExpired(text(ctx, 'secondStepExpired'));
    await spendIp(ctx, 'passkey-options');
    const rp = relyingParty(ctx);
    const { bytes } = challengesOf(ctx).issue('second-step', { sessionId: null, userId: pending.userId });
    return assertionOptions(ctx.db, rp, pending.userId, bytes, 'preferred');
  }),

  /**
   * Answers a pending second step with one of the user's passkeys instead of
   * a code: the same budgets, failure count and sign-in as **Verify**
   * (method `<first>+passkey`). Presence is enough here: the password
   * already proved the user.
   */
  verifySecondFactorWithPasskey: publicProcedure
    .input(z.object({ response: authenticationResponseSchema, trustDevice: z.boolean().optional() }))
    .mutation(async function verifySecondFactorWithPasskey({ ctx, input }) {
      const language = ctx.request.languageCode;
      const pending = await ctx.auth.twoFactor.admitSecondStep(language);
      const rp = relyingParty(ctx);
      const challenge = challengesOf(ctx).take('second-step', { sessionId: null, userId: pending.userId });
      const outcome = await verifyPasskeyAssertion(
        ctx.db,
        { relyingParty: rp, challenge, userId: pending.userId, requireUserVerification: false },
        input.response,
      );
      if (!outcome.ok) {
        logRefusal(ctx, outcome.reason, pending.userId, 'passkey second step');
        await ctx.auth.twoFactor.failSecondStep(pending, 'passkey');
        throw assertionRefused(ctx, outcome.reason, 'BAD_REQUEST');
      }
      const user = await ctx.auth.twoFactor.completeSecondStep(pending, 'passkey', { trustDevice: input.trustDevice === true, language });
      return { username: user.username };
    }),

  /** Options for **Confirm it's you** with one of the signed-in user's passkeys. */
  passkeyConfirmOptions: guarded(authed()).mutation(async function passkeyConfirmOptions({ ctx }) {
    await spendIp(ctx, 'passkey-options');
    const rp = relyingParty(ctx);
    const { bytes } = challengesOf(ctx).issue('confirm', bindingOf(ctx, 'confirm'));
    return assertionOptions(ctx.db, rp, ctx.user.id, bytes, 'required');
  }),

  /** **Confirm it's you** with a passkey: renews the session's `authenticatedAt`, as a password does. */
  confirmIdentityWithPasskey: guarded(authed())
    .input(z.object({ response: authenticationResponseSchema }))
    .mutation(async function confirmIdentityWithPasskey({ ctx, input }) {
      await spendIp(ctx, 'login');
      const rp = relyingParty(ctx);
      const session = ctx.event.sessionRow;
      const challenge = challengesOf(ctx).take('confirm', bindingOf(ctx, 'confirm'));
      const outcome = await verifyPasskeyAssertion(
        ctx.db,
        { relyingParty: rp, challenge, userId: ctx.user.id, requireUserVerification: true },
        input.response,
      );
      if (!outcome.ok || !session) {
        const reason = outcome.ok ? 'challenge' : outcome.reason;
        logRefusal(ctx, reason, ctx.user.id, 'passkey confirmation');
        ctx.auth.audit({ type: 'reauth.failed', detail: { method: 'passkey', reason } });
        throw assertionRefused(ctx, reason, 'BAD_REQUEST');
      }
      await markSessionAuthenticated(ctx.runtime.sessions, session.id);
      await ctx.event.reloadIdentity();
      ctx.runtime.log.info('identity confirmed', { userId: ctx.user.id, method: 'passkey' });
      ctx.auth.audit({ type: 'reauth.succeeded', detail: { method: 'passkey' } });
      return { confirmed: true as const };
    }),

  /** Settings → **Passkeys**: the user's passkeys, and whether they have a password **Remove password** could take away. */
  passkeys: guarded(authed()).query(async function passkeys({ ctx }) {
    const [list, ways] = await Promise.all([listPasskeys(ctx.db, ctx.user.id), signInWaysOf(ctx.db, ctx.runtime.config, ctx.user.id)]);
    return {
      passkeys: list,
      hasPassword: ways?.password ?? false,
      mayRemovePassword: ways ? mayRemoveSignInWay(ways, 'password') : false,
    };
  }),

  /** Options for **Add a passkey**: needs a recent proof of the user. */
  passkeyRegistrationOptions: guarded(recentAuth()).mutation(async function passkeyRegistrationOptions({ ctx }) {
    await spendIp(ctx, 'passkey-options');
    const rp = relyingParty(ctx);
    const user = ctx.user;
    const displayName = [user.firstName, user.lastName].filter(Boolean).join(' ') || user.username;
    return registrationOptions(
      ctx.db,
      rp,
      { id: user.id, username: user.username, displayName },
      (userHandle) => challengesOf(ctx).issue('register', bindingOf(ctx, 'register'), { userHandle }).bytes,
    );
  }),

  /** **Add a passkey**: verifies the browser's attestation and stores the passkey. */
  addPasskey: guarded(recentAuth())
    .input(z.object({ response: registrationResponseSchema, name: z.string().trim().max(PASSKEY_NAME_MAX).optional() }))
    .mutation(async function addPasskey({ ctx, input }) {
      await spendIp(ctx, 'passkey-register');
      const rp = relyingParty(ctx);
      const challenge = challengesOf(ctx).take('register', bindingOf(ctx, 'register'));
      const name = input.name || text(ctx, 'passkeyDefaultName');
      const outcome = await verifyRegistration(ctx.db, { relyingParty: rp, challenge, userId: ctx.user.id, name }, input.response);
      if (!outcome.ok) {
        ctx.runtime.log.info('passkey registration refused', { reason: outcome.reason, userId: ctx.user.id });
        if (outcome.reason === 'duplicate') throw new TRPCError({ code: 'CONFLICT', message: text(ctx, 'passkeyAlreadyAdded') });
        throw new TRPCError({
          code: 'BAD_REQUEST',
          message: text(ctx, outcome.reason === 'challenge' ? 'passkeyExpired' : 'passkeyNotAccepted'),
        });
      }
      ctx.runtime.log.info('passkey added', { userId: ctx.user.id, passkeyId: outcome.passkeyId });
      ctx.auth.audit({ type: 'passkey.added', detail: { name: outcome.name } });
      ctx.actions.toast('success', text(ctx, 'passkeyAdded'));
      return { id: outcome.passkeyId, name: outcome.name };
    }),

  renamePasskey: guarded(authed())
    .input(z.object({ id: z.number().int().positive(), name: passkeyName }))
    .mutation(async function renameOnePasskey({ ctx, input }) {
      if (!(await renamePasskey(ctx.db, ctx.user.id, input.id, input.name)))
        throw new TRPCError({ code: 'NOT_FOUND', message: 'No such passkey.' });
      return { id: input.id, name: input.name };
    }),

  /** **Remove** a passkey: never the last way to sign in; needs a recent proof of the user. */
  removePasskey: guarded(recentAuth())
    .input(z.object({ id: z.number().int().positive() }))
    .mutation(async function removeOnePasskey({ ctx, input }) {
      const removed = await withCredentialClaim(ctx, ctx.user.id, async () => {
        const ways = await signInWaysOf(ctx.db, ctx.runtime.config, ctx.user.id);
        const mine = (await listPasskeys(ctx.db, ctx.user.id)).some((p) => p.id === input.id);
        if (!ways || !mine) return null;
        if (!mayRemoveSignInWay(ways, 'passkey')) throw new TRPCError({ code: 'PRECONDITION_FAILED', message: text(ctx, 'lastSignInWay') });
        return deletePasskey(ctx.db, ctx.user.id, input.id);
      });
      if (!removed) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such passkey.' });
      ctx.runtime.log.info('passkey removed', { userId: ctx.user.id, passkeyId: input.id });
      ctx.auth.audit({ type: 'passkey.removed', detail: { name: removed.name } });
      ctx.actions.toast('success', text(ctx, 'passkeyRemoved'));
      return null;
    }),

  /** **Remove password**: only while a passkey remains; the user's other sessions end with it. */
  removePassword: guarded(recentAuth()).mutation(async function removeOwnPassword({ ctx }) {
    const outcome = await withCredentialClaim(ctx, ctx.user.id, () => removePassword(ctx.db, ctx.runtime.config, ctx.user.id));
    if (outcome === 'needs_passkey') throw new TRPCError({ code: 'PRECONDITION_FAILED', message: text(ctx, 'passwordNeedsPasskey') });
    if (outcome === 'no_password') throw new TRPCError({ code: 'PRECONDITION_FAILED', message: text(ctx, 'noPasswordToRemove') });
    const current = ctx.event.sessionRow?.id;
    await ctx.auth.invalidateUserSessions(ctx.user.id, current ? { except: current } : {});
    ctx.runtime.log.info('password removed', { userId: ctx.user.id });
    ctx.auth.audit({ type: 'password.removed' });
    ctx.actions.toast('success', text(ctx, 'passwordRemoved'));
    return null;
  }),
};

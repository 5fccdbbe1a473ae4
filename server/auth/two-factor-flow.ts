import { TRPCError } from '@trpc/server';
import { Refusal, tooManyRequests, validationFailed } from '../errors';
import { messageFor, type MessageKey } from '../i18n/catalog';
import { safeNextPath } from '../state/redirect';
import type { AuthApi, AuthEvent } from './auth-api';
import { lockoutKey } from './rate-limit';
import { markSessionAuthenticated, type FirstFactor, type SecondFactor, type SignInMethod } from './session';
import { setupKeyOf, totpUri } from './totp';
import {
  beginTotpSetup,
  confirmTotpSetup,
  deviceTrusted,
  endPendingSecondStep,
  failPendingSecondStep,
  findPendingSecondStep,
  removeTwoFactor,
  replaceRecoveryCodes,
  SECOND_STEP_TTL_MS,
  trustedDeviceInsert,
  twoFactorEnabled,
  twoFactorState,
  useRecoveryCode,
  verifyTotp,
  type TwoFactorState,
} from './two-factor';
import { twoFactorCookieName } from './two-factor-cookies';
import { twoFactorKeyOf } from './two-factor-key';
import { isLoggedIn, toAuthUser, type LoggedInUser } from './user';
import { findUserById } from './users';

/**
 * Two-factor sign-in over the socket: the second step a password (or an
 * HTTP sign-in) leaves pending, and Settings → **Security**. The pending
 * step lives on the connection (`AuthClient.secondStep`): another tab, or
 * another browser, cannot complete it. A step left by an HTTP sign-in lives
 * in `pending_second_steps`, named by an HttpOnly cookie the two-factor
 * page's socket carries on its upgrade (see `server/http/start-sign-in.ts`).
 */

/** A second step waiting for its factor. */
export interface PendingSecondStep {
  readonly userId: number;
  /** How the first step proved the user. */
  readonly first: FirstFactor;
  /** Where to land once done: a safe path, or null for the default. */
  readonly to: string | null;
  readonly expiresAt: number;
  /** Wrong answers so far; past {@link MAX_SECOND_STEP_FAILURES} the step ends. */
  failures: number;
  /** The `pending_second_steps` row of a step an HTTP sign-in left. */
  readonly rowId?: string;
}

/** Wrong codes one pending step takes before it ends (the account's lock-out counts them too). */
export const MAX_SECOND_STEP_FAILURES = 5;

/** The account's lock-out counter of wrong second-step answers (only a right answer clears it). */
export function secondStepLockoutKey(userId: number): string {
  return `two-factor:${userId}`;
}

/** What the second step is answered with. */
export type SecondStepAnswer = { code: string } | { recoveryCode: string };

/** The parts of `ctx.auth` a finished second step signs in through. */
export type SecondStepHost = Pick<AuthApi, 'startSession' | 'audit'>;

function sealingKey(event: AuthEvent): Buffer {
  return twoFactorKeyOf(event.runtime.config);
}

/** A refusal's text in the caller's language (`ctx.request.languageCode`), `auth.messages` applied. */
function message(event: AuthEvent, language: string, key: MessageKey): string {
  return messageFor(language, key, event.runtime.config.auth.messages);
}

/** The refusal of a second step that is gone (expired, ended, never begun): sign in again. */
export function secondStepExpired(text: string): TRPCError {
  return new TRPCError({ code: 'PRECONDITION_FAILED', message: text, cause: new Refusal('SECOND_STEP_EXPIRED') });
}

/**
 * Whether `user`, who just passed a first step on this tab, needs a second
 * one: two-factor is enabled in config and on for the user, and this browser
 * holds no live trusted-device cookie of theirs.
 */
export async function secondStepNeeded(event: AuthEvent, userId: number): Promise<boolean> {
  const { config, db } = event.runtime;
  if (!config.twoFactor.enabled || !(await twoFactorEnabled(db, userId))) return false;
  if (!config.twoFactor.trustDevice) return true;
  const device = event.conn.cookies.get(twoFactorCookieName(config, 'device', event.conn.secure));
  return !(await deviceTrusted(db, device, userId, Date.now()));
}

/** Holds a second step on this connection: 5 minutes, the user and where to land. No session exists yet. */
export function holdSecondStep(event: AuthEvent, userId: number, first: FirstFactor, to: string | null): void {
  event.conn.secondStep = { userId, first, to, expiresAt: Date.now() + SECOND_STEP_TTL_MS, failures: 0 };
}

/**
 * The second step this tab may complete: the one held on its connection,
 * else one an HTTP sign-in left in this browser (its cookie); `null` when
 * none is live.
 */
export async function pendingSecondStep(event: AuthEvent): Promise<PendingSecondStep | null> {
  const now = Date.now();
  const held = event.conn.secondStep;
  if (held && now < held.expiresAt) return held;
  event.conn.secondStep = null;
  const { config, db } = event.runtime;
  const cookie = event.conn.cookies.get(twoFactorCookieName(config, 'second_step', event.conn.secure));
  if (!cookie) return null;
  const row = await findPendingSecondStep(db, cookie, now);
  if (!row || row.failures >= MAX_SECOND_STEP_FAILURES) return null;
  return {
    userId: row.userId,
    first: row.method as FirstFactor,
    to: null,
    expiresAt: row.expiresAt,
    failures: row.failures,
    rowId: row.id,
  };
}

/** Ends a pending step: `true` for the one call that ended it. */
async function endSecondStep(event: AuthEvent, pending: PendingSecondStep): Promise<boolean> {
  if (pending.rowId !== undefined) return endPendingSecondStep(event.runtime.db, pending.rowId);
  // Held on the connection: of two answers racing on one tab, only the first finds it still there.
  if (event.conn.secondStep !== pending) return false;
  event.conn.secondStep = null;
  return true;
}

/**
 * **Verify** on the **Two-factor authentication** page: checks a code of the
 * authenticator app (±1 step, each code once) or a recovery code (once)
 * against the pending step, then signs in (see {@link completeSecondStep}).
 * Rate limited per address and locked out per account as a sign-in; a pending
 * step ends after {@link MAX_SECOND_STEP_FAILURES} wrong answers.
 */
export async function verifySecondStep(
  event: AuthEvent,
  host: SecondStepHost,
  answer: SecondStepAnswer,
  options: { trustDevice?: boolean; language?: string } = {},
): Promise<LoggedInUser> {
  const { db } = event.runtime;
  const language = options.language ?? 'en';
  const pending = await admitSecondStep(event, language);
  const now = Date.now();
  const factor: SecondFactor = 'code' in answer ? 'totp' : 'recovery-code';
  const ok =
    'code' in answer
      ? await verifyTotp(db, sealingKey(event), pending.userId, answer.code, now)
      : await useRecoveryCode(db, pending.userId, answer.recoveryCode, now);
  if (!ok) {
    await failSecondStep(event, host, pending, factor);
    throw 'code' in answer
      ? validationFailed([{ field: 'code', code: 'code_incorrect', message: message(event, language, 'codeIncorrect') }])
      : validationFailed([
          { field: 'recoveryCode', code: 'recovery_code_incorrect', message: message(event, language, 'recoveryCodeIncorrect') },
        ]);
  }
  const target = { id: pending.userId, username: '' };
  if (factor === 'recovery-code') host.audit({ type: 'recovery_code.used', actor: target, target });
  return completeSecondStep(event, host, pending, factor, options);
}

/**
 * The pending second step this tab may answer now: refused when there is
 * none, when the address spent its `two-factor` budget, or while the account
 * is locked out by wrong answers. Every factor (code, recovery code,
 * passkey) passes here before it is checked.
 */
export async function admitSecondStep(event: AuthEvent, language = 'en'): Promise<PendingSecondStep> {
  const { limiter } = event.runtime;
  const pending = await pendingSecondStep(event);
  if (!pending) throw secondStepExpired(message(event, language, 'secondStepExpired'));
  const ip = await limiter.hitIp('two-factor', event.conn.ip);
  if (!ip.ok) throw tooManyRequests(ip.retryAfter);
  // A counter of its own: a right password clears the sign-in one, and must not clear this.
  const account = await limiter.checkAccount(secondStepLockoutKey(pending.userId));
  if (!account.ok) throw tooManyRequests(account.retryAfter);
  return pending;
}

/**
 * Counts a wrong answer to a pending second step: against the account's
 * lock-out and the step itself (which ends after
 * {@link MAX_SECOND_STEP_FAILURES}), logged and audited without the answer.
 */
export async function failSecondStep(
  event: AuthEvent,
  host: Pick<AuthApi, 'audit'>,
  pending: PendingSecondStep,
  factor: SecondFactor,
): Promise<void> {
  const { limiter, db } = event.runtime;
  await limiter.failAccount(secondStepLockoutKey(pending.userId));
  pending.failures += 1;
  const failures = pending.rowId === undefined ? pending.failures : await failPendingSecondStep(db, pending.rowId);
  if (failures >= MAX_SECOND_STEP_FAILURES) await endSecondStep(event, pending);
  event.runtime.log.info('second step failed', { userId: pending.userId, ip: event.conn.ip, factor });
  host.audit({ type: 'two_factor.failed', actor: null, target: { id: pending.userId, username: '' }, detail: { factor } });
}

/**
 * Completes a pending second step with a factor the caller has verified
 * already: ends the step (once), then signs the user in as every method
 * does: rotation, the cookie ticket (carrying the trusted-device cookie when
 * asked), `login.succeeded` with the method `<first>+<factor>`. The one way
 * out of a second step: a passkey, once verified, comes in here too.
 *
 * @example
 * const user = await completeSecondStep(event, ctx.auth, pending, 'totp', { trustDevice: true });
 */
export async function completeSecondStep(
  event: AuthEvent,
  host: SecondStepHost,
  pending: PendingSecondStep,
  factor: SecondFactor,
  options: { trustDevice?: boolean; language?: string } = {},
): Promise<LoggedInUser> {
  const { db, config, userModel, log } = event.runtime;
  const language = options.language ?? 'en';
  if (!(await endSecondStep(event, pending))) throw secondStepExpired(message(event, language, 'secondStepExpired'));
  await event.runtime.limiter.clearAccount(secondStepLockoutKey(pending.userId));
  const row = await findUserById(db, pending.userId, userModel);
  if (!row?.isActive) throw secondStepExpired(message(event, language, 'secondStepExpired'));
  const now = Date.now();
  const user = toAuthUser({ ...row, lastLogin: now }, userModel);
  // The trusted device is one of the sign-in's rows: committed with its session, or not at all.
  const device = options.trustDevice && config.twoFactor.trustDevice ? trustedDeviceInsert(db, row.id, now) : null;
  const signInMethod: SignInMethod = `${pending.first}+${factor}`;
  const landing = pending.to ?? landingOf(event);
  await host.startSession(user, landing, {
    signInMethod,
    deviceToken: device?.token,
    signedIn: {
      at: now,
      audit: { type: 'login.succeeded', actor: user, detail: { method: signInMethod } },
      writes: device ? [device.insert] : [],
    },
  });
  log.info('login', { userId: user.id, ip: event.conn.ip, method: signInMethod });
  return user;
}

/** A safe `?next=` of the page the tab shows, else the configured landing page. */
function landingOf(event: AuthEvent): string {
  return safeNextPath(new URLSearchParams(event.conn.query).get('next')) ?? event.runtime.config.auth.loginRedirectUrl;
}

function requireUser(event: AuthEvent): LoggedInUser {
  const user = event.user;
  if (!isLoggedIn(user)) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Please sign in to continue.' });
  return user;
}

function twoFactorOffered(event: AuthEvent): void {
  if (!event.runtime.config.twoFactor.enabled) throw new TRPCError({ code: 'FORBIDDEN', message: 'Two-factor sign-in is disabled.' });
}

/** What Settings → **Security** shows. `available` false: two-factor is disabled in config. */
export async function twoFactorStatus(event: AuthEvent): Promise<TwoFactorState & { available: boolean }> {
  const user = requireUser(event);
  const state = await twoFactorState(event.runtime.db, user.id);
  return { ...state, available: event.runtime.config.twoFactor.enabled };
}

/**
 * **Set up authenticator app**: a new key, kept sealed until confirmed. The
 * one answer that carries the secret: the **Setup key** and the
 * `otpauth://` URI the page draws as a QR code.
 */
export async function beginTwoFactorSetup(event: AuthEvent): Promise<{ setupKey: string; uri: string }> {
  twoFactorOffered(event);
  const user = requireUser(event);
  const key = await beginTotpSetup(event.runtime.db, sealingKey(event), user.id, Date.now());
  if (!key) throw new TRPCError({ code: 'CONFLICT', message: 'Two-factor authentication is on already.' });
  return { setupKey: setupKeyOf(key), uri: totpUri(event.runtime.config.siteName, user.username, key) };
}

/** **Turn on two-factor**: a code of the new key turns it on; answers the recovery codes, shown once. */
export async function enableTwoFactor(event: AuthEvent, host: SecondStepHost, code: string, language = 'en'): Promise<string[]> {
  twoFactorOffered(event);
  const user = requireUser(event);
  const { limiter, db } = event.runtime;
  const ip = await limiter.hitIp('two-factor', event.conn.ip);
  if (!ip.ok) throw tooManyRequests(ip.retryAfter);
  const codes = await confirmTotpSetup(db, sealingKey(event), user.id, code, Date.now());
  if (!codes) throw validationFailed([{ field: 'code', code: 'code_incorrect', message: message(event, language, 'codeIncorrect') }]);
  event.runtime.log.info('two-factor on', { userId: user.id });
  host.audit({ type: 'two_factor.enabled' });
  return codes;
}

/** **Regenerate**: new recovery codes replace the old ones (behind `recentAuth()`). */
export async function regenerateRecoveryCodes(event: AuthEvent, host: SecondStepHost): Promise<string[]> {
  const user = requireUser(event);
  if (!(await twoFactorEnabled(event.runtime.db, user.id))) {
    throw new TRPCError({ code: 'PRECONDITION_FAILED', message: 'Two-factor authentication is off.' });
  }
  const codes = await replaceRecoveryCodes(event.runtime.db, user.id, Date.now());
  host.audit({ type: 'recovery_codes.regenerated' });
  return codes;
}

/**
 * **Turn off two-factor** (behind `recentAuth()`): the key, the recovery
 * codes and every trusted device go, and the user's other sessions end.
 */
export async function disableTwoFactor(event: AuthEvent, host: Pick<AuthApi, 'audit' | 'invalidateUserSessions'>): Promise<void> {
  const user = requireUser(event);
  if (!(await removeTwoFactor(event.runtime.db, user.id))) return;
  const current = event.sessionRow?.id;
  await host.invalidateUserSessions(user.id, current ? { except: current } : {});
  event.runtime.log.info('two-factor off', { userId: user.id });
  host.audit({ type: 'two_factor.disabled' });
}

/**
 * **Confirm it's you** with an **Authentication code**: checks a code of the
 * signed-in user's app (each code once) and records the proof on the
 * session. Rate limited and locked out as a sign-in.
 */
export async function confirmIdentityWithCode(event: AuthEvent, host: SecondStepHost, code: string, language = 'en'): Promise<void> {
  const user = requireUser(event);
  const { limiter, db } = event.runtime;
  const session = event.sessionRow;
  const ip = await limiter.hitIp('login', event.conn.ip);
  if (!ip.ok) throw tooManyRequests(ip.retryAfter);
  const lockout = lockoutKey(user.id, user.username);
  const account = await limiter.checkAccount(lockout);
  if (!account.ok) throw tooManyRequests(account.retryAfter);
  const ok = event.runtime.config.twoFactor.enabled && (await verifyTotp(db, sealingKey(event), user.id, code, Date.now()));
  if (!ok || !session) {
    await limiter.failAccount(lockout);
    host.audit({ type: 'reauth.failed', detail: { method: 'totp' } });
    throw validationFailed([{ field: 'code', code: 'code_incorrect', message: message(event, language, 'codeIncorrect') }]);
  }
  await limiter.clearAccount(lockout);
  await markSessionAuthenticated(event.runtime.sessions, session.id);
  await event.reloadIdentity();
  host.audit({ type: 'reauth.succeeded', detail: { method: 'totp' } });
}

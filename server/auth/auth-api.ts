import { TRPCError } from '@trpc/server';
import type { Database } from '../../db/client';
import { yieldToEvents, type BackgroundTask } from '../background';
import type { StatehouseConfig } from '../config';
import { tooManyRequests, validationFailed } from '../errors';
import type { Logger } from '../log';
import type { Mailer } from '../mail/mailer';
import type { ClientAction } from '../state/protocol';
import { safeNextPath } from '../state/redirect';
import type { AuditEntry, AuditLog } from './audit';
import type { IdentityEvent } from './identity-event';
import type { HashingPool } from './hashing-pool';
import { dummyVerify, hashingParams, isUsablePasswordHash, verifyPassword, type PasswordHashing } from './password';
import { lockoutKey, type RateLimiter, type ReleaseClaim } from './rate-limit';
import { groupHeld, permissionHeld } from './permissions';
import {
  invalidateSession,
  invalidateUserSessions,
  listUserSessions,
  markSessionAuthenticated,
  type Session,
  type SessionSettings,
  type SignInMethod,
} from './session';
import { rotateForSignIn } from './sign-in-rotation';
import { deleteUserEverywhere } from './delete-user';
import type { DatabaseWrites, SessionBackend } from './session-backend';
import { isLoggedIn, toAuthUser, type AuthUser, type LoggedInUser } from './user';
import type { UserModel } from './user-model';
import type { RegistrationFields } from '../state/protocol';
import type { UserRow } from '../../db/schema';
import { createUser, findUserByEmail, findUserById, findUserByLogin, recordLoginUpdate, setUserPassword, type NewUser } from './users';
import { cookieTicketInsert } from './tickets';
import { checkPasswordResetToken, consumePasswordResetToken, issuePasswordResetToken } from './password-reset';
import { issueUserToken } from './user-tokens';
import { SIGN_IN_LINK_ENDPOINT, TWO_FACTOR_PATH } from '../state/protocol';
import { validatePassword } from './password-validation';
import type { RecentRotations } from './recent-rotations';
import { linkBaseOf, mailAddressOwner, mayMailTo } from './auth-mail';
import { mailAddressProof, requestEmailChange, resendVerificationEmail, verifyEmail } from './email-verification-flow';
import { holdSecondStep, secondStepNeeded, type PendingSecondStep } from './two-factor-flow';
import { TwoFactorApi } from './two-factor-api';

/** `login()`'s answer when the password was right and a second step (two-factor) is pending: no session yet. */
export interface SecondStepPending {
  readonly secondStep: true;
  /** Where the tab goes to answer it: the **Two-factor authentication** page, `?next=` kept. */
  readonly to: string;
}

/** Whether `login()` left a second step pending rather than signing in. */
export function isSecondStepPending(outcome: LoggedInUser | SecondStepPending | false): outcome is SecondStepPending {
  return outcome !== false && 'secondStep' in outcome;
}

export type LoginField = 'username' | 'email';

export interface LoginOptions {
  /** Which fields `loginId` is matched against (default: `auth.loginFields`). */
  loginFields?: readonly LoginField[];
  /** Where to go after the cookie sync (default: a safe `?next=` of the page, else `auth.loginRedirectUrl`). */
  to?: string;
}

export interface LogoutOptions {
  /**
   * Where this tab lands once signed out: a path on this site (default:
   * `auth.logoutRedirectUrl`, else `auth.loginUrl`; a path elsewhere falls
   * back to it). The session's other tabs land on the default.
   */
  to?: string;
}

/** The services `ctx.auth` uses: the runtime's, as far as auth needs them. */
export interface AuthServices {
  readonly config: StatehouseConfig;
  readonly db: Database;
  readonly log: Logger;
  readonly limiter: RateLimiter;
  readonly mailer: Mailer;
  readonly sessionSettings: SessionSettings;
  /** Where sessions are kept. */
  readonly sessions: SessionBackend;
  /** The server's hashing threads. */
  readonly hashing: HashingPool;
  /** Sessions rotated recently, so a sibling that finds its session gone follows instead of logging out. */
  readonly rotations: RecentRotations;
  /** The app's user fields (`defineUserModel`): users are read and created with them. */
  readonly userModel: UserModel;
  /** Where identity changes are announced, so every open tab follows. */
  readonly bus: { publish(event: IdentityEvent): Promise<void> };
  /** The security audit log. */
  readonly audit: Pick<AuditLog, 'record' | 'insert' | 'committed'>;
}

/** The tab an event came from, as far as auth looks at it. */
export interface AuthClient {
  readonly ip: string;
  /** Cookies are the `Secure`, `__Host-` ones for this tab. */
  readonly secure: boolean;
  /** The tab's cookies as the server knows them (its cookie mirror). */
  readonly cookies: { get(name: string): string | undefined };
  /** A second step (two-factor) held on this tab since its password step, if any. */
  secondStep: PendingSecondStep | null;
  /** The origin the tab's socket was opened from. */
  readonly origin: string;
  readonly headers: { get(name: string): string | null };
  /** The query of the page the tab shows (its route mirror; it may carry `?next=`). */
  readonly query: string;
}

/**
 * What `ctx.auth` acts through: one event's identity and the ways to change
 * it. The bridge's `StateEvent` is one; auth itself never sees the bridge.
 */
export interface AuthEvent {
  readonly runtime: AuthServices;
  readonly conn: AuthClient;
  readonly user: AuthUser;
  readonly sessionRow: Session | null;
  readonly actions: { replaceCookieAction(action: ClientAction): unknown };
  /** Switches the tab to a new session (its cookie mirror at once). */
  adoptSession(token: string, session: Session, user: AuthUser | null): void;
  /** Forgets the tab's session (logout). */
  dropSession(): void;
  /** Reads the session and its user again from the database (the user row changed). */
  reloadIdentity(): Promise<void>;
  /** Logout's cookie action for a tab bound to `boundSessionId`, landing on `to` (else the configured page). */
  clearAuthAction(boundSessionId: string | null, to?: string): ClientAction;
  /** The action that redeems `ticket`, issued for the current session. */
  cookieSyncActionFor(ticket: string, to: string | null): ClientAction;
  /** Runs `task` once the event's reply is written. */
  afterReply(task: BackgroundTask): void;
  /** Adds the client actions an app-wide hook answered to the event's reply (see `HookAnswer`). */
  addHookActions(hook: keyof StatehouseConfig['hooks'], answer: unknown): void;
}

/** An audit entry as `ctx.auth.audit` takes it: the event adds the address and user agent (and the actor, unless named). */
export type EventAuditEntry = Omit<AuditEntry, 'ip' | 'userAgent' | 'via'> & { via?: AuditEntry['via'] };

export interface StartSessionOptions {
  /** How the user proved who they are (`password`, `passkey`, `password+totp`…): shown in the sessions list. */
  signInMethod?: SignInMethod;
  /** A trusted-device token for the cookie endpoint to set beside the session's. */
  deviceToken?: string | undefined;
  /**
   * A sign-in: the user's `last_login` is set to `at` and `audit` recorded,
   * in the session's transaction, with `writes` (more rows of the sign-in's
   * own, such as a trusted device).
   */
  signedIn?: { at: number; audit?: EventAuditEntry; writes?: DatabaseWrites };
}

/** An emailed sign-in link lives 15 minutes. */
export const SIGN_IN_LINK_TTL_MS = 15 * 60 * 1000;

/** Longest login id and password a login looks at (longer input is a validation error upstream). */
const MAX_LOGIN_INPUT = 256;

/**
 * `ctx.auth`: identity operations of one event. Each one updates this
 * connection's cookie mirror at once, so the very next event on the socket
 * sees the new identity, and tells the browser through a cookie action.
 */
export class AuthApi {
  constructor(private readonly event: AuthEvent) {}

  private get runtime() {
    return this.event.runtime;
  }

  /**
   * Signs in. Returns the user, or `false` for bad credentials: the same
   * answer and similar timing for an unknown login id and a wrong password.
   * Rate limited per IP and per account (a limited attempt is not evaluated).
   * With two-factor on for the user (and this browser not trusted), no
   * session is created: a second step is held on this tab and the answer is
   * {@link SecondStepPending} (see `isSecondStepPending`).
   *
   * @example
   * const user = await ctx.auth.login(input.username, input.password);
   * if (!user) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Wrong credentials' });
   * if (isSecondStepPending(user)) ctx.actions.navigate(user.to);
   */
  async login(loginId: string, password: string, options: LoginOptions = {}): Promise<LoggedInUser | SecondStepPending | false> {
    const { config, limiter, db } = this.runtime;
    const conn = this.event.conn;
    const ip = await limiter.hitIp('login', conn.ip);
    if (!ip.ok) throw tooManyRequests(ip.retryAfter);
    // The lookup and the verify's handoff on a turn after the socket message's parsing and validation.
    await yieldToEvents();
    const fields = options.loginFields ?? config.auth.loginFields;
    const row =
      loginId.length <= MAX_LOGIN_INPUT && password.length <= MAX_LOGIN_INPUT
        ? await findUserByLogin(db, loginId, fields, {
            verifiedEmailOnly: config.auth.emailVerification !== 'off',
            model: this.runtime.userModel,
          })
        : null;
    // One counter per account, whichever of its login fields was typed.
    const lockout = lockoutKey(row?.id ?? null, loginId);
    const account = await limiter.checkAccount(lockout);
    if (!account.ok) throw tooManyRequests(account.retryAfter);
    // An account without a usable password pays the verify an unknown user pays.
    const hashing = this.hashing();
    const ok =
      row && isUsablePasswordHash(row.passwordHash)
        ? await verifyPassword(password, row.passwordHash, hashing)
        : await dummyVerify(password, hashing);
    // The verify answered in a hashing thread's message; what follows (writes,
    // the session, the ticket) starts on a turn of its own, after other tabs' events.
    await yieldToEvents();
    if (!row || !ok || !row.isActive) {
      await limiter.failAccount(lockout);
      this.runtime.log.info('login failed', { ip: conn.ip });
      // The account a known login id names; never the typed id itself (it may be a mistyped password).
      this.audit({ type: 'login.failed', actor: null, target: row ? { id: row.id, username: row.username } : null });
      if (config.hooks.onAuthFailed) this.event.addHookActions('onAuthFailed', await config.hooks.onAuthFailed({ loginId, ip: conn.ip }));
      return false;
    }
    await limiter.clearAccount(lockout);
    if (await secondStepNeeded(this.event, row.id)) {
      const to = options.to === undefined ? null : (safeNextPath(options.to) ?? config.auth.loginRedirectUrl);
      holdSecondStep(this.event, row.id, 'password', to);
      this.runtime.log.info('login: second step pending', { userId: row.id, ip: conn.ip });
      const next = to ?? new URLSearchParams(conn.query).get('next');
      const page = TWO_FACTOR_PATH + (safeNextPath(next) ? `?next=${encodeURIComponent(safeNextPath(next)!)}` : '');
      return { secondStep: true, to: page };
    }
    const now = Date.now();
    const user = toAuthUser({ ...row, lastLogin: now }, this.runtime.userModel);
    await this.startSession(user, options.to ?? this.defaultRedirect(), {
      signedIn: { at: now, audit: { type: 'login.succeeded', actor: user, detail: { method: 'password' } } },
    });
    this.runtime.log.info('login', { userId: user.id, ip: conn.ip });
    return user;
  }

  /**
   * Signs in a user whom another method proved on this tab (a passkey): the
   * same last step as {@link login}: the login recorded, the session rotated
   * with `method` on it, the cookie synced by ticket, the sign-in audited.
   * An inactive user is refused (`false`), as a login is.
   */
  async completeSignIn(row: UserRow, method: SignInMethod, options: { to?: string } = {}): Promise<LoggedInUser | false> {
    if (!row.isActive) return false;
    const now = Date.now();
    const user = toAuthUser({ ...row, lastLogin: now }, this.runtime.userModel);
    await this.startSession(user, options.to ?? this.defaultRedirect(), {
      signInMethod: method,
      signedIn: { at: now, audit: { type: 'login.succeeded', actor: user, detail: { method } } },
    });
    this.runtime.log.info('login', { userId: user.id, ip: this.event.conn.ip, method });
    return user;
  }

  /**
   * Signs out: deletes the session, strips the cookie from the mirror, tells
   * every other tab of this session, and answers `clearAuthThenNavigate` to
   * `options.to` (see {@link LogoutOptions}).
   *
   * @example
   * await ctx.auth.logout({ to: '/goodbye' });
   */
  async logout(options: LogoutOptions = {}): Promise<void> {
    const session = this.event.sessionRow;
    const user = this.event.user;
    const userId = user.id;
    this.event.dropSession();
    this.event.actions.replaceCookieAction(this.event.clearAuthAction(session?.id ?? null, options.to));
    if (session) {
      await invalidateSession(this.runtime.sessions, session.id);
      await this.runtime.bus.publish({ type: 'sessions-ended', sessionIds: [session.id], reason: 'logout' });
      this.runtime.log.info('logout', { userId });
      if (isLoggedIn(user)) this.audit({ type: 'logout', actor: user });
    }
  }

  /**
   * Creates an account (when signup is enabled) and signs it in. A taken
   * username is a field error (usernames are public); an address that
   * belongs to another account is not: the account is created without it,
   * answered exactly as any sign-up, and the address's owner is mailed after
   * the reply.
   */
  async register(
    input: Omit<NewUser, 'fields'> & { password: string; fields?: RegistrationFields | Record<string, unknown> },
    options: { to?: string } = {},
  ): Promise<LoggedInUser> {
    const { config, limiter, db } = this.runtime;
    if (!config.auth.signupEnabled) throw new TRPCError({ code: 'FORBIDDEN', message: 'Sign-up is disabled.' });
    const fields = registrationFields(this.runtime.userModel, input.fields);
    const ip = await limiter.hitIp('signup', this.event.conn.ip);
    if (!ip.ok) throw tooManyRequests(ip.retryAfter);
    // An address that is already registered is left off, not refused: the answer never tells.
    const created = await createUser(
      db,
      {
        username: input.username,
        email: input.email,
        password: input.password,
        firstName: input.firstName,
        lastName: input.lastName,
        fields,
      },
      { hashing: this.hashing(), rules: config.password, ifEmailTaken: 'leaveEmpty', model: this.runtime.userModel },
    );
    if (!created.ok) throw validationFailed(created.errors);
    // A verified holder (or any, without verification) is told; otherwise the address gets a link to prove it.
    const holder = created.emailTakenBy;
    const verification = config.auth.emailVerification;
    if (holder && (verification === 'off' || holder.emailVerified)) this.event.afterReply(() => this.mailAddressOwner(holder));
    else if (verification !== 'off') mailAddressProof(this.event, created.value, created.value.email ?? created.value.pendingEmail);
    const now = Date.now();
    const user = toAuthUser({ ...created.value, lastLogin: now }, this.runtime.userModel);
    await this.startSession(user, options.to ?? this.defaultRedirect(), { signedIn: { at: now } });
    this.runtime.log.info('signup', { userId: user.id });
    return user;
  }

  /**
   * Changes the signed-in user's password after checking the current one:
   * every other session of the user ends (pushed to their tabs), and this one
   * gets a new id.
   */
  async changePassword(currentPassword: string, newPassword: string): Promise<void> {
    const { config, limiter, db } = this.runtime;
    const user = this.requireUser();
    const ip = await limiter.hitIp('change-password', this.event.conn.ip);
    if (!ip.ok) throw tooManyRequests(ip.retryAfter);
    const lockout = lockoutKey(user.id, user.username);
    const account = await limiter.checkAccount(lockout);
    if (!account.ok) throw tooManyRequests(account.retryAfter);
    const release = await this.claimCredentialChange(user.id);
    try {
      const row = await findUserById(db, user.id);
      const hashing = this.hashing();
      if (!row || !(await verifyPassword(currentPassword, row.passwordHash, hashing))) {
        await limiter.failAccount(lockout);
        throw validationFailed([
          { field: 'currentPassword', code: 'password_incorrect', message: 'Your old password was entered incorrectly.' },
        ]);
      }
      const result = await setUserPassword(db, row, newPassword, { hashing, rules: config.password });
      if (!result.ok) throw validationFailed(result.errors.map((e) => ({ ...e, field: 'newPassword' })));
      await this.rotateAfterCredentialChange(user, 'password-changed');
      this.audit({ type: 'password.changed', actor: user });
    } finally {
      await release();
    }
  }

  /**
   * Ends every session of `userId` but `except`, and pushes the sign-out to
   * their open tabs. Returns the ended session ids.
   */
  async invalidateUserSessions(userId: number, options: { except?: string } = {}): Promise<string[]> {
    const ids = await invalidateUserSessions(this.runtime.sessions, userId, options);
    if (ids.length > 0) {
      await this.runtime.bus.publish({ type: 'sessions-ended', sessionIds: ids, reason: 'revoked' });
      const actor = isLoggedIn(this.event.user) ? this.event.user : null;
      const target = actor?.id === userId ? actor : { id: userId, username: '' };
      this.audit({ type: 'session.revoked', actor, target, detail: { sessions: ids.length } });
    }
    return ids;
  }

  /** Ends one session of the signed-in user (e.g. from a "your sessions" page). */
  async revokeSession(sessionId: string): Promise<boolean> {
    const user = this.requireUser();
    const mine = (await listUserSessions(this.runtime.sessions, user.id)).some((s) => s.id === sessionId);
    if (!mine) return false;
    if (sessionId === this.event.sessionRow?.id) {
      await this.logout();
      return true;
    }
    await invalidateSession(this.runtime.sessions, sessionId);
    await this.runtime.bus.publish({ type: 'sessions-ended', sessionIds: [sessionId], reason: 'revoked' });
    this.audit({ type: 'session.revoked', actor: user, detail: { sessions: 1 } });
    return true;
  }

  /** The signed-in user's live sessions, the current one flagged. */
  async sessions(): Promise<(Session & { current: boolean })[]> {
    const user = this.requireUser();
    const current = this.event.sessionRow?.id;
    return (await listUserSessions(this.runtime.sessions, user.id)).map((s) => ({ ...s, current: s.id === current }));
  }

  /**
   * Emails a reset link when an account has this address. Answers the same
   * way whether or not it does: before the reply only the per-address budget
   * is checked; the lookup and the mail run in the background once the reply
   * is written (`runtime.background`).
   */
  async requestPasswordReset(email: string): Promise<void> {
    const { config, limiter, db, mailer, log } = this.runtime;
    if (!config.auth.passwordResetEnabled) throw new TRPCError({ code: 'FORBIDDEN', message: 'Password reset is disabled.' });
    const ip = await limiter.hitIp('reset', this.event.conn.ip);
    if (!ip.ok) throw tooManyRequests(ip.retryAfter);
    const base = this.linkBase();
    const work = async () => {
      if (base === null) {
        log.error('password reset not mailed: set publicUrl (PUBLIC_URL); links never use a host the request named', {
          origin: this.event.conn.origin,
        });
        return;
      }
      const row = await findUserByEmail(db, email);
      if (!row?.isActive || !row.email) return;
      // An unverified address is no reset target.
      if (config.auth.emailVerification !== 'off' && !row.emailVerified) return;
      if (!(await this.mayMail(row.email, row.id))) return;
      const token = await issuePasswordResetToken(db, row.id, config.passwordReset.tokenTtlMs);
      const link = `${base.replace(/\/$/, '')}${config.auth.passwordResetUrl}/${token}`;
      const minutes = Math.round(config.passwordReset.tokenTtlMs / 60_000);
      await mailer.send({
        to: row.email,
        subject: `Password reset on ${config.siteName}`,
        text:
          `Hello ${row.username},\n\nSomeone asked to reset the password of your account on ${config.siteName}.\n` +
          `If it was you, open this link within ${minutes} minutes:\n\n${link}\n\n` +
          'If it was not you, ignore this message: your password stays as it is.\n',
      });
      log.info('password reset mailed', { userId: row.id });
    };
    // Not started before the reply is written: its lookup cannot time the answer.
    this.event.afterReply(work);
  }

  private mayMail(address: string, userId: number): Promise<boolean> {
    return mayMailTo(this.runtime, address, userId);
  }

  /**
   * Emails a single-use sign-in link (`auth.magicLink`) when an active
   * account has this address. Answers the same way whether or not it does:
   * before the reply only the per-address budget is checked; the lookup, the
   * per-account and per-recipient budgets and the mail run after it. The link
   * signs in whichever browser opens it (`GET /auth/link/<token>`).
   */
  async requestSignInLink(email: string): Promise<void> {
    const { config, limiter, db, mailer, log } = this.runtime;
    if (!config.auth.magicLink) throw new TRPCError({ code: 'FORBIDDEN', message: 'Sign-in links are disabled.' });
    const ip = await limiter.hitIp('sign-in-link', this.event.conn.ip);
    if (!ip.ok) throw tooManyRequests(ip.retryAfter);
    const base = this.linkBase();
    this.event.afterReply(async () => {
      if (base === null) {
        log.error('sign-in link not mailed: set publicUrl (PUBLIC_URL); links never use a host the request named', {
          origin: this.event.conn.origin,
        });
        return;
      }
      const row = await findUserByEmail(db, email);
      if (!row?.isActive || !row.email) return;
      const budget = { burst: config.rateLimit.recipientMailBurst, perMinute: config.rateLimit.recipientMailsPerHour / 60 };
      if (!(await limiter.hitIp('sign-in-link-account', String(row.id), budget)).ok) return;
      if (!(await this.mayMail(row.email, row.id))) return;
      const token = await issueUserToken(db, 'sign_in_link', row.id, SIGN_IN_LINK_TTL_MS);
      const link = `${base.replace(/\/$/, '')}${SIGN_IN_LINK_ENDPOINT}/${token}`;
      await mailer.send({
        to: row.email,
        subject: `Sign in to ${config.siteName}`,
        text:
          `Hello ${row.username},\n\nSomeone asked for a link to sign in to ${config.siteName}.\n` +
          `If it was you, open this link within ${SIGN_IN_LINK_TTL_MS / 60_000} minutes, in the browser you want to be signed in:\n\n${link}\n\n` +
          'It works once. If it was not you, ignore this message: nobody is signed in without the link.\n',
      });
      log.info('sign-in link mailed', { userId: row.id });
    });
  }

  /**
   * Tells an address's owner that someone signed up with it (the sign-up got
   * an account without the address). Names nothing of the new account.
   */
  private mailAddressOwner(owner: UserRow): Promise<void> {
    return mailAddressOwner(this.runtime, this.linkBase(), owner);
  }

  /** Whether a reset link is still usable (without using it up). */
  async checkPasswordResetToken(token: string): Promise<boolean> {
    return (await checkPasswordResetToken(this.runtime.db, token)) !== null;
  }

  /**
   * Sets a new password from a reset link: the link is used up, every session
   * of the user ends (pushed to open tabs), and this tab is signed in; with
   * two-factor on, it is sent to the second step instead (a mailbox is not a
   * second factor), answered as {@link SecondStepPending}.
   */
  async confirmPasswordReset(token: string, newPassword: string): Promise<LoggedInUser | SecondStepPending> {
    const { config, limiter, db } = this.runtime;
    const ip = await limiter.hitIp('reset-confirm', this.event.conn.ip);
    if (!ip.ok) throw tooManyRequests(ip.retryAfter);
    const userId = await checkPasswordResetToken(db, token);
    const row = userId === null ? null : await findUserById(db, userId, this.runtime.userModel);
    if (!row?.isActive) throw invalidResetLink();
    const problems = validatePassword(newPassword, config.password, row);
    if (problems.length > 0) throw validationFailed(problems.map((p) => ({ field: 'newPassword', code: p.code, message: p.message })));
    const release = await this.claimCredentialChange(row.id);
    try {
      if ((await consumePasswordResetToken(db, token)) !== row.id) throw invalidResetLink();
      const result = await setUserPassword(db, row, newPassword, { hashing: this.hashing(), rules: config.password });
      if (!result.ok) throw validationFailed(result.errors.map((e) => ({ ...e, field: 'newPassword' })));
      // The user's other sessions end; this tab's own (anonymous, or already the
      // user's) is rotated, so the browser's other tabs follow it instead of
      // answering a logout that would end the new session.
      const keep = this.event.sessionRow?.userId === row.id ? this.event.sessionRow.id : undefined;
      const ended = await invalidateUserSessions(this.runtime.sessions, row.id, keep ? { except: keep } : {});
      if (ended.length > 0) await this.runtime.bus.publish({ type: 'sessions-ended', sessionIds: ended, reason: 'password-reset' });
      // A tab already signed in as the user passed its second step; any other needs it now.
      if (!keep && (await secondStepNeeded(this.event, row.id))) {
        holdSecondStep(this.event, row.id, 'password', null);
        this.runtime.log.info('password reset: second step pending', { userId: row.id });
        this.audit({ type: 'password.reset', actor: { id: row.id, username: row.username } });
        return { secondStep: true, to: TWO_FACTOR_PATH };
      }
      const now = Date.now();
      const user = toAuthUser({ ...row, lastLogin: now }, this.runtime.userModel);
      await this.startSession(user, config.auth.loginRedirectUrl, {
        signedIn: { at: now, audit: { type: 'password.reset', actor: user } },
      });
      this.runtime.log.info('password reset', { userId: row.id });
      return user;
    } finally {
      await release();
    }
  }

  /**
   * **Resend verification email**: a new link for the signed-in user's
   * unverified or pending address (rate limited per account and address).
   */
  resendVerificationEmail(): Promise<void> {
    return resendVerificationEmail(this.event, this.requireUser());
  }

  /** **Change email**: mails a link to `email`; it replaces the current address once opened. */
  requestEmailChange(email: string): Promise<void> {
    return requestEmailChange(this.event, this.requireUser(), email);
  }

  /** Uses an email verification link; `false` when it is invalid, used or expired. */
  verifyEmail(token: string): Promise<boolean> {
    return verifyEmail(this.event, token);
  }

  /**
   * **Confirm it's you**: checks the signed-in user's password and records
   * the proof on the session (what `recentAuth()` reads). Rate limited and
   * locked out as a sign-in; a wrong password is a field error on `password`.
   */
  async confirmIdentity(password: string): Promise<void> {
    const { limiter, db } = this.runtime;
    const user = this.requireUser();
    const session = this.event.sessionRow;
    const ip = await limiter.hitIp('login', this.event.conn.ip);
    if (!ip.ok) throw tooManyRequests(ip.retryAfter);
    const lockout = lockoutKey(user.id, user.username);
    const account = await limiter.checkAccount(lockout);
    if (!account.ok) throw tooManyRequests(account.retryAfter);
    const row = await findUserById(db, user.id);
    const hashing = this.hashing();
    const ok =
      row && isUsablePasswordHash(row.passwordHash)
        ? await verifyPassword(password, row.passwordHash, hashing)
        : await dummyVerify(password, hashing);
    if (!ok || !session) {
      await limiter.failAccount(lockout);
      this.audit({ type: 'reauth.failed' });
      throw validationFailed([{ field: 'password', code: 'password_incorrect', message: 'Your password was entered incorrectly.' }]);
    }
    await limiter.clearAccount(lockout);
    await markSessionAuthenticated(this.runtime.sessions, session.id);
    await this.event.reloadIdentity();
    this.runtime.log.info('identity confirmed', { userId: user.id });
    this.audit({ type: 'reauth.succeeded', detail: { method: 'password' } });
  }

  /**
   * Deletes the signed-in user's account: `hooks.onDeleteUser` first (the
   * app's own rows), then every session with its data, the user's tokens and
   * the user. Every open tab of the user is signed out. Audited as
   * `account.deleted`.
   */
  async deleteAccount(): Promise<void> {
    const user = this.requireUser();
    await deleteUserEverywhere(this.runtime, user.id, () => {
      const current = this.event.sessionRow?.id ?? null;
      this.event.dropSession();
      this.event.actions.replaceCookieAction(this.event.clearAuthAction(current));
    });
    // Only once the deletion went through; the row names the user as they were and outlives them (as admin.user_deleted).
    this.audit({ type: 'account.deleted', actor: { id: user.id, username: user.username } });
  }

  /** Tells open tabs of these users that their permissions, groups or profile changed. */
  async notifyUsersChanged(userIds: number[]): Promise<void> {
    if (userIds.length > 0) await this.runtime.bus.publish({ type: 'users-changed', userIds });
  }

  /**
   * After a handler changed the signed-in user's row directly (a profile
   * field, a flag): reads the user again, so this event's reply carries the
   * new `auth` snapshot, and once it is written tells the user's other tabs,
   * on every process, to refresh theirs. Returns the reread user (`currentUser()` and
   * `request.user` see it too; `ctx.user` stays the user the event began
   * with, as after `login()`).
   *
   * @example
   * await db.update(users).set({ firstName }).where(eq(users.id, ctx.user.id));
   * const user = await ctx.auth.refreshSnapshot();
   */
  async refreshSnapshot(): Promise<AuthUser> {
    await this.event.reloadIdentity();
    const user = this.event.user;
    const { id } = user;
    // After the reply: this tab's snapshot travels in it, not in a push that could overtake it.
    if (id !== null) this.event.afterReply(() => this.notifyUsersChanged([id]));
    return user;
  }

  /**
   * Records a security event of this tab in the audit log, once the reply is
   * written: the tab's IP and user agent, the signed-in user as the actor
   * unless `entry` names one.
   *
   * @example
   * ctx.auth.audit({ type: 'passkey.added', detail: { name: 'Laptop' } });
   */
  audit(entry: EventAuditEntry): void {
    this.runtime.audit.record(this.auditEntry(entry));
  }

  /** `entry` with the event's actor (unless it names one), address and user agent. */
  private auditEntry(entry: EventAuditEntry): AuditEntry {
    const { conn, user } = this.event;
    const actor = entry.actor !== undefined ? entry.actor : isLoggedIn(user) ? user : null;
    return { ...entry, actor, ip: conn.ip, userAgent: conn.headers.get('user-agent') ?? '' };
  }

  /** Two-factor sign-in: setup, the second step, confirmation with a code (see `two-factor-api.ts`). */
  get twoFactor(): TwoFactorApi {
    return new TwoFactorApi(this.event, this);
  }

  hasPerm(perm: string): Promise<boolean> {
    return permissionHeld(this.runtime.db, this.event.user, perm);
  }

  /** Group membership (superusers pass). */
  hasGroup(name: string): Promise<boolean> {
    return groupHeld(this.runtime.db, this.event.user, name);
  }

  /**
   * Signs `user` in on this tab: a new session id (the pre-login session is
   * deleted, its data carried over unless it belonged to another user),
   * mirrored at once, cookie synced by ticket. The other tabs of the
   * pre-login session are told (`session-rotated`), so they reconnect with
   * the browser's new cookie rather than find their session dead and log out.
   * The session and its ticket (with `signedIn`, also `last_login` and the
   * audit row) are one transaction when the sessions live in libSQL.
   */
  async startSession(user: LoggedInUser, to: string | null, options: StartSessionOptions = {}): Promise<void> {
    const { db, config, audit } = this.runtime;
    const conn = this.event.conn;
    const { signedIn, deviceToken } = options;
    const auditEntry = signedIn?.audit ? this.auditEntry(signedIn.audit) : null;
    // The session's writes start on a turn of their own, after other tabs' events.
    await yieldToEvents();
    let ticket = '';
    // One transaction (with sessions in libSQL): `last_login`, the session, the
    // ticket and the audit row are all there, or none is.
    const { token, session, written, announce } = await rotateForSignIn(
      this.runtime,
      this.event.sessionRow,
      user.id,
      {
        userAgent: conn.headers.get('user-agent') ?? '',
        ip: conn.ip,
        ...(options.signInMethod ? { signInMethod: options.signInMethod } : {}),
      },
      {
        db,
        writes: (sessionToken, created) => {
          const at = signedIn?.at ?? Date.now();
          const issued = cookieTicketInsert(
            db,
            { sessionId: created.id, sessionToken, ttlMs: config.session.ticketTtlMs, ...(deviceToken ? { deviceToken } : {}) },
            at,
          );
          ticket = issued.ticket;
          return [
            ...(signedIn ? [recordLoginUpdate(db, user.id, signedIn.at), ...(signedIn.writes ?? [])] : []),
            issued.insert,
            ...(auditEntry ? [audit.insert(auditEntry, at)] : []),
          ];
        },
      },
    );
    this.event.adoptSession(token, session, user);
    // Announced before anything else waits: a sibling whose cache runs out in
    // between would find its session dead and answer a logout.
    await announce();
    await yieldToEvents();
    if (auditEntry) audit.committed(written.at(-1));
    // A landing page from app code is held to the rule `?next=` is: a path on this site, else the configured one.
    const landing = to === null ? null : (safeNextPath(to) ?? config.auth.loginRedirectUrl);
    this.event.actions.replaceCookieAction(this.event.cookieSyncActionFor(ticket, landing));
  }

  /** After a password change or reset: end the other sessions, rotate this one. */
  async rotateAfterCredentialChange(user: LoggedInUser, reason: 'password-changed' | 'password-reset'): Promise<void> {
    const keep = this.event.sessionRow?.id;
    const ended = await invalidateUserSessions(this.runtime.sessions, user.id, keep ? { except: keep } : {});
    if (ended.length > 0) await this.runtime.bus.publish({ type: 'sessions-ended', sessionIds: ended, reason });
    // The new session proved its user the way the old one did (a passkey, a code): the list keeps saying so.
    const method = this.event.sessionRow?.signInMethod as SignInMethod | undefined;
    await this.startSession(user, null, method ? { signInMethod: method } : {});
  }

  /**
   * Takes the user's one credential-change slot (across processes with
   * `busUrl`), or refuses at once: concurrent changes of one account would
   * only queue argon2id work (`credentials.changeLockMs` bounds the hold).
   */
  private async claimCredentialChange(userId: number): Promise<ReleaseClaim> {
    const release = await this.runtime.limiter.claimCredentialChange(userId, this.runtime.config.credentials.changeLockMs);
    if (!release) throw tooManyRequests(1, 'A password change for this account is already under way. Try again in a moment.');
    return release;
  }

  /** The configured hashing, on the server's own threads. */
  private hashing(): PasswordHashing {
    return hashingParams(this.runtime.config, this.runtime.hashing);
  }

  private requireUser(): LoggedInUser {
    const user = this.event.user;
    if (!isLoggedIn(user)) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Please sign in to continue.' });
    return user;
  }

  /** Where emailed links point (see `linkBaseOf`). */
  private linkBase(): string | null {
    return linkBaseOf(this.runtime.config, this.event.conn.origin);
  }

  /** A safe `?next=` of the page the tab shows, else the configured landing page. */
  private defaultRedirect(): string {
    const next = new URLSearchParams(this.event.conn.query).get('next');
    return safeNextPath(next) ?? this.runtime.config.auth.loginRedirectUrl;
  }
}

/**
 * The app's extra sign-up fields, validated by its user model's
 * `registration` (one field error per problem); none without one.
 */
function registrationFields(model: UserModel, given: unknown): Record<string, unknown> {
  const { registration, registrationKeys } = model;
  if (!registration) return {};
  const parsed = registration.safeParse(given ?? {});
  if (parsed.success) {
    // Only the keys the schema declares: a loose schema passes others through, which sign-up must not write.
    const data = parsed.data as Record<string, unknown>;
    const kept: Record<string, unknown> = {};
    for (const key of registrationKeys) if (data[key] !== undefined) kept[key] = data[key];
    return kept;
  }
  throw validationFailed(
    parsed.error.issues.map((issue) => ({ field: String(issue.path[0] ?? 'fields'), code: issue.code, message: issue.message })),
  );
}

function invalidResetLink(): TRPCError {
  return new TRPCError({ code: 'BAD_REQUEST', message: 'This password reset link is invalid or has expired. Please ask for a new one.' });
}

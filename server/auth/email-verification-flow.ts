import { eq } from 'drizzle-orm';
import { TRPCError } from '@trpc/server';
import { users } from '../../db/schema';
import { tooManyRequests } from '../errors';
import type { AuthEvent } from './auth-api';
import { maskAddress } from './audit';
import { linkBaseOf, mailAddressOwner, mayMailTo } from './auth-mail';
import { addressHolder, applyVerifiedAddress, consumeEmailVerificationToken, issueEmailVerificationToken } from './email-verification';
import type { LoggedInUser } from './user';
import { findUserById } from './users';

/**
 * The email-verification flows of `ctx.auth`: sign-up's link, **Resend
 * verification email**, **Change email** and the link's page. Every answer is
 * the same whoever holds the address: lookups and mail run after the reply.
 */

/** The account a proof is mailed for. */
interface ProofUser {
  id: number;
  username: string;
}

/**
 * After the reply, mails a link proving `address` for `user`, or, when
 * another account holds the address verified, tells that account instead.
 * Nothing for a missing address.
 */
export function mailAddressProof(event: AuthEvent, user: ProofUser, address: string | null): void {
  if (!address) return;
  event.afterReply(() => sendAddressProof(event, user, address));
}

async function sendAddressProof(event: AuthEvent, user: ProofUser, address: string): Promise<void> {
  const { config, db, mailer, log } = event.runtime;
  const base = linkBaseOf(config, event.conn.origin);
  if (base === null) {
    log.error('verification link not mailed: set publicUrl (PUBLIC_URL); links never use a host the request named', {
      origin: event.conn.origin,
    });
    return;
  }
  const holder = await addressHolder(db, address);
  if (holder && holder.id !== user.id && holder.emailVerified) {
    const owner = await findUserById(db, holder.id);
    if (owner) await mailAddressOwner(event.runtime, base, owner);
    return;
  }
  if (!(await mayMailTo(event.runtime, address, user.id))) return;
  const ttlMs = config.auth.emailVerificationTtlMs;
  const token = await issueEmailVerificationToken(db, user.id, address, ttlMs);
  const link = `${base.replace(/\/$/, '')}${config.auth.verifyEmailUrl}/${token}`;
  const hours = Math.round(ttlMs / 3_600_000);
  await mailer.send({
    to: address,
    subject: `Verify your email address on ${config.siteName}`,
    text:
      `Hello ${user.username},\n\nplease confirm that this address belongs to your account on ${config.siteName}.\n` +
      `Open this link within ${hours} hours:\n\n${link}\n\n` +
      'If you did not ask for this, ignore this message: nothing changes.\n',
  });
  log.info('verification link mailed', { userId: user.id });
}

/**
 * **Resend verification email**: a new link for the user's unverified (or
 * pending) address. Limited per account (the login budget's bucket keyed by
 * user) and per recipient (`rateLimit.recipientMail*`, after the reply).
 */
export async function resendVerificationEmail(event: AuthEvent, user: LoggedInUser): Promise<void> {
  const { config, limiter } = event.runtime;
  if (config.auth.emailVerification === 'off') throw new TRPCError({ code: 'FORBIDDEN', message: 'Email verification is off.' });
  const account = await limiter.hitIp('verify-resend', `user:${user.id}`);
  if (!account.ok) throw tooManyRequests(account.retryAfter);
  const address = user.email !== null && !user.emailVerified ? user.email : user.pendingEmail;
  mailAddressProof(event, user, address);
}

/**
 * **Change email**: the new address is kept as pending and proven through a
 * link before it replaces the old one (which is then told). The answer is the
 * same whether the address is free or taken.
 */
export async function requestEmailChange(event: AuthEvent, user: LoggedInUser, email: string): Promise<void> {
  const { db, limiter } = event.runtime;
  const account = await limiter.hitIp('change-email', `user:${user.id}`);
  if (!account.ok) throw tooManyRequests(account.retryAfter);
  await db.update(users).set({ pendingEmail: email }).where(eq(users.id, user.id));
  mailAddressProof(event, user, email);
}

/**
 * Uses a verification link: the address it names becomes the user's verified
 * email. `false` for an invalid, used or expired link, or an address another
 * account verified meanwhile. The user's open tabs get the new snapshot.
 */
export async function verifyEmail(event: AuthEvent, token: string): Promise<boolean> {
  const { db, limiter, log, bus } = event.runtime;
  const ip = await limiter.hitIp('verify-email', event.conn.ip);
  if (!ip.ok) throw tooManyRequests(ip.retryAfter);
  const proven = await consumeEmailVerificationToken(db, token);
  if (!proven) return false;
  const applied = await applyVerifiedAddress(db, proven);
  if (!applied.ok) return false;
  log.info('email verified', { userId: proven.userId });
  const origin = { ip: event.conn.ip, userAgent: event.conn.headers.get('user-agent') ?? '' };
  event.runtime.audit.record({
    type: 'email.verified',
    actor: event.user.id === proven.userId ? { id: proven.userId, username: event.user.username } : null,
    target: { id: proven.userId, username: '' },
    ...origin,
  });
  // A new address proven through the link: the change itself, by the user who proved it; masked, never the link.
  if (applied.changed) {
    event.runtime.audit.record({
      type: 'email.changed',
      actor: { id: proven.userId, username: '' },
      ...origin,
      detail: { from: applied.previous === null ? null : maskAddress(applied.previous), to: maskAddress(proven.email) },
    });
  }
  if (event.user.id === proven.userId) await event.reloadIdentity();
  event.afterReply(() => bus.publish({ type: 'users-changed', userIds: [proven.userId] }));
  const previous = applied.previous;
  if (applied.changed && previous) event.afterReply(() => noticeOldAddress(event, proven.userId, previous));
  return true;
}

/** Tells the address a user just left that it no longer belongs to the account. */
async function noticeOldAddress(event: AuthEvent, userId: number, previous: string): Promise<void> {
  const { config, db, mailer } = event.runtime;
  const row = await findUserById(db, userId);
  if (!row || !(await mayMailTo(event.runtime, previous, userId))) return;
  await mailer.send({
    to: previous,
    subject: `Your email address on ${config.siteName} changed`,
    text:
      `Hello ${row.username},\n\nthe email address of your account on ${config.siteName} was changed; ` +
      'mail for the account now goes to the new address.\n' +
      'If you did not do this, reset your password at once and contact us.\n',
  });
}

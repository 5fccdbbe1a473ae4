import type { StatehouseConfig } from '../config';
import type { Logger } from '../log';
import type { Mailer } from '../mail/mailer';
import type { RateLimiter } from './rate-limit';

/**
 * Where emailed links point: `publicUrl`, else the connection's origin when
 * it can be trusted (this machine, or an origin in `allowedOrigins`). Any
 * other host came from the request's Host header, which a client names at
 * will: a link there would hand the token to whoever named it.
 */
export function linkBaseOf(config: Pick<StatehouseConfig, 'publicUrl' | 'allowedOrigins'>, origin: string): string | null {
  const { publicUrl, allowedOrigins } = config;
  if (publicUrl) return publicUrl;
  let host: string;
  try {
    host = new URL(origin).hostname;
  } catch {
    return null;
  }
  const loopback = host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
  return loopback || allowedOrigins.some((allowed) => new URL(allowed).origin === origin) ? origin : null;
}

/**
 * Whether one more auth mail may go to `address` (`rateLimit.recipientMail*`):
 * the reset and sign-up forms name any address, so without a budget per
 * recipient they would mail one inbox as fast as the forms are sent. Runs
 * after the reply, so a skipped mail changes no answer.
 */
export async function mayMailTo(
  services: { config: StatehouseConfig; limiter: RateLimiter; log: Logger },
  address: string,
  userId: number,
): Promise<boolean> {
  const { config, limiter, log } = services;
  const budget = { burst: config.rateLimit.recipientMailBurst, perMinute: config.rateLimit.recipientMailsPerHour / 60 };
  const decision = await limiter.hitIp('mail-recipient', address.trim().toLowerCase(), budget);
  if (!decision.ok) log.info('auth mail skipped: the address had its share', { userId });
  return decision.ok;
}

/** The account an address belongs to, as the notice needs it. */
export interface AddressOwner {
  id: number;
  username: string;
  email: string | null;
  isActive: boolean;
}

/**
 * Tells an address's owner that someone tried to use it (a sign-up, a change
 * of address): it stays theirs. Names nothing of the other account.
 */
export async function mailAddressOwner(
  services: { config: StatehouseConfig; limiter: RateLimiter; log: Logger; mailer: Mailer },
  linkBase: string | null,
  owner: AddressOwner,
): Promise<void> {
  const { config, mailer, log } = services;
  if (!owner.email || !owner.isActive) return;
  if (!(await mayMailTo(services, owner.email, owner.id))) return;
  const base = linkBase?.replace(/\/$/, '');
  const where = base ? `:\n\n  ${base}${config.auth.loginUrl}\n  ${base}${config.auth.passwordResetUrl}\n\n` : '.\n\n';
  await mailer.send({
    to: owner.email,
    subject: `Sign-up attempt on ${config.siteName}`,
    text:
      `Hello ${owner.username},\n\nsomeone tried to create an account on ${config.siteName} with your address. ` +
      'It already belongs to your account, so it was not given to the new one.\n' +
      `If it was you, sign in, or reset your password if you forgot it${where}` +
      'If it was not you, ignore this message: your account is unchanged.\n',
  });
  log.info('signup address owner mailed', { userId: owner.id });
}

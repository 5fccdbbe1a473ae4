import type { IpBudget, RateLimiter } from './rate-limit';
import { createSession, type Session, type SessionSettings } from './session';
import type { SessionBackend } from './session-backend';

/** The rate-limit scope of new anonymous sessions, over the socket and HTTP alike. */
export const ANONYMOUS_SESSION_SCOPE = 'anonymous-session';

/** What a visitor without a session needs to get one. */
export interface AnonymousSessionRequest {
  sessions: SessionBackend;
  settings: SessionSettings;
  limiter: RateLimiter;
  /** New anonymous sessions per address (`rateLimit.anonymousSession*`). */
  budget: IpBudget;
  /** The client address, after `trustedProxies`. */
  ip: string;
  userAgent: string;
}

export type AnonymousSessionResult = { ok: true; token: string; session: Session } | { ok: false; retryAfter: number };

/**
 * Creates the session of a visitor who has none, on its first session write,
 * if its address is within its budget of new anonymous sessions: without
 * one, a client could create rows as fast as it can send writes. Past the
 * budget nothing is created; the caller answers `retryAfter` as its
 * transport's TOO_MANY_REQUESTS.
 *
 * @example
 * const created = await createAnonymousSession({ sessions, settings, limiter, budget, ip, userAgent });
 * if (!created.ok) throw tooManyRequests(created.retryAfter);
 */
export async function createAnonymousSession(request: AnonymousSessionRequest): Promise<AnonymousSessionResult> {
  const { sessions, settings, limiter, budget, ip, userAgent } = request;
  const decision = await limiter.hitIp(ANONYMOUS_SESSION_SCOPE, ip, budget);
  if (!decision.ok) return decision;
  const { token, session } = await createSession(sessions, settings, { userId: null, userAgent, ip });
  return { ok: true, token, session };
}

/** The budget of `rateLimit.anonymousSessionBurst` and `rateLimit.anonymousSessionsPerMinute`. */
export function anonymousSessionBudgetOf(rateLimit: { anonymousSessionBurst: number; anonymousSessionsPerMinute: number }): IpBudget {
  return { burst: rateLimit.anonymousSessionBurst, perMinute: rateLimit.anonymousSessionsPerMinute };
}

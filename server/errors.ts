import { TRPCError } from '@trpc/server';

/** A field-level problem with user input: stable code, human message (shown next to the field). */
export interface FieldError {
  field: string;
  code: string;
  message: string;
}

/** The cause of a TOO_MANY_REQUESTS error: how long to wait. */
export class RetryAfter extends Error {
  override readonly name = 'RetryAfter';
  constructor(readonly seconds: number) {
    super(`Retry after ${seconds}s`);
  }
}

/** Why a guard refused, in a word the client can act on (`ErrorEnvelope.reason`). */
export const REFUSAL_REASONS = ['REAUTH_REQUIRED', 'EMAIL_UNVERIFIED', 'TWO_FACTOR_REQUIRED', 'SECOND_STEP_EXPIRED'] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

/** The cause of a typed refusal: `REAUTH_REQUIRED` (see `recentAuth()`), `EMAIL_UNVERIFIED`, `TWO_FACTOR_REQUIRED` (`twoFactorRequired()`), `SECOND_STEP_EXPIRED` (no pending second step: sign in again). */
export class Refusal extends Error {
  override readonly name = 'Refusal';
  constructor(readonly reason: RefusalReason) {
    super(reason);
  }
}

/** The cause of a validation error: one entry per bad field. */
export class FieldErrors extends Error {
  override readonly name = 'FieldErrors';
  constructor(readonly errors: FieldError[]) {
    super(errors.map((e) => `${e.field}: ${e.message}`).join('; '));
  }
}

/**
 * A typed TOO_MANY_REQUESTS error carrying `retryAfter` to the client.
 *
 * @example
 * if (!decision.ok) throw tooManyRequests(decision.retryAfter);
 */
export function tooManyRequests(seconds: number, message = 'Too many attempts. Try again later.'): TRPCError {
  return new TRPCError({ code: 'TOO_MANY_REQUESTS', message, cause: new RetryAfter(seconds) });
}

/**
 * A typed SERVICE_UNAVAILABLE error carrying `retryAfter` to the client: the
 * server is busy, nothing was done, the same call may be sent again.
 *
 * @example
 * if (error instanceof HashingQueueFull) throw serviceUnavailable(error.retryAfter);
 */
export function serviceUnavailable(seconds: number, message = 'The server is busy. Please try again in a moment.'): TRPCError {
  return new TRPCError({ code: 'SERVICE_UNAVAILABLE', message, cause: new RetryAfter(seconds) });
}

/** A typed BAD_REQUEST error carrying field errors (shown next to the fields). */
export function validationFailed(errors: FieldError[], message = 'Please correct the errors below.'): TRPCError {
  return new TRPCError({ code: 'BAD_REQUEST', message, cause: new FieldErrors(errors) });
}

/** libSQL errors that mean "try again shortly" rather than "bug". */
const RETRIABLE_DB_CODES = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_READONLY', 'SQLITE_FULL', 'SQLITE_IOERR', 'CLIENT_CLOSED']);

/** Connection faults of a Redis session store (ioredis): as retriable as a locked database. */
const RETRIABLE_NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE']);

/** Whether an error (or its cause chain) is a transient fault of the session or user store (libSQL, or Redis). */
export function isRetriableDatabaseError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown; rawCode?: unknown }).code;
    if (typeof code === 'string' && [...RETRIABLE_DB_CODES].some((c) => code.startsWith(c))) return true;
    if (typeof code === 'string' && RETRIABLE_NETWORK_CODES.has(code)) return true;
    const name = (e as { name?: unknown }).name;
    if (name === 'MaxRetriesPerRequestError') return true;
    const message = String((e as { message?: unknown }).message ?? '');
    if (/SQLITE_(BUSY|LOCKED|READONLY|FULL|IOERR)|database is locked|readonly database/i.test(message)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * What a log line says about a database fault: the driver's code and message
 * (`SQLITE_BUSY: database is locked`), never the failed statement's
 * parameters, which carry session ids, secret hashes and user data.
 */
export function describeDatabaseError(error: unknown): string {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (code.startsWith('SQLITE') || code === 'CLIENT_CLOSED')) {
      const text = String(message ?? '');
      return text.startsWith(code) ? text : `${code}: ${text}`;
    }
    if (e instanceof Error && (e.name === 'MaxRetriesPerRequestError' || (typeof code === 'string' && RETRIABLE_NETWORK_CODES.has(code)))) {
      return `redis: ${e.message}`;
    }
    e = (e as { cause?: unknown }).cause;
  }
  return 'database error';
}

/**
 * Whether an error (or its cause chain) is a failed SQL statement, whose
 * message lists the statement's parameters: such a message never leaves the
 * server.
 */
export function isFailedQueryError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const { query, params } = e as { query?: unknown; params?: unknown };
    if (typeof query === 'string' && params !== undefined) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

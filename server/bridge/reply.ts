import { TRPCError } from '@trpc/server';
import type { DefaultErrorShape } from '@trpc/server/unstable-core-do-not-import';
import { ZodError } from 'zod';
import { HashingQueueFull } from '../auth/hashing-pool';
import {
  describeDatabaseError,
  FieldErrors,
  isFailedQueryError,
  isRetriableDatabaseError,
  Refusal,
  RetryAfter,
  serviceUnavailable,
  type FieldError,
} from '../errors';
import type { Logger } from '../log';
import type { ClientAction, Delta, Envelope, ErrorEnvelope } from '../state/protocol';

/**
 * The last step of an event: what the bridge answers. A success is the
 * {@link Envelope} `{ data, delta, actions }`; a failure is an
 * {@link EventError}, which carries the delta and the actions collected
 * before the event failed to the error formatter, and so to the client's
 * `error.data.statehouse`.
 */
export function envelopeOf<T>(data: T, delta: Delta, actions: ClientAction[]): Envelope<T> {
  return { data, delta, actions };
}

/**
 * A failed event: the error the handler (or a guard, or validation) raised,
 * with the delta and client actions of the event. Same code, message and
 * cause as that error, so logs and `onError` see what they saw before.
 */
export class EventError extends TRPCError {
  constructor(
    error: TRPCError,
    readonly delta: Delta,
    readonly actions: ClientAction[],
  ) {
    super({ code: error.code, message: error.message, cause: error.cause });
    this.stack = error.stack;
  }
}

/**
 * The error a failed event answers: a transient database fault becomes a
 * retriable SERVICE_UNAVAILABLE, a full hashing queue a SERVICE_UNAVAILABLE
 * with `retryAfter`; either way with the event's delta and actions.
 */
export function eventErrorOf(error: TRPCError, delta: Delta, actions: ClientAction[], log: Logger, path: string): EventError {
  if (error.code === 'INTERNAL_SERVER_ERROR' && isRetriableDatabaseError(error.cause)) {
    error = databaseFault(log, path, error.cause);
  } else if (error.cause instanceof HashingQueueFull) {
    log.warn('password hashing queue full', { event: path });
    error = serviceUnavailable(error.cause.retryAfter);
  }
  return new EventError(error, delta, actions);
}

/** A failure before the handler could run (the session could not be read). */
export function databaseFault(log: Logger, path: string, cause: unknown): TRPCError {
  if (cause instanceof TRPCError) return cause;
  if (isRetriableDatabaseError(cause)) {
    log.error('database unavailable', { event: path, error: describeDatabaseError(cause) });
    return new TRPCError({
      code: 'SERVICE_UNAVAILABLE',
      message: 'The database is temporarily unavailable. Please retry.',
      cause,
    });
  }
  return new TRPCError({ code: 'INTERNAL_SERVER_ERROR', cause });
}

/** `error.data.statehouse` of a failed event: its delta and actions, and what the cause tells the client. */
export function errorEnvelopeOf(error: TRPCError): ErrorEnvelope | null {
  const event = error instanceof EventError ? error : null;
  const cause = error.cause;
  let fieldErrors: FieldError[] | undefined;
  if (cause instanceof FieldErrors) fieldErrors = cause.errors;
  else if (cause instanceof ZodError) {
    fieldErrors = cause.issues.map((issue) => ({
      field: issue.path.map(String).join('.') || '(input)',
      code: issue.code,
      message: issue.message,
    }));
  }
  const retryAfter = cause instanceof RetryAfter ? cause.seconds : undefined;
  const reason = cause instanceof Refusal ? cause.reason : undefined;
  if (!event && !fieldErrors && retryAfter === undefined && !reason) return null;
  return {
    delta: event?.delta ?? {},
    actions: event?.actions ?? [],
    ...(retryAfter !== undefined ? { retryAfter } : {}),
    ...(reason ? { reason } : {}),
    ...(fieldErrors ? { fieldErrors } : {}),
  };
}

/**
 * The tRPC error formatter: no stack, the envelope in `data.statehouse`, and
 * an internal error's message replaced when it came from a failed SQL
 * statement (whose message lists the statement's parameters: ids, hashes,
 * user data).
 */
export function formatEventError({ shape, error }: { shape: DefaultErrorShape; error: TRPCError }) {
  const { stack: _stack, ...data } = shape.data;
  const message = error.code === 'INTERNAL_SERVER_ERROR' && isFailedQueryError(error) ? 'Internal server error' : shape.message;
  return { ...shape, message, data: { ...data, statehouse: errorEnvelopeOf(error) } };
}

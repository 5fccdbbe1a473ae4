import { z } from 'zod';
import type { BusEvent } from './identity-bus';

const id = z.string().min(1).max(128);

/**
 * A bus event as another process may send it, checked before any connection
 * follows it: identity events with well-formed ids, and pushes, whose target,
 * actions and slices the receiving process checks against its own
 * declarations when it applies them (`checkPush`).
 */
const busEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('sessions-ended'),
    sessionIds: z.array(id),
    reason: z.enum(['logout', 'revoked', 'password-changed', 'password-reset', 'account-deleted']),
  }),
  z.object({ type: z.literal('users-changed'), userIds: z.array(z.number().int()) }),
  z.object({ type: z.literal('session-rotated'), oldSessionId: id, newSessionId: id, userId: z.number().int().nullable() }),
  z.object({ type: z.literal('session-language'), sessionId: id, language: z.string().min(1).max(35) }),
  z.looseObject({ type: z.literal('push') }),
]);

/** What crosses Redis: the event and the process that sent it. */
const envelopeSchema = z.object({ origin: z.string().max(64), event: busEventSchema });

export interface BusEnvelope {
  origin: string;
  event: BusEvent;
}

/** Event types this version knows; another's (a rolling deploy) are ignored without a fuss. */
const KNOWN_TYPES: ReadonlySet<string> = new Set(['sessions-ended', 'users-changed', 'session-rotated', 'session-language', 'push']);

/**
 * Reads one message off the bus: the envelope, `null` for an event type this
 * version does not know, or an error saying what is wrong with it.
 */
export function readBusMessage(message: string): BusEnvelope | null | Error {
  let raw: unknown;
  try {
    raw = JSON.parse(message);
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
  const type = (raw as { event?: { type?: unknown } } | null)?.event?.type;
  if (typeof type === 'string' && !KNOWN_TYPES.has(type)) return null;
  const parsed = envelopeSchema.safeParse(raw);
  if (!parsed.success) return new Error(`malformed bus message dropped: ${z.prettifyError(parsed.error)}`);
  return parsed.data as BusEnvelope;
}

import type { SessionBackend } from './session-backend';

/** JSON-serialisable session values. */
export type SessionValue = string | number | boolean | null | SessionValue[] | { [key: string]: SessionValue };

/** Longest key and largest value (as JSON) a session accepts. */
export const MAX_SESSION_KEY_LENGTH = 128;
export const MAX_SESSION_VALUE_BYTES = 64 * 1024;

/** Raised for keys or values a session cannot store. */
export class SessionDataError extends Error {
  override readonly name = 'SessionDataError';
}

function checkKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_SESSION_KEY_LENGTH) {
    throw new SessionDataError(`Session keys are 1–${MAX_SESSION_KEY_LENGTH} characters`);
  }
}

/** Every key of a session, decoded. */
export async function readSessionData(backend: SessionBackend, sessionId: string): Promise<Map<string, SessionValue>> {
  const rows = await backend.readData(sessionId);
  const out = new Map<string, SessionValue>();
  for (const row of rows) out.set(row.key, JSON.parse(row.value) as SessionValue);
  return out;
}

/**
 * Writes one key atomically (an upsert): other keys are untouched. Bad keys
 * and values are refused here, with a {@link SessionDataError}, whichever
 * backend stores them.
 */
export async function writeSessionKey(backend: SessionBackend, sessionId: string, key: string, value: SessionValue): Promise<void> {
  checkKey(key);
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    json = undefined; // cycles, BigInt
  }
  if (json === undefined) throw new SessionDataError('Session values must be JSON-serialisable');
  if (Buffer.byteLength(json, 'utf8') > MAX_SESSION_VALUE_BYTES) {
    throw new SessionDataError(`Session values are at most ${MAX_SESSION_VALUE_BYTES} bytes of JSON`);
  }
  await backend.writeKey(sessionId, key, json, Date.now());
}

/** Deletes one key. */
export async function deleteSessionKey(backend: SessionBackend, sessionId: string, key: string): Promise<void> {
  checkKey(key);
  await backend.deleteKey(sessionId, key);
}

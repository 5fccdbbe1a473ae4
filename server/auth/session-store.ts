import type { SessionBackend } from './session-backend';
import { deleteSessionKey, readSessionData, SessionDataError, writeSessionKey, type SessionValue } from './session-data';

/**
 * A session's key-value data as handlers use it: `ctx.session`,
 * `request.session`, `currentSession()` and the HTTP routes' `session`.
 */
export interface SessionData {
  /** The session id, or `null` while there is none. */
  readonly id: string | null;
  get<T extends SessionValue = SessionValue>(key: string): Promise<T | undefined>;
  get<T extends SessionValue = SessionValue>(key: string, fallback: T): Promise<T>;
  has(key: string): Promise<boolean>;
  keys(): Promise<string[]>;
  /** Writes one key (one atomic upsert). */
  set(key: string, value: SessionValue): Promise<void>;
  /** Deletes one key. */
  delete(key: string): Promise<void>;
}

/** What a session store needs from the request it serves: the session id, and a session made on demand. */
export interface SessionOwner {
  /** Where the session's data is kept. */
  readonly sessions: SessionBackend;
  /** The session id, or `null` while there is none. */
  currentSessionId(): string | null;
  /** The session id, creating a session (and telling the browser) when there is none. */
  ensureSession(): Promise<string>;
  /** Throws when this request may not write the session (an HTTP GET). */
  checkWritable?(): void;
  /** Told after each key written or deleted (what is shared between tabs of the session reads it again). */
  written?(sessionId: string, key: string): void;
}

/**
 * A session's key-value data as one request sees it, persisted per key. Reads
 * load the session's keys once (again after the session changed); each write
 * is one atomic upsert, so two tabs writing different keys never lose each
 * other's writes. Values come back as copies: changing one changes nothing
 * until it is `set`. The socket's `ctx.session` (`SessionProxy`) and the HTTP
 * routes' `session` (`HttpSession`) are thin adapters of this one store.
 */
export class SessionStore implements SessionData {
  private cache: Map<string, SessionValue> | null = null;
  private cachedFor: string | null = null;

  constructor(protected readonly owner: SessionOwner) {}

  /** The session id behind this store, or `null` while there is none. */
  get id(): string | null {
    return this.owner.currentSessionId();
  }

  async get<T extends SessionValue = SessionValue>(key: string): Promise<T | undefined>;
  async get<T extends SessionValue = SessionValue>(key: string, fallback: T): Promise<T>;
  async get<T extends SessionValue = SessionValue>(key: string, fallback?: T): Promise<T | undefined> {
    const data = await this.load();
    return data.has(key) ? (copyOf(data.get(key)!) as T) : fallback;
  }

  async has(key: string): Promise<boolean> {
    return (await this.load()).has(key);
  }

  async keys(): Promise<string[]> {
    return [...(await this.load()).keys()];
  }

  /** Writes one key (one atomic upsert); the first write of a visitor without a session creates one. */
  async set(key: string, value: SessionValue): Promise<void> {
    this.owner.checkWritable?.();
    const sessionId = await this.owner.ensureSession();
    await writeSessionKey(this.owner.sessions, sessionId, key, value);
    if (this.cache && this.cachedFor === sessionId) this.cache.set(key, copyOf(value));
    this.owner.written?.(sessionId, key);
  }

  /** Deletes one key; nothing to do without a session. */
  async delete(key: string): Promise<void> {
    this.owner.checkWritable?.();
    const sessionId = this.owner.currentSessionId();
    if (!sessionId) return;
    await deleteSessionKey(this.owner.sessions, sessionId, key);
    if (this.cache && this.cachedFor === sessionId) this.cache.delete(key);
    this.owner.written?.(sessionId, key);
  }

  /** Forgets what was read (after a login rotated the session). */
  invalidate(): void {
    this.cache = null;
    this.cachedFor = null;
  }

  private async load(): Promise<Map<string, SessionValue>> {
    const sessionId = this.owner.currentSessionId();
    if (this.cache && this.cachedFor === sessionId) return this.cache;
    this.cache = sessionId ? await readSessionData(this.owner.sessions, sessionId) : new Map();
    this.cachedFor = sessionId;
    return this.cache;
  }
}

/** A copy of an object or array value; strings, numbers, booleans and null are their own copies. */
function copyOf(value: SessionValue): SessionValue {
  return typeof value === 'object' && value !== null ? structuredClone(value) : value;
}

/**
 * The session seen outside any event or request: empty, and a write is a
 * `SessionDataError` (there is no browser to hand a new session to).
 */
export const NO_SESSION: SessionData = Object.freeze({
  id: null,
  get: <T extends SessionValue>(_key: string, fallback?: T) => Promise.resolve(fallback),
  has: () => Promise.resolve(false),
  keys: () => Promise.resolve([]),
  set: () => Promise.reject(new SessionDataError('There is no session outside an event or an HTTP request')),
  delete: () => Promise.resolve(),
}) as SessionData;

import { deleteSessionKey, readSessionData, writeSessionKey, type SessionValue } from '../auth/session-data';
import type { Database } from '../../db/client';

/** What the proxy needs from its event: the session id, created on demand. */
export interface SessionOwner {
  readonly db: Database;
  currentSessionId(): string | null;
  ensureSession(): Promise<string>;
}

/**
 * `ctx.session`: a key-value store persisted per key. Reads load the
 * session's keys once per event; each write is one atomic upsert, so two tabs
 * writing different keys never lose each other's writes. The first write of
 * an anonymous visitor creates the session (and a cookie sync).
 *
 * @example
 * const theme = await ctx.session.get<string>('theme');
 * await ctx.session.set('theme', 'dark');
 */
export class SessionProxy {
  private cache: Map<string, SessionValue> | null = null;
  private cachedFor: string | null = null;

  constructor(private readonly owner: SessionOwner) {}

  /** The session id behind this proxy, or `null` while there is none. */
  get id(): string | null {
    return this.owner.currentSessionId();
  }

  async get<T extends SessionValue = SessionValue>(key: string): Promise<T | undefined>;
  async get<T extends SessionValue = SessionValue>(key: string, fallback: T): Promise<T>;
  async get<T extends SessionValue = SessionValue>(key: string, fallback?: T): Promise<T | undefined> {
    const data = await this.load();
    return data.has(key) ? (data.get(key) as T) : fallback;
  }

  async has(key: string): Promise<boolean> {
    return (await this.load()).has(key);
  }

  async keys(): Promise<string[]> {
    return [...(await this.load()).keys()];
  }

  async set(key: string, value: SessionValue): Promise<void> {
    const sessionId = await this.owner.ensureSession();
    await writeSessionKey(this.owner.db, sessionId, key, value);
    if (this.cache && this.cachedFor === sessionId) this.cache.set(key, structuredClone(value));
  }

  async delete(key: string): Promise<void> {
    const sessionId = this.owner.currentSessionId();
    if (!sessionId) return;
    await deleteSessionKey(this.owner.db, sessionId, key);
    if (this.cache && this.cachedFor === sessionId) this.cache.delete(key);
  }

  /** Forgets what this event read (after a login rotated the session). */
  invalidate(): void {
    this.cache = null;
    this.cachedFor = null;
  }

  private async load(): Promise<Map<string, SessionValue>> {
    const sessionId = this.owner.currentSessionId();
    if (this.cache && this.cachedFor === sessionId) return this.cache;
    this.cache = sessionId ? await readSessionData(this.owner.db, sessionId) : new Map();
    this.cachedFor = sessionId;
    return this.cache;
  }
}

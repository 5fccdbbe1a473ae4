import type { Connection } from './connection';
import { SharedStrings } from './shared-strings';
import { SharedValidations } from './shared-validations';
import type { SliceTable } from './slice-table';

interface Stashed {
  slices: SliceTable;
  sessionId: string | null;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * Every open connection of this process, indexed by the session and the user
 * it is bound to, plus the slices of recently closed tabs awaiting resume.
 */
export class ConnectionRegistry {
  readonly all = new Set<Connection>();
  /** One copy of the header strings its connections share. */
  readonly strings = new SharedStrings();
  /** Session validations shared by the connections of one session. */
  readonly validations = new SharedValidations();
  private readonly bySession = new ConnectionIndex<string>();
  private readonly byUser = new ConnectionIndex<number>();
  private readonly stashed = new Map<string, Stashed>();
  /** Open connections per client address. */
  private readonly byAddress = new Map<string, number>();

  add(conn: Connection): void {
    if (this.all.has(conn)) return;
    this.all.add(conn);
    this.byAddress.set(conn.ip, (this.byAddress.get(conn.ip) ?? 0) + 1);
  }

  remove(conn: Connection): void {
    if (this.all.delete(conn)) {
      const left = (this.byAddress.get(conn.ip) ?? 1) - 1;
      if (left > 0) this.byAddress.set(conn.ip, left);
      else this.byAddress.delete(conn.ip);
    }
    this.bind(conn, null, null);
  }

  /** Open connections from a client address. */
  connectionsFrom(ip: string): number {
    return this.byAddress.get(ip) ?? 0;
  }

  /**
   * Drops validated sessions whose cache period is over. An expired entry is
   * never served again (the next event reads the database), so this changes
   * no answer; it frees the session and user rows idle tabs would otherwise
   * hold until their next event. Returns how many it dropped.
   */
  dropStaleValidations(now: number = Date.now()): number {
    let dropped = this.validations.dropStale(now);
    for (const conn of this.all) {
      const cache = conn.sessions;
      if (cache?.validated && now >= cache.validated.until) {
        cache.validated = null;
        // Nothing left in it: the idle tab holds no cache at all.
        if (cache.validating === null) conn.sessions = null;
        dropped++;
      }
    }
    return dropped;
  }

  /** Re-indexes a connection after its identity changed. */
  bind(conn: Connection, sessionId: string | null, userId: number | null): void {
    if (conn.sessionId !== sessionId) {
      if (conn.sessionId !== null) this.bySession.remove(conn.sessionId, conn);
      if (sessionId !== null && this.all.has(conn)) this.bySession.add(sessionId, conn);
      conn.sessionId = sessionId;
    }
    if (conn.userId !== userId) {
      if (conn.userId !== null) this.byUser.remove(conn.userId, conn);
      if (userId !== null && this.all.has(conn)) this.byUser.add(userId, conn);
      conn.userId = userId;
    }
  }

  ofSession(sessionId: string): Connection[] {
    return this.bySession.list(sessionId);
  }

  ofUser(userId: number): Connection[] {
    return this.byUser.list(userId);
  }

  /**
   * Keeps a closing tab's slices for `graceMs`, bound to its session. At most
   * `max` tabs are kept: a newer one pushes out the oldest, so a client that
   * opens and closes sockets under ever new tab ids cannot grow the stash
   * past that bound; the tabs it pushes out just start afresh.
   */
  stash(conn: Connection, graceMs: number, max: number): void {
    if (!conn.tabId || graceMs <= 0 || max <= 0 || conn.slices.size === 0) return;
    this.dropStash(conn.tabId);
    // A Map iterates in insertion order: the first key is the oldest stash.
    while (this.stashed.size >= max) this.dropStash(this.stashed.keys().next().value!);
    const timer = setTimeout(() => this.stashed.delete(conn.tabId), graceMs);
    timer.unref?.();
    this.stashed.set(conn.tabId, { slices: conn.slices, sessionId: conn.sessionId, timer });
  }

  /**
   * Takes a stashed tab's slices back, only when the reconnecting tab is bound
   * to the same session: a changed identity discards them.
   */
  resume(tabId: string, sessionId: string | null): SliceTable | null {
    const entry = this.stashed.get(tabId);
    if (!entry) return null;
    this.dropStash(tabId);
    return entry.sessionId === sessionId ? entry.slices : null;
  }

  get stashedCount(): number {
    return this.stashed.size;
  }

  private dropStash(tabId: string): void {
    const entry = this.stashed.get(tabId);
    if (entry) clearTimeout(entry.timer);
    this.stashed.delete(tabId);
  }

  /** Index sizes, for leak checks. */
  sizes(): { connections: number; sessions: number; users: number; stashed: number; addresses: number } {
    return {
      connections: this.all.size,
      sessions: this.bySession.size,
      users: this.byUser.size,
      stashed: this.stashed.size,
      addresses: this.byAddress.size,
    };
  }
}

/** Above this many connections, a key's connections move from an array to a `Set`. */
const ARRAY_MAX = 32;

/**
 * Connections by key. A key with one connection holds it directly (most
 * sessions have one tab open), a few in an array, a `Set` only past
 * {@link ARRAY_MAX}: an idle tab does not pay for a set of its own, and the
 * tabs of one session (a handful) share an array, a tenth of what a small
 * `Set`'s table costs, where finding one to remove scans at most a few
 * dozen pointers. A user with thousands of tabs gets a `Set`.
 */
class ConnectionIndex<K> {
  private readonly map = new Map<K, Connection | Connection[] | Set<Connection>>();

  get size(): number {
    return this.map.size;
  }

  add(key: K, conn: Connection): void {
    const held = this.map.get(key);
    if (held === undefined) this.map.set(key, conn);
    else if (held instanceof Set) held.add(conn);
    else if (Array.isArray(held)) {
      if (held.includes(conn)) return;
      if (held.length < ARRAY_MAX) held.push(conn);
      else this.map.set(key, new Set(held).add(conn));
    } else if (held !== conn) this.map.set(key, [held, conn]);
  }

  remove(key: K, conn: Connection): void {
    const held = this.map.get(key);
    if (held === conn) {
      this.map.delete(key);
    } else if (held instanceof Set) {
      if (held.delete(conn) && held.size <= ARRAY_MAX / 2) this.map.set(key, [...held]);
    } else if (Array.isArray(held)) {
      const at = held.indexOf(conn);
      if (at === -1) return;
      // Order does not matter: the last one takes the removed one's place.
      held[at] = held[held.length - 1]!;
      held.pop();
      if (held.length === 1) this.map.set(key, held[0]!);
    }
  }

  list(key: K): Connection[] {
    const held = this.map.get(key);
    return held === undefined ? [] : held instanceof Set || Array.isArray(held) ? [...held] : [held];
  }
}

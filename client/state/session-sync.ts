import { SIGNED_IN_COOKIE } from '../../server/shared';

/** The `BroadcastChannel` the tabs of one browser tell each other about the session cookie on. */
export const SESSION_CHANNEL = 'statehouse.session';

/** How long a tab told to `followSession` waits for the browser's new cookie before it reconnects anyway. */
const DEFAULT_FOLLOW_TIMEOUT_MS = 10_000;
/** Announcements kept for a tab whose `followSession` arrives after them (a slower bus than the cookie exchange). */
const REMEMBERED = 16;

/** What one tab posts after `POST /auth/session` set the cookie of session `session` (a tag, never a token). */
export interface SessionSynced {
  type: 'session-synced';
  session: string;
  signedIn: boolean;
}

export interface SessionSyncOptions {
  /** Reopens the tab's socket: the upgrade carries the browser's current cookie. */
  reconnect(): void;
  /** Reloads the page (another user signed in). */
  reload(): void;
  /** Whether the tab shows a signed-in user. */
  isSignedIn(): boolean;
  /** @default globalThis.BroadcastChannel; `null`: none (the tab then only follows on its timeout) */
  BroadcastChannel?: typeof BroadcastChannel | null;
  /** @default 10000 */
  followTimeoutMs?: number;
}

export interface SessionSync {
  /** This tab has set the browser's cookie to session `session`: tells the other tabs. */
  announce(session: string, signedIn: boolean): void;
  /**
   * Runs `followSession`: another tab rotated this tab's session into
   * `session`. Reconnects at once, and the new socket opens once the browser
   * holds that session's cookie (the rotating tab's announcement, or the
   * timeout); with `reload`, reloads the page then instead.
   */
  follow(session: string, reload: boolean): Promise<void>;
  /** Resolves when a socket may open: not while a follow waits for the browser's new cookie. */
  ready(): Promise<void>;
  close(): void;
}

/**
 * Keeps the tabs of one browser on the browser's session cookie. The server
 * tells the other tabs of a rotated session to `followSession`, but never
 * hands them the new session (a stolen copy of the old cookie must not
 * follow); the tab that exchanged the ticket says when the cookie is set, so
 * they reconnect only then, and not with the old, dead cookie if they are
 * faster than the exchange. An anonymous tab reconnects when another tab
 * signed the browser in (it had no session the server could tell).
 *
 * @example
 * const sync = createSessionSync({ reconnect, reload: () => location.reload(), isSignedIn: () => slices.auth.isAuthenticated });
 */
export function createSessionSync(options: SessionSyncOptions): SessionSync {
  const { reconnect, reload, isSignedIn, followTimeoutMs = DEFAULT_FOLLOW_TIMEOUT_MS } = options;
  const Channel = options.BroadcastChannel === undefined ? globalThis.BroadcastChannel : options.BroadcastChannel;
  const channel = Channel ? new Channel(SESSION_CHANNEL) : null;
  /** Sessions whose cookie another tab announced, newest last. */
  const announced: string[] = [];
  /** Sessions this tab has already reconnected for. */
  const followed = new Set<string>();
  const waiting = new Map<string, () => void>();
  let gate: Promise<void> | null = null;

  function remember(session: string): void {
    announced.push(session);
    if (announced.length > REMEMBERED) announced.shift();
  }

  function arrival(session: string): Promise<void> {
    if (announced.includes(session)) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, followTimeoutMs);
      function done(): void {
        clearTimeout(timer);
        if (waiting.get(session) === done) waiting.delete(session);
        resolve();
      }
      waiting.set(session, done);
    });
  }

  if (channel) {
    channel.onmessage = (event: MessageEvent) => {
      const message = event.data as Partial<SessionSynced> | null;
      if (message?.type !== 'session-synced' || typeof message.session !== 'string') return;
      remember(message.session);
      const wake = waiting.get(message.session);
      if (wake) return wake();
      if (message.signedIn === true && !isSignedIn() && !followed.has(message.session)) {
        followed.add(message.session);
        reconnect();
      }
    };
  }

  return {
    announce(session, signedIn) {
      channel?.postMessage({ type: 'session-synced', session, signedIn } satisfies SessionSynced);
    },
    async follow(session, reloadPage) {
      if (followed.has(session)) return;
      followed.add(session);
      const arrived = arrival(session);
      if (reloadPage) {
        await arrived;
        reload();
        return;
      }
      const current = arrived.then(() => {
        if (gate === current) gate = null;
      });
      gate = current;
      reconnect();
    },
    ready() {
      return gate ?? Promise.resolve();
    },
    close() {
      for (const wake of [...waiting.values()]) wake();
      channel?.close();
    },
  };
}

/**
 * The session a sign-in over HTTP (a provider's callback, an emailed link)
 * just set, from the short-lived `SIGNED_IN_COOKIE` that answer set beside
 * the HttpOnly one: read once and expired, so the page it landed on
 * announces the new session to the browser's other tabs as a cookie
 * exchange does. `null` when there is none.
 *
 * @example
 * const session = takeSignedInSession(document);
 * if (session) sync.announce(session, true);
 */
export function takeSignedInSession(doc: Pick<Document, 'cookie'> | undefined = globalThis.document): string | null {
  if (!doc) return null;
  const prefix = `${SIGNED_IN_COOKIE}=`;
  const found = doc.cookie
    .split(';')
    .map((part) => part.trim())
    .find((part) => part.startsWith(prefix));
  if (!found) return null;
  doc.cookie = `${SIGNED_IN_COOKIE}=; Max-Age=0; Path=/; SameSite=Lax`;
  const tag = found.slice(prefix.length);
  return /^[a-z2-7]{16}$/.test(tag) ? tag : null;
}

import { SessionStore } from '../auth/session-store';

export type { SessionOwner } from '../auth/session-store';

/**
 * `ctx.session`: the event's session data (see `SessionStore`). The first
 * write of an anonymous visitor creates the session, with a cookie sync.
 *
 * @example
 * const theme = await ctx.session.get<string>('theme');
 * await ctx.session.set('theme', 'dark');
 */
export class SessionProxy extends SessionStore {}

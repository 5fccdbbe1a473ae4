/** Which server a measurement runs against. */
export const SERVER_KINDS = ['ceiling', 'bare', 'authed'] as const;
export type ServerKind = (typeof SERVER_KINDS)[number];

/** One bench server running in this process. */
export interface BenchServer {
  port: number;
  /** Cookie headers the load connections send (the authed server's sessions; none elsewhere). */
  cookies: string[];
  stop(): Promise<void>;
}

/**
 * Servers only the event parts probe starts: `bare-loaded` is the bare server
 * in a process that also holds a whole Statehouse (database, routers, caches)
 * listening beside it, unused: bare with the authed server's footprint.
 */
export const PROBE_SERVER_KINDS = ['bare-loaded'] as const;
export type AnyServerKind = ServerKind | (typeof PROBE_SERVER_KINDS)[number];

export function isServerKind(value: string | undefined): value is AnyServerKind {
  return ([...SERVER_KINDS, ...PROBE_SERVER_KINDS] as readonly string[]).includes(value ?? '');
}

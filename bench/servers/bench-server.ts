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

export function isServerKind(value: string | undefined): value is ServerKind {
  return (SERVER_KINDS as readonly string[]).includes(value ?? '');
}

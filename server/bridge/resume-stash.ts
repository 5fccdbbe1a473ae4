import type { Connection } from './connection';
import type { ConnectionRegistry } from './registry';
import type { SliceTable } from './slice-table';

/** A closed tab's slices, by name. */
export type StashedSlices = SliceTable;

/**
 * Where a closing tab's slices wait for the tab to come back
 * (`socket.resumeGraceMs`), bound to its session. In-process by default (the
 * registry's); in Redis with `busUrl`, so a tab that lands on another
 * process resumes there too (`server/bus/redis-resume-stash.ts`).
 */
export interface ResumeStash {
  /** Keeps a closing tab's slices, bound to its session. */
  keep(conn: Connection): void;
  /**
   * Takes a tab's slices back, only for a tab bound to the same session: a
   * changed identity discards them.
   */
  take(tabId: string, sessionId: string | null): StashedSlices | null | Promise<StashedSlices | null>;
  /** Waits for the slices still being kept (a server stopping keeps its open tabs'). */
  close(): Promise<void>;
}

/**
 * The in-process stash: the registry's, within `socket.resumeGraceMs` and
 * `socket.resumeStashMax`.
 */
export function memoryResumeStash(registry: ConnectionRegistry, settings: { resumeGraceMs: number; resumeStashMax: number }): ResumeStash {
  return {
    keep: (conn) => registry.stash(conn, settings.resumeGraceMs, settings.resumeStashMax),
    take: (tabId, sessionId) => registry.resume(tabId, sessionId),
    close: async () => {},
  };
}

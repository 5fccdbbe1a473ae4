import { createEffect, on } from 'solid-js';
import type { BuiltinRouter } from '../auth';
import { useSlice, useStateClient, type StateTrpc } from '../state';

/** The typed client of the built-in procedures, `admin.*` among them. */
export function useAdminClient(): StateTrpc<BuiltinRouter> {
  return useStateClient<BuiltinRouter>().trpc;
}

/**
 * The `admin` slice's revision: the server moves it in every staff user's
 * open tabs after any admin change (here, from another admin, or the
 * command line). A page reads its data again when it moves.
 */
export function useAdminRevision(): () => number {
  const admin = useSlice<{ revision?: number }>('admin');
  return () => admin.revision ?? 0;
}

/**
 * The `access` slice's revision: moves in a user's open tabs when their
 * permissions, groups or flags change. Runs `reread` each time it moves (not
 * on the first run), so a page shows or hides what a permission allows.
 *
 * @example
 * onAccessChange(() => void app.trpc.notes.list.query());
 */
export function onAccessChange(reread: () => void): void {
  const access = useSlice<{ revision?: number }>('access');
  createEffect(on(() => access.revision ?? 0, reread, { defer: true }));
}

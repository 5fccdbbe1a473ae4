// biome-ignore lint/style/noRestrictedImports: a type-only import (the built-in router's type), erased from the browser bundle.
import type { createAppRouter } from '../../server/index';
import { useStateClient } from '../state/context';
import type { StateTrpc } from '../state/trpc';

/** The procedures every Statehouse app has: `auth.*`, `i18n.*`, `statehouse.*`. */
export type BuiltinRouter = ReturnType<typeof createAppRouter<Record<never, never>>>;

/**
 * The typed client of the built-in procedures, from the nearest `<StateProvider>`.
 *
 * @example
 * const trpc = useAuthClient();
 * await trpc.auth.logout.mutate();
 */
export function useAuthClient(): StateTrpc<BuiltinRouter> {
  return useStateClient<BuiltinRouter>().trpc;
}

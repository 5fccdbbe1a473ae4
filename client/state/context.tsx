import type { AnyRouter } from '@trpc/server';
import { createContext, useContext, type Accessor, type JSX } from 'solid-js';
import { AUTH_SLICE, type AuthSnapshot } from '../../server/shared';
import type { ConnectionStatus, DefaultSlices, StateClient } from './client';
import type { SliceMap } from './store';
import type { Toast, ToastActions } from './toasts';

type AnyStateClient = StateClient<AnyRouter, SliceMap>;

const StateClientContext = createContext<AnyStateClient>();

export interface StateProviderProps<TRouter extends AnyRouter, TSlices extends SliceMap> {
  client: StateClient<TRouter, TSlices>;
  children?: JSX.Element;
}

/**
 * Makes a state client available to the components below it.
 *
 * @example
 * const client = createStateClient<AppRouter, AppSlices>();
 * render(() => <StateProvider client={client}><App /></StateProvider>, root);
 */
export function StateProvider<TRouter extends AnyRouter, TSlices extends SliceMap>(
  props: StateProviderProps<TRouter, TSlices>,
): JSX.Element {
  return <StateClientContext.Provider value={props.client as unknown as AnyStateClient}>{props.children}</StateClientContext.Provider>;
}

/**
 * The state client of the nearest `<StateProvider>`, typed as the caller says.
 *
 * @example
 * const { trpc, status } = useStateClient<AppRouter, AppSlices>();
 * const save = () => trpc.notes.create.mutate({ title: 'Hi' });
 */
export function useStateClient<TRouter extends AnyRouter = AnyRouter, TSlices extends SliceMap = DefaultSlices>(): StateClient<
  TRouter,
  TSlices
> {
  const client = useContext(StateClientContext);
  if (!client) throw new Error('useStateClient() needs a <StateProvider client={...}> above it');
  return client as unknown as StateClient<TRouter, TSlices>;
}

/**
 * One slice as a reactive Solid store: reading a field inside JSX or an
 * effect tracks that field only. The slice exists (empty) even before the
 * server's first push mentions it.
 *
 * @example
 * const dashboard = useSlice<{ tab: string }>('dashboard');
 * return <h2>{dashboard.tab}</h2>;
 */
export function useSlice<S extends object = Record<string, unknown>>(name: string): S {
  const client = useStateClient();
  client.sliceActions.ensure(name);
  return client.slices[name] as S;
}

/**
 * The `auth` slice: the live user's snapshot, for UI binding only.
 * Authorization happens on the server.
 *
 * @example
 * const auth = useAuth();
 * return <Show when={auth.isAuthenticated} fallback={<a href="/login">Sign in</a>}>Hi {auth.username}</Show>;
 */
export function useAuth(): AuthSnapshot {
  return useSlice<AuthSnapshot>(AUTH_SLICE);
}

/**
 * The toast list and what can be done to it.
 *
 * @example
 * const [toasts, { show }] = useToasts();
 * show('success', 'Saved');
 */
export function useToasts(): [readonly Toast[], ToastActions] {
  const client = useStateClient();
  return [client.toasts, client.toastActions];
}

/**
 * The socket's status: `connecting`, `open` or `closed`.
 *
 * @example
 * const status = useConnectionStatus();
 * return <Show when={status() !== 'open'}><p role="status">Reconnecting…</p></Show>;
 */
export function useConnectionStatus(): Accessor<ConnectionStatus> {
  return useStateClient().status;
}

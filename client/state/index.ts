/**
 * The Statehouse client: one WebSocket per tab carrying tRPC-protocol calls whose
 * results update Solid stores and run client actions.
 *
 * @example
 * import { createStateClient, StateProvider, Toaster, RouteReporter, useAuth } from './state';
 * const client = createStateClient<AppRouter, AppSlices>({ initialSlices });
 */
export {
  createActionRunner,
  clearStorageExcept,
  SESSION_SYNC_FAILED_MESSAGE,
  type ActionRunner,
  type ActionRunnerOptions,
  CookieEndpointError,
  type FetchLike,
  type LocationLike,
  type NavigateFunction,
  type StorageLike,
} from './actions';
export { backoffWithJitter, type BackoffOptions } from './backoff';
export {
  createStateClient,
  defaultSocketUrl,
  FIRST_PUSH_MARK,
  readTabId,
  TAB_ID_STORAGE_KEY,
  type ConnectionStatus,
  type DefaultSlices,
  type StateClient,
  type StateClientOptions,
} from './client';
export {
  StateProvider,
  useAuth,
  useConnectionStatus,
  useSlice,
  useStateClient,
  useToasts,
  type StateProviderProps,
} from './context';
export { createStateCalls, isEnvelope, readErrorEnvelope, type StateCallOptions } from './link';
export {
  createStateSocket,
  StateClientError,
  type CallHandlers,
  type CallType,
  type StateErrorData,
  type StateErrorShape,
  type StateSocket,
  type StateSocketOptions,
} from './socket';
export { createTrpcProxy, type StateTrpc, type SubscribeHandlers, type Unsubscribable, type UntypedCalls } from './trpc';
export { createSessionSync, SESSION_CHANNEL, type SessionSync, type SessionSynced, type SessionSyncOptions } from './session-sync';
export { RouteReporter } from './route-reporter';
export { createSliceStore, type SliceMap, type SliceStoreActions } from './store';
export { Toaster, type ToasterProps } from './toaster';
export {
  createToastStore,
  DEFAULT_TOAST_DURATION_MS,
  type ShowToastOptions,
  type Toast,
  type ToastActions,
  type ToastStoreOptions,
} from './toasts';
export {
  safeNextPath,
  type AuthSnapshot,
  type ClientAction,
  type Delta,
  type ErrorEnvelope,
  type StatePush,
  type ToastKind,
} from '../../server/shared';

import { ConfigError, loadPusherConfig, PUSH_MAX_BYTES, redisNamesOf, type StatehouseConfigInput } from '../config';
import type { AppAction, Delta, ToastKind } from '../state/protocol';
import type { SliceDefinition } from '../state/slices';
import type { IdentityBus } from './identity-bus';
import { checkPush, PushError, type PushTarget } from './push-event';
import { createRedisBus } from './redis-bus';

/** The fields of slice `S` a push may set: some of them, each of its own type. */
export type SlicePatch<S extends SliceDefinition> = S extends SliceDefinition<string, infer Shape> ? Partial<Shape> : never;

export interface PushOptions {
  /** Client actions to run once the patch is applied: `navigate` (a path on this site), `toast`, `reload`. */
  actions?: readonly AppAction[];
}

/**
 * State and client actions sent to open tabs from outside their events (a
 * background job, a webhook, the CLI, another process), through the identity
 * bus, so the tabs of every process get them at once. Each tab's slice
 * values take the patch, so its next event's delta counts from there.
 *
 * `Slices` are the slices this pusher may name: a slice that is not one of
 * them is a type error; at run time (and again on every receiving process)
 * an unknown slice or a bad patch is a {@link PushError}.
 */
export interface Pusher<Slices extends readonly SliceDefinition[] = readonly SliceDefinition[]> {
  /**
   * Sets fields of `slice` in the open tabs of `target` (`{ userId }`,
   * `{ sessionId }` or `{ all: true }`), then runs `options.actions` there.
   * Resolves once published; rejects with a {@link PushError} and sends
   * nothing when the push is refused.
   *
   * @example
   * await statehouse.push({ userId: note.userId }, notesSlice, { items }, { actions: [{ type: 'toast', kind: 'info', message: 'New note' }] });
   */
  push<S extends Slices[number]>(target: PushTarget, slice: S, patch: SlicePatch<S>, options?: PushOptions): Promise<void>;
  /**
   * Shows a toast in the open tabs of `target`.
   *
   * @example
   * await statehouse.toast({ all: true }, 'warning', 'The site restarts in five minutes.');
   */
  toast(target: PushTarget, kind: ToastKind, message: string): Promise<void>;
  /**
   * Sends the open tabs of `target` to a path on this site.
   *
   * @example
   * await statehouse.navigate({ sessionId }, '/billing', { replace: true });
   */
  navigate(target: PushTarget, to: string, options?: { replace?: boolean }): Promise<void>;
}

export interface PusherOptions {
  /** Where pushes are published: the server's identity bus, or a Redis bus of a process without a server. */
  bus: Pick<IdentityBus, 'publish'>;
  /** The slices a push may name; a server passes its live map, which slices used later join. */
  slices: ReadonlyMap<string, SliceDefinition> | readonly SliceDefinition[];
  /** Largest push as JSON (`push.maxBytes`). */
  maxBytes?: number;
}

/**
 * A {@link Pusher} publishing on `bus`. Every push is checked before it is
 * published, as its JSON (what another process receives): the target, the
 * actions, the slice and its patch, the size.
 *
 * @example
 * const pusher = createPusher({ bus, slices: [notesSlice] });
 */
export function createPusher<Slices extends readonly SliceDefinition[] = readonly SliceDefinition[]>(
  options: PusherOptions,
): Pusher<Slices> {
  const { bus } = options;
  const slices =
    options.slices instanceof Map ? options.slices : new Map((options.slices as readonly SliceDefinition[]).map((d) => [d.name, d]));
  const maxBytes = options.maxBytes ?? PUSH_MAX_BYTES;

  async function send(target: PushTarget, delta: Delta, actions: readonly AppAction[]): Promise<void> {
    let json: string;
    try {
      json = JSON.stringify({ type: 'push', target, delta, actions });
    } catch (error) {
      throw new PushError('INVALID_PATCH', [
        { path: '(push)', message: `not JSON: ${error instanceof Error ? error.message : String(error)}` },
      ]);
    }
    const bytes = Buffer.byteLength(json);
    if (bytes > maxBytes)
      throw new PushError('TOO_LARGE', [{ path: '(push)', message: `${bytes} bytes, at most ${maxBytes} (push.maxBytes)` }]);
    await bus.publish(checkPush(JSON.parse(json), slices));
  }

  return {
    async push(target, slice, patch, pushOptions = {}) {
      const name = (slice as SliceDefinition | undefined)?.name;
      if (typeof name !== 'string') throw new PushError('UNKNOWN_SLICE', [{ path: '(slice)', message: 'not a slice definition' }]);
      return send(target, { [name]: patch as Record<string, unknown> }, pushOptions.actions ?? []);
    },
    async toast(target, kind, message) {
      return send(target, {}, [{ type: 'toast', kind, message }]);
    },
    async navigate(target, to, navigateOptions = {}) {
      return send(target, {}, [navigateOptions.replace ? { type: 'navigate', to, replace: true } : { type: 'navigate', to }]);
    },
  };
}

/** A {@link Pusher} of its own, with the bus connection it holds. */
export interface ConnectedPusher<Slices extends readonly SliceDefinition[] = readonly SliceDefinition[]> extends Pusher<Slices> {
  /** Closes the bus connection, once the pushes are published. */
  close(): Promise<void>;
}

export interface ConnectPusherOptions<Slices extends readonly SliceDefinition[]> {
  /** The app's slices (those its server declares). */
  slices?: Slices;
  /**
   * Config values; environment variables override them, as for a server.
   * Only `busUrl`, `redisPrefix` and `push` are read (`BUS_URL`,
   * `REDIS_PREFIX`, `PUSH_MAX_BYTES`): a server's other settings, such as
   * its production mail, are neither needed nor checked here.
   */
  config?: Pick<StatehouseConfigInput, 'busUrl' | 'redisPrefix' | 'push'>;
  /** Where environment variables are read (default: `process.env`). */
  env?: Record<string, string | undefined>;
  /** Told about bus connection errors (default: `console.error`). */
  onError?: (error: unknown) => void;
}

/**
 * The `statehouse` of a process that serves nothing (a job runner, a
 * script, a command line): the same `push`, `toast` and `navigate` as a
 * server's, published on the Redis bus of `busUrl` (`BUS_URL`) to the tabs
 * of every server process. Without `busUrl` no server could hear it: a
 * {@link ConfigError}.
 *
 * @example
 * const statehouse = await connectPusher({ slices: appSlices });
 * try {
 *   await statehouse.toast({ all: true }, 'info', 'Maintenance at 18:00.');
 * } finally {
 *   await statehouse.close();
 * }
 */
export async function connectPusher<const Slices extends readonly SliceDefinition[] = readonly SliceDefinition[]>(
  options: ConnectPusherOptions<Slices> = {},
): Promise<ConnectedPusher<Slices>> {
  const config = loadPusherConfig(options.config ?? {}, options.env ?? process.env);
  if (!config.busUrl) {
    throw new ConfigError([
      {
        key: 'busUrl',
        message: 'a process without a server pushes through the shared bus: set BUS_URL (redis://…), or push from the server',
      },
    ]);
  }
  const bus = await createRedisBus(config.busUrl, {
    channel: redisNamesOf(config).identityChannel,
    onError: options.onError ?? ((error) => console.error('statehouse push bus:', error)),
  });
  const pusher = createPusher<Slices>({ bus, slices: options.slices ?? [], maxBytes: config.push.maxBytes });
  return { ...pusher, close: () => bus.close() };
}

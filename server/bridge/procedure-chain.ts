import { TRPCError, type AnyProcedure, type AnyRouter } from '@trpc/server';
import { getProcedureAtPath, getTRPCErrorFromUnknown, middlewareMarker } from '@trpc/server/unstable-core-do-not-import';

/** What one socket call asks of a procedure. */
export interface ProcedureCall {
  router: AnyRouter;
  path: string;
  type: 'query' | 'mutation' | 'subscription';
  input: unknown;
  ctx: object;
  signal: AbortSignal | undefined;
  /**
   * Instead of `signal`: where to read it when a middleware or the
   * procedure first asks for it (a subscription's signal is made on demand,
   * see `socket-protocol.ts`).
   */
  signalOf?: { readonly signal: AbortSignal };
  batchIndex: number;
}

/** What a middleware level answers (tRPC's `MiddlewareResult`). */
type LevelResult = { ok: true; data: unknown; ctx?: unknown; marker: unknown } | { ok: false; error: TRPCError; marker: unknown };

type Middleware = (opts: object) => Promise<LevelResult> | LevelResult;

/** The parts of a procedure's definition the chain reads. Not in tRPC's public types. */
interface ChainDef {
  type: string;
  middlewares: Middleware[];
  meta: unknown;
  experimental_caller?: boolean;
}

interface NextOptions {
  ctx?: object;
  input?: unknown;
  getRawInput?: () => Promise<unknown>;
}

/**
 * Calls the procedure at `call.path`, as tRPC's `callTRPCProcedure` does,
 * with a leaner middleware chain: each level gets its options as one object
 * literal (tRPC spreads the previous level's options into a new object, and
 * `next({ ctx })` spreads both contexts into a third), and a `next({ ctx })`
 * whose context already holds every entry of the current one, unchanged, is
 * passed on as it is instead of being copied (the bridge's per-event context
 * is such a superset of the connection's). Middlewares see the options tRPC
 * documents (`ctx`, `type`, `path`, `input`, `getRawInput`, `meta`,
 * `signal`, `batchIndex`, `next`) and the same results and errors.
 * A procedure with an `experimental_caller` is called through tRPC.
 */
export function callProcedureChain(call: ProcedureCall): Promise<unknown> {
  const procedure = call.router._def.procedures[call.path] as AnyProcedure | undefined;
  return procedure ? callFound(procedure, call) : getProcedureAtPath(call.router, call.path).then((found) => callFound(found, call));
}

function callFound(procedure: AnyProcedure | null | undefined, call: ProcedureCall): Promise<unknown> {
  const def = procedure?._def as unknown as ChainDef | undefined;
  if (!procedure || !def || def.type !== call.type) {
    return Promise.reject(new TRPCError({ code: 'NOT_FOUND', message: `No "${call.type}"-procedure on path "${call.path}"` }));
  }
  if (def.experimental_caller || !Array.isArray(def.middlewares)) {
    const { ctx, path, type, batchIndex, input } = call;
    const signal = call.signalOf?.signal ?? call.signal;
    return procedure({ ctx, path, type, signal, batchIndex, getRawInput: () => Promise.resolve(input) } as never);
  }
  const raw = Promise.resolve(call.input);
  return runLevel(def, 0, call, call.ctx, undefined, () => raw).then(unwrap);
}

function unwrap(result: LevelResult | undefined): unknown {
  if (!result) {
    throw new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'No result from middlewares - did you forget to `return next()`?' });
  }
  if (!result.ok) throw result.error;
  return result.data;
}

async function runLevel(
  def: ChainDef,
  index: number,
  call: ProcedureCall,
  ctx: object,
  input: unknown,
  getRawInput: () => Promise<unknown>,
): Promise<LevelResult> {
  try {
    const opts = {
      ctx,
      type: call.type,
      path: call.path,
      input,
      getRawInput,
      meta: def.meta,
      signal: call.signal,
      batchIndex: call.batchIndex,
      next(nextOpts?: NextOptions) {
        return runLevel(
          def,
          index + 1,
          call,
          nextOpts?.ctx ? mergeContext(ctx, nextOpts.ctx) : ctx,
          nextOpts && 'input' in nextOpts ? nextOpts.input : input,
          nextOpts?.getRawInput ?? getRawInput,
        );
      },
    };
    // Read only if asked for: an unread subscription signal is never made.
    const { signalOf } = call;
    if (signalOf !== undefined) Object.defineProperty(opts, 'signal', { get: () => signalOf.signal, enumerable: true });
    return await def.middlewares[index]!(opts);
  } catch (cause) {
    return { ok: false, error: getTRPCErrorFromUnknown(cause), marker: middlewareMarker };
  }
}

/**
 * `{ ...ctx, ...added }`, except that a plain `added` already holding every
 * entry of `ctx` unchanged is that same object.
 */
function mergeContext(ctx: object, added: object): object {
  if (Object.getPrototypeOf(added) === Object.prototype) {
    let superset = true;
    for (const key in ctx) {
      if (!Object.hasOwn(added, key) || (added as Record<string, unknown>)[key] !== (ctx as Record<string, unknown>)[key]) {
        superset = false;
        break;
      }
    }
    if (superset) return added;
  }
  return { ...ctx, ...added };
}

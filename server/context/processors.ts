import type { AuthUser } from '../auth/user';
import type { EventRequest } from '../request';
import type { ContextProcessor, StatehouseConfig } from '../config';
import type { Logger } from '../log';
import type { UserModel } from '../auth/user-model';
import type { Database } from '../../db/client';

export type { ContextProcessor } from '../config';

/** Raised when a context processor throws or returns something other than an object. */
export class ContextProcessorError extends Error {
  override readonly name = 'ContextProcessorError';
  constructor(
    /** The processor's function name, or `#index` in `contextProcessors` when it has none. */
    readonly processor: string,
    /** The event (tRPC path) or HTTP path that asked for the context. */
    readonly eventPath: string,
    override readonly cause: unknown,
  ) {
    super(`Context processor ${processor} failed for ${eventPath || '(no event)'}`);
  }
}

type UnionToIntersection<U> = (U extends unknown ? (value: U) => void : never) extends (value: infer I) => void ? I : never;

/**
 * The merged context type of a list of processors, for `loadContext<T>()`,
 * `withContext<T>()` and `contextOf<T>()`.
 *
 * @example
 * const processors = [siteProcessor, languageProcessor] as const;
 * type AppContext = ContextOf<typeof processors>; // { SITE_NAME: string } & LanguageContext
 */
export type ContextOf<P extends readonly ((...args: never[]) => unknown)[]> = UnionToIntersection<Awaited<ReturnType<P[number]>>>;

/** A processor's name for logs and errors: its function name, else its position. */
export function processorName(processor: ContextProcessor, index: number): string {
  return processor.name ? processor.name : `#${index}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Runs the processors one after the other (each may be async) and merges
 * their results in order, later keys winning. When one throws, the failure
 * is logged with the processor's name and the event path, and a
 * {@link ContextProcessorError} is thrown: nothing is merged.
 *
 * @example
 * const context = await runContextProcessors(config.contextProcessors, request, user, runtime);
 */
export async function runContextProcessors(
  processors: readonly ContextProcessor[],
  request: EventRequest,
  user: AuthUser,
  { config, db, log, userModel }: { config: StatehouseConfig; db: Database; log: Logger; userModel: UserModel },
): Promise<Record<string, unknown>> {
  const merged: Record<string, unknown> = {};
  for (let index = 0; index < processors.length; index++) {
    const processor = processors[index]!;
    let result: unknown;
    try {
      result = await processor(request, user, config, db, userModel);
      if (!isRecord(result)) throw new TypeError(`returned ${result === null ? 'null' : typeof result}, not an object`);
    } catch (cause) {
      const name = processorName(processor, index);
      log.error('context processor failed', { processor: name, index, event: request.eventPath, error: cause });
      throw new ContextProcessorError(name, request.eventPath, cause);
    }
    Object.assign(merged, result);
  }
  return merged;
}

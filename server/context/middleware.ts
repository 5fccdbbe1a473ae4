import { experimental_standaloneMiddleware } from '@trpc/server';
import { currentRequest } from '../bridge/accessors';
import type { EventRequest } from '../request';
import type { EventContext } from '../bridge/trpc';

const base = experimental_standaloneMiddleware<{ ctx: EventContext }>();

/**
 * Loads the context processors' output before the handler runs, for a
 * procedure or a whole router that wants it on every event; `ctx.request`
 * is narrowed so `ctx.request.context` is typed as `T`.
 *
 * @example
 * const home = publicProcedure
 *   .use(withContext<BuiltinContext>())
 *   .query(({ ctx }) => `Welcome to ${ctx.request.context.SITE_NAME}`);
 */
export function withContext<T extends Record<string, unknown> = Record<string, unknown>>() {
  return base.create(async function loadRequestContext({ ctx, next }) {
    await ctx.request.loadContext();
    return next({ ctx: { request: ctx.request as EventRequest<T> } });
  });
}

/**
 * The merged context of an event, loading it on first use: `ctx` (or its
 * request) when given, else the current event's (an empty context outside
 * events).
 *
 * @example
 * const { SITE_NAME } = await contextOf<SiteContext>(ctx);
 */
export function contextOf<T extends Record<string, unknown> = Record<string, unknown>>(
  source: { request: EventRequest } | EventRequest = currentRequest(),
): Promise<T> {
  const request = 'request' in source ? source.request : source;
  return request.loadContext<T>();
}

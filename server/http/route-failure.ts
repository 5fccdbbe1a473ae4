import { describeDatabaseError, isRetriableDatabaseError } from '../errors';
import type { Logger } from '../log';

/** The errors Elysia raises itself (a route not found, a body it cannot parse…), which keep its answers. */
const ELYSIA_ERROR_CODES = new Set(['NOT_FOUND', 'PARSE', 'VALIDATION', 'INVALID_COOKIE_SIGNATURE', 'INVALID_FILE_TYPE']);

/**
 * An `onError` for a group of HTTP routes: a fault answers `respond(503)`
 * while the database is busy or away, else `respond(500)`, and is logged as
 * `what failed`; never the error's text, which for a failed statement lists
 * its parameters. Elysia's own errors keep their answers.
 */
export function routeFailureHandler(log: Logger, what: string, respond: (status: 500 | 503) => Response) {
  return function routeFailed({ code, error, request }: { code: unknown; error: unknown; request: Request }) {
    // Not `code !== 'UNKNOWN'`: Elysia passes an error's own `code` on (libSQL's `SQLITE_CONSTRAINT`).
    if (typeof code === 'string' && ELYSIA_ERROR_CODES.has(code)) return;
    const route = new URL(request.url).pathname;
    if (isRetriableDatabaseError(error)) {
      log.error('database unavailable', { route, error: describeDatabaseError(error) });
      return respond(503);
    }
    log.error(`${what} failed`, { route, error });
    return respond(500);
  };
}

import { Elysia } from 'elysia';
import type { Runtime } from '../runtime';
import { hostCheck, parseHost } from './hosts';
import { isTrustedProxy, lastForwarded } from '../auth/origin';

/** Served whatever the host: a load balancer probes by address, and it tells a page nothing. */
const HEALTH_PATH = '/healthz';

/** Logged values are cut to this length: a refused request must not fill the log. */
const LOGGED_CHARS = 200;

function refuse(status: 400 | 421, text: string): Response {
  return new Response(text, {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', connection: 'close' },
  });
}

/** The request target's path: after the origin Bun put in front of it, before the query. */
function pathOf(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  if (start < 0) return '/';
  const query = url.indexOf('?', start);
  return query < 0 ? url.slice(start) : url.slice(start, query);
}

function decodes(path: string): boolean {
  if (!path.includes('%')) return true;
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs before routing, for every HTTP request and socket upgrade: a `Host`
 * that is no host name and a path with a bad percent-escape are answered 400
 * (they used to reach the routes and end in unlogged 500s), and a host not in
 * `allowedHosts` is answered 421, so a page on a rebound DNS name
 * (`evil.example` → 127.0.0.1) cannot act as this site. Behind a trusted
 * proxy the host checked is `X-Forwarded-Host`'s first value. Each refusal
 * is logged at warn.
 */
export function requestGuard(runtime: Runtime) {
  const { config, log } = runtime;
  const allowed = hostCheck(config);
  const trusting = config.trustedProxies.length > 0;
  return new Elysia({ name: 'statehouse-request-guard' }).onRequest(function guardRequest({ request, server }) {
    const hostHeader = request.headers.get('host');
    let host = parseHost(hostHeader);
    if (host && trusting && isTrustedProxy(config, server?.requestIP(request)?.address ?? '')) {
      const forwarded = lastForwarded(request, 'x-forwarded-host');
      if (forwarded) host = parseHost(forwarded);
    }
    if (!host) {
      log.warn('bad request: malformed host', { host: (hostHeader ?? '(none)').slice(0, LOGGED_CHARS) });
      return refuse(400, 'Bad request: malformed Host');
    }
    const path = pathOf(request.url);
    if (!decodes(path)) {
      log.warn('bad request: bad escape in path', { method: request.method, path: path.slice(0, LOGGED_CHARS) });
      return refuse(400, 'Bad request: bad escape in path');
    }
    if (!allowed(host) && path !== HEALTH_PATH) {
      log.warn('host not allowed (set allowedHosts or publicUrl)', {
        host: `${host.hostname}${host.port ? `:${host.port}` : ''}`.slice(0, LOGGED_CHARS),
      });
      return refuse(421, 'Misdirected request: this server does not serve that host');
    }
  });
}

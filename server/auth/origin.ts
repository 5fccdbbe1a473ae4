import type { StatehouseConfig } from '../config';

/** Whether the direct peer is a proxy whose forwarding headers we believe. */
export function isTrustedProxy(config: StatehouseConfig, peerIp: string): boolean {
  return config.trustedProxies.length > 0 && config.trustedProxies.includes(normalizeIp(peerIp));
}

function normalizeIp(ip: string): string {
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}

/**
 * The client's address: the peer's, or through a trusted proxy the rightmost
 * `X-Forwarded-For` entry that is not itself a trusted proxy.
 */
export function clientIp(config: StatehouseConfig, request: Request, peerIp: string): string {
  const peer = normalizeIp(peerIp);
  if (!isTrustedProxy(config, peer)) return peer;
  const forwarded = (request.headers.get('x-forwarded-for') ?? '')
    .split(',')
    .map((s) => normalizeIp(s.trim()))
    .filter(Boolean);
  for (let i = forwarded.length - 1; i >= 0; i--) {
    if (!config.trustedProxies.includes(forwarded[i]!)) return forwarded[i]!;
  }
  return peer;
}

/**
 * The last value of a forwarding header: the one the nearest proxy (the
 * trusted peer) wrote. A proxy that appends leaves the client's own values
 * first, so the first value is whatever the client sent.
 */
export function lastForwarded(request: Request, name: 'x-forwarded-host' | 'x-forwarded-proto'): string | undefined {
  const value = request.headers.get(name)?.split(',').at(-1)?.trim();
  return value || undefined;
}

/** Whether the client reached us over https (directly or through a trusted proxy). */
export function isHttps(config: StatehouseConfig, request: Request, peerIp: string): boolean {
  if (isTrustedProxy(config, peerIp)) {
    const proto = lastForwarded(request, 'x-forwarded-proto');
    if (proto) return proto === 'https';
  }
  return new URL(request.url).protocol === 'https:';
}

/** This site's own origin as the browser sees it. */
export function ownOrigin(config: StatehouseConfig, request: Request, peerIp: string): string {
  const url = new URL(request.url);
  const trusted = isTrustedProxy(config, peerIp);
  const host = (trusted && lastForwarded(request, 'x-forwarded-host')) || request.headers.get('host') || url.host;
  return `${isHttps(config, request, peerIp) ? 'https' : 'http'}://${host}`;
}

/**
 * Whether a request's `Origin` may act on this site: its own origin, or one
 * of `allowedOrigins`. A missing or `null` Origin is refused.
 */
export function originAllowed(config: StatehouseConfig, request: Request, peerIp: string): boolean {
  const origin = request.headers.get('origin');
  if (!origin || origin === 'null') return false;
  if (origin === ownOrigin(config, request, peerIp)) return true;
  return config.allowedOrigins.some((allowed) => new URL(allowed).origin === origin);
}

/** `Sec-Fetch-Site` values a cookie endpoint accepts (absent: older browsers, checked by Origin). */
export function fetchSiteAllowed(request: Request): boolean {
  const site = request.headers.get('sec-fetch-site');
  return site === null || site === 'same-origin' || site === 'none';
}

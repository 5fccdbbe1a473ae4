import type { StatehouseConfig } from '../config';

/** A `Host` (or `X-Forwarded-Host`) value split into its name and port. */
export interface HostName {
  /** Lower case, without a trailing dot; an IPv6 address keeps its brackets. */
  hostname: string;
  /** Empty when the header names none. */
  port: string;
}

/** RFC 9110's `uri-host [ ":" port ]`, kept to what a browser sends: a registered name, IPv4 or a bracketed IPv6 address. */
const HOST = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+)(?::(\d{1,5}))?$/;

/** Splits a host header value; `null` when it is no host (a space, a tab, `#`, `/`, `@`, an empty value…). */
export function parseHost(value: string | null): HostName | null {
  const match = value === null ? null : HOST.exec(value);
  if (!match) return null;
  const port = match[2] ?? '';
  if (port !== '' && Number(port) > 65_535) return null;
  return { hostname: match[1]!.toLowerCase().replace(/\.$/, ''), port };
}

/** Names every machine gives itself: a DNS-rebinding page cannot send them. */
export const LOOPBACK_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '[::1]'];

/** Decides whether a host may be served; built once from the config. */
export type HostCheck = (host: HostName) => boolean;

/**
 * The hosts this site answers to: `allowedHosts`, `publicUrl`'s host, and the
 * loopback names in development and test (in production only while neither
 * `publicUrl` nor `allowedHosts` says where the site lives). An entry without
 * a port allows any port; `.example.com` allows the domain and its
 * subdomains; `*` allows every host (no check).
 */
export function hostCheck(config: Pick<StatehouseConfig, 'env' | 'allowedHosts' | 'publicUrl'>): HostCheck {
  const entries = [...config.allowedHosts];
  if (config.publicUrl) entries.push(new URL(config.publicUrl).hostname);
  if (config.env !== 'production' || entries.length === 0) entries.push(...LOOPBACK_HOSTS);
  if (entries.includes('*')) return () => true;
  const exact = new Set<string>();
  const suffixes: string[] = [];
  for (const entry of entries) {
    if (entry.startsWith('.')) {
      suffixes.push(entry.toLowerCase());
      continue;
    }
    const parsed = parseHost(entry);
    if (parsed) exact.add(parsed.port ? `${parsed.hostname}:${parsed.port}` : parsed.hostname);
  }
  return ({ hostname, port }) =>
    exact.has(hostname) ||
    (port !== '' && exact.has(`${hostname}:${port}`)) ||
    suffixes.some((suffix) => hostname.endsWith(suffix) || hostname === suffix.slice(1));
}

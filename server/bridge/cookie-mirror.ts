import type { SharedStrings } from './shared-strings';

/** Upgrade headers with no use after the handshake (`cookie` lives on in the cookie mirror). */
const HANDSHAKE_ONLY = new Set([
  'cookie',
  'upgrade',
  'connection',
  'sec-websocket-key',
  'sec-websocket-version',
  'sec-websocket-extensions',
  'sec-websocket-protocol',
]);

/**
 * Names and values in one flat list, found by a scan: a connection keeps a
 * few of them, and a Map or a native `Headers` each would cost an idle tab
 * more than the strings themselves.
 */
abstract class FlatPairs {
  protected readonly pairs: string[] = [];

  /** Where `name` sits in {@link pairs} (its value is next), or -1. */
  protected indexOf(name: string): number {
    for (let i = 0; i < this.pairs.length; i += 2) if (this.pairs[i] === name) return i;
    return -1;
  }
}

/**
 * The upgrade request's headers a connection keeps, with lower-case names:
 * an idle tab holds a few short strings, not a native `Headers` of the whole
 * handshake (about 2 KB per connection). Never changed once made, so the
 * tabs that sent the same headers share one (see {@link UpgradeHeaders.of}).
 */
export class UpgradeHeaders extends FlatPairs {
  /**
   * The headers to keep of `headers`; with a table of shared strings, the
   * table's instance when another connection sent the same ones (the tabs
   * of one browser do: an idle tab then holds no list of its own).
   */
  static of(headers: Headers, strings: SharedStrings | null = null): UpgradeHeaders {
    const kept = new UpgradeHeaders(headers, strings);
    // Shared, so no connection may change it for the others.
    Object.freeze(kept.pairs);
    // Names and values cannot hold a line break: joined by one, they tell every list apart.
    return strings ? strings.sharedObject(`headers\n${kept.pairs.join('\n')}`, kept) : kept;
  }

  constructor(headers: Headers, strings: SharedStrings | null = null) {
    super();
    for (const [name, value] of headers) {
      if (HANDSHAKE_ONLY.has(name)) continue;
      this.pairs.push(strings ? strings.shared(name) : name, strings ? strings.shared(value) : value);
    }
  }

  /** A header's value (names are case-insensitive), or `null`. */
  get(name: string): string | null {
    const at = this.indexOf(name.toLowerCase());
    return at < 0 ? null : this.pairs[at + 1]!;
  }

  /** A fresh `Headers` with these headers and, when given, a `cookie` header. */
  toHeaders(cookie: string): Headers {
    const headers = new Headers();
    for (let i = 0; i < this.pairs.length; i += 2) headers.append(this.pairs[i]!, this.pairs[i + 1]!);
    if (cookie) headers.set('cookie', cookie);
    return headers;
  }
}

/**
 * The cookie mirror: the browser's cookies as the server last knew them,
 * with the `Map` methods the bridge uses. A tab has a cookie or two, most
 * often one (its session's): the first sits in two fields, the others in a
 * flat list made with the second, so an idle tab holds no array for it.
 */
export class CookieMirror implements Iterable<[string, string]> {
  /**
   * Counts the mirror's changes: a value kept with it (the validated
   * session's) still holds while the count is the same, told without
   * looking a cookie up.
   */
  version = 0;
  /** The first cookie, `null` when there is none (then there are no others). */
  private firstName: string | null = null;
  private firstValue = '';
  /** The others, names and values in turn, in the order they came; `null` until a second cookie. */
  private rest: string[] | null = null;

  get size(): number {
    return (this.firstName === null ? 0 : 1) + (this.rest === null ? 0 : this.rest.length / 2);
  }

  get(name: string): string | undefined {
    if (name === this.firstName) return this.firstValue;
    const at = this.indexOf(name);
    return at < 0 ? undefined : this.rest![at + 1];
  }

  has(name: string): boolean {
    return name === this.firstName || this.indexOf(name) >= 0;
  }

  set(name: string, value: string): this {
    if (this.firstName === null || name === this.firstName) {
      this.firstName = name;
      this.firstValue = value;
    } else {
      const at = this.indexOf(name);
      if (at >= 0) this.rest![at + 1] = value;
      else (this.rest ??= []).push(name, value);
    }
    this.version++;
    return this;
  }

  delete(name: string): boolean {
    if (name === this.firstName) {
      // The next one in order takes the first place.
      const rest = this.rest;
      if (rest !== null && rest.length > 0) {
        this.firstName = rest[0]!;
        this.firstValue = rest[1]!;
        rest.splice(0, 2);
        if (rest.length === 0) this.rest = null;
      } else {
        this.firstName = null;
        this.firstValue = '';
      }
      this.version++;
      return true;
    }
    const at = this.indexOf(name);
    if (at < 0) return false;
    this.rest!.splice(at, 2);
    if (this.rest!.length === 0) this.rest = null;
    this.version++;
    return true;
  }

  clear(): void {
    this.firstName = null;
    this.firstValue = '';
    this.rest = null;
    this.version++;
  }

  /** The `Cookie` header rebuilt from the mirror. */
  header(): string {
    if (this.firstName === null) return '';
    let out = `${this.firstName}=${encodeURIComponent(this.firstValue)}`;
    const rest = this.rest;
    if (rest !== null) for (let i = 0; i < rest.length; i += 2) out += `; ${rest[i]}=${encodeURIComponent(rest[i + 1]!)}`;
    return out;
  }

  *[Symbol.iterator](): IterableIterator<[string, string]> {
    if (this.firstName === null) return;
    yield [this.firstName, this.firstValue];
    const rest = this.rest;
    if (rest !== null) for (let i = 0; i < rest.length; i += 2) yield [rest[i]!, rest[i + 1]!];
  }

  /** Where `name` sits in {@link rest} (its value is next), or -1. */
  private indexOf(name: string): number {
    const rest = this.rest;
    if (rest === null) return -1;
    for (let i = 0; i < rest.length; i += 2) if (rest[i] === name) return i;
    return -1;
  }
}

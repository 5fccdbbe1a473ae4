import type { FetchLike, LocationLike, StorageLike } from '../../client/state/actions';

/** A shared, ordered record of what the fakes were asked to do. */
export type EventLog = string[];

/** `Storage` over a Map; logs `clear`. */
export function createMemoryStorage(
  name: string,
  log: EventLog,
  entries: Record<string, string> = {},
): StorageLike & {
  dump(): Record<string, string>;
} {
  const map = new Map(Object.entries(entries));
  return {
    get length() {
      return map.size;
    },
    key: (index) => [...map.keys()][index] ?? null,
    getItem: (key) => map.get(key) ?? null,
    setItem: (key, value) => void map.set(key, String(value)),
    removeItem: (key) => void map.delete(key),
    clear: () => {
      log.push(`${name}.clear`);
      map.clear();
    },
    dump: () => Object.fromEntries(map),
  };
}

/** A location that records navigations instead of leaving the page. */
export function createFakeLocation(href: string, log: EventLog): LocationLike {
  return {
    href,
    assign: (url) => void log.push(`assign ${url}`),
    replace: (url) => void log.push(`replace ${url}`),
    reload: () => void log.push('reload'),
  };
}

export interface FakeFetch {
  fetch: FetchLike;
  requests: { url: string; init: RequestInit; body: unknown }[];
}

/** A fetch answering every request with `status`, logging `POST <path>`. */
export function createFakeFetch(log: EventLog, status = 204): FakeFetch {
  const requests: FakeFetch['requests'] = [];
  return {
    requests,
    fetch: async (url, init) => {
      const body = typeof init.body === 'string' ? JSON.parse(init.body) : init.body;
      requests.push({ url, init, body });
      log.push(`${init.method ?? 'GET'} ${new URL(url).pathname}`);
      return { ok: status >= 200 && status < 300, status };
    },
  };
}

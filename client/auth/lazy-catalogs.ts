import { createSignal, type Accessor, type Setter } from 'solid-js';
import { baseLanguageOf } from '../../server/shared';

/** Where a language's catalog is: in memory, on its way, or it could not be fetched. */
export type CatalogStatus = 'ready' | 'loading' | 'failed';

/**
 * Catalogs of one set of texts, one per language: the default language's
 * bundled with the code, every other one fetched (a dynamic `import()`, a
 * chunk of its own) the first time a page needs it. Reads are reactive: a
 * component that asks for a language still loading re-renders once it is in.
 */
export interface LazyCatalogs<T> {
  /**
   * Where the catalog `language` shows is: `ready` at once for the default
   * language and for one without a catalog of its own (it shows the
   * default's). The first read starts the fetch.
   */
  status(language: string): CatalogStatus;
  /** The catalog `language` shows when `ready`, else the default one. */
  get(language: string): T;
  /**
   * The catalog `language` shows, once fetched (fetched again after a
   * failure); rejects when the chunk cannot be loaded.
   */
  load(language: string): Promise<T>;
  /** Whether `language` (or its base language) has a catalog that is fetched on first use. */
  fetched(language: string): boolean;
  /**
   * Adds the catalog of a language (or replaces one not fetched yet):
   * `load` fetches it the first time a page needs it. Call it before the
   * first render.
   */
  add(language: string, load: () => Promise<T>): void;
}

interface Entry<T> {
  state: Accessor<{ status: CatalogStatus; catalog?: T }>;
  set: Setter<{ status: CatalogStatus; catalog?: T }>;
  loading: Promise<T> | null;
}

/**
 * The catalogs of `fallback`'s texts: `fallback` is the default language's
 * (bundled), `loaders` fetch the others by lower-case language code
 * (`ar`, `pt-br`; `add()` takes more). A tag without a loader of its own uses its base
 * language's (`ar-EG` → `ar`), else the default. A chunk that cannot be
 * loaded is reported on the console and leaves that language `failed`: its
 * pages show the default language's texts.
 *
 * @example
 * const PAGE_TEXTS = lazyCatalogs(PAGE_EN, { ar: () => import('./page-ar').then((m) => m.PAGE_AR) });
 * PAGE_TEXTS.status('ar'); // 'loading', and the chunk is on its way
 */
export function lazyCatalogs<T>(fallback: T, loaders: Readonly<Record<string, () => Promise<T>>>): LazyCatalogs<T> {
  const table = new Map(Object.entries(loaders));
  const entries = new Map<string, Entry<T>>();
  const codeOf = (language: string): string => language.toLowerCase().replace(/_/g, '-');
  const keyOf = (language: string): string | null => {
    const lower = codeOf(language);
    if (table.has(lower)) return lower;
    const base = baseLanguageOf(lower);
    return table.has(base) ? base : null;
  };
  const fetchEntry = (key: string, entry: Entry<T>): Promise<T> => {
    const loading = table.get(key)!().then(
      (catalog) => {
        entry.set({ status: 'ready', catalog });
        return catalog;
      },
      (error: unknown) => {
        entry.loading = null;
        entry.set({ status: 'failed' });
        console.error(`statehouse: the texts of language "${key}" could not be loaded; its pages show the default language`, error);
        throw error;
      },
    );
    entry.loading = loading;
    return loading;
  };
  const entryOf = (key: string, start: boolean): Entry<T> => {
    let entry = entries.get(key);
    if (!entry) {
      const [state, set] = createSignal<{ status: CatalogStatus; catalog?: T }>({ status: 'loading' });
      entry = { state, set, loading: null };
      entries.set(key, entry);
      // The rejection is the console's and the status's; a reader does not have to catch it.
      if (start) fetchEntry(key, entry).catch(() => {});
    }
    return entry;
  };
  return {
    status(language) {
      const key = keyOf(language);
      return key === null ? 'ready' : entryOf(key, true).state().status;
    },
    get(language) {
      const key = keyOf(language);
      return (key === null ? undefined : entryOf(key, true).state().catalog) ?? fallback;
    },
    load(language) {
      const key = keyOf(language);
      if (key === null) return Promise.resolve(fallback);
      const entry = entryOf(key, false);
      const { catalog } = entry.state();
      if (catalog !== undefined) return Promise.resolve(catalog);
      if (entry.loading) return entry.loading;
      entry.set({ status: 'loading' });
      return fetchEntry(key, entry);
    },
    fetched(language) {
      return keyOf(language) !== null;
    },
    add(language, load) {
      const key = codeOf(language);
      table.set(key, load);
      if (entries.get(key)?.state().status !== 'ready') entries.delete(key);
    },
  };
}

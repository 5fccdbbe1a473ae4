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
  /**
   * How long a fetch may take before its language is `failed` (its pages
   * show the default language); a catalog arriving later is still kept.
   * Default {@link CATALOG_TIMEOUT_MS}.
   */
  timeoutMs: number;
}

/** How long a catalog's chunk may take by default before its language shows the default one. */
export const CATALOG_TIMEOUT_MS = 8_000;

/** Every set of catalogs made so far (the pages', the admin console's once its code is in). */
const EVERY_SET = new Set<LazyCatalogs<object>>();

/**
 * Fetches `language`'s texts of every set of catalogs the page has loaded
 * (the pages', the admin console's…) at once; never rejects (a failure is the
 * catalogs' to report). The language picker calls it beside the change.
 *
 * @example
 * void preloadLanguage('ar');
 */
export async function preloadLanguage(language: string): Promise<void> {
  await Promise.allSettled([...EVERY_SET].map((set) => set.load(language)));
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
 * language's (`ar-EG` → `ar`), else the default. A loaded catalog is
 * merged over `fallback` (a key it lacks shows the default language's
 * text). A chunk that cannot be loaded, or not within `timeoutMs`, is
 * reported on the console and leaves that language `failed`: its pages show
 * the default language's texts.
 *
 * @example
 * const PAGE_TEXTS = lazyCatalogs(PAGE_EN, { ar: () => import('./page-ar').then((m) => m.PAGE_AR) });
 * PAGE_TEXTS.status('ar'); // 'loading', and the chunk is on its way
 */
export function lazyCatalogs<T extends object>(fallback: T, loaders: Readonly<Record<string, () => Promise<T>>>): LazyCatalogs<T> {
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
    const arrived = table.get(key)!().then((catalog) => {
      const full = { ...fallback, ...catalog };
      // Kept even when it comes after the timeout: the language shows once it is in.
      entry.set({ status: 'ready', catalog: full });
      return full;
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`not loaded within ${catalogs.timeoutMs} ms`)), catalogs.timeoutMs);
    });
    const loading = Promise.race([arrived, late]).then(
      (catalog) => {
        clearTimeout(timer);
        return catalog;
      },
      (error: unknown) => {
        clearTimeout(timer);
        entry.loading = null;
        if (entry.state().status !== 'ready') entry.set({ status: 'failed' });
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
  const catalogs: LazyCatalogs<T> = {
    timeoutMs: CATALOG_TIMEOUT_MS,
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
  EVERY_SET.add(catalogs);
  return catalogs;
}

/** The language of the bundled (default) catalogs. */
const DEFAULT_CATALOG_LANGUAGE = 'en';

/**
 * The language whose scoped overrides apply to `catalog`: the default one
 * when `language` has a catalog of its own not loaded yet (or failed), so
 * English texts get English overrides; else `language` (one without a
 * catalog of its own shows the default texts with its own overrides).
 */
export function overridesLanguageOf<T extends object>(catalogs: LazyCatalogs<T>, catalog: T, fallback: T, language: string): string {
  return catalog === fallback && catalogs.fetched(language) ? DEFAULT_CATALOG_LANGUAGE : language;
}

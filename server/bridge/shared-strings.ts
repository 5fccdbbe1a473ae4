/** Distinct strings a table keeps at most, and the longest it keeps. */
const SHARED_MAX = 512;
const SHARED_MAX_LENGTH = 256;
/** Distinct immutable objects a table keeps at most, and the longest key it keeps one under. */
const OBJECTS_MAX = 256;
const OBJECTS_MAX_KEY_LENGTH = 8192;

/**
 * One copy of a short string many connections hold (header names, the
 * host, the origin, a browser's user agent): 10,000 tabs of a few browsers
 * keep a few strings, not 10,000 copies. Bounded: once full, strings are
 * kept as they come. One table per server (`runtime.registry.strings`), so
 * a stopped server leaves none behind.
 */
export class SharedStrings {
  private readonly table = new Map<string, string>();
  private readonly objects = new Map<string, object>();

  /** The table's copy of `value` (equal to it), adding it while there is room. */
  shared(value: string): string {
    if (value.length > SHARED_MAX_LENGTH) return value;
    const known = this.table.get(value);
    if (known !== undefined) return known;
    if (this.table.size < SHARED_MAX) this.table.set(value, value);
    return value;
  }

  /**
   * One instance of an immutable object many connections hold (the upgrade
   * headers a tab keeps: the tabs of one browser send the same ones): the
   * table's object under `key`, else `value`, kept while there is room. `key`
   * must tell every object that differs apart (its contents, written out).
   */
  sharedObject<T extends object>(key: string, value: T): T {
    if (key.length > OBJECTS_MAX_KEY_LENGTH) return value;
    const known = this.objects.get(key);
    if (known !== undefined) return known as T;
    if (this.objects.size < OBJECTS_MAX) this.objects.set(key, value);
    return value;
  }

  get size(): number {
    return this.table.size;
  }
}

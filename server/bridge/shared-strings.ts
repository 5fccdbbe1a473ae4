/** Distinct strings a table keeps at most, and the longest it keeps. */
const SHARED_MAX = 512;
const SHARED_MAX_LENGTH = 256;
/** Distinct immutable objects a table holds at most, and the longest key it holds one under. */
export const OBJECTS_MAX = 256;
export const OBJECTS_MAX_KEY_LENGTH = 4096;

/**
 * One copy of a short string many connections hold (header names, the
 * host, the origin, a browser's user agent): 10,000 tabs of a few browsers
 * keep a few strings, not 10,000 copies. Bounded: once full, strings are
 * kept as they come. One table per server (`runtime.registry.strings`), so
 * a stopped server leaves none behind.
 */
export class SharedStrings {
  private readonly table = new Map<string, string>();
  /** Weakly: an object lives as long as a connection holds it, not as long as the server. */
  private readonly objects = new Map<string, WeakRef<object>>();
  private readonly collected = new FinalizationRegistry<string>((key) => {
    // The key may hold a newer object by now.
    if (this.objects.get(key)?.deref() === undefined) this.objects.delete(key);
  });

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
   * table's object under `key`, else `value`, which the table then offers to
   * the next connections. `key` must tell every object that differs apart
   * (its contents, written out). The table holds objects weakly, so one no
   * connection holds any more is let go (what a closed tab sent, credentials
   * included, is not kept for the server's lifetime), and at most
   * {@link OBJECTS_MAX} of them, the oldest making room: objects that are
   * all different (a proxy adding a request id to every upgrade) churn
   * through it rather than fill it for good.
   */
  sharedObject<T extends object>(key: string, value: T): T {
    if (key.length > OBJECTS_MAX_KEY_LENGTH) return value;
    const known = this.objects.get(key)?.deref();
    if (known !== undefined) return known as T;
    this.objects.delete(key);
    if (this.objects.size >= OBJECTS_MAX) this.objects.delete(this.objects.keys().next().value!);
    this.objects.set(key, new WeakRef(value));
    this.collected.register(value, key);
    return value;
  }

  /** How many shared objects the table offers now (collected ones may still count until their finalizer runs). */
  get objectCount(): number {
    return this.objects.size;
  }

  get size(): number {
    return this.table.size;
  }
}

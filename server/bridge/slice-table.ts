/** A slice's field values. */
export type SliceValues = Record<string, unknown>;

/**
 * A tab's slices by name, with the `Map` methods the bridge uses: the first
 * slice in two fields, the others in one object without a prototype. A tab
 * holds a few slices, an idle one often one (its language), and an empty
 * `Map` alone costs an idle tab about 400 bytes; the object of the others
 * is made with the second slice. Looking a slice up by name is a comparison
 * and a property read, as fast as `Map.get` (a scan of a flat list was
 * slower, on every event that sets a slice).
 */
export class SliceTable implements Iterable<[string, SliceValues]> {
  private firstName: string | null = null;
  private firstValues: SliceValues | undefined = undefined;
  private others: Record<string, SliceValues> | null = null;
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(name: string): SliceValues | undefined {
    if (name === this.firstName) return this.firstValues;
    return this.others === null ? undefined : this.others[name];
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  set(name: string, values: SliceValues): this {
    if (this.firstName === null || name === this.firstName) {
      if (this.firstName === null) this.count++;
      this.firstName = name;
      this.firstValues = values;
      return this;
    }
    const others = (this.others ??= Object.create(null) as Record<string, SliceValues>);
    if (others[name] === undefined) this.count++;
    others[name] = values;
    return this;
  }

  *[Symbol.iterator](): IterableIterator<[string, SliceValues]> {
    if (this.firstName !== null) yield [this.firstName, this.firstValues!];
    const others = this.others;
    if (others === null) return;
    for (const name in others) yield [name, others[name]!];
  }
}

/** The `q` quantile (0..1) of already sorted numbers, nearest-rank; `NaN` when empty. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

/** p50 and p99 of a sample (the sample is sorted in place). */
export function latencyQuantiles(sample: Float64Array): { p50: number; p99: number } {
  sample.sort();
  return { p50: quantileSorted(sample, 0.5), p99: quantileSorted(sample, 0.99) };
}

/** The median of some numbers (mean of the middle two for an even count); `NaN` when empty. */
export function median(values: readonly number[]): number {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (finite.length === 0) return Number.NaN;
  const mid = finite.length >> 1;
  return finite.length % 2 === 1 ? finite[mid]! : (finite[mid - 1]! + finite[mid]!) / 2;
}

/** `a / b`, or `NaN` when either is missing or `b` is zero. */
export function ratio(a: number, b: number): number {
  return Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? a / b : Number.NaN;
}

/**
 * A growable list of numbers backed by a typed array, so recording a latency
 * allocates nothing on the hot path.
 */
export class NumberLog {
  private data: Float64Array;
  length = 0;

  constructor(initialCapacity = 1 << 14) {
    this.data = new Float64Array(initialCapacity);
  }

  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }

  /** A copy of the recorded values. */
  values(): Float64Array {
    return this.data.slice(0, this.length);
  }
}

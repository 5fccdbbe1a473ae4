/**
 * A token bucket: `capacity` tokens, refilled at `perSecond`. Cheap enough to
 * run on every socket message.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly capacity: number,
    private readonly perSecond: number,
    now: number = performance.now(),
  ) {
    this.tokens = capacity;
    this.last = now;
  }

  /** Takes `cost` tokens if available; returns whether it could. */
  take(cost = 1, now: number = performance.now()): boolean {
    this.refill(now);
    if (this.tokens < cost) return false;
    this.tokens -= cost;
    return true;
  }

  /** Seconds until `cost` tokens are available. */
  retryAfter(cost = 1, now: number = performance.now()): number {
    this.refill(now);
    if (this.tokens >= cost) return 0;
    return Math.ceil((cost - this.tokens) / this.perSecond);
  }

  /** Whether the bucket is full (nothing to remember about this key). */
  isFull(now: number = performance.now()): boolean {
    this.refill(now);
    return this.tokens >= this.capacity;
  }

  private refill(now: number): void {
    const elapsed = (now - this.last) / 1000;
    if (elapsed > 0) {
      this.tokens = Math.min(this.capacity, this.tokens + elapsed * this.perSecond);
      this.last = now;
    }
  }
}

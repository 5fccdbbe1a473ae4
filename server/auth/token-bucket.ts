/** A bucket's tokens once `elapsedMs` have passed since they were `tokens`: refilled at `perSecond`, never past `capacity`. */
export function refilledTokens(tokens: number, capacity: number, perSecond: number, elapsedMs: number): number {
  return Math.min(capacity, tokens + (elapsedMs / 1000) * perSecond);
}

/** Seconds until a bucket holding `tokens`, refilled at `perSecond`, holds `cost`. */
export function secondsUntilTokens(tokens: number, cost: number, perSecond: number): number {
  return tokens >= cost ? 0 : Math.ceil((cost - tokens) / perSecond);
}

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
    return secondsUntilTokens(this.tokens, cost, this.perSecond);
  }

  /** Whether the bucket is full (nothing to remember about this key). */
  isFull(now: number = performance.now()): boolean {
    this.refill(now);
    return this.tokens >= this.capacity;
  }

  private refill(now: number): void {
    if (now > this.last) {
      this.tokens = refilledTokens(this.tokens, this.capacity, this.perSecond, now - this.last);
      this.last = now;
    }
  }
}

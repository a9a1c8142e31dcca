// Token buckets for the documented rate limits. A bucket holds `capacity` tokens and refills at
// `capacity / periodMs`; a request takes one token or is refused with the wait until the next one.

export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly capacity: number,
    private readonly periodMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = capacity;
    this.updatedAt = now();
  }

  /** Takes a token; returns 0 on success or the milliseconds until a token is available. */
  take(): number {
    this.refill();
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) * this.periodMs) / this.capacity);
  }

  /** Gives back a token taken by a request that another bucket then refused. */
  giveBack(): void {
    this.tokens = Math.min(this.capacity, this.tokens + 1);
  }

  private refill(): void {
    const at = this.now();
    const elapsed = at - this.updatedAt;
    this.updatedAt = at;
    this.tokens = Math.min(this.capacity, this.tokens + (elapsed * this.capacity) / this.periodMs);
  }
}

/**
 * Several buckets that must all admit a request (e.g. 50/s and 1000/min). Returns 0 when admitted,
 * otherwise the Retry-After in whole seconds (at least 1); a refused request consumes nothing.
 */
export function admit(buckets: readonly TokenBucket[]): number {
  const taken: TokenBucket[] = [];
  for (const bucket of buckets) {
    const waitMs = bucket.take();
    if (waitMs > 0) {
      for (const t of taken) t.giveBack();
      return Math.max(1, Math.ceil(waitMs / 1000));
    }
    taken.push(bucket);
  }
  return 0;
}

/** Buckets keyed by a subject (an account, an integration), created on first use. */
export class BucketsBySubject<K> {
  private readonly buckets = new Map<K, TokenBucket[]>();

  constructor(private readonly make: () => TokenBucket[]) {}

  admit(subject: K): number {
    return admit(this.bucketsFor(subject));
  }

  bucketsFor(subject: K): TokenBucket[] {
    let buckets = this.buckets.get(subject);
    if (!buckets) {
      buckets = this.make();
      this.buckets.set(subject, buckets);
    }
    return buckets;
  }

  clear(): void {
    this.buckets.clear();
  }
}

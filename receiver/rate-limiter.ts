// Sliding-window rate limiter: at most `limit` starts in any window of `windowMs`. Unlike a token
// bucket (which allows burst + rate in one window) this guarantees Flashduty's "100 per second"
// holds for every 1 s window, retries included.
export class SlidingWindowLimiter {
  private readonly stamps: number[];
  private head = 0;
  private count = 0;

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {
    this.stamps = new Array<number>(Math.max(1, limit)).fill(0);
  }

  /** Milliseconds until a start is allowed (0 = now). */
  waitMs(now: number): number {
    if (this.limit <= 0) return 0; // disabled
    if (this.count < this.limit) return 0;
    const oldest = this.stamps[this.head] as number;
    return Math.max(0, oldest + this.windowMs - now);
  }

  /** Records a start; call only when waitMs(now) === 0. */
  take(now: number): void {
    if (this.limit <= 0) return;
    if (this.count < this.limit) {
      this.stamps[(this.head + this.count) % this.limit] = now;
      this.count++;
    } else {
      this.stamps[this.head] = now;
      this.head = (this.head + 1) % this.limit;
    }
  }
}

// Rate limiting that holds at Flashduty's end, not just ours. A request may reach Flashduty at any
// moment between being sent and being answered, so it counts against the window for that whole
// span: a new request may start at time t only while
//   (requests in flight) + (requests answered after t - window) < limit.
// Proof sketch: take any window W of arrivals and the request r* in it that started last, at s*.
// Every other request r arriving in W started before s* and was answered after its arrival, so
// after W's start ≥ s* - window: at s* it was in flight or answered inside (s* - window, s*], and
// was counted. So at most `limit` requests arrive in any window, whatever the network jitter.
export class InFlightWindowLimiter {
  private inFlight = 0;
  /** Answer times of finished requests, oldest first (non-decreasing). */
  private readonly answered: number[] = [];
  private head = 0;

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  private prune(now: number): void {
    while (
      this.head < this.answered.length &&
      (this.answered[this.head] as number) <= now - this.windowMs
    )
      this.head++;
    if (this.head > 1024 && this.head * 2 > this.answered.length) {
      this.answered.splice(0, this.head);
      this.head = 0;
    }
  }

  /** Milliseconds until a start is allowed; 0 = now; Infinity = when an in-flight one finishes. */
  waitMs(now: number): number {
    if (this.limit <= 0) return 0; // disabled
    this.prune(now);
    const recent = this.answered.length - this.head;
    if (this.inFlight + recent < this.limit) return 0;
    if (recent === 0) return Infinity;
    return Math.max(1, (this.answered[this.head] as number) + this.windowMs - now + 1);
  }

  /** Records a start; call only when waitMs(now) === 0. */
  start(): void {
    if (this.limit > 0) this.inFlight++;
  }

  /** Records the answer (or the abandonment) of a started request. */
  finish(now: number): void {
    if (this.limit <= 0) return;
    this.inFlight--;
    const last = this.answered[this.answered.length - 1];
    this.answered.push(last !== undefined && last > now ? last : now);
  }
}

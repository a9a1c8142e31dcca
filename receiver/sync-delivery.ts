// DELIVERY=sync: forward a request's events inline and answer the cloud only with the outcome, for
// hosts whose disk is not durable (Function Compute). Nothing is spooled: an event is either in
// Flashduty (202) or the cloud is told to send it again (non-2xx), which both clouds do 3 times.
// - Bounded: all attempts for one request end within `deadlineMs` (default 3500), below Aliyun's
//   5 s callback timeout (Volcengine allows 8 s); attempts back off with jitter and honour
//   Retry-After only if it fits in what is left.
// - Same rate windows as the forwarder (per instance), and one push at a time per alert_key within
//   the instance, so a recovery does not overtake its firing when both arrive together.
// - A non-retryable rejection (e.g. 400 InvalidParameter, no routing rule, unknown integration key)
//   is dead-lettered (file in SPOOL_DIR + an `error` log line with the body) and answered 502.
import { randomUUID } from "node:crypto";
import { backoffDelay, sleep } from "../components/common/retry";
import type { Logger } from "./logger";
import type { ReceiverMetrics } from "./metrics";
import type { CloudSource, MappedEvent } from "./model";
import { pushOnce } from "./push";
import type { PushOutcome } from "./push";
import { InFlightWindowLimiter } from "./rate-limiter";
import type { Spool } from "./spool";

export interface SyncDeliveryOptions {
  pushUrl: string;
  ratePerSecond: number;
  ratePerMinute: number;
  /** Cap on one attempt (FORWARD_TIMEOUT_MS); an attempt never outlives the deadline either. */
  attemptTimeoutMs: number;
  /** Everything for one request ends by then (SYNC_TIMEOUT_MS). */
  deadlineMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
}

export type SyncVerdict =
  | { kind: "delivered" }
  /** Retryable trouble (5xx, 429, timeout, network) that outlasted the deadline: nothing kept. */
  | { kind: "unavailable"; detail: string; retryAfterSeconds: number }
  /** Flashduty refused an event for good; it was dead-lettered. */
  | { kind: "rejected"; detail: string };

/** An attempt shorter than this is not worth starting. */
const MIN_ATTEMPT_MS = 200;
/** Longest Retry-After honoured for later callbacks (as the forwarder's default cap). */
const MAX_PAUSE_MS = 60_000;

export class SyncDelivery {
  private readonly perSecond: InFlightWindowLimiter;
  private readonly perMinute: InFlightWindowLimiter;
  /** Tail of the pushes per alert_key in this instance. */
  private readonly tails = new Map<string, Promise<unknown>>();
  /** Until when Flashduty asked us to wait (Retry-After), for every later callback too. */
  private pausedUntil = 0;

  constructor(
    private readonly options: SyncDeliveryOptions,
    private readonly spool: Spool,
    private readonly metrics: ReceiverMetrics,
    private readonly log: Logger,
  ) {
    this.perSecond = new InFlightWindowLimiter(options.ratePerSecond, 1000);
    this.perMinute = new InFlightWindowLimiter(options.ratePerMinute, 60_000);
  }

  /** Delivers every event of one request; the verdict is the worst of theirs. */
  async deliver(
    source: CloudSource,
    events: MappedEvent[],
    dedupId?: string,
  ): Promise<SyncVerdict> {
    const deadline = Date.now() + this.options.deadlineMs;
    const verdicts = await Promise.all(
      events.map((e) => this.inKeyOrder(e.body.alert_key, () => this.one(e, deadline))),
    );
    // Rejections are recorded whatever happened to the other events of the callback.
    const rejected = verdicts.filter((v) => v.kind === "rejected");
    for (const [i, v] of verdicts.entries()) {
      if (v.kind !== "rejected") continue;
      const e = events[i] as MappedEvent;
      await this.deadLetter(source, e, dedupId, v.outcome);
    }
    // Retryable trouble wins: the cloud's retry may still get the other events through.
    const unavailable = verdicts.find((v) => v.kind === "unavailable");
    if (unavailable) return unavailable;
    if (rejected.length > 0)
      return {
        kind: "rejected",
        detail: rejected.map((v) => (v.kind === "rejected" ? v.detail : "")).join("; "),
      };
    return { kind: "delivered" };
  }

  private inKeyOrder<T>(key: string, run: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const mine = previous.then(run, run);
    const tail = mine.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return mine;
  }

  private async one(
    event: MappedEvent,
    deadline: number,
  ): Promise<
    | { kind: "delivered" }
    | { kind: "unavailable"; detail: string; retryAfterSeconds: number }
    | { kind: "rejected"; detail: string; outcome: Extract<PushOutcome, { kind: "reject" }> }
  > {
    let lastDetail = "no attempt fitted in the deadline";
    let lastRetryAfterMs: number | undefined;
    for (let attempt = 0; ; attempt++) {
      // A Retry-After from an earlier answer holds for this callback too: wait it out if it fits,
      // else answer 503 at once (passing the wait on) instead of pushing into a throttle.
      const paused = this.pausedUntil - Date.now();
      if (paused > 0) {
        if (Date.now() + paused + MIN_ATTEMPT_MS > deadline) {
          lastDetail = `Flashduty asked to wait ${Math.ceil(paused / 1000)} s (Retry-After)`;
          lastRetryAfterMs = paused;
          break;
        }
        await sleep(paused);
      }
      const slot = await this.acquireSlot(deadline);
      if (!slot) {
        lastDetail = `rate limit (${this.options.ratePerSecond}/s, ${this.options.ratePerMinute}/min) left no slot in time`;
        break;
      }
      const started = process.hrtime.bigint();
      let outcome: PushOutcome;
      try {
        const timeoutMs = Math.min(this.options.attemptTimeoutMs, deadline - Date.now());
        outcome = await pushOnce(this.options.pushUrl, event.body, Math.max(1, timeoutMs));
      } finally {
        const now = Date.now();
        this.perSecond.finish(now);
        this.perMinute.finish(now);
      }
      this.metrics.forwardLatency.observe(Number(process.hrtime.bigint() - started) / 1e9);
      if (outcome.kind === "ok") {
        this.metrics.forwarded.inc();
        return { kind: "delivered" };
      }
      if (outcome.kind === "reject")
        return {
          kind: "rejected",
          detail: `HTTP ${outcome.status}${outcome.code ? ` ${outcome.code}` : ""}`,
          outcome,
        };
      this.metrics.retried.inc({ reason: outcome.reason });
      lastDetail = `${outcome.reason}: ${outcome.detail}`;
      lastRetryAfterMs = outcome.retryAfterMs;
      if (outcome.retryAfterMs !== undefined)
        this.pausedUntil = Math.max(
          this.pausedUntil,
          Date.now() + Math.min(outcome.retryAfterMs, MAX_PAUSE_MS),
        );
      const delay = backoffDelay(
        attempt,
        { baseDelayMs: this.options.backoffBaseMs, maxDelayMs: this.options.backoffMaxMs },
        outcome.retryAfterMs,
      );
      if (Date.now() + delay + MIN_ATTEMPT_MS > deadline) break;
      await sleep(delay);
    }
    this.log.warn("sync delivery: Flashduty did not accept the event in time; answering 503", {
      alert_key: event.body.alert_key,
      lastError: lastDetail,
    });
    return {
      kind: "unavailable",
      detail: lastDetail,
      retryAfterSeconds: Math.max(1, Math.ceil((lastRetryAfterMs ?? 5000) / 1000)),
    };
  }

  /** Waits for room in both rate windows until the deadline; false if none came in time. */
  private async acquireSlot(deadline: number): Promise<boolean> {
    for (;;) {
      const now = Date.now();
      const wait = Math.max(this.perSecond.waitMs(now), this.perMinute.waitMs(now));
      if (wait === 0) {
        this.perSecond.start();
        this.perMinute.start();
        return true;
      }
      if (now + Math.min(wait, 10) + MIN_ATTEMPT_MS > deadline) return false;
      await sleep(Math.min(wait, 10)); // Infinity = until an in-flight push is answered
    }
  }

  private async deadLetter(
    source: CloudSource,
    event: MappedEvent,
    dedupId: string | undefined,
    outcome: Extract<PushOutcome, { kind: "reject" }>,
  ): Promise<void> {
    const record = {
      id: randomUUID(),
      receivedAt: Date.now(),
      source,
      format: event.format,
      ...(dedupId !== undefined ? { dedupId } : {}),
      body: event.body,
    };
    const detail = {
      reason: outcome.reason,
      attempts: 1,
      status: outcome.status,
      response: outcome.response,
    };
    this.metrics.deadLettered.inc({ reason: outcome.reason });
    // The log line carries the body: on a host without durable disk it is the lasting record.
    let file: string | undefined;
    try {
      file = await this.spool.deadLetter(record, detail);
    } catch (err) {
      this.log.error("could not write dead letter file", { error: (err as Error).message });
    }
    this.log.error("event rejected by Flashduty (sync delivery); dead-lettered, answering 502", {
      alert_key: event.body.alert_key,
      ...detail,
      file,
      event: event.body,
    });
  }
}

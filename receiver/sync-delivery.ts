// DELIVERY=sync: forward a request's events inline and answer the cloud only with the outcome, for
// hosts whose disk is not durable (Function Compute). Nothing is spooled: an event is either in
// Flashduty (202) or the cloud is told to send it again (non-2xx), which both clouds do 3 times.
// - Bounded: all attempts for one request end within `deadlineMs` (default 3500), below Aliyun's
//   5 s callback timeout (Volcengine allows 8 s); attempts back off with jitter and honour
//   Retry-After only if it fits in what is left.
// - Same rate windows as the forwarder (per instance), and one push at a time per alert_key within
//   the instance, so a recovery does not overtake its firing when both arrive together.
// - A non-retryable rejection (e.g. 400 InvalidParameter about the body, no routing rule)
//   is dead-lettered (file in SPOOL_DIR + an `error` log line with the body) and answered 502.
// - An account-wide refusal (NoLicense, "account has not purchased", Unauthorized, …; push.ts) is
//   answered 503 at once, so the cloud retries and nothing is dead-lettered; the pause metric and
//   one `error` line say why (pause.ts). The same event refused again after Flashduty accepted
//   another push is refused for itself: dead-lettered and answered 502 as above.
import { createHash, randomUUID } from "node:crypto";
import { backoffDelay, sleep } from "../components/common/retry";
import type { Logger } from "./logger";
import type { ReceiverMetrics } from "./metrics";
import type { CloudSource, MappedEvent } from "./model";
import { pushOnce } from "./push";
import type { PushOutcome } from "./push";
import { DeliveryPause } from "./pause";
import type { PauseState } from "./pause";
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
/** Events refused for the account remembered (by body) to recognise the cloud's retry of one. */
const REFUSED_MEMORY = 10_000;
/** Longest Retry-After honoured for later callbacks (as the forwarder's default cap). */
const MAX_PAUSE_MS = 60_000;

export class SyncDelivery {
  private readonly perSecond: InFlightWindowLimiter;
  private readonly perMinute: InFlightWindowLimiter;
  /** Tail of the pushes per alert_key in this instance. */
  private readonly tails = new Map<string, Promise<unknown>>();
  private readonly pause: DeliveryPause;
  /** Body fingerprint → when Flashduty last refused it for the account (oldest first). */
  private readonly refusedAt = new Map<string, number>();
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
    this.pause = new DeliveryPause(metrics, log, "sync delivery");
  }

  /** Set while Flashduty refuses every push (NoLicense, Unauthorized, …). */
  pauseState(): PauseState | undefined {
    return this.pause.state();
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
      const sentAt = DeliveryPause.now();
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
        this.pause.accepted(sentAt);
        this.refusedAt.delete(fingerprint(event));
        this.metrics.forwarded.inc();
        return { kind: "delivered" };
      }
      if (outcome.kind === "account") return this.onRefused(event, outcome, sentAt);
      if (outcome.kind === "reject") this.pause.answeredOtherwise(sentAt);
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

  /**
   * Flashduty refused the push for the account: answer 503 at once (the cloud retries), unless this
   * very event was refused before and Flashduty accepted another push since — then it is refused
   * for itself, and goes the way of any rejection (dead letter, 502).
   */
  private onRefused(
    event: MappedEvent,
    outcome: Extract<PushOutcome, { kind: "account" }>,
    sentAt: number,
  ):
    | { kind: "unavailable"; detail: string; retryAfterSeconds: number }
    | { kind: "rejected"; detail: string; outcome: Extract<PushOutcome, { kind: "reject" }> } {
    const id = fingerprint(event);
    const before = this.refusedAt.get(id);
    const what = `HTTP ${outcome.status}${outcome.code ? ` ${outcome.code}` : ""}`;
    if (before !== undefined && this.pause.acceptedSince(before)) {
      this.metrics.pushRefusals.inc({ reason: outcome.reason });
      this.refusedAt.delete(id);
      return {
        kind: "rejected",
        detail: what,
        outcome: {
          kind: "reject",
          reason: outcome.code ? `rejected_${outcome.code}` : `rejected_http_${outcome.status}`,
          status: outcome.status,
          ...(outcome.code ? { code: outcome.code } : {}),
          response: outcome.response,
        },
      };
    }
    this.refusedAt.delete(id); // re-inserted as the newest
    this.refusedAt.set(id, DeliveryPause.now());
    if (this.refusedAt.size > REFUSED_MEMORY)
      this.refusedAt.delete(this.refusedAt.keys().next().value as string);
    this.pause.refused(outcome, sentAt);
    return {
      kind: "unavailable",
      detail: `Flashduty refuses every push for now (${what}, ${outcome.reason}); delivery is paused`,
      retryAfterSeconds: Math.max(1, Math.ceil(this.options.backoffMaxMs / 1000)),
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

/** Identifies an event across the cloud's retries of its callback (same mapped body). */
function fingerprint(event: MappedEvent): string {
  // Without event_time: a retry must match even if a time was filled in at receipt.
  const { event_time: _eventTime, ...rest } = event.body as unknown as Record<string, unknown>;
  return createHash("sha256").update(JSON.stringify(rest)).digest("base64url");
}

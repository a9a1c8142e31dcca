// Delivers spooled events to Flashduty's standard alert push endpoint.
// - Ordering: one request in flight per alert_key, FIFO per key, so a recovery never overtakes its
//   firing event (Flashduty keeps the last status it saw for an alert).
// - Rate: sliding windows per second and per minute across the integration (Flashduty allows 100/s
//   and 1000/min per integration); every attempt, retries included, counts.
// - Failures: 429/408/5xx, timeouts, network errors and Flashduty's throttling/internal error codes
//   pause the whole forwarder (they concern the one integration, not one event) with exponential
//   backoff from components/common/retry.ts, never shorter than Retry-After; while paused-and-
//   failing only one probe request is in flight. Each event's retries are bounded (attempts and
//   age); past either bound, and on any other rejection, it goes to the dead-letter folder.
// - Account-wide refusals (NoLicense, "account has not purchased", Unauthorized, …; push.ts) pause
//   delivery instead (pause.ts): nothing is dead-lettered or counted as an attempt, one probe at a
//   time at a backoff interval (≤ FORWARD_BACKOFF_MAX_MS), each with the head event of the next key
//   in line (FIFO per key is kept), until Flashduty answers otherwise. An event refused again after
//   another push was accepted is refused for itself and is dead-lettered.
// - Only after Flashduty accepted an event is it acked (and eventually deleted) in the spool.
import { backoffDelay } from "../components/common/retry";
import type { RetryOptions } from "../components/common/retry";
import type { Logger } from "./logger";
import type { ReceiverMetrics } from "./metrics";
import { pushOnce } from "./push";
import type { PushOutcome } from "./push";
import { DeliveryPause } from "./pause";
import type { PauseState } from "./pause";
import { InFlightWindowLimiter } from "./rate-limiter";
import type { Spool, SpoolRecord, SpoolRef } from "./spool";

export interface ForwarderOptions {
  pushUrl: string;
  ratePerSecond: number;
  /** 0 disables the per-minute window. */
  ratePerMinute: number;
  concurrency: number;
  retry: Pick<RetryOptions, "baseDelayMs" | "maxDelayMs" | "maxRetryAfterMs" | "timeoutMs">;
  /** Attempts per event before it is dead-lettered as "retries_exhausted". */
  maxAttempts: number;
  /** Age after which a still-undelivered event is dead-lettered as "expired". */
  maxAgeMs: number;
}

interface Item {
  ref: SpoolRef;
  attempts: number;
  /** When Flashduty last refused it for the account (DeliveryPause.now()), if it did. */
  refusedAt?: number;
}

type Outcome = PushOutcome;

export interface ForwarderState {
  mode: "forwarding";
  pending: number;
  inFlight: number;
  consecutiveFailures: number;
  pausedForMs: number;
  lastError?: string;
  /** Set while Flashduty refuses every push (NoLicense, Unauthorized, …): delivery is paused. */
  paused?: PauseState;
}

export class Forwarder {
  private readonly queues = new Map<string, Item[]>();
  private readonly ready: string[] = [];
  private readonly perSecond: InFlightWindowLimiter;
  private readonly perMinute: InFlightWindowLimiter;
  private readonly controllers = new Set<AbortController>();
  private readonly inFlightPromises = new Set<Promise<void>>();
  private inFlight = 0;
  /** Requests actually sent and not yet answered (inFlight also counts deliveries waiting for a
   * slot, which were admitted before a failure began). */
  private onWire = 0;
  private pendingCount = 0;
  private consecutiveFailures = 0;
  private pausedUntil = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = 0;
  private stopped = false;
  private lastError: string | undefined;
  private idleWaiters: Array<() => void> = [];
  private readonly pause: DeliveryPause;
  /** Sends are spaced evenly (1000 / rate ms, GCRA-style with one slot of tolerance so timer
   * lateness does not lower the average): a window-start burst would reach Flashduty bunched with
   * network jitter and could exceed its limit on arrival even though we kept ours. */
  private readonly spacingMs: number;
  private nextSendAt = 0;
  private readonly sleepers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();

  constructor(
    private readonly spool: Spool,
    private readonly options: ForwarderOptions,
    private readonly metrics: ReceiverMetrics,
    private readonly log: Logger,
  ) {
    this.perSecond = new InFlightWindowLimiter(options.ratePerSecond, 1000);
    this.perMinute = new InFlightWindowLimiter(options.ratePerMinute, 60_000);
    this.spacingMs = 1000 / options.ratePerSecond;
    this.pause = new DeliveryPause(metrics, log, "forwarding");
  }

  state(): ForwarderState {
    return {
      mode: "forwarding",
      pending: this.pendingCount,
      inFlight: this.inFlight,
      consecutiveFailures: this.consecutiveFailures,
      pausedForMs: Math.max(0, this.pausedUntil - Date.now()),
      ...(this.lastError ? { lastError: this.lastError } : {}),
      ...(this.pause.active ? { paused: this.pause.state() } : {}),
    };
  }

  enqueue(refs: ReadonlyArray<SpoolRef>): void {
    for (const ref of refs) {
      let queue = this.queues.get(ref.alertKey);
      if (!queue) {
        queue = [];
        this.queues.set(ref.alertKey, queue);
        this.ready.push(ref.alertKey);
      }
      queue.push({ ref, attempts: 0 });
      this.pendingCount++;
    }
    this.pump();
  }

  /** Resolves once nothing is pending or in flight (used by tests, benches and shutdown). */
  whenIdle(): Promise<void> {
    if (this.pendingCount === 0 && this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    if (this.stopped) return;
    while (this.ready.length > 0) {
      const maxInFlight =
        this.consecutiveFailures > 0 || this.pause.active ? 1 : this.options.concurrency;
      if (this.inFlight >= maxInFlight) return;
      const wait = this.pausedUntil - Date.now();
      if (wait > 0) {
        this.schedule(Date.now() + wait);
        return;
      }
      const key = this.ready.shift() as string;
      const item = this.queues.get(key)?.[0];
      if (!item) continue;
      this.inFlight++;
      const p = this.deliver(key, item).finally(() => {
        this.inFlightPromises.delete(p);
      });
      this.inFlightPromises.add(p);
    }
  }

  /**
   * Waits for the pause to end and for a slot in both rate windows, then takes it. Called right
   * before the request goes out (after the spool read), so the windows see actual send times.
   * Returns false when the forwarder stops meanwhile.
   */
  private async acquireSlot(): Promise<boolean> {
    for (;;) {
      if (this.stopped) return false;
      const now = Date.now();
      // While failing, one probe at a time: deliveries admitted before the failure wait here too,
      // else they all went out together when the pause ended.
      const probeBusy = this.consecutiveFailures > 0 && this.onWire > 0;
      const wait = Math.max(
        probeBusy ? Infinity : 0,
        this.pausedUntil - now,
        this.nextSendAt - this.spacingMs - now, // one slot of tolerance absorbs timer lateness
        this.perSecond.waitMs(now),
        this.perMinute.waitMs(now),
      );
      if (wait <= 0) {
        this.perSecond.start();
        this.perMinute.start();
        this.nextSendAt = Math.max(this.nextSendAt, now) + this.spacingMs;
        this.onWire++;
        return true;
      }
      await new Promise<void>((resolve) => {
        const sleeper = {
          timer: setTimeout(
            () => {
              this.sleepers.delete(sleeper);
              resolve();
            },
            // Infinity (an answer frees the slot: wakeSleepers) would be a 1 ms timer to Node.
            Number.isFinite(wait) ? Math.max(1, wait) : 1000,
          ),
          resolve,
        };
        this.sleepers.add(sleeper);
      });
    }
  }

  private schedule(at: number): void {
    if (this.timer && this.timerAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.pump();
      },
      Math.max(1, at - Date.now()),
    );
  }

  private async deliver(key: string, item: Item): Promise<void> {
    let outcome: Outcome;
    let record: SpoolRecord | undefined;
    let started = process.hrtime.bigint();
    let sentAt = DeliveryPause.now();
    try {
      record = await this.spool.read(item.ref);
      if (!(await this.acquireSlot())) {
        this.inFlight--;
        return this.settleIdle(); // stopping: left in the spool, replayed on restart
      }
      started = process.hrtime.bigint();
      sentAt = DeliveryPause.now();
      try {
        outcome = await this.send(record);
      } finally {
        this.onWire--;
        const now = Date.now();
        this.perSecond.finish(now);
        this.perMinute.finish(now);
        this.wakeSleepers();
      }
    } catch (err) {
      outcome = { kind: "retry", reason: "spool_read", detail: (err as Error).message };
    }
    this.metrics.forwardLatency.observe(Number(process.hrtime.bigint() - started) / 1e9);
    this.inFlight--;
    if (this.stopped) return this.settleIdle(); // left in the spool; replayed on restart
    const queue = this.queues.get(key) as Item[];
    if (outcome.kind === "account") {
      await this.onRefused(key, queue, item, record, outcome, sentAt);
      this.pump();
      this.settleIdle();
      return;
    }
    item.attempts++;
    if (outcome.kind === "ok") {
      this.pause.accepted(sentAt);
      this.onSuccess();
      this.metrics.forwarded.inc();
      this.finish(key, queue, item);
    } else if (outcome.kind === "retry") {
      this.metrics.retried.inc({ reason: outcome.reason });
      this.lastError = `${outcome.reason}: ${outcome.detail}`;
      const age = Date.now() - item.ref.receivedAt;
      if (item.attempts >= this.options.maxAttempts || age >= this.options.maxAgeMs) {
        const reason = item.attempts >= this.options.maxAttempts ? "retries_exhausted" : "expired";
        if (await this.deadLetter(record, item, reason, { lastError: this.lastError }))
          this.finish(key, queue, item);
        else this.requeueAfterFailure(key);
      } else {
        this.onFailure(outcome.retryAfterMs, outcome.reason);
        this.ready.unshift(key); // same head again, first in line
      }
    } else {
      this.pause.answeredOtherwise(sentAt); // an answer about the event: no longer refusing all
      this.onSuccess(); // Flashduty answered; the integration is reachable
      const written = await this.deadLetter(record, item, outcome.reason, {
        status: outcome.status,
        response: outcome.response,
      });
      if (written) this.finish(key, queue, item);
      else this.requeueAfterFailure(key);
    }
    this.pump();
    this.settleIdle();
  }

  /**
   * Flashduty refused the push for the account or integration. Unless this event was refused
   * before and another push has been accepted since (then it is refused for itself: dead letter),
   * pause: keep the event, no attempt counted, next probe after a backoff interval, with the head
   * of the next key in line.
   */
  private async onRefused(
    key: string,
    queue: Item[],
    item: Item,
    record: SpoolRecord | undefined,
    outcome: Extract<Outcome, { kind: "account" }>,
    sentAt: number,
  ): Promise<void> {
    this.consecutiveFailures = 0; // Flashduty answered: not an outage
    if (item.refusedAt !== undefined && this.pause.acceptedSince(item.refusedAt)) {
      this.metrics.pushRefusals.inc({ reason: outcome.reason });
      item.attempts++;
      const reason = outcome.code ? `rejected_${outcome.code}` : `rejected_http_${outcome.status}`;
      if (
        await this.deadLetter(record, item, reason, {
          status: outcome.status,
          response: outcome.response,
          note: "refused again after Flashduty accepted other pushes: about this event, not the account",
        })
      )
        this.finish(key, queue, item);
      else this.requeueAfterFailure(key);
      return;
    }
    item.refusedAt = DeliveryPause.now();
    this.pause.refused(outcome, sentAt);
    this.lastError = `paused_${outcome.reason}: HTTP ${outcome.status}${outcome.code ? ` ${outcome.code}` : ""}`;
    const delay = backoffDelay(this.pause.probes, this.options.retry);
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + delay);
    this.ready.push(key); // behind the other keys: the next probe is another key's head event
  }

  private finish(key: string, queue: Item[], item: Item): void {
    queue.shift();
    this.pendingCount--;
    void this.spool.ack(item.ref);
    if (queue.length > 0) this.ready.push(key);
    else this.queues.delete(key);
  }

  /** Lets rate-limit waiters re-check after a request was answered. */
  private wakeSleepers(): void {
    for (const s of this.sleepers) {
      clearTimeout(s.timer);
      s.resolve();
    }
    this.sleepers.clear();
  }

  /** Keeps an event that could not be dead-lettered (disk trouble): never drop it, try later. */
  private requeueAfterFailure(key: string): void {
    this.onFailure(undefined, "dead_letter_write");
    this.ready.unshift(key);
  }

  private settleIdle(): void {
    if (this.pendingCount === 0 && this.inFlight === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private onSuccess(): void {
    if (this.consecutiveFailures > 0)
      this.log.info("Flashduty reachable again; resuming full-rate forwarding", {
        failures: this.consecutiveFailures,
      });
    this.consecutiveFailures = 0;
    this.lastError = undefined;
  }

  private onFailure(retryAfterMs: number | undefined, reason: string): void {
    const capped =
      retryAfterMs === undefined
        ? undefined
        : Math.min(retryAfterMs, this.options.retry.maxRetryAfterMs);
    const delay = backoffDelay(this.consecutiveFailures, this.options.retry, capped);
    this.consecutiveFailures++;
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + delay);
    this.log.warn("forwarding to Flashduty failed; backing off", {
      reason,
      delayMs: delay,
      consecutiveFailures: this.consecutiveFailures,
    });
  }

  private async deadLetter(
    record: SpoolRecord | undefined,
    item: Item,
    reason: string,
    detail: Record<string, unknown>,
  ): Promise<boolean> {
    const base = { alert_key: item.ref.alertKey, id: item.ref.id, reason, attempts: item.attempts };
    if (!record) {
      // Cannot happen unless the segment was removed by hand; keep it pending instead of losing it.
      this.log.error("dead-lettering failed: record unreadable; left in the spool", base);
      return false;
    }
    try {
      const file = await this.spool.deadLetter(record, {
        reason,
        attempts: item.attempts,
        ...detail,
      });
      this.metrics.deadLettered.inc({ reason });
      this.log.error("event dead-lettered", { ...base, ...detail, file });
      return true;
    } catch (err) {
      this.log.error("could not write dead letter; event stays in the spool", {
        ...base,
        error: (err as Error).message,
      });
      return false;
    }
  }

  private async send(record: SpoolRecord): Promise<Outcome> {
    const controller = new AbortController();
    this.controllers.add(controller);
    try {
      // Records spooled by receivers older than event_time carry none: their accept time is the
      // closest to when the event happened (else Flashduty would stamp the replay's time).
      const body =
        record.body.event_time === undefined
          ? { ...record.body, event_time: Math.floor(record.receivedAt / 1000) }
          : record.body;
      return await pushOnce(this.options.pushUrl, body, this.options.retry.timeoutMs, controller);
    } finally {
      this.controllers.delete(controller);
    }
  }

  /** Stops sending; in-flight requests are aborted and their events stay in the spool. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const c of this.controllers) c.abort();
    for (const s of this.sleepers) {
      clearTimeout(s.timer);
      s.resolve();
    }
    await Promise.allSettled([...this.inFlightPromises]);
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}

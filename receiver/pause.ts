// Paused delivery: Flashduty refuses every push for a reason about the account or the integration
// key (NoLicense, "account has not purchased", Unauthorized, …; push.ts `accountWideReason`), so
// the forwarder keeps its events and probes one at a time, and sync delivery answers the cloud with
// a retryable status. One `error` line when a pause starts, one `info` line when it ends, a gauge
// and counters (metrics.ts). Never logs the push URL or the key (the logger also redacts them).
//
// Telling an event-specific answer from an account-wide one (the same codes could in principle be
// about the event): an event refused again, after a push sent later than its previous refusal was
// accepted, cannot have been refused for the account — Flashduty took another push in between. Such
// an event is rejected on its own (dead-lettered as before); everything else pauses.
import { performance } from "node:perf_hooks";
import type { Logger } from "./logger";
import type { ReceiverMetrics } from "./metrics";
import type { PauseReason, PushOutcome } from "./push";

type Refusal = Extract<PushOutcome, { kind: "account" }>;

/** What the operator should do, per reason (also in docs/operations.md). */
export const PAUSE_FIX: Readonly<Record<PauseReason, string>> = {
  no_license:
    "the Flashduty account has too few subscription licenses: upgrade or buy a subscription in Flashduty's cost center",
  not_purchased:
    "the Flashduty account has no purchased resources: place an order in Flashduty's cost center",
  unauthorized:
    "Flashduty did not authenticate the integration key: check that the integration still exists and that FLASHDUTY_PUSH_URL is its current push URL (after a key rotation, set the new URL and restart; spooled events are kept)",
  access_denied:
    "Flashduty denied pushes to this integration: check the integration and the account in the Flashduty console",
  balance_not_enough: "the Flashduty account's balance is used up: top it up in the cost center",
  invalid_integration_key:
    "Flashduty does not know this integration key (integration deleted, or key rotated): set FLASHDUTY_PUSH_URL to the integration's current push URL and restart; spooled events are kept",
};

export interface PauseState {
  reason: PauseReason;
  code?: string;
  status: number;
  /** ISO time the pause began. */
  since: string;
  /** Pushes refused since it began (the probes included). */
  refused: number;
}

export class DeliveryPause {
  private current:
    | {
        reason: PauseReason;
        code?: string;
        status: number;
        since: number;
        at: number;
        refused: number;
        /** Refused pushes sent after the pause began (probes): drives the probe interval. */
        probes: number;
      }
    | undefined;
  /** Send time (monotonic ms) of the latest push Flashduty accepted. */
  private lastAcceptedSentAt = -Infinity;

  constructor(
    private readonly metrics: ReceiverMetrics,
    private readonly log: Logger,
    /** Which path pauses, for the log lines: "forwarder" or "sync delivery". */
    private readonly path: string,
  ) {}

  /** Monotonic time (ms), for send and refusal times. */
  static now(): number {
    return performance.now();
  }

  get active(): boolean {
    return this.current !== undefined;
  }

  /** Probes refused so far in this pause (0 when not paused, or none yet): the backoff step. */
  get probes(): number {
    return this.current?.probes ?? 0;
  }

  state(): PauseState | undefined {
    const c = this.current;
    if (!c) return undefined;
    return {
      reason: c.reason,
      ...(c.code ? { code: c.code } : {}),
      status: c.status,
      since: new Date(c.at).toISOString(),
      refused: c.refused,
    };
  }

  /** Whether Flashduty accepted a push sent after `refusedAt` (see the header). */
  acceptedSince(refusedAt: number): boolean {
    return this.lastAcceptedSentAt > refusedAt;
  }

  /** A push sent at `sentAt` was accepted. */
  accepted(sentAt: number): void {
    if (sentAt > this.lastAcceptedSentAt) this.lastAcceptedSentAt = sentAt;
    this.resumeIfAnsweredSince(sentAt, "Flashduty accepts pushes again");
  }

  /** Flashduty answered a push sent at `sentAt` with something about the event itself. */
  answeredOtherwise(sentAt: number): void {
    this.resumeIfAnsweredSince(sentAt, "Flashduty answers pushes otherwise again");
  }

  /** Flashduty refused a push sent at `sentAt` for the account or integration: pause and count. */
  refused(outcome: Refusal, sentAt: number): void {
    this.metrics.pushRefusals.inc({ reason: outcome.reason });
    const c = this.current;
    // Pushes already in flight when the pause began are not probes.
    const probe = c !== undefined && sentAt >= c.since ? 1 : 0;
    if (c && c.reason === outcome.reason) {
      c.refused++;
      c.probes += probe;
      return;
    }
    if (c) {
      // A different account-wide answer: the same pause, under its new reason.
      this.metrics.deliveryPaused.dec({ reason: c.reason });
    }
    this.current = {
      reason: outcome.reason,
      ...(outcome.code ? { code: outcome.code } : {}),
      status: outcome.status,
      since: c?.since ?? DeliveryPause.now(),
      at: c?.at ?? Date.now(),
      refused: (c?.refused ?? 0) + 1,
      probes: (c?.probes ?? 0) + probe,
    };
    this.metrics.deliveryPaused.inc({ reason: outcome.reason });
    if (!c) this.metrics.deliveryPauses.inc({ reason: outcome.reason });
    this.log.error(
      `Flashduty refuses every push (${outcome.code ?? `HTTP ${outcome.status}`}): ${this.path} paused; events are kept and delivered once Flashduty accepts pushes again`,
      {
        reason: outcome.reason,
        status: outcome.status,
        ...(outcome.code ? { code: outcome.code } : {}),
        flashdutyMessage: outcome.message,
        fix: PAUSE_FIX[outcome.reason],
      },
    );
  }

  private resumeIfAnsweredSince(sentAt: number, why: string): void {
    const c = this.current;
    // A push sent before the pause began says nothing about the account now.
    if (!c || sentAt < c.since) return;
    this.current = undefined;
    this.metrics.deliveryPaused.dec({ reason: c.reason });
    this.log.info(`${why}: ${this.path} resumed`, {
      reason: c.reason,
      pausedForMs: Date.now() - c.at,
      refused: c.refused,
    });
  }
}

// Prometheus metrics (prom-client), one registry per receiver so several can run in one process.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { PauseReason } from "./push";

/** Every pause reason, so each series exists (at 0) from the start and alerts need no `absent()`. */
const PAUSE_REASONS: ReadonlyArray<PauseReason> = [
  "no_license",
  "not_purchased",
  "unauthorized",
  "access_denied",
  "balance_not_enough",
  "invalid_integration_key",
];

export interface ReceiverMetrics {
  registry: Registry;
  received: Counter<"source">;
  accepted: Counter<"source" | "format">;
  duplicates: Counter<"source">;
  rejected: Counter<"source" | "reason">;
  forwarded: Counter;
  retried: Counter<"reason">;
  deadLettered: Counter<"reason">;
  /** > 0 while delivery is paused because Flashduty refuses every push for `reason` (pause.ts). */
  deliveryPaused: Gauge<"reason">;
  deliveryPauses: Counter<"reason">;
  pushRefusals: Counter<"reason">;
  spoolDepth: Gauge;
  forwardLatency: Histogram;
}

export function createMetrics(
  spoolDepth: () => number,
  options: { defaultMetrics?: boolean } = {},
): ReceiverMetrics {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: "receiver_" });
  const registers = [registry];
  const deliveryPaused = new Gauge({
    name: "receiver_delivery_paused",
    help: "Delivery paths (forwarder, sync delivery) paused because Flashduty refuses every push for this reason (NoLicense, account not purchased, Unauthorized, ...); > 0 means events wait.",
    labelNames: ["reason"],
    registers,
  });
  const deliveryPauses = new Counter({
    name: "receiver_delivery_pauses_total",
    help: "Pauses begun because Flashduty refused every push, per reason.",
    labelNames: ["reason"],
    registers,
  });
  const pushRefusals = new Counter({
    name: "receiver_push_refusals_total",
    help: "Pushes Flashduty refused for the whole account or integration (the event was kept), per reason.",
    labelNames: ["reason"],
    registers,
  });
  for (const reason of PAUSE_REASONS) {
    deliveryPaused.set({ reason }, 0);
    deliveryPauses.inc({ reason }, 0);
    pushRefusals.inc({ reason }, 0);
  }
  return {
    registry,
    received: new Counter({
      name: "receiver_requests_received_total",
      help: "Callback requests received, per source endpoint.",
      labelNames: ["source"],
      registers,
    }),
    accepted: new Counter({
      name: "receiver_events_accepted_total",
      help: "Events durably spooled, per source and recognised format.",
      labelNames: ["source", "format"],
      registers,
    }),
    duplicates: new Counter({
      name: "receiver_requests_duplicate_total",
      help: "Repeated deliveries (same delivery id) answered 202 without spooling again.",
      labelNames: ["source"],
      registers,
    }),
    rejected: new Counter({
      name: "receiver_requests_rejected_total",
      help: "Requests rejected, per source and reason.",
      labelNames: ["source", "reason"],
      registers,
    }),
    forwarded: new Counter({
      name: "receiver_events_forwarded_total",
      help: "Events Flashduty accepted.",
      registers,
    }),
    retried: new Counter({
      name: "receiver_forward_retries_total",
      help: "Forward attempts that failed in a retryable way, per reason.",
      labelNames: ["reason"],
      registers,
    }),
    deadLettered: new Counter({
      name: "receiver_events_dead_lettered_total",
      help: "Events moved to the dead-letter folder, per reason.",
      labelNames: ["reason"],
      registers,
    }),
    deliveryPaused,
    deliveryPauses,
    pushRefusals,
    spoolDepth: new Gauge({
      name: "receiver_spool_depth",
      help: "Events on disk not yet delivered to Flashduty.",
      registers,
      collect() {
        this.set(spoolDepth());
      },
    }),
    forwardLatency: new Histogram({
      name: "receiver_forward_latency_seconds",
      help: "Duration of one push request to Flashduty.",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
  };
}

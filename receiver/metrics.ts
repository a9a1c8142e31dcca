// Prometheus metrics (prom-client), one registry per receiver so several can run in one process.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export interface ReceiverMetrics {
  registry: Registry;
  received: Counter<"source">;
  accepted: Counter<"source" | "format">;
  duplicates: Counter<"source">;
  rejected: Counter<"source" | "reason">;
  forwarded: Counter;
  retried: Counter<"reason">;
  deadLettered: Counter<"reason">;
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

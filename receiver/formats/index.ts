// Format detection per endpoint: each parser returns null when the body is not its format; the
// first match wins. Order matters: the most specific shapes are tried first.
import { isObject } from "../mapping";
import type { CloudSource, FormatParser, MappedEvent, ParsedBody } from "../model";
import { UnmappableEventError } from "../model";
import { parseAliyunCms2 } from "./aliyun-cms2";
import { parseAliyunEvent } from "./aliyun-event";
import { parseAliyunPushChannel } from "./aliyun-push-channel";
import { parseAliyunThreshold } from "./aliyun-threshold";
import { parseVolcengineEvent } from "./volcengine-event";
import { parseVolcengineMetric } from "./volcengine-metric";

const PARSERS: Record<CloudSource, ReadonlyArray<FormatParser>> = {
  // The push channel first: its body is recognised by an `alert` object (or JSON string) with
  // `alertStatus`, which none of the other shapes has at the top level.
  aliyun: [parseAliyunPushChannel, parseAliyunThreshold, parseAliyunCms2, parseAliyunEvent],
  volcengine: [parseVolcengineEvent, parseVolcengineMetric],
};

export const ACCEPTED_FORMATS: Record<CloudSource, string> = {
  aliyun:
    "CloudMonitor event-subscription push channel (JSON or form with alert.alertStatus TRIGGERED|RESOLVED; GET with data=<JSON> or form fields in the query), threshold alert callback (form-encoded or JSON with alertState), system event / event subscription JSON (name, product or level, content), CloudMonitor 2.0 webhook JSON (status OCCURRED|PERSISTENT|RESOLVED|RECOVERED or subtype NORMAL_TRIGGER|NORMAL_RESOLVE); a JSON array of these is accepted too",
  volcengine:
    'event callback JSON (Type "Event") or metric callback JSON (Type Metric|MetricRecovered|MetricsNoData|NoDataRecovered)',
};

function parseOne(source: CloudSource, body: ParsedBody): MappedEvent[] | null {
  for (const parser of PARSERS[source]) {
    const events = parser(body);
    if (events) return events;
  }
  return null;
}

/** How far ahead of the receiver's clock a cloud's event time may be before it is not believed. */
const MAX_FUTURE_SECONDS = 86_400;

/**
 * Maps a parsed body to Flashduty events. Throws UnmappableEventError (→ 422) when the body is
 * well-formed but no accepted format matches. Aliyun subscription policies may batch events, so a
 * JSON array is mapped element by element (every element must be recognised).
 *
 * Every event gets `event_time`: when the cloud says it happened, or else (no time in the body, or
 * one more than a day ahead of our clock) `receivedAtMs`, the time the receiver accepted it. It is
 * part of the body, so the spool keeps it and a replay sends the original time.
 */
export function mapBody(
  source: CloudSource,
  body: ParsedBody,
  receivedAtMs: number = Date.now(),
): MappedEvent[] {
  const events = mapEvents(source, body);
  const accepted = Math.floor(receivedAtMs / 1000);
  for (const { body: b } of events)
    if (b.event_time === undefined || b.event_time > accepted + MAX_FUTURE_SECONDS)
      b.event_time = accepted;
  return events;
}

function mapEvents(source: CloudSource, body: ParsedBody): MappedEvent[] {
  if (body.kind === "json" && Array.isArray(body.value)) {
    if (body.value.length === 0) throw new UnmappableEventError("the JSON array is empty");
    const all: MappedEvent[] = [];
    body.value.forEach((item, index) => {
      const events = isObject(item) ? parseOne(source, { kind: "json", value: item }) : null;
      if (!events)
        throw new UnmappableEventError(
          `element ${index} of the JSON array is not a recognised ${source} event; accepted: ${ACCEPTED_FORMATS[source]}`,
        );
      all.push(...events);
    });
    return all;
  }
  const events = parseOne(source, body);
  if (!events)
    throw new UnmappableEventError(
      `the body is not a recognised ${source} event; accepted: ${ACCEPTED_FORMATS[source]}`,
    );
  return events;
}

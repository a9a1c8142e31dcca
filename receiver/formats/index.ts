// Format detection per endpoint: each parser returns null when the body is not its format; the
// first match wins. Order matters: the most specific shapes are tried first.
import { isObject } from "../mapping";
import type { CloudSource, FormatParser, MappedEvent, ParsedBody } from "../model";
import { UnmappableEventError } from "../model";
import { parseAliyunCms2 } from "./aliyun-cms2";
import { parseAliyunEvent } from "./aliyun-event";
import { parseAliyunThreshold } from "./aliyun-threshold";
import { parseVolcengineEvent } from "./volcengine-event";
import { parseVolcengineMetric } from "./volcengine-metric";

const PARSERS: Record<CloudSource, ReadonlyArray<FormatParser>> = {
  aliyun: [parseAliyunThreshold, parseAliyunCms2, parseAliyunEvent],
  volcengine: [parseVolcengineEvent, parseVolcengineMetric],
};

export const ACCEPTED_FORMATS: Record<CloudSource, string> = {
  aliyun:
    "threshold alert callback (form-encoded or JSON with alertState), system event / event subscription JSON (name, product or level, content), CloudMonitor 2.0 webhook JSON (status OCCURRED|PERSISTENT|RESOLVED|RECOVERED or subtype NORMAL_TRIGGER|NORMAL_RESOLVE); a JSON array of these is accepted too",
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

/**
 * Maps a parsed body to Flashduty events. Throws UnmappableEventError (→ 422) when the body is
 * well-formed but no accepted format matches. Aliyun subscription policies may batch events, so a
 * JSON array is mapped element by element (every element must be recognised).
 */
export function mapBody(source: CloudSource, body: ParsedBody): MappedEvent[] {
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

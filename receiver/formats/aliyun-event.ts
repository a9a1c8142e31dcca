// Alibaba Cloud system events (aliyun-cms.md §3.2) as delivered by event-rule webhooks, and the
// CMS 1.0 event-subscription push channel (§3.3, undocumented body: accepted tolerantly in the same
// shape, with `level` CRITICAL | WARNING | WARN | INFO in any case). `content` may be an object or
// a JSON string. System events have no recovery: each maps to a firing event.
import {
  alertKey,
  buildBody,
  eventTimeSeconds,
  first,
  isObject,
  mapSeverity,
  text,
} from "../mapping";
import type { FormatParser, MappedEvent } from "../model";

export const FORMAT = "aliyun-event";

export function parseContent(raw: unknown): unknown {
  if (typeof raw !== "string") return raw;
  const t = raw.trim();
  if (!t.startsWith("{") && !t.startsWith("[")) return raw;
  try {
    return JSON.parse(t) as unknown;
  } catch {
    return raw;
  }
}

/** ARN-style resource ids (acs:ecs:cn-hangzhou:uid:instance/i-x) → region and short id. */
export function splitArn(resourceId: string | undefined): {
  region?: string;
  account?: string;
  shortId?: string;
} {
  if (!resourceId?.startsWith("acs:")) return {};
  const parts = resourceId.split(":");
  const last = parts[parts.length - 1] ?? "";
  return {
    region: parts[2] || undefined,
    account: parts[3] || undefined,
    shortId: last.split("/").pop() || undefined,
  };
}

export function mapAliyunEvent(e: Record<string, unknown>): MappedEvent | null {
  const name = first(e.name, e.eventName, e.eventType);
  if (!name || (e.product === undefined && e.level === undefined)) return null;
  const content = parseContent(e.content);
  const c = isObject(content) ? content : {};
  const resourceId = first(e.resourceId, c.resourceId);
  const arn = splitArn(resourceId);
  const resource = first(c.resourceId, arn.shortId, resourceId, e.instanceName);
  const account = first(e.userId, e.aliyunUid, arn.account);
  const region = first(e.regionId, arn.region);
  const product = first(e.product);
  const level = first(e.level, e.severity);
  return {
    format: FORMAT,
    body: buildBody({
      cloud: "aliyun",
      status: mapSeverity(level),
      key: alertKey("aliyun", [
        "event",
        account,
        product,
        name,
        resourceId ?? first(e.instanceName),
      ]),
      title: [name, first(e.instanceName, resource)].filter(Boolean).join(" - "),
      details: [
        ["event", name],
        ["level", level],
        ["product", product],
        ["resource", resourceId],
        ["instance", e.instanceName],
        ["status", e.status],
        ["region", region],
        ["time", first(e.eventTime, e.time)],
        ["event id", e.id],
        ["content", typeof e.content === "string" ? e.content : text(content)],
      ],
      labels: [
        ["account", account],
        ["region", region],
        ["source", product],
        ["resource", resource],
        ["rule", name],
        ["raw_level", level],
        ["format", FORMAT],
        ["resource_id", resourceId],
        ["instance_name", e.instanceName],
        ["resource_type", c.resourceType],
        ["event_id", e.id],
      ],
      extraLabels: Object.entries(c)
        .filter(([, v]) => typeof v === "string" || typeof v === "number")
        .map(([k, v]) => [`content_${k}`, v]),
      eventTime: eventTimeSeconds(e.eventTime) ?? eventTimeSeconds(e.time),
    }),
  };
}

export const parseAliyunEvent: FormatParser = (body) => {
  if (body.kind !== "json" || !isObject(body.value)) return null;
  const mapped = mapAliyunEvent(body.value);
  return mapped ? [mapped] : null;
};

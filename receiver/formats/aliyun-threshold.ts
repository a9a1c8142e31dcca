// Alibaba Cloud CloudMonitor threshold alert callback (aliyun-cms.md §3.1): form-encoded fields
// `alertName`, `alertState` (OK | ALERT | INSUFFICIENT_DATA), `triggerLevel`, `preTriggerLevel`,
// `dimensions` ("{userId=…, instanceId=…}"), … Both the doc sample (timestamp in seconds) and the
// newer body (ms timestamps, regionId, lastTime, …) are accepted. The same fields in a JSON object
// are accepted too, for subscription policies that push threshold events as JSON.
import {
  alertKey,
  buildBody,
  eventTimeSeconds,
  first,
  isObject,
  mapSeverity,
  text,
} from "../mapping";
import type { EventStatus, FormatParser, MappedEvent, ParsedBody } from "../model";

export const FORMAT = "aliyun-threshold";

/** Parses the `dimensions` string (`{userId=12, instanceId=i-1}`) into ordered pairs. */
export function parseDimensions(raw: string | undefined): Array<[string, string]> {
  if (!raw) return [];
  const inner = raw.trim().replace(/^\{/, "").replace(/\}$/, "");
  const pairs: Array<[string, string]> = [];
  for (const part of inner.split(",")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    // The doc sample has a stray ")" after a value ("userId=12****)"): strip unbalanced brackets.
    const name = part.slice(0, eq).trim();
    const value = part
      .slice(eq + 1)
      .trim()
      .replace(/[)\]]+$/, "");
    if (name) pairs.push([name, value]);
  }
  return pairs;
}

function fieldsOf(body: ParsedBody): Record<string, string> | null {
  if (body.kind === "form") return body.fields;
  if (!isObject(body.value)) return null;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body.value)) {
    const t = text(v);
    if (t !== undefined) out[k] = t;
  }
  return out;
}

export const parseAliyunThreshold: FormatParser = (body): MappedEvent[] | null => {
  const f = fieldsOf(body);
  if (!f || f.alertState === undefined || (f.alertName === undefined && f.ruleId === undefined))
    return null;
  const state = f.alertState.trim().toUpperCase();
  let status: EventStatus;
  if (state === "OK") status = "Ok";
  else if (state === "INSUFFICIENT_DATA") status = "Info";
  else status = mapSeverity(f.triggerLevel);

  const dims = parseDimensions(f.dimensions);
  const dimValue = (name: string): string | undefined => dims.find(([k]) => k === name)?.[1];
  const instanceId = dimValue("instanceId");
  const account = first(f.userId, dimValue("userId"));
  const namespace = first(f.namespace, f.metricProject);
  const metric = first(f.metricName, f.rawMetricName);
  // Identity of the resource: its dimensions minus the account (same in firing and recovery).
  const resourceIdentity = dims
    .filter(([k]) => k !== "userId")
    .map(([k, v]) => `${k}=${v}`)
    .sort()
    .join(",");
  const resource = first(instanceId, f.instanceName, resourceIdentity);
  const key = alertKey("aliyun", [
    "threshold",
    account,
    f.ruleId ?? f.alertName,
    namespace,
    metric,
    resourceIdentity || f.instanceName,
  ]);
  const rawLevel = status === "Ok" ? "OK" : state === "ALERT" ? f.triggerLevel : state;
  return [
    {
      format: FORMAT,
      body: buildBody({
        cloud: "aliyun",
        status,
        key,
        title: [f.alertName, first(f.instanceName, instanceId)].filter(Boolean).join(" - "),
        details: [
          [
            "state",
            `${f.alertState} (level ${f.triggerLevel ?? "-"}, previous ${f.preTriggerLevel ?? "-"})`,
          ],
          ["metric", [namespace, metric].filter(Boolean).join(" / ")],
          ["expression", f.expression],
          ["current value", f.curValue === undefined ? undefined : `${f.curValue}${f.unit ?? ""}`],
          ["duration", f.lastTime],
          ["instance", f.instanceName],
          ["dimensions", f.dimensions],
          ["region", first(f.regionName, f.regionId)],
          ["group", f.productGroupName],
          ["rule id", f.ruleId],
          ["timestamp", f.timestamp],
        ],
        labels: [
          ["account", account],
          ["region", f.regionId],
          ["source", namespace],
          ["resource", resource],
          ["rule", f.alertName],
          ["rule_id", f.ruleId],
          ["metric", metric],
          ["raw_level", rawLevel],
          ["alert_state", f.alertState],
          ["format", FORMAT],
          ["instance_name", f.instanceName],
          ["group_id", f.groupId],
        ],
        extraLabels: dims.filter(([k]) => k !== "userId").map(([k, v]) => [`dim_${k}`, v]),
        // seconds in the documented sample, milliseconds in the newer body
        eventTime: eventTimeSeconds(f.timestamp),
      }),
    },
  ];
};

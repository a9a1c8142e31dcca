// CloudMonitor 2.0 custom-webhook body (aliyun-cms.md §3.4, after apache/hertzbeat's DTO and test):
// CloudEvents-like JSON; `status` OCCURRED | PERSISTENT fires, RESOLVED | RECOVERED recovers;
// `subtype` NORMAL_TRIGGER | NORMAL_RESOLVE when `status` is absent.
import { alertKey, buildBody, eventTimeSeconds, first, isObject, mapSeverity } from "../mapping";
import type { EventStatus, FormatParser } from "../model";

export const FORMAT = "aliyun-cms2";

const FIRING = new Set(["OCCURRED", "PERSISTENT"]);
const RECOVERED = new Set(["RESOLVED", "RECOVERED"]);
const SUBTYPES = new Set(["NORMAL_TRIGGER", "NORMAL_RESOLVE"]);

export const parseAliyunCms2: FormatParser = (body) => {
  if (body.kind !== "json" || !isObject(body.value)) return null;
  const e = body.value;
  const status = first(e.status)?.toUpperCase();
  const subtype = first(e.subtype)?.toUpperCase();
  const known =
    (status && (FIRING.has(status) || RECOVERED.has(status))) || SUBTYPES.has(subtype ?? "");
  if (!known) return null;
  const recovered = status ? RECOVERED.has(status) : subtype === "NORMAL_RESOLVE";
  const resource = isObject(e.resource) ? e.resource : {};
  const entity = isObject(resource.entity) ? resource.entity : {};
  const tags = isObject(resource.tags) ? resource.tags : {};
  const labels = isObject(e.labels) ? e.labels : {};
  const data = isObject(e.data) ? e.data : {};
  const prop = isObject(entity.prop) ? entity.prop : {};
  // entity_id ("i-123") before alertEntityId ("ecs:i-123"): slimmer bodies carry only labels.instanceId.
  const entityId = first(entity.entity_id, labels.instanceId, e.alertEntityId);
  const region = first(tags.regionId, labels._cms_region, labels.regionId);
  const severity = first(e.severity);
  const eventStatus: EventStatus = recovered ? "Ok" : mapSeverity(severity);
  const ruleName = first(e.subject, e.ruleName);
  return [
    {
      format: FORMAT,
      body: buildBody({
        cloud: "aliyun",
        status: eventStatus,
        key: alertKey("aliyun", ["cms2", first(e.userId), first(e.ruleId, ruleName), entityId]),
        title: [ruleName, first(prop.instanceName, entity.entity_id)].filter(Boolean).join(" - "),
        details: [
          ["message", e.alertMessage],
          ["status", first(e.status, e.subtype)],
          ["severity", severity],
          [
            "value",
            data.value === undefined
              ? undefined
              : `${first(data.value)} (${first(data.comparisonOperator) ?? "vs"} ${first(data.threshold) ?? "?"})`,
          ],
          ["entity", entityId],
          ["workspace", e.workspace],
          ["time", first(e.time, e.timestamp)],
          ["rule", e.alertRuleUrl ?? e.ruleUrl],
          ["history", e.alertHistoryUrl],
        ],
        labels: [
          ["account", e.userId],
          ["region", region],
          ["source", first(entity.domain, e.source)],
          ["resource", first(entity.entity_id, entityId)],
          ["rule", ruleName],
          ["rule_id", e.ruleId],
          ["raw_level", recovered ? first(e.status, e.subtype) : severity],
          ["format", FORMAT],
          ["entity_type", entity.entity_type],
          ["workspace", e.workspace],
        ],
        extraLabels: [
          ...Object.entries(labels).map(([k, v]) => [`label_${k}`, v] as const),
          ...Object.entries(tags).map(([k, v]) => [`tag_${k}`, v] as const),
        ],
        eventTime: eventTimeSeconds(e.timestamp) ?? eventTimeSeconds(e.time),
      }),
    },
  ];
};

// Volcengine Cloud Monitor metric (alert policy) callback (volcengine-cloudmonitor.md §4.3): JSON
// with `Type` Metric | MetricRecovered | MetricsNoData | NoDataRecovered and resource lists. Every
// resource in every list becomes one Flashduty event: `Resources` fire at `Level`,
// `RecoveredResources` recover, `NoDataResources` fire at Info under a separate "no data" key that
// `NoDataRecoveredResources` recover.
import {
  alertKey,
  buildBody,
  eventTimeSeconds,
  first,
  isObject,
  mapSeverity,
  text,
} from "../mapping";
import { UnmappableEventError } from "../model";
import type { EventStatus, FormatParser, MappedEvent } from "../model";

export const FORMAT = "volcengine-metric";

const TYPES = new Set(["metric", "metricrecovered", "metricsnodata", "nodatarecovered"]);

type Condition = "threshold" | "nodata";

const LISTS: ReadonlyArray<{ field: string; condition: Condition; recovered: boolean }> = [
  { field: "Resources", condition: "threshold", recovered: false },
  { field: "RecoveredResources", condition: "threshold", recovered: true },
  { field: "NoDataResources", condition: "nodata", recovered: false },
  { field: "NoDataRecoveredResources", condition: "nodata", recovered: true },
];

function metricLine(m: Record<string, unknown>): string {
  const value = first(m.CurrentValue);
  const unit = first(m.Unit) ?? "";
  const threshold = first(m.Threshold);
  const condition = first(m.TriggerCondition);
  return [
    first(m.Name) ?? "?",
    value === undefined ? undefined : `= ${value}${unit}`,
    threshold === undefined ? undefined : `(threshold ${threshold}${unit})`,
    condition,
  ]
    .filter(Boolean)
    .join(" ");
}

export const parseVolcengineMetric: FormatParser = (body) => {
  if (body.kind !== "json" || !isObject(body.value)) return null;
  const e = body.value;
  const type = first(e.Type);
  if (!type || !TYPES.has(type.toLowerCase())) return null;
  const account = first(e.AccountId);
  const level = first(e.Level);
  const out: MappedEvent[] = [];
  for (const list of LISTS) {
    const resources = Array.isArray(e[list.field]) ? (e[list.field] as unknown[]) : [];
    for (const r of resources.filter(isObject)) {
      const metrics = [
        ...(Array.isArray(r.Metrics) ? r.Metrics : []),
        ...(Array.isArray(r.NoDataMetrics) ? r.NoDataMetrics : []),
      ].filter(isObject);
      const dims = (Array.isArray(r.Dimensions) ? r.Dimensions : []).filter(isObject);
      const resourceId = first(r.Id, r.Name);
      const status: EventStatus = list.recovered
        ? "Ok"
        : list.condition === "nodata"
          ? "Info"
          : mapSeverity(level);
      const verb = list.recovered
        ? list.condition === "nodata"
          ? "data restored"
          : "recovered"
        : list.condition === "nodata"
          ? "no data"
          : undefined;
      out.push({
        format: FORMAT,
        body: buildBody({
          cloud: "volcengine",
          status,
          key: alertKey("volcengine", [
            list.condition === "nodata" ? "metric-nodata" : "metric",
            account,
            first(e.RuleId, e.RuleName),
            first(e.Namespace),
            resourceId,
          ]),
          title: [
            first(e.RuleName),
            first(r.Name, r.Id),
            list.condition === "nodata" ? "no data" : undefined,
          ]
            .filter(Boolean)
            .join(" - "),
          details: [
            ["state", [type, verb].filter(Boolean).join(": ")],
            ["condition", e.RuleCondition],
            ["metrics", metrics.map(metricLine).join("; ")],
            ["resource", [first(r.Name), first(r.Id)].filter(Boolean).join(" / ")],
            ["namespace", [first(e.Namespace), first(e.SubNamespace)].filter(Boolean).join(" / ")],
            ["level", level],
            ["happened at", e.HappenedAt],
            ["first alert", r.FirstAlertTime],
            ["last alert", r.LastAlertTime],
          ],
          labels: [
            ["account", account],
            ["region", r.Region],
            ["source", e.Namespace],
            ["resource", resourceId],
            ["rule", e.RuleName],
            ["rule_id", e.RuleId],
            ["raw_level", list.recovered ? type : list.condition === "nodata" ? "nodata" : level],
            ["format", FORMAT],
            [
              "metric",
              metrics
                .map((m) => first(m.Name))
                .filter(Boolean)
                .join(","),
            ],
            ["sub_namespace", e.SubNamespace],
            ["resource_name", r.Name],
            ["project", first(r.ProjectName, e.Project)],
            ["alert_group_id", r.AlertGroupId],
          ],
          extraLabels: [
            ...dims.map((d) => [`dim_${first(d.Name) ?? "unnamed"}`, text(d.Value)] as const),
            ...(Array.isArray(e.Tags) ? e.Tags.filter(isObject) : []).map(
              (t) => [`tag_${first(t.Key) ?? "unnamed"}`, text(t.Value)] as const,
            ),
          ],
          // A recovery's LastAlertTime is when it last fired, not when it recovered.
          eventTime:
            eventTimeSeconds(e.HappenedAt) ??
            (list.recovered ? undefined : eventTimeSeconds(r.LastAlertTime)),
        }),
      });
    }
  }
  if (out.length === 0)
    throw new UnmappableEventError(
      `Volcengine metric callback (Type ${type}) lists no resources in Resources, RecoveredResources, NoDataResources or NoDataRecoveredResources`,
    );
  return out;
};

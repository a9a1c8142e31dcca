// Volcengine Cloud Monitor event-center callback (volcengine-cloudmonitor.md §4.2): JSON with
// `Type: "Event"`, `Rules[{RuleId, RuleName, Level}]` (Critical | Warning | Notice, any case — the
// most severe wins), `Details` (CloudEvents-like). Events are one-shot: there is no recovery.
import {
  alertKey,
  buildBody,
  eventTimeSeconds,
  first,
  isObject,
  mapSeverity,
  severityRank,
} from "../mapping";
import type { EventStatus, FormatParser } from "../model";

export const FORMAT = "volcengine-event";

/**
 * The key parts. With a resource: account, event type and resource, so repeats of one event on one
 * resource update one alert (unchanged keys for such events). `Details.volcresourcename` and
 * `subject` are present "even if empty", and without a resource that key would merge every event of
 * the type in the account: then the event's own identity is used instead, its region, source and
 * id (`Id`, else `Details.id`) and the rules it matched, which a retry of the same delivery
 * repeats and another event does not.
 */
function eventKeyParts(
  e: Record<string, unknown>,
  details: Record<string, unknown>,
  eventType: string | undefined,
  resource: string | undefined,
  rules: ReadonlyArray<Record<string, unknown>>,
): Array<string | undefined> {
  const account = first(e.AccountId, details.volcaccountid);
  if (resource !== undefined) return ["event", account, eventType, resource];
  return [
    "event-no-resource",
    account,
    eventType,
    first(e.Region, details.volcregion),
    first(e.Source, details.source),
    // Without an id (never seen; both are documented), the time and the rules it matched.
    first(e.Id, details.id) ?? first(e.HappenedAt, details.time),
    rules
      .map((r) => first(r.RuleId, r.RuleName) ?? "")
      .sort()
      .join(","),
  ];
}

export const parseVolcengineEvent: FormatParser = (body) => {
  if (body.kind !== "json" || !isObject(body.value)) return null;
  const e = body.value;
  if (first(e.Type)?.toLowerCase() !== "event") return null;
  const rules = Array.isArray(e.Rules) ? e.Rules.filter(isObject) : [];
  let status: EventStatus | undefined;
  let rawLevel: string | undefined;
  for (const rule of rules) {
    const level = first(rule.Level);
    const mapped = mapSeverity(level);
    if (status === undefined || severityRank(mapped) > severityRank(status)) {
      status = mapped;
      rawLevel = level;
    }
  }
  const details = isObject(e.Details) ? e.Details : {};
  const resource = first(details.volcresourcename, details.subject);
  const eventType = first(e.EventType, details.type);
  const description = first(e.Description, e.DescriptionEN, e.DescriptionCN, e.DescriptionCn);
  const ruleNames = rules.map((r) => first(r.RuleName, r.RuleId)).filter(Boolean);
  return [
    {
      format: FORMAT,
      body: buildBody({
        cloud: "volcengine",
        status: status ?? mapSeverity(undefined),
        key: alertKey("volcengine", eventKeyParts(e, details, eventType, resource, rules)),
        title: [description ?? eventType, resource].filter(Boolean).join(" - "),
        details: [
          ["event", eventType],
          ["description", description],
          ["resource", resource],
          [
            "rules",
            rules
              .map((r) => `${first(r.RuleName, r.RuleId) ?? "?"} (${first(r.Level) ?? "?"})`)
              .join(", "),
          ],
          ["project", e.ProjectName],
          ["happened at", e.HappenedAt],
          ["event id", e.Id],
        ],
        labels: [
          ["account", first(e.AccountId, details.volcaccountid)],
          ["region", first(e.Region, details.volcregion)],
          ["source", e.Source],
          ["resource", resource],
          ["rule", ruleNames.join(",")],
          ["raw_level", rawLevel],
          ["format", FORMAT],
          ["event_type", eventType],
          ["project", e.ProjectName],
          ["event_id", e.Id],
        ],
        eventTime: eventTimeSeconds(e.HappenedAt) ?? eventTimeSeconds(details.time),
      }),
    },
  ];
};

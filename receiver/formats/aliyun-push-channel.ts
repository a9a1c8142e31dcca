// Alibaba Cloud CloudMonitor event-subscription push channel (Event Center → Event Subscription →
// Push Channel, Webhook target), documented on the page "Configure callbacks for system
// event-triggered alerts (recommended)", sections Result and Return fields (sample and notes in
// the shared reference: payloads/aliyun-push-channel.system-event.json, aliyun-cms.md Update).
//
// Body: {userInfo, subscription{subscriptionUuid, conditions, relation}, batchId, alert{alertStatus
// TRIGGERED | RESOLVED, source, eventName, arn, product, eventType, severity, timestamp (ms),
// dedupId, traceId, eventContentMap, eventRawContent, meta.sysEventMeta{…}}, severity,
// strategyName, userId, time (ms)}, plus fields the sample lacks (tolerated). Encodings: POST JSON
// (the object), POST form (top-level fields as form fields; `userInfo`, `subscription` and `alert`
// each a JSON string), GET JSON (the object in a `data` query parameter) and GET form (the form
// fields in the query); server.ts turns the GET ones into the same parsed body.
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
import type { EventStatus, FormatParser } from "../model";
import { parseContent, splitArn } from "./aliyun-event";

export const FORMAT = "aliyun-push-channel";

/** `userInfo` / `subscription`: an object (JSON push) or a JSON string (FORM push), or absent. */
function objectField(top: Record<string, unknown>, name: string): Record<string, unknown> {
  const value = parseContent(top[name]);
  if (isObject(value)) return value;
  if (value === undefined || value === null || value === "") return {};
  throw new UnmappableEventError(
    `Aliyun push channel: the "${name}" field is not a JSON object (a FORM push sends it as a JSON string)`,
  );
}

export const parseAliyunPushChannel: FormatParser = (body) => {
  const top: Record<string, unknown> =
    body.kind === "form" ? body.fields : isObject(body.value) ? body.value : {};
  if (top.alert === undefined) return null;
  const parsedAlert = parseContent(top.alert);
  const looksLikePush =
    top.batchId !== undefined || top.subscription !== undefined || top.userInfo !== undefined;
  if (!isObject(parsedAlert)) {
    if (!looksLikePush) return null;
    throw new UnmappableEventError(
      `Aliyun push channel: the "alert" field is not a JSON object (a FORM push sends it as a JSON string)`,
    );
  }
  const alert = parsedAlert;
  if (alert.alertStatus === undefined && !looksLikePush) return null;
  const userInfo = objectField(top, "userInfo");
  const subscription = objectField(top, "subscription");
  const meta =
    isObject(alert.meta) && isObject(alert.meta.sysEventMeta) ? alert.meta.sysEventMeta : {};
  const content = parseContent(alert.eventContentMap);
  const c = isObject(content) ? content : {};
  const extensions = isObject(c.extensions) ? c.extensions : {};

  const alertStatus = first(alert.alertStatus);
  const recovered = alertStatus?.toUpperCase() === "RESOLVED";
  // Flashduty's CM Event table reads the top-level severity (CRITICAL/WARNING/INFO).
  const level = first(top.severity, alert.severity, meta.level);
  const status: EventStatus = recovered ? "Ok" : mapSeverity(level);

  const arn = first(alert.arn, meta.resourceId);
  const parsedArn = splitArn(arn);
  const account = first(top.userId, alert.userId, userInfo.userId, parsedArn.account);
  const product = first(alert.product, meta.product, meta.serviceTypeEn);
  const eventName = first(alert.eventName, meta.eventNameEn, meta.name);
  const eventType = first(alert.eventType, meta.eventType);
  const instanceName = first(meta.instanceName);
  const shortId = first(parsedArn.shortId, arn);
  const region = first(meta.regionId, parsedArn.region, extensions.region, top.regionId);
  const subscriptionId = first(subscription.subscriptionUuid);
  const strategy = first(top.strategyName);
  // Identity of the event, the same in its TRIGGERED and RESOLVED pushes: who (account), what
  // (product + event name), where (the resource ARN; without one, the instance name, then the
  // event's dedupId) and through which subscription policy (its uuid, else its name). batchId,
  // traceId and the times are per delivery and stay out.
  const resourceIdentity = first(arn, instanceName, alert.dedupId);
  const key = alertKey("aliyun", [
    "push",
    account,
    product,
    eventName,
    resourceIdentity,
    subscriptionId ?? strategy,
  ]);
  const rawContent = first(alert.eventRawContent);
  return [
    {
      format: FORMAT,
      body: buildBody({
        cloud: "aliyun",
        status,
        key,
        title: [eventName ?? eventType ?? "Aliyun event", first(instanceName, shortId)]
          .filter(Boolean)
          .join(" - "),
        details: [
          ["alert status", alertStatus],
          ["severity", level],
          ["event", eventName],
          ["event type", eventType],
          ["product", product],
          ["resource", arn],
          ["instance", instanceName],
          ["region", first(meta.regionNameEn, region)],
          ["event time", first(meta.eventTime, alert.timestamp, top.time)],
          ["subscription policy", strategy],
          ["subscription id", subscriptionId],
          ["batch id", top.batchId],
          ["dedup id", alert.dedupId],
          ["trace id", alert.traceId],
          ["content", Object.keys(c).length > 0 ? text(c) : undefined],
          ["raw content", rawContent === "{}" ? undefined : rawContent],
        ],
        labels: [
          ["account", account],
          ["region", region],
          ["source", product],
          ["resource", shortId],
          ["rule", eventName],
          ["raw_level", recovered ? alertStatus : level],
          ["format", FORMAT],
          ["resource_id", arn],
          ["instance_name", instanceName],
          ["event_type", eventType],
          ["alert_status", alertStatus],
          ["strategy", strategy],
          ["subscription_id", subscriptionId],
          ["event_source", alert.source],
        ],
        extraLabels: Object.entries(c)
          .filter(([, v]) => typeof v === "string" || typeof v === "number")
          .map(([k, v]) => [`content_${k}`, v]),
        eventTime:
          eventTimeSeconds(alert.timestamp) ??
          eventTimeSeconds(top.time) ??
          eventTimeSeconds(meta.eventTime),
      }),
    },
  ];
};

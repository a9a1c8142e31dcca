// Every Alibaba Cloud CloudMonitor rule wired for Flashduty must have a webhook target, or the
// events it matches go nowhere.
//
// "Wired for Flashduty" = created inside a `flashduty-wiring:aliyun:AliyunEventPush` component
// (at any depth). The resource's own URN carries its ancestors' types (`parent$...$type`), so this
// is decided from the URN alone, in preview as in update.
//
// A usable event-rule target: a `webhookParameters` entry with a `url`, whose `protocol` (when set)
// is http/https and whose `method` (when set) is POST (the push and receiver endpoints take POST).
// An Alarm needs its `webhook`.
import { ResourceValidationPolicy } from "@pulumi/policy";
import { ALIYUN_ALARM, ALIYUN_COMPONENT, ALIYUN_EVENT_RULE } from "../lib/tokens";
import { UNKNOWN, get, getArray, isSet, parseUrn } from "../lib/values";

function isKnownString(value: unknown): value is string {
  return typeof value === "string";
}

/** Problems with one webhookParameters entry; empty when it is a usable target. */
function targetProblems(entry: unknown, index: number): string[] {
  if (entry === UNKNOWN) {
    return [];
  }
  const problems: string[] = [];
  if (!isSet(get(entry, "url"))) {
    problems.push(`webhookParameters[${index}] has no url`);
  }
  const protocol = get(entry, "protocol");
  if (isKnownString(protocol) && protocol !== "" && !/^https?$/i.test(protocol)) {
    problems.push(`webhookParameters[${index}].protocol is "${protocol}", not http`);
  }
  const method = get(entry, "method");
  if (isKnownString(method) && method !== "" && method.toUpperCase() !== "POST") {
    problems.push(`webhookParameters[${index}].method is "${method}", not POST`);
  }
  return problems;
}

export function aliyunTargetProblems(type: string, urn: string, props: unknown): string[] {
  const parsed = parseUrn(urn);
  if (!parsed?.parentTypes.includes(ALIYUN_COMPONENT)) {
    return [];
  }
  if (type === ALIYUN_ALARM) {
    return isSet(get(props, "webhook"))
      ? []
      : [
          "has no webhook; set webhook to the Flashduty push URL (or the receiver URL), as a secret",
        ];
  }
  if (type !== ALIYUN_EVENT_RULE) {
    return [];
  }
  const entries = getArray(props, "webhookParameters");
  if (entries === UNKNOWN) {
    return [];
  }
  if (entries === undefined || entries.length === 0) {
    return [
      "has no webhookParameters; add one target { url: <push URL as a secret>, protocol: " +
        '"http", method: "POST" }',
    ];
  }
  const perEntry = entries.map((entry, index) => targetProblems(entry, index));
  if (perEntry.some((problems) => problems.length === 0)) {
    return [];
  }
  return [
    `has no usable webhook target: ${perEntry.flat().join("; ")}. ` +
      'Use { url: <push URL as a secret>, protocol: "http", method: "POST" }',
  ];
}

export const aliyunRuleHasWebhookTarget: ResourceValidationPolicy = {
  name: "aliyun-rule-has-webhook-target",
  description:
    "Every Alibaba Cloud event rule (and alarm) wired for Flashduty has a webhook target: a URL, protocol http, method POST.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    for (const problem of aliyunTargetProblems(args.type, args.urn, args.props)) {
      reportViolation(`${args.type} "${args.name}" ${problem}.`);
    }
  },
};

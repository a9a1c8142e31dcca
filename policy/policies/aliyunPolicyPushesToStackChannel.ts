// Every Alibaba Cloud subscription policy (`cms.EventNotifyPolicy`) wired for Flashduty must push to
// a push channel (`AlertAction`) created by this stack, both when an event fires
// (`responsePlan.pushingSetting.alertActionIds`) and when it recovers (`restoreActionIds`): only
// then does the stack own where the events go, and recoveries reach Flashduty too.
//
// "Wired for Flashduty" = inside an AliyunEventSubscription component, or any notify policy that
// sets `alertActionIds`. An id counts as the stack's when it equals the id (or `alertActionId`
// output) of an AlertAction of the stack or, while ids are unknown (preview), when the policy's
// `responsePlan` depends on one.
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import {
  ALIYUN_ALERT_ACTION,
  ALIYUN_NOTIFY_POLICY,
  ALIYUN_SUBSCRIPTION_COMPONENT,
} from "../lib/tokens";
import { UNKNOWN, get, getArray, parseUrn } from "../lib/values";

const ID_OUTPUTS = ["alertActionId", "id"];
const LISTS = [
  ["alertActionIds", "when an event fires"],
  ["restoreActionIds", "when it recovers"],
] as const;

function channelIds(channels: PolicyResource[]): { ids: Set<string>; allKnown: boolean } {
  const ids = new Set<string>();
  let allKnown = true;
  for (const channel of channels) {
    let found = false;
    for (const key of ID_OUTPUTS) {
      const value = get(channel.props, key);
      if (typeof value === "string" && value !== "") {
        ids.add(value);
        found = true;
      }
    }
    allKnown = allKnown && found;
  }
  return { ids, allKnown };
}

export function checkNotifyPolicy(
  policy: PolicyResource,
  stackChannels: PolicyResource[],
): string[] {
  const pushing = get(get(policy.props, "responsePlan"), "pushingSetting");
  const inComponent =
    parseUrn(policy.urn)?.parentTypes.includes(ALIYUN_SUBSCRIPTION_COMPONENT) ?? false;
  const fired = pushing === UNKNOWN ? UNKNOWN : getArray(pushing, "alertActionIds");
  if (!inComponent && (fired === undefined || (fired !== UNKNOWN && fired.length === 0))) {
    return []; // a policy that pushes to no alert action is not wired for Flashduty
  }
  const label = `Alibaba Cloud subscription policy "${policy.name}"`;
  const channelUrns = new Set(stackChannels.map((c) => c.urn));
  const deps = policy.propertyDependencies["responsePlan"] ?? policy.dependencies;
  const channelDeps = deps.filter((d) => channelUrns.has(d.urn));
  const { ids: known, allKnown } = channelIds(channelDeps);
  const problems: string[] = [];
  for (const [key, when] of LISTS) {
    const list = pushing === UNKNOWN ? UNKNOWN : getArray(pushing, key);
    if (list === undefined || (list !== UNKNOWN && list.length === 0)) {
      problems.push(
        `${label} pushes to no channel ${when}: set responsePlan.pushingSetting.${key} to ` +
          "[channel.id] of an AlertAction this stack creates.",
      );
      continue;
    }
    const entries = list === UNKNOWN ? [UNKNOWN] : list;
    const ok = entries.some(
      (entry) =>
        (typeof entry === "string" && known.has(entry)) ||
        (channelDeps.length > 0 && (entry === UNKNOWN || !allKnown)),
    );
    if (!ok)
      // Never echo the ids: keep messages free of values.
      problems.push(
        `${label}: responsePlan.pushingSetting.${key} names no push channel (AlertAction) of this ` +
          `stack${channelDeps.length === 0 ? " (it depends on none)" : ""}; pass channel.id of the ` +
          "stack's AlertAction.",
      );
  }
  return problems;
}

export const aliyunPolicyPushesToStackChannel: StackValidationPolicy = {
  name: "aliyun-subscription-policy-pushes-to-stack-channel",
  description:
    "Every Alibaba Cloud subscription policy (cms.EventNotifyPolicy) wired for Flashduty pushes to a push channel (AlertAction) of the same stack, on trigger and on recovery.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const channels = args.resources.filter((r) => r.type === ALIYUN_ALERT_ACTION);
    for (const policy of args.resources.filter((r) => r.type === ALIYUN_NOTIFY_POLICY)) {
      for (const problem of checkNotifyPolicy(policy, channels)) {
        reportViolation(problem, policy.urn);
      }
    }
  },
};

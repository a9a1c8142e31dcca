// Every Volcengine event rule that delivers by webhook must deliver to a callback URL object
// (`CallbackUrl`) created by this stack, not to a hand-typed callback id or a raw endpoint URL:
// only then does the stack own (and rotate, and delete) where the events go.
//
// A rule delivers by webhook when its `contactMethods` contain "Webhook", when it sets
// `webhookIds` or `endpoint`, or when it belongs to a VolcengineEventPush component (whose whole
// purpose is webhook delivery).
//
// A `webhookIds` entry counts as "from a CallbackUrl of this stack" when it equals the id output
// (`webhookId`, `callbackId` or `id`) of a CallbackUrl in the stack or, when that cannot be
// compared (preview: ids unknown), when the rule's `webhookIds` input depends on a CallbackUrl of
// the stack (property dependencies are recorded at preview too).
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import {
  VOLCENGINE_CALLBACK_URL,
  VOLCENGINE_COMPONENT,
  VOLCENGINE_EVENT_RULE,
} from "../lib/tokens";
import { UNKNOWN, get, getArray, isSet, parseUrn } from "../lib/values";

const CALLBACK_ID_OUTPUTS = ["webhookId", "callbackId", "id"];

function deliversByWebhook(rule: PolicyResource): boolean {
  const methods = getArray(rule.props, "contactMethods");
  if (methods === UNKNOWN) {
    return true;
  }
  if (methods?.some((m) => typeof m === "string" && m.toLowerCase() === "webhook")) {
    return true;
  }
  const ids = getArray(rule.props, "webhookIds");
  if (ids === UNKNOWN || (ids !== undefined && ids.length > 0)) {
    return true;
  }
  if (isSet(get(rule.props, "endpoint"))) {
    return true;
  }
  return parseUrn(rule.urn)?.parentTypes.includes(VOLCENGINE_COMPONENT) ?? false;
}

/** Known callback ids, and whether every callback's id is known (comparable). */
function callbackIds(callbacks: PolicyResource[]): { ids: Set<string>; allKnown: boolean } {
  const ids = new Set<string>();
  let allKnown = true;
  for (const callback of callbacks) {
    let found = false;
    for (const key of CALLBACK_ID_OUTPUTS) {
      const value = get(callback.props, key);
      if (typeof value === "string" && value !== "") {
        ids.add(value);
        found = true;
      }
    }
    allKnown = allKnown && found;
  }
  return { ids, allKnown };
}

export function checkEventRule(rule: PolicyResource, stackCallbacks: PolicyResource[]): string[] {
  if (!deliversByWebhook(rule)) {
    return [];
  }
  const problems: string[] = [];
  const label = `Volcengine event rule "${rule.name}"`;
  if (isSet(get(rule.props, "endpoint"))) {
    problems.push(
      `${label} sends to a raw endpoint URL; deliver through a CallbackUrl of this stack ` +
        "(webhookIds: [callback.id]) so the stack owns the destination.",
    );
  }
  const webhookIds = getArray(rule.props, "webhookIds");
  if (webhookIds === undefined || (webhookIds !== UNKNOWN && webhookIds.length === 0)) {
    problems.push(
      `${label} delivers by webhook but has no webhookIds; set webhookIds to the id of a ` +
        "CallbackUrl created in this stack.",
    );
    return problems;
  }
  const callbackUrns = new Set(stackCallbacks.map((c) => c.urn));
  const deps = rule.propertyDependencies["webhookIds"] ?? rule.dependencies;
  const callbackDeps = deps.filter((d) => callbackUrns.has(d.urn));
  const { ids: knownCallbackIds, allKnown } = callbackIds(callbackDeps);
  const entries = webhookIds === UNKNOWN ? [UNKNOWN] : webhookIds;
  entries.forEach((entry, index) => {
    if (typeof entry === "string" && knownCallbackIds.has(entry)) {
      return;
    }
    if (callbackDeps.length > 0 && (entry === UNKNOWN || !allKnown)) {
      return;
    }
    // Never echo the id itself: keep messages free of values.
    problems.push(
      `${label}: webhookIds[${index}] is not the id of a CallbackUrl in this stack` +
        (callbackDeps.length === 0 ? " (webhookIds does not depend on any CallbackUrl)" : "") +
        "; pass callback.id of a CallbackUrl this stack creates.",
    );
  });
  return problems;
}

export const volcengineRuleUsesStackCallback: StackValidationPolicy = {
  name: "volcengine-event-rule-uses-stack-callback",
  description:
    "Every Volcengine event rule that delivers by webhook references a CallbackUrl created by the same stack.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const callbacks = args.resources.filter((r) => r.type === VOLCENGINE_CALLBACK_URL);
    for (const rule of args.resources.filter((r) => r.type === VOLCENGINE_EVENT_RULE)) {
      for (const problem of checkEventRule(rule, callbacks)) {
        reportViolation(problem, rule.urn);
      }
    }
  },
};

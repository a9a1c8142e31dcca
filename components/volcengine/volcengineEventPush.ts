// Component: one Volcengine "General Callback URL" pointing at a Flashduty push URL, plus one
// event rule per declared rule, each delivering to that callback.

import * as pulumi from "@pulumi/pulumi";
import { CallbackUrl } from "./callbackUrl";
import { EventRule, EventRuleArgs } from "./eventRule";
import {
  DEFAULT_CALLBACK_NAME,
  Failure,
  checkAdoptId,
  checkCallbackName,
  checkCallbackUrl,
  checkEffectiveTime,
  checkEnabled,
  checkEventSource,
  checkDescription,
  checkEventTypes,
  checkLevel,
  checkRuleName,
  failureLines,
} from "./validation";
import { formatProblems } from "../common/problems";
import { knownParts } from "../common/inputs";

/**
 * One event rule of the component: the `EventRule` resource's args, less `webhookIds` (the component
 * delivers every rule to its own callback), with a plain-string `ruleName`.
 */
export interface VolcengineEventRuleArgs extends Omit<EventRuleArgs, "ruleName" | "webhookIds"> {
  /**
   * Rule name (2–127 characters, not starting with a digit or "-"). A plain string, because it also
   * names the Pulumi resource (`<component>-<ruleName>`), which must be known when the program runs.
   */
  ruleName: string;
  /** Event types to match: at least one (Volcengine has no "all types" value). */
  eventTypes: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Names the Pulumi resource (`<component>-<key>`) instead of `ruleName`. Default: `ruleName`.
   * Renaming a rule changes its resource name, which Pulumi plans as delete + create; to rename a
   * rule in place, set `key` to the rule's old name and change `ruleName`.
   */
  key?: string;
}

export interface VolcengineEventPushArgs {
  /** The Flashduty push URL (or receiver URL) events are delivered to. Treated as a secret. */
  pushUrl: pulumi.Input<string>;
  /** Callback name in the console (1–512 bytes). Default "Flashduty_Event". */
  callbackName?: pulumi.Input<string>;
  /** Id of an existing callback to take over instead of creating one. */
  callbackAdoptId?: pulumi.Input<string>;
  /** Event rules; each delivers to the callback. */
  rules: VolcengineEventRuleArgs[];
  /**
   * Leave the callback and rules in Volcengine when they are deleted from the stack (e.g. adopted
   * objects on `pulumi destroy`). Passed to the children, since `retainOnDelete` is not inherited.
   */
  retainOnDelete?: boolean;
}

/**
 * Checks every plain value in the args (Outputs are checked later by the providers' `check`).
 * Throws one Error listing every problem, each naming the field and the fix.
 */
export function validateVolcengineEventPushArgs(args: VolcengineEventPushArgs): void {
  const failures: Failure[] = [];
  if (args === undefined || args === null)
    throw new Error("VolcengineEventPush: args are required (pushUrl, rules).");
  if (args.pushUrl === undefined)
    failures.push({
      property: "pushUrl",
      reason: "is required: pass the Flashduty integration's push URL.",
    });
  else failures.push(...checkCallbackUrl(knownParts(args.pushUrl), "pushUrl"));
  if (args.callbackName !== undefined)
    failures.push(...checkCallbackName(knownParts(args.callbackName), "callbackName"));
  failures.push(...checkAdoptId(knownParts(args.callbackAdoptId), "callbackAdoptId"));
  if (args.retainOnDelete !== undefined && typeof args.retainOnDelete !== "boolean")
    failures.push({ property: "retainOnDelete", reason: "must be true or false." });
  if (!Array.isArray(args.rules) || args.rules.length === 0) {
    failures.push({
      property: "rules",
      reason: "must list at least one event rule ({ruleName, eventSource, level, ...}).",
    });
  } else {
    const seen = new Set<string>();
    const suffixes = new Map<string, { naming: string; keyed: boolean }>();
    args.rules.forEach((rule, i) => {
      const p = `rules[${i}].`;
      if (typeof rule.ruleName !== "string") {
        failures.push({
          property: `${p}ruleName`,
          reason: "must be a plain string: it also names the Pulumi resource.",
        });
      } else {
        failures.push(...checkRuleName(rule.ruleName, `${p}ruleName`));
        if (seen.has(rule.ruleName))
          failures.push({
            property: `${p}ruleName`,
            reason: `"${rule.ruleName}" is used by an earlier rule: rule names must be unique.`,
          });
        seen.add(rule.ruleName);
      }
      if (rule.key !== undefined && (typeof rule.key !== "string" || rule.key.trim() === ""))
        failures.push({
          property: `${p}key`,
          reason: "must be a non-empty plain string (it names the Pulumi resource), or left out.",
        });
      const naming = resourceKey(rule);
      if (typeof naming === "string" && naming.trim() !== "") {
        const field = rule.key !== undefined ? `${p}key` : `${p}ruleName`;
        const suffix = resourceSuffix(naming);
        const clash = suffixes.get(suffix);
        // Two rules with the same ruleName and no key are reported above already.
        const duplicateName = clash?.naming === naming && !clash.keyed && rule.key === undefined;
        if (clash !== undefined && !duplicateName)
          failures.push({
            property: field,
            reason: `"${naming}" and "${clash.naming}" give the same Pulumi resource name (${suffix}): ${rule.key !== undefined ? "use another key" : "rename one or set key"}.`,
          });
        if (clash === undefined) suffixes.set(suffix, { naming, keyed: rule.key !== undefined });
      }
      if (rule.eventSource === undefined)
        failures.push({ property: `${p}eventSource`, reason: 'is required, e.g. "ecs".' });
      else failures.push(...checkEventSource(knownParts(rule.eventSource), `${p}eventSource`));
      failures.push(...checkEventTypes(knownParts(rule.eventTypes), `${p}eventTypes`));
      if (rule.level === undefined)
        failures.push({
          property: `${p}level`,
          reason: "is required: notice, warning or critical.",
        });
      else failures.push(...checkLevel(knownParts(rule.level), `${p}level`));
      failures.push(...checkEffectiveTime(knownParts(rule.effectiveTime), `${p}effectiveTime`));
      failures.push(...checkEnabled(knownParts(rule.enabled), `${p}enabled`));
      failures.push(...checkAdoptId(knownParts(rule.adoptId), `${p}adoptId`));
      failures.push(...checkDescription(knownParts(rule.description), `${p}description`));
    });
  }
  if (failures.length > 0)
    throw new Error(
      formatProblems("VolcengineEventPush: invalid arguments:", failureLines(failures)),
    );
}

/** What names a rule's Pulumi resource: its `key`, else its `ruleName`. */
function resourceKey(rule: VolcengineEventRuleArgs): unknown {
  return rule.key ?? rule.ruleName;
}

/** Pulumi resource names allow most characters, but keep them readable and stable. */
function resourceSuffix(ruleName: string): string {
  return ruleName.replace(/[^A-Za-z0-9_.-]+/g, "_");
}

export class VolcengineEventPush extends pulumi.ComponentResource {
  /** Id of the callback (General Callback URL). */
  public readonly callbackId: pulumi.Output<string>;
  /** RuleIds of the event rules, in declaration order. */
  public readonly ruleIds: pulumi.Output<string[]>;
  /** The callback resource (its `url` output is secret). */
  public readonly callback: CallbackUrl;
  /** The event rule resources, in declaration order. */
  public readonly rules: EventRule[];

  constructor(name: string, args: VolcengineEventPushArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validate before registering anything, so bad input creates nothing.
    validateVolcengineEventPushArgs(args);
    super("flashduty-wiring:volcengine:VolcengineEventPush", name, {}, opts);
    const childOptions: pulumi.CustomResourceOptions = {
      parent: this,
      ...(args.retainOnDelete !== undefined ? { retainOnDelete: args.retainOnDelete } : {}),
    };

    this.callback = new CallbackUrl(
      `${name}-callback`,
      {
        name: args.callbackName ?? DEFAULT_CALLBACK_NAME,
        url: pulumi.secret(args.pushUrl),
        ...(args.callbackAdoptId !== undefined ? { adoptId: args.callbackAdoptId } : {}),
      },
      childOptions,
    );

    this.rules = args.rules.map(
      (rule) =>
        new EventRule(
          `${name}-${resourceSuffix(rule.key ?? rule.ruleName)}`,
          {
            ruleName: rule.ruleName,
            description: rule.description,
            eventSource: rule.eventSource,
            eventTypes: rule.eventTypes,
            level: rule.level,
            effectiveTime: rule.effectiveTime,
            enabled: rule.enabled,
            webhookIds: [this.callback.id],
            ...(rule.adoptId !== undefined ? { adoptId: rule.adoptId } : {}),
          },
          childOptions,
        ),
    );

    this.callbackId = this.callback.id;
    this.ruleIds = pulumi.all(this.rules.map((r) => r.id));
    this.registerOutputs({ callbackId: this.callbackId, ruleIds: this.ruleIds });
  }
}

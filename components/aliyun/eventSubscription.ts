// AliyunEventSubscription: the CloudMonitor Event Subscription pair on its CMS 2.0 backend — one
// push channel (an alert action of type WEBHOOK, our AlertAction dynamic resource) and any number
// of subscription policies (`alicloud.cms.EventNotifyPolicy`) that push to it, on trigger and on
// recovery. That these are the console's "push channel" and "subscription policy" is an inference
// (the pushed body's `subscription` object has exactly the notify policy's filter shape); see
// docs/aliyun.md.
import * as alicloud from "@pulumi/alicloud";
import * as pulumi from "@pulumi/pulumi";
import { AlertAction } from "./alertAction";
import {
  checkBoolean,
  checkEnumList,
  checkOptionalString,
  checkPushUrl,
  checkRuleName,
  checkWhenKnown,
} from "./validation";
import { formatProblems } from "../common/problems";

/** Severities of the push body (Flashduty's CM Event table: CRITICAL / WARNING / INFO). */
export const NOTIFY_LEVELS = ["CRITICAL", "WARNING", "INFO"] as const;
export type NotifyLevel = (typeof NOTIFY_LEVELS)[number];
/** Which events a policy covers: system events, threshold (metric) alert events, or both. */
export const EVENT_SOURCES = ["system", "threshold"] as const;
export type EventSource = (typeof EVENT_SOURCES)[number];
/** `alert.source` of a system event in the documented push body. */
export const SYSTEM_EVENT_SOURCE = "SYS_EVENT";

/** One subscription policy: which events to push to the stack's push channel. */
export interface NotifyPolicy {
  /** Policy name; unique within the workspace (a duplicate is a `ConflictName` error). */
  name: string;
  /** Cloud products whose events match, as the push body names them (e.g. ECS, RDS); omit for all. */
  products?: string[];
  /** Severities (CRITICAL, WARNING, INFO); omit for all. */
  levels?: NotifyLevel[];
  /** Event names, e.g. `Instance:StateChange`; omit for all. */
  eventNames?: string[];
  /** Default both: system events and threshold alert events. */
  sources?: EventSource[];
  /**
   * Include legacy events (events with an empty workspace, such as CloudMonitor 1.0 system and
   * threshold events). Default true: the events this project wires are CMS 1.0 events.
   */
  includeLegacyEvents?: boolean;
  /** Default true. */
  enabled?: boolean;
  description?: string;
}

export interface AliyunEventSubscriptionArgs {
  /** Where the push channel sends: the CM Event integration's push URL, or the receiver's. Secret. */
  pushUrl: pulumi.Input<string>;
  /** The CMS 2.0 workspace the notify policies live in (required by the API), e.g. default-cms-<id>-cn-hangzhou. */
  workspace: pulumi.Input<string> | undefined;
  /** Push channel name shown in the console. */
  channelName: pulumi.Input<string>;
  /** Id of an existing WEBHOOK alert action to take over instead of creating one. */
  channelAdoptId?: pulumi.Input<string>;
  /** Subscription policies; at least one. */
  notifyPolicies: NotifyPolicy[];
}

export class AliyunEventSubscriptionValidationError extends pulumi.RunError {
  constructor(
    resourceName: string,
    readonly problems: readonly string[],
  ) {
    super(
      formatProblems(
        `AliyunEventSubscription "${resourceName}": ${problems.length} invalid argument(s):`,
        problems,
      ),
    );
    this.name = "AliyunEventSubscriptionValidationError";
  }
}

const LEVEL_HINTS: Record<string, string> = {
  WARN: "the push body and Flashduty's CM Event table say WARNING",
  critical: "levels are upper case",
  warning: "levels are upper case",
  info: "levels are upper case",
};

const TYPE = "flashduty-wiring:aliyun:AliyunEventSubscription";

export class AliyunEventSubscription extends pulumi.ComponentResource {
  /** The push channel. */
  public readonly channel: AlertAction;
  /** Its alert action id (what the policies push to). */
  public readonly alertActionId: pulumi.Output<string>;
  /** The subscription policies, in declaration order. */
  public readonly policies: alicloud.cms.EventNotifyPolicy[];
  /** Their ids (`<uuid>:<workspace>`), in declaration order. */
  public readonly policyIds: pulumi.Output<string[]>;

  constructor(
    name: string,
    args: AliyunEventSubscriptionArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    const built = buildSubscriptionArgs(name, args ?? ({} as AliyunEventSubscriptionArgs));
    super(TYPE, name, {}, opts);

    this.channel = new AlertAction(
      `${name}-channel`,
      {
        name: args.channelName,
        url: built.pushUrl,
        method: "POST",
        contentType: "JSON",
        ...(args.channelAdoptId !== undefined ? { adoptId: args.channelAdoptId } : {}),
      },
      { parent: this },
    );
    this.alertActionId = this.channel.id;
    const actionIds = [this.channel.id];
    this.policies = built.policies.map(
      (p) =>
        new alicloud.cms.EventNotifyPolicy(
          `${name}-policy-${p.name}`,
          {
            ...p.args,
            // The channel on trigger and on recovery, so RESOLVED events reach Flashduty too.
            responsePlan: {
              pushingSetting: { alertActionIds: actionIds, restoreActionIds: actionIds },
            },
          },
          { parent: this },
        ),
    );
    this.policyIds = pulumi.all(this.policies.map((p) => p.id));
    this.registerOutputs({ alertActionId: this.alertActionId, policyIds: this.policyIds });
  }
}

/** Checks the args as the component would, creating nothing; throws listing every problem. */
export function validateAliyunEventSubscriptionArgs(
  name: string,
  args: AliyunEventSubscriptionArgs,
): void {
  buildSubscriptionArgs(name, args ?? ({} as AliyunEventSubscriptionArgs));
}

function checkTokenList(field: string, value: unknown, example: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length === 0)
    return [`${field}: must be a non-empty list (e.g. ${example}); or leave it out to match all`];
  const problems: string[] = [];
  value.forEach((v, i) => {
    if (typeof v !== "string" || v.trim() === "")
      problems.push(`${field}[${i}]: must be a non-empty string`);
    // Values are sent comma-joined in one IN condition (the documented push body's shape).
    else if (v.includes(","))
      problems.push(`${field}[${i}]: "${v}" contains a comma; list each value separately`);
  });
  if (new Set(value).size !== value.length) problems.push(`${field}: lists a value twice`);
  return problems;
}

function buildSubscriptionArgs(name: string, args: AliyunEventSubscriptionArgs) {
  const problems: string[] = [];
  const check = <T>(value: pulumi.Input<T>, fn: (v: pulumi.Unwrap<T>) => string[]) =>
    checkWhenKnown(
      name,
      value,
      problems,
      fn,
      (n, p) => new AliyunEventSubscriptionValidationError(n, p),
    );

  let pushUrl: pulumi.Input<string> = "";
  if (args.pushUrl === undefined)
    problems.push(
      'pushUrl: is required; pass the push URL of the Flashduty "Alibaba Cloud CM Event" integration (or of the receiver)',
    );
  else pushUrl = check(args.pushUrl, (v) => checkPushUrl("pushUrl", v));

  let workspace: pulumi.Input<string> = "";
  const workspaceFix =
    "the CloudMonitor 2.0 notify-policy API requires the workspace the policies live in; find it " +
    "in the CloudMonitor 2.0 console (Workspaces, e.g. default-cms-<account-id>-cn-hangzhou) and " +
    "set it (flashduty-wiring:aliyun.workspace)";
  if (args.workspace === undefined || args.workspace === null || args.workspace === "")
    problems.push(`workspace: is missing; ${workspaceFix}`);
  else
    workspace = check(args.workspace, (v) =>
      typeof v === "string" && v.trim() !== "" && !/\s/.test(v)
        ? []
        : [`workspace: ${JSON.stringify(v)} is not a workspace id; ${workspaceFix}`],
    );

  if (args.channelName === undefined || args.channelName === "")
    problems.push("channelName: is required; name the push channel, e.g. flashduty-prod");

  const policies = args.notifyPolicies;
  if (!Array.isArray(policies) || policies.length === 0) {
    problems.push(
      "notifyPolicies: declare at least one subscription policy (e.g. { name: prod-ecs, products: [ECS] })",
    );
  }
  const list = Array.isArray(policies) ? policies : [];
  const seen = new Map<string, number>();
  const built = list.flatMap((p, i) => {
    const f = `notifyPolicies[${i}]`;
    if (p === null || typeof p !== "object") {
      problems.push(`${f}: must be an object {name, products?, levels?, ...}`);
      return [];
    }
    problems.push(...checkRuleName(`${f}.name`, p.name));
    if (typeof p.name === "string") {
      const first = seen.get(p.name);
      if (first !== undefined)
        problems.push(
          `${f}.name: "${p.name}" is already used by notifyPolicies[${first}]; names are unique within a workspace`,
        );
      else seen.set(p.name, i);
    }
    problems.push(...checkTokenList(`${f}.products`, p.products, "[ECS, RDS]"));
    problems.push(
      ...checkEnumList(`${f}.levels`, p.levels, NOTIFY_LEVELS, LEVEL_HINTS, { unique: true }),
    );
    problems.push(...checkTokenList(`${f}.eventNames`, p.eventNames, "[Instance:StateChange]"));
    problems.push(...checkEnumList(`${f}.sources`, p.sources, EVENT_SOURCES, {}, { unique: true }));
    problems.push(...checkBoolean(`${f}.includeLegacyEvents`, p.includeLegacyEvents));
    problems.push(...checkBoolean(`${f}.enabled`, p.enabled));
    problems.push(...checkOptionalString(`${f}.description`, p.description));
    const sources = Array.isArray(p.sources) ? p.sources : [...EVENT_SOURCES];
    if (sources.length === 1 && sources[0] === "threshold")
      problems.push(
        `${f}.sources: threshold events alone cannot be selected: no source documents the value ` +
          `their alert.source carries (system events carry ${SYSTEM_EVENT_SOURCE}); use [system, threshold] ` +
          "and narrow with products/levels/eventNames",
      );
    if (
      p.includeLegacyEvents === false &&
      (p.sources === undefined || p.sources.includes("threshold"))
    )
      problems.push(
        `${f}.includeLegacyEvents: false would drop CloudMonitor 1.0 threshold events, which are ` +
          "legacy (empty-workspace) events; leave it true, or drop threshold from sources",
      );

    const conditions: { field: string; op: string; value: string }[] = [];
    if (sources.length === 1 && sources[0] === "system")
      conditions.push({ field: "source", op: "EQ", value: SYSTEM_EVENT_SOURCE });
    if (Array.isArray(p.products))
      conditions.push({ field: "product", op: "IN", value: p.products.join(",") });
    if (Array.isArray(p.levels))
      conditions.push({ field: "severity", op: "IN", value: p.levels.join(",") });
    if (Array.isArray(p.eventNames))
      conditions.push({ field: "eventName", op: "IN", value: p.eventNames.join(",") });

    const policyArgs: Omit<alicloud.cms.EventNotifyPolicyArgs, "responsePlan"> = {
      workspace,
      name: p.name,
      ...(p.description !== undefined ? { description: p.description } : {}),
      enabled: p.enabled ?? true,
      subscription: {
        subscribeLegacyEvent: p.includeLegacyEvents ?? true,
        // No condition at all: no filter (every event of the selected kinds).
        ...(conditions.length > 0 ? { filterSetting: { relation: "AND", conditions } } : {}),
      },
    };
    return [{ name: p.name, args: policyArgs }];
  });

  if (problems.length > 0) throw new AliyunEventSubscriptionValidationError(name, problems);
  return { pushUrl, policies: built };
}

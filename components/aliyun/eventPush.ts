// AliyunEventPush: declares what Alibaba Cloud CloudMonitor (CMS) pushes to Flashduty.
//
// The console's Event Center "push channel" + "subscription policy" pair has no API or Pulumi
// resource (see docs/aliyun.md), so each declared subscription policy becomes one CMS event alert
// rule (`alicloud.cms.EventRule`) whose webhook target is the push URL: the closest declarable
// equivalent. Optional threshold alarms (`alicloud.cms.Alarm`) call back a separate URL, normally a
// Flashduty "Alibaba Cloud CM Metrics" integration, because their callback is form-encoded and
// differs from the event body.
import * as alicloud from "@pulumi/alicloud";
import * as pulumi from "@pulumi/pulumi";
import {
  ALARM_SILENCE_RANGE,
  AliyunEventPushValidationError,
  COMPARISON_OPERATORS,
  COMPARISON_OPERATOR_HINTS,
  ComparisonOperator,
  EVENT_LEVELS,
  EVENT_RULE_SILENCE_RANGE,
  EVENT_TYPES,
  EventLevel,
  EventType,
  MAX_WEBHOOKS_PER_RULE,
  checkBoolean,
  checkDuplicateNames,
  checkEffectiveInterval,
  checkEnum,
  checkEnumList,
  checkIntegerRange,
  checkNonEmptyString,
  checkOptionalString,
  checkPositiveInteger,
  checkPushUrl,
  checkRequiredStringList,
  checkRuleName,
  checkStringList,
  checkThreshold,
  checkWhenKnown,
} from "./validation";
import { isKnownPlain } from "../common/inputs";

/** One console "subscription policy": which system events to push. Becomes one `cms.EventRule`. */
export interface EventSubscriptionPolicy {
  /** Rule name in CloudMonitor (the rule's identity; changing it replaces the rule). */
  name: string;
  /** Cloud service whose events match, e.g. `ecs`, `rds` (see DescribeSystemEventMetaList). */
  product: pulumi.Input<string>;
  /** Event types; omit to send no type filter. */
  eventTypes?: pulumi.Input<pulumi.Input<EventType>[]>;
  /** Event levels (`WARN`, not `WARNING`); omit to send no level filter. */
  levels?: pulumi.Input<pulumi.Input<EventLevel>[]>;
  /** Event names, e.g. `Instance:StateChange`. */
  eventNames?: pulumi.Input<pulumi.Input<string>[]>;
  /** SQL condition events must meet. */
  sqlFilter?: pulumi.Input<string>;
  /** Seconds during which a repeated alert is not sent again (1..86400). */
  silenceTime?: pulumi.Input<number>;
  /** Default true. */
  enabled?: pulumi.Input<boolean>;
  description?: pulumi.Input<string>;
  /**
   * More webhook targets for this rule besides `pushUrl` (e.g. the receiver). Secret like pushUrl;
   * https only; the rule holds at most 5 webhook targets in all.
   */
  additionalWebhookUrls?: pulumi.Input<string>[];
}

/** One threshold level of a metric alarm. */
export interface MetricAlarmEscalation {
  /** Statistic of the metric, e.g. `Average`, `Maximum` (must match the metric's definition). */
  statistics: pulumi.Input<string>;
  comparisonOperator: pulumi.Input<ComparisonOperator>;
  /** Numeric threshold; sent to CloudMonitor as a string. */
  threshold: pulumi.Input<number | string>;
  /** Consecutive periods before alerting (provider default 3). */
  times?: pulumi.Input<number>;
}

/** One threshold alarm rule (`cms.Alarm`) whose callback is `metricsPushUrl`. */
export interface MetricAlarmRule {
  /** Rule name in CloudMonitor. */
  name: string;
  /** Namespace of the metric, e.g. `acs_ecs_dashboard`. */
  project: pulumi.Input<string>;
  /** Metric name, e.g. `CPUUtilization`. */
  metric: pulumi.Input<string>;
  /** Alarm contact groups (created in the console or with `cms.AlarmContactGroup`); at least one. */
  contactGroups: pulumi.Input<pulumi.Input<string>[]>;
  /** Resources the rule watches, e.g. `[{ instanceId: "i-123" }]`; sent as JSON. */
  dimensions: pulumi.Input<pulumi.Input<Record<string, pulumi.Input<string>>>[]>;
  /** At least one of critical / warn / info. */
  escalations: {
    critical?: MetricAlarmEscalation;
    warn?: MetricAlarmEscalation;
    info?: MetricAlarmEscalation;
  };
  /** Statistical period in seconds (provider default 300). */
  period?: pulumi.Input<number>;
  /** Seconds between repeated notifications, 300..86400 (provider default 86400). */
  silenceTime?: pulumi.Input<number>;
  /** When the rule is active, "hh:mm-hh:mm" (provider default "00:00-23:59"). */
  effectiveInterval?: pulumi.Input<string>;
  /** Default true. */
  enabled?: pulumi.Input<boolean>;
}

export interface AliyunEventPushArgs {
  /**
   * The push channel: URL CloudMonitor event rules POST to, normally the push URL of a Flashduty
   * "Alibaba Cloud CM Event" integration (or the receiver's). Treated as a secret. Required when
   * `subscriptionPolicies` is not empty.
   */
  pushUrl?: pulumi.Input<string>;
  /** Subscription policies, one `cms.EventRule` each. */
  subscriptionPolicies?: EventSubscriptionPolicy[];
  /**
   * Callback URL of the threshold alarms, normally the push URL of a Flashduty "Alibaba Cloud CM
   * Metrics" integration (or the receiver's). Treated as a secret. Required when `metricAlarms` is
   * not empty.
   */
  metricsPushUrl?: pulumi.Input<string>;
  /** Threshold alarm rules, one `cms.Alarm` each. */
  metricAlarms?: MetricAlarmRule[];
}

const EVENT_LEVEL_HINTS: Record<string, string> = {
  WARNING: "CloudMonitor event rules use WARN",
  ERROR: "use CRITICAL",
  critical: "levels are upper case",
  warn: "levels are upper case",
  info: "levels are upper case",
};
const TYPE = "flashduty-wiring:aliyun:AliyunEventPush";

export class AliyunEventPush extends pulumi.ComponentResource {
  /** Names of the event rules, in declaration order. */
  public readonly eventRuleNames: pulumi.Output<string[]>;
  /** Provider ids of the threshold alarms, in declaration order. */
  public readonly alarmIds: pulumi.Output<string[]>;
  /** The child event rules, in declaration order. */
  public readonly eventRules: alicloud.cms.EventRule[];
  /** The child threshold alarms, in declaration order. */
  public readonly alarms: alicloud.cms.Alarm[];

  constructor(name: string, args: AliyunEventPushArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validate everything first and throw once, listing every problem, before anything (not even
    // this component) is registered. Building the args touches no resource, only Outputs.
    const { ruleArgs, alarmArgs } = buildChildArgs(name, args ?? {});

    super(TYPE, name, {}, opts);
    // A URL given for a kind of rule that is not declared is not an error (a program may pass
    // both URLs whatever the config declares), but it is not silently ignored either.
    for (const warning of unusedUrlWarnings(args ?? {})) void pulumi.log.warn(warning, this);

    // Children inherit this component's providers (`providers` / `provider` options) via parent.
    this.eventRules = ruleArgs.map(
      (ra) => new alicloud.cms.EventRule(`${name}-event-${ra.ruleName}`, ra.args, { parent: this }),
    );
    this.alarms = alarmArgs.map(
      (aa) => new alicloud.cms.Alarm(`${name}-alarm-${aa.name}`, aa.args, { parent: this }),
    );
    this.eventRuleNames = pulumi.all(this.eventRules.map((r) => r.ruleName));
    this.alarmIds = pulumi.all(this.alarms.map((a) => a.id));

    this.registerOutputs({ eventRuleNames: this.eventRuleNames, alarmIds: this.alarmIds });
  }
}

/**
 * Checks `args` as the component would, without creating anything; throws
 * AliyunEventPushValidationError listing every problem. For programs that want to report all
 * configuration problems (of several components) before building any resource.
 */
export function validateAliyunEventPushArgs(name: string, args: AliyunEventPushArgs): void {
  buildChildArgs(name, args ?? {});
}

function buildChildArgs(name: string, args: AliyunEventPushArgs) {
  const problems: string[] = [];
  const ruleArgs = buildEventRuleArgs(name, args, problems);
  const alarmArgs = buildAlarmArgs(name, args, problems);
  if (problems.length > 0) throw new AliyunEventPushValidationError(name, problems);
  return { ruleArgs, alarmArgs };
}

function unusedUrlWarnings(args: AliyunEventPushArgs): string[] {
  const warnings: string[] = [];
  const none = (list: unknown) => !Array.isArray(list) || list.length === 0;
  if (args.pushUrl !== undefined && none(args.subscriptionPolicies))
    warnings.push("pushUrl is set but no subscriptionPolicies are declared; it is not used");
  if (args.metricsPushUrl !== undefined && none(args.metricAlarms))
    warnings.push("metricsPushUrl is set but no metricAlarms are declared; it is not used");
  return warnings;
}

/** `true`/`undefined` → ENABLED, `false` → DISABLED; always sent so the state is explicit. */
function toStatus(enabled: pulumi.Input<boolean | undefined> | undefined): pulumi.Input<string> {
  if (enabled === undefined || typeof enabled === "boolean")
    return enabled === false ? "DISABLED" : "ENABLED";
  return pulumi.output(enabled).apply((e) => (e === false ? "DISABLED" : "ENABLED"));
}

function buildEventRuleArgs(
  resourceName: string,
  args: AliyunEventPushArgs,
  problems: string[],
): { ruleName: string; args: alicloud.cms.EventRuleArgs }[] {
  const policies = args.subscriptionPolicies ?? [];
  const alarms = args.metricAlarms ?? [];
  if (!Array.isArray(policies))
    problems.push("subscriptionPolicies: must be a list of policies; or leave it out");
  if (!Array.isArray(alarms))
    problems.push("metricAlarms: must be a list of rules; or leave it out");
  if (!Array.isArray(policies) || !Array.isArray(alarms)) return [];
  if (policies.length === 0 && alarms.length === 0)
    problems.push(
      "subscriptionPolicies / metricAlarms: nothing declared; declare at least one subscription " +
        "policy or metric alarm (or remove the component)",
    );
  if (policies.length === 0) return []; // an unused pushUrl is only warned about (see unusedUrlWarnings)

  const check = <T>(value: pulumi.Input<T>, fn: (v: pulumi.Unwrap<T>) => string[]) =>
    checkWhenKnown(resourceName, value, problems, fn);

  let pushUrl: pulumi.Input<string> | undefined;
  if (args.pushUrl === undefined)
    problems.push(
      "pushUrl: is required when subscriptionPolicies are declared; pass the push URL of the " +
        'Flashduty "Alibaba Cloud CM Event" integration (or of the receiver)',
    );
  else pushUrl = check(args.pushUrl, (v) => checkPushUrl("pushUrl", v));

  problems.push(
    ...checkDuplicateNames(
      "subscriptionPolicies",
      policies.map((p) => (p === null || typeof p !== "object" ? undefined : p.name)),
    ),
  );

  return policies.flatMap((policy, i) => {
    const f = `subscriptionPolicies[${i}]`;
    if (policy === null || typeof policy !== "object") {
      problems.push(`${f}: must be an object {name, product, ...}`);
      return [];
    }
    problems.push(...checkRuleName(`${f}.name`, policy.name));
    const extra = policy.additionalWebhookUrls ?? [];
    if (!Array.isArray(extra))
      problems.push(`${f}.additionalWebhookUrls: must be a list of URLs; or leave it out`);
    const extraUrls = Array.isArray(extra) ? extra : [];
    if (1 + extraUrls.length > MAX_WEBHOOKS_PER_RULE)
      problems.push(
        `${f}.additionalWebhookUrls: ${extraUrls.length} given, but a rule holds at most ` +
          `${MAX_WEBHOOKS_PER_RULE} webhook targets including pushUrl; keep at most ` +
          `${MAX_WEBHOOKS_PER_RULE - 1}`,
      );
    // A target listed twice would get every event twice; compare the ones already known.
    const known = [args.pushUrl, ...extraUrls].map((u) => (typeof u === "string" ? u : undefined));
    known.forEach((u, j) => {
      if (j > 0 && u !== undefined && known.indexOf(u) < j)
        problems.push(
          `${f}.additionalWebhookUrls[${j - 1}]: repeats another webhook target of this rule ` +
            "(pushUrl or an earlier entry); remove it",
        );
    });
    const urls: pulumi.Input<string>[] = [
      ...(pushUrl === undefined ? [] : [pushUrl]),
      ...extraUrls.map((u, j) =>
        check(u, (v) => checkPushUrl(`${f}.additionalWebhookUrls[${j}]`, v)),
      ),
    ];

    const eventPattern: alicloud.types.input.cms.EventRuleEventPattern = {
      product: check(policy.product, (v) =>
        checkNonEmptyString(`${f}.product`, v, "name the cloud service, e.g. ecs or rds"),
      ),
      eventTypeLists: check(policy.eventTypes, (v) =>
        checkEnumList(`${f}.eventTypes`, v, EVENT_TYPES),
      ),
      levelLists: check(policy.levels, (v) =>
        checkEnumList(`${f}.levels`, v, EVENT_LEVELS, EVENT_LEVEL_HINTS),
      ),
      nameLists: check(policy.eventNames, (v) => checkStringList(`${f}.eventNames`, v)),
      sqlFilter: check(policy.sqlFilter, (v) => checkOptionalString(`${f}.sqlFilter`, v)),
    };

    const ruleArgs: alicloud.cms.EventRuleArgs = {
      ruleName: policy.name,
      description: check(policy.description, (v) => checkOptionalString(`${f}.description`, v)),
      status: toStatus(check(policy.enabled, (v) => checkBoolean(`${f}.enabled`, v))),
      silenceTime: check(policy.silenceTime, (v) =>
        checkIntegerRange(`${f}.silenceTime`, v, EVENT_RULE_SILENCE_RANGE, "seconds"),
      ),
      eventPattern,
      webhookParameters: urls.map((url, j) => ({
        // The API's target id, unique within the rule; "1" is always the push channel.
        webhookParametersId: String(j + 1),
        // PutEventRuleTargets' WebhookParameters.N.Protocol takes only `http`, `telnet` or `ping`;
        // there is no `https` value. `http` names the HTTP callback kind; TLS follows from the
        // https scheme of the URL, which we require.
        protocol: "http",
        method: "POST",
        // Secret all the way into the rule's inputs and state: the URL holds the integration key.
        url: pulumi.secret(url),
      })),
    };
    return [{ ruleName: policy.name, args: ruleArgs }];
  });
}

function buildEscalation(
  resourceName: string,
  field: string,
  escalation: MetricAlarmEscalation | undefined,
  problems: string[],
): pulumi.Input<alicloud.types.input.cms.AlarmEscalationsCritical> | undefined {
  if (escalation === undefined) return undefined;
  const check = <T>(value: pulumi.Input<T>, fn: (v: pulumi.Unwrap<T>) => string[]) =>
    checkWhenKnown(resourceName, value, problems, fn);
  if (escalation === null || typeof escalation !== "object") {
    problems.push(
      `${field}: must be an object {statistics, comparisonOperator, threshold, times?}`,
    );
    return undefined;
  }
  const threshold = check(escalation.threshold, (v) => checkThreshold(`${field}.threshold`, v));
  return {
    statistics: check(escalation.statistics, (v) =>
      checkNonEmptyString(`${field}.statistics`, v, "use the metric's statistic, e.g. Average"),
    ),
    comparisonOperator: check(escalation.comparisonOperator, (v) =>
      checkEnum(`${field}.comparisonOperator`, v, COMPARISON_OPERATORS, COMPARISON_OPERATOR_HINTS),
    ),
    // The provider takes thresholds as strings; accept numbers for convenience.
    threshold: isKnownPlain(threshold) ? String(threshold) : pulumi.output(threshold).apply(String),
    times: check(escalation.times, (v) => checkPositiveInteger(`${field}.times`, v, "periods")),
  };
}

function buildAlarmArgs(
  resourceName: string,
  args: AliyunEventPushArgs,
  problems: string[],
): { name: string; args: alicloud.cms.AlarmArgs }[] {
  const alarms = args.metricAlarms ?? [];
  if (!Array.isArray(alarms)) return []; // reported by buildEventRuleArgs
  if (alarms.length === 0) return []; // an unused metricsPushUrl is only warned about
  const check = <T>(value: pulumi.Input<T>, fn: (v: pulumi.Unwrap<T>) => string[]) =>
    checkWhenKnown(resourceName, value, problems, fn);

  let webhook: pulumi.Input<string> | undefined;
  if (args.metricsPushUrl === undefined)
    problems.push(
      "metricsPushUrl: is required when metricAlarms are declared; pass the push URL of the " +
        'Flashduty "Alibaba Cloud CM Metrics" integration (or of the receiver)',
    );
  else webhook = check(args.metricsPushUrl, (v) => checkPushUrl("metricsPushUrl", v));

  problems.push(
    ...checkDuplicateNames(
      "metricAlarms",
      alarms.map((a) => (a === null || typeof a !== "object" ? undefined : a.name)),
    ),
  );

  return alarms.flatMap((alarm, i) => {
    const f = `metricAlarms[${i}]`;
    if (alarm === null || typeof alarm !== "object") {
      problems.push(`${f}: must be an object {name, project, metric, ...}`);
      return [];
    }
    problems.push(...checkRuleName(`${f}.name`, alarm.name));
    const escalations = alarm.escalations ?? {};
    if (
      escalations.critical === undefined &&
      escalations.warn === undefined &&
      escalations.info === undefined
    )
      problems.push(
        `${f}.escalations: none given; set at least one of critical, warn or info with ` +
          "{statistics, comparisonOperator, threshold}",
      );

    const project = check(alarm.project, (v) => {
      const missing = checkNonEmptyString(
        `${f}.project`,
        v,
        "name the metric namespace, e.g. acs_ecs_dashboard",
      );
      if (missing.length > 0) return missing;
      return v === "acs_prometheus"
        ? [
            `${f}.project: acs_prometheus rules need PromQL (\`prometheuses\`), which this ` +
              "component does not declare; use alicloud.cms.Alarm directly for them",
          ]
        : [];
    });
    const dimensions = check(alarm.dimensions, (v) => {
      if (!Array.isArray(v) || v.length === 0)
        return [
          `${f}.dimensions: is required; list the watched resources, e.g. [{ instanceId: "i-123" }]`,
        ];
      const bad = v.findIndex(
        (d) =>
          d === null ||
          typeof d !== "object" ||
          Object.keys(d).length === 0 ||
          Object.values(d).some((x) => typeof x !== "string" || x === ""),
      );
      return bad === -1
        ? []
        : [
            `${f}.dimensions[${bad}]: must be a non-empty map of dimension name to string value, ` +
              'e.g. { instanceId: "i-123" }',
          ];
    });

    const alarmArgs: alicloud.cms.AlarmArgs = {
      name: alarm.name,
      project,
      metric: check(alarm.metric, (v) =>
        checkNonEmptyString(`${f}.metric`, v, "name the metric, e.g. CPUUtilization"),
      ),
      contactGroups: check(alarm.contactGroups, (v) =>
        checkRequiredStringList(
          `${f}.contactGroups`,
          v,
          "list at least one alarm contact group name (groups are created in the console or " +
            "with alicloud.cms.AlarmContactGroup)",
        ),
      ),
      metricDimensions: pulumi.output(dimensions).apply((d) => JSON.stringify(d)),
      escalationsCritical: buildEscalation(
        resourceName,
        `${f}.escalations.critical`,
        escalations.critical,
        problems,
      ),
      escalationsWarn: buildEscalation(
        resourceName,
        `${f}.escalations.warn`,
        escalations.warn,
        problems,
      ),
      escalationsInfo: buildEscalation(
        resourceName,
        `${f}.escalations.info`,
        escalations.info,
        problems,
      ),
      period: check(alarm.period, (v) => checkPositiveInteger(`${f}.period`, v, "seconds")),
      silenceTime: check(alarm.silenceTime, (v) =>
        checkIntegerRange(`${f}.silenceTime`, v, ALARM_SILENCE_RANGE, "seconds"),
      ),
      effectiveInterval: check(alarm.effectiveInterval, (v) =>
        checkEffectiveInterval(`${f}.effectiveInterval`, v),
      ),
      enabled: check(alarm.enabled, (v) => checkBoolean(`${f}.enabled`, v)),
      // Threshold callbacks are form-encoded (not JSON): point this at a CM Metrics integration.
      webhook: webhook === undefined ? undefined : pulumi.secret(webhook),
    };
    return [{ name: alarm.name, args: alarmArgs }];
  });
}

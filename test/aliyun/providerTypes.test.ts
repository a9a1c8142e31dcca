// Checks the inputs we send against @pulumi/alicloud's own generated declarations, so a provider
// upgrade that renames, removes or deprecates a property fails here rather than at `pulumi up`.
// The allowed keys are read from the package (its .d.ts via the TypeScript compiler API, and the
// generated .js), never written out by hand.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as ts from "typescript";
import {
  ALARM,
  EVENT_RULE,
  METRICS_URL,
  NOTIFY_POLICY,
  PUSH_URL,
  byType,
  installMocks,
  resolve,
  unwrapSecrets,
} from "./support";

const PKG_DIR = path.dirname(require.resolve("@pulumi/alicloud/package.json"));

interface Member {
  optional: boolean;
  deprecated: boolean;
}

/** Members of `interfaceName` in a .d.ts, optionally inside `declare namespace ns`. */
function interfaceMembers(file: string, interfaceName: string, ns?: string): Map<string, Member> {
  const source = ts.createSourceFile(
    file,
    fs.readFileSync(path.join(PKG_DIR, file), "utf8"),
    ts.ScriptTarget.ES2022,
    true,
  );
  let found: ts.InterfaceDeclaration | undefined;
  const visit = (node: ts.Node, inNamespace: boolean): void => {
    if (ts.isModuleDeclaration(node)) {
      const enter = ns !== undefined && node.name.text === ns;
      ts.forEachChild(node, (c) => visit(c, inNamespace || enter));
      return;
    }
    if (
      ts.isInterfaceDeclaration(node) &&
      node.name.text === interfaceName &&
      (ns === undefined || inNamespace)
    )
      found = node;
    ts.forEachChild(node, (c) => visit(c, inNamespace));
  };
  visit(source, false);
  assert.ok(found, `interface ${ns ? `${ns}.` : ""}${interfaceName} not found in ${file}`);
  const members = new Map<string, Member>();
  for (const m of found.members) {
    if (!ts.isPropertySignature(m) || !m.name || !ts.isIdentifier(m.name)) continue;
    members.set(m.name.text, {
      optional: m.questionToken !== undefined,
      deprecated: ts.getJSDocTags(m).some((t) => t.tagName.text === "deprecated"),
    });
  }
  assert.ok(members.size > 0, `${interfaceName} has no members`);
  return members;
}

/** Keys the generated resource class forwards from `args` to the engine. */
function forwardedArgKeys(jsFile: string): Set<string> {
  const js = fs.readFileSync(path.join(PKG_DIR, jsFile), "utf8");
  return new Set([...js.matchAll(/resourceInputs\["(\w+)"\] = args\?\.(\w+);/g)].map((m) => m[1]));
}

function assertConforms(
  what: string,
  value: Record<string, unknown>,
  members: Map<string, Member>,
): void {
  for (const key of Object.keys(value)) {
    const member = members.get(key);
    assert.ok(member, `${what}: "${key}" is not a property of the provider's type`);
    assert.equal(member.deprecated, false, `${what}: "${key}" is deprecated in the provider`);
  }
  for (const [key, m] of members)
    if (!m.optional) assert.ok(key in value, `${what}: required "${key}" is missing`);
}

describe("aliyun/AliyunEventPush inputs vs @pulumi/alicloud's declared types", () => {
  let aliyun: typeof import("../../components/aliyun");

  before(async () => {
    installMocks();
    aliyun = await import("../../components/aliyun");
  });
  beforeEach(() => installMocks());

  it("reads a plausible schema from the package (guards the parser itself)", () => {
    const eventRuleArgs = interfaceMembers("cms/eventRule.d.ts", "EventRuleArgs");
    assert.equal(eventRuleArgs.get("ruleName")?.optional, false);
    assert.equal(eventRuleArgs.get("webhookParameters")?.optional, true);
    const alarmArgs = interfaceMembers("cms/alarm.d.ts", "AlarmArgs");
    assert.equal(alarmArgs.get("dimensions")?.deprecated, true);
    assert.equal(alarmArgs.get("webhook")?.deprecated, false);
    assert.ok(forwardedArgKeys("cms/eventRule.js").has("webhookParameters"));
    assert.ok(!forwardedArgKeys("cms/alarm.js").has("status")); // an output only
  });

  it("sends EventRule and Alarm inputs that are known, non-deprecated provider properties", async () => {
    const c = new aliyun.AliyunEventPush("typed", {
      pushUrl: pulumi.secret(PUSH_URL),
      subscriptionPolicies: [
        {
          name: "all-fields",
          product: "ecs",
          eventTypes: ["Exception"],
          levels: ["CRITICAL"],
          eventNames: ["Instance:FailureEvent"],
          sqlFilter: "a = 'b'",
          silenceTime: 300,
          enabled: true,
          description: "d",
          additionalWebhookUrls: ["https://receiver.example.com/aliyun"],
        },
      ],
      metricsPushUrl: METRICS_URL,
      metricAlarms: [
        {
          name: "all-fields",
          project: "acs_ecs_dashboard",
          metric: "CPUUtilization",
          contactGroups: ["sre"],
          dimensions: [{ instanceId: "i-1" }],
          escalations: {
            critical: { statistics: "Average", comparisonOperator: ">", threshold: 90, times: 2 },
            warn: { statistics: "Average", comparisonOperator: ">", threshold: 80, times: 2 },
            info: { statistics: "Average", comparisonOperator: ">", threshold: 70, times: 2 },
          },
          period: 300,
          silenceTime: 300,
          effectiveInterval: "08:00-20:00",
          enabled: false,
        },
      ],
    });
    await resolve(c.eventRuleNames);
    await resolve(c.alarmIds);

    const [rule] = byType(EVENT_RULE).map(
      (r) => unwrapSecrets(r.inputs) as Record<string, unknown>,
    );
    const ruleArgs = interfaceMembers("cms/eventRule.d.ts", "EventRuleArgs");
    assertConforms("EventRule", rule, ruleArgs);
    const forwardedRule = forwardedArgKeys("cms/eventRule.js");
    for (const key of Object.keys(rule))
      assert.ok(forwardedRule.has(key), `EventRule.${key} not forwarded`);
    assertConforms(
      "EventRule.eventPattern",
      rule.eventPattern as Record<string, unknown>,
      interfaceMembers("types/input.d.ts", "EventRuleEventPattern", "cms"),
    );
    const webhookMembers = interfaceMembers("types/input.d.ts", "EventRuleWebhookParameter", "cms");
    const webhooks = rule.webhookParameters as Record<string, unknown>[];
    assert.equal(webhooks.length, 2);
    for (const w of webhooks) assertConforms("EventRule.webhookParameters[]", w, webhookMembers);

    const [alarm] = byType(ALARM).map((r) => unwrapSecrets(r.inputs) as Record<string, unknown>);
    assertConforms("Alarm", alarm, interfaceMembers("cms/alarm.d.ts", "AlarmArgs"));
    const forwardedAlarm = forwardedArgKeys("cms/alarm.js");
    for (const key of Object.keys(alarm))
      assert.ok(forwardedAlarm.has(key), `Alarm.${key} not forwarded`);
    for (const [key, iface] of [
      ["escalationsCritical", "AlarmEscalationsCritical"],
      ["escalationsWarn", "AlarmEscalationsWarn"],
      ["escalationsInfo", "AlarmEscalationsInfo"],
    ] as const) {
      assert.ok(alarm[key], `Alarm.${key} missing`);
      assertConforms(
        `Alarm.${key}`,
        alarm[key] as Record<string, unknown>,
        interfaceMembers("types/input.d.ts", iface, "cms"),
      );
    }
  });

  it("sends EventNotifyPolicy inputs that are known, non-deprecated provider properties", async () => {
    const c = new aliyun.AliyunEventSubscription("typed-sub", {
      pushUrl: pulumi.secret(PUSH_URL),
      workspace: "default-cms-1234-cn-hangzhou",
      channelName: "flashduty-dev",
      notifyPolicies: [
        {
          name: "all-fields",
          products: ["ECS", "RDS"],
          levels: ["CRITICAL", "WARNING"],
          eventNames: ["Instance:StateChange"],
          sources: ["system"],
          includeLegacyEvents: true,
          enabled: true,
          description: "d",
        },
      ],
    });
    await resolve(c.policyIds);
    const [policy] = byType(NOTIFY_POLICY).map(
      (r) => unwrapSecrets(r.inputs) as Record<string, unknown>,
    );
    assert.ok(policy, "no EventNotifyPolicy registered");
    assertConforms(
      "EventNotifyPolicy",
      policy,
      interfaceMembers("cms/eventNotifyPolicy.d.ts", "EventNotifyPolicyArgs"),
    );
    const forwarded = forwardedArgKeys("cms/eventNotifyPolicy.js");
    for (const key of Object.keys(policy))
      assert.ok(forwarded.has(key), `EventNotifyPolicy.${key} not forwarded`);
    const subscription = policy.subscription as Record<string, unknown>;
    assertConforms(
      "EventNotifyPolicy.subscription",
      subscription,
      interfaceMembers("types/input.d.ts", "EventNotifyPolicySubscription", "cms"),
    );
    const filter = subscription.filterSetting as Record<string, unknown>;
    assertConforms(
      "EventNotifyPolicy.subscription.filterSetting",
      filter,
      interfaceMembers("types/input.d.ts", "EventNotifyPolicySubscriptionFilterSetting", "cms"),
    );
    const conditionMembers = interfaceMembers(
      "types/input.d.ts",
      "EventNotifyPolicySubscriptionFilterSettingCondition",
      "cms",
    );
    for (const cond of filter.conditions as Record<string, unknown>[])
      assertConforms("…filterSetting.conditions[]", cond, conditionMembers);
    const plan = policy.responsePlan as Record<string, unknown>;
    assertConforms(
      "EventNotifyPolicy.responsePlan",
      plan,
      interfaceMembers("types/input.d.ts", "EventNotifyPolicyResponsePlan", "cms"),
    );
    assertConforms(
      "EventNotifyPolicy.responsePlan.pushingSetting",
      plan.pushingSetting as Record<string, unknown>,
      interfaceMembers("types/input.d.ts", "EventNotifyPolicyResponsePlanPushingSetting", "cms"),
    );
  });

  it("catches a property the provider does not declare (the check can fail)", () => {
    assert.throws(
      () =>
        assertConforms(
          "EventRule.webhookParameters[]",
          { url: "https://x.example.com", headers: "{}" },
          interfaceMembers("types/input.d.ts", "EventRuleWebhookParameter", "cms"),
        ),
      /"headers" is not a property/,
    );
    assert.throws(
      () =>
        assertConforms(
          "Alarm",
          { metric: "m", project: "p" },
          interfaceMembers("cms/alarm.d.ts", "AlarmArgs"),
        ),
      /required "contactGroups" is missing/,
    );
    assert.throws(
      () =>
        assertConforms(
          "Alarm",
          { metric: "m", project: "p", contactGroups: [], startTime: 1 },
          interfaceMembers("cms/alarm.d.ts", "AlarmArgs"),
        ),
      /"startTime" is deprecated/,
    );
  });
});

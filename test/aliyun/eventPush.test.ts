import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import {
  ALARM,
  COMPONENT,
  EVENT_RULE,
  METRICS_URL,
  PROVIDER,
  PUSH_URL,
  byType,
  installMocks,
  isSecretMarked,
  recorded,
  resolve,
  unwrapSecrets,
} from "./support";

type AliyunModule = typeof import("../../components/aliyun");

describe("aliyun/AliyunEventPush (mocked resource graph)", () => {
  let aliyun: AliyunModule;

  before(async () => {
    installMocks();
    aliyun = await import("../../components/aliyun");
  });
  beforeEach(() => installMocks());

  function fullArgs(): import("../../components/aliyun").AliyunEventPushArgs {
    return {
      pushUrl: pulumi.secret(PUSH_URL),
      subscriptionPolicies: [
        {
          name: "prod-ecs-critical",
          product: "ecs",
          eventTypes: ["StatusNotification", "Exception"],
          levels: ["CRITICAL", "WARN"],
          eventNames: ["Instance:StateChange"],
          sqlFilter: "instanceId = 'i-123'",
          silenceTime: 600,
          description: "ECS critical events to Flashduty",
        },
        { name: "prod-rds-all", product: "rds", enabled: false },
      ],
      metricsPushUrl: METRICS_URL,
      metricAlarms: [
        {
          name: "prod-ecs-cpu",
          project: "acs_ecs_dashboard",
          metric: "CPUUtilization",
          contactGroups: ["sre"],
          dimensions: [{ instanceId: "i-123" }, { instanceId: "i-456" }],
          escalations: {
            critical: { statistics: "Average", comparisonOperator: ">=", threshold: 90, times: 3 },
            warn: { statistics: "Average", comparisonOperator: ">=", threshold: "75.5" },
          },
          period: 60,
          silenceTime: 3600,
          effectiveInterval: "00:00-23:59",
          enabled: true,
        },
      ],
    };
  }

  async function settle(c: InstanceType<AliyunModule["AliyunEventPush"]>) {
    return { names: await resolve(c.eventRuleNames), ids: await resolve(c.alarmIds) };
  }

  it("creates one EventRule per subscription policy and one Alarm per metric alarm", async () => {
    const c = new aliyun.AliyunEventPush("wiring", fullArgs());
    const { names, ids } = await settle(c);
    assert.deepEqual(names, ["prod-ecs-critical", "prod-rds-all"]);
    assert.deepEqual(ids, ["wiring-alarm-prod-ecs-cpu-id"]);
    // Registration order follows input resolution, so compare as a sorted set.
    assert.deepEqual(
      recorded.map((r) => [r.type, r.name, r.custom]).sort(),
      [
        [COMPONENT, "wiring", false],
        [EVENT_RULE, "wiring-event-prod-ecs-critical", true],
        [EVENT_RULE, "wiring-event-prod-rds-all", true],
        [ALARM, "wiring-alarm-prod-ecs-cpu", true],
      ].sort(),
    );
  });

  it("parents every child to the component (URN carries the component type)", async () => {
    const c = new aliyun.AliyunEventPush("wiring", fullArgs());
    await settle(c);
    const urns = await Promise.all([...c.eventRules, ...c.alarms].map((r) => resolve(r.urn)));
    for (const urn of urns)
      assert.match(urn, /::flashduty-wiring:aliyun:AliyunEventPush\$alicloud:cms\//);
    assert.equal(c.eventRules.length, 2);
    assert.equal(c.alarms.length, 1);
  });

  it("passes exactly the expected inputs to each EventRule", async () => {
    await settle(new aliyun.AliyunEventPush("wiring", fullArgs()));
    const rule = (name: string) =>
      unwrapSecrets(byType(EVENT_RULE).find((r) => r.inputs.ruleName === name)?.inputs);
    const [ecs, rds] = [rule("prod-ecs-critical"), rule("prod-rds-all")];
    assert.deepEqual(ecs, {
      ruleName: "prod-ecs-critical",
      description: "ECS critical events to Flashduty",
      status: "ENABLED",
      silenceTime: 600,
      eventPattern: {
        product: "ecs",
        eventTypeLists: ["StatusNotification", "Exception"],
        levelLists: ["CRITICAL", "WARN"],
        nameLists: ["Instance:StateChange"],
        sqlFilter: "instanceId = 'i-123'",
      },
      webhookParameters: [
        { webhookParametersId: "1", protocol: "http", method: "POST", url: PUSH_URL },
      ],
    });
    assert.deepEqual(rds, {
      ruleName: "prod-rds-all",
      status: "DISABLED",
      eventPattern: { product: "rds" },
      webhookParameters: [
        { webhookParametersId: "1", protocol: "http", method: "POST", url: PUSH_URL },
      ],
    });
  });

  it("passes exactly the expected inputs to each Alarm (threshold as string, dimensions as JSON)", async () => {
    await settle(new aliyun.AliyunEventPush("wiring", fullArgs()));
    const [alarm] = byType(ALARM).map((r) => unwrapSecrets(r.inputs));
    assert.deepEqual(alarm, {
      name: "prod-ecs-cpu",
      project: "acs_ecs_dashboard",
      metric: "CPUUtilization",
      contactGroups: ["sre"],
      metricDimensions: '[{"instanceId":"i-123"},{"instanceId":"i-456"}]',
      escalationsCritical: {
        statistics: "Average",
        comparisonOperator: ">=",
        threshold: "90",
        times: 3,
      },
      escalationsWarn: { statistics: "Average", comparisonOperator: ">=", threshold: "75.5" },
      period: 60,
      silenceTime: 3600,
      effectiveInterval: "00:00-23:59",
      enabled: true,
      webhook: METRICS_URL,
    });
  });

  it("adds additional webhook targets after the push channel, numbered 2..n", async () => {
    const receiver = "https://receiver.example.com/aliyun/event?token=rcvtoken0123";
    const c = new aliyun.AliyunEventPush("wiring", {
      pushUrl: PUSH_URL,
      subscriptionPolicies: [
        { name: "two-targets", product: "ecs", additionalWebhookUrls: [receiver] },
      ],
    });
    await settle(c);
    const [rule] = byType(EVENT_RULE);
    assert.deepEqual(unwrapSecrets(rule.inputs.webhookParameters), [
      { webhookParametersId: "1", protocol: "http", method: "POST", url: PUSH_URL },
      { webhookParametersId: "2", protocol: "http", method: "POST", url: receiver },
    ]);
    assert.equal(isSecretMarked(rule.inputs.webhookParameters), true);
  });

  it("keeps the push URL secret in the rule's inputs and outputs, even when given as plain text", async () => {
    const c = new aliyun.AliyunEventPush("wiring", { ...fullArgs(), pushUrl: PUSH_URL });
    await settle(c);
    for (const rule of byType(EVENT_RULE)) {
      // The engine-bound inputs carry the secret marker (lifted to the list by the SDK)...
      assert.equal(isSecretMarked(rule.inputs.webhookParameters), true, rule.name);
      // ...and nothing else of the rule is secret, so plan diffs stay readable.
      assert.equal(isSecretMarked(rule.inputs.eventPattern), false);
      assert.equal(isSecretMarked(rule.inputs.ruleName), false);
    }
    for (const rule of c.eventRules) {
      assert.equal(await pulumi.isSecret(rule.webhookParameters), true);
      assert.equal(await pulumi.isSecret(rule.ruleName), false);
    }
    const [alarm] = byType(ALARM);
    assert.equal(isSecretMarked(alarm.inputs.webhook), true);
    assert.equal(await pulumi.isSecret(c.alarms[0].webhook), true);
    // The component's own outputs hold no URL and are not secret.
    assert.equal(await pulumi.isSecret(c.eventRuleNames), false);
    assert.doesNotMatch(JSON.stringify(await resolve(c.eventRuleNames)), /integration_key/);
  });

  it("passes the providers given to the component on to every child", async () => {
    const provider = aliyun.createAliyunProvider("ali", undefined, {
      env: { ALICLOUD_REGION: "cn-hangzhou" },
    });
    const c = new aliyun.AliyunEventPush("wiring", fullArgs(), { providers: [provider] });
    await settle(c);
    const ref = `${await resolve(provider.urn)}::${await resolve(provider.id)}`;
    const children = [...byType(EVENT_RULE), ...byType(ALARM)];
    assert.equal(children.length, 3);
    for (const child of children) assert.equal(child.provider, ref, child.name);
    assert.equal(byType(PROVIDER).length, 1);
  });

  it("also accepts the provider through the `provider` option and as a `providers` map", async () => {
    for (const opts of ["provider", "map"] as const) {
      installMocks();
      const provider = aliyun.createAliyunProvider(`ali-${opts}`, undefined, {
        env: { ALICLOUD_REGION: "cn-shanghai" },
      });
      const c = new aliyun.AliyunEventPush(
        `wiring-${opts}`,
        fullArgs(),
        opts === "provider" ? { provider } : { providers: { alicloud: provider } },
      );
      await settle(c);
      const ref = `${await resolve(provider.urn)}::${await resolve(provider.id)}`;
      for (const child of [...byType(EVENT_RULE), ...byType(ALARM)])
        assert.equal(child.provider, ref, `${opts}: ${child.name}`);
    }
  });

  it("uses the default provider when none is given (children carry no explicit provider ref)", async () => {
    await settle(new aliyun.AliyunEventPush("wiring", fullArgs()));
    for (const child of [...byType(EVENT_RULE), ...byType(ALARM)])
      assert.equal(child.provider ?? "", "", child.name);
  });

  it("declares only event rules when no metric alarms are given, and vice versa", async () => {
    const events = new aliyun.AliyunEventPush("events-only", {
      pushUrl: PUSH_URL,
      subscriptionPolicies: [{ name: "only", product: "ecs" }],
    });
    assert.deepEqual(await settle(events), { names: ["only"], ids: [] });
    installMocks();
    const { subscriptionPolicies: _p, pushUrl: _u, ...alarmsOnly } = fullArgs();
    const metrics = new aliyun.AliyunEventPush("metrics-only", alarmsOnly);
    assert.deepEqual(await settle(metrics), {
      names: [],
      ids: ["metrics-only-alarm-prod-ecs-cpu-id"],
    });
    assert.equal(byType(EVENT_RULE).length, 0);
  });
});

// AliyunEventSubscription under mocks: one push channel (AlertAction) and the notify policies
// (alicloud.cms.EventNotifyPolicy) that push to it; validation before anything is registered.
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import {
  NOTIFY_POLICY,
  PUSH_URL,
  SUBSCRIPTION_COMPONENT,
  byType,
  installMocks,
  isSecretMarked,
  recorded,
  resolve,
  unwrapSecrets,
} from "./support";

type AliyunModule = typeof import("../../components/aliyun");

const WORKSPACE = "default-cms-1234-cn-hangzhou";

describe("aliyun/AliyunEventSubscription (mocked resource graph)", () => {
  let aliyun: AliyunModule;

  before(async () => {
    installMocks();
    aliyun = await import("../../components/aliyun");
  });
  beforeEach(() => installMocks());

  const alertActions = () => recorded.filter((r) => r.name.endsWith("-channel") && r.custom);

  it("declares one push channel and points every policy at it on trigger and on recovery", async () => {
    const c = new aliyun.AliyunEventSubscription("aliyun", {
      pushUrl: PUSH_URL,
      workspace: WORKSPACE,
      channelName: "flashduty-dev",
      notifyPolicies: [
        { name: "dev-ecs", products: ["ECS"], levels: ["CRITICAL", "WARNING"] },
        { name: "dev-all" },
        {
          name: "dev-sys",
          sources: ["system"],
          eventNames: ["Instance:StateChange", "Disk:Stalled"],
        },
      ],
    });
    const ids = await resolve(c.policyIds);
    const channelId = await resolve(c.alertActionId);
    assert.equal(ids.length, 3);
    assert.equal(recorded.filter((r) => r.type === SUBSCRIPTION_COMPONENT).length, 1);

    const [channel] = alertActions();
    assert.ok(channel, "no AlertAction registered");
    assert.ok(isSecretMarked(channel.inputs.url), "the push URL must be a secret input");
    assert.equal(unwrapSecrets(channel.inputs.url), PUSH_URL);
    assert.deepEqual(
      [channel.inputs.name, channel.inputs.method, channel.inputs.contentType],
      ["flashduty-dev", "POST", "JSON"],
    );

    type PolicyInputs = {
      name: string;
      workspace: string;
      enabled: boolean;
      responsePlan: { pushingSetting: unknown };
      subscription: {
        subscribeLegacyEvent: boolean;
        filterSetting?: { relation: string; conditions: unknown[] };
      };
    };
    const policies = byType(NOTIFY_POLICY)
      .map((r) => unwrapSecrets(r.inputs) as PolicyInputs)
      .sort(
        (a, b) =>
          ["dev-ecs", "dev-all", "dev-sys"].indexOf(a.name) -
          ["dev-ecs", "dev-all", "dev-sys"].indexOf(b.name),
      );
    assert.equal(policies.length, 3);
    for (const p of policies) {
      assert.equal(p.workspace, WORKSPACE);
      assert.deepEqual(p.responsePlan.pushingSetting, {
        alertActionIds: [channelId],
        restoreActionIds: [channelId],
      });
      assert.equal(p.subscription.subscribeLegacyEvent, true);
      assert.equal(p.enabled, true);
    }
    assert.deepEqual(policies[0].subscription.filterSetting, {
      relation: "AND",
      conditions: [
        { field: "product", op: "IN", value: "ECS" },
        { field: "severity", op: "IN", value: "CRITICAL,WARNING" },
      ],
    });
    assert.equal(policies[1].subscription.filterSetting, undefined, "no condition: no filter");
    assert.deepEqual(policies[2].subscription.filterSetting?.conditions, [
      { field: "source", op: "EQ", value: "SYS_EVENT" },
      { field: "eventName", op: "IN", value: "Instance:StateChange,Disk:Stalled" },
    ]);
  });

  it("lists every problem at once and registers nothing", () => {
    let err: unknown;
    try {
      new aliyun.AliyunEventSubscription("bad", {
        pushUrl: "http://example.com/push?integration_key=abcd",
        workspace: undefined,
        channelName: "",
        notifyPolicies: [
          { name: "p1", levels: ["WARN" as never], products: ["ECS,RDS"] },
          { name: "p1", sources: ["threshold"] },
          { name: "p3", includeLegacyEvents: false },
        ],
      });
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof aliyun.AliyunEventSubscriptionValidationError);
    const text = err.problems.join("\n");
    for (const expected of [
      /pushUrl: uses scheme "http"/,
      /workspace: is missing; .*flashduty-wiring:aliyun\.workspace/,
      /channelName: is required/,
      /notifyPolicies\[0\]\.levels\[0\]: "WARN" is not valid \(the push body .* WARNING\)/,
      /notifyPolicies\[0\]\.products\[0\]: "ECS,RDS" contains a comma/,
      /notifyPolicies\[1\]\.name: "p1" is already used by notifyPolicies\[0\]/,
      /notifyPolicies\[1\]\.sources: threshold events alone cannot be selected/,
      /notifyPolicies\[2\]\.includeLegacyEvents: false would drop CloudMonitor 1\.0 threshold events/,
    ])
      assert.match(text, expected);
    assert.equal(err.problems.length, 8);
    assert.ok(!err.message.includes("abcd"), "the URL's key must not be echoed");
    assert.equal(recorded.length, 0);
  });

  it("checks a workspace given as an Output once it resolves; the policy never reaches the provider", async () => {
    const saved = process.listeners("unhandledRejection");
    process.removeAllListeners("unhandledRejection");
    const seen: unknown[] = [];
    process.on("unhandledRejection", (reason) => seen.push(reason));
    try {
      new aliyun.AliyunEventSubscription("late", {
        pushUrl: pulumi.secret(PUSH_URL),
        workspace: pulumi.output(" "),
        channelName: "x",
        notifyPolicies: [{ name: "p" }],
      });
      const reported = () => seen.map((e) => (e instanceof Error ? e.message : "")).join("\n");
      for (let waited = 0; !/workspace: " "/.test(reported()) && waited < 10_000; waited += 50)
        await new Promise((r) => setTimeout(r, 50));
      assert.match(reported(), /workspace: " " is not a workspace id/);
      assert.match(reported(), /AliyunEventSubscription "late"/);
      assert.equal(byType(NOTIFY_POLICY).length, 0);
    } finally {
      process.removeAllListeners("unhandledRejection");
      for (const l of saved) process.on("unhandledRejection", l);
    }
  });
});

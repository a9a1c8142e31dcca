import assert from "node:assert/strict";
import { aliyunPolicyPushesToStackChannel } from "../../policy/policies";
import {
  ALIYUN_ALERT_ACTION,
  ALIYUN_NOTIFY_POLICY,
  ALIYUN_SUBSCRIPTION_COMPONENT,
} from "../../policy/lib/tokens";
import { UNKNOWN_STRING, dependsOn, stackResource, validateStack } from "./harness";

const inComponent = { parentTypes: [ALIYUN_SUBSCRIPTION_COMPONENT] };

function channel(name: string, outputs: Record<string, unknown> = {}) {
  return stackResource(
    ALIYUN_ALERT_ACTION,
    name,
    { name: `flashduty-dev-${name}`, ...outputs },
    inComponent,
  );
}

function policy(
  name: string,
  pushing: Record<string, unknown> | undefined,
  parentTypes = [ALIYUN_SUBSCRIPTION_COMPONENT],
) {
  return stackResource(
    ALIYUN_NOTIFY_POLICY,
    name,
    {
      name: `dev-${name}`,
      workspace: "default-cms-1-cn-hangzhou",
      ...(pushing ? { responsePlan: { pushingSetting: pushing } } : {}),
    },
    { parentTypes },
  );
}

describe("policy aliyun-subscription-policy-pushes-to-stack-channel", () => {
  it("is mandatory", () => {
    assert.equal(aliyunPolicyPushesToStackChannel.enforcementLevel, "mandatory");
  });

  it("accepts a policy whose ids depend on the stack's channel while they are unknown", async () => {
    const ch = channel("ch", { alertActionId: UNKNOWN_STRING });
    const p = policy("ecs", {
      alertActionIds: [UNKNOWN_STRING],
      restoreActionIds: [UNKNOWN_STRING],
    });
    dependsOn(p, "responsePlan", ch);
    assert.deepEqual(await validateStack(aliyunPolicyPushesToStackChannel, [ch, p]), []);
  });

  it("accepts known ids equal to the stack channel's id", async () => {
    const ch = channel("ch", { alertActionId: "aa-1" });
    const p = policy("ecs", { alertActionIds: ["aa-1"], restoreActionIds: ["aa-1"] });
    dependsOn(p, "responsePlan", ch);
    assert.deepEqual(await validateStack(aliyunPolicyPushesToStackChannel, [ch, p]), []);
  });

  it("reports a hand-typed id and a missing recovery channel, without echoing ids", async () => {
    const ch = channel("ch", { alertActionId: "aa-1" });
    const p = policy("ecs", { alertActionIds: ["aa-console-7"] });
    const violations = await validateStack(aliyunPolicyPushesToStackChannel, [ch, p]);
    const text = violations.map((v) => v.message).join("\n");
    assert.equal(violations.length, 2);
    assert.ok(violations.every((v) => v.urn === p.urn));
    assert.match(
      text,
      /alertActionIds names no push channel \(AlertAction\) of this stack \(it depends on none\)/,
    );
    assert.match(
      text,
      /pushes to no channel when it recovers: set responsePlan\.pushingSetting\.restoreActionIds/,
    );
    assert.ok(!text.includes("aa-console-7"), "the id is not echoed");
  });

  it("reports a policy of the component that pushes nowhere", async () => {
    const p = policy("ecs", undefined);
    const violations = await validateStack(aliyunPolicyPushesToStackChannel, [p]);
    assert.equal(violations.length, 2);
  });

  it("leaves alone a policy outside the component that pushes to no alert action", async () => {
    const p = policy("ding-only", undefined, []);
    assert.deepEqual(await validateStack(aliyunPolicyPushesToStackChannel, [p]), []);
  });
});

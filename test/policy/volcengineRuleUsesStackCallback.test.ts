import assert from "node:assert/strict";
import { volcengineRuleUsesStackCallback } from "../../policy/policies";
import {
  VOLCENGINE_CALLBACK_URL,
  VOLCENGINE_COMPONENT,
  VOLCENGINE_EVENT_RULE,
} from "../../policy/lib/tokens";
import { UNKNOWN_STRING, dependsOn, stackResource, validateStack } from "./harness";

const inComponent = { parentTypes: [VOLCENGINE_COMPONENT] };

function callback(name: string, outputs: Record<string, unknown> = {}) {
  return stackResource(
    VOLCENGINE_CALLBACK_URL,
    name,
    { name: `dev-${name}`, ...outputs },
    inComponent,
  );
}

function rule(name: string, wire: Record<string, unknown>, parentTypes = [VOLCENGINE_COMPONENT]) {
  return stackResource(
    VOLCENGINE_EVENT_RULE,
    name,
    { ruleName: `dev-${name}`, eventSource: "ecs", eventTypes: ["*"], level: "critical", ...wire },
    { parentTypes },
  );
}

describe("policy volcengine-event-rule-uses-stack-callback", () => {
  it("is mandatory", () => {
    assert.equal(volcengineRuleUsesStackCallback.enforcementLevel, "mandatory");
  });

  it("accepts webhookIds that depend on a CallbackUrl of the stack while ids are unknown", async () => {
    const cb = callback("cb", { webhookId: UNKNOWN_STRING });
    const r = rule("ecs", { webhookIds: [UNKNOWN_STRING] });
    dependsOn(r, "webhookIds", cb);
    assert.deepEqual(await validateStack(volcengineRuleUsesStackCallback, [cb, r]), []);
  });

  it("accepts a known webhookId equal to a stack callback's id output", async () => {
    const cb = callback("cb", { webhookId: "wh-1001" });
    const r = rule("ecs", { webhookIds: ["wh-1001"] });
    dependsOn(r, "webhookIds", cb);
    assert.deepEqual(await validateStack(volcengineRuleUsesStackCallback, [cb, r]), []);
  });

  it("reports a hand-typed webhook id that no CallbackUrl of the stack produced", async () => {
    const cb = callback("cb", { webhookId: "wh-1001" });
    const r = rule("ecs", { webhookIds: ["wh-console-7"] });
    const violations = await validateStack(volcengineRuleUsesStackCallback, [cb, r]);
    assert.equal(violations.length, 1);
    assert.equal(violations[0].urn, r.urn);
    assert.match(violations[0].message, /webhookIds\[0\] is not the id of a CallbackUrl/);
    assert.match(violations[0].message, /does not depend on any CallbackUrl/);
    assert.ok(!violations[0].message.includes("wh-console-7"), "the id is not echoed");
  });

  it("reports the literal entry next to a stack callback's id once ids are known", async () => {
    const cb = callback("cb", { webhookId: "wh-1001" });
    const r = rule("ecs", { webhookIds: ["wh-1001", "wh-console-7"] });
    dependsOn(r, "webhookIds", cb);
    const violations = await validateStack(volcengineRuleUsesStackCallback, [cb, r]);
    assert.equal(violations.length, 1);
    assert.match(violations[0].message, /webhookIds\[1\]/);
  });

  it("reports a rule of the VolcengineEventPush component without webhookIds", async () => {
    const r = rule("ecs", {});
    const violations = await validateStack(volcengineRuleUsesStackCallback, [r]);
    assert.equal(violations.length, 1);
    assert.match(violations[0].message, /has no webhookIds/);
  });

  it("reports a webhook rule that sends to a raw endpoint instead of a callback", async () => {
    const r = rule("ecs", { contactMethods: ["Webhook"], endpoint: UNKNOWN_STRING }, []);
    const violations = await validateStack(volcengineRuleUsesStackCallback, [r]);
    assert.deepEqual(
      violations.map((v) => v.message.match(/raw endpoint|no webhookIds/)?.[0]),
      ["raw endpoint", "no webhookIds"],
    );
  });

  it("ignores a rule outside the component that does not deliver by webhook", async () => {
    const r = rule("mail-only", { contactMethods: ["Email"], contactGroupIds: ["g1"] }, []);
    assert.deepEqual(await validateStack(volcengineRuleUsesStackCallback, [r]), []);
  });

  it("does not accept a dependency on a CallbackUrl that is not in this stack's resources", async () => {
    const foreign = callback("foreign", { webhookId: UNKNOWN_STRING });
    const r = rule("ecs", { webhookIds: [UNKNOWN_STRING] });
    dependsOn(r, "webhookIds", foreign);
    const violations = await validateStack(volcengineRuleUsesStackCallback, [r]);
    assert.equal(violations.length, 1);
  });
});

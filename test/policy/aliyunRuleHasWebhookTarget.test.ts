import assert from "node:assert/strict";
import { aliyunRuleHasWebhookTarget } from "../../policy/policies";
import { ALIYUN_ALARM, ALIYUN_COMPONENT, ALIYUN_EVENT_RULE } from "../../policy/lib/tokens";
import { UNKNOWN_ARRAY, UNKNOWN_STRING, resourceArgs, secret, validateResource } from "./harness";

const inComponent = { parentTypes: [ALIYUN_COMPONENT] };
const pattern = { product: "ecs", eventTypeLists: ["*"], levelLists: ["CRITICAL"] };
const target = { url: secret("https://push.example.test/x"), protocol: "http", method: "POST" };

function eventRule(wire: Record<string, unknown>, parentTypes = [ALIYUN_COMPONENT]) {
  return resourceArgs(
    ALIYUN_EVENT_RULE,
    "ecs",
    { ruleName: "dev-ecs", eventPattern: pattern, ...wire },
    { parentTypes },
  );
}

describe("policy aliyun-rule-has-webhook-target", () => {
  it("is mandatory", () => {
    assert.equal(aliyunRuleHasWebhookTarget.enforcementLevel, "mandatory");
  });

  it("accepts an event rule with a POST http target", async () => {
    const violations = await validateResource(
      aliyunRuleHasWebhookTarget,
      eventRule({ webhookParameters: [target] }),
    );
    assert.deepEqual(violations, []);
  });

  it("accepts targets whose url is unknown at preview, or an unknown target list", async () => {
    const unknownUrl = eventRule({ webhookParameters: [{ ...target, url: UNKNOWN_STRING }] });
    assert.deepEqual(await validateResource(aliyunRuleHasWebhookTarget, unknownUrl), []);
    const unknownList = eventRule({ webhookParameters: UNKNOWN_ARRAY });
    assert.deepEqual(await validateResource(aliyunRuleHasWebhookTarget, unknownList), []);
  });

  it("reports an event rule of the component without webhookParameters", async () => {
    for (const wire of [{}, { webhookParameters: [] }]) {
      const violations = await validateResource(aliyunRuleHasWebhookTarget, eventRule(wire));
      assert.equal(violations.length, 1);
      assert.match(violations[0], /has no webhookParameters/);
    }
  });

  it("reports targets without url, with GET, or with a non-http protocol", async () => {
    const violations = await validateResource(
      aliyunRuleHasWebhookTarget,
      eventRule({
        webhookParameters: [
          { protocol: "http", method: "POST" },
          { ...target, method: "GET" },
          { ...target, protocol: "telnet" },
        ],
      }),
    );
    assert.equal(violations.length, 1);
    assert.match(violations[0], /webhookParameters\[0\] has no url/);
    assert.match(violations[0], /webhookParameters\[1\]\.method is "GET", not POST/);
    assert.match(violations[0], /webhookParameters\[2\]\.protocol is "telnet", not http/);
  });

  it("accepts the rule when one target is usable", async () => {
    const violations = await validateResource(
      aliyunRuleHasWebhookTarget,
      eventRule({ webhookParameters: [{ protocol: "http" }, target] }),
    );
    assert.deepEqual(violations, []);
  });

  it("ignores event rules outside AliyunEventPush", async () => {
    const violations = await validateResource(aliyunRuleHasWebhookTarget, eventRule({}, []));
    assert.deepEqual(violations, []);
  });

  it("requires a webhook on an alarm of the component", async () => {
    const without = resourceArgs(ALIYUN_ALARM, "cpu", { name: "dev-cpu" }, inComponent);
    const violations = await validateResource(aliyunRuleHasWebhookTarget, without);
    assert.equal(violations.length, 1);
    assert.match(violations[0], /has no webhook/);
    const withHook = resourceArgs(
      ALIYUN_ALARM,
      "cpu",
      { name: "dev-cpu", webhook: secret("https://push.example.test/x") },
      inComponent,
    );
    assert.deepEqual(await validateResource(aliyunRuleHasWebhookTarget, withHook), []);
  });
});

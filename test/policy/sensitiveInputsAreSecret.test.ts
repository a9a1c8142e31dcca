import assert from "node:assert/strict";
import { sensitiveInputsAreSecret } from "../../policy/policies";
import {
  ALIYUN_ALARM,
  ALIYUN_COMPONENT,
  ALIYUN_EVENT_RULE,
  VOLCENGINE_CALLBACK_URL,
  VOLCENGINE_EVENT_RULE,
} from "../../policy/lib/tokens";
import { UNKNOWN_STRING, engineProps, remediate, resourceArgs, secret } from "./harness";

const PUSH_URL =
  "https://api.flashcat.cloud/event/push/alert/standard?integration_key=0123456789abcdef0123456789abc567";
const RECEIVER_URL = "https://receiver.example.test/aliyun/events";

async function check(type: string, wire: Record<string, unknown>, config: object = {}) {
  return remediate(
    sensitiveInputsAreSecret,
    resourceArgs(type, "dev-thing", wire, { path: "remediate", config }),
  );
}

function assertBlocked(outcome: { error?: Error }, ...paths: string[]): string {
  assert.ok(outcome.error, "expected the remediation to block (throw)");
  const message = outcome.error.message;
  for (const path of paths) {
    assert.ok(message.includes(path), `message should name ${path}: ${message}`);
  }
  // The value itself must never appear in the message.
  assert.ok(!message.includes("integration_key=0123"), "message leaks the push URL");
  assert.ok(!message.includes(RECEIVER_URL), "message leaks the receiver URL");
  return message;
}

describe("policy sensitive-inputs-are-secret", () => {
  it("runs at the remediate level (the only path where secretness is observable)", () => {
    assert.equal(sensitiveInputsAreSecret.enforcementLevel, "remediate");
    assert.equal(typeof sensitiveInputsAreSecret.remediateResource, "function");
  });

  it("documents the limitation: validation props look the same for a secret and a plaintext URL", () => {
    const plain = engineProps({ name: "dev-cb", url: PUSH_URL }, "validate");
    const hidden = engineProps({ name: "dev-cb", url: secret(PUSH_URL) }, "validate");
    assert.deepEqual(JSON.parse(JSON.stringify(hidden)), JSON.parse(JSON.stringify(plain)));
  });

  it("blocks a Volcengine CallbackUrl whose url is plaintext, naming the field and the fix", async () => {
    const message = assertBlocked(
      await check(VOLCENGINE_CALLBACK_URL, { name: "dev-cb", url: PUSH_URL }),
      "url (delivery URL)",
    );
    assert.match(message, /pulumi\.secret/);
  });

  it("accepts a Volcengine CallbackUrl whose url is a secret", async () => {
    const outcome = await check(VOLCENGINE_CALLBACK_URL, { name: "dev-cb", url: secret(PUSH_URL) });
    assert.equal(outcome.error, undefined);
    assert.equal(outcome.result, undefined, "nothing is rewritten");
  });

  it("does not judge an unknown url at preview (it is checked at up, when known)", async () => {
    const outcome = await check(VOLCENGINE_CALLBACK_URL, { name: "dev-cb", url: UNKNOWN_STRING });
    assert.equal(outcome.error, undefined);
  });

  it("blocks a plaintext raw endpoint on a Volcengine event rule", async () => {
    assertBlocked(
      await check(VOLCENGINE_EVENT_RULE, { ruleName: "dev-r", endpoint: RECEIVER_URL }),
      "endpoint",
    );
  });

  it("blocks an Alibaba event rule whose webhookParameters[].url is plaintext", async () => {
    const wire = {
      ruleName: "dev-ecs",
      webhookParameters: [
        { url: secret(PUSH_URL), protocol: "http", method: "POST" },
        { url: RECEIVER_URL, protocol: "http", method: "POST" },
      ],
    };
    const message = assertBlocked(await check(ALIYUN_EVENT_RULE, wire), "webhookParameters[1].url");
    assert.ok(!message.includes("webhookParameters[0].url"), "the secret entry is not flagged");
  });

  it("accepts Alibaba event rule targets that are secret per url or as a whole array", async () => {
    const perUrl = await check(ALIYUN_EVENT_RULE, {
      ruleName: "dev-ecs",
      webhookParameters: [{ url: secret(PUSH_URL), protocol: "http", method: "POST" }],
    });
    assert.equal(perUrl.error, undefined);
    const whole = await check(ALIYUN_EVENT_RULE, {
      ruleName: "dev-ecs",
      webhookParameters: secret([{ url: PUSH_URL, protocol: "http", method: "POST" }]),
    });
    assert.equal(whole.error, undefined);
  });

  it("blocks an Alibaba alarm whose webhook is plaintext, accepts it as a secret", async () => {
    assertBlocked(await check(ALIYUN_ALARM, { name: "dev-cpu", webhook: RECEIVER_URL }), "webhook");
    const ok = await check(ALIYUN_ALARM, { name: "dev-cpu", webhook: secret(RECEIVER_URL) });
    assert.equal(ok.error, undefined);
  });

  it("blocks plaintext cloud keys and app keys on any resource, e.g. a provider", async () => {
    assertBlocked(
      await check("pulumi:providers:alicloud", {
        region: "cn-hangzhou",
        accessKey: "LTAI5tExampleAccessKeyId",
        secretKey: "exampleSecretKeyValue",
      }),
      'credential property "accessKey"',
      'credential property "secretKey"',
    );
    const ok = await check("pulumi:providers:alicloud", {
      region: "cn-hangzhou",
      accessKey: secret("LTAI5tExampleAccessKeyId"),
      secretKey: secret("exampleSecretKeyValue"),
    });
    assert.equal(ok.error, undefined);
  });

  it("finds a push URL under any property name by its integration_key", async () => {
    assertBlocked(
      await check(ALIYUN_COMPONENT, { environment: { variables: { FORWARD_TO: PUSH_URL } } }),
      "environment.variables.FORWARD_TO",
    );
  });

  it("ignores the dynamic provider's serialized code, which mentions integration_key", async () => {
    const outcome = await check(VOLCENGINE_CALLBACK_URL, {
      __provider: 'exports.handler = () => ({ push: (k) => "?integration_key=" + k });',
      name: "dev-cb",
      url: secret(PUSH_URL),
    });
    assert.equal(outcome.error, undefined);
  });

  it("exempts a value listed in allowPlaintext", async () => {
    const wire = { name: "dev-x", token: "not-a-credential-here" };
    assertBlocked(await check("example:index:Thing", wire), "token");
    const ok = await check("example:index:Thing", wire, {
      allowPlaintext: ["example:index:Thing#token"],
    });
    assert.equal(ok.error, undefined);
  });
});

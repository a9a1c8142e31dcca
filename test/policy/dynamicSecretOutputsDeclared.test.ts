import assert from "node:assert/strict";
import { dynamicSecretOutputsDeclared } from "../../policy/policies";
import { FLASHDUTY_INTEGRATION, VOLCENGINE_CALLBACK_URL } from "../../policy/lib/tokens";
import { UNKNOWN_STRING, secret, stackResource, validateStack } from "./harness";

const PUSH_URL = "https://push.example.test/event/push/alert/standard?integration_key=k123";

describe("policy dynamic-secret-outputs-declared", () => {
  it("is mandatory", () => {
    assert.equal(dynamicSecretOutputsDeclared.enforcementLevel, "mandatory");
  });

  it("reports a dynamic integration returning pushUrl and integrationKey undeclared", async () => {
    const integration = stackResource(FLASHDUTY_INTEGRATION, "events", {
      name: "dev-events",
      pushUrl: PUSH_URL,
      integrationKey: "k123",
    });
    const violations = await validateStack(dynamicSecretOutputsDeclared, [integration]);
    assert.equal(violations.length, 1);
    assert.equal(violations[0].urn, integration.urn);
    assert.match(violations[0].message, /returns integrationKey, pushUrl without declaring them/);
    assert.match(violations[0].message, /additionalSecretOutputs: \["integrationKey", "pushUrl"\]/);
    assert.ok(!violations[0].message.includes("k123"), "values are not echoed");
  });

  it("reports only the keys missing from additionalSecretOutputs", async () => {
    const integration = stackResource(FLASHDUTY_INTEGRATION, "events", {
      pushUrl: secret(PUSH_URL),
      integrationKey: "k123",
    });
    integration.opts.additionalSecretOutputs = ["pushUrl"];
    const violations = await validateStack(dynamicSecretOutputsDeclared, [integration]);
    assert.equal(violations.length, 1);
    assert.match(violations[0].message, /returns integrationKey without declaring it/);
  });

  it("accepts declared outputs, unknown-at-preview outputs declared, and other keys", async () => {
    const declared = stackResource(FLASHDUTY_INTEGRATION, "a", {
      pushUrl: UNKNOWN_STRING,
      integrationKey: "k",
    });
    declared.opts.additionalSecretOutputs = ["pushUrl", "integrationKey"];
    const callback = stackResource(VOLCENGINE_CALLBACK_URL, "cb", {
      name: "dev-cb",
      url: PUSH_URL,
    });
    assert.deepEqual(await validateStack(dynamicSecretOutputsDeclared, [declared, callback]), []);
  });

  it("leaves non-dynamic resources to their secret-aware providers", async () => {
    const provider = stackResource("pulumi:providers:alicloud", "ali", { secretKey: "s" });
    assert.deepEqual(await validateStack(dynamicSecretOutputsDeclared, [provider]), []);
  });
});

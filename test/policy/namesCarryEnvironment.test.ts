import assert from "node:assert/strict";
import { namesCarryEnvironment } from "../../policy/policies";
import { nameCarriesEnvironment } from "../../policy/policies/namesCarryEnvironment";
import {
  ALIYUN_ALARM,
  ALIYUN_EVENT_RULE,
  FLASHDUTY_INTEGRATION,
  VOLCENGINE_EVENT_RULE,
} from "../../policy/lib/tokens";
import { UNKNOWN_STRING, resourceArgs, validateResource } from "./harness";

describe("policy names-carry-environment", () => {
  it("is advisory", () => {
    assert.equal(namesCarryEnvironment.enforcementLevel, "advisory");
  });

  it("matches the environment as a whole word, case-insensitively", () => {
    for (const name of ["prod-ecs", "fd_prod_ecs", "ECS events [PROD]", "prod", "a.prod"]) {
      assert.ok(nameCarriesEnvironment(name, "prod"), name);
    }
    for (const name of ["production-ecs", "ecsprod", "preprod-x", "pro-d"]) {
      assert.ok(!nameCarriesEnvironment(name, "prod"), name);
    }
  });

  it("takes the environment from the stack in the URN", async () => {
    const good = resourceArgs(
      FLASHDUTY_INTEGRATION,
      "events",
      { name: "staging-events" },
      {
        stack: "staging",
      },
    );
    assert.deepEqual(await validateResource(namesCarryEnvironment, good), []);
    const bad = resourceArgs(
      FLASHDUTY_INTEGRATION,
      "events",
      { name: "dev-events" },
      {
        stack: "staging",
      },
    );
    const violations = await validateResource(namesCarryEnvironment, bad);
    assert.equal(violations.length, 1);
    assert.match(
      violations[0],
      /name "dev-events" does not contain the environment name "staging"/,
    );
  });

  it("checks the rule-name field of rule types", async () => {
    const volc = resourceArgs(VOLCENGINE_EVENT_RULE, "r", { ruleName: "ecs-events" });
    assert.match((await validateResource(namesCarryEnvironment, volc))[0], /ruleName "ecs-events"/);
    const ali = resourceArgs(ALIYUN_EVENT_RULE, "r", { ruleName: "dev-ecs-events" });
    assert.deepEqual(await validateResource(namesCarryEnvironment, ali), []);
  });

  it("honours the environment config override", async () => {
    const args = resourceArgs(
      ALIYUN_ALARM,
      "cpu",
      { name: "production-cpu" },
      {
        stack: "acme-prod",
        config: { environment: "production" },
      },
    );
    assert.deepEqual(await validateResource(namesCarryEnvironment, args), []);
  });

  it("reports a missing name, skips an unknown one and other types", async () => {
    const missing = resourceArgs(ALIYUN_ALARM, "cpu", { metric: "cpu_total" });
    assert.match((await validateResource(namesCarryEnvironment, missing))[0], /has no name/);
    const unknown = resourceArgs(ALIYUN_ALARM, "cpu", { name: UNKNOWN_STRING });
    assert.deepEqual(await validateResource(namesCarryEnvironment, unknown), []);
    const other = resourceArgs("random:index:RandomId", "x", { name: "whatever" });
    assert.deepEqual(await validateResource(namesCarryEnvironment, other), []);
  });
});

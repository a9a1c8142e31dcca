import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { policies } from "../../policy/policies";

const policyDir = path.join(__dirname, "..", "..", "policy");

describe("policy pack layout", () => {
  it("exports seven uniquely named policies with the documented levels", () => {
    const levels = Object.fromEntries(policies.map((p) => [p.name, p.enforcementLevel]));
    assert.equal(Object.keys(levels).length, policies.length, "names are unique");
    assert.deepEqual(levels, {
      "shared-integration-has-route": "mandatory",
      "sensitive-inputs-are-secret": "remediate",
      "dynamic-secret-outputs-declared": "mandatory",
      "volcengine-event-rule-uses-stack-callback": "mandatory",
      "aliyun-rule-has-webhook-target": "mandatory",
      "aliyun-subscription-policy-pushes-to-stack-channel": "mandatory",
      "names-carry-environment": "advisory",
    });
  });

  it("is a Pulumi policy pack: PulumiPolicy.yaml (nodejs) and a package.json version", () => {
    const manifest = parse(fs.readFileSync(path.join(policyDir, "PulumiPolicy.yaml"), "utf8"));
    assert.equal(manifest.runtime, "nodejs");
    const pkg = JSON.parse(fs.readFileSync(path.join(policyDir, "package.json"), "utf8"));
    assert.match(pkg.version, /^\d+\.\d+\.\d+$/);
    assert.equal(pkg.dependencies["@pulumi/policy"], "1.21.0");
  });

  it("documents every policy in policy/README.md", () => {
    const readme = fs.readFileSync(path.join(policyDir, "README.md"), "utf8");
    for (const policy of policies) {
      assert.ok(readme.includes(policy.name), `README mentions ${policy.name}`);
    }
  });
});

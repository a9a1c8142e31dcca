// Checks the GitHub workflows for what actionlint cannot know: our GitOps rules (permissions,
// secrets only from `secrets.*`, per-stack concurrency, the prod approval gate, the policy pack)
// and the inputs of pulumi/actions@v7, which actionlint 1.7.12's action table does not cover.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

const workflowDir = path.join(__dirname, "..", "..", ".github", "workflows");

// Inputs of pulumi/actions v7 (= v7.0.0, commit 8e5e406f), copied from its action.yml.
const PULUMI_ACTION_INPUTS = new Set([
  "command",
  "stack-name",
  "pulumi-version",
  "pulumi-version-file",
  "work-dir",
  "comment-on-pr",
  "comment-on-pr-number",
  "comment-on-summary",
  "github-token",
  "cloud-url",
  "secrets-provider",
  "parallel",
  "message",
  "config-map",
  "expect-no-changes",
  "diff",
  "replace",
  "exclude",
  "exclude-dependents",
  "target",
  "target-dependents",
  "policyPacks",
  "policyPackConfigs",
  "refresh",
  "upsert",
  "remove",
  "edit-pr-comment",
  "color",
  "exclude-protected",
  "plan",
  "suppress-outputs",
  "suppress-progress",
  "always-include-summary",
  "continue-on-error",
  "log-verbosity",
  "log-flow",
  "debug",
]);

/** Environment variables that carry credentials: each must come from `secrets.<NAME>`. */
const CREDENTIAL_ENV =
  /^(PULUMI_BACKEND_URL|PULUMI_CONFIG_PASSPHRASE|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|FLASHDUTY_APP_KEY|ALICLOUD_ACCESS_KEY|ALICLOUD_SECRET_KEY|VOLCENGINE_ACCESS_KEY|VOLCENGINE_SECRET_KEY)$/;

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}
interface Job {
  name?: string;
  needs?: string | string[];
  environment?: string;
  permissions?: Record<string, string>;
  concurrency?: { group: string; "cancel-in-progress": boolean };
  strategy?: { matrix: { stack: string[] } };
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

function load(file: string): Workflow {
  return parse(fs.readFileSync(path.join(workflowDir, file), "utf8")) as Workflow;
}

const files = ["preview.yml", "deploy.yml", "drift.yml"];
const workflows = Object.fromEntries(files.map((f) => [f, load(f)]));

function steps(wf: Workflow): Array<{ job: string; step: Step }> {
  return Object.entries(wf.jobs).flatMap(([job, j]) => j.steps.map((step) => ({ job, step })));
}

describe("GitHub workflows", () => {
  it("grant only contents: read at the top, pull-requests: write only where it comments", () => {
    for (const [file, wf] of Object.entries(workflows)) {
      assert.deepEqual(wf.permissions, { contents: "read" }, file);
      for (const [name, job] of Object.entries(wf.jobs)) {
        const commentsOnPr = job.steps.some(
          (s) => s.with?.["comment-on-pr"] === true || /gh pr comment/.test(s.run ?? ""),
        );
        if (job.permissions !== undefined) {
          const expected = commentsOnPr
            ? { contents: "read", "pull-requests": "write" }
            : { contents: "read" };
          assert.deepEqual(job.permissions, expected, `${file} ${name}`);
        } else {
          assert.ok(!commentsOnPr, `${file} ${name} comments without pull-requests: write`);
        }
      }
    }
  });

  it("take every credential from secrets, never inline", () => {
    for (const [file, wf] of Object.entries(workflows)) {
      for (const { job, step } of steps(wf)) {
        for (const [key, value] of Object.entries(step.env ?? {})) {
          if (CREDENTIAL_ENV.test(key)) {
            assert.match(value, /^\$\{\{ secrets\.[A-Z_]+ \}\}$/, `${file} ${job} ${key}`);
          }
        }
        const cloudUrl = step.with?.["cloud-url"];
        if (cloudUrl !== undefined) {
          assert.equal(cloudUrl, "${{ secrets.PULUMI_BACKEND_URL }}", `${file} ${job}`);
        }
      }
      const text = fs.readFileSync(path.join(workflowDir, file), "utf8");
      assert.doesNotMatch(text, /s3:\/\/[a-z0-9]/i, `${file} names a real bucket`);
      assert.doesNotMatch(text, /LTAI[0-9A-Za-z]{8,}/, `${file} holds an Alibaba key`);
    }
  });

  it("pass pulumi/actions@v7 only inputs it has, with the pack and passphrase provider", () => {
    let calls = 0;
    for (const [file, wf] of Object.entries(workflows)) {
      for (const { job, step } of steps(wf)) {
        if (!step.uses?.startsWith("pulumi/actions@")) {
          continue;
        }
        calls++;
        assert.equal(step.uses, "pulumi/actions@v7", `${file} ${job}`);
        for (const key of Object.keys(step.with ?? {})) {
          assert.ok(PULUMI_ACTION_INPUTS.has(key), `${file} ${job}: unknown input ${key}`);
        }
        if (step.with?.command !== undefined) {
          assert.equal(step.with.policyPacks, "policy", `${file} ${job} runs the policy pack`);
          assert.equal(step.with["secrets-provider"], "passphrase", `${file} ${job}`);
          assert.ok(step.env?.PULUMI_CONFIG_PASSPHRASE, `${file} ${job} has the passphrase`);
          assert.ok(step.env?.PULUMI_BACKEND_URL, `${file} ${job} has the backend`);
        }
      }
    }
    assert.equal(calls, 5, "preview (1, matrix), deploy (3), drift (install only)");
  });

  it("preview: on pull_request, tests first, previews dev/staging/prod and comments", () => {
    const wf = workflows["preview.yml"];
    assert.ok("pull_request" in wf.on);
    const test = wf.jobs.test.steps.map((s) => s.run).filter(Boolean);
    assert.ok(test.some((r) => r?.startsWith("npm ci")));
    assert.ok(test.includes("npm test"));
    const preview = wf.jobs.preview;
    assert.equal(preview.needs, "test");
    assert.deepEqual(preview.strategy?.matrix.stack, ["dev", "staging", "prod"]);
    const action = preview.steps.find((s) => s.uses === "pulumi/actions@v7");
    assert.equal(action?.with?.command, "preview");
    assert.equal(action?.with?.["stack-name"], "${{ matrix.stack }}");
    assert.equal(action?.with?.["comment-on-pr"], true);
    assert.match(preview.concurrency?.group ?? "", /matrix\.stack/);
  });

  it("deploy: on push to main, dev then staging then prod behind the production environment", () => {
    const wf = workflows["deploy.yml"];
    assert.deepEqual(wf.on.push, { branches: ["main"] });
    const order: Array<[string, string, string]> = [
      ["dev", "test", "dev"],
      ["staging", "dev", "staging"],
      ["prod", "staging", "production"],
    ];
    for (const [stack, needs, environment] of order) {
      const job = wf.jobs[stack];
      assert.equal(job.needs, needs, `${stack} waits for ${needs}`);
      assert.equal(job.environment, environment);
      assert.deepEqual(job.concurrency, {
        group: `pulumi-deploy-${stack}`,
        "cancel-in-progress": false,
      });
      const action = job.steps.find((s) => s.uses === "pulumi/actions@v7");
      assert.equal(action?.with?.command, "up");
      assert.equal(action?.with?.["stack-name"], stack);
    }
  });

  it("drift: scheduled and on demand, refresh --preview-only --expect-no-changes per stack", () => {
    const wf = workflows["drift.yml"];
    assert.ok("schedule" in wf.on && "workflow_dispatch" in wf.on);
    const job = wf.jobs.drift;
    assert.deepEqual(job.strategy?.matrix.stack, ["dev", "staging", "prod"]);
    const refresh = job.steps.find((s) => /pulumi refresh/.test(s.run ?? ""));
    assert.ok(refresh?.run);
    assert.match(refresh.run, /--preview-only --expect-no-changes/);
    assert.match(refresh.run, /--stack "\$STACK"/);
    assert.match(refresh.run, /GITHUB_STEP_SUMMARY/);
    assert.match(refresh.run, /exit "\$status"/);
    assert.notEqual(job.concurrency?.group.startsWith("pulumi-deploy-"), true);
  });

  it("use pinned majors of checkout and setup-node, node 22 with the npm cache", () => {
    for (const [file, wf] of Object.entries(workflows)) {
      for (const { job, step } of steps(wf)) {
        if (step.uses?.startsWith("actions/checkout")) {
          assert.equal(step.uses, "actions/checkout@v6", `${file} ${job}`);
        }
        if (step.uses?.startsWith("actions/setup-node")) {
          assert.equal(step.uses, "actions/setup-node@v6", `${file} ${job}`);
          assert.equal(step.with?.["node-version"], 22);
          assert.equal(step.with?.cache, "npm");
        }
      }
    }
  });
});

// End to end: the real Pulumi CLI runs the policy pack against a tiny program (fixtures/
// policy-program) on a local file backend. It proves what the unit tests can only mirror: that the
// engine hands secrets to remediations, that a throwing remediation blocks the preview, and that
// property dependencies let the stack policies work while ids are unknown.
//
// Needs a Pulumi CLI and pulumi-language-nodejs (no release download here: build them from Go
// modules). Run: PULUMI_BIN_DIR=<dir with pulumi> npm run test:e2e:policy
// Not part of `npm test` (.mocharc ignores test/e2e).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const repo = path.join(__dirname, "..", "..");
const programDir = path.join(__dirname, "fixtures", "policy-program");
const policyDir = path.join(repo, "policy");

function findCliDir(): string {
  const candidates = [
    process.env.PULUMI_BIN_DIR,
    ...(process.env.PATH ?? "").split(path.delimiter),
  ].filter((d): d is string => !!d);
  for (const dir of candidates) {
    if (
      fs.existsSync(path.join(dir, "pulumi")) &&
      (fs.existsSync(path.join(dir, "pulumi-language-nodejs")) ||
        candidates.some((d) => fs.existsSync(path.join(d, "pulumi-language-nodejs"))))
    ) {
      return dir;
    }
  }
  throw new Error(
    "No Pulumi CLI found: set PULUMI_BIN_DIR to a directory holding pulumi and " +
      "pulumi-language-nodejs (built from Go modules), or put them on PATH.",
  );
}

interface Run {
  status: number | null;
  output: string;
}

describe("policy pack end to end (real Pulumi CLI)", function () {
  this.timeout(600_000);
  let home: string;
  let env: NodeJS.ProcessEnv;

  const pulumi = (...args: string[]): Run => {
    const result = spawnSync("pulumi", [...args, "--non-interactive", "--color", "never"], {
      cwd: programDir,
      env,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
  };

  const preview = (scenario: string): Run => {
    const set = pulumi("config", "set", "scenario", scenario, "--stack", "dev");
    assert.equal(set.status, 0, set.output);
    return pulumi("preview", "--stack", "dev", "--policy-pack", policyDir);
  };

  before(() => {
    assert.ok(
      fs.existsSync(path.join(policyDir, "node_modules", "@pulumi", "policy")),
      "run npm ci --prefix policy first",
    );
    const cliDir = findCliDir();
    home = fs.mkdtempSync(path.join(os.tmpdir(), "policy-e2e-"));
    const sdkDir = path.join(repo, "node_modules", "@pulumi", "pulumi"); // pulumi-resource-pulumi-nodejs
    env = {
      ...process.env,
      PATH: [cliDir, sdkDir, process.env.PATH].join(path.delimiter),
      PULUMI_HOME: path.join(home, "pulumi-home"),
      PULUMI_BACKEND_URL: `file://${path.join(home, "state")}`,
      PULUMI_CONFIG_PASSPHRASE: "e2e-only-passphrase",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    };
    fs.mkdirSync(path.join(home, "state"));
    const init = pulumi("stack", "init", "dev", "--secrets-provider", "passphrase");
    assert.equal(init.status, 0, init.output);
  });

  after(() => {
    if (home) {
      spawnSync("pulumi", ["stack", "rm", "dev", "--yes", "--force", "--non-interactive"], {
        cwd: programDir,
        env,
      });
      fs.rmSync(home, { recursive: true, force: true });
      fs.rmSync(path.join(programDir, "Pulumi.dev.yaml"), { force: true });
    }
  });

  it("passes a well-wired program at preview, where every id is still unknown", () => {
    const run = preview("good");
    assert.equal(run.status, 0, run.output);
    assert.doesNotMatch(run.output, /mandatory|reach the resource as plaintext/);
  });

  it("blocks a plaintext push URL: the remediation sees the engine's secret markers", () => {
    const run = preview("plaintext-url");
    assert.notEqual(run.status, 0, run.output);
    assert.match(run.output, /url \(delivery URL\)[^\n]*reach the resource as plaintext/);
    assert.doesNotMatch(run.output, /integration_key=abc123/, "the URL is never printed");
  });

  it("reports an integration without route as a mandatory violation", () => {
    const run = preview("no-route");
    assert.notEqual(run.status, 0, run.output);
    assert.match(run.output, /shared-integration-has-route/);
    assert.match(run.output, /"events" has no route/);
  });

  it("reports a hand-typed Volcengine webhook id", () => {
    const run = preview("literal-webhook-id");
    assert.notEqual(run.status, 0, run.output);
    assert.match(run.output, /webhookIds\[0\] is not the id of a CallbackUrl/);
  });

  it("only advises on a name without the environment", () => {
    const run = preview("bad-name");
    assert.equal(run.status, 0, run.output);
    assert.match(run.output, /names-carry-environment/);
    assert.match(run.output, /name "events" does not contain the environment name "dev"/);
  });

  it("passes at up, with known ids, and the pushed URL is stored as a secret", () => {
    const set = pulumi("config", "set", "scenario", "good", "--stack", "dev");
    assert.equal(set.status, 0, set.output);
    const up = pulumi("up", "--yes", "--stack", "dev", "--policy-pack", policyDir);
    assert.equal(up.status, 0, up.output);
    const exported = pulumi("stack", "export", "--stack", "dev");
    assert.equal(exported.status, 0, exported.output);
    assert.doesNotMatch(exported.output, /integration_key=abc123/, "state holds it encrypted");
  });

  it("fails an up whose dynamic integration returns pushUrl without declaring it secret", () => {
    const set = pulumi("config", "set", "scenario", "undeclared-output", "--stack", "dev");
    assert.equal(set.status, 0, set.output);
    const up = pulumi("up", "--yes", "--stack", "dev", "--policy-pack", policyDir);
    assert.notEqual(up.status, 0, up.output);
    assert.match(up.output, /dynamic-secret-outputs-declared/);
    assert.match(up.output, /returns integrationKey, pushUrl without declaring them secret/);
  });
});

// End to end: the real Pulumi CLI runs the policy pack against a tiny program (fixtures/
// policy-program) on a local file backend. It proves what the unit tests can only mirror: that the
// engine hands secrets to remediations, that a throwing remediation blocks the preview, and that
// property dependencies let the stack policies work while ids are unknown.
//
// Run: `npm run tools:pulumi && npm run test:e2e:policy`. The CLI is taken from PULUMI_BIN_DIR
// (directories separated like PATH), then .tools/bin (the offline build), then PATH.
// How the engine starts the pack (PULUMI_POLICY_LAUNCH):
// - `launcher` (default): `--policy-pack` names a launcher script that the engine runs as a binary
//   analyzer plugin (support/policyPackLauncher.ts says why): works with the offline CLI, whose
//   nodejs language host (3.68) lacks RunPlugin, and with any CLI >= v3.276.0.
// - `directory`: `--policy-pack` names the pack directory, as users with a regular CLI install
//   run it; needs a language host with RunPlugin (not the offline build).
// Engine, analyzer protocol, @pulumi/policy and the pack are the same either way; only the process
// launch differs. Not part of `npm test` (.mocharc ignores test/e2e).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { TOOLS_BIN } from "./support/pulumiCli";
import { writePolicyPackLauncher } from "./support/policyPackLauncher";

const repo = path.join(__dirname, "..", "..");
const programDir = path.join(__dirname, "fixtures", "policy-program");
const componentsDir = path.join(__dirname, "fixtures", "policy-components");
const policyDir = path.join(repo, "policy");

/**
 * Directories to put first on PATH: `PULUMI_BIN_DIR` (one or more, separated like PATH), then
 * .tools/bin (`npm run tools:pulumi`); they, or PATH, must hold `pulumi` and `pulumi-language-nodejs`.
 */
function cliDirs(): string[] {
  const configured = [
    ...(process.env.PULUMI_BIN_DIR ?? "").split(path.delimiter).filter(Boolean),
    TOOLS_BIN,
  ];
  const search = [...configured, ...(process.env.PATH ?? "").split(path.delimiter)];
  const has = (file: string) => search.some((dir) => fs.existsSync(path.join(dir, file)));
  if (!has("pulumi") || !has("pulumi-language-nodejs")) {
    throw new Error(
      "No Pulumi CLI found: run `npm run tools:pulumi` (offline build into .tools/bin), or set " +
        "PULUMI_BIN_DIR to the directories holding pulumi and pulumi-language-nodejs, or put them on PATH.",
    );
  }
  return configured;
}

/** How the engine starts the pack: see the header. */
function launchMode(): "launcher" | "directory" {
  const mode = process.env.PULUMI_POLICY_LAUNCH ?? "launcher";
  if (mode === "launcher" || mode === "directory") return mode;
  throw new Error(
    `PULUMI_POLICY_LAUNCH=${mode} is not supported: use launcher (the default) or directory` +
      (mode === "shim"
        ? " (the `shim` route relied on the pulumi-analyzer-policy-<runtime> fallback, removed in Pulumi v3.276.0)."
        : "."),
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
  let packDir = policyDir;

  const pulumiIn = (cwd: string, ...args: string[]): Run => {
    const result = spawnSync("pulumi", [...args, "--non-interactive", "--color", "never"], {
      cwd,
      env,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
  };
  const pulumi = (...args: string[]): Run => pulumiIn(programDir, ...args);

  const preview = (scenario: string): Run => {
    const set = pulumi("config", "set", "scenario", scenario, "--stack", "dev");
    assert.equal(set.status, 0, set.output);
    return pulumi("preview", "--stack", "dev", "--policy-pack", packDir);
  };

  before(() => {
    assert.ok(
      fs.existsSync(path.join(policyDir, "node_modules", "@pulumi", "policy")),
      "run npm ci --prefix policy first",
    );
    const binDirs = cliDirs();
    home = fs.mkdtempSync(path.join(os.tmpdir(), "policy-e2e-"));
    const sdkDir = path.join(repo, "node_modules", "@pulumi", "pulumi"); // pulumi-resource-pulumi-nodejs
    if (launchMode() === "launcher") packDir = writePolicyPackLauncher(path.join(home, "pack"));
    env = {
      ...process.env,
      PATH: [...binDirs, sdkDir, process.env.PATH].join(path.delimiter),
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
      for (const dir of [programDir, componentsDir]) {
        pulumiIn(dir, "stack", "rm", "dev", "--yes", "--force");
        fs.rmSync(path.join(dir, "Pulumi.dev.yaml"), { force: true });
      }
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  it("passes a well-wired program at preview, where every id is still unknown", () => {
    const run = preview("good");
    assert.equal(run.status, 0, run.output);
    assert.doesNotMatch(run.output, /mandatory|plaintext where a Pulumi secret is required/);
  });

  it("blocks a plaintext push URL: the remediation sees the engine's secret markers", () => {
    const run = preview("plaintext-url");
    assert.notEqual(run.status, 0, run.output);
    assert.match(
      run.output,
      /url \(delivery URL\)[^\n]*plaintext where a Pulumi secret is required/,
    );
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
    const up = pulumi("up", "--yes", "--stack", "dev", "--policy-pack", packDir);
    assert.equal(up.status, 0, up.output);
    const exported = pulumi("stack", "export", "--stack", "dev");
    assert.equal(exported.status, 0, exported.output);
    assert.doesNotMatch(exported.output, /integration_key=abc123/, "state holds it encrypted");
  });

  it("fails an up whose dynamic integration returns pushUrl without declaring it secret", () => {
    const set = pulumi("config", "set", "scenario", "undeclared-output", "--stack", "dev");
    assert.equal(set.status, 0, set.output);
    const up = pulumi("up", "--yes", "--stack", "dev", "--policy-pack", packDir);
    assert.notEqual(up.status, 0, up.output);
    assert.match(up.output, /dynamic-secret-outputs-declared/);
    assert.match(up.output, /returns integrationKey, pushUrl without declaring them secret/);
  });

  it("passes the project's real Flashduty and Volcengine components (preview)", () => {
    const init = pulumiIn(
      componentsDir,
      "stack",
      "init",
      "dev",
      "--secrets-provider",
      "passphrase",
    );
    assert.equal(init.status, 0, init.output);
    // Loopback endpoints: a preview calls no API, and nothing may ever reach a real one.
    const settings: Array<[string, string, boolean]> = [
      ["flashduty:appKey", "e2e-app-key-0000", true],
      ["flashduty:baseUrl", "http://127.0.0.1:9", false],
      ["volcengine:accessKey", "e2e-access-key", true],
      ["volcengine:secretKey", "e2e-secret-key", true],
      ["volcengine:region", "cn-beijing", false],
      ["volcengine:endpoint", "http://127.0.0.1:9", false],
    ];
    for (const [key, value, secret] of settings) {
      const set = pulumiIn(
        componentsDir,
        "config",
        "set",
        key,
        value,
        "--stack",
        "dev",
        ...(secret ? ["--secret"] : []),
      );
      assert.equal(set.status, 0, set.output);
    }
    const run = pulumiIn(componentsDir, "preview", "--stack", "dev", "--policy-pack", packDir);
    assert.equal(run.status, 0, run.output);
    assert.match(run.output, /flashduty-wiring@v0\.1\.0/, "the pack ran");
    assert.match(run.output, /pulumi-nodejs:dynamic\/volcengine:EventRule/);
    assert.doesNotMatch(run.output, /mandatory|advisory|Pulumi secret is required/);
  });
});

// Starts the policy pack with the offline-built CLI (.tools/bin). Its nodejs language host (built
// from sdk/v3 v3.68.0, see README "Pulumi CLI for offline CI") lacks the RunPlugin RPC that a
// current CLI uses to start a policy pack given as a directory (`--policy-pack policy` fails with
// "could not read plugin [policy]: not supported"), and the engine's old fallback, a
// `pulumi-analyzer-policy-<runtime>` program on PATH, is gone in v3.276.0. What that engine does
// instead (pkg/v3@v3.276.0 resource/plugin/analyzer_plugin.go, NewPolicyAnalyzer): a
// `--policy-pack` path that is a file, not a directory, is launched as a binary analyzer plugin,
// with the engine address as its one argument, reading the PulumiPolicy.yaml beside it for the
// pack's description and version. So the launcher is a script in a directory of its own, next to
// a link to the pack's PulumiPolicy.yaml, running @pulumi/pulumi's run-policy-pack in the pack
// directory (what the removed fallback ran). The pack's code, the analyzer protocol and
// @pulumi/policy are the same as with a current CLI, which needs none of this.
//
// Used by the e2e tests, and by `npm run tools:policy-pack` (writes .tools/policy-pack/) for
// `pulumi preview --policy-pack .tools/policy-pack/run-policy-pack.sh` with the offline CLI.
import * as fs from "node:fs";
import * as path from "node:path";

const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");
export const POLICY_DIR = path.join(REPO_ROOT, "policy");
export const LAUNCHER_NAME = "run-policy-pack.sh";

/** A path as one single-quoted sh word. */
function shQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * Writes `<launcherDir>/run-policy-pack.sh` and a link to the pack's PulumiPolicy.yaml beside it
 * (replacing earlier ones); returns the launcher's path, to pass to `--policy-pack`.
 */
export function writePolicyPackLauncher(launcherDir: string, policyDir = POLICY_DIR): string {
  const manifest = path.join(policyDir, "PulumiPolicy.yaml");
  const runPolicyPack = path.join(
    policyDir,
    "node_modules",
    "@pulumi",
    "pulumi",
    "cmd",
    "run-policy-pack",
  );
  if (!fs.existsSync(manifest))
    throw new Error(`${policyDir} is not a policy pack (no PulumiPolicy.yaml)`);
  if (!fs.existsSync(runPolicyPack)) {
    throw new Error(
      `${runPolicyPack} is missing: run \`npm ci\` (its postinstall installs ${policyDir}/node_modules)`,
    );
  }
  fs.mkdirSync(launcherDir, { recursive: true });
  const manifestLink = path.join(launcherDir, "PulumiPolicy.yaml");
  fs.rmSync(manifestLink, { force: true });
  fs.symlinkSync(path.resolve(manifest), manifestLink);
  const launcher = path.join(launcherDir, LAUNCHER_NAME);
  fs.writeFileSync(
    launcher,
    "#!/bin/sh\n" +
      "# Written by test/e2e/support/policyPackLauncher.ts; $1 is the engine's address.\n" +
      `cd ${shQuote(path.resolve(policyDir))} && exec node ${shQuote(path.resolve(runPolicyPack))} "$1" .\n`,
    { mode: 0o755 },
  );
  fs.chmodSync(launcher, 0o755);
  return launcher;
}

if (require.main === module) {
  const target = path.resolve(process.argv[2] ?? path.join(REPO_ROOT, ".tools", "policy-pack"));
  const launcher = writePolicyPackLauncher(target);
  process.stdout.write(
    `policy pack launcher: ${launcher}\n` +
      `use it with the offline CLI: pulumi preview --policy-pack ${path.relative(process.cwd(), launcher) || launcher}\n`,
  );
}

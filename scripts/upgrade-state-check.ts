// Upgrade check for the small dynamic-provider stub (docs/operations.md, "Upgrading to the small
// provider"): a stack written by an older checkout (whose dynamic resources serialized their whole
// provider into the state) is taken over by this checkout, on the same file backend and against
// the same simulators, through the real engine. Prints every step's plan, API calls and state size;
// fails when anything would be replaced, created or deleted, when the rewrite calls a vendor API
// that writes, or when the state does not shrink.
//
//   git worktree add --detach /tmp/old fe33296 && (cd /tmp/old && npm ci --ignore-scripts)
//   npx ts-node --transpile-only scripts/upgrade-state-check.ts /tmp/old [--n 20]
//   git worktree remove --force /tmp/old
import * as fs from "node:fs";
import * as path from "node:path";
import { randomBytes } from "node:crypto";
import { FlashdutySimulator } from "../test/simulators/flashduty";
import { VolcengineSimulator } from "../test/simulators/volcengine";
import { PulumiWorkspace, REPO_ROOT, writePlainConfig } from "../test/e2e/support/pulumiCli";
import { stateBytes, wiringConfig } from "../bench/scale";

const LINKS = [
  "index.ts",
  "program",
  "components",
  "package.json",
  "tsconfig.json",
  "node_modules",
];

function linkCheckout(ws: PulumiWorkspace, checkout: string): void {
  for (const entry of LINKS) {
    const link = path.join(ws.projectDir, entry);
    fs.rmSync(link, { force: true });
    fs.symlinkSync(path.join(checkout, entry), link);
  }
}

interface PlanStep {
  op: string;
  urn: string;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const old = args[0] ? path.resolve(args[0]) : "";
  if (!old || !fs.existsSync(path.join(old, "index.ts")))
    throw new Error("usage: upgrade-state-check.ts <old checkout with node_modules> [--n 20]");
  const nAt = args.indexOf("--n");
  const n = nAt >= 0 ? Number(args[nAt + 1]) : 20;

  const fd = await FlashdutySimulator.start();
  const volc = await VolcengineSimulator.start({ region: "cn-beijing" });
  const ws = new PulumiWorkspace("upgrade");
  ws.addSecret(fd.appKey, volc.accessKey, volc.secretKey);
  const failures: string[] = [];
  const check = (ok: boolean, what: string) => {
    process.stdout.write(`  ${ok ? "ok  " : "FAIL"} ${what}\n`);
    if (!ok) failures.push(what);
  };
  const apiWrites = () =>
    fd.requests.filter((r) => !/\/(info|list)$/.test(r.path)).length +
    volc.requests.filter((r) => !/^(List|Get)/.test(r.action)).length;
  const calls = () => fd.requests.length + volc.requests.length;
  const kb = (b: number) => `${(b / 1024).toFixed(0)} KB`;
  const largestProvider = async () => {
    const state = JSON.parse((await ws.ok(["stack", "export"])).stdout) as {
      deployment: {
        resources?: Array<{ inputs?: { __provider?: string }; outputs?: { __provider?: string } }>;
      };
    };
    const sizes = (state.deployment.resources ?? []).flatMap((r) =>
      [r.inputs?.__provider, r.outputs?.__provider].map((t) => (t ? Buffer.byteLength(t) : 0)),
    );
    return Math.max(0, ...sizes);
  };
  const plan = async (): Promise<Record<string, number>> => {
    const steps =
      (JSON.parse((await ws.ok(["preview", "--json"])).stdout) as { steps?: PlanStep[] }).steps ??
      [];
    const ops: Record<string, number> = {};
    for (const s of steps) ops[s.op] = (ops[s.op] ?? 0) + 1;
    return ops;
  };
  const onlyOps = (ops: Record<string, number>, allowed: string[]) =>
    Object.keys(ops).every((op) => allowed.includes(op));

  try {
    await ws.ok(["stack", "init", "upgrade", "--secrets-provider", "passphrase"]);
    await ws.setConfig("flashduty:appKey", fd.appKey, true);
    await ws.setConfig("volcengine:accessKey", volc.accessKey, true);
    await ws.setConfig("volcengine:secretKey", volc.secretKey, true);
    await ws.setConfig("flashduty-wiring:receiverToken", randomBytes(20).toString("hex"), true);
    writePlainConfig(ws, wiringConfig(n, fd, volc));

    process.stdout.write(`old checkout ${old}: up with ${n} event rules\n`);
    linkCheckout(ws, old);
    await ws.ok(["up", "--yes", "--skip-preview"]);
    const ids = () =>
      JSON.stringify([
        fd.channels().map((c) => c.channel_id),
        fd.integrations().map((i) => [i.integration_id, i.integration_key]),
        volc.webhooks().map((w) => w.Id),
        volc.eventRules().map((r) => r.RuleId),
      ]);
    const idsBefore = ids();
    const oldState = stateBytes(ws);
    process.stdout.write(
      `  state ${kb(oldState)}, largest __provider ${kb(await largestProvider())}\n`,
    );

    process.stdout.write(`this checkout ${REPO_ROOT}:\n`);
    linkCheckout(ws, REPO_ROOT);

    let from = calls();
    await ws.ok(["refresh", "--yes", "--skip-preview"]);
    const afterRefresh = stateBytes(ws);
    process.stdout.write(
      `  refresh: ${calls() - from} API calls, state ${kb(afterRefresh)} (old providers still run read)\n`,
    );

    from = calls();
    const upgradePlan = await plan();
    process.stdout.write(
      `  preview: ${JSON.stringify(upgradePlan)}, ${calls() - from} API calls\n`,
    );
    check(
      onlyOps(upgradePlan, ["same", "update"]),
      "the upgrade plan only updates (no replace, create or delete)",
    );

    from = calls();
    const writes = apiWrites();
    const up = await ws.ok(["up", "--yes", "--skip-preview"]);
    const upgraded = stateBytes(ws);
    process.stdout.write(
      `  up: ${/Resources:[\s\S]*?(?=\n\n|Duration)/.exec(up.stdout)?.[0].replace(/\s+/g, " ")}, ` +
        `${calls() - from} API calls (${apiWrites() - writes} writes), state ${kb(oldState)} → ${kb(upgraded)}, ` +
        `largest __provider ${kb(await largestProvider())}\n`,
    );
    check(apiWrites() === writes, "the rewrite wrote nothing to Flashduty or Volcengine");
    check(ids() === idsBefore, "every object (and integration key) kept its id");
    check(upgraded < oldState / 2, "the state is less than half its old size");

    from = calls();
    const noop = await plan();
    check(onlyOps(noop, ["same"]), `a second preview is a no-op (${JSON.stringify(noop)})`);
    check(calls() === from, "the no-op preview called no API");

    from = calls();
    await ws.ok(["refresh", "--yes"]);
    check(
      stateBytes(ws) <= upgraded * 1.05,
      `refresh keeps the state small (${kb(stateBytes(ws))})`,
    );
    process.stdout.write(`  refresh --yes: ${calls() - from} API calls\n`);

    writePlainConfig(ws, wiringConfig(n, fd, volc, 0));
    const change = await plan();
    check(
      change.update === 1 && onlyOps(change, ["same", "update"]),
      `a one-rule change plans one update (${JSON.stringify(change)})`,
    );
    await ws.ok(["up", "--yes", "--skip-preview"]);
    check(
      volc.eventRules().some((r) => r.Description === "changed by bench:scale"),
      "the one-rule change reached Volcengine",
    );

    await ws.ok(["destroy", "--yes", "--skip-preview"]);
    const left = volc.eventRules().length + volc.webhooks().length + fd.channels().length;
    check(left === 0, `destroy left nothing (${left} objects left)`);
  } finally {
    ws.cleanup();
    await fd.stop();
    await volc.stop();
  }
  if (failures.length > 0) throw new Error(`${failures.length} check(s) failed`);
  process.stdout.write("upgrade check: PASSED\n");
}

main().catch((err: unknown) => {
  process.stderr.write(
    `upgrade check failed: ${err instanceof Error ? err.message : String(err)}\n`,
  );
  process.exitCode = 1;
});

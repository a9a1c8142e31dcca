// bench:scale — how the wiring stack's cost grows with the number of Volcengine event rules,
// through the real Pulumi engine (the offline-built CLI from `npm run tools:pulumi`, a file
// backend, passphrase secrets) against the Flashduty and Volcengine simulators in this process.
//
// For each N (default 10, 100, 300; `npm run bench:scale -- --n 10,100`): the wiring program
// (index.ts) with N event rules delivering to one callback, 10 Flashduty channels, the receiver
// integration and its route; beside it, in the same run and step by step, the floor: a trivial
// dynamic-provider program (in-memory provider serialized inline, no API) with as many resources.
// Steps: `up --yes`, no-op `preview`, `refresh --yes` (a preview pass and a real pass), a one-rule
// change (`up --yes`), `destroy --yes`. Printed per step: wall time and its ratio to the floor, API
// calls per resource seen by each simulator, the peak requests in any 1 s window (and 60 s for
// Flashduty), throttled answers, and the state file's size beside the floor's.
//
// Targets (issue 13, at N = 300): up, refresh and destroy each ≤ 2× the floor; one read per
// resource per refresh pass; no-op preview 0 API calls; state ≤ 2× the floor's; peak rate never
// above the vendor's documented limit (Flashduty Open API: 50/s and 1000/min per account,
// /work/shared/reference/flashduty-api.md §1; Volcengine: see docs/performance.md).
import * as fs from "node:fs";
import * as path from "node:path";
import { randomBytes } from "node:crypto";
import { FlashdutySimulator } from "../test/simulators/flashduty";
import { VolcengineSimulator } from "../test/simulators/volcengine";
import { PulumiWorkspace, CommandResult, writePlainConfig } from "../test/e2e/support/pulumiCli";
import { DEFAULT_REQUESTS_PER_SECOND } from "../components/volcengine/client";

const REGION = "cn-beijing";
const TEAM_ID = 1467226103121;
const EVENT = "ecs:Disk:DiskError.Redeploy.Executing";
const CHANNELS = 10;
const CHANGED_DESCRIPTION = "changed_by_bench_scale";
const REFRESH_PASSES = 2;
/** The Volcengine client's default pace (volcengine:requestsPerSecond), which this bench leaves as is. */
const VOLCENGINE_PACE = DEFAULT_REQUESTS_PER_SECOND;
const STEPS = ["up", "preview (no-op)", "refresh --yes", "one-rule change", "destroy"] as const;
type Step = (typeof STEPS)[number];

interface Calls {
  total: number;
  byOp: Record<string, number>;
  peak1s: number;
  peak60s: number;
  throttled: number;
  /** Time from the first to the last call of the step (0 with fewer than two calls). */
  spanMs: number;
}

interface StepFigures {
  /** Undefined when the wiring's command succeeded, else what failed (the run goes on). */
  failed?: string;
  projectMs: number;
  floorMs: number;
  flashduty: Calls;
  volcengine: Calls;
  /** The Volcengine simulator's own highest count of requests in any 1 s window during the step. */
  volcengineSimPeak: number;
}

interface RunFigures {
  n: number;
  resources: { project: number; flashduty: number; volcengine: number };
  steps: Partial<Record<Step, StepFigures>>;
  state: { project: number; floor: number; projectAfterChange: number; floorAfterChange: number };
  leftAfterDestroy?: Record<string, number>;
}

function parseArgs(): { ns: number[]; keep: boolean } {
  const args = process.argv.slice(2);
  let ns = [10, 100, 300];
  const i = args.indexOf("--n");
  if (i >= 0) {
    ns = (args[i + 1] ?? "")
      .split(",")
      .map((s) => Number(s.trim()))
      .filter((n) => Number.isInteger(n) && n > 0);
    if (ns.length === 0) throw new Error("--n takes a comma-separated list, e.g. --n 10,100");
  }
  return { ns, keep: args.includes("--keep") };
}

/** Most requests with timestamps within any window of `ms` (two pointers over sorted times). */
function peak(times: number[], ms: number): number {
  const t = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let lo = 0, hi = 0; hi < t.length; hi++) {
    while (t[hi] - t[lo] >= ms) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

function callsOf(records: Array<{ at: number; op: string; status: number }>): Calls {
  const byOp: Record<string, number> = {};
  for (const r of records) byOp[r.op] = (byOp[r.op] ?? 0) + 1;
  return {
    total: records.length,
    byOp,
    peak1s: peak(
      records.map((r) => r.at),
      1000,
    ),
    peak60s: peak(
      records.map((r) => r.at),
      60_000,
    ),
    throttled: records.filter((r) => r.status === 429).length,
    spanMs:
      records.length > 1
        ? Math.max(...records.map((r) => r.at)) - Math.min(...records.map((r) => r.at))
        : 0,
  };
}

/** The stack's checkpoint in the file backend (`.pulumi/stacks/<project>/<stack>.json`). */
export function stateBytes(ws: PulumiWorkspace): number {
  const dir = path.join(ws.backendDir, ".pulumi", "stacks");
  const found: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name === `${ws.stack}.json`) found.push(p);
    }
  };
  walk(dir);
  if (found.length !== 1)
    throw new Error(`expected one checkpoint for ${ws.stack}, found ${found}`);
  return fs.statSync(found[0]).size;
}

export function wiringConfig(
  n: number,
  fd: FlashdutySimulator,
  volc: VolcengineSimulator,
  changedRule?: number,
): Record<string, unknown> {
  const channels = Array.from({ length: CHANNELS }, (_, i) => ({
    key: `ch-${i}`,
    name: `scale channel ${i}`,
    teamId: TEAM_ID,
  }));
  return {
    "flashduty:baseUrl": fd.baseUrl,
    "volcengine:region": REGION,
    "volcengine:endpoint": volc.baseUrl,
    "flashduty-wiring:environment": "scale",
    "flashduty-wiring:flashduty": {
      teamId: TEAM_ID,
      namePrefix: "scale",
      channels,
      routing: {
        style: "shared",
        cases: channels.slice(1).map((c, i) => ({
          if: [{ key: "labels.rule", oper: "IN", vals: [`group-${i}`] }],
          channels: [c.key],
        })),
        default: { channels: [channels[0].key] },
      },
    },
    "flashduty-wiring:aliyun": { enabled: false, delivery: "direct" },
    "flashduty-wiring:volcengine": {
      enabled: true,
      delivery: "receiver",
      callbackName: "Flashduty_Event_scale",
      rules: Array.from({ length: n }, (_, i) => ({
        ruleName: `scale-rule-${String(i).padStart(4, "0")}`,
        // Volcengine descriptions allow no spaces or ASCII punctuation other than "_" and "-".
        description: i === changedRule ? CHANGED_DESCRIPTION : `scale_rule_${i}`,
        eventSource: "ecs",
        eventTypes: [EVENT],
        level: "critical",
      })),
    },
    // Nothing is delivered in this bench; the URL only has to be valid.
    "flashduty-wiring:receiver": { url: "http://127.0.0.1:9" },
  };
}

/** The floor: `count` dynamic resources whose provider is serialized inline and calls nothing. */
const FLOOR_PROGRAM = `// bench:scale floor: a trivial dynamic-provider program (generated).
import * as pulumi from "@pulumi/pulumi";

interface ItemInputs { name: string; description: string; level: string; tags: string[] }

const itemProvider: pulumi.dynamic.ResourceProvider<ItemInputs, ItemInputs> = {
  async check(_olds, news) { return { inputs: news }; },
  async diff(_id, olds, news) {
    return { changes: olds.description !== news.description || olds.level !== news.level };
  },
  async create(inputs) { return { id: inputs.name, outs: inputs }; },
  async read(id, props) { return { id, props }; },
  async update(_id, _olds, news) { return { outs: news }; },
  async delete() {},
};

class Item extends pulumi.dynamic.Resource {
  constructor(name: string, args: ItemInputs) {
    super(itemProvider, name, args, undefined, "floor", "Item");
  }
}

const config = new pulumi.Config("floor");
const count = config.requireNumber("count");
const changed = config.getNumber("changed") ?? -1;
for (let i = 0; i < count; i++) {
  const name = "item-" + String(i).padStart(4, "0");
  new Item(name, {
    name,
    description: i === changed ? "changed by bench:scale" : "floor item " + i,
    level: "critical",
    tags: ["${EVENT}"],
  });
}
`;

async function floorWorkspace(): Promise<PulumiWorkspace> {
  const ws = new PulumiWorkspace("floor");
  const index = path.join(ws.projectDir, "index.ts");
  fs.unlinkSync(index); // the link to the wiring program
  fs.writeFileSync(index, FLOOR_PROGRAM);
  await ws.ok(["stack", "init", "floor", "--secrets-provider", "passphrase"]);
  return ws;
}

function fmtS(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

async function runN(n: number, keep: boolean): Promise<RunFigures> {
  const fd = await FlashdutySimulator.start();
  const volc = await VolcengineSimulator.start({ region: REGION });
  const ws = new PulumiWorkspace("scale");
  const floor = await floorWorkspace();
  ws.addSecret(fd.appKey, volc.accessKey, volc.secretKey);
  const figures: RunFigures = {
    n,
    resources: { project: 0, flashduty: 0, volcengine: 0 },
    steps: {},
    state: { project: 0, floor: 0, projectAfterChange: 0, floorAfterChange: 0 },
  };
  try {
    await ws.ok(["stack", "init", "scale", "--secrets-provider", "passphrase"]);
    await ws.setConfig("flashduty:appKey", fd.appKey, true);
    await ws.setConfig("volcengine:accessKey", volc.accessKey, true);
    await ws.setConfig("volcengine:secretKey", volc.secretKey, true);
    await ws.setConfig("flashduty-wiring:receiverToken", randomBytes(20).toString("hex"), true);
    writePlainConfig(ws, wiringConfig(n, fd, volc));

    const step = async (
      name: Step,
      project: () => Promise<CommandResult>,
      floorStep: () => Promise<CommandResult>,
    ) => {
      const fdFrom = fd.requests.length;
      const volcFrom = volc.requests.length;
      volc.peakRequestsPerSecond = 0; // the simulator's own meter, read back after the step
      const p = await project();
      const volcengineSimPeak = volc.peakRequestsPerSecond;
      const failed =
        p.code === 0
          ? undefined
          : (/^\s*error: (.*)$/m.exec(ws.redact(p.stdout))?.[1] ?? `exit ${String(p.code)}`);
      const fdCalls = callsOf(
        fd.requests.slice(fdFrom).map((r) => ({ at: r.at, op: r.path, status: r.status })),
      );
      const volcCalls = callsOf(
        volc.requests.slice(volcFrom).map((r) => ({ at: r.at, op: r.action, status: r.status })),
      );
      const f = await floorStep();
      figures.steps[name] = {
        failed,
        projectMs: p.ms,
        floorMs: f.ms,
        flashduty: fdCalls,
        volcengine: volcCalls,
        volcengineSimPeak,
      };
      process.stderr.write(
        `bench:scale N=${n} ${name}: ${fmtS(p.ms)} (floor ${fmtS(f.ms)}), ` +
          `Flashduty ${fdCalls.total} calls, Volcengine ${volcCalls.total} calls` +
          (failed ? ` — FAILED: ${failed}` : "") +
          "\n",
      );
    };

    await step(
      "up",
      () => ws.ok(["up", "--yes"]),
      async () => {
        // The floor gets as many resources as the wiring stack has custom resources.
        const state = JSON.parse((await ws.ok(["stack", "export"])).stdout) as {
          deployment: { resources?: Array<{ type: string; custom?: boolean }> };
        };
        const custom = (state.deployment.resources ?? []).filter((r) =>
          r.type.startsWith("pulumi-nodejs:dynamic/"),
        );
        figures.resources = {
          project: custom.length,
          flashduty: custom.filter((r) => r.type.includes("/flashduty:")).length,
          volcengine: custom.filter((r) => r.type.includes("/volcengine:")).length,
        };
        await floor.ok(["config", "set", "floor:count", String(custom.length)]);
        return floor.ok(["up", "--yes"]);
      },
    );
    figures.state.project = stateBytes(ws);
    figures.state.floor = stateBytes(floor);
    await step(
      "preview (no-op)",
      () => ws.ok(["preview", "--expect-no-changes"]),
      () => floor.ok(["preview", "--expect-no-changes"]),
    );
    await step(
      "refresh --yes",
      () => ws.ok(["refresh", "--yes"]),
      () => floor.ok(["refresh", "--yes"]),
    );
    const changed = Math.floor(n / 2);
    writePlainConfig(ws, wiringConfig(n, fd, volc, changed));
    await floor.ok(["config", "set", "floor:changed", String(changed)]);
    await step(
      "one-rule change",
      () => ws.ok(["up", "--yes"]),
      () => floor.ok(["up", "--yes"]),
    );
    figures.state.projectAfterChange = stateBytes(ws);
    figures.state.floorAfterChange = stateBytes(floor);
    const changedRule = volc
      .eventRules()
      .find((r) => r.RuleName === `scale-rule-${String(changed).padStart(4, "0")}`);
    if (changedRule?.Description !== CHANGED_DESCRIPTION)
      throw new Error("the one-rule change did not reach the Volcengine simulator");
    // A failed destroy is a finding (reported with what it left behind), not the end of the run.
    await step(
      "destroy",
      () => ws.run(["destroy", "--yes"]),
      () => floor.ok(["destroy", "--yes"]),
    );
    figures.leftAfterDestroy = {
      eventRules: volc.eventRules().length,
      callbacks: volc.webhooks().length,
      channels: fd.channels().length,
      integrations: fd.integrations().length,
    };
    return figures;
  } finally {
    if (keep) {
      process.stderr.write(`bench:scale: kept ${ws.root} and ${floor.root}\n`);
    } else {
      ws.cleanup();
      floor.cleanup();
    }
    await fd.stop();
    await volc.stop();
  }
}

function report(all: RunFigures[]): string {
  const lines: string[] = [];
  for (const r of all) {
    const perRes = (calls: number, resources: number) =>
      resources > 0 ? (calls / resources).toFixed(2) : "-";
    lines.push(
      `\n### N = ${r.n} event rules (${r.resources.project} dynamic resources: ` +
        `${r.resources.volcengine} Volcengine, ${r.resources.flashduty} Flashduty; floor the same count)\n`,
    );
    lines.push(
      "| step | wiring | floor | ratio | Volcengine calls (per resource) | Flashduty calls (per resource) | peak req/s Volcengine | peak req/s Flashduty (per 60 s) | 429s |",
    );
    lines.push("|---|---|---|---|---|---|---|---|---|");
    for (const name of STEPS) {
      const s = r.steps[name];
      if (!s) continue;
      lines.push(
        `| ${name}${s.failed ? " (FAILED)" : ""} | ${fmtS(s.projectMs)} | ${fmtS(s.floorMs)} | ${(s.projectMs / s.floorMs).toFixed(2)}× | ` +
          `${s.volcengine.total} (${perRes(s.volcengine.total, r.resources.volcengine)}) | ` +
          `${s.flashduty.total} (${perRes(s.flashduty.total, r.resources.flashduty)}) | ` +
          `${s.volcengine.peak1s} (simulator: ${s.volcengineSimPeak}) | ${s.flashduty.peak1s} (${s.flashduty.peak60s}) | ` +
          `${s.volcengine.throttled + s.flashduty.throttled} |`,
      );
    }
    const kb = (b: number) => `${(b / 1024).toFixed(0)} KB`;
    lines.push(
      `\nState file after up: wiring ${kb(r.state.project)}, floor ${kb(r.state.floor)} ` +
        `(${(r.state.project / r.state.floor).toFixed(2)}×); after the one-rule change: ` +
        `${kb(r.state.projectAfterChange)} vs ${kb(r.state.floorAfterChange)} ` +
        `(${(r.state.projectAfterChange / r.state.floorAfterChange).toFixed(2)}×).`,
    );
    const refresh = r.steps["refresh --yes"];
    if (refresh) {
      // `refresh --yes` is two passes (a preview and the real one); each should read each resource once.
      const perPass = (calls: number, resources: number) =>
        resources > 0 ? (calls / (REFRESH_PASSES * resources)).toFixed(2) : "-";
      lines.push(
        `\nReads per resource per refresh pass: Volcengine ` +
          `${perPass(refresh.volcengine.total, r.resources.volcengine)}, Flashduty ` +
          `${perPass(refresh.flashduty.total, r.resources.flashduty)} (target 1.00).`,
      );
    }
    // The least time the Volcengine calls of a step can take at the client's pace (16 req/s default,
    // under the documented 20 req/s), beside 2× the floor's time for that step.
    lines.push(
      `\nVolcengine calls ÷ ${VOLCENGINE_PACE} req/s (the least time the client's pacing allows) vs 2× floor: ` +
        STEPS.filter((name) => r.steps[name])
          .map((name) => {
            const s = r.steps[name] as StepFigures;
            return (
              `${name} ${fmtS((s.volcengine.total / VOLCENGINE_PACE) * 1000)} vs ${fmtS(2 * s.floorMs)}` +
              ` (the calls spanned ${fmtS(s.volcengine.spanMs)} of the step's ${fmtS(s.projectMs)})`
            );
          })
          .join("; ") +
        ".",
    );
    for (const name of STEPS)
      if (r.steps[name]?.failed) lines.push(`\n${name} FAILED: ${r.steps[name]?.failed}`);
    const left = Object.entries(r.leftAfterDestroy ?? {}).filter(([, v]) => v > 0);
    lines.push(
      `\nLeft in the simulators after destroy: ${left.map(([k, v]) => `${v} ${k}`).join(", ") || "nothing"}.`,
    );
    const ops = (c: Calls) =>
      Object.entries(c.byOp)
        .sort()
        .map(([k, v]) => `${k} ${v}`)
        .join(", ") || "none";
    lines.push("\nCalls by operation:");
    for (const name of STEPS) {
      const s = r.steps[name];
      if (s)
        lines.push(`- ${name}: Volcengine: ${ops(s.volcengine)}; Flashduty: ${ops(s.flashduty)}`);
    }
  }
  return lines.join("\n");
}

async function main(): Promise<void> {
  const { ns, keep } = parseArgs();
  const started = Date.now();
  process.stdout.write(
    `bench:scale — real Pulumi engine against the simulators, started ${new Date().toISOString()}\n`,
  );
  // Each N's figures are printed as soon as it is done (a long N=300 run keeps the others).
  for (const n of ns) process.stdout.write(`${report([await runN(n, keep)])}\n`);
  process.stdout.write(`\ntotal ${fmtS(Date.now() - started)}\n`);
}

if (require.main === module)
  main().catch((err: unknown) => {
    process.stderr.write(
      `bench:scale failed: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    process.exitCode = 1;
  });

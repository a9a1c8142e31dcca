// `npm run bench:drain`: a 10,000-event backlog (already in the spool, as after an outage) drains
// to the Flashduty simulator. Target: >= 95 req/s on average, never more than 100 requests in any
// 1 s window, measured on arrival at the simulator. The receiver runs as a child process (the
// `npm start` bundle) so the simulator's clock readings are not delayed by the sender's work.
// Flashduty also limits an integration to 1000 pushes/minute (flashduty-api.md §3.4), which would
// cap any sustained drain at 16.7/s; this bench measures the per-second limiter, so it raises the
// simulator's per-minute limit and sets FORWARD_RATE_PER_MINUTE=0 (documented in docs/receiver.md).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseBody } from "../receiver/body";
import { mapBody } from "../receiver/formats";
import { Spool } from "../receiver/spool";
import type { NewRecord } from "../receiver/spool";
import { FlashdutySimulator } from "../test/simulators/flashduty";
import { standardPushUrl } from "../test/receiver/helpers";
import { ALIYUN_THRESHOLD_NEW_FIRING } from "../test/receiver/fixtures";
import { bundleReceiver, freePort, loadavgText, stopChild } from "./util";

const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000);

async function main(): Promise<void> {
  const load = loadavgText();
  console.log(
    `bench:drain  node ${process.version}  cpus ${os.cpus().length}  loadavg at start ${load}`,
  );
  const sim = await FlashdutySimulator.start({
    pushRatePerSecond: 100,
    pushRatePerMinute: 1_000_000,
  });
  const pushUrl = await standardPushUrl(sim);
  const spoolDir = mkdtempSync(path.join(os.tmpdir(), "bench-drain-"));

  // The backlog: distinct Aliyun threshold alerts, mapped by the receiver's own parser.
  const { spool } = await Spool.open(spoolDir);
  for (let start = 0; start < EVENTS; start += 500) {
    const batch: NewRecord[] = [];
    for (let i = start; i < Math.min(EVENTS, start + 500); i++) {
      const p = new URLSearchParams(ALIYUN_THRESHOLD_NEW_FIRING);
      p.set("dimensions", `{userId=1270676679546704, instanceId=i-drain-${i}}`);
      for (const e of mapBody("aliyun", parseBody(Buffer.from(p.toString()), "form")))
        batch.push({ source: "aliyun", format: e.format, body: e.body });
    }
    await spool.append(batch);
  }
  await spool.close();
  console.log(`backlog: ${EVENTS} events spooled in ${spoolDir}`);

  bundleReceiver();
  const port = await freePort();
  const started = Date.now();
  const child = spawn(process.execPath, [path.join(__dirname, "../dist/receiver.js")], {
    env: {
      ...process.env,
      PORT: String(port),
      SPOOL_DIR: spoolDir,
      RECEIVER_TOKEN: "bench-token-0123456789abcdef",
      FLASHDUTY_PUSH_URL: pushUrl,
      FORWARD_RATE_PER_MINUTE: "0",
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  try {
    const deadline = Date.now() + EVENTS * 30 + 60_000;
    while (new Set(sim.pushed.map((p) => p.alertKey)).size < EVENTS) {
      if (Date.now() > deadline) throw new Error(`drain timed out: ${sim.pushed.length}/${EVENTS}`);
      if (child.exitCode !== null) throw new Error(`receiver exited (${child.exitCode})`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const arrivals = sim.pushed.map((p) => p.at).sort((a, b) => a - b);
    const first = arrivals[0] as number;
    const last = arrivals[arrivals.length - 1] as number;
    const rate = (arrivals.length - 1) / ((last - first) / 1000);
    const pushRequests = sim.requests
      .filter((r) => r.path.startsWith("/event/push"))
      .map((r) => r.at)
      .sort((a, b) => a - b);
    let worst = 0;
    for (let i = 0, j = 0; i < pushRequests.length; i++) {
      while ((pushRequests[i] as number) - (pushRequests[j] as number) >= 1000) j++;
      worst = Math.max(worst, i - j + 1);
    }
    const throttled = sim.requests.filter(
      (r) => r.path.startsWith("/event/push") && r.status === 429,
    ).length;
    const duplicates = sim.pushed.length - new Set(sim.pushed.map((p) => p.alertKey)).size;
    const verdict = (ok: boolean) => (ok ? "PASS" : "FAIL");
    console.log("\nresults");
    console.log(
      `  delivered ${new Set(sim.pushed.map((p) => p.alertKey)).size}/${EVENTS} distinct alert keys (${duplicates} duplicates, ${throttled} answered 429) in ${((last - first) / 1000).toFixed(1)} s (startup ${((first - started) / 1000).toFixed(1)} s)`,
    );
    console.log(
      `  average drain rate: ${rate.toFixed(2)} req/s  (target >= 95)  ${verdict(rate >= 95)}`,
    );
    console.log(
      `  most push requests in any 1 s window: ${worst}  (target <= 100)  ${verdict(worst <= 100 && throttled === 0)}`,
    );
    console.log(`  loadavg at end ${loadavgText()}`);
  } finally {
    await stopChild(child);
    await sim.stop();
    rmSync(spoolDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

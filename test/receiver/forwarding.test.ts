// Delivery to the Flashduty simulator under faults: accepted == delivered (by alert_key and body),
// per-alert_key ordering, rate limit, dead letters, replay after restart, no secrets in logs.
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { promises as fs } from "node:fs";
import path from "node:path";
import { createReceiver } from "../../receiver";
import { requeueDeadLetters, requeueDryRunEvents } from "../../receiver/requeue";
import type { Receiver, ReceiverOptions } from "../../receiver";
import { FlashdutySimulator } from "../simulators/flashduty";
import * as F from "./fixtures";
import {
  TOKEN,
  captureLogs,
  get,
  post,
  removeDir,
  standardPushUrl,
  tempDir,
  waitFor,
} from "./helpers";

/** A threshold callback for instance `i`, firing (level) or recovering ("OK"). */
function threshold(i: number, level: "WARN" | "CRITICAL" | "OK", value: number): string {
  const p = new URLSearchParams(F.ALIYUN_THRESHOLD_NEW_FIRING);
  p.set("dimensions", `{userId=1270676679546704, instanceId=i-test-${i}}`);
  p.set("instanceName", `web-${i}`);
  p.set("curValue", String(value));
  p.set("alertState", level === "OK" ? "OK" : "ALERT");
  p.set("triggerLevel", level);
  return p.toString();
}

interface Accepted {
  key: string;
  status: string;
  description: string;
}

describe("receiver forwarding to Flashduty (simulator)", function () {
  this.timeout(60_000);
  let sim: FlashdutySimulator;
  let pushUrl: string;
  let dir: string;
  let receiver: Receiver | undefined;
  let logs: ReturnType<typeof captureLogs>;

  const FAST: ReceiverOptions = {
    backoffBaseMs: 20,
    backoffMaxMs: 200,
    // Generous: the simulator shares this process (and 2 busy cores); a timed-out request that did
    // arrive is sent again, which is correct (at-least-once) but would blur exact counts.
    forwardTimeoutMs: 3000,
    ratePerMinute: 0,
  };

  async function start(extra: ReceiverOptions = {}): Promise<Receiver> {
    receiver = await createReceiver({
      port: 0,
      spoolDir: dir,
      token: TOKEN,
      pushUrl,
      logSink: logs.sink,
      ...FAST,
      ...extra,
    });
    return receiver;
  }

  /** Posts a body and returns what it was accepted as (from the simulator-independent reply). */
  async function send(source: "aliyun" | "volcengine", body: string | object): Promise<string[]> {
    const r = await post(receiver!.url, `/v1/${source}?token=${TOKEN}`, body);
    assert.equal(r.status, 202, r.text);
    return r.json.alert_keys as string[];
  }

  const delivered = (): Accepted[] =>
    sim.pushed.map((p) => ({
      key: p.alertKey,
      status: p.body.event_status,
      description: p.body.description,
    }));

  /** Multiset equality of accepted vs delivered (key + status + description). */
  function assertSameEvents(accepted: Accepted[], got: Accepted[]): void {
    const norm = (xs: Accepted[]) => xs.map((x) => `${x.key}|${x.status}|${x.description}`).sort();
    assert.deepEqual(norm(got), norm(accepted));
  }

  beforeEach(async () => {
    sim = await FlashdutySimulator.start();
    pushUrl = await standardPushUrl(sim);
    dir = tempDir();
    logs = captureLogs();
  });
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
    await sim.stop();
    await removeDir(dir);
  });

  /** Sends a mixed batch: every format, plus N distinct threshold alerts. Returns accepted events. */
  async function sendMixed(n: number): Promise<Accepted[]> {
    const accepted: Accepted[] = [];
    const record = async (source: "aliyun" | "volcengine", body: string | object) => {
      const keys = await send(source, body);
      accepted.push(...keys.map((key) => ({ key, status: "", description: "" })));
    };
    await Promise.all([
      record("aliyun", F.ALIYUN_THRESHOLD_DOC_SAMPLE),
      record("aliyun", F.ALIYUN_SYSTEM_EVENT),
      record("aliyun", F.ALIYUN_SUBSCRIPTION_EVENT),
      record("aliyun", F.ALIYUN_CMS2_FIRING),
      record("volcengine", F.VOLC_EVENT),
      record("volcengine", F.VOLC_METRIC_FIRING),
      ...Array.from({ length: n }, (_, i) => record("aliyun", threshold(i, "WARN", 90 + i))),
    ]);
    return accepted;
  }

  it("delivers every accepted event exactly as mapped (dry-run bodies == pushed bodies)", async () => {
    // Dry run first, to capture the mapped bodies from the log, then forward them on restart.
    const dryLogs = captureLogs();
    receiver = await createReceiver({
      port: 0,
      spoolDir: dir,
      token: TOKEN,
      logSink: dryLogs.sink,
    });
    const accepted = await sendMixed(10);
    await receiver.close();
    const logged = dryLogs.lines
      .map(
        (l) =>
          JSON.parse(l) as {
            msg: string;
            event?: { alert_key: string; event_status: string; description: string };
          },
      )
      .filter((l) => l.msg.startsWith("dry run"))
      .map((l) => l.event!);
    assert.equal(logged.length, accepted.length);
    assert.deepEqual(logged.map((e) => e.alert_key).sort(), accepted.map((a) => a.key).sort());
    // Sending a dry run's events is an explicit choice (they are kept apart otherwise).
    assert.equal(await requeueDryRunEvents(dir), accepted.length);
    await start();
    await receiver!.whenIdle();
    assertSameEvents(
      logged.map((e) => ({ key: e.alert_key, status: e.event_status, description: e.description })),
      delivered(),
    );
    assert.equal(receiver!.pending(), 0);
    const m = (await get(receiver!.url, "/metrics")).text;
    assert.match(m, new RegExp(`receiver_events_forwarded_total ${accepted.length}\\b`));
    assert.match(m, /receiver_spool_depth 0/);
    // Delivered segments are deleted once sealed (the active one may remain, fully acked).
    await receiver!.close();
    assert.deepEqual(
      (await fs.readdir(path.join(dir, "segments"))).filter((f) => f.endsWith(".log")).length <= 1,
      true,
    );
  });

  it("rides out a Flashduty outage (5xx) and delivers everything once it is back", async () => {
    await start();
    sim.inject({ kind: "5xx", status: 503 }, 8, "/event/push");
    sim.inject({ kind: "5xx" }, 4, "/event/push");
    const accepted = await sendMixed(20);
    await receiver!.whenIdle();
    const got = delivered();
    assert.deepEqual(got.map((g) => g.key).sort(), accepted.map((a) => a.key).sort());
    const failed = sim.requests.filter((r) => r.path.startsWith("/event/push") && r.status >= 500);
    assert.equal(failed.length, 12);
    const m = (await get(receiver!.url, "/metrics")).text;
    assert.match(m, /receiver_forward_retries_total\{reason="http_503"\} 8/);
    assert.match(m, /receiver_forward_retries_total\{reason="http_500"\} 4/);
  });

  it("honours Retry-After through a 429 storm", async () => {
    // One request in flight, so "the next push" is one sent after the 429 came back.
    await start({ concurrency: 1 });
    sim.inject({ kind: "429", retryAfterSeconds: 1 }, 3, "/event/push");
    const accepted = await sendMixed(5);
    await receiver!.whenIdle();
    assert.deepEqual(
      delivered()
        .map((g) => g.key)
        .sort(),
      accepted.map((a) => a.key).sort(),
    );
    const pushes = sim.requests.filter((r) => r.path.startsWith("/event/push"));
    const throttled = pushes.filter((r) => r.status === 429);
    assert.equal(throttled.length, 3);
    // After each 429 the next push waited at least the Retry-After second.
    for (const t of throttled) {
      const next = pushes.find((r) => r.at > t.at);
      assert.ok(
        next && next.at - t.at >= 950,
        `next push ${next ? next.at - t.at : "none"} ms after a 429`,
      );
    }
  });

  it("while Flashduty fails, sends one probe at a time (also deliveries admitted before the failure)", async () => {
    // 50 ms of network latency on each push, so overlapping requests are visible; the receiver's
    // own fetch is wrapped to count pushes on the wire when each one starts.
    const realFetch = globalThis.fetch;
    let onWire = 0;
    let failureSeen = false;
    const overlaps: number[] = [];
    globalThis.fetch = (async (input: string | URL | Request, init?: RequestInit) => {
      if (!String(input).includes("/event/push/")) return realFetch(input, init);
      if (failureSeen && onWire > 0) overlaps.push(onWire);
      onWire++;
      try {
        await new Promise((resolve) => setTimeout(resolve, 50));
        const res = await realFetch(input, init);
        if (res.status >= 500) failureSeen = true;
        else if (res.ok) failureSeen = false;
        return res;
      } finally {
        onWire--;
      }
    }) as typeof fetch;
    try {
      await start({ concurrency: 16, backoffBaseMs: 50, backoffMaxMs: 100 });
      sim.inject({ kind: "5xx", status: 503 }, 20, "/event/push");
      const accepted = await sendMixed(20);
      await receiver!.whenIdle();
      assert.deepEqual(
        delivered()
          .map((g) => g.key)
          .sort(),
        accepted.map((a) => a.key).sort(),
      );
    } finally {
      globalThis.fetch = realFetch;
    }
    assert.deepEqual(overlaps, [], "pushes started while another was on the wire, in failure mode");
  });

  it("times out hung requests and retries them", async () => {
    await start({ forwardTimeoutMs: 300 });
    sim.inject({ kind: "hang" }, 3, "/event/push");
    const accepted = await sendMixed(4);
    await receiver!.whenIdle();
    assert.deepEqual(
      delivered()
        .map((g) => g.key)
        .sort(),
      accepted.map((a) => a.key).sort(),
    );
    assert.match(
      (await get(receiver!.url, "/metrics")).text,
      /receiver_forward_retries_total\{reason="timeout"\} 3/,
    );
  });

  it("never lets a recovery overtake its firing event, under faults", async () => {
    await start({ concurrency: 8 });
    sim.inject({ kind: "5xx" }, 3, "/event/push");
    sim.inject({ kind: "hang" }, 1, "/event/push");
    const N = 15;
    // For each instance: firing, escalation, recovery, sent in order; instances interleaved.
    await Promise.all(
      Array.from({ length: N }, async (_, i) => {
        await send("aliyun", threshold(i, "WARN", 91));
        await send("aliyun", threshold(i, "CRITICAL", 99));
        await send("aliyun", threshold(i, "OK", 10));
      }),
    );
    await send("volcengine", F.VOLC_METRIC_FIRING);
    await send("volcengine", F.VOLC_METRIC_RECOVERED);
    await receiver!.whenIdle();
    const byKey = new Map<string, string[]>();
    for (const p of sim.pushed)
      byKey.set(p.alertKey, [...(byKey.get(p.alertKey) ?? []), p.body.event_status]);
    assert.equal(byKey.size, N + 2);
    let threeStep = 0;
    for (const statuses of byKey.values()) {
      if (statuses.length === 3) {
        assert.deepEqual(statuses, ["Warning", "Critical", "Ok"]);
        threeStep++;
      }
    }
    assert.equal(threeStep, N);
    const volcKeys = [...byKey.entries()].filter(([k]) => k.startsWith("volcengine"));
    assert.deepEqual(volcKeys.map(([, s]) => s).sort(), [["Critical"], ["Critical", "Ok"]]);
  });

  it("keeps under the configured per-second rate in every 1 s window", async () => {
    await start({ ratePerSecond: 40, concurrency: 16 });
    await Promise.all(
      Array.from({ length: 100 }, (_, i) => send("aliyun", threshold(i, "WARN", i))),
    );
    await receiver!.whenIdle();
    const at = sim.pushed.map((p) => p.at).sort((a, b) => a - b);
    assert.equal(at.length, 100);
    let worst = 0;
    for (let i = 0, j = 0; i < at.length; i++) {
      while ((at[i] as number) - (at[j] as number) >= 1000) j++;
      worst = Math.max(worst, i - j + 1);
    }
    // The limiter holds exactly on the sending side (property-tested in rate-limiter.test.ts).
    // Here the simulator shares this process's event loop, so arrival times carry scheduling
    // jitter; the robust check is the pace: 100 pushes at 40/s cannot span less than ~2.4 s
    // (sends spaced 25 ms; two 1 s windows at the very least).
    const span = (at[at.length - 1] as number) - (at[0] as number);
    assert.ok(span >= 1900, `100 pushes within ${span} ms at 40/s`);
    assert.ok(worst <= 50, `${worst} pushes arrived in one 1 s window (limit 40 + jitter)`);
  });

  it("dead-letters a non-retryable rejection, logs and counts it, and keeps going", async () => {
    await start();
    const integrationId = sim.integrations()[0].integration_id as number;
    const route = sim.route(integrationId);
    sim.setRoute(integrationId, null); // Flashduty now rejects pushes: 400 BadRequest
    const [rejectedKey] = await send("aliyun", F.ALIYUN_SYSTEM_EVENT);
    await receiver!.whenIdle();
    const dead = await fs.readdir(path.join(dir, "dead"));
    assert.equal(dead.length, 1);
    const letter = JSON.parse(await fs.readFile(path.join(dir, "dead", dead[0] as string), "utf8"));
    assert.equal(letter.record.body.alert_key, rejectedKey);
    assert.equal(letter.status, 400);
    assert.equal(letter.reason, "rejected_BadRequest");
    assert.ok(
      logs.lines.some((l) => l.includes("event dead-lettered") && l.includes(rejectedKey!)),
    );
    const m = (await get(receiver!.url, "/metrics")).text;
    assert.match(m, /receiver_events_dead_lettered_total\{reason="rejected_BadRequest"\} 1/);
    assert.equal(receiver!.pending(), 0);
    // Flashduty fixed: later events flow again; the dead letter was not sent.
    sim.setRoute(integrationId, route);
    const [okKey] = await send("aliyun", F.ALIYUN_CMS2_FIRING);
    await receiver!.whenIdle();
    assert.deepEqual(
      sim.pushed.map((p) => p.alertKey),
      [okKey],
    );
    // The operator requeues the dead letter (receiver stopped); the next start delivers it.
    await receiver!.close();
    assert.equal(await requeueDeadLetters(dir), 1);
    assert.deepEqual(await fs.readdir(path.join(dir, "dead")), []);
    await start();
    await receiver!.whenIdle();
    assert.deepEqual(
      sim.pushed.map((p) => p.alertKey),
      [okKey, rejectedKey],
    );
  });

  it("dead-letters an event whose retries are exhausted (bounded retries)", async () => {
    await start({ maxAttempts: 3 });
    sim.inject({ kind: "5xx" }, 3, "/event/push");
    const [key] = await send("aliyun", F.ALIYUN_SYSTEM_EVENT);
    await receiver!.whenIdle();
    const dead = await fs.readdir(path.join(dir, "dead"));
    assert.equal(dead.length, 1);
    const letter = JSON.parse(await fs.readFile(path.join(dir, "dead", dead[0] as string), "utf8"));
    assert.equal(letter.reason, "retries_exhausted");
    assert.equal(letter.record.body.alert_key, key);
    assert.equal(sim.pushed.length, 0);
  });

  it("replays the pending spool after a restart (stopped mid-outage)", async () => {
    await start();
    sim.inject({ kind: "5xx" }, 10_000, "/event/push"); // Flashduty down
    const accepted = await sendMixed(10);
    await waitFor(() => sim.requests.length > 3, 10_000, "some failing attempts");
    await receiver!.close();
    assert.equal(sim.pushed.length, 0);
    sim.reset(); // Flashduty back (reset clears state too: set the integration up again)
    pushUrl = await standardPushUrl(sim);
    await start();
    await receiver!.whenIdle();
    assert.deepEqual(
      delivered()
        .map((g) => g.key)
        .sort(),
      accepted.map((a) => a.key).sort(),
    );
  });

  it("loses nothing when the process is killed (SIGKILL) right after answering 202", async function () {
    this.timeout(90_000);
    const childLogs: string[] = [];
    const child = spawn(
      process.execPath,
      [
        require.resolve("ts-node/dist/bin.js"),
        "--transpile-only",
        path.join(__dirname, "../../receiver/main.ts"),
      ],
      {
        env: {
          ...process.env,
          PORT: "0",
          SPOOL_DIR: dir,
          RECEIVER_TOKEN: TOKEN,
          FLASHDUTY_PUSH_URL: pushUrl,
          FORWARD_BACKOFF_BASE_MS: "20",
          FORWARD_BACKOFF_MAX_MS: "200",
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    child.stdout.on("data", (d: Buffer) => childLogs.push(d.toString()));
    child.stderr.on("data", (d: Buffer) => childLogs.push(d.toString()));
    sim.inject({ kind: "5xx" }, 100_000, "/event/push"); // nothing gets through before the kill
    await waitFor(
      () => childLogs.join("").includes("receiver listening"),
      60_000,
      "child receiver",
    );
    const url = /"url":"(http:[^"]+)"/.exec(childLogs.join(""))?.[1] as string;
    const keys: string[] = [];
    await Promise.all(
      Array.from({ length: 25 }, async (_, i) => {
        const r = await post(url, `/v1/aliyun?token=${TOKEN}`, threshold(i, "WARN", i));
        assert.equal(r.status, 202);
        keys.push(...(r.json.alert_keys as string[]));
      }),
    );
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    sim.reset();
    pushUrl = await standardPushUrl(sim);
    await start();
    await receiver!.whenIdle();
    assert.deepEqual(sim.pushed.map((p) => p.alertKey).sort(), keys.sort());
    const all = childLogs.join("");
    assert.ok(!all.includes(TOKEN), "token in child logs");
    assert.ok(!all.includes(new URL(pushUrl).searchParams.get("integration_key") as string));
  });

  it("never logs the token, the push URL or its integration key", async () => {
    await start({ maxAttempts: 2 });
    sim.inject({ kind: "5xx" }, 3, "/event/push");
    sim.inject({ kind: "hang" }, 1, "/event/push");
    await sendMixed(3);
    await post(receiver!.url, "/v1/aliyun?token=nope", F.ALIYUN_SYSTEM_EVENT);
    await receiver!.whenIdle();
    const key = new URL(pushUrl).searchParams.get("integration_key") as string;
    assert.ok(logs.lines.length > 3);
    for (const line of logs.lines) {
      assert.ok(!line.includes(TOKEN), line);
      assert.ok(!line.includes(key), line);
      assert.ok(!line.includes(pushUrl), line);
    }
    for (const file of await fs.readdir(path.join(dir, "dead")))
      assert.ok(!(await fs.readFile(path.join(dir, "dead", file), "utf8")).includes(key));
  });
});

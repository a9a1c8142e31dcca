// Account-wide refusals on push (NoLicense, ResourceNotFound "account has not purchased",
// Unauthorized; the standard alert doc's code table) pause delivery instead of dead-lettering every
// event: one error line, the pause metrics, events kept, one probe at a time, and delivery resumes
// by itself once the simulator answers normally again — every event once, in order per alert_key.
// In sync mode the cloud gets 503 (it retries) instead. An event refused again after Flashduty took
// another push is refused for itself and dead-lettered as before.
import { strict as assert } from "node:assert";
import { promises as fs } from "node:fs";
import path from "node:path";
import { createReceiver } from "../../receiver";
import { accountWideReason } from "../../receiver/push";
import type { Receiver, ReceiverOptions } from "../../receiver";
import { FlashdutySimulator } from "../simulators/flashduty";
import type { PushRefusal } from "../simulators/flashduty";
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

/** A threshold callback for instance `name`, firing (level) or recovering ("OK"). */
function threshold(name: string, level: "WARN" | "CRITICAL" | "OK", value: number): string {
  const p = new URLSearchParams(F.ALIYUN_THRESHOLD_NEW_FIRING);
  p.set("dimensions", `{userId=1270676679546704, instanceId=i-${name}}`);
  p.set("instanceName", name);
  p.set("curValue", String(value));
  p.set("alertState", level === "OK" ? "OK" : "ALERT");
  p.set("triggerLevel", level);
  return p.toString();
}

const REFUSALS: Array<{ refusal: PushRefusal; reason: string; code: string; status: number }> = [
  { refusal: "no_license", reason: "no_license", code: "NoLicense", status: 400 },
  { refusal: "not_purchased", reason: "not_purchased", code: "ResourceNotFound", status: 400 },
  { refusal: "unauthorized", reason: "unauthorized", code: "Unauthorized", status: 401 },
];

/** The value of one sample in a Prometheus text exposition. */
function sample(metrics: string, series: string): number | undefined {
  const line = metrics.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("receiver: account-wide push refusals pause delivery (simulator)", function () {
  this.timeout(60_000);
  let sim: FlashdutySimulator;
  let pushUrl: string;
  let dir: string;
  let receiver: Receiver | undefined;
  let logs: ReturnType<typeof captureLogs>;

  async function start(extra: ReceiverOptions = {}): Promise<Receiver> {
    receiver = await createReceiver({
      port: 0,
      spoolDir: dir,
      token: TOKEN,
      pushUrl,
      logSink: logs.sink,
      backoffBaseMs: 20,
      backoffMaxMs: 200,
      forwardTimeoutMs: 3000,
      ratePerMinute: 0,
      ...extra,
    });
    return receiver;
  }

  async function send(body: string | object, source = "aliyun"): Promise<string[]> {
    const r = await post(receiver!.url, `/v1/${source}?token=${TOKEN}`, body);
    assert.equal(r.status, 202, r.text);
    return r.json.alert_keys as string[];
  }

  const pushes = () => sim.requests.filter((r) => r.path.startsWith("/event/push"));
  const refusedPushes = (status: number) => pushes().filter((r) => r.status === status);
  const deadLetters = async () => fs.readdir(path.join(dir, "dead"));
  const metrics = async () => (await get(receiver!.url, "/metrics")).text;
  const errorLines = () =>
    logs.lines.filter((l) => (JSON.parse(l) as { level: string }).level === "error");

  function assertNoSecretsLogged(): void {
    const key = new URL(pushUrl).searchParams.get("integration_key") as string;
    for (const line of logs.lines) {
      assert.ok(!line.includes(key), `integration key in a log line: ${line}`);
      assert.ok(!line.includes("/event/push/alert/standard"), `push URL in a log line: ${line}`);
      assert.ok(!line.includes(TOKEN), `token in a log line: ${line}`);
    }
  }

  beforeEach(async () => {
    sim = await FlashdutySimulator.start();
    pushUrl = await standardPushUrl(sim);
    dir = tempDir("recv-pause-");
    logs = captureLogs();
  });
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
    await sim.stop();
    await removeDir(dir);
  });

  for (const { refusal, reason, code, status } of REFUSALS) {
    it(`${code} (${status}): pauses with one error line and the metric, dead-letters nothing, resumes and delivers every event once in order`, async () => {
      await start({ concurrency: 8 });
      sim.setPushRefusal(refusal);
      // 12 alerts, each firing → escalation → recovery, sent in order per alert; alerts interleaved.
      const N = 12;
      const sent: string[] = [];
      await Promise.all(
        Array.from({ length: N }, async (_, i) => {
          for (const [level, value] of [
            ["WARN", 91],
            ["CRITICAL", 99],
            ["OK", 10],
          ] as const)
            sent.push(...(await send(threshold(`web-${i}`, level, value))));
        }),
      );
      // Paused: several probes refused, nothing delivered, nothing dead-lettered, all kept.
      await waitFor(() => refusedPushes(status).length >= 12, 20_000, "probes while paused");
      const pausedAt = Date.now();
      const refusedAtPause = refusedPushes(status).length;
      // One probe at a time: never more than one push in flight while paused.
      let maxInFlight = 0;
      while (Date.now() - pausedAt < 600) {
        const state = receiver!.forwarderState() as { inFlight?: number };
        maxInFlight = Math.max(maxInFlight, state.inFlight ?? 0);
        await new Promise((r) => setTimeout(r, 5));
      }
      assert.ok(maxInFlight <= 1, `${maxInFlight} pushes in flight while paused`);
      assert.equal(sim.pushed.length, 0);
      assert.deepEqual(await deadLetters(), []);
      assert.equal(receiver!.pending(), 3 * N);
      let m = await metrics();
      assert.equal(sample(m, `receiver_delivery_paused{reason="${reason}"}`), 1);
      assert.equal(sample(m, `receiver_delivery_pauses_total{reason="${reason}"}`), 1);
      assert.ok((sample(m, `receiver_push_refusals_total{reason="${reason}"}`) ?? 0) >= 12);
      assert.equal(
        sample(m, `receiver_events_dead_lettered_total{reason="rejected_${code}"}`),
        undefined,
      );
      // Probes come at a backoff interval (≥ 100 ms once at the 200 ms cap): a bounded trickle.
      const probes = refusedPushes(status).length - refusedAtPause;
      const elapsed = Date.now() - pausedAt;
      assert.ok(probes <= Math.ceil(elapsed / 50) + 1, `${probes} probes in ${elapsed} ms`);
      // Readiness stays up (events are still accepted and kept) and says why delivery waits.
      const ready = await get(receiver!.url, "/readyz");
      assert.equal(ready.status, 200, ready.text);
      assert.equal(ready.json.forwarder.paused.reason, reason);
      // Exactly one error line, naming the code and the fix, and no secret anywhere.
      const errors = errorLines();
      assert.equal(errors.length, 1, errors.join("\n"));
      assert.match(errors[0]!, new RegExp(`Flashduty refuses every push \\(${code}\\)`));
      assert.match(errors[0]!, /"fix":"/);
      assertNoSecretsLogged();

      // Flashduty answers normally again: delivery resumes by itself.
      sim.setPushRefusal(null);
      await receiver!.whenIdle();
      assert.equal(receiver!.pending(), 0);
      assert.deepEqual(await deadLetters(), []);
      // Every event exactly once …
      assert.deepEqual(sim.pushed.map((p) => p.alertKey).sort(), [...sent].sort());
      // … and in order per alert.
      const byKey = new Map<string, string[]>();
      for (const p of sim.pushed)
        byKey.set(p.alertKey, [...(byKey.get(p.alertKey) ?? []), p.body.event_status]);
      assert.equal(byKey.size, N);
      for (const statuses of byKey.values())
        assert.deepEqual(statuses, ["Warning", "Critical", "Ok"]);
      m = await metrics();
      assert.equal(sample(m, `receiver_delivery_paused{reason="${reason}"}`), 0);
      assert.equal(sample(m, "receiver_events_forwarded_total"), 3 * N);
      assert.ok(logs.lines.some((l) => l.includes("forwarding resumed")));
      assert.equal(errorLines().length, 1);
      assertNoSecretsLogged();
    });
  }

  it("an unknown integration key (InvalidParameter 'integration_key is not a valid one') pauses too", async () => {
    await start();
    const integration = sim.integrations()[0];
    const key = integration.integration_key as string;
    sim.mutateIntegration(integration.integration_id, { integration_key: `${key}x` }); // rotated
    const [k] = await send(F.ALIYUN_SYSTEM_EVENT);
    await waitFor(() => refusedPushes(400).length >= 3, 10_000, "probes");
    assert.deepEqual(await deadLetters(), []);
    assert.equal(
      sample(await metrics(), 'receiver_delivery_paused{reason="invalid_integration_key"}'),
      1,
    );
    sim.mutateIntegration(integration.integration_id, { integration_key: key }); // restored
    await receiver!.whenIdle();
    assert.deepEqual(
      sim.pushed.map((p) => p.alertKey),
      [k],
    );
    assertNoSecretsLogged();
  });

  it("keeps events across a restart while paused and delivers them once Flashduty accepts again", async () => {
    await start();
    sim.setPushRefusal("no_license");
    const keys = [
      ...(await send(threshold("web-a", "WARN", 91))),
      ...(await send(threshold("web-b", "WARN", 92))),
    ];
    await waitFor(() => refusedPushes(400).length >= 2, 10_000, "refusals");
    await receiver!.close();
    sim.setPushRefusal(null);
    await start();
    await receiver!.whenIdle();
    assert.deepEqual(sim.pushed.map((p) => p.alertKey).sort(), keys.sort());
    assert.deepEqual(await deadLetters(), []);
  });

  it("dead-letters an event refused again after other pushes were accepted (about the event, not the account)", async () => {
    await start({ concurrency: 1 });
    // Flashduty answers ResourceNotFound to this one event only (a per-event answer).
    sim.inject({ kind: "error", code: "ResourceNotFound" }, 1000, "/event/push", "web-poison");
    const [poison] = await send(threshold("web-poison", "WARN", 91));
    const others = [
      ...(await send(threshold("web-1", "WARN", 91))),
      ...(await send(threshold("web-2", "WARN", 91))),
    ];
    await receiver!.whenIdle();
    // The others got through; the poison was refused (pausing) until a push of another event was
    // accepted, then refused once more: judged about itself, and dead-lettered.
    assert.deepEqual(sim.pushed.map((p) => p.alertKey).sort(), others.sort());
    const poisonPushes = pushes().filter((r) => JSON.stringify(r.body).includes("web-poison"));
    assert.ok(poisonPushes.length >= 2, `${poisonPushes.length} pushes of the poison event`);
    const firstAccepted = Math.min(...sim.pushed.map((p) => p.at));
    assert.ok(poisonPushes[poisonPushes.length - 1]!.at >= firstAccepted);
    const dead = await deadLetters();
    assert.equal(dead.length, 1);
    const letter = JSON.parse(await fs.readFile(path.join(dir, "dead", dead[0]!), "utf8"));
    assert.equal(letter.record.body.alert_key, poison);
    assert.equal(letter.reason, "rejected_ResourceNotFound");
    const m = await metrics();
    assert.equal(sample(m, 'receiver_delivery_paused{reason="not_purchased"}'), 0);
    assert.equal(
      sample(m, 'receiver_events_dead_lettered_total{reason="rejected_ResourceNotFound"}'),
      1,
    );
  });

  describe("DELIVERY=sync", () => {
    it("answers 503 + Retry-After (the cloud retries), dead-letters nothing, one error line and the metric; the retry after recovery is delivered once", async () => {
      await start({ delivery: "sync" });
      sim.setPushRefusal("not_purchased");
      for (let i = 0; i < 3; i++) {
        const r = await post(receiver!.url, `/v1/aliyun?token=${TOKEN}`, F.ALIYUN_SYSTEM_EVENT);
        assert.equal(r.status, 503, r.text);
        assert.ok(Number(r.headers.get("retry-after")) >= 1);
        assert.match(r.json.message ?? r.text, /refuses every push/);
      }
      assert.equal(refusedPushes(400).length, 3); // one push per callback: no retry loop
      assert.deepEqual(await deadLetters(), []);
      let m = await metrics();
      assert.equal(sample(m, 'receiver_delivery_paused{reason="not_purchased"}'), 1);
      assert.equal(sample(m, 'receiver_push_refusals_total{reason="not_purchased"}'), 3);
      assert.equal(errorLines().length, 1, errorLines().join("\n"));
      const ready = await get(receiver!.url, "/readyz");
      assert.equal(ready.json.syncPaused.reason, "not_purchased");
      sim.setPushRefusal(null);
      const r = await post(receiver!.url, `/v1/aliyun?token=${TOKEN}`, F.ALIYUN_SYSTEM_EVENT);
      assert.equal(r.status, 202, r.text);
      assert.equal(sim.pushed.length, 1);
      m = await metrics();
      assert.equal(sample(m, 'receiver_delivery_paused{reason="not_purchased"}'), 0);
      assertNoSecretsLogged();
    });

    it("a retried event refused again after another push was accepted is dead-lettered and answered 502", async () => {
      await start({ delivery: "sync" });
      sim.inject({ kind: "error", code: "ResourceNotFound" }, 1000, "/event/push", "web-poison");
      const poison = threshold("web-poison", "WARN", 91);
      assert.equal((await post(receiver!.url, `/v1/aliyun?token=${TOKEN}`, poison)).status, 503);
      assert.equal((await post(receiver!.url, `/v1/aliyun?token=${TOKEN}`, poison)).status, 503);
      const ok = await post(
        receiver!.url,
        `/v1/aliyun?token=${TOKEN}`,
        threshold("web-1", "WARN", 1),
      );
      assert.equal(ok.status, 202, ok.text);
      const again = await post(receiver!.url, `/v1/aliyun?token=${TOKEN}`, poison);
      assert.equal(again.status, 502, again.text);
      assert.equal((await deadLetters()).length, 1);
      assert.equal(sample(await metrics(), 'receiver_delivery_paused{reason="not_purchased"}'), 0);
    });
  });
});

describe("receiver: which push answers are account-wide (accountWideReason)", () => {
  it("follows the standard alert doc's code table, by code whatever the status", () => {
    assert.equal(accountWideReason(400, "NoLicense", ""), "no_license");
    assert.equal(accountWideReason(400, "ResourceNotFound", "whatever"), "not_purchased");
    assert.equal(accountWideReason(200, "ResourceNotFound", ""), "not_purchased");
    assert.equal(accountWideReason(401, "Unauthorized", ""), "unauthorized");
    assert.equal(accountWideReason(403, "AccessDenied", ""), "access_denied");
    assert.equal(accountWideReason(402, "BalanceNotEnough", ""), "balance_not_enough");
  });

  it("takes InvalidParameter as account-wide only when it is about the integration key", () => {
    assert.equal(
      accountWideReason(400, "InvalidParameter", "integration_key is not a valid one"),
      "invalid_integration_key",
    );
    assert.equal(accountWideReason(400, "InvalidParameter", "labels: at most 50"), undefined);
    assert.equal(accountWideReason(400, "BadRequest", "no routing rule"), undefined);
    assert.equal(accountWideReason(400, "InvalidContentType", ""), undefined);
  });

  it("judges an answer without Flashduty's envelope by its status", () => {
    assert.equal(accountWideReason(401, undefined, ""), "unauthorized");
    assert.equal(accountWideReason(403, undefined, ""), "access_denied");
    assert.equal(accountWideReason(402, undefined, ""), "balance_not_enough");
    assert.equal(accountWideReason(400, undefined, ""), undefined);
    assert.equal(accountWideReason(404, undefined, ""), undefined);
  });
});

// DELIVERY=sync (function hosts without durable disk): the answer to the cloud reflects Flashduty's.
// 202 only after Flashduty accepted the event; 503 + Retry-After when it stayed unavailable within
// the deadline (nothing kept, the cloud sends it again); 502 when Flashduty rejected it for good
// (dead-lettered and logged). Against the Flashduty simulator, with faults it really produces.
import { strict as assert } from "node:assert";
import { promises as fs } from "node:fs";
import path from "node:path";
import { ConfigError, createReceiver, optionsFromEnv } from "../../receiver";
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

describe("receiver DELIVERY=sync (simulator)", function () {
  this.timeout(30_000);
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
      delivery: "sync",
      logSink: logs.sink,
      backoffBaseMs: 20,
      backoffMaxMs: 100,
      ratePerMinute: 0,
      ...extra,
    });
    return receiver;
  }

  const pushAttempts = () => sim.requests.filter((r) => r.path.startsWith("/event/push")).length;
  const deadLetters = async () => fs.readdir(path.join(dir, "dead"));

  beforeEach(async () => {
    sim = await FlashdutySimulator.start();
    pushUrl = await standardPushUrl(sim);
    dir = tempDir("recv-sync-");
    logs = captureLogs();
  });
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
    await sim.stop();
    await removeDir(dir);
  });

  it("answers 202 only after Flashduty accepted the event, and spools nothing", async () => {
    await start();
    const r = await post(receiver!.url, `/v1/aliyun?token=${TOKEN}`, F.ALIYUN_SYSTEM_EVENT);
    assert.equal(r.status, 202, r.text);
    assert.equal(r.json.status, "delivered");
    // Already in Flashduty when the answer came: no waiting on a background forwarder.
    assert.equal(sim.pushed.length, 1);
    assert.equal(sim.pushed[0]!.alertKey, r.json.alert_keys[0]);
    assert.equal(sim.pushed[0]!.body.labels.cloud, "aliyun");
    assert.equal(receiver!.pending(), 0);
    assert.equal(receiver!.delivery, "sync");
    const segments = await fs.readdir(path.join(dir, "segments"));
    for (const s of segments.filter((f) => f.endsWith(".log")))
      assert.equal((await fs.readFile(path.join(dir, "segments", s))).length, 0, s);
  });

  it("delivers every event of a multi-resource callback before answering", async () => {
    await start();
    const r = await post(receiver!.url, `/v1/volcengine?token=${TOKEN}`, F.VOLC_METRIC_FIRING);
    assert.equal(r.status, 202, r.text);
    assert.ok(r.json.events >= 2);
    assert.deepEqual(
      sim.pushed.map((p) => p.alertKey).sort(),
      [...(r.json.alert_keys as string[])].sort(),
    );
  });

  it("retries a transient 5xx inline and still answers 202", async () => {
    await start();
    sim.inject({ kind: "5xx", status: 503 }, 2, "/event/push");
    const r = await post(receiver!.url, `/v1/aliyun?token=${TOKEN}`, F.ALIYUN_CMS2_FIRING);
    assert.equal(r.status, 202, r.text);
    assert.equal(sim.pushed.length, 1);
    assert.equal(pushAttempts(), 3);
    const m = (await get(receiver!.url, "/metrics")).text;
    assert.match(m, /receiver_forward_retries_total\{reason="http_503"\} 2/);
  });

  it("answers 503 + Retry-After when Flashduty stays down; nothing kept; the cloud's retry delivers", async () => {
    await start({ syncTimeoutMs: 600 });
    sim.inject({ kind: "5xx" }, 10_000, "/event/push");
    const r = await post(receiver!.url, `/v1/aliyun?token=${TOKEN}`, F.ALIYUN_SYSTEM_EVENT);
    assert.equal(r.status, 503, r.text);
    assert.equal(r.json.error.code, "flashduty_unavailable");
    assert.match(r.json.error.message, /nothing was kept/);
    assert.ok(Number(r.headers.get("retry-after")) >= 1);
    assert.ok(pushAttempts() >= 2, `bounded inline retries, got ${pushAttempts()}`);
    assert.equal(sim.pushed.length, 0);
    assert.equal(receiver!.pending(), 0, "a 503 must not leave a copy to be sent later");
    assert.deepEqual(await deadLetters(), []);

    // Flashduty back: the cloud sends the same callback again, which now gets through once.
    sim.reset();
    pushUrl = await standardPushUrl(sim);
    await receiver!.close();
    await start();
    const again = await post(receiver!.url, `/v1/aliyun?token=${TOKEN}`, F.ALIYUN_SYSTEM_EVENT);
    assert.equal(again.status, 202, again.text);
    assert.equal(sim.pushed.length, 1);
    // Nothing from the failed attempt turns up later either.
    await new Promise((r2) => setTimeout(r2, 200));
    assert.equal(sim.pushed.length, 1);
  });

  it("answers 503 when Flashduty hangs: attempts end within the deadline", async () => {
    await start({ syncTimeoutMs: 500, forwardTimeoutMs: 10_000 });
    sim.inject({ kind: "hang" }, 100, "/event/push");
    const r = await post(receiver!.url, `/v1/aliyun?token=${TOKEN}`, F.ALIYUN_CMS2_FIRING);
    assert.equal(r.status, 503, r.text);
    assert.match(r.json.error.message, /timeout/);
    assert.equal(sim.pushed.length, 0);
  });

  it("passes a Retry-After that does not fit the deadline on to the cloud", async () => {
    await start({ syncTimeoutMs: 1000 });
    sim.inject({ kind: "429", retryAfterSeconds: 30 }, 5, "/event/push");
    const r = await post(receiver!.url, `/v1/aliyun?token=${TOKEN}`, F.ALIYUN_CMS2_FIRING);
    assert.equal(r.status, 503, r.text);
    assert.equal(r.headers.get("retry-after"), "30");
    assert.equal(pushAttempts(), 1, "no second attempt inside Flashduty's Retry-After");
  });

  it("honours a 429 Retry-After for the next callbacks too: 503 without pushing, until it passes", async () => {
    await start({ syncTimeoutMs: 1000 });
    sim.inject({ kind: "429", retryAfterSeconds: 30 }, 1, "/event/push");
    const first = await post(receiver!.url, `/v1/aliyun?token=${TOKEN}`, F.ALIYUN_CMS2_FIRING);
    assert.equal(first.status, 503, first.text);
    assert.equal(pushAttempts(), 1);
    // Another event, right after: Flashduty said wait 30 s, so it is not pushed.
    const next = await post(receiver!.url, `/v1/aliyun?token=${TOKEN}`, F.ALIYUN_SYSTEM_EVENT);
    assert.equal(next.status, 503, next.text);
    assert.match(next.json.error.message, /Retry-After/);
    const wait = Number(next.headers.get("retry-after"));
    assert.ok(wait >= 29 && wait <= 30, `retry-after ${wait}`);
    assert.equal(pushAttempts(), 1, "no push inside Flashduty's Retry-After");
  });

  it("waits out a short Retry-After from an earlier callback within the deadline, then delivers", async () => {
    await start({ syncTimeoutMs: 3000 });
    sim.inject({ kind: "429", retryAfterSeconds: 1 }, 1, "/event/push");
    const first = post(receiver!.url, `/v1/aliyun?token=${TOKEN}`, F.ALIYUN_CMS2_FIRING);
    await waitFor(() => pushAttempts() === 1, 5000, "the throttled push");
    const throttledAt = Date.now();
    const next = await post(receiver!.url, `/v1/aliyun?token=${TOKEN}`, F.ALIYUN_SYSTEM_EVENT);
    assert.equal(next.status, 202, next.text);
    assert.equal((await first).status, 202);
    const pushes = sim.requests.filter((r) => r.path.startsWith("/event/push"));
    const after = pushes.filter((r) => r.status !== 429).map((r) => r.at - pushes[0]!.at);
    assert.ok(
      after.every((ms) => ms >= 950),
      `pushes ${after.join(", ")} ms after the 429 (sent ${Date.now() - throttledAt} ms ago)`,
    );
  });

  it("answers 502 to a permanent rejection, dead-letters and logs the event, no retry storm", async () => {
    await start();
    const integrationId = sim.integrations()[0].integration_id as number;
    sim.setRoute(integrationId, null); // Flashduty rejects pushes: 400 BadRequest (no routing rule)
    const r = await post(receiver!.url, `/v1/aliyun?token=${TOKEN}`, F.ALIYUN_SYSTEM_EVENT);
    assert.equal(r.status, 502, r.text);
    assert.equal(r.json.error.code, "flashduty_rejected");
    assert.match(r.json.error.message, /HTTP 400 BadRequest/);
    assert.equal(pushAttempts(), 1, "a rejection is not retried inline");
    const dead = await deadLetters();
    assert.equal(dead.length, 1);
    const letter = JSON.parse(await fs.readFile(path.join(dir, "dead", dead[0]!), "utf8"));
    assert.equal(letter.reason, "rejected_BadRequest");
    assert.equal(letter.record.body.labels.cloud, "aliyun");
    const line = logs.lines.find((l) => l.includes("event rejected by Flashduty"));
    assert.ok(line, "an error line records the rejected event");
    assert.equal(JSON.parse(line!).event.alert_key, letter.record.body.alert_key);
    const m = (await get(receiver!.url, "/metrics")).text;
    assert.match(m, /receiver_events_dead_lettered_total\{reason="rejected_BadRequest"\} 1/);
  });

  it("records a rejected event even when another event of the callback makes it a 503", async () => {
    await start({ syncTimeoutMs: 500 });
    // Two resources: one push is refused for good, every other attempt fails with 5xx.
    sim.inject({ kind: "error", code: "InvalidParameter", status: 400 }, 1, "/event/push");
    sim.inject({ kind: "5xx" }, 1000, "/event/push");
    const r = await post(receiver!.url, `/v1/volcengine?token=${TOKEN}`, F.VOLC_METRIC_FIRING);
    assert.equal(r.status, 503, r.text);
    assert.equal((await deadLetters()).length, 1);
    assert.ok(logs.lines.some((l) => l.includes("event rejected by Flashduty")));
  });

  it("forwards a Volcengine retry after a failed delivery, and de-duplicates after a success", async () => {
    await start({ syncTimeoutMs: 400 });
    const headers = { "x-volc-trace-id": "6f1c1f2e-7a0b-4d5e-9c1a-00000000sync" };
    sim.inject({ kind: "5xx" }, 1000, "/event/push");
    const first = await post(receiver!.url, `/v1/volcengine?token=${TOKEN}`, F.VOLC_EVENT, {
      headers,
    });
    assert.equal(first.status, 503, first.text);
    sim.reset();
    pushUrl = await standardPushUrl(sim);
    await receiver!.close();
    // Same spool dir (same instance's disk): the failed id must not have been remembered.
    await start();
    const retry = await post(receiver!.url, `/v1/volcengine?token=${TOKEN}`, F.VOLC_EVENT, {
      headers,
    });
    assert.equal(retry.status, 202, retry.text);
    assert.equal(retry.json.status, "delivered");
    const repeat = await post(receiver!.url, `/v1/volcengine?token=${TOKEN}`, F.VOLC_EVENT, {
      headers,
    });
    assert.equal(repeat.status, 202, repeat.text);
    assert.equal(repeat.json.status, "duplicate");
    assert.equal(sim.pushed.length, 1);
  });

  it("keeps per-alert order: a recovery waits for its firing's delivery in the instance", async () => {
    // The firing's first attempt fails and backs off ~300 ms; a recovery arriving meanwhile must
    // not overtake it (Flashduty keeps the last status it saw).
    await start({ backoffBaseMs: 300, backoffMaxMs: 300 });
    sim.inject({ kind: "5xx" }, 1, "/event/push");
    const firingReply = post(
      receiver!.url,
      `/v1/aliyun?token=${TOKEN}`,
      F.ALIYUN_THRESHOLD_NEW_FIRING,
    );
    await waitFor(() => pushAttempts() >= 1, 5000, "the firing's first attempt");
    const recovery = await post(
      receiver!.url,
      `/v1/aliyun?token=${TOKEN}`,
      F.ALIYUN_THRESHOLD_NEW_RECOVERY,
    );
    const firing = await firingReply;
    assert.equal(firing.status, 202, firing.text);
    assert.equal(recovery.status, 202, recovery.text);
    assert.equal(firing.json.alert_keys[0], recovery.json.alert_keys[0]);
    const statuses = sim.pushed.map((p) => p.body.event_status);
    assert.equal(statuses.length, 2);
    assert.notEqual(statuses[0], "Ok");
    assert.equal(statuses[1], "Ok", "the recovery arrives last");
  });

  it("never puts the token, push URL or integration key in answers or logs", async () => {
    await start({ syncTimeoutMs: 300 });
    const key = new URL(pushUrl).searchParams.get("integration_key")!;
    const answers: string[] = [];
    sim.inject({ kind: "5xx" }, 1000, "/event/push");
    answers.push(
      (await post(receiver!.url, `/v1/aliyun?token=${TOKEN}`, F.ALIYUN_CMS2_FIRING)).text,
    );
    sim.reset();
    pushUrl = await standardPushUrl(sim); // new integration: the running receiver's key is unknown
    answers.push(
      (await post(receiver!.url, `/v1/aliyun?token=${TOKEN}`, F.ALIYUN_SYSTEM_EVENT)).text,
    );
    for (const text of [...answers, ...logs.lines]) {
      assert.ok(!text.includes(TOKEN), text);
      assert.ok(!text.includes(key), text);
      assert.ok(!text.includes("integration_key="), text);
    }
  });

  describe("configuration", () => {
    it("reads DELIVERY and SYNC_TIMEOUT_MS from the environment", () => {
      const o = optionsFromEnv({
        DELIVERY: "sync",
        SYNC_TIMEOUT_MS: "2500",
        FLASHDUTY_PUSH_URL:
          "https://api.flashcat.cloud/event/push/alert/standard?integration_key=k",
      });
      assert.equal(o.delivery, "sync");
      assert.equal(o.syncTimeoutMs, 2500);
    });

    it("refuses DELIVERY=sync without a push URL, naming both variables", () => {
      assert.throws(
        () => optionsFromEnv({ DELIVERY: "sync" }),
        (err: Error) =>
          err instanceof ConfigError &&
          /DELIVERY=sync needs FLASHDUTY_PUSH_URL/.test(err.message) &&
          /DELIVERY=spool/.test(err.message),
      );
    });

    it("refuses an unknown DELIVERY value", () => {
      assert.throws(
        () => optionsFromEnv({ DELIVERY: "later" }),
        (err: Error) =>
          err instanceof ConfigError && /DELIVERY must be spool or sync/.test(err.message),
      );
    });
  });
});

import { strict as assert } from "node:assert";
import { promises as fs } from "node:fs";
import path from "node:path";
import { ConfigError, createReceiver, optionsFromEnv } from "../../receiver";
import type { Receiver, ReceiverOptions } from "../../receiver";
import * as F from "./fixtures";
import { TOKEN, captureLogs, get, post, removeDir, tempDir } from "./helpers";

describe("receiver HTTP endpoints and status codes (dry run)", () => {
  let dir: string;
  let receiver: Receiver;
  let logs: ReturnType<typeof captureLogs>;

  async function start(extra: ReceiverOptions = {}): Promise<Receiver> {
    logs = captureLogs();
    receiver = await createReceiver({
      port: 0,
      spoolDir: dir,
      token: TOKEN,
      logSink: logs.sink,
      ...extra,
    });
    return receiver;
  }

  beforeEach(async () => {
    dir = tempDir();
    await start();
  });
  afterEach(async () => {
    await receiver.close();
    await removeDir(dir);
  });

  const aliyun = `/v1/aliyun?token=${TOKEN}`;
  const volc = `/v1/volcengine?token=${TOKEN}`;

  it("202 once spooled: the token in ?token= or Authorization: Bearer", async () => {
    const r1 = await post(receiver.url, aliyun, F.ALIYUN_THRESHOLD_DOC_SAMPLE);
    assert.equal(r1.status, 202, r1.text);
    assert.equal(r1.json.events, 1);
    const r2 = await post(receiver.url, "/v1/volcengine", F.VOLC_METRIC_FIRING, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(r2.status, 202, r2.text);
    assert.equal(r2.json.events, 2);
    assert.equal(receiver.pending(), 3);
    // A dry run spools apart from deliverable events.
    const segments = await fs.readdir(path.join(dir, "dry-run", "segments"));
    const data = await fs.readFile(
      path.join(dir, "dry-run", "segments", segments[0] as string),
      "utf8",
    );
    assert.equal(data.split("\n").filter(Boolean).length, 3, "three records on disk");
    // Dry run logs each mapped event.
    assert.equal(logs.lines.filter((l) => l.includes("dry run: event spooled")).length, 3);
  });

  it("401 without the token, with a wrong one, or with a token of another length", async () => {
    for (const q of ["", "?token=wrong", `?token=${TOKEN}x`, `?token=${TOKEN.slice(0, -1)}`]) {
      const r = await post(receiver.url, `/v1/aliyun${q}`, F.ALIYUN_THRESHOLD_DOC_SAMPLE);
      assert.equal(r.status, 401, q);
      assert.equal(r.json.error.code, "bad_token");
    }
    const r = await post(receiver.url, "/v1/aliyun", F.ALIYUN_SYSTEM_EVENT, {
      headers: { authorization: "Bearer nope" },
    });
    assert.equal(r.status, 401);
    assert.equal(receiver.pending(), 0);
  });

  it("413 over the body limit (declared or streamed), 256 KiB by default", async () => {
    const big = { ...F.ALIYUN_SYSTEM_EVENT, padding: "x".repeat(256 * 1024) };
    const r = await post(receiver.url, aliyun, big);
    assert.equal(r.status, 413, r.text);
    assert.match(r.json.error.message, /262144 bytes/);
    // Chunked (no Content-Length): the limit applies while streaming.
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(JSON.stringify(big)));
        controller.close();
      },
    });
    const res = await fetch(`${receiver.url}${aliyun}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: stream,
      duplex: "half",
    } as RequestInit);
    assert.equal(res.status, 413);
    // Just under the limit is fine.
    const ok = { ...F.ALIYUN_SYSTEM_EVENT, padding: "x".repeat(200 * 1024) };
    assert.equal((await post(receiver.url, aliyun, ok)).status, 202);
  });

  it("415 for an unsupported content type or charset", async () => {
    const xml = await post(receiver.url, aliyun, "<a/>", { contentType: "application/xml" });
    assert.equal(xml.status, 415);
    assert.match(xml.json.error.message, /application\/json or application\/x-www-form-urlencoded/);
    const gbk = await post(receiver.url, aliyun, F.ALIYUN_THRESHOLD_DOC_SAMPLE, {
      contentType: "application/x-www-form-urlencoded; charset=GBK",
    });
    assert.equal(gbk.status, 415);
    assert.match(gbk.json.error.message, /UTF-8/);
  });

  it("400 for malformed bodies, saying what is wrong", async () => {
    const cases: Array<[string | Buffer, string | null, RegExp]> = [
      ['{"Type": "Event",', "application/json", /not valid JSON/],
      ["", "application/json", /empty/],
      [Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), "application/json", /UTF-8/],
      ["just some words", "application/x-www-form-urlencoded", /form-encoded/],
    ];
    for (const [body, ct, message] of cases) {
      const r = await post(receiver.url, volc, body, { contentType: ct });
      assert.equal(r.status, 400, `${String(body)} → ${r.text}`);
      assert.match(r.json.error.message, message);
    }
  });

  it("sniffs JSON sent as text/plain or without a content type", async () => {
    const r = await post(receiver.url, volc, JSON.stringify(F.VOLC_EVENT), {
      contentType: "text/plain",
    });
    assert.equal(r.status, 202, r.text);
    const r2 = await post(receiver.url, aliyun, F.ALIYUN_THRESHOLD_DOC_SAMPLE, {
      contentType: null,
    });
    assert.equal(r2.status, 202, r2.text);
  });

  it("422 for well-formed but unrecognised bodies, listing the accepted formats", async () => {
    const r = await post(receiver.url, volc, { hello: "world" });
    assert.equal(r.status, 422);
    assert.match(r.json.error.message, /Type "Event"/);
    const r2 = await post(receiver.url, aliyun, "foo=bar");
    assert.equal(r2.status, 422);
    assert.match(r2.json.error.message, /threshold alert callback/);
    const r3 = await post(receiver.url, volc, F.ALIYUN_SYSTEM_EVENT); // wrong endpoint
    assert.equal(r3.status, 422);
  });

  it("404/405 for other paths and methods", async () => {
    // GET is a documented push-channel method on /v1/aliyun only (push-channel.test.ts).
    assert.equal((await get(receiver.url, volc)).status, 405);
    assert.equal((await fetch(`${receiver.url}${aliyun}`, { method: "HEAD" })).status, 405);
    assert.equal((await fetch(`${receiver.url}${aliyun}`, { method: "PUT" })).status, 405);
    assert.equal((await get(receiver.url, "/nope")).status, 404);
    assert.equal((await post(receiver.url, "/healthz", {})).status, 405);
  });

  it("503 when the spool cannot store the event, so the cloud retries; /readyz says so", async () => {
    await receiver.close();
    await start({ segmentMaxBytes: 1 }); // every commit opens a new segment file
    assert.equal((await post(receiver.url, aliyun, F.ALIYUN_SYSTEM_EVENT)).status, 202);
    // Make the spool unwritable: its segments directory becomes a plain file.
    const segments = path.join(dir, "dry-run", "segments");
    await fs.rm(segments, { recursive: true, force: true });
    await fs.writeFile(segments, "not a directory");
    const r = await post(receiver.url, aliyun, F.ALIYUN_SYSTEM_EVENT);
    assert.equal(r.status, 503, r.text);
    assert.equal(r.headers.get("retry-after"), "5");
    const ready = await get(receiver.url, "/readyz");
    assert.equal(ready.status, 503);
    assert.equal(ready.json.spool.writable, false);
    const metrics = await get(receiver.url, "/metrics");
    assert.match(
      metrics.text,
      /receiver_requests_rejected_total\{source="aliyun",reason="spool_unavailable"\} 1/,
    );
    // Repaired: accepted again.
    await fs.rm(segments);
    await fs.mkdir(segments);
    assert.equal((await post(receiver.url, aliyun, F.ALIYUN_SYSTEM_EVENT)).status, 202);
    assert.equal((await get(receiver.url, "/readyz")).status, 200);
  });

  it("accepts a repeated Volcengine delivery (same x-volc-trace-id) once, also after a restart", async () => {
    const headers = { "x-volc-trace-id": "6f1c1f2e-7a0b-4d5e-9c1a-000000000001" };
    const first = await post(receiver.url, volc, F.VOLC_EVENT, { headers });
    assert.equal(first.status, 202);
    assert.equal(first.json.status, "accepted");
    const again = await Promise.all([
      post(receiver.url, volc, F.VOLC_EVENT, { headers }),
      post(receiver.url, volc, F.VOLC_EVENT, { headers }),
    ]);
    for (const r of again) {
      assert.equal(r.status, 202);
      assert.equal(r.json.status, "duplicate");
    }
    assert.equal(receiver.pending(), 1);
    await receiver.close();
    await start();
    const afterRestart = await post(receiver.url, volc, F.VOLC_EVENT, { headers });
    assert.equal(afterRestart.json.status, "duplicate");
    const other = await post(receiver.url, volc, F.VOLC_EVENT, {
      headers: { "x-volc-trace-id": "6f1c1f2e-7a0b-4d5e-9c1a-000000000002" },
    });
    assert.equal(other.json.status, "accepted");
    assert.equal(receiver.pending(), 2);
    const metrics = await get(receiver.url, "/metrics");
    assert.match(metrics.text, /receiver_requests_duplicate_total\{source="volcengine"\} 1/);
  });

  it("concurrent duplicate deliveries are spooled once", async () => {
    const headers = { "x-volc-trace-id": "race-1" };
    const replies = await Promise.all(
      Array.from({ length: 5 }, () => post(receiver.url, volc, F.VOLC_EVENT, { headers })),
    );
    assert.deepEqual(
      replies.map((r) => r.status),
      [202, 202, 202, 202, 202],
    );
    assert.equal(replies.filter((r) => r.json.status === "accepted").length, 1);
    assert.equal(receiver.pending(), 1);
  });

  it("bounds the dedup memory", async () => {
    await receiver.close();
    await start({ dedupCapacity: 2 });
    for (const id of ["a", "b", "c"])
      await post(receiver.url, volc, F.VOLC_EVENT, { headers: { "x-volc-trace-id": id } });
    // "a" was evicted (capacity 2): a late retry of it is spooled again; "c" is remembered.
    assert.equal(
      (await post(receiver.url, volc, F.VOLC_EVENT, { headers: { "x-volc-trace-id": "c" } })).json
        .status,
      "duplicate",
    );
    assert.equal(
      (await post(receiver.url, volc, F.VOLC_EVENT, { headers: { "x-volc-trace-id": "a" } })).json
        .status,
      "accepted",
    );
  });

  it("/healthz, /readyz and /metrics report state", async () => {
    await post(receiver.url, aliyun, F.ALIYUN_THRESHOLD_DOC_SAMPLE);
    await post(receiver.url, aliyun, "<x/>", { contentType: "text/xml" });
    assert.deepEqual((await get(receiver.url, "/healthz")).json, { status: "ok" });
    const ready = await get(receiver.url, "/readyz");
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.json, {
      ready: true,
      spool: { writable: true, depth: 1 },
      forwarder: { mode: "dry" },
    });
    const m = (await get(receiver.url, "/metrics")).text;
    for (const line of [
      'receiver_requests_received_total{source="aliyun"} 2',
      'receiver_events_accepted_total{source="aliyun",format="aliyun-threshold"} 1',
      'receiver_requests_rejected_total{source="aliyun",reason="unsupported_media_type"} 1',
      "receiver_spool_depth 1",
      "receiver_events_forwarded_total 0",
    ])
      assert.ok(m.includes(line), line);
    for (const name of [
      "receiver_forward_retries_total",
      "receiver_events_dead_lettered_total",
      "receiver_forward_latency_seconds",
    ])
      assert.ok(m.includes(`# TYPE ${name}`), name);
  });

  it("never logs the token", async () => {
    await post(receiver.url, aliyun, F.ALIYUN_THRESHOLD_DOC_SAMPLE);
    await post(receiver.url, "/v1/aliyun?token=wrong-token-value-123", F.ALIYUN_SYSTEM_EVENT);
    await post(receiver.url, aliyun, "<x/>", { contentType: "text/xml" });
    assert.ok(logs.lines.length >= 3);
    for (const line of logs.lines) assert.ok(!line.includes(TOKEN), line);
  });
});

describe("receiver configuration", () => {
  it("has a default that needs nothing: dry run on 127.0.0.1:8787 without a token", () => {
    const o = optionsFromEnv({});
    assert.equal(o.host, undefined);
    assert.equal(o.pushUrl, undefined);
  });

  it("names the variable in every configuration error, without echoing secrets", async () => {
    const secretUrl =
      "https://api.flashcat.cloud/event/push/alert/n9e?integration_key=SECRETKEY1234567";
    const cases: Array<[NodeJS.ProcessEnv, RegExp]> = [
      [{ PORT: "eighty" }, /PORT must be/],
      [{ PORT: "70000" }, /PORT must be an integer from 0 to 65535/],
      [{ HOST: "0.0.0.0" }, /RECEIVER_TOKEN is required when HOST is not a loopback/],
      [{ RECEIVER_TOKEN: "short" }, /RECEIVER_TOKEN must be at least 16/],
      [{ FLASHDUTY_PUSH_URL: "not a url" }, /FLASHDUTY_PUSH_URL is not a valid URL/],
      [{ FLASHDUTY_PUSH_URL: secretUrl }, /FLASHDUTY_PUSH_URL must be a standard-alert push URL/],
      [
        {
          FLASHDUTY_PUSH_URL:
            "http://api.flashcat.cloud/event/push/alert/standard?integration_key=SECRETKEY1234567",
        },
        /FLASHDUTY_PUSH_URL must use https/,
      ],
      [
        { FLASHDUTY_PUSH_URL: "https://api.flashcat.cloud/event/push/alert/standard" },
        /no integration_key/,
      ],
      [
        { FORWARD_RATE_PER_SECOND: "150" },
        /FORWARD_RATE_PER_SECOND must be an integer from 1 to 100/,
      ],
      [{ LOG_LEVEL: "loud" }, /LOG_LEVEL must be one of/],
    ];
    for (const [env, message] of cases) {
      assert.throws(
        () => optionsFromEnv(env),
        (err: unknown) =>
          err instanceof ConfigError &&
          message.test(err.message) &&
          !err.message.includes("SECRETKEY"),
        JSON.stringify(env),
      );
    }
  });

  it("fails clearly when SPOOL_DIR is not usable", async () => {
    const dir = tempDir();
    const file = path.join(dir, "file");
    await fs.writeFile(file, "x");
    await assert.rejects(
      createReceiver({ port: 0, spoolDir: file, logSink: () => undefined }),
      (err: unknown) => err instanceof ConfigError && /SPOOL_DIR/.test(err.message),
    );
    await removeDir(dir);
  });
});

// Property-based tests: no input crashes the receiver or yields a 5xx (other than 503, which needs
// a broken spool), and whatever is accepted fits Flashduty's limits.
import { strict as assert } from "node:assert";
import http from "node:http";
import fc from "fast-check";
import { HttpError, classifyContentType, parseBody } from "../../receiver/body";
import { mapBody } from "../../receiver/formats";
import { LIMITS } from "../../receiver/mapping";
import { UnmappableEventError } from "../../receiver/model";
import type { CloudSource } from "../../receiver/model";
import { createReceiver } from "../../receiver";
import type { Receiver } from "../../receiver";
import * as F from "./fixtures";
import { TOKEN, captureLogs, get, removeDir, tempDir } from "./helpers";

const OK_STATUSES = new Set([202, 400, 401, 404, 405, 413, 415, 422]);

/** Field names the parsers look at, so random objects reach deep into the mapping code. */
const FIELDS = [
  "alertState",
  "alertName",
  "triggerLevel",
  "preTriggerLevel",
  "dimensions",
  "instanceName",
  "metricName",
  "namespace",
  "userId",
  "ruleId",
  "curValue",
  "regionId",
  "name",
  "product",
  "level",
  "resourceId",
  "content",
  "status",
  "subtype",
  "severity",
  "resource",
  "labels",
  "data",
  "subject",
  "Type",
  "Rules",
  "Level",
  "Details",
  "Resources",
  "RecoveredResources",
  "NoDataResources",
  "NoDataRecoveredResources",
  "Metrics",
  "Dimensions",
  "Tags",
  "Id",
  "Name",
  "AccountId",
  "EventType",
  "HappenedAt",
  "timestamp",
  "time",
  "eventTime",
  "alert",
  "alertStatus",
  "batchId",
  "subscription",
  "subscriptionUuid",
  "userInfo",
  "strategyName",
  "arn",
  "eventName",
  "eventContentMap",
  "meta",
  "sysEventMeta",
  "__proto__",
  "constructor",
  "toString",
];
const VALUES = [
  "ALERT",
  "OK",
  "INSUFFICIENT_DATA",
  "CRITICAL",
  "WARN",
  "warning",
  "notice",
  "Event",
  "Metric",
  "MetricRecovered",
  "MetricsNoData",
  "NoDataRecovered",
  "OCCURRED",
  "RESOLVED",
  "NORMAL_RESOLVE",
  "TRIGGERED",
  "1704780333000",
  "1704780333",
  "20240109T140533.642+0800",
  "2024-04-11 14:51:01(UTC+08:00)",
  "2026-07-29T06:00:00Z",
  '{"alertStatus":"RESOLVED"}',
  "{userId=1, instanceId=i-1}",
  "null",
  "",
  "$x",
  "[TPL]${a}",
];

const deepValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.constantFrom(...VALUES),
    fc.string(),
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom(...FIELDS), tie("value"), { maxKeys: 6 }),
  ),
})).value;

const shapedObject = fc.dictionary(fc.constantFrom(...FIELDS), deepValue, { maxKeys: 12 });
const sources = fc.constantFrom<CloudSource>("aliyun", "volcengine");

function checkLimits(source: CloudSource, raw: Buffer, kind: "json" | "form" | "sniff"): void {
  let events;
  try {
    events = mapBody(source, parseBody(raw, kind));
  } catch (err) {
    if (err instanceof UnmappableEventError || err instanceof HttpError) return;
    throw err;
  }
  for (const { body } of events) {
    assert.ok(["Critical", "Warning", "Info", "Ok"].includes(body.event_status));
    assert.ok(body.alert_key.length > 0 && body.alert_key.length <= LIMITS.alertKey);
    assert.ok(body.title_rule.length > 0 && body.title_rule.length <= LIMITS.title);
    assert.ok(!body.title_rule.includes("$") && !/^\[tpl\]/i.test(body.title_rule));
    assert.ok(body.description.length <= LIMITS.description);
    const names = Object.keys(body.labels);
    assert.ok(names.length <= LIMITS.labels);
    for (const n of names) {
      assert.match(n, /^[a-zA-Z_][a-zA-Z0-9_]{0,127}$/);
      assert.equal(typeof body.labels[n], "string");
      assert.ok((body.labels[n] as string).length <= LIMITS.labelValue);
    }
    assert.equal(Object.getPrototypeOf(body.labels), Object.prototype);
    assert.ok(Number.isSafeInteger(body.event_time) && (body.event_time as number) >= 1e9);
    assert.ok((body.event_time as number) <= Date.now() / 1000 + 86_400);
  }
}

describe("receiver property tests: mapping", () => {
  it("any JSON value maps to valid bodies or a clear 4xx error", () => {
    fc.assert(
      fc.property(
        sources,
        fc.oneof(fc.jsonValue(), shapedObject, fc.array(shapedObject, { maxLength: 3 })),
        (source, value) => {
          checkLimits(source, Buffer.from(JSON.stringify(value) ?? "null"), "json");
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("mutated real samples map to valid bodies or a clear 4xx error", () => {
    const samples = [
      F.ALIYUN_SYSTEM_EVENT,
      F.ALIYUN_CMS2_FIRING,
      F.VOLC_EVENT,
      F.VOLC_METRIC_FIRING,
      F.ALIYUN_SUBSCRIPTION_EVENT,
      F.ALIYUN_PUSH_CHANNEL_TRIGGERED,
    ];
    fc.assert(
      fc.property(
        sources,
        fc.constantFrom(...samples),
        fc.constantFrom(...FIELDS),
        deepValue,
        (source, sample, field, value) => {
          checkLimits(source, Buffer.from(JSON.stringify({ ...sample, [field]: value })), "json");
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("mutated push-channel alerts, as JSON and as form, map to valid bodies or a clear 4xx error", () => {
    const sample = F.ALIYUN_PUSH_CHANNEL_TRIGGERED;
    fc.assert(
      fc.property(fc.constantFrom(...FIELDS), deepValue, fc.boolean(), (field, value, asForm) => {
        const body = { ...sample, alert: { ...sample.alert, [field]: value } };
        if (asForm) checkLimits("aliyun", Buffer.from(F.aliyunPushChannelForm(body)), "form");
        else checkLimits("aliyun", Buffer.from(JSON.stringify(body)), "json");
      }),
      { numRuns: 2000 },
    );
  });

  it("any form body maps to valid bodies or a clear 4xx error", () => {
    const form = fc
      .dictionary(
        fc.oneof(fc.constantFrom(...FIELDS), fc.string()),
        fc.oneof(fc.constantFrom(...VALUES), fc.string({ maxLength: 3000 })),
        { maxKeys: 15 },
      )
      .map((d) => new URLSearchParams(d).toString());
    fc.assert(
      fc.property(sources, fc.oneof(form, fc.string()), (source, body) => {
        checkLimits(source, Buffer.from(body), "form");
      }),
      { numRuns: 3000 },
    );
  });

  it("any bytes and content type are classified without throwing anything but HttpError", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 512 }),
        fc.option(fc.string()),
        sources,
        (bytes, ct, source) => {
          try {
            checkLimits(source, Buffer.from(bytes), classifyContentType(ct ?? undefined));
          } catch (err) {
            if (!(err instanceof HttpError)) throw err;
            assert.ok([400, 415].includes(err.status));
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe("receiver property tests: HTTP server", function () {
  this.timeout(120_000);
  let dir: string;
  let receiver: Receiver;
  let logs: ReturnType<typeof captureLogs>;
  let port: number;

  before(async () => {
    dir = tempDir();
    logs = captureLogs();
    receiver = await createReceiver({ port: 0, spoolDir: dir, token: TOKEN, logSink: logs.sink });
    port = Number(new URL(receiver.url).port);
  });
  after(async () => {
    await receiver.close();
    await removeDir(dir);
  });

  /** Raw request with arbitrary headers (fetch forbids some); resolves with the status. */
  function raw(path: string, headers: Record<string, string>, body: Buffer): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: "127.0.0.1",
          port,
          path,
          method: "POST",
          headers: { ...headers, "content-length": body.length },
        },
        (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  }

  const headerName = fc
    .stringMatching(/^[a-z][a-z0-9-]{0,20}$/)
    .filter(
      (n) =>
        ![
          "content-length",
          "transfer-encoding",
          "host",
          "connection",
          "expect",
          "upgrade",
        ].includes(n),
    );
  const headerValue = fc.stringMatching(/^[\x20-\x7e]{0,60}$/).map((v) => v.trim());
  const headers = fc.record({
    random: fc.dictionary(headerName, headerValue, { maxKeys: 5 }),
    contentType: fc.option(
      fc.oneof(
        fc.constantFrom(
          "application/json",
          "application/x-www-form-urlencoded; charset=UTF-8",
          "text/plain",
          "application/json; charset=gbk",
          "multipart/form-data",
          "application/vnd.x+json",
        ),
        headerValue,
      ),
    ),
    trace: fc.option(headerValue),
    auth: fc.option(fc.oneof(fc.constant(`Bearer ${TOKEN}`), headerValue)),
  });
  const paths = fc.constantFrom(
    `/v1/aliyun?token=${TOKEN}`,
    `/v1/volcengine?token=${TOKEN}`,
    "/v1/aliyun",
    "/v1/volcengine?token=x",
    `/v1/aliyun?token=${TOKEN}&token=other`,
    "/v1/unknown",
    "//v1/aliyun",
  );
  const bodies = fc.oneof(
    fc.uint8Array({ maxLength: 2048 }).map((b) => Buffer.from(b)),
    fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? "")),
    shapedObject.map((v) => Buffer.from(JSON.stringify(v))),
    fc
      .dictionary(fc.constantFrom(...FIELDS), fc.constantFrom(...VALUES))
      .map((d) => Buffer.from(new URLSearchParams(d).toString())),
  );

  it("answers every random request with a 2xx/4xx, never another 5xx, and stays healthy", async () => {
    await fc.assert(
      fc.asyncProperty(paths, headers, bodies, async (path, h, body) => {
        const hs: Record<string, string> = { ...h.random };
        if (h.contentType !== null) hs["content-type"] = h.contentType;
        if (h.trace !== null) hs["x-volc-trace-id"] = h.trace;
        if (h.auth !== null) hs.authorization = h.auth;
        const status = await raw(path, hs, body);
        assert.ok(
          OK_STATUSES.has(status),
          `status ${status} for ${path} ${JSON.stringify(hs)} ${body.toString("utf8").slice(0, 200)}`,
        );
      }),
      { numRuns: 400 },
    );
    assert.equal((await get(receiver.url, "/healthz")).status, 200);
    assert.equal((await get(receiver.url, "/readyz")).status, 200);
    assert.ok(
      !logs.lines.some((l) => l.includes("unexpected error")),
      "no unexpected errors logged",
    );
  });

  it("survives malformed HTTP (bad request lines, bad headers, truncated bodies)", async () => {
    const net = await import("node:net");
    const garbage = fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 300 }).map((b) => Buffer.from(b)),
      fc
        .constantFrom(
          "POST /v1/aliyun HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\nshort",
          "POST /v1/aliyun HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
          "POST /v1/aliyun HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
          "GARBAGE\r\n\r\n",
          "POST /v1/volcengine HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
        )
        .map((s) => Buffer.from(s)),
    );
    await fc.assert(
      fc.asyncProperty(garbage, async (bytes) => {
        await new Promise<void>((resolve) => {
          const socket = net.connect(port, "127.0.0.1", () => {
            socket.end(bytes);
          });
          let answer = "";
          socket.on("data", (d) => (answer += d.toString()));
          socket.on("error", () => resolve());
          socket.on("close", () => {
            const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(answer)?.[1] ?? 0);
            assert.ok(status === 0 || status < 500, `status ${status}`);
            resolve();
          });
          socket.setTimeout(2000, () => socket.destroy());
        });
      }),
      { numRuns: 150 },
    );
    assert.equal((await get(receiver.url, "/healthz")).status, 200);
  });
});

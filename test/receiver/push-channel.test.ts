// Alibaba Cloud's event-subscription push channel body on POST/GET /v1/aliyun, in every encoding
// the vendor page documents (POST JSON, POST form, GET JSON in `data`, GET form), mapped onto
// Flashduty standard alerts: recovery, key stability, severity precedence, detection.
import { strict as assert } from "node:assert";
import { parseBody } from "../../receiver/body";
import { mapBody } from "../../receiver/formats";
import { parseQueryBody } from "../../receiver/formats/query";
import { createReceiver } from "../../receiver";
import type { Receiver } from "../../receiver";
import type { FlashdutyAlertBody } from "../../receiver/model";
import { UnmappableEventError } from "../../receiver/model";
import { EXPECTED, RECEIVED_AT_MS } from "./expected-bodies";
import * as F from "./fixtures";
import { TOKEN, captureLogs, get, post, removeDir, tempDir } from "./helpers";

type Json = Record<string, unknown>;
const TRIGGERED = F.ALIYUN_PUSH_CHANNEL_TRIGGERED as Json;
const RESOLVED = F.ALIYUN_PUSH_CHANNEL_RESOLVED as Json;

const json = (value: unknown): FlashdutyAlertBody[] =>
  mapBody("aliyun", { kind: "json", value }, RECEIVED_AT_MS).map((e) => e.body);
const form = (text: string): FlashdutyAlertBody[] =>
  mapBody("aliyun", parseBody(Buffer.from(text), "form"), RECEIVED_AT_MS).map((e) => e.body);
const query = (text: string): FlashdutyAlertBody[] =>
  mapBody("aliyun", parseQueryBody(new URLSearchParams(text)), RECEIVED_AT_MS).map((e) => e.body);
const one = (value: unknown): FlashdutyAlertBody => json(value)[0] as FlashdutyAlertBody;

/** The sample with `alert` fields changed. */
function withAlert(changes: Json, top: Json = {}): Json {
  return { ...TRIGGERED, ...top, alert: { ...(TRIGGERED.alert as Json), ...changes } };
}

describe("Aliyun push channel body (POST/GET /v1/aliyun)", () => {
  it("maps the documented sample in all four encodings to the same expected body", () => {
    const expected = EXPECTED.ALIYUN_PUSH_CHANNEL_TRIGGERED;
    assert.deepEqual(json(TRIGGERED), expected, "POST JSON");
    assert.deepEqual(form(F.aliyunPushChannelForm(TRIGGERED)), expected, "POST form");
    assert.deepEqual(query(F.aliyunPushChannelGetJson(TRIGGERED)), expected, "GET JSON (data=)");
    assert.deepEqual(query(F.aliyunPushChannelForm(TRIGGERED)), expected, "GET form");
    // The receiver's own token parameter is never part of the event.
    assert.deepEqual(
      query(`${F.aliyunPushChannelGetJson(TRIGGERED)}&token=${TOKEN}`),
      expected,
      "GET JSON with ?token=",
    );
    assert.deepEqual(
      query(`env=prod&${F.aliyunPushChannelGetJson(TRIGGERED)}`),
      expected,
      "GET JSON with a parameter the user added to the push URL",
    );
    assert.deepEqual(
      query(`token=${TOKEN}&${F.aliyunPushChannelForm(TRIGGERED)}`),
      expected,
      "GET form with ?token=",
    );
  });

  it("TRIGGERED fires, RESOLVED recovers (Ok) under the firing event's alert_key", () => {
    const fire = one(TRIGGERED);
    const resolve = one(RESOLVED);
    assert.equal(fire.event_status, "Info");
    assert.equal(resolve.event_status, "Ok");
    assert.equal(resolve.alert_key, fire.alert_key);
    assert.equal(resolve.title_rule, fire.title_rule);
    assert.equal(resolve.labels.raw_level, "RESOLVED");
    // RESOLVED in another case recovers too; an unknown status fires (kept in alert_status).
    assert.equal(one(withAlert({ alertStatus: "resolved" })).event_status, "Ok");
    const odd = one(withAlert({ alertStatus: "SOMETHING_NEW" }));
    assert.equal(odd.event_status, "Info");
    assert.equal(odd.labels.alert_status, "SOMETHING_NEW");
  });

  it("keys on the event's identity, not on per-delivery ids or times", () => {
    const key = (body: Json): string => one(body).alert_key;
    const base = key(TRIGGERED);
    // Per delivery: batch, dedup and trace ids, times, severity, extra fields → same key.
    for (const [what, body] of [
      ["batchId", { ...TRIGGERED, batchId: "other-batch" }],
      ["dedupId + traceId", withAlert({ dedupId: "d-2", traceId: "t-2" })],
      ["times", withAlert({ timestamp: 1704790000000 }, { time: 1704790000000 })],
      ["severity", withAlert({ severity: "CRITICAL" }, { severity: "CRITICAL" })],
      ["the RESOLVED delivery, extra fields", { ...RESOLVED, somethingNew: { a: 1 } }],
    ] as Array<[string, Json]>)
      assert.equal(key(body), base, what);
    // Identity: resource, event, product, account, subscription policy → different keys.
    const others = [
      withAlert({ arn: "acs:ecs:cn-hangzhou:testuser:instance/i-otherhost" }),
      withAlert({ eventName: "Instance:StateChange" }),
      withAlert({ product: "RDS" }),
      { ...TRIGGERED, userId: "other-account" },
      { ...TRIGGERED, subscription: { subscriptionUuid: "other-policy" } },
    ].map(key);
    assert.equal(new Set([base, ...others]).size, 6, "each identity change gives its own key");
  });

  it("takes the severity from the top level, then alert.severity, then sysEventMeta.level", () => {
    const meta = (TRIGGERED.alert as { meta: { sysEventMeta: Json } }).meta.sysEventMeta;
    const cases: Array<[Json, string]> = [
      [withAlert({ severity: "INFO" }, { severity: "CRITICAL" }), "Critical"],
      [withAlert({ severity: "CRITICAL" }, { severity: "WARNING" }), "Warning"],
      [withAlert({}, { severity: "WARN" }), "Warning"],
      [withAlert({ severity: "CRITICAL" }, { severity: undefined }), "Critical"],
      [withAlert({ severity: "" }, { severity: "" }), "Info"], // sysEventMeta.level INFO
      [
        withAlert(
          { severity: undefined, meta: { sysEventMeta: { ...meta, level: "CRITICAL" } } },
          { severity: undefined },
        ),
        "Critical",
      ],
      [withAlert({ severity: undefined, meta: {} }, { severity: undefined }), "Warning"],
    ];
    for (const [body, status] of cases)
      assert.equal(one(body).event_status, status, JSON.stringify([body.severity]));
  });

  it("tolerates missing parts: no meta, no subscription, no userInfo", () => {
    const minimal = {
      alert: {
        alertStatus: "TRIGGERED",
        eventName: "Instance:StateChange",
        product: "ECS",
        arn: "acs:ecs:cn-beijing:123:instance/i-min",
      },
      severity: "CRITICAL",
    };
    const out = one(minimal);
    assert.equal(out.event_status, "Critical");
    assert.equal(out.title_rule, "Instance:StateChange - i-min");
    assert.equal(out.labels.region, "cn-beijing");
    assert.equal(out.labels.account, "123");
    assert.equal(out.labels.format, "aliyun-push-channel");
    assert.equal(out.event_time, RECEIVED_AT_MS / 1000, "no time in the body: the accepted time");
  });

  it("does not confuse the other Aliyun formats, and names a broken alert field", () => {
    // The other formats keep their own parsers (the fixture table in formats.test.ts checks each
    // body); a threshold callback with a stray `alert` field stays a threshold callback.
    const stray = new URLSearchParams(F.ALIYUN_THRESHOLD_NEW_FIRING);
    stray.set("alert", "cpu");
    assert.equal(form(stray.toString())[0]?.labels.format, "aliyun-threshold");
    assert.equal(json({ ...F.ALIYUN_SYSTEM_EVENT, alert: "x" })[0]?.labels.format, "aliyun-event");
    // A push-channel form whose alert is not JSON is refused with a message naming the field.
    const broken = new URLSearchParams(F.aliyunPushChannelForm(TRIGGERED));
    broken.set("alert", "{not json");
    assert.throws(
      () => form(broken.toString()),
      (err: unknown) => err instanceof UnmappableEventError && /"alert" field/.test(err.message),
    );
    const badSubscription = new URLSearchParams(F.aliyunPushChannelForm(TRIGGERED));
    badSubscription.set("subscription", "[1]");
    assert.throws(() => form(badSubscription.toString()), /"subscription" field/);
    // A JSON array of push bodies maps element by element.
    assert.deepEqual(json([TRIGGERED, RESOLVED]), [
      ...EXPECTED.ALIYUN_PUSH_CHANNEL_TRIGGERED!,
      ...EXPECTED.ALIYUN_PUSH_CHANNEL_RESOLVED!,
    ]);
  });

  describe("over HTTP (dry run)", () => {
    let dir: string;
    let receiver: Receiver;
    let logs: ReturnType<typeof captureLogs>;
    beforeEach(async () => {
      dir = tempDir();
      logs = captureLogs();
      receiver = await createReceiver({ port: 0, spoolDir: dir, token: TOKEN, logSink: logs.sink });
    });
    afterEach(async () => {
      await receiver.close();
      await removeDir(dir);
    });
    const path = `/v1/aliyun?token=${TOKEN}`;

    it("answers 202 to every encoding with the same alert_key, and spools the same event", async () => {
      const replies = [
        await post(receiver.url, path, TRIGGERED),
        await post(receiver.url, path, F.aliyunPushChannelForm(TRIGGERED)),
        await get(receiver.url, `${path}&${F.aliyunPushChannelGetJson(TRIGGERED)}`),
        await get(receiver.url, `${path}&${F.aliyunPushChannelForm(TRIGGERED)}`),
        // The token may come first, as a console-pasted URL would have it.
        await get(receiver.url, `/v1/aliyun?${F.aliyunPushChannelForm(TRIGGERED)}&token=${TOKEN}`),
      ];
      for (const r of replies) assert.equal(r.status, 202, r.text);
      const keys = replies.map((r) => (r.json.alert_keys as string[])[0]);
      assert.deepEqual(
        new Set(keys),
        new Set([EXPECTED.ALIYUN_PUSH_CHANNEL_TRIGGERED![0]!.alert_key]),
      );
      const logged = logs.lines
        .map((l) => JSON.parse(l) as { msg: string; event?: FlashdutyAlertBody })
        .filter((l) => l.msg.startsWith("dry run"))
        .map((l) => l.event!);
      assert.equal(logged.length, 5);
      for (const event of logged) {
        assert.deepEqual(event, EXPECTED.ALIYUN_PUSH_CHANNEL_TRIGGERED![0]);
        assert.ok(!JSON.stringify(event).includes(TOKEN), "token in the event");
      }
    });

    it("GET: 401 without the token, 400 with no event in the query or broken data JSON", async () => {
      const noToken = await get(
        receiver.url,
        `/v1/aliyun?${F.aliyunPushChannelGetJson(TRIGGERED)}`,
      );
      assert.equal(noToken.status, 401);
      const empty = await get(receiver.url, path);
      assert.equal(empty.status, 400);
      assert.equal(empty.json.error.code, "empty_query");
      const broken = await get(receiver.url, `${path}&data=${encodeURIComponent("{broken")}`);
      assert.equal(broken.status, 400);
      assert.equal(broken.json.error.code, "invalid_json");
      assert.match(broken.json.error.message, /data query parameter/);
      const unknown = await get(receiver.url, `${path}&hello=world`);
      assert.equal(unknown.status, 422);
      assert.equal(receiver.pending(), 0);
    });
  });
});

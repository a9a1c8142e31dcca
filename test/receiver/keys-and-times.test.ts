// Alert keys where the payload's resource fields are empty (Volcengine events), CMS 2.0 label
// values that are objects, and event_time: when each format's event happened, kept through the
// spool so a replay sends the original time.
import { strict as assert } from "node:assert";
import { mapBody } from "../../receiver/formats";
import { eventTimeSeconds } from "../../receiver/mapping";
import type { CloudSource, FlashdutyAlertBody } from "../../receiver/model";
import { createReceiver } from "../../receiver";
import { Spool } from "../../receiver/spool";
import type { Receiver } from "../../receiver";
import { FlashdutySimulator } from "../simulators/flashduty";
import { RECEIVED_AT_MS } from "./expected-bodies";
import * as F from "./fixtures";
import { TOKEN, captureLogs, post, removeDir, standardPushUrl, tempDir, waitFor } from "./helpers";

const RECEIVED_AT_SECONDS = RECEIVED_AT_MS / 1000;

function one(source: CloudSource, value: unknown, at = RECEIVED_AT_MS): FlashdutyAlertBody {
  return mapBody(
    source,
    typeof value === "string" ? parseForm(value) : { kind: "json", value },
    at,
  )[0]!.body;
}
function parseForm(text: string): { kind: "form"; fields: Record<string, string> } {
  return { kind: "form", fields: Object.fromEntries(new URLSearchParams(text)) };
}

describe("Volcengine event keys when Details.volcresourcename/subject are empty", () => {
  // The documented keys are present "even if empty" (volcengine-cloudmonitor.md §4.2).
  const emptyResource = (id: string, region = "cn-guangzhou") => ({
    ...F.VOLC_EVENT,
    Id: id,
    Region: region,
    Details: {
      ...F.VOLC_EVENT.Details,
      id,
      volcregion: region,
      volcresourcename: "",
      subject: "",
    },
  });

  it("keeps two different events of one type apart, and a retry on its key", () => {
    const a = one("volcengine", emptyResource("1658000000000000001"));
    const b = one("volcengine", emptyResource("1658000000000000002"));
    const c = one("volcengine", emptyResource("1658000000000000001", "cn-beijing"));
    assert.notEqual(a.alert_key, b.alert_key, "two events of one type in one account");
    assert.notEqual(a.alert_key, c.alert_key, "same id in another region");
    // A retry of the same delivery (same body) keeps its key.
    assert.equal(one("volcengine", emptyResource("1658000000000000001")).alert_key, a.alert_key);
    // Without the top-level Id, Details.id identifies the event the same way.
    const noTopId = { ...emptyResource("1658000000000000001"), Id: undefined };
    assert.equal(one("volcengine", noTopId).alert_key, a.alert_key);
    // A whitespace-only resource counts as empty too.
    const blank = emptyResource("1658000000000000002");
    assert.equal(
      one("volcengine", { ...blank, Details: { ...blank.Details, volcresourcename: "  " } })
        .alert_key,
      b.alert_key,
    );
  });

  it("keeps the resource-based key (unchanged) when the resource is given", () => {
    const first = one("volcengine", F.VOLC_EVENT);
    // Another occurrence of the same event type on the same resource updates the same alert.
    const again = one("volcengine", { ...F.VOLC_EVENT, Id: "1658000000000009999" });
    assert.equal(again.alert_key, first.alert_key);
    assert.equal(first.alert_key, "volcengine-aa117d34eadb66161cb660efbc0ec9ffd4009266");
  });
});

describe("CMS 2.0 labels and tags whose values are objects", () => {
  it("become JSON text, never [object Object]", () => {
    const body = one("aliyun", {
      ...F.ALIYUN_CMS2_FIRING,
      labels: { nested: { a: 1, b: [2, "x"] }, list: [1, 2], flag: true },
      resource: {
        ...F.ALIYUN_CMS2_FIRING.resource,
        tags: { owner: { team: "sre" } },
        entity: { ...F.ALIYUN_CMS2_FIRING.resource.entity, entity_id: { id: "i-123" } },
      },
    });
    assert.equal(body.labels.label_nested, '{"a":1,"b":[2,"x"]}');
    assert.equal(body.labels.label_list, "[1,2]");
    assert.equal(body.labels.label_flag, "true");
    assert.equal(body.labels.tag_owner, '{"team":"sre"}');
    assert.equal(body.labels.resource, '{"id":"i-123"}');
    const all = JSON.stringify(body);
    assert.ok(!all.includes("[object Object]"), all);
  });
});

describe("event_time: when the event happened", () => {
  it("reads each format's own time", () => {
    const cases: Array<[string, CloudSource, unknown, number]> = [
      ["threshold, seconds (doc sample)", "aliyun", F.ALIYUN_THRESHOLD_DOC_SAMPLE, 1508136760],
      ["threshold, milliseconds", "aliyun", F.ALIYUN_THRESHOLD_NEW_FIRING, 1685646149],
      // 20181226T220114.058+0800 = 2018-12-26T14:01:14.058Z
      ["system event eventTime", "aliyun", F.ALIYUN_SYSTEM_EVENT, 1545832874],
      ["CMS 2.0 timestamp (ms)", "aliyun", F.ALIYUN_CMS2_FIRING, 1785300000],
      [
        "CMS 2.0 time (ISO) without timestamp",
        "aliyun",
        { ...F.ALIYUN_CMS2_FIRING, timestamp: undefined },
        Date.parse("2026-07-29T06:00:00Z") / 1000,
      ],
      ["push channel alert.timestamp (ms)", "aliyun", F.ALIYUN_PUSH_CHANNEL_RESOLVED, 1704780933],
      [
        "push channel top-level time without alert.timestamp",
        "aliyun",
        {
          ...F.ALIYUN_PUSH_CHANNEL_RESOLVED,
          alert: { ...F.ALIYUN_PUSH_CHANNEL_RESOLVED.alert, timestamp: undefined },
        },
        1704780933,
      ],
      ["Volcengine event HappenedAt (s)", "volcengine", F.VOLC_EVENT, 1664332705],
      // 2024-04-11 15:06:01(UTC+08:00) = 2024-04-11T07:06:01Z
      ["Volcengine metric HappenedAt text", "volcengine", F.VOLC_METRIC_RECOVERED, 1712819161],
    ];
    for (const [what, source, body, expected] of cases)
      assert.equal(one(source, body).event_time, expected, what);
  });

  it("falls back to the time the receiver accepted the event", () => {
    // No time in the body.
    assert.equal(one("aliyun", F.ALIYUN_SUBSCRIPTION_EVENT).event_time, RECEIVED_AT_SECONDS);
    // Unreadable or implausible times.
    for (const timestamp of ["soon", "0", "-5", "1e3", "2026-07-29 06:00:00"])
      assert.equal(
        one("aliyun", { ...F.ALIYUN_CMS2_FIRING, timestamp, time: undefined }).event_time,
        RECEIVED_AT_SECONDS,
        timestamp,
      );
    // More than a day ahead of the receiver's clock is not believed; less is.
    const ahead = (seconds: number) =>
      one("volcengine", { ...F.VOLC_EVENT, HappenedAt: RECEIVED_AT_SECONDS + seconds }).event_time;
    assert.equal(ahead(86_401), RECEIVED_AT_SECONDS);
    assert.equal(ahead(600), RECEIVED_AT_SECONDS + 600);
  });

  it("parses the time notations the clouds use, and nothing else", () => {
    const table: Array<[unknown, number | undefined]> = [
      [1704780333000, 1704780333],
      [1704780333, 1704780333],
      ["1704780333999", 1704780333],
      ["1508136760", 1508136760],
      ["20240109T140533.642+0800", 1704780333],
      ["20240109T140533-0130", 1704814533], // 15:35:33Z
      ["2024-04-11 14:51:01(UTC+08:00)", 1712818261],
      ["2026-07-29T06:00:00Z", 1785304800],
      ["2026-07-29T08:00:00+02:00", 1785304800],
      ["2026-07-29T06:00:00", undefined], // no zone: would depend on the host's zone
      ["20241309T140533.642+0800", undefined], // month 13
      ["2024-04-11 25:51:01(UTC+08:00)", undefined], // hour 25
      ["", undefined],
      [null, undefined],
      [{ t: 1 }, undefined],
      [999_999_999, undefined],
    ];
    for (const [value, expected] of table)
      assert.equal(eventTimeSeconds(value), expected, JSON.stringify(value));
  });

  describe("through the spool to Flashduty (simulator)", function () {
    this.timeout(60_000);
    let sim: FlashdutySimulator;
    let dir: string;
    let receiver: Receiver | undefined;
    beforeEach(async () => {
      sim = await FlashdutySimulator.start();
      dir = tempDir();
    });
    afterEach(async () => {
      await receiver?.close();
      await sim.stop();
      await removeDir(dir);
    });

    it("a replay after a restart sends the original event_time", async () => {
      const pushUrl = await standardPushUrl(sim);
      const start = async () =>
        (receiver = await createReceiver({
          port: 0,
          spoolDir: dir,
          token: TOKEN,
          pushUrl,
          logSink: captureLogs().sink,
          backoffBaseMs: 20,
          backoffMaxMs: 100,
          ratePerMinute: 0,
        }));
      await start();
      sim.inject({ kind: "5xx" }, 100_000, "/event/push"); // Flashduty down: everything stays spooled
      const before = Math.floor(Date.now() / 1000);
      const path = `/v1/aliyun?token=${TOKEN}`;
      // One event without a time of its own (accepted time), one with (the push sample's).
      for (const body of [F.ALIYUN_SUBSCRIPTION_EVENT, F.ALIYUN_PUSH_CHANNEL_TRIGGERED])
        assert.equal((await post(receiver!.url, path, body)).status, 202);
      const after = Math.floor(Date.now() / 1000);
      await waitFor(() => sim.requests.length > 2, 10_000, "failing attempts");
      await receiver!.close();
      // Let the clock move on by more than a second, so a replay stamped "now" would differ.
      await new Promise((r) => setTimeout(r, 1_200));
      sim.reset();
      const replayUrl = await standardPushUrl(sim);
      receiver = await createReceiver({
        port: 0,
        spoolDir: dir,
        token: TOKEN,
        pushUrl: replayUrl,
        logSink: captureLogs().sink,
        ratePerMinute: 0,
      });
      const replayedAt = Math.floor(Date.now() / 1000);
      await receiver.whenIdle();
      assert.equal(sim.pushed.length, 2);
      const byFormat = new Map(
        sim.pushed.map((p) => [p.body.labels.format as string, p.body.event_time as number]),
      );
      const accepted = byFormat.get("aliyun-event")!;
      assert.ok(
        accepted >= before && accepted <= after,
        `${accepted} not in [${before}, ${after}]`,
      );
      assert.ok(accepted < replayedAt, "the replay kept the accepted time");
      assert.equal(byFormat.get("aliyun-push-channel"), 1704780333);
    });

    it("a record spooled without event_time (an older receiver) is sent with its accepted time", async () => {
      const before = Math.floor(Date.now() / 1000);
      const { spool } = await Spool.open(dir);
      const { event_time: _dropped, ...olderBody } = one("volcengine", F.VOLC_EVENT);
      assert.equal(_dropped !== undefined, true, "the fixture maps with an event_time");
      await spool.append([{ source: "volcengine", format: "volcengine-event", body: olderBody }]);
      await spool.close();
      const after = Math.floor(Date.now() / 1000);
      // Let the clock move on by more than a second, so a body stamped "now" would differ.
      await new Promise((r) => setTimeout(r, 1_200));
      receiver = await createReceiver({
        port: 0,
        spoolDir: dir,
        token: TOKEN,
        pushUrl: await standardPushUrl(sim),
        logSink: captureLogs().sink,
        ratePerMinute: 0,
      });
      const sentFrom = Math.floor(Date.now() / 1000);
      await receiver.whenIdle();
      assert.equal(sim.pushed.length, 1);
      const sent = sim.pushed[0].body.event_time as number;
      assert.ok(sent >= before && sent <= after, `${sent} not in [${before}, ${after}]`);
      assert.ok(sent < sentFrom, "the replay kept the accepted time");
    });
  });
});

import { strict as assert } from "node:assert";
import { parseBody } from "../../receiver/body";
import { mapBody } from "../../receiver/formats";
import { parseDimensions } from "../../receiver/formats/aliyun-threshold";
import { LIMITS, buildBody, literalTitle, mapSeverity } from "../../receiver/mapping";
import type { CloudSource } from "../../receiver/model";
import { UnmappableEventError } from "../../receiver/model";
import { EXPECTED, RECEIVED_AT_MS } from "./expected-bodies";
import * as F from "./fixtures";

function map(source: CloudSource, body: string | object) {
  const raw = Buffer.from(typeof body === "string" ? body : JSON.stringify(body));
  return mapBody(
    source,
    parseBody(raw, typeof body === "string" ? "form" : "json"),
    RECEIVED_AT_MS,
  );
}
const bodies = (source: CloudSource, body: string | object) => map(source, body).map((e) => e.body);

describe("receiver formats → Flashduty standard alert bodies", () => {
  const cases: Array<[keyof typeof EXPECTED, CloudSource, string | object, string]> = [
    ["ALIYUN_THRESHOLD_DOC_SAMPLE", "aliyun", F.ALIYUN_THRESHOLD_DOC_SAMPLE, "aliyun-threshold"],
    ["ALIYUN_THRESHOLD_NEW_FIRING", "aliyun", F.ALIYUN_THRESHOLD_NEW_FIRING, "aliyun-threshold"],
    [
      "ALIYUN_THRESHOLD_NEW_RECOVERY",
      "aliyun",
      F.ALIYUN_THRESHOLD_NEW_RECOVERY,
      "aliyun-threshold",
    ],
    ["ALIYUN_SYSTEM_EVENT", "aliyun", F.ALIYUN_SYSTEM_EVENT, "aliyun-event"],
    [
      "ALIYUN_SYSTEM_EVENT_STRING_CONTENT",
      "aliyun",
      F.ALIYUN_SYSTEM_EVENT_STRING_CONTENT,
      "aliyun-event",
    ],
    ["ALIYUN_SUBSCRIPTION_EVENT", "aliyun", F.ALIYUN_SUBSCRIPTION_EVENT, "aliyun-event"],
    ["ALIYUN_CMS2_FIRING", "aliyun", F.ALIYUN_CMS2_FIRING, "aliyun-cms2"],
    ["ALIYUN_CMS2_RESOLVED", "aliyun", F.ALIYUN_CMS2_RESOLVED, "aliyun-cms2"],
    [
      "ALIYUN_PUSH_CHANNEL_TRIGGERED",
      "aliyun",
      F.ALIYUN_PUSH_CHANNEL_TRIGGERED,
      "aliyun-push-channel",
    ],
    [
      "ALIYUN_PUSH_CHANNEL_TRIGGERED",
      "aliyun",
      F.aliyunPushChannelForm(F.ALIYUN_PUSH_CHANNEL_TRIGGERED),
      "aliyun-push-channel",
    ],
    [
      "ALIYUN_PUSH_CHANNEL_RESOLVED",
      "aliyun",
      F.ALIYUN_PUSH_CHANNEL_RESOLVED,
      "aliyun-push-channel",
    ],
    [
      "ALIYUN_PUSH_CHANNEL_RESOLVED",
      "aliyun",
      F.aliyunPushChannelForm(F.ALIYUN_PUSH_CHANNEL_RESOLVED),
      "aliyun-push-channel",
    ],
    ["VOLC_EVENT", "volcengine", F.VOLC_EVENT, "volcengine-event"],
    ["VOLC_METRIC_FIRING", "volcengine", F.VOLC_METRIC_FIRING, "volcengine-metric"],
    ["VOLC_METRIC_RECOVERED", "volcengine", F.VOLC_METRIC_RECOVERED, "volcengine-metric"],
    ["VOLC_METRIC_NODATA", "volcengine", F.VOLC_METRIC_NODATA, "volcengine-metric"],
    [
      "VOLC_METRIC_NODATA_RECOVERED",
      "volcengine",
      F.VOLC_METRIC_NODATA_RECOVERED,
      "volcengine-metric",
    ],
  ];
  for (const [name, source, body, format] of cases) {
    const encoding = typeof body === "string" ? "form" : "JSON";
    it(`${name} (${encoding}) maps to the exact expected body (${format})`, () => {
      const events = map(source, body);
      assert.deepEqual(
        events.map((e) => e.body),
        EXPECTED[name],
      );
      assert.ok(events.every((e) => e.format === format));
    });
  }

  it("recovery pairs share the firing event's alert_key, and different conditions do not", () => {
    const key = (s: CloudSource, b: string | object, i = 0) => bodies(s, b)[i]?.alert_key;
    const fire = key("aliyun", F.ALIYUN_THRESHOLD_NEW_FIRING);
    assert.equal(key("aliyun", F.ALIYUN_THRESHOLD_NEW_RECOVERY), fire);
    assert.equal(bodies("aliyun", F.ALIYUN_THRESHOLD_NEW_RECOVERY)[0]?.event_status, "Ok");
    assert.equal(key("aliyun", F.ALIYUN_CMS2_RESOLVED), key("aliyun", F.ALIYUN_CMS2_FIRING));
    assert.equal(
      key("volcengine", F.VOLC_METRIC_RECOVERED),
      key("volcengine", F.VOLC_METRIC_FIRING, 0),
    );
    assert.notEqual(
      key("volcengine", F.VOLC_METRIC_FIRING, 0),
      key("volcengine", F.VOLC_METRIC_FIRING, 1),
    );
    assert.equal(
      key("volcengine", F.VOLC_METRIC_NODATA_RECOVERED),
      key("volcengine", F.VOLC_METRIC_NODATA),
    );
    assert.notEqual(
      key("volcengine", F.VOLC_METRIC_NODATA),
      key("volcengine", F.VOLC_METRIC_FIRING),
    );
    // An escalation WARN → CRITICAL and INSUFFICIENT_DATA keep the alert (same key, new status).
    const escalated = new URLSearchParams(F.ALIYUN_THRESHOLD_NEW_FIRING);
    escalated.set("triggerLevel", "CRITICAL");
    escalated.set("preTriggerLevel", "INFO");
    assert.equal(key("aliyun", escalated.toString()), fire);
    assert.equal(bodies("aliyun", escalated.toString())[0]?.event_status, "Critical");
    const nodata = new URLSearchParams(F.ALIYUN_THRESHOLD_NEW_FIRING);
    nodata.set("alertState", "INSUFFICIENT_DATA");
    assert.equal(key("aliyun", nodata.toString()), fire);
    assert.equal(bodies("aliyun", nodata.toString())[0]?.event_status, "Info");
  });

  it("accepts the threshold fields as JSON too", () => {
    const json = Object.fromEntries(new URLSearchParams(F.ALIYUN_THRESHOLD_NEW_FIRING));
    assert.deepEqual(bodies("aliyun", json), EXPECTED.ALIYUN_THRESHOLD_NEW_FIRING);
  });

  it("maps a JSON array of Aliyun events (batched subscription push) element by element", () => {
    const out = bodies("aliyun", [F.ALIYUN_SYSTEM_EVENT, F.ALIYUN_CMS2_FIRING]);
    assert.deepEqual(out, [...EXPECTED.ALIYUN_SYSTEM_EVENT!, ...EXPECTED.ALIYUN_CMS2_FIRING!]);
    assert.throws(() => map("aliyun", [F.ALIYUN_SYSTEM_EVENT, { x: 1 }]), /element 1/);
  });

  it("maps severities per source, case-insensitively", () => {
    const table: Array<[string | undefined, string]> = [
      ["CRITICAL", "Critical"],
      ["WARNING", "Warning"],
      ["WARN", "Warning"],
      ["INFO", "Info"],
      ["NODATA", "Info"],
      ["INSUFFICIENT_DATA", "Info"],
      ["critical", "Critical"],
      ["Warning", "Warning"],
      ["notice", "Info"],
      ["Notice", "Info"],
      ["FATAL", "Warning"], // unknown → Warning (documented)
      [undefined, "Warning"],
    ];
    for (const [level, status] of table) assert.equal(mapSeverity(level), status, String(level));
    for (const level of ["CRITICAL", "WARNING", "WARN", "INFO"]) {
      const out = bodies("aliyun", { ...F.ALIYUN_SUBSCRIPTION_EVENT, level });
      assert.equal(out[0]?.event_status, mapSeverity(level));
    }
    for (const [levels, status] of [
      [["notice"], "Info"],
      [["Warning", "notice"], "Warning"],
      [["NOTICE", "CRITICAL", "warning"], "Critical"],
    ] as const) {
      const rules = levels.map((Level, i) => ({ RuleId: `${i}`, RuleName: `r${i}`, Level }));
      assert.equal(
        bodies("volcengine", { ...F.VOLC_EVENT, Rules: rules })[0]?.event_status,
        status,
      );
    }
  });

  it("keeps cloud text literal in title_rule: no $ templates, no [TPL] prefix", () => {
    assert.equal(
      literalTitle("[TPL]${resource} / {{.Labels.x}}"),
      "(TPL)＄{resource} / {{.Labels.x}}",
    );
    assert.equal(literalTitle("cpu $Average>=95"), "cpu ＄Average>=95");
    const tricky = new URLSearchParams(F.ALIYUN_THRESHOLD_NEW_FIRING);
    tricky.set("alertName", "[TPL]${resource} high");
    const out = bodies("aliyun", tricky.toString())[0]!;
    assert.equal(out.title_rule, "(TPL)＄{resource} high - web-01");
    assert.equal(out.labels.rule, "[TPL]${resource} high"); // labels and description keep the original
    assert.match(out.description, /expression: \$Average>80/);
  });

  it("fits every Flashduty limit: truncates and sanitises, never rejects", () => {
    const long = "x".repeat(5000);
    const labels: Array<[string, string]> = Array.from({ length: 80 }, (_, i) => [
      `9 bad-key.${i}${"k".repeat(200)}`,
      long,
    ]);
    const body = buildBody({
      cloud: "aliyun",
      status: "Warning",
      key: "k",
      title: long,
      details: [["d", long]],
      labels: [["rule", long]],
      extraLabels: labels,
    });
    assert.equal(body.title_rule.length, LIMITS.title);
    assert.equal(body.description.length, LIMITS.description);
    const names = Object.keys(body.labels);
    assert.equal(names.length, LIMITS.labels);
    assert.equal(names[0], "cloud");
    assert.equal(names[1], "rule");
    for (const n of names) {
      assert.match(n, /^[a-zA-Z_][a-zA-Z0-9_]*$/);
      assert.ok(n.length <= LIMITS.labelKey);
      assert.ok((body.labels[n] as string).length <= LIMITS.labelValue);
    }
    // Truncation never splits a surrogate pair.
    const emoji = buildBody({
      cloud: "aliyun",
      status: "Info",
      key: "k",
      title: "😀".repeat(400),
      details: [],
      labels: [],
    });
    assert.ok(emoji.title_rule.length <= LIMITS.title);
    assert.doesNotThrow(() => encodeURIComponent(emoji.title_rule));
  });

  it("parses Aliyun dimension strings, including the doc sample's stray bracket", () => {
    assert.deepEqual(parseDimensions("{userId=12****), instanceId=i-12****}"), [
      ["userId", "12****"],
      ["instanceId", "i-12****"],
    ]);
    assert.deepEqual(parseDimensions("{}"), []);
    assert.deepEqual(parseDimensions(undefined), []);
  });

  it("rejects well-formed but unrecognised bodies with the accepted formats", () => {
    for (const [source, body] of [
      ["aliyun", { hello: "world" }],
      ["aliyun", "a=1&b=2"],
      ["volcengine", { Type: "Something" }],
      ["volcengine", F.ALIYUN_SYSTEM_EVENT],
      ["aliyun", []],
    ] as const) {
      assert.throws(
        () => map(source, body),
        (err: unknown) => err instanceof UnmappableEventError && /accepted|empty/.test(err.message),
      );
    }
    assert.throws(
      () => map("volcengine", { ...F.VOLC_METRIC_FIRING, Resources: [] }),
      /lists no resources/,
    );
  });
});

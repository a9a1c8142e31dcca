import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import {
  EVENT_RULE,
  METRICS_URL,
  PUSH_URL,
  byType,
  installMocks,
  recorded,
  resolve,
} from "./support";

type AliyunModule = typeof import("../../components/aliyun");
type Args = import("../../components/aliyun").AliyunEventPushArgs;
type Policy = import("../../components/aliyun").EventSubscriptionPolicy;
type Alarm = import("../../components/aliyun").MetricAlarmRule;

const policy = (over: Record<string, unknown> = {}): Policy =>
  ({ name: "p1", product: "ecs", ...over }) as Policy;
const alarm = (over: Record<string, unknown> = {}): Alarm =>
  ({
    name: "a1",
    project: "acs_ecs_dashboard",
    metric: "CPUUtilization",
    contactGroups: ["sre"],
    dimensions: [{ instanceId: "i-1" }],
    escalations: { critical: { statistics: "Average", comparisonOperator: ">", threshold: 90 } },
    ...over,
  }) as Alarm;
const events = (...policies: Policy[]): Args => ({
  pushUrl: PUSH_URL,
  subscriptionPolicies: policies,
});
const metrics = (...alarms: Alarm[]): Args => ({
  metricsPushUrl: METRICS_URL,
  metricAlarms: alarms,
});

describe("aliyun/AliyunEventPush validation", () => {
  let aliyun: AliyunModule;

  before(async () => {
    installMocks();
    aliyun = await import("../../components/aliyun");
  });
  beforeEach(() => installMocks());

  /** Constructs, expects a validation error with exactly these problems (one regex each). */
  function expectProblems(args: Args, expected: RegExp[]): string[] {
    let problems: readonly string[] | undefined;
    assert.throws(
      () => new aliyun.AliyunEventPush("bad", args),
      (e: unknown) => {
        assert.ok(e instanceof aliyun.AliyunEventPushValidationError, String(e));
        problems = e.problems;
        assert.match(e.message, /AliyunEventPush "bad": \d+ invalid argument/);
        return true;
      },
    );
    const got = problems ?? [];
    for (const re of expected)
      assert.ok(
        got.some((p) => re.test(p)),
        `no problem matches ${re}; got:\n${got.join("\n")}`,
      );
    assert.equal(got.length, expected.length, `problems:\n${got.join("\n")}`);
    // Nothing at all was registered: not the component, not a child.
    assert.equal(recorded.length, 0);
    return [...got];
  }

  const cases: [string, Args, RegExp[]][] = [
    ["nothing declared", {}, [/subscriptionPolicies \/ metricAlarms: nothing declared/]],
    [
      "an unknown event type",
      events(policy({ eventTypes: ["Exception", "Fault"] })),
      [
        /subscriptionPolicies\[0\]\.eventTypes\[1\]: "Fault" is not valid; use one of StatusNotification, Exception, Maintenance, \*/,
      ],
    ],
    [
      "level WARNING (CloudMonitor says WARN)",
      events(policy({ levels: ["WARNING"] })),
      [
        /levels\[0\]: "WARNING" is not valid \(CloudMonitor event rules use WARN\); use one of CRITICAL, WARN, INFO, \*/,
      ],
    ],
    [
      "'*' mixed with specific levels",
      events(policy({ levels: ["*", "INFO"] })),
      [/levels: "\*" already means all/],
    ],
    ["an empty level list", events(policy({ levels: [] })), [/levels: must be a non-empty list/]],
    [
      "more than 50 event names",
      events(policy({ eventNames: Array.from({ length: 51 }, (_, i) => `E${i}`) })),
      [/eventNames: has 51 entries; CloudMonitor accepts at most 50/],
    ],
    [
      "an empty event name",
      events(policy({ eventNames: ["Instance:StateChange", " "] })),
      [/eventNames\[1\]: must be a non-empty string/],
    ],
    [
      "a missing product",
      events(policy({ product: "" })),
      [/\[0\]\.product: is required; name the cloud service/],
    ],
    [
      "an empty sqlFilter",
      events(policy({ sqlFilter: "" })),
      [/sqlFilter: must be a non-empty string when given/],
    ],
    [
      "a rule name with spaces",
      events(policy({ name: "prod ecs" })),
      [/\[0\]\.name: "prod ecs" is not allowed; use 1-64 characters/],
    ],
    [
      "a rule name starting with a digit",
      events(policy({ name: "1prod" })),
      [/\[0\]\.name: "1prod" is not allowed/],
    ],
    [
      "a 65-character rule name",
      events(policy({ name: "a".repeat(65) })),
      [/\[0\]\.name: "a{65}" is not allowed/],
    ],
    ["a missing rule name", events(policy({ name: undefined })), [/\[0\]\.name: is required/]],
    [
      "duplicate policy names",
      events(policy({ name: "same" }), policy({ name: "other" }), policy({ name: "same" })),
      [/subscriptionPolicies\[2\]\.name: "same" is already used by subscriptionPolicies\[0\]/],
    ],
    [
      "event silence time 0",
      events(policy({ silenceTime: 0 })),
      [/silenceTime: 0 is out of range; use a whole number of seconds from 1 to 86400/],
    ],
    [
      "event silence time 86401",
      events(policy({ silenceTime: 86401 })),
      [/silenceTime: 86401 is out of range/],
    ],
    [
      "event silence time 1.5",
      events(policy({ silenceTime: 1.5 })),
      [/silenceTime: 1.5 is out of range/],
    ],
    [
      "enabled as a string",
      events(policy({ enabled: "yes" })),
      [/enabled: "yes" is not a boolean; use true or false/],
    ],
    [
      "a missing pushUrl",
      { subscriptionPolicies: [policy()] },
      [
        /pushUrl: is required when subscriptionPolicies are declared; pass the push URL of the Flashduty "Alibaba Cloud CM Event" integration/,
      ],
    ],
    [
      "an http pushUrl",
      {
        ...events(policy()),
        pushUrl: "http://api.flashcat.cloud/event/push?integration_key=abc123secret",
      },
      [/pushUrl: uses scheme "http" but must use https/],
    ],
    [
      "an http loopback pushUrl (no test exception)",
      { ...events(policy()), pushUrl: "http://127.0.0.1:8080/push" },
      [/pushUrl: uses scheme "http" but must use https/],
    ],
    [
      "an https loopback pushUrl",
      { ...events(policy()), pushUrl: "https://localhost/push" },
      [/pushUrl: points at a loopback host, which CloudMonitor cannot reach/],
    ],
    [
      "a relative pushUrl",
      { ...events(policy()), pushUrl: "/event/push" },
      [/pushUrl: is not an absolute URL/],
    ],
    [
      "a pushUrl with credentials",
      { ...events(policy()), pushUrl: "https://user:pw@example.com/push" },
      [/pushUrl: must not contain user:password@ credentials/],
    ],
    [
      "six webhook targets on one rule",
      events(
        policy({
          additionalWebhookUrls: Array.from({ length: 5 }, (_, i) => `https://r${i}.example.com/x`),
        }),
      ),
      [
        /additionalWebhookUrls: 5 given, but a rule holds at most 5 webhook targets including pushUrl; keep at most 4/,
      ],
    ],
    [
      "an http additional webhook",
      events(
        policy({ additionalWebhookUrls: ["https://ok.example.com/x", "http://r.example.com/x"] }),
      ),
      [/subscriptionPolicies\[0\]\.additionalWebhookUrls\[1\]: uses scheme "http"/],
    ],
    [
      "a webhook target listed twice",
      events(policy({ additionalWebhookUrls: ["https://r.example.com/x", PUSH_URL] })),
      [/additionalWebhookUrls\[1\]: repeats another webhook target of this rule/],
    ],
    [
      "a null policy",
      events(null as unknown as Policy),
      [/subscriptionPolicies\[0\]: must be an object/],
    ],
    [
      "a missing metricsPushUrl",
      { metricAlarms: [alarm()] },
      [
        /metricsPushUrl: is required when metricAlarms are declared; pass the push URL of the Flashduty "Alibaba Cloud CM Metrics" integration/,
      ],
    ],
    [
      "an http metricsPushUrl",
      { ...metrics(alarm()), metricsPushUrl: "http://x.example.com/m" },
      [/metricsPushUrl: uses scheme "http"/],
    ],
    [
      "an alarm without escalations",
      metrics(alarm({ escalations: {} })),
      [/metricAlarms\[0\]\.escalations: none given/],
    ],
    [
      "a bad comparison operator",
      metrics(
        alarm({
          escalations: { warn: { statistics: "Average", comparisonOperator: "=>", threshold: 1 } },
        }),
      ),
      [/escalations\.warn\.comparisonOperator: "=>" is not valid; use one of >, >=/],
    ],
    [
      "the API's operator name instead of the provider's symbol",
      metrics(
        alarm({
          escalations: {
            critical: {
              statistics: "Average",
              comparisonOperator: "GreaterThanOrEqualToThreshold",
              threshold: 1,
            },
          },
        }),
      ),
      [
        /critical\.comparisonOperator: "GreaterThanOrEqualToThreshold" is not valid \(write >=\); use one of/,
      ],
    ],
    [
      "a non-numeric threshold",
      metrics(
        alarm({
          escalations: {
            info: { statistics: "Average", comparisonOperator: ">", threshold: "high" },
          },
        }),
      ),
      [/escalations\.info\.threshold: "high" is not a number/],
    ],
    [
      "escalation times 0 and missing statistics",
      metrics(
        alarm({
          escalations: {
            critical: { statistics: "", comparisonOperator: ">", threshold: 1, times: 0 },
          },
        }),
      ),
      [
        /critical\.times: 0 is invalid; use a whole number of periods/,
        /critical\.statistics: is required/,
      ],
    ],
    [
      "no contact groups",
      metrics(alarm({ contactGroups: [] })),
      [/contactGroups: is required; list at least one alarm contact group/],
    ],
    [
      "empty dimensions",
      metrics(alarm({ dimensions: [] })),
      [/dimensions: is required; list the watched resources/],
    ],
    [
      "an empty dimension map",
      metrics(alarm({ dimensions: [{ instanceId: "i-1" }, {}] })),
      [/dimensions\[1\]: must be a non-empty map/],
    ],
    [
      "acs_prometheus",
      metrics(alarm({ project: "acs_prometheus" })),
      [/project: acs_prometheus rules need PromQL/],
    ],
    ["a missing metric", metrics(alarm({ metric: undefined })), [/metric: is required/]],
    [
      "alarm silence time 299",
      metrics(alarm({ silenceTime: 299 })),
      [/silenceTime: 299 is out of range; use a whole number of seconds from 300 to 86400/],
    ],
    ["period 0", metrics(alarm({ period: 0 })), [/period: 0 is invalid/]],
    [
      "a bad effective interval",
      metrics(alarm({ effectiveInterval: "9-17" })),
      [/effectiveInterval: "9-17" is invalid; use "hh:mm-hh:mm"/],
    ],
    [
      "duplicate alarm names",
      metrics(alarm({ name: "cpu" }), alarm({ name: "cpu" })),
      [/metricAlarms\[1\]\.name: "cpu" is already used by metricAlarms\[0\]/],
    ],
  ];

  for (const [title, args, expected] of cases)
    it(`rejects ${title}`, () => {
      expectProblems(args, expected);
    });

  it("reports every bad field at once, across policies and alarms", () => {
    const problems = expectProblems(
      {
        pushUrl: "http://x.example.com/p",
        subscriptionPolicies: [
          policy({ name: "bad name", levels: ["WARNING"] }),
          policy({ name: "ok", product: "", silenceTime: -1 }),
        ],
        metricAlarms: [alarm({ contactGroups: [], effectiveInterval: "x" })],
      },
      [
        /pushUrl: uses scheme "http"/,
        /metricsPushUrl: is required/,
        /subscriptionPolicies\[0\]\.name/,
        /subscriptionPolicies\[0\]\.levels\[0\]/,
        /subscriptionPolicies\[1\]\.product/,
        /subscriptionPolicies\[1\]\.silenceTime/,
        /metricAlarms\[0\]\.contactGroups/,
        /metricAlarms\[0\]\.effectiveInterval/,
      ],
    );
    // Each problem names its field first and says how to fix it.
    for (const p of problems) assert.match(p, /^[A-Za-z][\w.[\]]*( \/ \w+)?: .+(; |use )/);
  });

  it("warns (does not fail) when a URL is given for a kind of rule that is not declared", async () => {
    const warned: string[] = [];
    const original = console.warn;
    console.warn = (msg: unknown) => void warned.push(String(msg));
    try {
      const c = new aliyun.AliyunEventPush("unused", {
        ...metrics(alarm()),
        pushUrl: PUSH_URL,
      });
      await resolve(c.alarmIds);
      installMocks();
      const d = new aliyun.AliyunEventPush("unused2", {
        ...events(policy()),
        metricsPushUrl: METRICS_URL,
      });
      await resolve(d.eventRuleNames);
    } finally {
      console.warn = original;
    }
    assert.ok(
      warned.some((w) => /pushUrl is set but no subscriptionPolicies are declared/.test(w)),
    );
    assert.ok(warned.some((w) => /metricsPushUrl is set but no metricAlarms are declared/.test(w)));
    assert.ok(warned.every((w) => !/integration_key/.test(w)));
  });

  it("validateAliyunEventPushArgs reports the same problems without registering anything", () => {
    assert.doesNotThrow(() => aliyun.validateAliyunEventPushArgs("ok", events(policy())));
    assert.throws(
      () =>
        aliyun.validateAliyunEventPushArgs("cfg", {
          ...events(policy({ levels: ["WARNING"] })),
          ...metrics(alarm({ silenceTime: 10 })),
        }),
      (e: unknown) => {
        assert.ok(e instanceof aliyun.AliyunEventPushValidationError);
        assert.equal(e.problems.length, 2);
        assert.match(
          e.message,
          /^AliyunEventPush "cfg": 2 invalid argument\(s\):\n  - subscriptionPolicies\[0\]\.levels\[0\]/,
        );
        return true;
      },
    );
    assert.equal(recorded.length, 0);
  });

  it("never puts a push URL (it holds the integration key) into an error", () => {
    const secretKey = "integration_key=abcdef0123456789secret";
    for (const url of [
      `http://api.example.com/push?${secretKey}`,
      `not a url ${secretKey}`,
      `https://localhost/?${secretKey}`,
    ]) {
      installMocks();
      assert.throws(
        () => new aliyun.AliyunEventPush("bad", { ...events(policy()), pushUrl: url }),
        (e: unknown) => {
          assert.ok(e instanceof aliyun.AliyunEventPushValidationError);
          assert.doesNotMatch(e.message, /abcdef0123456789secret/);
          return true;
        },
      );
    }
  });

  it("checks Output values once they resolve, and the bad rule never reaches the provider", async () => {
    // Swap the unhandled-rejection listeners for a collector: a failed resource registration
    // surfaces as rejections of the rule's outputs (the engine turns them into a failed update).
    const saved = process.listeners("unhandledRejection");
    process.removeAllListeners("unhandledRejection");
    const seen: unknown[] = [];
    process.on("unhandledRejection", (reason) => seen.push(reason));
    try {
      const c = new aliyun.AliyunEventPush("late", {
        pushUrl: pulumi.output("http://x.example.com/p?integration_key=lateSecret0001"),
        subscriptionPolicies: [
          policy({ name: "late-bad", levels: pulumi.output(["WARNING"]) }),
          policy({ name: "fine" }),
        ],
      });
      // Each late check fails on its own: wait (bounded) until both problems have been reported,
      // rather than for a fixed time that a loaded machine may overrun.
      const reported = () =>
        seen
          .filter((e) => e instanceof aliyun.AliyunEventPushValidationError)
          .map((e) => (e as Error).message)
          .join("\n");
      for (
        let waited = 0;
        !(/pushUrl: uses scheme/.test(reported()) && /levels\[0\]/.test(reported())) &&
        waited < 10_000;
        waited += 50
      )
        await new Promise((r) => setTimeout(r, 50));
      const errors = seen.filter((e) => e instanceof aliyun.AliyunEventPushValidationError);
      assert.ok(
        errors.length > 0,
        `expected a validation error, saw ${seen.map(String).join("; ")}`,
      );
      const messages = errors.map((e) => (e as Error).message).join("\n");
      assert.match(messages, /pushUrl: uses scheme "http"/);
      assert.match(messages, /subscriptionPolicies\[0\]\.levels\[0\]: "WARNING" is not valid/);
      assert.doesNotMatch(messages, /lateSecret0001/);
      assert.equal(c.eventRules.length, 2);
      // Both rules use the bad pushUrl, so neither registration reached the (mock) provider.
      assert.equal(byType(EVENT_RULE).length, 0);
    } finally {
      process.removeAllListeners("unhandledRejection");
      for (const l of saved) process.on("unhandledRejection", l);
    }
  });
});

describe("aliyun/AliyunEventPush validation with values unknown at preview", () => {
  let aliyun: AliyunModule;
  let alicloud: typeof import("@pulumi/alicloud");

  before(async () => {
    installMocks(true);
    aliyun = await import("../../components/aliyun");
    alicloud = await import("@pulumi/alicloud");
  });
  beforeEach(() => installMocks(true));

  /** An Output that stays unknown during preview (a mock resource's id). */
  function unknownString(): pulumi.Output<string> {
    return new alicloud.cms.MonitorGroup(`g${Math.random()}`, { monitorGroupName: "g" }).id;
  }

  it("still reports the other fields' problems when some values are unknown", () => {
    assert.throws(
      () =>
        new aliyun.AliyunEventPush("prev", {
          pushUrl: unknownString(),
          subscriptionPolicies: [policy({ product: unknownString(), levels: ["WARNING"] })],
        }),
      (e: unknown) => {
        assert.ok(e instanceof aliyun.AliyunEventPushValidationError);
        assert.deepEqual(
          e.problems.map((p) => p.split(":")[0]),
          ["subscriptionPolicies[0].levels[0]"],
        );
        return true;
      },
    );
  });

  it("accepts unknown values during preview and registers the rule", async () => {
    const c = new aliyun.AliyunEventPush("prev", {
      pushUrl: unknownString(),
      subscriptionPolicies: [policy({ name: "with-unknowns", product: unknownString() })],
    });
    assert.deepEqual(await resolve(c.eventRuleNames), ["with-unknowns"]);
    const [rule] = byType(EVENT_RULE);
    assert.equal(rule.inputs.ruleName, "with-unknowns");
  });
});

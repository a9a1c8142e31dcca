import { strict as assert } from "node:assert";
import { ConfigError, parseWiringConfig } from "../../program/config";

function problemsOf(raw: Record<string, unknown>): string[] {
  try {
    parseWiringConfig(raw);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return err.problems;
  }
  assert.fail("expected the configuration to be rejected");
}

const minimal = { flashduty: { routing: { style: "private", channel: 42 } } };

describe("program/config", () => {
  it("accepts a minimal private-routing stack", () => {
    const cfg = parseWiringConfig(minimal);
    assert.equal(cfg.flashduty.routing?.style, "private");
    assert.equal(cfg.flashduty.routing?.channel, 42);
  });

  it("reports a missing flashduty section with where to look", () => {
    const problems = problemsOf({});
    assert.equal(problems.length, 1);
    assert.match(problems[0], /^flashduty-wiring:flashduty: /);
  });

  it("reports every problem at once, each with its key path", () => {
    const problems = problemsOf({
      enviroment: "prod",
      flashduty: {
        routing: { style: "shared", cases: [{ if: [{ key: "severity", oper: "EQ", vals: [] }] }] },
        colour: "red",
      },
      aliyun: { enabled: true, delivery: "email" },
      volcengine: { enabled: "yes", delivery: "receiver" },
    });
    const text = problems.join("\n");
    assert.match(text, /flashduty-wiring:enviroment: unknown key/);
    assert.match(text, /flashduty-wiring:flashduty: unknown key `colour`/);
    assert.match(text, /flashduty\.routing\.cases\[0\]\.if\[0\]\.oper: use IN or NOTIN/);
    assert.match(text, /flashduty\.routing\.cases\[0\]\.if\[0\]\.vals: list at least one value/);
    assert.match(text, /aliyun\.delivery: use `direct`/);
    assert.match(text, /volcengine\.enabled: expected true or false, got string "yes"/);
    assert.equal(problems.length, 6, text);
  });

  it("takes a documented multi-segment pushPath and refuses empty or dot segments", () => {
    const withPath = (pushPath: string) => ({
      flashduty: { ...minimal.flashduty, kinds: { "aliyun-cm-event": { pushPath } } },
    });
    assert.equal(
      parseWiringConfig(withPath("aws/cloudwatch")).flashduty.kinds?.["aliyun-cm-event"]?.pushPath,
      "aws/cloudwatch",
    );
    for (const bad of ["aws//cloudwatch", "aws/../x", "/aws", "aws/", "a b"]) {
      const problems = problemsOf(withPath(bad));
      assert.equal(problems.length, 1, bad);
      assert.match(problems[0], /flashduty\.kinds\.aliyun-cm-event\.pushPath: the push path after/);
    }
  });

  it("checks a console push URL against the configured push host (a simulator's http base too)", () => {
    const key = "0123456789abcdef0123456789abcdef100";
    const raw = (pushUrl: string) => ({
      flashduty: { kinds: { "standard-alert": { pushUrl } } },
    });
    const sim = `http://127.0.0.1:4000/event/push/alert/standard?integration_key=${key}`;
    parseWiringConfig(raw(sim), { pushBaseUrl: "http://127.0.0.1:4000" });
    const problems = problemsOf(raw(sim));
    assert.ok(problems.some((p) => /must start with https:\/\//.test(p)));
    assert.ok(problems.some((p) => /push host api\.flashcat\.cloud/.test(p)));
    assert.ok(problems.every((p) => !p.includes(key)));
    parseWiringConfig(
      raw(`https://api.flashcat.cloud/event/push/alert/aws/cloudwatch?integration_key=${key}`),
    );
    const notPush = problemsOf(
      raw(`https://api.flashcat.cloud/event/other?integration_key=${key}`),
    );
    assert.match(notPush.join("\n"), /path starting with \/event\/push\/alert\//);
    const noKey = problemsOf(raw("https://api.flashcat.cloud/event/push/alert/standard"));
    assert.match(noKey.join("\n"), /exactly one integration_key query parameter \(found 0\)/);
  });

  it("never echoes a push URL given at the wrong key", () => {
    const url =
      "https://api.flashcat.cloud/event/push/alert/standard?integration_key=0123456789abcdef0123456789abcdef100";
    const problems = problemsOf({ flashduty: { kinds: { "standard-alert": url } } });
    assert.match(
      problems.join("\n"),
      /flashduty\.kinds\.standard-alert: expected an object, got string \(a push URL: not shown/,
    );
    assert.ok(problems.every((p) => !p.includes("0123456789abcdef")));
  });

  it("keeps each Alibaba Cloud mode's keys to that mode (subscription is the default)", () => {
    const sub = problemsOf({
      ...minimal,
      aliyun: {
        enabled: true,
        delivery: "direct",
        workspace: "ws",
        notifyPolicies: [{ name: "a" }],
        subscriptionPolicies: [{ name: "r", product: "ecs" }],
        metricAlarms: [],
      },
    }).join("\n");
    assert.match(
      sub,
      /aliyun\.subscriptionPolicies: applies to mode event-rule, but aliyun\.mode is subscription \(the default\)/,
    );
    assert.match(sub, /aliyun\.metricAlarms: applies to mode event-rule/);
    const rule = problemsOf({
      ...minimal,
      aliyun: {
        enabled: true,
        delivery: "direct",
        mode: "event-rule",
        workspace: "ws",
        notifyPolicies: [],
        pushChannel: { name: "x" },
      },
    }).join("\n");
    for (const key of ["notifyPolicies", "workspace", "pushChannel"])
      assert.match(rule, new RegExp(`aliyun\\.${key}: applies to mode subscription`));
    assert.match(
      problemsOf({
        ...minimal,
        aliyun: { enabled: true, delivery: "direct", cmsEndpoint: "ftp://x" },
      }).join(),
      /aliyun\.cmsEndpoint: an http\(s\) URL/,
    );
    assert.match(
      problemsOf({
        ...minimal,
        aliyun: { enabled: true, delivery: "direct", mode: "rules" },
      }).join(),
      /aliyun\.mode: use `subscription`/,
    );
    const ok = parseWiringConfig({
      ...minimal,
      aliyun: {
        enabled: true,
        delivery: "direct",
        workspace: "ws",
        notifyPolicies: [{ name: "a", products: ["ECS"] }],
      },
    });
    assert.equal(ok.aliyun?.notifyPolicies?.[0].products?.[0], "ECS");
  });

  it("needs channels on a standard routing case", () => {
    const text = problemsOf({
      flashduty: {
        routing: {
          style: "shared",
          cases: [{ if: [{ key: "severity", oper: "IN", vals: ["Critical"] }] }],
        },
      },
    }).join("\n");
    assert.match(
      text,
      /flashduty\.routing\.cases\[0\]\.channels: a standard case needs `channels`/,
    );
  });

  it("refuses a shared integration with no route, since Flashduty drops its alerts", () => {
    const problems = problemsOf({ flashduty: { routing: { style: "shared" } } });
    assert.match(problems.join("\n"), /drops every alert: add `cases` or `default`/);
  });

  it("refuses private routing without a channel and with shared-only keys", () => {
    const text = problemsOf({
      flashduty: { routing: { style: "private", default: { channels: [1] } } },
    }).join("\n");
    assert.match(text, /routing\.channel: a private integration routes to one channel/);
    assert.match(text, /routing\.default: `default` applies to style shared only/);
  });

  it("checks channel references against the declared channels", () => {
    const text = problemsOf({
      flashduty: {
        channels: [
          { key: "sre", name: "SRE", teamId: 1 },
          { key: "sre", name: "SRE again", teamId: 1 },
        ],
        routing: { style: "shared", default: { channels: ["sre", "dba"] } },
      },
    }).join("\n");
    assert.match(text, /channels\[1\]\.key: `sre` is declared twice/);
    assert.match(text, /routing\.default\.channels\[1\]: channel `dba` is not declared/);
  });

  it("requires a receiver when a cloud delivers through it", () => {
    const text = problemsOf({
      ...minimal,
      volcengine: { enabled: true, delivery: "receiver" },
    }).join("\n");
    assert.match(text, /flashduty-wiring:receiver: a cloud has delivery: receiver/);
  });

  it("takes exactly one of receiver.url and receiver.stack", () => {
    const both = problemsOf({
      ...minimal,
      receiver: { url: "https://r.example.com", stack: "org/recv/prod" },
    });
    assert.match(both.join("\n"), /set exactly one of receiver\.url and receiver\.stack/);
    const badUrl = problemsOf({ ...minimal, receiver: { url: "ftp://r.example.com" } });
    assert.match(badUrl.join("\n"), /receiver\.url: an http\(s\) URL/);
  });

  it("checks Volcengine rules as the API does, before anything is created", () => {
    const problems = problemsOf({
      ...minimal,
      volcengine: {
        enabled: true,
        delivery: "direct",
        rules: [
          { ruleName: "1st-rule", eventSource: "ecs", level: "warning", description: "has spaces" },
          { ruleName: "ok-rule", eventSource: "ecs", level: "notice", eventTypes: ["*"] },
        ],
      },
    });
    const text = problems.join("\n");
    assert.match(text, /volcengine\.rules\[0\]\.ruleName: "1st-rule" starts with a digit/);
    assert.match(text, /volcengine\.rules\[0\]\.eventTypes: is required: .*Event Center/);
    assert.match(text, /volcengine\.rules\[0\]\.description: may contain only/);
    assert.match(
      text,
      /volcengine\.rules\[1\]\.eventTypes\[0\]: "\*" is not a Volcengine event type/,
    );
    assert.equal(problems.length, 4, text);
  });
});

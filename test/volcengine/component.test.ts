// VolcengineEventPush under Pulumi mocks: resource graph, parents, secrecy of the push URL,
// outputs, and validation before anything is created.

import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import type * as volcengine from "../../components/volcengine";
import { VolcengineSimulator } from "../simulators/volcengine";
import { configureRequest, errorOf, simConfig } from "./helpers";

const PUSH_URL =
  "https://api.flashcat.cloud/event/push/alert/volcengine?integration_key=COMPONENT-SECRET-KEY";

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  parent?: string;
}

function promiseOf<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => o.apply(resolve));
}

describe("VolcengineEventPush (mocks)", () => {
  let mod: typeof volcengine;
  const registered: Registered[] = [];

  before(async () => {
    await pulumi.runtime.setMocks(
      {
        newResource(args: pulumi.runtime.MockResourceArgs) {
          registered.push({ type: args.type, name: args.name, inputs: args.inputs });
          return { id: `${args.name}-id`, state: args.inputs };
        },
        call() {
          throw new Error("no invokes expected");
        },
      },
      "flashduty-wiring",
      "test",
      false,
    );
    mod = await import("../../components/volcengine");
  });
  beforeEach(() => {
    registered.length = 0;
  });

  function build(name: string, overrides: Partial<volcengine.VolcengineEventPushArgs> = {}) {
    return new mod.VolcengineEventPush(name, {
      pushUrl: PUSH_URL,
      rules: [
        {
          ruleName: "ECS disk errors",
          eventSource: "ecs",
          eventTypes: ["ecs:Disk:DiskError.Redeploy.Canceled"],
          level: "critical",
        },
        {
          ruleName: "RDS all",
          eventSource: "rds",
          eventTypes: ["ecs:Disk:DiskError.Redeploy.Executing"],
          level: "warning",
          enabled: false,
        },
      ],
      ...overrides,
    });
  }

  it("creates one callback and one rule per declared rule, parented to the component", async () => {
    const push = build("prod");
    const [callbackId, ruleIds] = await Promise.all([
      promiseOf(push.callbackId),
      promiseOf(push.ruleIds),
    ]);
    assert.equal(callbackId, "prod-callback-id");
    assert.deepEqual(ruleIds, ["prod-ECS_disk_errors-id", "prod-RDS_all-id"]);

    const types = registered.map((r) => `${r.type} ${r.name}`).sort();
    assert.deepEqual(types, [
      "flashduty-wiring:volcengine:VolcengineEventPush prod",
      "pulumi-nodejs:dynamic/volcengine:CallbackUrl prod-callback",
      "pulumi-nodejs:dynamic/volcengine:EventRule prod-ECS_disk_errors",
      "pulumi-nodejs:dynamic/volcengine:EventRule prod-RDS_all",
    ]);
    const componentUrn = await promiseOf(push.urn);
    for (const child of [push.callback, ...push.rules]) {
      const urn = await promiseOf(child.urn);
      assert.ok(
        urn.includes("flashduty-wiring:volcengine:VolcengineEventPush$"),
        `${urn} is under the component`,
      );
    }
    assert.ok(componentUrn.endsWith("::prod"));

    // Each rule delivers to the callback; defaults are left to the provider's check.
    const rule = registered.find((r) => r.name === "prod-ECS_disk_errors")!;
    assert.deepEqual(rule.inputs.webhookIds, ["prod-callback-id"]);
    assert.equal(rule.inputs.level, "critical");
    assert.deepEqual(await promiseOf(push.rules[1].webhookIds), ["prod-callback-id"]);
    assert.equal(await promiseOf(push.rules[1].enabled), false);
  });

  it("keeps the push URL secret in the callback's inputs and outputs, even when passed as plain text", async () => {
    const push = build("secrets");
    assert.equal(await pulumi.isSecret(push.callback.url), true);
    assert.equal(await promiseOf(push.callback.url), PUSH_URL);
    assert.equal(await promiseOf(push.callback.name), "Flashduty_Event");
    await promiseOf(push.ruleIds);
    const callback = registered.find(
      (r) => r.type === "pulumi-nodejs:dynamic/volcengine:CallbackUrl",
    )!;
    // The mock monitor receives secret inputs in Pulumi's secret envelope.
    const url = callback.inputs.url as Record<string, unknown>;
    assert.equal(url["4dabf18193072939515e22adb298388d"], "1b47061264138c4ac30d75fd1eb44270");
    assert.equal(url.value, PUSH_URL);
    // The serialized provider carries no secret (it is stored in plain state).
    const provider = String(callback.inputs.__provider);
    assert.match(provider, /exports\.handler/);
    assert.ok(!provider.includes("COMPONENT-SECRET-KEY"));
  });

  it("accepts Outputs (validated later by the providers) and keeps a secret Output URL secret", async () => {
    const push = build("secret-output", {
      pushUrl: pulumi.secret(pulumi.output(PUSH_URL)),
      rules: [
        {
          ruleName: "from outputs",
          eventSource: pulumi.output("ecs"),
          eventTypes: [pulumi.output("ecs:Instance:Stopped")],
          level: pulumi.output("warning" as volcengine.Level),
          effectiveTime: { startTime: pulumi.output("08:00"), endTime: "18:00" },
        },
      ],
    });
    assert.equal(await pulumi.isSecret(push.callback.url), true);
    assert.equal(await promiseOf(push.callback.url), PUSH_URL);
    assert.equal(await promiseOf(push.rules[0].eventSource), "ecs");
  });

  it("passes adoption ids through", async () => {
    const push = build("adopt", {
      callbackAdoptId: "1700000000001",
      callbackName: "Flashduty prod",
      rules: [
        {
          ruleName: "ECS",
          eventSource: "ecs",
          eventTypes: ["ecs:Disk:DiskError.Redeploy.Executing"],
          level: "notice",
          adoptId: "1700000000002",
        },
      ],
    });
    await promiseOf(push.ruleIds);
    const callback = registered.find((r) => r.name === "adopt-callback")!;
    assert.equal(callback.inputs.adoptId, "1700000000001");
    assert.equal(callback.inputs.name, "Flashduty prod");
    assert.equal(registered.find((r) => r.name === "adopt-ECS")!.inputs.adoptId, "1700000000002");
  });

  it("rejects bad arguments before creating anything, naming each field and fix", () => {
    assert.throws(
      () =>
        build("bad", {
          pushUrl: "http://api.flashcat.cloud/event/push?integration_key=COMPONENT-SECRET-KEY",
          callbackName: "",
          rules: [
            {
              ruleName: "ok",
              eventSource: "ecs",
              eventTypes: ["ecs:Disk:DiskError.Redeploy.Executing"],
              level: "fatal" as volcengine.Level,
              effectiveTime: { startTime: "7:00", endTime: "23:59" },
            },
            {
              ruleName: "ok",
              eventSource: "ecs",
              eventTypes: ["ecs:Disk:DiskError.Redeploy.Executing"],
              level: "notice",
            },
          ],
        }),
      (err: Error) => {
        assert.match(err.message, /pushUrl must use https:\/\//);
        assert.match(err.message, /callbackName is required/);
        assert.match(err.message, /rules\[0\]\.level must be one of notice, warning, critical/);
        assert.match(err.message, /rules\[0\]\.effectiveTime\.startTime must be 24-hour "HH:MM"/);
        assert.match(err.message, /rules\[1\]\.ruleName "ok" is used by an earlier rule/);
        assert.ok(!err.message.includes("COMPONENT-SECRET-KEY"), "the URL is never echoed");
        return true;
      },
    );
    assert.equal(registered.filter((r) => r.name.startsWith("bad")).length, 0);
    assert.throws(() => build("empty", { rules: [] }), /rules must list at least one event rule/);
    assert.throws(
      () =>
        build("dyn", {
          rules: [
            {
              ruleName: pulumi.output("x") as unknown as string,
              eventSource: "ecs",
              eventTypes: ["ecs:Disk:DiskError.Redeploy.Executing"],
              level: "notice",
            },
          ],
        }),
      /rules\[0\]\.ruleName must be a plain string/,
    );
    assert.equal(registered.length, 0);
  });

  it("serializes providers that work when loaded the way the dynamic-provider host loads them", async () => {
    const sim = await VolcengineSimulator.start();
    try {
      const push = build("serialized");
      await promiseOf(push.ruleIds);
      const load = (type: string) => {
        const text = String(registered.find((r) => r.type === type)!.inputs.__provider);
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const requireFromString = require("require-from-string") as (code: string) => {
          handler: () => pulumi.dynamic.ResourceProvider;
        };
        return requireFromString(text).handler();
      };
      const callbacks = load("pulumi-nodejs:dynamic/volcengine:CallbackUrl");
      const rules = load("pulumi-nodejs:dynamic/volcengine:EventRule");
      await callbacks.configure!(configureRequest(simConfig(sim)));
      await rules.configure!(configureRequest(simConfig(sim)));
      const hook = await callbacks.create({
        name: "Flashduty_Event",
        url: "http://127.0.0.1:9/push",
      });
      const checkedRule = await rules.check!(
        {},
        {
          ruleName: "serialized",
          eventSource: "ecs",
          eventTypes: ["ecs:Disk:DiskError.Redeploy.Executing"],
          level: "notice",
          webhookIds: [hook.id],
        },
      );
      const rule = await rules.create(checkedRule.inputs);
      assert.deepEqual(
        sim.webhooks().map((w) => w.Id),
        [hook.id],
      );
      assert.deepEqual(
        sim.eventRules().map((r) => [r.RuleId, r.WebhookIds]),
        [[rule.id, [hook.id]]],
      );

      // Errors keep the vendor's code, message, status and our advice through serialization.
      const inUse = await errorOf(() =>
        callbacks.delete!(hook.id, { ...hook.outs, region: sim.region }),
      );
      assert.equal(inUse.name, "VolcengineApiError");
      assert.equal((inUse as { code?: string }).code, "InvalidParameter");
      assert.match(
        inUse.message,
        /^Volcengine DeleteWebhooksByIds failed: InvalidParameter: .*used by event rule.*\(HTTP 400, RequestId \w+\)/,
      );
      assert.ok(!/\[object Object\]|Unknown Error|undefined/.test(inUse.message), inUse.message);
      sim.configure({ lackPolicy: ["UpdateEventRule"] });
      const denied = await errorOf(() =>
        rules.update!(rule.id, rule.outs, { ...checkedRule.inputs, level: "critical" }),
      );
      assert.equal((denied as { code?: string }).code, "LackPolicy");
      assert.match(denied.message, /LackPolicy: Request was rejected because of lack of policy/);
      assert.match(denied.message, /HTTP 403/);
      assert.match(denied.message, /cloudmonitor:/, "names the IAM permission to grant");
      assert.ok(!denied.message.includes(sim.secretKey) && !denied.message.includes(sim.accessKey));
      const bad = await rules.check!({}, { ...checkedRule.inputs, eventTypes: [] });
      assert.match(JSON.stringify(bad.failures), /Event Center/);
    } finally {
      await sim.stop();
    }
  });

  it("passes retainOnDelete to every child (it is not inherited from a component)", async () => {
    // The mock monitor does not hand options to newResource; read them off the register requests.
    const monitor = pulumi.runtime.getMonitor() as unknown as {
      registerResource: (
        req: { getName(): string; getRetainondelete(): boolean },
        cb: unknown,
      ) => unknown;
    };
    const original = monitor.registerResource;
    const retained = new Map<string, boolean>();
    monitor.registerResource = function (req, cb) {
      retained.set(req.getName(), req.getRetainondelete());
      return original.call(this, req, cb);
    };
    try {
      const kept = build("kept", { retainOnDelete: true });
      const plainPush = build("plain");
      await Promise.all([promiseOf(kept.ruleIds), promiseOf(plainPush.ruleIds)]);
    } finally {
      monitor.registerResource = original;
    }
    assert.deepEqual(
      ["kept-callback", "kept-ECS_disk_errors", "kept-RDS_all"].map((n) => retained.get(n)),
      [true, true, true],
    );
    assert.deepEqual(
      ["plain-callback", "plain-ECS_disk_errors"].map((n) => retained.get(n)),
      [false, false],
    );
  });

  it("refuses rule names that would give the same Pulumi resource name", () => {
    assert.throws(
      () =>
        build("clash", {
          rules: [
            {
              ruleName: "disk errors",
              eventSource: "ecs",
              eventTypes: ["ecs:Disk:DiskError.Redeploy.Executing"],
              level: "notice",
            },
            {
              ruleName: "disk/errors",
              eventSource: "ecs",
              eventTypes: ["ecs:Disk:DiskError.Redeploy.Executing"],
              level: "notice",
            },
          ],
        }),
      /rules\[1\]\.ruleName "disk\/errors" and "disk errors" give the same Pulumi resource name/,
    );
  });

  it("names a rule's resource by its key when given, so a rule can be renamed in place", async () => {
    const push = build("keyed", {
      rules: [
        {
          ruleName: "disk errors (renamed)",
          key: "disk errors",
          eventSource: "ecs",
          eventTypes: ["ecs:Disk:DiskError.Redeploy.Executing"],
          level: "notice",
        },
        {
          ruleName: "rds all",
          eventSource: "rds",
          eventTypes: ["ecs:Disk:DiskError.Redeploy.Executing"],
          level: "warning",
        },
      ],
    });
    await promiseOf(push.ruleIds);
    const rules = registered.filter((r) => r.type === "pulumi-nodejs:dynamic/volcengine:EventRule");
    assert.deepEqual(
      rules.map((r) => [r.name, r.inputs.ruleName]),
      [
        ["keyed-disk_errors", "disk errors (renamed)"],
        ["keyed-rds_all", "rds all"],
      ],
    );
    assert.ok(
      rules.every((r) => !("key" in r.inputs)),
      "key is not an input of the rule",
    );
  });

  it("refuses keys that clash with another rule's resource name, and empty keys", () => {
    assert.throws(
      () =>
        build("keyclash", {
          rules: [
            {
              ruleName: "disk",
              eventSource: "ecs",
              eventTypes: ["ecs:Disk:DiskError.Redeploy.Executing"],
              level: "notice",
            },
            {
              ruleName: "other",
              key: "disk",
              eventSource: "ecs",
              eventTypes: ["ecs:Disk:DiskError.Redeploy.Executing"],
              level: "notice",
            },
            {
              ruleName: "third",
              key: " ",
              eventSource: "ecs",
              eventTypes: ["ecs:Disk:DiskError.Redeploy.Executing"],
              level: "notice",
            },
          ],
        }),
      (err: Error) =>
        /rules\[1\]\.key "disk" and "disk" give the same Pulumi resource name \(disk\): use another key/.test(
          err.message,
        ) && /rules\[2\]\.key must be a non-empty plain string/.test(err.message),
    );
    assert.throws(
      () =>
        build("keyclash2", {
          rules: [
            {
              ruleName: "first",
              key: "disk",
              eventSource: "ecs",
              eventTypes: ["ecs:Disk:DiskError.Redeploy.Executing"],
              level: "notice",
            },
            {
              ruleName: "disk",
              eventSource: "ecs",
              eventTypes: ["ecs:Disk:DiskError.Redeploy.Executing"],
              level: "notice",
            },
          ],
        }),
      /rules\[1\]\.ruleName "disk" and "disk" give the same Pulumi resource name \(disk\): rename one or set key/,
    );
  });

  it("accepts a loopback http push URL (local receivers and tests)", async () => {
    const push = build("loopback", { pushUrl: "http://127.0.0.1:8080/volcengine" });
    assert.equal((await promiseOf(push.ruleIds)).length, 2);
  });
});

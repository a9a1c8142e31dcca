// CallbackUrl and EventRule dynamic providers against the simulator: full lifecycle, drift,
// out-of-band deletion, adoption, no-op diffs, replacements, preview unknowns, check failures.

import { strict as assert } from "node:assert";
import {
  CallbackUrlInputs,
  CallbackUrlOutputs,
  CallbackUrlProvider,
} from "../../components/volcengine/callbackUrl";
import { EventRuleInputs, EventRuleProvider } from "../../components/volcengine/eventRule";
import { UNKNOWN } from "../../components/common/unknown";
import { VolcengineSimulator } from "../simulators/volcengine";
import { configureRequest, errorOf, simConfig, startListener } from "./helpers";

const PUSH_URL =
  "http://127.0.0.1:9/event/push/alert/volcengine?integration_key=SECRET-INTEGRATION-KEY";
const WRITES = new Set([
  "CreateWebhook",
  "UpdateWebhook",
  "DeleteWebhooksByIds",
  "CreateEventRule",
  "UpdateEventRule",
  "DeleteEventRule",
]);

describe("volcengine dynamic providers", () => {
  let sim: VolcengineSimulator;
  let callbacks: CallbackUrlProvider;
  let rules: EventRuleProvider;
  const writes = () => sim.requests.filter((r) => WRITES.has(r.action)).map((r) => r.action);

  before(async () => {
    sim = await VolcengineSimulator.start({ regions: ["cn-shanghai"] });
  });
  after(() => sim.stop());
  beforeEach(async () => {
    sim.reset();
    callbacks = new CallbackUrlProvider();
    rules = new EventRuleProvider();
    await callbacks.configure(configureRequest(simConfig(sim)));
    await rules.configure(configureRequest(simConfig(sim)));
  });

  async function checked<T>(
    p: { check?: (o: T, n: T) => Promise<{ inputs?: T; failures?: unknown[] }> },
    news: T,
  ) {
    const r = await p.check!(news, news);
    assert.equal(r.failures, undefined, JSON.stringify(r.failures));
    return r.inputs!;
  }

  async function newCallback(
    name = "Flashduty_Event",
  ): Promise<{ id: string; outs: CallbackUrlOutputs }> {
    const inputs = await checked(callbacks, { name, url: PUSH_URL } as CallbackUrlInputs);
    const r = await callbacks.create(inputs);
    return { id: r.id, outs: r.outs! };
  }

  function ruleInputs(webhookIds: string[], extra: Partial<EventRuleInputs> = {}): EventRuleInputs {
    return {
      ruleName: "ECS disk errors",
      eventSource: "ecs",
      eventTypes: ["ecs:Disk:DiskError.Redeploy.Canceled"],
      level: "critical",
      webhookIds,
      ...extra,
    } as EventRuleInputs;
  }

  describe("CallbackUrl", () => {
    it("create → read → no-op diff → update → drift → out-of-band delete → delete → delete again", async () => {
      const { id, outs } = await newCallback();
      assert.deepEqual(outs, {
        name: "Flashduty_Event",
        url: PUSH_URL,
        type: "custom",
        region: "cn-beijing",
      });
      assert.deepEqual(
        sim.webhooks().map((w) => [w.Id, w.Name, w.Type, w.Url]),
        [[id, "Flashduty_Event", "custom", PUSH_URL]],
      );

      const read = await callbacks.read(id, outs);
      assert.equal(read.id, id);
      assert.deepEqual(read.props, outs);

      // Nothing changed: the diff says so, and no write reaches the API.
      sim.requests.length = 0;
      const inputs = await checked(callbacks, { name: "Flashduty_Event", url: PUSH_URL });
      assert.deepEqual(await callbacks.diff(id, read.props!, inputs), {
        changes: false,
        replaces: [],
        deleteBeforeReplace: false,
      });
      assert.deepEqual(writes(), []);

      const renamed = await checked(callbacks, { name: "Flashduty events (prod)", url: PUSH_URL });
      const d = await callbacks.diff(id, read.props!, renamed);
      assert.deepEqual([d.changes, d.replaces], [true, []]);
      const updated = await callbacks.update(id, read.props!, renamed);
      assert.equal(sim.webhooks()[0].Name, "Flashduty events (prod)");
      assert.deepEqual(writes(), ["UpdateWebhook"]);

      // Someone edits the URL and type in the console: read reports it, diff wants to put it back.
      sim.mutateWebhook(id, { Url: "https://elsewhere.example/hook", Type: "lark" });
      const drifted = await callbacks.read(id, updated.outs!);
      assert.equal(drifted.props!.url, "https://elsewhere.example/hook");
      assert.equal(drifted.props!.type, "lark");
      const back = await callbacks.diff(id, drifted.props!, renamed);
      assert.equal(back.changes, true);
      await callbacks.update(id, drifted.props!, renamed);
      assert.deepEqual(
        sim.webhooks().map((w) => [w.Type, w.Url]),
        [["custom", PUSH_URL]],
      );

      // Someone deletes it in the console: read returns an empty id.
      sim.deleteWebhook(id);
      assert.deepEqual(await callbacks.read(id, updated.outs!), { id: "" });
      // Deleting something already gone succeeds, twice: delete first, then one lookup confirms
      // the error answer meant "no such id".
      sim.requests.length = 0;
      await callbacks.delete(id, updated.outs!);
      await callbacks.delete(id, updated.outs!);
      assert.deepEqual(writes(), ["DeleteWebhooksByIds", "DeleteWebhooksByIds"]);
    });

    it("deletes an existing callback", async () => {
      const { id, outs } = await newCallback();
      await callbacks.delete(id, outs);
      assert.equal(sim.webhooks().length, 0);
      await callbacks.delete(id, outs);
    });

    it("adopts an existing callback by id and brings it to the declared state", async () => {
      const { id: existing } = await newCallback("made in the console");
      sim.mutateWebhook(existing, { Url: "https://old.example/hook" });
      sim.requests.length = 0;
      const inputs = await checked(callbacks, {
        name: "Flashduty_Event",
        url: PUSH_URL,
        adoptId: existing,
      });
      const r = await callbacks.create(inputs);
      assert.equal(r.id, existing);
      assert.deepEqual(writes(), ["UpdateWebhook"]);
      assert.deepEqual(
        sim.webhooks().map((w) => [w.Id, w.Name, w.Url]),
        [[existing, "Flashduty_Event", PUSH_URL]],
      );
      // Same adoptId as the id: no replacement; a different adoptId: replacement.
      assert.deepEqual((await callbacks.diff(existing, r.outs!, inputs)).replaces, []);
      assert.deepEqual(
        (await callbacks.diff(existing, r.outs!, { ...inputs, adoptId: "other" })).replaces,
        ["adoptId"],
      );
    });

    it("adopting a missing id fails with a clear error and creates nothing", async () => {
      const err = await errorOf(() =>
        callbacks.create({ name: "x", url: PUSH_URL, adoptId: "12345" }),
      );
      assert.match(err.message, /adoptId: callback 12345 does not exist in region cn-beijing/);
      assert.ok(!err.message.includes("SECRET-INTEGRATION-KEY"));
      assert.equal(sim.webhooks().length, 0);
    });

    it("check names the field and the fix, and never echoes the URL", async () => {
      const r = await callbacks.check!(
        { name: "", url: "" },
        {
          name: "x".repeat(513),
          url: "http://flashduty.example/push?integration_key=SECRET-INTEGRATION-KEY",
        },
      );
      assert.deepEqual(
        r.failures!.map((f) => f.property),
        ["name", "url"],
      );
      assert.match(r.failures![1].reason, /https/);
      assert.ok(!JSON.stringify(r.failures).includes("SECRET-INTEGRATION-KEY"));
      const defaults = await checked(callbacks, { url: PUSH_URL } as CallbackUrlInputs);
      assert.equal(defaults.name, "Flashduty_Event");
    });

    it("handles preview unknowns: check passes, diff reports an update (not a replacement)", async () => {
      const { id, outs } = await newCallback();
      const inputs = await checked(callbacks, { name: "Flashduty_Event", url: UNKNOWN });
      const d = await callbacks.diff(id, outs, inputs);
      assert.deepEqual([d.changes, d.replaces], [true, []]);
    });

    it("replaces when the configured region changes, and deletes in the old region", async () => {
      const { id, outs } = await newCallback();
      const moved = new CallbackUrlProvider();
      await moved.configure(
        configureRequest({ ...simConfig(sim), "volcengine:region": "cn-shanghai" }),
      );
      const inputs = await checked(moved, { name: "Flashduty_Event", url: PUSH_URL });
      assert.deepEqual((await moved.diff(id, outs, inputs)).replaces, ["region"]);
      const created = await moved.create(inputs);
      assert.equal(created.outs!.region, "cn-shanghai");
      await moved.delete(id, outs);
      assert.deepEqual(
        sim.webhooks().map((w) => [w.Id, w.Region]),
        [[created.id, "cn-shanghai"]],
      );
    });

    it("reports missing credentials by config key", async () => {
      const bare = new CallbackUrlProvider();
      await bare.configure(configureRequest({ "volcengine:endpoint": sim.baseUrl }));
      const saved = { ...process.env };
      for (const k of ["VOLCENGINE_ACCESS_KEY", "VOLCENGINE_SECRET_KEY", "VOLCENGINE_REGION"])
        delete process.env[k];
      try {
        const err = await errorOf(() => bare.create({ name: "x", url: PUSH_URL }));
        assert.match(err.message, /volcengine:accessKey/);
        assert.match(err.message, /volcengine:secretKey/);
      } finally {
        Object.assign(process.env, saved);
      }
    });

    it("falls back to the VOLCENGINE_* environment variables", async () => {
      const envOnly = new CallbackUrlProvider();
      await envOnly.configure(configureRequest({}));
      const saved = { ...process.env };
      Object.assign(process.env, {
        VOLCENGINE_ACCESS_KEY: sim.accessKey,
        VOLCENGINE_SECRET_KEY: sim.secretKey,
        VOLCENGINE_REGION: sim.region,
        VOLCENGINE_ENDPOINT: sim.baseUrl,
      });
      try {
        const r = await envOnly.create({ name: "x", url: PUSH_URL });
        assert.equal(sim.webhooks()[0].Id, r.id);
      } finally {
        for (const k of [
          "VOLCENGINE_ACCESS_KEY",
          "VOLCENGINE_SECRET_KEY",
          "VOLCENGINE_REGION",
          "VOLCENGINE_ENDPOINT",
        ])
          delete process.env[k];
        Object.assign(process.env, saved);
      }
    });
  });

  describe("EventRule", () => {
    it("create → read → no-op diff → update → drift → out-of-band delete → delete → delete again", async () => {
      const { id: hook } = await newCallback();
      const inputs = await checked(rules, ruleInputs([hook]));
      assert.deepEqual(inputs.effectiveTime, { startTime: "00:00", endTime: "23:59" });
      assert.equal(inputs.enabled, true);
      assert.equal(inputs.description, "");
      const created = await rules.create(inputs);
      const id = created.id;
      const [server] = sim.eventRules();
      assert.equal(server.RuleId, id);
      assert.deepEqual(server.ContactMethods, ["Webhook"]);
      assert.deepEqual(server.WebhookIds, [hook]);
      assert.equal(server.Endpoint, "", "Endpoint is never sent with WebhookIds");
      assert.equal(server.EventBusName, "default");
      assert.equal(server.EnableState, "enable");
      assert.equal(server.Level, "critical");

      const read = await rules.read(id, created.outs);
      assert.deepEqual(read.props, created.outs);

      sim.requests.length = 0;
      const same = await checked(rules, ruleInputs([hook]));
      assert.deepEqual(await rules.diff(id, read.props!, same), {
        changes: false,
        replaces: [],
        deleteBeforeReplace: false,
      });
      assert.deepEqual(writes(), []);

      const changed = await checked(
        rules,
        ruleInputs([hook], {
          enabled: false,
          level: "warning",
          effectiveTime: { startTime: "08:00", endTime: "20:00" },
        }),
      );
      const d = await rules.diff(id, read.props!, changed);
      assert.deepEqual([d.changes, d.replaces], [true, []]);
      const updated = await rules.update(id, read.props!, changed);
      const [afterUpdate] = sim.eventRules();
      assert.deepEqual(
        [
          afterUpdate.EnableState,
          afterUpdate.Level,
          afterUpdate.EffectStartAt,
          afterUpdate.EffectEndAt,
        ],
        ["disable", "warning", "08:00", "20:00"],
      );
      assert.deepEqual(writes(), ["UpdateEventRule"]);

      // Console edits: re-enabled, Email added, callback removed. Read shows it; diff corrects it.
      sim.mutateEventRule(id, {
        EnableState: "enable",
        ContactMethods: ["Webhook", "Email"],
        WebhookIds: [],
      });
      const drifted = await rules.read(id, updated.outs);
      assert.equal(drifted.props!.enabled, true);
      assert.deepEqual(drifted.props!.webhookIds, []);
      assert.deepEqual(drifted.props!.contactMethods, ["Webhook", "Email"]);
      const fix = await rules.diff(id, drifted.props!, changed);
      assert.equal(fix.changes, true);
      await rules.update(id, drifted.props!, changed);
      const [fixed] = sim.eventRules();
      assert.deepEqual(
        [fixed.EnableState, fixed.ContactMethods, fixed.WebhookIds],
        ["disable", ["Webhook"], [hook]],
      );

      sim.deleteEventRule(id);
      assert.deepEqual(await rules.read(id, updated.outs), { id: "" });
      sim.requests.length = 0;
      await rules.delete(id, updated.outs!);
      await rules.delete(id, updated.outs!);
      assert.deepEqual(writes(), ["DeleteEventRule", "DeleteEventRule"]);
    });

    it("deletes an existing rule, after which its callback can be deleted", async () => {
      const { id: hook, outs: hookOuts } = await newCallback();
      const created = await rules.create(await checked(rules, ruleInputs([hook])));
      await rules.delete(created.id, created.outs!);
      await callbacks.delete(hook, hookOuts);
      assert.deepEqual([sim.eventRules().length, sim.webhooks().length], [0, 0]);
    });

    it("marks eventSource and adoptId changes as replacements; order-only list changes as no change", async () => {
      const { id: hook } = await newCallback();
      const inputs = await checked(rules, ruleInputs([hook], { eventTypes: ["a:b:c", "d:e:f"] }));
      const created = await rules.create(inputs);
      const reordered = await checked(
        rules,
        ruleInputs([hook], { eventTypes: ["d:e:f", "a:b:c"] }),
      );
      assert.equal((await rules.diff(created.id, created.outs!, reordered)).changes, false);
      const rds = await checked(
        rules,
        ruleInputs([hook], { eventSource: "rds", eventTypes: ["a:b:c", "d:e:f"] }),
      );
      assert.deepEqual((await rules.diff(created.id, created.outs!, rds)).replaces, [
        "eventSource",
      ]);
      assert.deepEqual(
        (await rules.diff(created.id, created.outs!, { ...inputs, adoptId: "777" })).replaces,
        ["adoptId"],
      );
    });

    it("handles preview unknowns: unknown callback ids are an update, an unknown source a replacement", async () => {
      const { id: hook } = await newCallback();
      const created = await rules.create(await checked(rules, ruleInputs([hook])));
      const pending = await checked(rules, ruleInputs([UNKNOWN]));
      const d = await rules.diff(created.id, created.outs!, pending);
      assert.deepEqual([d.changes, d.replaces], [true, []]);
      const wholeUnknown = await checked(
        rules,
        ruleInputs(UNKNOWN as unknown as string[], { eventSource: UNKNOWN }),
      );
      const d2 = await rules.diff(created.id, created.outs!, wholeUnknown);
      assert.deepEqual([d2.changes, d2.replaces], [true, ["eventSource"]]);
    });

    it("adopts an existing rule and updates it to match; refuses a different source", async () => {
      const { id: hook } = await newCallback();
      const original = await rules.create(
        await checked(rules, ruleInputs([hook], { ruleName: "console rule", level: "notice" })),
      );
      sim.requests.length = 0;
      const adopted = await rules.create(
        await checked(rules, ruleInputs([hook], { adoptId: original.id })),
      );
      assert.equal(adopted.id, original.id);
      assert.deepEqual(writes(), ["UpdateEventRule"]);
      assert.deepEqual(
        sim.eventRules().map((r) => [r.RuleName, r.Level]),
        [["ECS disk errors", "critical"]],
      );
      // Adopting a rule that already matches writes nothing.
      sim.requests.length = 0;
      await rules.create(await checked(rules, ruleInputs([hook], { adoptId: original.id })));
      assert.deepEqual(writes(), []);
      const err = await errorOf(async () =>
        rules.create(
          await checked(rules, ruleInputs([hook], { eventSource: "rds", adoptId: original.id })),
        ),
      );
      assert.match(err.message, /eventSource: the adopted rule .* watches "ecs"/);
      const missing = await errorOf(async () =>
        rules.create(await checked(rules, ruleInputs([hook], { adoptId: "1" }))),
      );
      assert.match(missing.message, /adoptId: event rule 1 does not exist/);
    });

    it("check reports each bad field with its fix", async () => {
      const r = await rules.check!(
        {} as EventRuleInputs,
        {
          ruleName: "x",
          eventSource: "",
          eventTypes: ["ok:type", " padded"],
          level: "Critical",
          effectiveTime: { startTime: "8:00", endTime: "24:00" },
          enabled: "yes",
          webhookIds: [],
        } as unknown as EventRuleInputs,
      );
      const byProperty = Object.fromEntries(r.failures!.map((f) => [f.property, f.reason]));
      assert.deepEqual(Object.keys(byProperty).sort(), [
        "effectiveTime.endTime",
        "effectiveTime.startTime",
        "enabled",
        "eventSource",
        "eventTypes[1]",
        "level",
        "ruleName",
        "webhookIds",
      ]);
      assert.match(byProperty.level, /notice, warning, critical/);
      assert.match(byProperty["effectiveTime.startTime"], /HH:MM/);
    });

    it("wires an event end to end: a provider-made rule delivers to the provider-made callback", async () => {
      const listener = await startListener();
      try {
        const hookUrl = `${listener.url}/event/push/alert/volcengine?integration_key=k`;
        const hook = await callbacks.create(
          await checked(callbacks, { name: "Flashduty_Event", url: hookUrl }),
        );
        const on = await rules.create(await checked(rules, ruleInputs([hook.id])));
        await rules.create(
          await checked(rules, ruleInputs([hook.id], { ruleName: "off", enabled: false })),
        );
        const deliveries = await sim.fireEvent({
          source: "ecs",
          eventType: "ecs:Disk:DiskError.Redeploy.Canceled",
        });
        assert.equal(deliveries.length, 1);
        assert.equal(listener.calls.length, 1);
        assert.equal(listener.calls[0].path, "/event/push/alert/volcengine?integration_key=k");
        assert.deepEqual((listener.calls[0].body as { Rules: unknown[] }).Rules, [
          { RuleId: on.id, RuleName: "ECS disk errors", Level: "critical" },
        ]);
      } finally {
        await listener.close();
      }
    });

    it("surfaces API validation errors from the server with the field named", async () => {
      const err = await errorOf(async () =>
        rules.create(await checked(rules, ruleInputs(["no-such-callback"]))),
      );
      assert.match(err.message, /InvalidParameter/);
      assert.match(err.message, /WebhookIds\[0\]/);
    });
  });
});

// Integration dynamic provider against the Flashduty simulator: check, diff, create, read, update,
// delete, drift, out-of-band deletion, adoption, kind resolution and push URLs.
import { strict as assert } from "node:assert";
import { FlashdutySimulator } from "../simulators/flashduty";
import {
  IntegrationInputs,
  IntegrationOutputs,
  IntegrationProvider,
  buildPushUrl,
  makeIntegrationProvider,
  normalizeTypeName,
  resolvePluginTypeByNames,
} from "../../components/flashduty/integration";
import { UNKNOWN } from "../../components/common/unknown";
import {
  EMPTY_ENV,
  FAST_RETRY,
  WRITE_PATHS,
  createChannel,
  pathsSince,
  rawClient,
  simConfig,
  guardLoopbackOnly,
} from "./helpers";

describe("flashduty/Integration provider", () => {
  let removeLoopbackGuard: () => void;
  before(() => {
    removeLoopbackGuard = guardLoopbackOnly();
  });
  after(() => removeLoopbackGuard());

  let sim: FlashdutySimulator;
  let provider: IntegrationProvider;
  const logs: string[] = [];

  async function configured(extra: Record<string, string> = {}): Promise<IntegrationProvider> {
    const p = makeIntegrationProvider({
      retry: FAST_RETRY,
      log: (m) => logs.push(m),
      env: EMPTY_ENV,
    });
    await p.configure({ config: simConfig(sim, extra) as never });
    return p;
  }

  async function checked(news: Record<string, unknown>): Promise<IntegrationInputs> {
    const result = await provider.check({}, news);
    assert.deepEqual(result.failures, []);
    return result.inputs as IntegrationInputs;
  }

  async function createIntegration(news: Record<string, unknown>) {
    const inputs = await checked(news);
    const created = await provider.create(inputs);
    return { inputs, id: created.id, outs: created.outs as IntegrationOutputs };
  }

  /** Gives the integration a route so that Flashduty accepts pushes for it. */
  async function routeTo(integrationId: number): Promise<void> {
    const channelId = await createChannel(sim);
    await rawClient(sim).post("/route/upsert", {
      integration_id: integrationId,
      default: { channel_ids: [channelId] },
    });
  }

  async function push(url: string, body: unknown): Promise<number> {
    const res = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    return res.status;
  }

  before(async () => {
    sim = await FlashdutySimulator.start();
  });
  after(async () => sim.stop());
  beforeEach(async () => {
    sim.reset();
    logs.length = 0;
    provider = await configured();
  });

  describe("check", () => {
    it("reports each bad field with its fix", async () => {
      const { failures } = await provider.check(
        {},
        {
          kind: "aliyun",
          name: "x",
          description: "d".repeat(500),
          teamId: -1,
          settings: "nope",
          pushPath: "a/../b",
          adoptId: "abc",
        },
      );
      const byProperty = new Map((failures ?? []).map((f) => [f.property, f.reason]));
      assert.deepEqual([...byProperty.keys()].sort(), [
        "adoptId",
        "description",
        "kind",
        "name",
        "pushPath",
        "settings",
        "teamId",
      ]);
      assert.match(byProperty.get("kind") as string, /standard-alert, aliyun-cm-event/);
      assert.match(byProperty.get("name") as string, /2–49/);
      assert.match(byProperty.get("description") as string, /499/);
    });

    it("requires kind or pluginType", async () => {
      const { failures } = await provider.check({}, { name: "ok name" });
      assert.deepEqual(
        failures?.map((f) => f.property),
        ["kind"],
      );
    });

    it("lets preview unknowns through and normalizes numeric strings", async () => {
      const unknowns = await provider.check({}, { kind: UNKNOWN, name: UNKNOWN, teamId: UNKNOWN });
      assert.deepEqual(unknowns.failures, []);
      const numbers = await provider.check(
        {},
        { kind: "standard-alert", name: "ok", teamId: "17", adoptId: "42" },
      );
      assert.deepEqual(numbers.failures, []);
      assert.equal(numbers.inputs?.teamId, 17);
      assert.equal(numbers.inputs?.adoptId, 42);
    });
  });

  describe("lifecycle", () => {
    it("create → read → update → out-of-band delete → delete → delete again", async () => {
      const { inputs, id, outs } = await createIntegration({
        kind: "standard-alert",
        name: "prod alerts",
        description: "from pulumi",
      });
      const server = sim.integrations().find((i) => String(i.integration_id) === id);
      assert.ok(server, "created in Flashduty");
      assert.equal(server.plugin_type, "standard.alert");
      assert.equal(server.name, "prod alerts");
      assert.equal(outs.integrationId, server.integration_id);
      assert.equal(outs.integrationKey, server.integration_key);
      assert.equal(outs.pluginType, "standard.alert");
      assert.equal(
        outs.pushUrl,
        `${sim.baseUrl}/event/push/alert/standard?integration_key=${server.integration_key}`,
      );

      // The push URL really works once a route exists.
      await routeTo(outs.integrationId);
      assert.equal(await push(outs.pushUrl, { event_status: "Warning", title_rule: "t" }), 200);
      assert.equal(sim.pushed.length, 1);

      // read without drift: same values, diff says nothing to do.
      const read = await provider.read(id, outs);
      assert.equal(read.id, id);
      assert.deepEqual(read.props, outs);
      assert.deepEqual(await provider.diff(id, read.props as IntegrationOutputs, inputs), {
        changes: false,
        replaces: [],
        deleteBeforeReplace: false,
      });

      // drift: renamed in the console → read shows it, diff wants an update, update restores it.
      sim.mutateIntegration(outs.integrationId, { name: "renamed in console", description: "x" });
      const drifted = (await provider.read(id, outs)).props as IntegrationOutputs;
      assert.equal(drifted.name, "renamed in console");
      assert.equal(drifted.description, "x");
      const diff = await provider.diff(id, drifted, inputs);
      assert.equal(diff.changes, true);
      assert.deepEqual(diff.replaces, []);
      const before = sim.requests.length;
      const updated = await provider.update(id, drifted, inputs);
      assert.deepEqual(pathsSince(sim, before), ["/integration/update"]);
      assert.equal(sim.integrations()[0].name, "prod alerts");
      assert.equal(sim.integrations()[0].description, "from pulumi");
      assert.equal((updated.outs as IntegrationOutputs).name, "prod alerts");

      // out-of-band delete: read reports it gone with an empty id.
      sim.deleteIntegration(outs.integrationId);
      const gone = await provider.read(id, outs);
      assert.equal(gone.id, "");

      // delete of something already gone succeeds, twice.
      await provider.delete(id, outs);
      await provider.delete(id, outs);
      assert.ok(
        sim.requests.slice(-2).every((r) => r.path === "/integration/delete" && r.status === 400),
      );
    });

    it("delete removes the integration", async () => {
      const { id, outs } = await createIntegration({ kind: "standard-alert", name: "to delete" });
      await provider.delete(id, outs);
      assert.equal(sim.integrations().length, 0);
    });

    it("refresh shows a rotated key: integrationKey and pushUrl follow it", async () => {
      const { id, outs } = await createIntegration({ kind: "standard-alert", name: "rotating" });
      const rotated = await rawClient(sim).post<{ integration_key: string }>(
        "/integration/key/rotate",
        {
          integration_id: outs.integrationId,
        },
      );
      const read = (await provider.read(id, outs)).props as IntegrationOutputs;
      assert.equal(read.integrationKey, rotated.integration_key);
      assert.ok(read.pushUrl.endsWith(`integration_key=${rotated.integration_key}`));
    });

    it("keyRotation: a new value rotates the key in place; the old key is refused by push", async () => {
      const { inputs, id, outs } = await createIntegration({
        kind: "standard-alert",
        name: "rotate me",
        keyRotation: "2026-01",
      });
      assert.equal(outs.keyRotation, "2026-01");
      await routeTo(outs.integrationId);
      assert.equal(await push(outs.pushUrl, { event_status: "Warning", title_rule: "t" }), 200);

      // Unchanged keyRotation: no change, and an update (e.g. after drift) does not rotate.
      assert.equal((await provider.diff(id, outs, inputs)).changes, false);
      let before = sim.requests.length;
      const same = (await provider.update(id, outs, inputs)).outs as IntegrationOutputs;
      assert.deepEqual(pathsSince(sim, before), [], "no API call without a new keyRotation");
      assert.equal(same.integrationKey, outs.integrationKey);

      const news = await checked({ ...inputs, keyRotation: "2026-02" });
      const diff = await provider.diff(id, outs, news);
      assert.equal(diff.changes, true);
      assert.deepEqual(diff.replaces, [], "an update, not a replacement");

      before = sim.requests.length;
      const rotated = (await provider.update(id, outs, news)).outs as IntegrationOutputs;
      assert.deepEqual(pathsSince(sim, before), ["/integration/key/rotate"]);
      const server = sim.integrations().find((i) => String(i.integration_id) === id);
      assert.notEqual(rotated.integrationKey, outs.integrationKey);
      assert.equal(rotated.integrationKey, server.integration_key);
      assert.equal(rotated.integrationId, outs.integrationId, "same integration");
      assert.equal(rotated.keyRotation, "2026-02");
      assert.equal(
        rotated.pushUrl,
        `${sim.baseUrl}/event/push/alert/standard?integration_key=${server.integration_key}`,
      );
      assert.equal(sim.integrations().length, 1);

      // The old URL is refused at once; the new one delivers.
      const pushedBefore = sim.pushed.length;
      assert.notEqual(await push(outs.pushUrl, { event_status: "Warning", title_rule: "t" }), 200);
      assert.equal(await push(rotated.pushUrl, { event_status: "Warning", title_rule: "t" }), 200);
      assert.equal(sim.pushed.length, pushedBefore + 1);
      assert.equal(sim.pushed[sim.pushed.length - 1].integrationKey, rotated.integrationKey);

      // Applied: the same value again is no change; removing it is recorded without rotating.
      assert.equal((await provider.diff(id, rotated, news)).changes, false);
      const removed = await checked({ ...inputs, keyRotation: undefined });
      assert.equal((await provider.diff(id, rotated, removed)).changes, true);
      before = sim.requests.length;
      const kept = (await provider.update(id, rotated, removed)).outs as IntegrationOutputs;
      assert.deepEqual(pathsSince(sim, before), []);
      assert.equal(kept.integrationKey, rotated.integrationKey);
      assert.equal(kept.keyRotation, undefined);
    });

    it("keyRotation: a preview unknown is a change; a non-string is refused by check", async () => {
      const olds: IntegrationOutputs = {
        kind: "standard-alert",
        name: "n1",
        description: "",
        teamId: 0,
        integrationId: 5,
        pluginType: "standard.alert",
        pluginTypePinned: false,
        integrationKey: "k".repeat(35),
        pushUrl: buildPushUrl(sim.baseUrl, "standard", "k".repeat(35)),
      };
      const diff = await provider.diff("5", olds, {
        kind: "standard-alert",
        name: "n1",
        keyRotation: UNKNOWN,
      });
      assert.equal(diff.changes, true);
      assert.deepEqual(diff.replaces, []);
      const bad = await provider.check({}, { kind: "standard-alert", name: "n1", keyRotation: 7 });
      assert.equal(bad.failures?.length, 1);
      assert.equal(bad.failures?.[0].property, "keyRotation");
      assert.match(bad.failures?.[0].reason ?? "", /new value to rotate/);
    });

    it("keyRotation: rotating an integration deleted in the console fails with Flashduty's error", async () => {
      const { inputs, id, outs } = await createIntegration({ kind: "standard-alert", name: "r2" });
      const news = await checked({ ...inputs, keyRotation: "x" });
      sim.deleteIntegration(outs.integrationId);
      await assert.rejects(provider.update(id, outs, news), /ResourceNotFound|not found|exist/i);
    });

    it("update writes nothing when only pushPath changes (the URL is recomputed)", async () => {
      const { inputs, id, outs } = await createIntegration({
        kind: "standard-alert",
        name: "path",
      });
      const news = await checked({ ...inputs, pushPath: "custom" });
      const diff = await provider.diff(id, outs, news);
      assert.equal(diff.changes, true);
      assert.deepEqual(diff.replaces, []);
      const before = sim.requests.length;
      const updated = (await provider.update(id, outs, news)).outs as IntegrationOutputs;
      assert.equal(sim.requests.length, before, "no API call");
      assert.match(updated.pushUrl, /\/event\/push\/alert\/custom\?integration_key=/);
    });

    it("a refused delete (still referenced) explains why", async () => {
      const { id, outs } = await createIntegration({ kind: "standard-alert", name: "referenced" });
      sim.setIntegrationRefs(outs.integrationId, [
        { kind: "rule", id: 1, name: "a rule" },
      ] as never);
      await assert.rejects(provider.delete(id, outs), /referenced/);
      assert.equal(sim.integrations().length, 1);
    });
  });

  describe("kinds and push URLs", () => {
    it("resolves every kind by English display name and builds a push URL Flashduty accepts", async () => {
      for (const kind of [
        "aliyun-cm-event",
        "aliyun-cm-metrics",
        "volcengine-cm-event",
        "volcengine-cm-metrics",
      ]) {
        const { outs } = await createIntegration({ kind, name: `i ${kind}` });
        assert.match(outs.pluginType, /\./);
        const slug = outs.pluginType.split(".")[0];
        assert.equal(outs.pushUrl, buildPushUrl(sim.baseUrl, slug, outs.integrationKey));
        await routeTo(outs.integrationId);
        assert.equal(await push(outs.pushUrl, { any: "payload", kind }), 200, kind);
      }
      assert.equal(sim.pushed.length, 4);
    });

    it("resolves kinds by Chinese display names (zh locale)", async () => {
      const zh = await FlashdutySimulator.start({ locale: "zh" });
      try {
        const p = makeIntegrationProvider({
          retry: FAST_RETRY,
          env: EMPTY_ENV,
          log: () => undefined,
        });
        await p.configure({ config: simConfig(zh) as never });
        const std = await p.create({ kind: "standard-alert", name: "中文 标准" });
        assert.equal((std.outs as IntegrationOutputs).pluginType, "standard.alert");
        const volc = await p.create({ kind: "volcengine-cm-event", name: "中文 火山" });
        const typeList = zh.requests.find((r) => r.path === "/integration/type/list");
        assert.ok(typeList);
        assert.equal(zh.integrations()[1].plugin_type_name, "火山引擎CM 事件");
        assert.equal(
          zh.integrations()[1].plugin_type,
          (volc.outs as IntegrationOutputs).pluginType,
        );
      } finally {
        await zh.stop();
      }
    });

    it("matches display names ignoring case and whitespace", () => {
      assert.equal(
        normalizeTypeName(" alibaba  cloud CM event "),
        normalizeTypeName("Alibaba Cloud CM Event"),
      );
      assert.equal(normalizeTypeName("火山引擎 CM 事件"), normalizeTypeName("火山引擎CM 事件"));
    });

    it("refuses a type that cannot be created through the API", async () => {
      await assert.rejects(
        resolvePluginTypeByNames(rawClient(sim), ["console only (SIMULATOR)"], "test"),
        /supports_api_create=false[\s\S]*adoptId/,
      );
    });

    it("refuses an unknown type name and lists what was found", async () => {
      await assert.rejects(
        resolvePluginTypeByNames(rawClient(sim), ["No Such Type"], "test"),
        (error: Error) =>
          /Types found: .*"Standard Alert" \(standard\.alert\)/.test(error.message) &&
          /pluginType/.test(error.message),
      );
    });

    it("an explicit pluginType skips the lookup; pushPath overrides the path", async () => {
      const { outs } = await createIntegration({
        pluginType: "standard.alert",
        name: "pinned",
        pushPath: "standard",
      });
      assert.ok(!sim.requests.some((r) => r.path === "/integration/type/list"));
      assert.equal(outs.pluginTypePinned, true);
      assert.match(outs.pushUrl, /\/event\/push\/alert\/standard\?/);
    });

    it("flashduty:pushBaseUrl sets the push URL base; changing it is an in-place change", async () => {
      const p = await configured({ "flashduty:pushBaseUrl": "https://push.example.invalid/" });
      const inputs = (await p.check({}, { kind: "standard-alert", name: "pushbase" }))
        .inputs as IntegrationInputs;
      const created = await p.create(inputs);
      const outs = created.outs as IntegrationOutputs;
      assert.ok(
        outs.pushUrl.startsWith(
          "https://push.example.invalid/event/push/alert/standard?integration_key=",
        ),
      );
      // Same state, provider now configured with the default push base (= baseUrl): diff sees it.
      const diff = await provider.diff(created.id, outs, inputs);
      assert.equal(diff.changes, true);
      assert.deepEqual(diff.replaces, []);
      const updated = (await provider.update(created.id, outs, inputs)).outs as IntegrationOutputs;
      assert.ok(updated.pushUrl.startsWith(`${sim.baseUrl}/event/push/alert/standard?`));
    });
  });

  describe("diff", () => {
    const olds: IntegrationOutputs = {
      kind: "standard-alert",
      name: "n1",
      description: "",
      teamId: 0,
      integrationId: 5,
      pluginType: "standard.alert",
      pluginTypePinned: false,
      integrationKey: "k".repeat(35),
      pushUrl: "",
    };
    let base: IntegrationOutputs;
    before(() => {
      base = { ...olds, pushUrl: buildPushUrl(sim.baseUrl, "standard", olds.integrationKey) };
    });

    it("no change → changes false, no API call", async () => {
      const count = sim.requests.length;
      const diff = await provider.diff("5", base, { kind: "standard-alert", name: "n1" });
      assert.equal(diff.changes, false);
      assert.equal(sim.requests.length, count);
    });

    it("kind or pluginType change → replace; name change → update", async () => {
      assert.deepEqual(
        (await provider.diff("5", base, { kind: "aliyun-cm-event", name: "n1" })).replaces,
        ["kind"],
      );
      assert.deepEqual(
        (
          await provider.diff("5", base, {
            kind: "standard-alert",
            pluginType: "x.alert",
            name: "n1",
          })
        ).replaces,
        ["pluginType"],
      );
      const rename = await provider.diff("5", base, { kind: "standard-alert", name: "n2" });
      assert.equal(rename.changes, true);
      assert.deepEqual(rename.replaces, []);
    });

    it("preview unknowns: unknown kind replaces, unknown name is a change", async () => {
      assert.deepEqual(
        (await provider.diff("5", base, { kind: UNKNOWN as never, name: "n1" })).replaces,
        ["kind"],
      );
      const unknownName = await provider.diff("5", base, { kind: "standard-alert", name: UNKNOWN });
      assert.equal(unknownName.changes, true);
      assert.deepEqual(unknownName.replaces, []);
    });

    it("adoptId: dropping it after adoption is a no-op; another id replaces", async () => {
      const adopted = { ...base, adoptId: 5 };
      assert.equal(
        (await provider.diff("5", adopted, { kind: "standard-alert", name: "n1" })).changes,
        false,
      );
      assert.equal(
        (await provider.diff("5", adopted, { kind: "standard-alert", name: "n1", adoptId: 5 }))
          .changes,
        false,
      );
      assert.deepEqual(
        (await provider.diff("5", adopted, { kind: "standard-alert", name: "n1", adoptId: 6 }))
          .replaces,
        ["adoptId"],
      );
    });

    it("settings are compared by the declared keys", async () => {
      const withSettings = { ...base, settings: { a: 1, extra: true } };
      assert.equal(
        (
          await provider.diff("5", withSettings, {
            kind: "standard-alert",
            name: "n1",
            settings: { a: 1 },
          })
        ).changes,
        false,
      );
      assert.equal(
        (
          await provider.diff("5", withSettings, {
            kind: "standard-alert",
            name: "n1",
            settings: { a: 2 },
          })
        ).changes,
        true,
      );
    });

    it("removing a pluginType pin looks the kind up and replaces only if it resolves differently", async () => {
      const pinned = { ...base, pluginTypePinned: true };
      assert.equal(
        (await provider.diff("5", pinned, { kind: "standard-alert", name: "n1" })).changes,
        false,
      );
      const otherPin = { ...base, pluginTypePinned: true, pluginType: "other.alert" };
      assert.deepEqual(
        (await provider.diff("5", otherPin, { kind: "standard-alert", name: "n1" })).replaces,
        ["pluginType"],
      );
    });
  });

  describe("adoption", () => {
    it("adopts an existing integration: no create, declared fields written, key read back", async () => {
      const existing = await rawClient(sim).post<{
        integration_id: number;
        integration_key: string;
      }>("/integration/create", { plugin_type: "standard.alert", name: "made in console" });
      const before = sim.requests.length;
      const { id, outs } = await createIntegration({
        kind: "standard-alert",
        name: "now managed",
        adoptId: existing.integration_id,
      });
      const calls = pathsSince(sim, before);
      assert.ok(!calls.includes("/integration/create"));
      assert.deepEqual(calls, [
        "/integration/type/list",
        "/integration/info",
        "/integration/update",
      ]);
      assert.equal(id, String(existing.integration_id));
      assert.equal(outs.integrationKey, existing.integration_key);
      assert.equal(sim.integrations()[0].name, "now managed");
      assert.equal(sim.integrations().length, 1);
    });

    it("adopting an integration that already matches writes nothing", async () => {
      const existing = await rawClient(sim).post<{ integration_id: number }>(
        "/integration/create",
        {
          plugin_type: "standard.alert",
          name: "same name",
        },
      );
      const before = sim.requests.length;
      await createIntegration({
        pluginType: "standard.alert",
        name: "same name",
        adoptId: existing.integration_id,
      });
      assert.deepEqual(
        pathsSince(sim, before).filter((p) => WRITE_PATHS.test(p)),
        [],
      );
    });

    it("refuses to adopt a missing integration or one of another type", async () => {
      await assert.rejects(
        provider.create(await checked({ kind: "standard-alert", name: "nope", adoptId: 99999 })),
        /adoptId 99999: no such Flashduty integration/,
      );
      const other = await rawClient(sim).post<{ integration_id: number }>("/integration/create", {
        plugin_type: "standard.alert",
        name: "std",
      });
      await assert.rejects(
        provider.create(
          await checked({ kind: "aliyun-cm-event", name: "wrong", adoptId: other.integration_id }),
        ),
        /is of type standard\.alert/,
      );
    });
  });

  describe("credentials", () => {
    it("missing app key: names both ways to set it", async () => {
      const p = makeIntegrationProvider({ env: EMPTY_ENV });
      await p.configure({ config: { get: () => undefined } as never });
      await assert.rejects(
        p.create({ kind: "standard-alert", name: "no key" }),
        (e: Error) => /flashduty:appKey/.test(e.message) && /FLASHDUTY_APP_KEY/.test(e.message),
      );
    });

    it("defaults to https://api.flashcat.cloud (blocked here by the loopback guard)", async () => {
      const p = makeIntegrationProvider({
        retry: { ...FAST_RETRY, maxRetries: 0 },
        env: { FLASHDUTY_APP_KEY: "x".repeat(32) },
      });
      await p.configure({ config: { get: () => undefined } as never });
      await assert.rejects(
        p.create({ pluginType: "standard.alert", name: "never sent" }),
        (e: Error) => {
          assert.match(e.message, /non-loopback host api\.flashcat\.cloud/);
          assert.match(e.message, /https:\/\/api\.flashcat\.cloud/);
          return true;
        },
      );
    });

    it("falls back to FLASHDUTY_APP_KEY / FLASHDUTY_BASE_URL when config has none", async () => {
      const p = makeIntegrationProvider({
        retry: FAST_RETRY,
        env: { FLASHDUTY_APP_KEY: sim.appKey, FLASHDUTY_BASE_URL: sim.baseUrl },
      });
      await p.configure({ config: { get: () => undefined } as never });
      const created = await p.create({ kind: "standard-alert", name: "env creds" });
      assert.ok(Number(created.id) > 0);
    });

    it("stack config wins over the environment", async () => {
      const p = makeIntegrationProvider({
        retry: FAST_RETRY,
        env: {
          FLASHDUTY_APP_KEY: "wrong-env-key-000000000000000000",
          FLASHDUTY_BASE_URL: "http://127.0.0.1:9",
        },
      });
      await p.configure({ config: simConfig(sim) as never });
      const created = await p.create({ kind: "standard-alert", name: "config creds" });
      assert.ok(Number(created.id) > 0);
    });

    it("a wrong app key fails with advice and without the key", async () => {
      const wrong = "fdwrongkey-aaaaaaaaaaaaaaaaaaaaaaaa";
      const p = makeIntegrationProvider({ retry: FAST_RETRY, env: EMPTY_ENV });
      await p.configure({ config: simConfig(sim, { "flashduty:appKey": wrong }) as never });
      await assert.rejects(
        p.create({ kind: "standard-alert", name: "bad key" }),
        (e: Error) =>
          /Unauthorized/.test(e.message) &&
          /flashduty:appKey/.test(e.message) &&
          !`${e.stack}`.includes(wrong),
      );
    });
  });

  describe("an account without the integration API (404 RouteNotFound)", () => {
    it("every provider method that calls /integration/* names the console-mode config keys and the docs", async () => {
      const { id, outs } = await createIntegration({
        kind: "volcengine-cm-event",
        name: "then gone",
      });
      sim.setIntegrationApi(false);
      const expectWayOut = (e: Error) => {
        assert.match(e.message, /404 RouteNotFound/);
        assert.match(
          e.message,
          /pulumi config set --secret --path 'flashduty\.kinds\.volcengine-cm-event\.pushUrl'/,
        );
        assert.match(e.message, /flashduty\.kinds\.volcengine-cm-event\.integrationId/);
        assert.match(e.message, /docs\/configuration\.md#console-created-integrations/);
        assert.ok(!e.message.includes(outs.integrationKey));
        return true;
      };
      await assert.rejects(
        provider.create(await checked({ kind: "volcengine-cm-event", name: "new" })),
        expectWayOut,
      );
      await assert.rejects(provider.read(id, outs), expectWayOut);
      await assert.rejects(provider.delete(id, outs), expectWayOut);
      await assert.rejects(
        provider.update(id, outs, { ...outs, name: "renamed" } as IntegrationInputs),
        expectWayOut,
      );
    });
  });

  describe("multi-segment push paths", () => {
    it("builds /event/push/alert/aws/cloudwatch without encoding the /, and Flashduty accepts it", async () => {
      const { outs } = await createIntegration({
        pluginType: "simonly-aws-cloudwatch.alert",
        name: "aws",
        pushPath: "aws/cloudwatch",
      });
      assert.equal(
        outs.pushUrl,
        `${sim.baseUrl}/event/push/alert/aws/cloudwatch?integration_key=${outs.integrationKey}`,
      );
      await routeTo(outs.integrationId);
      assert.equal(await push(outs.pushUrl, { AlarmName: "cpu" }), 200);
    });

    it("check refuses empty segments, dot segments and other characters", async () => {
      for (const bad of [
        "aws//cloudwatch",
        "/aws",
        "aws/",
        "aws/../x",
        "./aws",
        "aws cloud",
        "a%2Fb",
      ]) {
        const { failures } = await provider.check(
          {},
          { kind: "standard-alert", name: "xx", pushPath: bad },
        );
        assert.equal(failures?.[0]?.property, "pushPath", bad);
      }
      const { failures } = await provider.check(
        {},
        { kind: "standard-alert", name: "xx", pushPath: "aws/cloud_watch.v2" },
      );
      assert.deepEqual(failures, []);
    });
  });

  describe("retries and errors through the provider", () => {
    it("create rides out a 429 (waiting Retry-After)", async () => {
      sim.inject({ kind: "429", retryAfterSeconds: 1 }, 1, "/integration/create");
      const started = Date.now();
      const { outs } = await createIntegration({ kind: "standard-alert", name: "retried" });
      assert.ok(Date.now() - started >= 950, "waited for Retry-After");
      assert.deepEqual(
        sim.requests.filter((r) => r.path === "/integration/create").map((r) => r.status),
        [429, 200],
      );
      assert.equal(sim.integrations().length, 1, "exactly one integration created");
      assert.equal(outs.integrationId, sim.integrations()[0].integration_id);
    });

    it("create is not resent after a 503 (it may have been applied): the error says to adopt", async () => {
      sim.inject({ kind: "5xx", status: 503 }, 1, "/integration/create");
      await assert.rejects(
        createIntegration({ kind: "standard-alert", name: "not resent" }),
        (e: Error) => /duplicate/.test(e.message) && /adoptId/.test(e.message),
      );
      assert.deepEqual(
        sim.requests.filter((r) => r.path === "/integration/create").map((r) => r.status),
        [503],
      );
    });

    it("a hung Flashduty makes read fail with a timeout error that names the path, not the key", async () => {
      const { id, outs } = await createIntegration({ kind: "standard-alert", name: "hung" });
      const impatient = makeIntegrationProvider({
        retry: { ...FAST_RETRY, timeoutMs: 100, maxRetries: 0 },
        env: EMPTY_ENV,
        log: (m) => logs.push(m),
      });
      await impatient.configure({ config: simConfig(sim) as never });
      sim.inject({ kind: "hang" }, 1, "/integration/info");
      await assert.rejects(impatient.read(id, outs), (e: Error) => {
        assert.match(e.message, /\/integration\/info failed: ClientTimeout/);
        assert.match(e.message, /100 ms/);
        assert.ok(!`${e.message}${e.stack}`.includes(sim.appKey));
        return true;
      });
    });
  });

  it("never logs the app key or the integration key", async () => {
    sim.inject({ kind: "5xx" }, 1);
    const { id, outs } = await createIntegration({ kind: "standard-alert", name: "logged" });
    await provider.delete(id, outs);
    assert.ok(logs.length >= 1, "the retry was logged");
    for (const line of logs) {
      assert.ok(!line.includes(sim.appKey));
      assert.ok(!line.includes(outs.integrationKey));
    }
  });
});

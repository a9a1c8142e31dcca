// Black-box tests of the Flashduty simulator over real HTTP (fetch). Nothing from components/ or
// receiver/ is used: the simulator is judged against flashduty-api.md, including its examples.

import { strict as assert } from "node:assert";
import { Agent, request as httpRequest } from "node:http";
import fc from "fast-check";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { FlashdutySimulator } from "./flashduty";
import { admit, TokenBucket } from "./flashduty/rate-limit";

const APP_KEY = "0123456789abcdef0123456789abcdef";

interface Reply {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers of many shapes
  json: any;
}

let sim: FlashdutySimulator;

async function send(
  path: string,
  init: { method?: string; body?: string; contentType?: string | null; query?: string } = {},
): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (init.contentType !== null) headers["content-type"] = init.contentType ?? "application/json";
  const url = `${sim.baseUrl}${path}${init.query ?? ""}`;
  const res = await fetch(url, { method: init.method ?? "POST", headers, body: init.body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
}

/** An authenticated Open API call. */
function api(path: string, body: unknown = {}): Promise<Reply> {
  return send(path, { body: JSON.stringify(body), query: `?app_key=${APP_KEY}` });
}

function pushTo(slug: string, key: string, body: unknown): Promise<Reply> {
  return send(`/event/push/alert/${slug}`, {
    body: JSON.stringify(body),
    query: `?integration_key=${encodeURIComponent(key)}`,
  });
}

function assertError(
  reply: Reply,
  status: number,
  code: string,
  messagePart?: string | RegExp,
): void {
  assert.equal(reply.status, status, JSON.stringify(reply.json));
  assert.equal(reply.json.error.code, code);
  assert.equal(typeof reply.json.request_id, "string");
  assert.equal(reply.json.data, undefined);
  if (typeof messagePart === "string")
    assert.ok(reply.json.error.message.includes(messagePart), reply.json.error.message);
  else if (messagePart) assert.match(reply.json.error.message, messagePart);
}

async function createIntegration(
  body: Record<string, unknown> = {},
): Promise<{ id: number; key: string }> {
  const reply = await api("/integration/create", { plugin_type: "standard.alert", ...body });
  assert.equal(reply.status, 200, JSON.stringify(reply.json));
  return { id: reply.json.data.integration_id, key: reply.json.data.integration_key };
}

async function createChannel(name = "Production Alerts"): Promise<number> {
  const reply = await api("/channel/create", { team_id: 3521074710131, channel_name: name });
  assert.equal(reply.status, 200, JSON.stringify(reply.json));
  return reply.json.data.channel_id;
}

/** An integration with a default route, ready to receive pushes. */
async function routedIntegration(): Promise<{ id: number; key: string; channelId: number }> {
  const integration = await createIntegration();
  const channelId = await createChannel();
  const reply = await api("/route/upsert", {
    integration_id: integration.id,
    default: { channel_ids: [channelId] },
  });
  assert.equal(reply.status, 200, JSON.stringify(reply.json));
  return { ...integration, channelId };
}

describe("Flashduty simulator", function () {
  this.timeout(10_000);

  before(async () => {
    sim = await FlashdutySimulator.start({ appKey: APP_KEY });
  });
  after(async () => {
    await sim.stop();
  });
  beforeEach(() => sim.reset());

  describe("envelope, auth and routing", () => {
    it("answers success as {request_id, data} and mirrors request_id in Flashcat-Request-Id", async () => {
      const reply = await api("/integration/type/list");
      assert.equal(reply.status, 200);
      assert.match(reply.json.request_id, /^[0-9a-f]{32}$/);
      assert.equal(reply.headers.get("flashcat-request-id"), reply.json.request_id);
      assert.ok(Array.isArray(reply.json.data.items));
      assert.equal(reply.json.error, undefined);
    });

    it("rejects a missing or wrong app_key with 401 Unauthorized", async () => {
      assertError(await send("/channel/list", { body: "{}" }), 401, "Unauthorized");
      assertError(
        await send("/channel/list", { body: "{}", query: "?app_key=nope" }),
        401,
        "Unauthorized",
      );
    });

    it("answers an unknown path with 404 RouteNotFound and a wrong method with 405", async () => {
      const unknown = await api("/integration/nope");
      assertError(unknown, 404, "RouteNotFound");
      assert.equal(unknown.headers.get("flashcat-request-id"), unknown.json.request_id);
      assertError(
        await send("/channel/list", { method: "GET", query: `?app_key=${APP_KEY}` }),
        405,
        "MethodNotAllowed",
      );
    });

    it("never records the app_key", async () => {
      await api("/channel/list", { p: 1 });
      await send("/channel/list", { body: "{}", query: `?app_key=${APP_KEY}&x=1` });
      assert.equal(sim.requests.length, 2);
      assert.deepEqual(sim.requests[0].body, { p: 1 });
      assert.equal(sim.requests[0].status, 200);
      assert.ok(!JSON.stringify(sim.requests).includes(APP_KEY));
    });
  });

  describe("documented examples", () => {
    it("accepts the create-integration, channel, route upsert and standard alert examples", async () => {
      const created = await api("/integration/create", {
        plugin_type: "standard.alert",
        name: "Prod metrics alerts",
        description: "…",
        team_id: 1467226103121,
        settings: { field_mapping: {}, value_mapping: {} },
        is_test: true,
      });
      assert.equal(created.status, 200, JSON.stringify(created.json));
      assert.deepEqual(created.json.data.test, { success: true, message: "" });
      const key: string = created.json.data.integration_key;
      assert.equal(key.length, 35);
      assert.ok(key.endsWith("567"), key);

      const channel = await api("/channel/create", {
        team_id: 3521074710131,
        channel_name: "Production Alerts",
        group: { method: "p", time_window: 10, window_type: "tumbling" },
        auto_resolve_timeout: 86400,
        auto_resolve_mode: "trigger",
      });
      assert.equal(channel.status, 200, JSON.stringify(channel.json));
      assert.equal(channel.json.data.channel_name, "Production Alerts");

      const integrationId = created.json.data.integration_id;
      const channelId = channel.json.data.channel_id;
      const upsert = await api("/route/upsert", {
        integration_id: integrationId,
        cases: [
          {
            if: [{ key: "severity", oper: "IN", vals: ["Critical"] }],
            channel_ids: [channelId],
            fallthrough: false,
            routing_mode: "standard",
          },
        ],
        default: { channel_ids: [channelId] },
      });
      assert.equal(upsert.status, 200, JSON.stringify(upsert.json));
      assert.equal(
        (await api("/route/info", { integration_id: integrationId })).json.data.version,
        1,
      );

      const pushed = await pushTo("standard", key, {
        event_status: "Warning",
        alert_key: "lasdfl2xzasd0262",
        title_rule: "$cluster::$resource::$check",
        description: "cpu idle lower than 20%",
        labels: { service: "engine", cluster: "nj", resource: "es.nj.01", check: "cpu.idle<20%" },
      });
      assert.equal(pushed.status, 200, JSON.stringify(pushed.json));
      assert.deepEqual(pushed.json.data, { alert_key: "lasdfl2xzasd0262" });
      assert.equal(sim.pushed.length, 1);
      assert.equal(sim.pushed[0].integrationId, integrationId);
      assert.equal(sim.pushed[0].body.labels.check, "cpu.idle<20%");
    });
  });

  describe("request format", () => {
    it("rejects a non-JSON content type with 400 InvalidContentType", async () => {
      const q = `?app_key=${APP_KEY}`;
      assertError(
        await send("/channel/list", { body: "{}", contentType: "text/plain", query: q }),
        400,
        "InvalidContentType",
      );
      assertError(
        await send("/channel/list", { body: "{}", contentType: null, query: q }),
        400,
        "InvalidContentType",
      );
      const charset = await send("/channel/list", {
        body: "{}",
        contentType: "application/json; charset=utf-8",
        query: q,
      });
      assert.equal(charset.status, 200);
    });

    it("rejects malformed JSON and non-object bodies with 400 InvalidParameter", async () => {
      const q = `?app_key=${APP_KEY}`;
      assertError(
        await send("/channel/list", { body: "{nope", query: q }),
        400,
        "InvalidParameter",
        "not valid JSON",
      );
      assertError(
        await send("/channel/list", { body: "[1]", query: q }),
        400,
        "InvalidParameter",
        "JSON object",
      );
    });

    it("rejects a body over the limit with 413 EntityTooLarge", async () => {
      const big = JSON.stringify({ description: "x".repeat(1024 * 1024) });
      assertError(
        await send("/channel/list", { body: big, query: `?app_key=${APP_KEY}` }),
        413,
        "EntityTooLarge",
      );
      const { key } = await routedIntegration();
      const bigAlert = JSON.stringify({
        event_status: "Info",
        title_rule: "t",
        description: "x".repeat(1024 * 1024),
      });
      const push = await send("/event/push/alert/standard", {
        body: bigAlert,
        query: `?integration_key=${key}`,
      });
      assertError(push, 413, "EntityTooLarge");
      assert.equal(sim.pushed.length, 0);
      assert.equal(sim.requests.at(-1)?.status, 413);
    });
  });

  describe("integration types", () => {
    it("lists the catalogue with the category filter and supports_api_create", async () => {
      const alerts = (await api("/integration/type/list", { category: "event.alert" })).json.data;
      const names = alerts.items.map((t: { plugin_type_name: string }) => t.plugin_type_name);
      for (const name of [
        "Standard Alert",
        "Alibaba Cloud CM Event",
        "Alibaba Cloud CM Metrics",
        "Volcengine CM Event",
        "Volcengine CM Metrics",
      ]) {
        assert.ok(names.includes(name), name);
      }
      assert.ok(alerts.items.every((t: { category: string }) => t.category === "event.alert"));
      assert.ok(alerts.items.some((t: { supports_api_create: boolean }) => !t.supports_api_create));
      const standard = alerts.items.find(
        (t: { plugin_type: string }) => t.plugin_type === "standard.alert",
      );
      assert.deepEqual(Object.keys(standard).sort(), [
        "category",
        "plugin_type",
        "plugin_type_logo_url",
        "plugin_type_name",
        "status",
        "supports_api_create",
      ]);
      const changes = (await api("/integration/type/list", { category: "event.change" })).json.data;
      assert.deepEqual(
        changes.items.map((t: { plugin_type: string }) => t.plugin_type),
        ["jira.change"],
      );
    });

    it("names types in Chinese with locale zh, also as an integration's default name", async () => {
      const zh = await FlashdutySimulator.start({ appKey: APP_KEY, locale: "zh" });
      try {
        const reply = await fetch(`${zh.baseUrl}/integration/type/list?app_key=${APP_KEY}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ category: "event.alert" }),
        });
        const names = (
          (await reply.json()) as { data: { items: { plugin_type_name: string }[] } }
        ).data.items.map((t) => t.plugin_type_name);
        for (const name of [
          "标准告警",
          "阿里云 CM 事件",
          "阿里云 CM 指标",
          "火山引擎CM 事件",
          "火山引擎CM 指标",
        ]) {
          assert.ok(names.includes(name), name);
        }
        const created = await fetch(`${zh.baseUrl}/integration/create?app_key=${APP_KEY}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ plugin_type: "standard.alert" }),
        });
        assert.equal(created.status, 200);
        assert.equal(zh.integrations()[0].name, "标准告警");
      } finally {
        await zh.stop();
      }
    });
  });

  describe("integrations", () => {
    it("creates with defaults and returns the IntegrationDetail from /integration/info", async () => {
      const { id, key } = await createIntegration();
      const info = (await api("/integration/info", { integration_id: id })).json.data;
      assert.equal(info.integration_id, id);
      assert.equal(info.data_source_id, id);
      assert.equal(info.name, "Standard Alert");
      assert.equal(info.plugin_type, "standard.alert");
      assert.equal(info.plugin_type_name, "Standard Alert");
      assert.equal(info.status, "enabled");
      assert.equal(info.ref_id, "a_1234567");
      assert.equal(info.integration_key, key);
      assert.equal(info.team_id, 0);
      assert.deepEqual(info.settings, {});
      assert.deepEqual(sim.integrations(), [info]);
    });

    it("validates create fields, naming each one", async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ plugin_type: "nope.alert" }, "plugin_type"],
        [{ plugin_type: "simonly-console-only.alert" }, "supports_api_create"],
        [{ plugin_type: undefined }, "plugin_type: is required"],
        [{ name: "x" }, "name: must be at least 2"],
        [{ name: "x".repeat(50) }, "name: must be at most 49"],
        [{ description: "d".repeat(500) }, "description: must be at most 499"],
        [{ team_id: "12" }, "team_id: must be an integer"],
        [{ settings: [] }, "settings: must be an object"],
        [{ integration_key: "0123456789abcdef0123456789abcdef56" }, "integration_key: must be 35"],
        [
          { integration_key: "0123456789abcdef0123456789abcdef100" },
          'integration_key: must end with the account id mod 1000, zero-padded to 3 digits ("567")',
        ],
      ];
      for (const [fields, message] of cases) {
        assertError(
          await api("/integration/create", { plugin_type: "standard.alert", ...fields }),
          400,
          "InvalidParameter",
          message,
        );
      }
      assert.equal(sim.integrations().length, 0);
    });

    it("accepts a given integration key of the right shape, once", async () => {
      const key = "0123456789abcdef0123456789abcdef567";
      assert.equal((await createIntegration({ integration_key: key, name: "ab" })).key, key);
      assertError(
        await api("/integration/create", { plugin_type: "standard.alert", integration_key: key }),
        400,
        "InvalidParameter",
        "integration_key: is already used",
      );
      const zeroPadded = await FlashdutySimulator.start({ appKey: APP_KEY, accountId: 1000042 });
      try {
        const reply = await fetch(`${zeroPadded.baseUrl}/integration/create?app_key=${APP_KEY}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ plugin_type: "standard.alert" }),
        });
        const data = ((await reply.json()) as { data: { integration_key: string } }).data;
        assert.match(data.integration_key, /^[0-9a-f]{32}042$/);
      } finally {
        await zeroPadded.stop();
      }
    });

    it("accepts the documented example keys for accounts whose id ends in their suffix", async () => {
      for (const [accountId, key] of [
        [9100, "0123456789abcdef0123456789abcdef100"], // /integration/create response example
        [77131, "18c7f1551df55fa28a1a87f0846d9d1e131"], // skywalking push URL example
      ] as const) {
        const own = await FlashdutySimulator.start({ appKey: APP_KEY, accountId });
        try {
          const res = await fetch(`${own.baseUrl}/integration/create?app_key=${APP_KEY}`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ plugin_type: "standard.alert", integration_key: key }),
          });
          assert.equal(res.status, 200, await res.clone().text());
          const data = ((await res.json()) as { data: { integration_key: string } }).data;
          assert.equal(data.integration_key, key);
        } finally {
          await own.stop();
        }
      }
    });

    it("updates only the sent fields; settings are replaced as a whole", async () => {
      const { id } = await createIntegration({
        name: "Prod alerts",
        description: "keep me",
        team_id: 7,
        settings: { a: 1, b: 2 },
      });
      const updated = await api("/integration/update", {
        integration_id: id,
        name: "Renamed",
        settings: { c: 3 },
      });
      assert.equal(updated.status, 200, JSON.stringify(updated.json));
      assert.equal(updated.json.data.name, "Renamed");
      const info = (await api("/integration/info", { integration_id: id })).json.data;
      assert.equal(info.name, "Renamed");
      assert.equal(info.description, "keep me");
      assert.equal(info.team_id, 7);
      assert.deepEqual(info.settings, { c: 3 });
      assertError(
        await api("/integration/update", { integration_id: id, name: "" }),
        400,
        "InvalidParameter",
        "name",
      );
      assert.equal(sim.integrations()[0].name, "Renamed");
    });

    it("answers a missing integration with 400 ResourceNotFound on every operation", async () => {
      for (const path of ["info", "update", "delete", "enable", "disable", "key/rotate"]) {
        assertError(
          await api(`/integration/${path}`, { integration_id: 42 }),
          400,
          "ResourceNotFound",
          "42",
        );
      }
      assertError(await api("/route/info", { integration_id: 42 }), 400, "ResourceNotFound");
      assertError(
        await api("/integration/info", {}),
        400,
        "InvalidParameter",
        "integration_id: is required",
      );
    });

    it("deletes an integration together with its route", async () => {
      const { id } = await routedIntegration();
      const deleted = await api("/integration/delete", { integration_id: id });
      assert.equal(deleted.status, 200);
      assert.deepEqual(deleted.json.data, {});
      assertError(await api("/integration/info", { integration_id: id }), 400, "ResourceNotFound");
      assert.equal(sim.route(id), null);
    });

    it("refuses to delete a referenced integration with 400 ReferenceExist and data.refs", async () => {
      const { id } = await createIntegration();
      sim.setIntegrationRefs(id, [{ ref_type: "channel", ref_id: 9, ref_name: "Ops" }]);
      const reply = await api("/integration/delete", { integration_id: id });
      assert.equal(reply.status, 400);
      assert.equal(reply.json.error.code, "ReferenceExist");
      assert.deepEqual(reply.json.data.refs, [{ ref_type: "channel", ref_id: 9, ref_name: "Ops" }]);
      assert.equal(sim.integrations().length, 1);
    });

    it("enables and disables", async () => {
      const { id } = await createIntegration();
      assert.equal((await api("/integration/disable", { integration_id: id })).status, 200);
      assert.equal(sim.integrations()[0].status, "disabled");
      assert.equal((await api("/integration/enable", { integration_id: id })).status, 200);
      assert.equal(sim.integrations()[0].status, "enabled");
    });

    it("lists with filters and pages through has_next_page", async () => {
      const own = await FlashdutySimulator.start({
        appKey: APP_KEY,
        integrationWriteRatePerSecond: 1000,
      });
      const call = async (path: string, body: unknown) => {
        const res = await fetch(`${own.baseUrl}${path}?app_key=${APP_KEY}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        });
        return ((await res.json()) as { data: Record<string, unknown> }).data;
      };
      try {
        for (let i = 0; i < 25; i++) {
          await call("/integration/create", { plugin_type: "standard.alert", name: `std-${i}` });
        }
        await call("/integration/create", {
          plugin_type: "simonly-aliyun-cm-event.alert",
          name: "aliyun prod",
        });
        const seen: number[] = [];
        let p = 1;
        for (;;) {
          const page = await call("/integration/list", {
            p,
            limit: 10,
            plugin_type: "standard.alert",
            asc: true,
          });
          assert.equal(page.total, 25);
          seen.push(...(page.items as { integration_id: number }[]).map((i) => i.integration_id));
          if (!page.has_next_page) break;
          p++;
        }
        assert.equal(p, 3);
        assert.equal(new Set(seen).size, 25);
        assert.deepEqual(
          seen,
          [...seen].sort((a, b) => a - b),
        );
        const byName = await call("/integration/list", { name: "aliyun" });
        assert.deepEqual(
          (byName.items as { name: string }[]).map((i) => i.name),
          ["aliyun prod"],
        );
        const multi = await call("/integration/list", {
          plugin_type: "standard.alert,simonly-aliyun-cm-event.alert",
        });
        assert.equal(multi.total, 26);
        assert.equal((multi.items as unknown[]).length, 20); // default limit
        assert.equal(multi.has_next_page, true);
      } finally {
        await own.stop();
      }
    });
  });

  describe("pagination limits", () => {
    it("rejects limit > 100, p < 1 and p × limit > 10000 with 400 InvalidParameter", async () => {
      assertError(await api("/channel/list", { limit: 101 }), 400, "InvalidParameter", "limit");
      assertError(await api("/channel/list", { p: 0 }), 400, "InvalidParameter", "p:");
      assertError(
        await api("/integration/list", { p: 101, limit: 100 }),
        400,
        "InvalidParameter",
        "10000",
      );
      assert.equal((await api("/integration/list", { p: 100, limit: 100 })).status, 200);
    });

    it("caps total at 1000 while has_next_page still tells the truth", async () => {
      const own = await FlashdutySimulator.start({
        appKey: APP_KEY,
        apiRatePerSecond: 1e6,
        apiRatePerMinute: 1e6,
      });
      const call = async (path: string, body: unknown) => {
        const res = await fetch(`${own.baseUrl}${path}?app_key=${APP_KEY}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        });
        return ((await res.json()) as { data: Record<string, unknown> }).data;
      };
      try {
        // 1005 creates over a few keep-alive connections (much cheaper than fetch on a busy machine).
        const agent = new Agent({ keepAlive: true, maxSockets: 8 });
        const create = (i: number) =>
          new Promise<number>((resolve, reject) => {
            const url = `${own.baseUrl}/channel/create?app_key=${APP_KEY}`;
            const headers = { "content-type": "application/json" };
            const req = httpRequest(url, { method: "POST", agent, headers }, (res) => {
              res.resume();
              res.on("end", () => resolve(res.statusCode ?? 0));
            });
            req.on("error", reject);
            req.end(JSON.stringify({ team_id: 1, channel_name: `c${i}` }));
          });
        const statuses = await Promise.all(Array.from({ length: 1005 }, (_, i) => create(i)));
        agent.destroy();
        assert.ok(statuses.every((status) => status === 200));
        assert.equal(own.channels().length, 1005);
        const page10 = await call("/channel/list", { p: 10, limit: 100 });
        assert.equal(page10.total, 1000);
        assert.equal(page10.has_next_page, true);
        const page11 = await call("/channel/list", { p: 11, limit: 100 });
        assert.equal((page11.items as unknown[]).length, 5);
        assert.equal(page11.has_next_page, false);
        const defaultLimit = await call("/channel/list", {});
        assert.equal((defaultLimit.items as unknown[]).length, 100);
      } finally {
        await own.stop();
      }
    });
  });

  describe("routes", () => {
    it("answers data:null without a route and omits such integrations from /route/list", async () => {
      const bare = await createIntegration();
      const routed = await routedIntegration();
      const info = await api("/route/info", { integration_id: bare.id });
      assert.equal(info.status, 200);
      assert.ok("data" in info.json);
      assert.equal(info.json.data, null);
      const list = (await api("/route/list", { integration_ids: [bare.id, routed.id] })).json.data;
      assert.deepEqual(
        list.items.map((r: { integration_id: number }) => r.integration_id),
        [routed.id],
      );
    });

    it("increments version on every upsert, ignoring the version sent (routeVersion: ignore)", async () => {
      const { id, channelId } = await routedIntegration();
      assert.equal(sim.route(id).version, 1);
      const second = await api("/route/upsert", {
        integration_id: id,
        default: { channel_ids: [channelId] },
        version: 77,
      });
      assert.equal(second.status, 200);
      assert.equal(sim.route(id).version, 2);
      await api("/route/upsert", { integration_id: id, default: { channel_ids: [channelId] } });
      assert.equal(sim.route(id).version, 3);
    });

    it("routeVersion: enforce refuses a stale version and accepts the stored one or none", async () => {
      sim.setRouteVersion("enforce");
      const { id, channelId } = await routedIntegration();
      assert.equal(sim.route(id).version, 1);
      const stale = await api("/route/upsert", {
        integration_id: id,
        default: { channel_ids: [channelId] },
        version: 77,
      });
      assert.equal(stale.status, 400);
      assert.equal(stale.json.error.code, "InvalidParameter");
      assert.match(stale.json.error.message, /^version: .*version 1, not 77/);
      assert.equal(sim.route(id).version, 1, "a refused upsert changes nothing");
      const current = await api("/route/upsert", {
        integration_id: id,
        default: { channel_ids: [channelId] },
        version: 1,
      });
      assert.equal(current.status, 200);
      await api("/route/upsert", { integration_id: id, default: { channel_ids: [channelId] } });
      assert.equal(sim.route(id).version, 3);
    });

    it("answers /route/upsert with data {} (docs example) or null (routeUpsertData), never the route", async () => {
      const { id, channelId } = await routedIntegration();
      const body = { integration_id: id, default: { channel_ids: [channelId] } };
      const empty = await api("/route/upsert", body);
      assert.deepEqual(empty.json.data, {});
      sim.setRouteUpsertData("null");
      const none = await api("/route/upsert", body);
      assert.ok("data" in none.json);
      assert.equal(none.json.data, null);
    });

    it("validates cases, conditions, channels and sections, naming the field", async () => {
      const { id } = await createIntegration();
      const channelId = await createChannel();
      const good = {
        if: [{ key: "severity", oper: "IN", vals: ["Critical"] }],
        channel_ids: [channelId],
      };
      const cases: [Record<string, unknown>, string][] = [
        [{}, "at least one of cases or default"],
        [{ cases: [] }, "at least one of cases or default"],
        [
          { cases: [{ ...good, if: [{ key: "severity", oper: "EQ", vals: ["x"] }] }] },
          "cases[0].if[0].oper: must be one of IN|NOTIN",
        ],
        [
          { cases: [{ ...good, if: [{ key: "severity", oper: "IN", vals: [] }] }] },
          "cases[0].if[0].vals",
        ],
        [
          { cases: [{ ...good, if: [{ key: "colour", oper: "IN", vals: ["x"] }] }] },
          "cases[0].if[0].key",
        ],
        [
          { cases: [{ ...good, if: [{ key: "title", oper: "IN", vals: ["/([/"] }] }] },
          "cases[0].if[0].vals[0]",
        ],
        [
          { cases: [{ ...good, if: [{ key: "title", oper: "IN", vals: ["num:eq:3"] }] }] },
          "cases[0].if[0].vals[0]",
        ],
        [{ cases: [{ ...good, if: [] }] }, "cases[0].if"],
        [{ cases: [{ if: good.if }] }, "cases[0].channel_ids: must list at least one"],
        [
          { cases: [{ if: good.if, channel_ids: [999] }] },
          "cases[0].channel_ids[0]: channel 999 does not exist",
        ],
        [
          { cases: [{ if: good.if, routing_mode: "name_mapping" }] },
          "cases[0].name_mapping_label: is required",
        ],
        [
          { cases: [good], sections: [{ name: "s", position: 2 }] },
          "sections[0].position: must be <= 1",
        ],
        [{ default: { channel_ids: [] } }, "default.channel_ids"],
        [{ default: { channel_ids: [123] } }, "default.channel_ids[0]"],
      ];
      for (const [fields, message] of cases) {
        assertError(
          await api("/route/upsert", { integration_id: id, ...fields }),
          400,
          "InvalidParameter",
          message,
        );
      }
      assert.equal(sim.route(id), null);
      assertError(
        await api("/route/upsert", { integration_id: 5, default: { channel_ids: [channelId] } }),
        400,
        "ResourceNotFound",
      );
    });

    it("accepts name mapping, filter syntaxes and sections, and migrates alert_severity", async () => {
      const { id } = await createIntegration();
      const channelId = await createChannel();
      const reply = await api("/route/upsert", {
        integration_id: id,
        cases: [
          {
            if: [
              { key: "alert_severity", oper: "IN", vals: ["Critical"] },
              {
                key: "labels.host",
                oper: "NOTIN",
                vals: ["web-*", "/^db[0-9]+$/", "cidr:10.0.0.0/8", "num:lt:100"],
              },
            ],
            routing_mode: "name_mapping",
            name_mapping_label: "labels.service",
            fallthrough: true,
          },
          { if: [{ key: "title", oper: "IN", vals: ["*disk*"] }], channel_ids: [channelId] },
        ],
        sections: [
          { name: "by service", position: 0 },
          { name: "rest", position: 2 },
        ],
      });
      assert.equal(reply.status, 200, JSON.stringify(reply.json));
      const route = sim.route(id);
      assert.equal(route.cases[0].if[0].key, "severity");
      assert.equal(route.cases[0].name_mapping_label, "labels.service");
      assert.equal(route.cases[1].routing_mode, "standard");
      assert.equal(route.cases[1].fallthrough, false);
      assert.equal(route.default, null);
      assert.equal(route.sections.length, 2);
    });
  });

  describe("channels", () => {
    it("validates create fields, naming each one", async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ team_id: undefined }, "team_id: is required"],
        [{ channel_name: undefined }, "channel_name: is required"],
        [{ channel_name: "" }, "channel_name: must be at least 1"],
        [{ channel_name: "n".repeat(60) }, "channel_name: must be at most 59"],
        [{ description: "d".repeat(501) }, "description: must be at most 500"],
        [{ managing_team_ids: [1, 2, 3, 4] }, "managing_team_ids: must have at most 3"],
        [{ group: { method: "x" } }, "group.method"],
        [{ auto_resolve_timeout: 2592001 }, "auto_resolve_timeout: must be <= 2592000"],
        [{ auto_resolve_mode: "never" }, "auto_resolve_mode"],
        [{ is_private: "yes" }, "is_private: must be a boolean"],
      ];
      for (const [fields, message] of cases) {
        const body = { team_id: 1, channel_name: "Ops", ...fields };
        assertError(await api("/channel/create", body), 400, "InvalidParameter", message);
      }
      assert.equal(sim.channels().length, 0);
    });

    it("updates partially and returns the record from /channel/info", async () => {
      const id = await createChannel();
      const updated = await api("/channel/update", { channel_id: id, description: "pager" });
      assert.equal(updated.status, 200, JSON.stringify(updated.json));
      const info = (await api("/channel/info", { channel_id: id })).json.data;
      assert.equal(info.channel_name, "Production Alerts");
      assert.equal(info.description, "pager");
      assert.equal(info.team_id, 3521074710131);
      assert.equal(info.status, "enabled");
    });

    it("soft-deletes only a disabled channel; afterwards it is ResourceNotFound and unlisted", async () => {
      const id = await createChannel();
      assertError(
        await api("/channel/delete", { channel_id: id }),
        400,
        "BadRequest",
        "disable it",
      );
      assert.equal((await api("/channel/disable", { channel_id: id })).status, 200);
      assert.equal((await api("/channel/delete", { channel_id: id })).status, 200);
      assertError(await api("/channel/info", { channel_id: id }), 400, "ResourceNotFound");
      assertError(await api("/channel/delete", { channel_id: id }), 400, "ResourceNotFound");
      assert.equal((await api("/channel/list", {})).json.data.items.length, 0);
      assert.deepEqual(sim.channels(), []);
    });

    it("filters the list by exact channel_name", async () => {
      await createChannel("Ops");
      await createChannel("Ops East");
      const exact = (await api("/channel/list", { channel_name: "Ops" })).json.data;
      assert.deepEqual(
        exact.items.map((c: { channel_name: string }) => c.channel_name),
        ["Ops"],
      );
      assert.equal((await api("/channel/list", { query: "ops" })).json.data.total, 2);
    });
  });

  describe("channel records (ChannelItem: fields emitted only when populated)", () => {
    it("leaves empty, false and 0 fields out of /channel/info and /channel/list", async () => {
      const id = await createChannel();
      const info = (await api("/channel/info", { channel_id: id })).json.data;
      for (const field of [
        "description",
        "is_private",
        "auto_resolve_timeout",
        "deleted_at",
        "group",
      ])
        assert.ok(!(field in info), `${field} is emitted while empty`);
      assert.equal(info.channel_id, id);
      assert.equal(info.status, "enabled");
      await api("/channel/update", { channel_id: id, description: "pager", is_private: true });
      const filled = (await api("/channel/info", { channel_id: id })).json.data;
      assert.equal(filled.description, "pager");
      assert.equal(filled.is_private, true);
      const brief = (await api("/channel/list", { is_brief: true })).json.data.items[0];
      assert.deepEqual(Object.keys(brief).sort(), [
        "channel_id",
        "channel_name",
        "status",
        "team_id",
      ]);
    });
  });

  describe("integration API switched off (console-only account)", () => {
    it("answers every /integration/* path 404 RouteNotFound in the error envelope; the rest still works", async () => {
      sim.setIntegrationApi(false);
      for (const path of [
        "/integration/type/list",
        "/integration/create",
        "/integration/info",
        "/integration/delete",
      ]) {
        const reply = await api(path, { integration_id: 1 });
        assertError(reply, 404, "RouteNotFound", path);
        assert.equal(reply.headers.get("flashcat-request-id"), reply.json.request_id);
      }
      assert.equal((await api("/channel/list", {})).status, 200);
      sim.reset();
      assert.equal((await api("/integration/type/list", {})).status, 200, "reset restores the API");
    });

    it("console-created integrations push, a private one without any route, a shared one only once routed", async () => {
      sim.setIntegrationApi(false);
      const channelId = await createChannel();
      const priv = sim.createConsoleIntegration({ typeName: "Standard Alert", channelId });
      const shared = sim.createConsoleIntegration({ typeName: "Standard Alert" });
      assert.equal(priv.kind, "private");
      assert.match(
        priv.pushUrl,
        /^http:\/\/127\.0\.0\.1:\d+\/event\/push\/alert\/standard\?integration_key=[0-9a-f]{32}567$/,
      );
      const alert = { event_status: "Warning", title_rule: "disk" };
      assert.equal((await pushTo("standard", priv.integrationKey, alert)).status, 200);
      assertError(
        await pushTo("standard", shared.integrationKey, alert),
        400,
        "BadRequest",
        "no routing rule",
      );
      const routed = await api("/route/upsert", {
        integration_id: shared.integrationId,
        default: { channel_ids: [channelId] },
      });
      assert.equal(routed.status, 200);
      assert.equal((await pushTo("standard", shared.integrationKey, alert)).status, 200);
      assertError(
        await api("/route/upsert", {
          integration_id: priv.integrationId,
          default: { channel_ids: [channelId] },
        }),
        400,
        "InvalidParameter",
        "routing rules apply to shared integrations only",
      );
    });

    it("with the API on, /integration/* neither lists nor reads channel-owned integrations", async () => {
      const channelId = await createChannel();
      const priv = sim.createConsoleIntegration({ typeName: "Standard Alert", channelId });
      const shared = sim.createConsoleIntegration({ typeName: "Standard Alert" });
      const list = (await api("/integration/list", {})).json.data.items;
      assert.deepEqual(
        list.map((i: { integration_id: number }) => i.integration_id),
        [shared.integrationId],
      );
      assertError(
        await api("/integration/info", { integration_id: priv.integrationId }),
        400,
        "ResourceNotFound",
      );
    });

    it("serves a documented two-segment push path (/event/push/alert/aws/cloudwatch)", async () => {
      const channelId = await createChannel();
      const aws = sim.createConsoleIntegration({ typeName: "AWS CloudWatch", channelId });
      assert.match(aws.pushUrl, /\/event\/push\/alert\/aws\/cloudwatch\?integration_key=/);
      assert.equal(
        (await pushTo("aws/cloudwatch", aws.integrationKey, { AlarmName: "x" })).status,
        200,
      );
      assertError(await pushTo("aws", aws.integrationKey, {}), 404, "RouteNotFound");
    });
  });

  describe("rate limiting", () => {
    it("answers 429 RequestTooFrequently with Retry-After beyond the per-account rate", async () => {
      // A stopped clock: no token comes back however slowly the four requests are answered.
      const own = await FlashdutySimulator.start({
        appKey: APP_KEY,
        apiRatePerSecond: 3,
        clock: () => 0,
      });
      try {
        const statuses: number[] = [];
        let limited: Response | undefined;
        for (let i = 0; i < 4; i++) {
          const res = await fetch(`${own.baseUrl}/channel/list?app_key=${APP_KEY}`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: "{}",
          });
          statuses.push(res.status);
          if (res.status === 429) limited = res;
          else await res.text();
        }
        assert.deepEqual(statuses, [200, 200, 200, 429]);
        assert.ok(limited);
        assert.equal(limited.headers.get("retry-after"), "1");
        const body = (await limited.json()) as { error: { code: string } };
        assert.equal(body.error.code, "RequestTooFrequently");
      } finally {
        await own.stop();
      }
    });

    it("admits the request again once Retry-After has passed", async () => {
      let now = 0;
      const own = await FlashdutySimulator.start({
        appKey: APP_KEY,
        apiRatePerSecond: 1,
        clock: () => now,
      });
      const call = () =>
        fetch(`${own.baseUrl}/channel/list?app_key=${APP_KEY}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: "{}",
        });
      try {
        assert.equal((await call()).status, 200);
        const res = await call();
        assert.equal(res.status, 429);
        const waitSeconds = Number(res.headers.get("retry-after"));
        assert.equal(waitSeconds, 1);
        await res.text();
        now += waitSeconds * 1000 - 1;
        assert.equal((await call()).status, 429, "not a millisecond before Retry-After");
        now += 1;
        assert.equal((await call()).status, 200);
      } finally {
        await own.stop();
      }
    });

    it("limits integration writes more tightly (20/s by default)", async () => {
      // A stopped clock, so that exactly the 20 tokens of the bucket are there to take.
      const own = await FlashdutySimulator.start({ appKey: APP_KEY, clock: () => 0 });
      const call = async (path: string, body: unknown) => {
        const res = await fetch(`${own.baseUrl}${path}?app_key=${APP_KEY}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        });
        return { status: res.status, json: (await res.json()) as Reply["json"] };
      };
      try {
        const replies = await Promise.all(
          Array.from({ length: 25 }, () =>
            call("/integration/create", { plugin_type: "standard.alert" }),
          ),
        );
        assert.equal(replies.filter((r) => r.status === 200).length, 20);
        const limited = replies.filter((r) => r.status === 429);
        assert.equal(limited.length, 5);
        assert.match(limited[0].json.error.message, /integration writes/);
        // Reads are not integration writes: the account limit (50/s) still admits them.
        assert.equal((await call("/integration/list", {})).status, 200);
      } finally {
        await own.stop();
      }
    });
  });

  describe("push", () => {
    it("stops accepting the old key as soon as the key is rotated", async () => {
      const { id, key } = await routedIntegration();
      const alert = { event_status: "Info", title_rule: "hello" };
      assert.equal((await pushTo("standard", key, alert)).status, 200);
      const rotated = await api("/integration/key/rotate", { integration_id: id });
      assert.equal(rotated.status, 200);
      const newKey: string = rotated.json.data.integration_key;
      assert.notEqual(newKey, key);
      assertError(
        await pushTo("standard", key, alert),
        400,
        "InvalidParameter",
        "integration_key is not a valid one",
      );
      assert.equal((await pushTo("standard", newKey, alert)).status, 200);
      assert.deepEqual(
        sim.pushed.map((p) => p.integrationKey),
        [key, newKey],
      );
    });

    it("answers every push with the account-wide refusal switched on, until it is switched off", async () => {
      const { key } = await routedIntegration();
      const alert = { event_status: "Info", title_rule: "t" };
      const cases = [
        ["no_license", 400, "NoLicense"],
        ["not_purchased", 400, "ResourceNotFound"],
        ["unauthorized", 401, "Unauthorized"],
      ] as const;
      for (const [refusal, status, code] of cases) {
        sim.setPushRefusal(refusal);
        assertError(await pushTo("standard", key, alert), status, code);
        assertError(await pushTo("standard", key, alert), status, code); // a switch, not a count
        // An unknown key is still answered as one; the Open API is not affected.
        assertError(await pushTo("standard", `${key}x`, alert), 400, "InvalidParameter");
        assert.equal((await api("/channel/list")).status, 200);
      }
      sim.setPushRefusal(null);
      assert.equal((await pushTo("standard", key, alert)).status, 200);
      assert.equal(sim.pushed.length, 1);
      sim.setPushRefusal("no_license");
      sim.reset();
      const again = await routedIntegration();
      assert.equal((await pushTo("standard", again.key, alert)).status, 200, "reset clears it");
      assert.throws(() => sim.setPushRefusal("nope" as "no_license"), /unknown refusal/);
    });

    it("needs no app_key, generates an alert_key when omitted, and records the push", async () => {
      const { id, key } = await routedIntegration();
      const reply = await pushTo("standard", key, {
        event_status: "Critical",
        title_rule: "disk full",
      });
      assert.equal(reply.status, 200, JSON.stringify(reply.json));
      assert.equal(reply.headers.get("flashcat-request-id"), reply.json.request_id);
      const alertKey: string = reply.json.data.alert_key;
      assert.match(alertKey, /^[0-9A-Za-z]{22}$/);
      assert.equal(sim.pushed.length, 1);
      assert.deepEqual(
        { ...sim.pushed[0], at: 0 },
        {
          integrationId: id,
          integrationKey: key,
          pluginType: "standard.alert",
          path: "/event/push/alert/standard",
          body: { event_status: "Critical", title_rule: "disk full", alert_key: alertKey },
          alertKey,
          at: 0,
        },
      );
    });

    it("rejects invalid standard alert bodies, naming the field", async () => {
      const { key } = await routedIntegration();
      const base = { event_status: "Warning", title_rule: "t" };
      const labels51 = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`l${i}`, "v"]));
      const cases: [Record<string, unknown>, string][] = [
        [{ event_status: undefined }, "event_status: is required"],
        [{ event_status: "warning" }, "event_status: must be one of Critical|Warning|Info|Ok"],
        [{ event_status: "Resolved" }, "event_status"],
        [{ title_rule: undefined }, "title_rule: is required"],
        [{ title_rule: 5 }, "title_rule: must be a string"],
        [{ alert_key: "k".repeat(256) }, "alert_key: must be at most 255"],
        [{ event_status: "Ok" }, "alert_key: is required when event_status is Ok"],
        [{ description: 1 }, "description: must be a string"],
        [{ labels: labels51 }, "at most 50 labels"],
        [{ labels: { "bad-name": "v" } }, "labels.bad-name"],
        [{ labels: { ["k".repeat(129)]: "v" } }, "at most 128"],
        [{ labels: { n: 1 } }, "labels.n: must be a string"],
        [{ labels: ["a"] }, "labels: must be an object"],
        [{ images: [{ alt: "no src" }] }, "images[0].src: is required"],
        [{ images: {} }, "images: must be an array"],
      ];
      for (const [fields, message] of cases) {
        assertError(
          await pushTo("standard", key, { ...base, ...fields }),
          400,
          "InvalidParameter",
          message,
        );
      }
      assertError(await pushTo("standard", key, []), 400, "InvalidParameter", "JSON object");
      assert.equal(sim.pushed.length, 0);
    });

    it("truncates long fields and keeps alerts as Flashduty would", async () => {
      const { key } = await routedIntegration();
      const labels50 = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`l${i}`, "v"]));
      labels50.l0 = "v".repeat(3000);
      const reply = await pushTo("standard", key, {
        event_status: "Ok",
        alert_key: "k".repeat(255),
        title_rule: "標".repeat(600),
        description: "d".repeat(5000),
        labels: labels50,
        images: [
          { alt: "a".repeat(200), src: "https://img.example/1.png", href: "h".repeat(300) },
          { alt: "long", src: "https://img.example/" + "x".repeat(300) },
        ],
        unknown_field: "dropped",
      });
      assert.equal(reply.status, 200, JSON.stringify(reply.json));
      const body = sim.pushed[0].body;
      assert.equal([...body.title_rule].length, 512);
      assert.equal(body.description.length, 2048);
      assert.equal(Object.keys(body.labels).length, 50);
      assert.equal(body.labels.l0.length, 2048);
      assert.equal(body.alert_key, "k".repeat(255));
      assert.deepEqual(body.images, [{ alt: "a".repeat(128), src: "https://img.example/1.png" }]);
      assert.equal(body.unknown_field, undefined);
    });

    it("keeps every valid alert as a truncation of what was sent (property)", async () => {
      const own = await FlashdutySimulator.start({
        appKey: APP_KEY,
        pushRatePerSecond: 1e6,
        pushRatePerMinute: 1e6,
      });
      const post = async (path: string, body: unknown) => {
        const res = await fetch(`${own.baseUrl}${path}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        });
        return { status: res.status, json: (await res.json()) as { data: Record<string, never> } };
      };
      try {
        const created = (
          await post(`/integration/create?app_key=${APP_KEY}`, { plugin_type: "standard.alert" })
        ).json.data;
        const channel = (
          await post(`/channel/create?app_key=${APP_KEY}`, { team_id: 1, channel_name: "c" })
        ).json.data;
        await post(`/route/upsert?app_key=${APP_KEY}`, {
          integration_id: created.integration_id,
          default: { channel_ids: [channel.channel_id] },
        });
        const text = (max: number) => fc.string({ unit: "grapheme", minLength: 1, maxLength: max });
        const alert = fc.record(
          {
            event_status: fc.constantFrom("Critical", "Warning", "Info", "Ok"),
            title_rule: text(700),
            alert_key: fc.string({ minLength: 1, maxLength: 255 }),
            description: text(2500),
            labels: fc.dictionary(fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,20}$/), text(2100), {
              maxKeys: 50,
            }),
          },
          { requiredKeys: ["event_status", "title_rule", "alert_key"] },
        );
        await fc.assert(
          fc.asyncProperty(alert, async (sent) => {
            const before = own.pushed.length;
            const reply = await post(
              `/event/push/alert/standard?integration_key=${created.integration_key}`,
              sent,
            );
            assert.equal(reply.status, 200, JSON.stringify(reply.json));
            const kept = own.pushed[before].body;
            const isTruncation = (got: string, given: string, max: number) =>
              [...got].length === Math.min(max, [...given].length) && given.startsWith(got);
            assert.ok(isTruncation(kept.title_rule, sent.title_rule, 512));
            assert.equal(kept.alert_key, sent.alert_key);
            if (sent.description !== undefined)
              assert.ok(isTruncation(kept.description, sent.description, 2048));
            for (const [name, value] of Object.entries(sent.labels ?? {})) {
              assert.ok(isTruncation(kept.labels[name], value, 2048), name);
            }
          }),
          { numRuns: 60 },
        );
      } finally {
        await own.stop();
      }
    });

    it("rejects pushes to a missing, disabled, unrouted or other-type integration", async () => {
      const routed = await routedIntegration();
      const alert = { event_status: "Info", title_rule: "t" };
      assertError(
        await pushTo("standard", "", alert),
        400,
        "InvalidParameter",
        "integration_key is not a valid one",
      );
      assertError(
        await pushTo("standard", "f".repeat(35), alert),
        400,
        "InvalidParameter",
        "integration_key is not a valid one",
      );
      assertError(await pushTo("nosuchtype", routed.key, alert), 404, "RouteNotFound");
      assertError(
        await pushTo("simonly-aliyun-cm-event", routed.key, alert),
        400,
        "InvalidParameter",
        "not a valid one",
      );

      const unrouted = await createIntegration();
      assertError(
        await pushTo("standard", unrouted.key, alert),
        400,
        "BadRequest",
        "no routing rule",
      );

      sim.mutateIntegration(routed.id, { status: "disabled" });
      assertError(await pushTo("standard", routed.key, alert), 400, "BadRequest", "disabled");
      assert.equal(sim.pushed.length, 0);
    });

    it("requires a JSON content type on pushes", async () => {
      const { key } = await routedIntegration();
      const reply = await send(`/event/push/alert/standard`, {
        body: "event_status=Info",
        contentType: "application/x-www-form-urlencoded",
        query: `?integration_key=${key}`,
      });
      assertError(reply, 400, "InvalidContentType");
    });

    it("stores other types' bodies as received under their slug", async () => {
      const { id, key } = await createIntegration({
        plugin_type: "simonly-volcengine-cm-event.alert",
      });
      const channelId = await createChannel();
      await api("/route/upsert", { integration_id: id, default: { channel_ids: [channelId] } });
      const payload = {
        Type: "Event",
        EventType: "ecs:Disk:DiskError",
        Rules: [{ Level: "Notice" }],
      };
      const reply = await pushTo("simonly-volcengine-cm-event", key, payload);
      assert.equal(reply.status, 200, JSON.stringify(reply.json));
      assert.deepEqual(sim.pushed[0].body, payload);
      assert.equal(sim.pushed[0].pluginType, "simonly-volcengine-cm-event.alert");
    });

    it("takes Alibaba Cloud's form-encoded threshold callback on a cloud type, never on standard", async () => {
      const { id, key } = await createIntegration({
        plugin_type: "simonly-aliyun-cm-metrics.alert",
      });
      const channelId = await createChannel();
      await api("/route/upsert", { integration_id: id, default: { channel_ids: [channelId] } });
      // Sample from aliyun-cms.md §3.1 (shortened).
      const form =
        "expression=$Average>=95&metricName=Host.mem.usedutilization&curValue=97.39" +
        "&alertName=Basic monitoring-ECS-memory usage&triggerLevel=WARN&alertState=ALERT&timestamp=1508136760";
      const reply = await send("/event/push/alert/simonly-aliyun-cm-metrics", {
        body: form,
        contentType: "application/x-www-form-urlencoded; charset=UTF-8",
        query: `?integration_key=${key}`,
      });
      assert.equal(reply.status, 200, JSON.stringify(reply.json));
      assert.equal(sim.pushed[0].body.metricName, "Host.mem.usedutilization");
      assert.equal(sim.pushed[0].body.alertState, "ALERT");

      const standard = await routedIntegration();
      const rejected = await send("/event/push/alert/standard", {
        body: "event_status=Info&title_rule=t",
        contentType: "application/x-www-form-urlencoded",
        query: `?integration_key=${standard.key}`,
      });
      assertError(rejected, 400, "InvalidContentType", "application/json");
      const plain = await send("/event/push/alert/simonly-aliyun-cm-metrics", {
        body: "x",
        contentType: "text/plain",
        query: `?integration_key=${key}`,
      });
      assertError(plain, 400, "InvalidContentType", "x-www-form-urlencoded");
      assert.equal(sim.pushed.length, 1);
    });

    it("limits pushes per integration with 429 and Retry-After", async () => {
      const own = await FlashdutySimulator.start({
        appKey: APP_KEY,
        pushRatePerSecond: 3,
        clock: () => 0,
      });
      const call = (path: string, body: unknown) =>
        fetch(`${own.baseUrl}${path}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        });
      try {
        const created = (await (
          await call(`/integration/create?app_key=${APP_KEY}`, { plugin_type: "standard.alert" })
        ).json()) as {
          data: { integration_id: number; integration_key: string };
        };
        const channel = (await (
          await call(`/channel/create?app_key=${APP_KEY}`, { team_id: 1, channel_name: "c" })
        ).json()) as {
          data: { channel_id: number };
        };
        await call(`/route/upsert?app_key=${APP_KEY}`, {
          integration_id: created.data.integration_id,
          default: { channel_ids: [channel.data.channel_id] },
        });
        const statuses: number[] = [];
        let retryAfter: string | null = null;
        for (let i = 0; i < 4; i++) {
          const res = await call(
            `/event/push/alert/standard?integration_key=${created.data.integration_key}`,
            {
              event_status: "Info",
              title_rule: `t${i}`,
            },
          );
          statuses.push(res.status);
          if (res.status === 429) retryAfter = res.headers.get("retry-after");
          await res.text();
        }
        assert.deepEqual(statuses, [200, 200, 200, 429]);
        assert.equal(retryAfter, "1");
        assert.equal(own.pushed.length, 3);
      } finally {
        await own.stop();
      }
    });
  });

  describe("faults", () => {
    it("answers injected 5xx with the InternalError envelope, then recovers", async () => {
      sim.inject({ kind: "5xx" }, 2);
      const first = await api("/channel/list");
      assertError(first, 500, "InternalError");
      assert.equal(first.headers.get("flashcat-request-id"), first.json.request_id);
      assertError(await api("/channel/list"), 500, "InternalError");
      assert.equal((await api("/channel/list")).status, 200);
      sim.inject({ kind: "5xx", status: 503 }, 1);
      assertError(await api("/channel/list"), 503, "ServiceUnavailable");
      assert.deepEqual(
        sim.requests.map((r) => r.status),
        [500, 500, 200, 503],
      );
    });

    it("answers injected 429 with Retry-After", async () => {
      sim.inject({ kind: "429", retryAfterSeconds: 7 }, 1);
      const reply = await api("/channel/list");
      assertError(reply, 429, "RequestTooFrequently");
      assert.equal(reply.headers.get("retry-after"), "7");
    });

    it("answers any documented error code as injected, also on HTTP 200", async () => {
      sim.inject({ kind: "error", code: "AccessDenied" }, 1, "/integration/");
      sim.inject({ kind: "error", code: "ResourceNotFound", status: 200, message: "gone" }, 1);
      const denied = await api("/integration/list");
      assertError(denied, 403, "AccessDenied");
      const onOk = await api("/channel/list");
      assertError(onOk, 200, "ResourceNotFound", "gone");
      assert.equal((await api("/channel/list")).json.error, undefined);
      assert.throws(
        () => sim.inject({ kind: "error", code: "Nope" as "AccessDenied" }, 1),
        /unknown error code/,
      );
      assert.throws(() => sim.inject({ kind: "5xx", status: 404 }, 1), /500\.\.599/);
      assert.throws(() => sim.inject({ kind: "hang" }, 0), /count/);
    });

    it("applies a fault only to paths under its prefix", async () => {
      const { key } = await routedIntegration();
      sim.inject({ kind: "5xx", status: 502 }, 1, "/event/push/");
      assert.equal((await api("/channel/list")).status, 200);
      assert.equal(
        (await pushTo("standard", key, { event_status: "Info", title_rule: "t" })).status,
        502,
      );
      assert.equal(
        (await pushTo("standard", key, { event_status: "Info", title_rule: "t" })).status,
        200,
      );
      assert.equal(sim.pushed.length, 1);
    });

    it("applies a fault only to requests whose body contains bodyIncludes", async () => {
      const { key } = await routedIntegration();
      sim.inject({ kind: "error", code: "ResourceNotFound" }, 5, "/event/push/", "poison");
      const poison = { event_status: "Info", title_rule: "poison pill" };
      const fine = { event_status: "Info", title_rule: "fine" };
      assertError(await pushTo("standard", key, poison), 400, "ResourceNotFound");
      assert.equal((await pushTo("standard", key, fine)).status, 200);
      assertError(await pushTo("standard", key, poison), 400, "ResourceNotFound");
      assert.equal(sim.pushed.length, 1);
      assert.throws(() => sim.inject({ kind: "5xx" }, 1, undefined, ""), /bodyIncludes/);
    });

    it("closes a hung request when stopped", async () => {
      const own = await FlashdutySimulator.start({ appKey: APP_KEY });
      own.inject({ kind: "hang" }, 1);
      const url = new URL(`${own.baseUrl}/channel/list?app_key=${APP_KEY}`);
      const outcome = new Promise<string>((resolve) => {
        const req = httpRequest(
          url,
          { method: "POST", headers: { "content-type": "application/json" } },
          (res) => resolve(`answered ${res.statusCode}`),
        );
        req.on("error", (err) => resolve(`closed: ${err.message}`));
        req.end("{}");
      });
      // Wait until the simulator has the request, then make sure it stays unanswered.
      while (own.requests.length === 0) await new Promise((r) => setTimeout(r, 10));
      const stillPending = await Promise.race([
        outcome,
        new Promise((r) => setTimeout(() => r("pending"), 150)),
      ]);
      assert.equal(stillPending, "pending");
      // stop() ends the hung request itself (a stop that waited for it would hit the test timeout).
      await own.stop();
      assert.match(await outcome, /^closed/);
    });
  });

  describe("internals", () => {
    it("refuses with the wait for the next token and consumes nothing from other buckets", () => {
      let now = 0;
      const perSecond = new TokenBucket(2, 1000, () => now);
      const perMinute = new TokenBucket(3, 60_000, () => now);
      assert.equal(admit([perSecond, perMinute]), 0);
      assert.equal(admit([perSecond, perMinute]), 0);
      assert.equal(admit([perSecond, perMinute]), 1); // per-second bucket empty: 500 ms → 1 s
      now = 1000;
      // Minute bucket: 1 token left + 1000 ms × 3/60000 refilled = 1.05; after this take 0.05,
      // so the next token is 0.95 × 20 s = 19 s away.
      assert.equal(admit([perSecond, perMinute]), 0);
      assert.equal(admit([perSecond, perMinute]), 19);
      assert.equal(perSecond.take(), 0); // …and the per-second token was given back
    });

    it("never imports the code it judges (components/, receiver/)", () => {
      const dir = join(__dirname, "flashduty");
      const files = readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) =>
        f.endsWith(".ts"),
      );
      assert.ok(files.length > 5);
      for (const file of files) {
        const text = readFileSync(join(dir, file), "utf8");
        assert.doesNotMatch(text, /from\s+["'][^"']*(components|receiver)\//, file);
        assert.doesNotMatch(text, /require\(\s*["'][^"']*(components|receiver)\//, file);
      }
    });
  });

  describe("out-of-band changes and reset", () => {
    it("reflects console edits, deletions and route changes in the API", async () => {
      const { id, channelId } = await routedIntegration();
      sim.mutateIntegration(id, { name: "Edited in console" });
      assert.equal(
        (await api("/integration/info", { integration_id: id })).json.data.name,
        "Edited in console",
      );

      sim.setRoute(id, { default: { channel_ids: [channelId] }, cases: [] });
      assert.equal((await api("/route/info", { integration_id: id })).json.data.version, 2);
      sim.setRoute(id, null);
      assert.equal((await api("/route/info", { integration_id: id })).json.data, null);

      sim.deleteChannel(channelId);
      assertError(await api("/channel/info", { channel_id: channelId }), 400, "ResourceNotFound");
      sim.deleteIntegration(id);
      assertError(await api("/integration/info", { integration_id: id }), 400, "ResourceNotFound");
    });

    it("reset clears state, faults and recordings", async () => {
      await routedIntegration();
      sim.inject({ kind: "5xx" }, 5);
      sim.reset();
      assert.deepEqual(sim.integrations(), []);
      assert.deepEqual(sim.channels(), []);
      assert.deepEqual(sim.requests, []);
      assert.equal((await api("/channel/list")).status, 200);
    });
  });
});

// Black-box tests of the Flashduty simulator over real HTTP (fetch). Nothing from components/ or
// receiver/ is used: the simulator is judged against flashduty-api.md, including its examples.

import { strict as assert } from "node:assert";
import { request as httpRequest } from "node:http";
import { FlashdutySimulator } from "./flashduty";

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
  });

  describe("faults", () => {
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
      await new Promise((r) => setTimeout(r, 100));
      const started = Date.now();
      await own.stop();
      assert.match(await outcome, /^closed/);
      assert.ok(Date.now() - started < 2000);
    });
  });
});

// The whole program under Pulumi mocks, once per example stack file: resource graph, parents,
// providers, secret propagation into the clouds' inputs, and the config error paths.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse as parseYaml } from "yaml";

const SECRET_SIG = "4dabf18193072939515e22adb298388d";

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  provider?: string;
  /** The resource option as the SDK sent it to the monitor (the mocks' newResource does not get it). */
  retainOnDelete?: boolean;
}

const registered: Registered[] = [];
let nextId = 1000;

/** Mocks are process-wide and other test files set their own: each suite here sets ours first. */
function useMocks(): void {
  void pulumi.runtime.setMocks(
    {
      newResource(args) {
        registered.push({
          type: args.type,
          name: args.name,
          inputs: args.inputs,
          provider: args.provider,
          retainOnDelete: retainOnDeleteByName.get(`${args.type}::${args.name}`),
        });
        const id = String(nextId++);
        const state: Record<string, unknown> = { ...args.inputs };
        if (args.type === "pulumi-nodejs:dynamic/flashduty:Integration") {
          state.integrationId = Number(id);
          state.integrationKey = `key${id}`;
          state.pushUrl = `https://api.flashcat.cloud/event/push/alert/x?integration_key=key${id}`;
        }
        if (args.type === "pulumi-nodejs:dynamic/flashduty:Channel") state.channelId = Number(id);
        if (args.type === "pulumi-nodejs:dynamic/flashduty:Route") state.version = 1;
        if (args.type === "pulumi-nodejs:dynamic/volcengine:CallbackUrl")
          state.callbackId = `cb${id}`;
        if (args.type === "pulumi-nodejs:dynamic/volcengine:EventRule") state.ruleId = `r${id}`;
        if (args.type === "pulumi:pulumi:StackReference") {
          state.outputs = {
            receiverUrl: "https://receiver.staging.example.com",
            receiverToken: "receiver-token",
          };
          state.secretOutputNames = ["receiverToken"];
        }
        return { id, state };
      },
      call: (args) => args.inputs,
    },
    "flashduty-wiring",
    "test",
    false,
  );
  // The mocks' newResource sees no resource options: record retainOnDelete from the monitor's
  // RegisterResourceRequest, which the SDK sends before newResource runs.
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource(req: MonitorRequest, cb: unknown): unknown;
  };
  const registerResource = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) => {
    retainOnDeleteByName.set(`${req.getType()}::${req.getName()}`, req.getRetainondelete());
    return registerResource(req, cb);
  };
}

interface MonitorRequest {
  getType(): string;
  getName(): string;
  getRetainondelete(): boolean;
}
const retainOnDeleteByName = new Map<string, boolean>();

import type * as ConfigModule from "../../program/config";
import type * as WiringModule from "../../program/wiring";

let config: typeof ConfigModule;
let wiring: typeof WiringModule;

/** Loads a stack file's config into the runtime the way the CLI would (JSON for objects). */
function useStackFile(file: string, secrets: Record<string, string> = {}): void {
  const doc = parseYaml(fs.readFileSync(path.join(__dirname, "../../stacks", file), "utf8")) as {
    config: Record<string, unknown>;
  };
  const flat: Record<string, string> = {};
  for (const [k, v] of Object.entries(doc.config)) {
    flat[k] = typeof v === "string" ? v : JSON.stringify(v);
  }
  pulumi.runtime.setAllConfig({ ...flat, ...secrets }, Object.keys(secrets));
}

function unwrap<T>(o: pulumi.Input<T> | undefined): Promise<T | undefined> {
  if (o === undefined) return Promise.resolve(undefined);
  return new Promise((resolve) => pulumi.output(o).apply((v) => resolve(v as T)));
}

function isSecretInput(value: unknown): boolean {
  return typeof value === "object" && value !== null && SECRET_SIG in value;
}

function ofType(type: string): Registered[] {
  return registered.filter((r) => r.type === type);
}

/** Waits until the mock monitor has seen every registration the program made. */
async function settle(w: WiringModule.Wiring): Promise<void> {
  const urns: pulumi.Output<string>[] = [];
  for (const i of Object.values(w.integrations)) {
    if (i.integration) urns.push(i.integration.urn);
    if (i.route) urns.push(i.route.urn);
  }
  for (const c of Object.values(w.channels)) urns.push(c.urn);
  w.aliyun?.eventRules.forEach((r) => urns.push(r.urn));
  w.aliyun?.alarms.forEach((r) => urns.push(r.urn));
  if (w.aliyunSubscription) urns.push(w.aliyunSubscription.channel.urn);
  w.aliyunSubscription?.policies.forEach((r) => urns.push(r.urn));
  if (w.volcengine) urns.push(w.volcengine.callback.urn, ...w.volcengine.rules.map((r) => r.urn));
  await Promise.all(urns.map((u) => unwrap(u)));
}

async function build(file: string, secrets?: Record<string, string>) {
  registered.length = 0;
  useStackFile(file, secrets);
  const cfg = config.loadWiringConfig();
  const stack = file.replace(/^Pulumi\.|\.yaml$/g, "");
  const { receiverEndpoint } = await import("../../program/receiver");
  const w = wiring.buildWiring({ config: cfg, stack, receiver: () => receiverEndpoint(cfg) });
  await settle(w);
  return w;
}

describe("program under mocks", function () {
  this.timeout(60_000);

  before(async () => {
    useMocks();
    config = await import("../../program/config");
    wiring = await import("../../program/wiring");
  });

  describe("dev stack (private routing, direct delivery)", () => {
    let w: WiringModule.Wiring;
    before(async () => {
      w = await build("Pulumi.dev.yaml");
    });

    it("creates one integration per cloud kind, each with its route", () => {
      assert.deepEqual(Object.keys(w.integrations).sort(), [
        "aliyun-cm-event",
        "volcengine-cm-event",
      ]);
      const kinds = ofType("pulumi-nodejs:dynamic/flashduty:Integration").map((r) => r.inputs.kind);
      assert.deepEqual(kinds.sort(), ["aliyun-cm-event", "volcengine-cm-event"]);
      const routes = ofType("pulumi-nodejs:dynamic/flashduty:Route");
      assert.equal(routes.length, 2);
      for (const r of routes) {
        assert.deepEqual(r.inputs.default, { channelIds: [3521074710131] });
        assert.equal(r.inputs.cases, undefined);
      }
    });

    it("parents every resource under its component", async () => {
      const i = w.integrations["volcengine-cm-event"]!;
      assert.match(
        (await unwrap(i.integration!.urn))!,
        /flashduty-wiring:flashduty:FlashdutyIntegration\$pulumi-nodejs:dynamic\/flashduty:Integration::/,
      );
      assert.match(
        (await unwrap(w.volcengine!.callback.urn))!,
        /flashduty-wiring:volcengine:VolcengineEventPush\$pulumi-nodejs:dynamic\/volcengine:CallbackUrl::/,
      );
      assert.equal(w.aliyun, undefined, "dev uses the default subscription mode");
      assert.match(
        (await unwrap(w.aliyunSubscription!.channel.urn))!,
        /flashduty-wiring:aliyun:AliyunEventSubscription\$pulumi-nodejs:dynamic\/aliyun:AlertAction::/,
      );
      assert.match(
        (await unwrap(w.aliyunSubscription!.policies[0].urn))!,
        /flashduty-wiring:aliyun:AliyunEventSubscription\$alicloud:cms\/eventNotifyPolicy:EventNotifyPolicy::/,
      );
    });

    it("gives the Aliyun policies the stack's explicit alicloud provider and the stack's channel", async () => {
      const providers = ofType("pulumi:providers:alicloud");
      assert.equal(providers.length, 1);
      const [policy] = ofType("alicloud:cms/eventNotifyPolicy:EventNotifyPolicy");
      assert.match(policy.provider ?? "", /pulumi:providers:alicloud::aliyun::/);
      assert.equal(policy.inputs.workspace, "default-cms-1234567890123456-cn-hangzhou");
      const channelId = await unwrap(w.aliyunSubscription!.alertActionId);
      const pushing = (policy.inputs.responsePlan as { pushingSetting: unknown }).pushingSetting;
      assert.deepEqual(pushing, { alertActionIds: [channelId], restoreActionIds: [channelId] });
      assert.equal(ofType("alicloud:cms/eventRule:EventRule").length, 0);
    });

    it("hands each cloud the push URL of its own kind, as a secret", async () => {
      const [callback] = ofType("pulumi-nodejs:dynamic/volcengine:CallbackUrl");
      assert.ok(isSecretInput(callback.inputs.url), "callback url must arrive as a secret");
      const volcPush = await unwrap(w.integrations["volcengine-cm-event"]!.pushUrl);
      assert.equal((callback.inputs.url as { value: string }).value, volcPush);

      const [channel] = ofType("pulumi-nodejs:dynamic/aliyun:AlertAction");
      assert.ok(
        isSecretInput(channel.inputs.url),
        "the push channel's url must arrive as a secret",
      );
      const aliPush = await unwrap(w.integrations["aliyun-cm-event"]!.pushUrl);
      assert.equal((channel.inputs.url as { value: string }).value, aliPush);
      assert.equal(channel.inputs.name, "flashduty-dev");
      assert.equal(await pulumi.isSecret(w.integrations["aliyun-cm-event"]!.pushUrl), true);
    });

    it("exports ids in plain text and push URLs as secrets", async () => {
      const out = wiring.wiringOutputs(w);
      assert.equal(await pulumi.isSecret(out.flashdutyPushUrls as pulumi.Output<unknown>), true);
      const ids = out.flashdutyIntegrationIds as Record<string, pulumi.Output<number>>;
      assert.deepEqual(Object.keys(ids).sort(), ["aliyun-cm-event", "volcengine-cm-event"]);
      for (const id of Object.values(ids)) {
        assert.equal(await pulumi.isSecret(id), false);
        assert.equal(typeof (await unwrap(id)), "number");
      }
      assert.equal(out.receiverPushUrl, undefined);
    });
  });

  describe("index.ts, the program Pulumi runs", () => {
    it("exports the stack outputs for the configured stack", async () => {
      registered.length = 0;
      useStackFile("Pulumi.dev.yaml");
      const outputs = (await import("../../index")) as unknown as Record<string, unknown>;
      assert.equal(outputs.environment, "test");
      assert.equal(
        await pulumi.isSecret(outputs.flashdutyPushUrls as pulumi.Output<unknown>),
        true,
      );
      const urls = await unwrap(outputs.flashdutyPushUrls as pulumi.Output<Record<string, string>>);
      assert.deepEqual(Object.keys(urls ?? {}).sort(), ["aliyun-cm-event", "volcengine-cm-event"]);
      assert.ok(await unwrap(outputs.volcengineCallbackId as pulumi.Output<string>));
    });
  });

  describe("staging stack (shared routing, receiver delivery)", () => {
    let w: WiringModule.Wiring;
    before(async () => {
      w = await build("Pulumi.staging.yaml");
    });

    it("creates one standard-alert integration for the receiver and the declared channels", () => {
      assert.deepEqual(Object.keys(w.integrations), ["standard-alert"]);
      assert.deepEqual(Object.keys(w.channels).sort(), ["sre-staging", "sre-staging-urgent"]);
      const [route] = ofType("pulumi-nodejs:dynamic/flashduty:Route");
      const cases = route.inputs.cases as Array<Record<string, unknown>>;
      assert.equal(cases.length, 1);
      assert.deepEqual(cases[0].conditions, [{ key: "severity", oper: "IN", vals: ["Critical"] }]);
    });

    it("points both clouds at the receiver through the receiver stack's outputs", () => {
      const refs = ofType("pulumi:pulumi:StackReference");
      assert.equal(refs.length, 1);
      assert.equal(refs[0].inputs.name, "organization/flashduty-receiver/staging");
      const [callback] = ofType("pulumi-nodejs:dynamic/volcengine:CallbackUrl");
      assert.ok(isSecretInput(callback.inputs.url));
      assert.equal(
        (callback.inputs.url as { value: string }).value,
        "https://receiver.staging.example.com/v1/volcengine?token=receiver-token",
      );
      const [rule] = ofType("alicloud:cms/eventRule:EventRule");
      assert.match(
        JSON.stringify(rule.inputs.webhookParameters),
        /https:\/\/receiver\.staging\.example\.com\/v1\/aliyun\?token=receiver-token/,
      );
      const [alarm] = ofType("alicloud:cms/alarm:Alarm");
      assert.ok(isSecretInput(alarm.inputs.webhook), "alarm webhook must be a secret");
    });

    it("exports the receiver's push URL as a secret", async () => {
      const out = wiring.wiringOutputs(w);
      assert.equal(await pulumi.isSecret(out.receiverPushUrl as pulumi.Output<unknown>), true);
    });
  });

  describe("prod stack (shared routing with name mapping, direct delivery)", () => {
    let w: WiringModule.Wiring;
    before(async () => {
      w = await build("Pulumi.prod.yaml");
    });

    it("adds a CM Metrics integration for the threshold alarms", () => {
      assert.deepEqual(Object.keys(w.integrations).sort(), [
        "aliyun-cm-event",
        "aliyun-cm-metrics",
        "volcengine-cm-event",
      ]);
      assert.equal(ofType("alicloud:cms/alarm:Alarm").length, 1);
      assert.equal(ofType("alicloud:cms/eventRule:EventRule").length, 2);
      assert.equal(ofType("pulumi-nodejs:dynamic/volcengine:EventRule").length, 2);
    });

    it("maps name-mapping cases onto the route", () => {
      const route = ofType("pulumi-nodejs:dynamic/flashduty:Route")[0];
      const cases = route.inputs.cases as Array<Record<string, unknown>>;
      assert.equal(cases[1].routingMode, "name_mapping");
      assert.equal(cases[1].nameMappingLabel, "labels.service");
      assert.equal(cases[0].fallthrough, true);
    });
  });

  describe("per-kind adoption and key rotation", () => {
    it("passes flashduty.kinds.<kind>.adoptId and keyRotation to that kind's integration only", async () => {
      registered.length = 0;
      pulumi.runtime.setAllConfig({
        "alicloud:region": "cn-hangzhou",
        "flashduty-wiring:flashduty": JSON.stringify({
          routing: { style: "private", channel: 7 },
          kinds: { "volcengine-cm-event": { adoptId: 6113996590131, keyRotation: "2026-11-23" } },
        }),
        "flashduty-wiring:aliyun": JSON.stringify({
          enabled: true,
          delivery: "direct",
          mode: "event-rule",
          subscriptionPolicies: [{ name: "t-ecs", product: "ecs" }],
        }),
        "flashduty-wiring:volcengine": JSON.stringify({
          enabled: true,
          delivery: "direct",
          rules: [
            {
              ruleName: "t-r1",
              eventSource: "ecs",
              eventTypes: ["ecs:Disk:DiskError.Redeploy.Executing"],
              level: "warning",
            },
          ],
        }),
      });
      const w = wiring.buildWiring({ config: config.loadWiringConfig(), stack: "t" });
      await settle(w);
      const byKind = Object.fromEntries(
        ofType("pulumi-nodejs:dynamic/flashduty:Integration").map((r) => [r.inputs.kind, r]),
      );
      assert.equal(byKind["volcengine-cm-event"].inputs.adoptId, 6113996590131);
      assert.equal(byKind["volcengine-cm-event"].inputs.keyRotation, "2026-11-23");
      assert.equal(byKind["aliyun-cm-event"].inputs.adoptId, undefined);
      assert.equal(byKind["aliyun-cm-event"].inputs.keyRotation, undefined);
    });

    it("sets retainOnDelete on that kind's Integration resource only (flashduty.kinds.<kind>.retainOnDelete)", async () => {
      registered.length = 0;
      pulumi.runtime.setAllConfig({
        "alicloud:region": "cn-hangzhou",
        "flashduty-wiring:flashduty": JSON.stringify({
          routing: { style: "private", channel: 7 },
          kinds: { "aliyun-cm-event": { retainOnDelete: true } },
        }),
        "flashduty-wiring:aliyun": JSON.stringify({
          enabled: true,
          delivery: "direct",
          mode: "event-rule",
          subscriptionPolicies: [{ name: "t-ecs", product: "ecs" }],
        }),
        "flashduty-wiring:volcengine": JSON.stringify({
          enabled: true,
          delivery: "direct",
          rules: [
            {
              ruleName: "t-r1",
              eventSource: "ecs",
              eventTypes: ["ecs:Disk:DiskError.Redeploy.Executing"],
              level: "warning",
            },
          ],
        }),
      });
      const w = wiring.buildWiring({ config: config.loadWiringConfig(), stack: "t" });
      await settle(w);
      const byKind = Object.fromEntries(
        ofType("pulumi-nodejs:dynamic/flashduty:Integration").map((r) => [r.inputs.kind, r]),
      );
      assert.equal(byKind["aliyun-cm-event"].retainOnDelete, true);
      assert.equal(byKind["volcengine-cm-event"].retainOnDelete, false);
      // Only the option: the provider's inputs do not change (no diff, no API call).
      assert.equal("retainOnDelete" in byKind["aliyun-cm-event"].inputs, false);
      const routes = ofType("pulumi-nodejs:dynamic/flashduty:Route");
      assert.equal(routes.length, 2);
      for (const r of routes) assert.equal(r.retainOnDelete, false);
    });

    it("refuses a non-numeric adoptId and an empty keyRotation, naming the keys", () => {
      pulumi.runtime.setAllConfig({
        "flashduty-wiring:flashduty": JSON.stringify({
          routing: { style: "private", channel: 7 },
          kinds: { "standard-alert": { adoptId: "abc", keyRotation: "" } },
        }),
      });
      assert.throws(
        () => config.loadWiringConfig(),
        (err: Error) =>
          /flashduty\.kinds\.standard-alert\.adoptId: expected a number/.test(err.message) &&
          /flashduty\.kinds\.standard-alert\.keyRotation: any non-empty string/.test(err.message),
      );
    });
  });

  describe("console-created integrations, mixed with API mode per kind", () => {
    const KEY_STD = "0123456789abcdef0123456789abcdef567";
    const KEY_VOLC = "fedcba9876543210fedcba9876543210567";
    const STD_URL = `https://api.flashcat.cloud/event/push/alert/standard?integration_key=${KEY_STD}`;
    const VOLC_URL = `https://api.flashcat.cloud/event/push/alert/volcengine/cm?integration_key=${KEY_VOLC}`;
    const mixed = (kinds: Record<string, unknown>, secret = true) =>
      pulumi.runtime.setAllConfig(
        {
          "alicloud:region": "cn-hangzhou",
          "flashduty-wiring:flashduty": JSON.stringify({
            receiverIntegration: true,
            routing: { style: "private", channel: 7 },
            kinds,
          }),
          "flashduty-wiring:aliyun": JSON.stringify({
            enabled: true,
            delivery: "direct",
            mode: "event-rule",
            subscriptionPolicies: [{ name: "t-ecs", product: "ecs" }],
          }),
          "flashduty-wiring:volcengine": JSON.stringify({
            enabled: true,
            delivery: "direct",
            rules: [
              {
                ruleName: "t-r1",
                eventSource: "ecs",
                eventTypes: ["ecs:Disk:DiskError.Redeploy.Executing"],
                level: "warning",
              },
            ],
          }),
        },
        secret ? ["flashduty-wiring:flashduty"] : [],
      );
    const consoleKinds = {
      "standard-alert": {
        pushUrl: STD_URL,
        integrationId: 6113996590199,
        routing: { style: "shared", default: { channels: [8] } },
      },
      "volcengine-cm-event": { pushUrl: VOLC_URL },
    };

    it("makes no Integration for console kinds, routes only with an id, wires the clouds to the given URLs as secrets", async () => {
      registered.length = 0;
      mixed(consoleKinds);
      const w = wiring.buildWiring({ config: config.loadWiringConfig(), stack: "t" });
      await settle(w);
      const integrations = ofType("pulumi-nodejs:dynamic/flashduty:Integration");
      assert.deepEqual(
        integrations.map((r) => r.inputs.kind),
        ["aliyun-cm-event"],
        "only the API-mode kind has an Integration resource",
      );
      const routes = ofType("pulumi-nodejs:dynamic/flashduty:Route");
      assert.equal(routes.length, 2);
      const consoleRoute = routes.find((r) => r.inputs.integrationId === 6113996590199);
      assert.ok(consoleRoute, "no route for the console-created shared integration");
      assert.deepEqual(consoleRoute.inputs.default, { channelIds: [8] });
      assert.equal(w.integrations["volcengine-cm-event"]?.route, undefined);
      assert.equal(w.integrations["volcengine-cm-event"]?.mode, "console");
      assert.equal(w.integrations["aliyun-cm-event"]?.mode, "api");
      const [callback] = ofType("pulumi-nodejs:dynamic/volcengine:CallbackUrl");
      assert.ok(isSecretInput(callback.inputs.url), "the Volcengine callback URL is not secret");
      assert.equal((callback.inputs.url as { value: string }).value, VOLC_URL);
      const out = wiring.wiringOutputs(w);
      assert.equal(await pulumi.isSecret(out.flashdutyPushUrls as pulumi.Output<unknown>), true);
      assert.equal(await pulumi.isSecret(out.receiverPushUrl as pulumi.Output<unknown>), true);
      assert.equal(await unwrap(out.receiverPushUrl as pulumi.Output<string>), STD_URL);
      const urls = (await unwrap(out.flashdutyPushUrls as pulumi.Output<Record<string, string>>))!;
      assert.equal(urls["volcengine-cm-event"], VOLC_URL);
      assert.match(urls["aliyun-cm-event"], /integration_key=key/);
      const ids = out.flashdutyIntegrationIds as Record<string, pulumi.Output<number>>;
      assert.deepEqual(Object.keys(ids).sort(), ["aliyun-cm-event", "standard-alert"]);
      assert.equal(await unwrap(ids["standard-alert"]), 6113996590199);
      const key = await unwrap(w.integrations["volcengine-cm-event"]!.integrationKey);
      assert.equal(key, KEY_VOLC);
    });

    it("refuses a push URL stored in plain text, without printing it", () => {
      mixed(consoleKinds, false);
      assert.throws(
        () => config.loadWiringConfig(),
        (err: Error) =>
          /flashduty\.kinds\.standard-alert\.pushUrl: stored in plain text/.test(err.message) &&
          /flashduty\.kinds\.volcengine-cm-event\.pushUrl: stored in plain text/.test(
            err.message,
          ) &&
          /pulumi config set --secret --path/.test(err.message) &&
          !err.message.includes(KEY_STD) &&
          !err.message.includes(KEY_VOLC),
      );
    });

    it("checks the push URL and the keys that go with it before anything is made, never printing it", () => {
      registered.length = 0;
      const bad = "http://evil.example.com/event/push/alert/../x?integration_key=short#frag";
      mixed({
        "standard-alert": { pushUrl: bad, adoptId: 5, pushPath: "standard" },
        "volcengine-cm-event": { pushUrl: VOLC_URL, routing: { style: "private", channel: 7 } },
        "aliyun-cm-event": { integrationId: 42 },
      });
      assert.throws(
        () => config.loadWiringConfig(),
        (err: Error) => {
          const m = err.message;
          for (const expected of [
            /standard-alert\.pushUrl: must start with https:\/\//,
            /standard-alert\.pushUrl: must be on the Flashduty push host api\.flashcat\.cloud/,
            /standard-alert\.pushUrl: has an integration_key of the wrong shape/,
            /standard-alert\.pushUrl: must not have a #fragment/,
            /standard-alert\.adoptId: applies to integrations this stack creates through the integration API/,
            /standard-alert\.pushPath: applies to integrations/,
            /volcengine-cm-event\.routing: routing rules need the integration's id/,
            /aliyun-cm-event\.integrationId: applies to an integration created in the Flashduty console/,
          ])
            assert.match(m, expected);
          assert.ok(!m.includes("evil.example.com/event") && !m.includes("short"), m);
          return true;
        },
      );
      assert.equal(registered.length, 0);
    });

    it("refuses retainOnDelete next to pushUrl, naming the key and the two-step switch", () => {
      registered.length = 0;
      mixed({ "aliyun-cm-event": { pushUrl: VOLC_URL, retainOnDelete: true } });
      assert.throws(
        () => config.loadWiringConfig(),
        (err: Error) =>
          /aliyun-cm-event\.retainOnDelete: applies to an integration this stack creates through the integration API/.test(
            err.message,
          ) &&
          /first run `pulumi up` with retainOnDelete: true and no pushUrl, then set pushUrl/.test(
            err.message,
          ) &&
          !err.message.includes(KEY_VOLC),
      );
      assert.equal(registered.length, 0);
    });

    it("needs no flashduty.routing when every kind is a console-created private integration", async () => {
      registered.length = 0;
      pulumi.runtime.setAllConfig(
        {
          "flashduty-wiring:flashduty": JSON.stringify({
            kinds: { "volcengine-cm-event": { pushUrl: VOLC_URL } },
          }),
          "flashduty-wiring:volcengine": JSON.stringify({
            enabled: true,
            delivery: "direct",
            rules: [
              {
                ruleName: "t-r1",
                eventSource: "ecs",
                eventTypes: ["ecs:Disk:DiskError.Redeploy.Executing"],
                level: "warning",
              },
            ],
          }),
        },
        ["flashduty-wiring:flashduty"],
      );
      const w = wiring.buildWiring({ config: config.loadWiringConfig(), stack: "t" });
      await settle(w);
      assert.equal(ofType("pulumi-nodejs:dynamic/flashduty:Route").length, 0);
      assert.equal(ofType("pulumi-nodejs:dynamic/flashduty:Integration").length, 0);
    });

    it("asks for routing when a kind whose routes the stack manages has none", () => {
      pulumi.runtime.setAllConfig({
        "flashduty-wiring:flashduty": JSON.stringify({ receiverIntegration: true }),
      });
      assert.throws(
        () => wiring.buildWiring({ config: config.loadWiringConfig(), stack: "t" }),
        /flashduty\.routing: missing, and flashduty\.kinds\.standard-alert\.routing is not set either/,
      );
    });
  });

  describe("receiver from config", () => {
    it("builds the receiver URLs from receiver.url and the secret token", async () => {
      registered.length = 0;
      pulumi.runtime.setAllConfig(
        {
          "flashduty-wiring:flashduty": JSON.stringify({
            routing: { style: "private", channel: 7 },
          }),
          "flashduty-wiring:volcengine": JSON.stringify({
            enabled: true,
            delivery: "receiver",
            rules: [
              {
                ruleName: "r1",
                eventSource: "ecs",
                eventTypes: ["ecs:Disk:DiskError.Redeploy.Executing"],
                level: "warning",
              },
            ],
          }),
          "flashduty-wiring:receiver": JSON.stringify({ url: "https://receiver.example.com/" }),
          "flashduty-wiring:receiverToken": "s3cr3t-token",
        },
        ["flashduty-wiring:receiverToken"],
      );
      const cfg = config.loadWiringConfig();
      const { receiverEndpoint } = await import("../../program/receiver");
      const w = wiring.buildWiring({
        config: cfg,
        stack: "t",
        receiver: () => receiverEndpoint(cfg),
      });
      await settle(w);
      const [callback] = ofType("pulumi-nodejs:dynamic/volcengine:CallbackUrl");
      assert.ok(isSecretInput(callback.inputs.url));
      assert.equal(
        (callback.inputs.url as { value: string }).value,
        "https://receiver.example.com/v1/volcengine?token=s3cr3t-token",
      );
    });

    it("refuses a receiver token stored in plain text", () => {
      pulumi.runtime.setAllConfig(
        {
          "flashduty-wiring:flashduty": JSON.stringify({
            routing: { style: "private", channel: 7 },
          }),
          "flashduty-wiring:receiver": JSON.stringify({ url: "https://receiver.example.com" }),
          "flashduty-wiring:receiverToken": "plain",
        },
        [],
      );
      assert.throws(() => config.loadWiringConfig(), /receiverToken: stored in plain text/);
    });

    it("asks for the token when receiver.url is set without one", () => {
      pulumi.runtime.setAllConfig({
        "flashduty-wiring:flashduty": JSON.stringify({ routing: { style: "private", channel: 7 } }),
        "flashduty-wiring:receiver": JSON.stringify({ url: "https://receiver.example.com" }),
      });
      assert.throws(() => config.loadWiringConfig(), /receiverToken: missing/);
    });
  });

  describe("receiver integration on its own (bootstrap of the receiver stack)", () => {
    it("creates the Standard Alert integration and exports its push URL without a receiver", async () => {
      registered.length = 0;
      pulumi.runtime.setAllConfig({
        "flashduty-wiring:flashduty": JSON.stringify({
          receiverIntegration: true,
          routing: { style: "private", channel: 7 },
        }),
        "flashduty-wiring:volcengine": JSON.stringify({
          enabled: true,
          delivery: "direct",
          rules: [
            {
              ruleName: "r1",
              eventSource: "ecs",
              eventTypes: ["ecs:Disk:DiskError.Redeploy.Executing"],
              level: "warning",
            },
          ],
        }),
      });
      const cfg = config.loadWiringConfig();
      const w = wiring.buildWiring({ config: cfg, stack: "t" });
      await settle(w);
      assert.deepEqual(Object.keys(w.integrations).sort(), [
        "standard-alert",
        "volcengine-cm-event",
      ]);
      assert.equal(ofType("pulumi:pulumi:StackReference").length, 0);
      const out = wiring.wiringOutputs(w);
      assert.equal(await pulumi.isSecret(out.receiverPushUrl as pulumi.Output<unknown>), true);
      assert.match(
        (await unwrap(out.receiverPushUrl as pulumi.Output<string>)) ?? "",
        /integration_key=/,
      );
    });
  });

  describe("cloud validation before any resource", () => {
    it("reports the components' problems for every cloud at once and creates nothing", async () => {
      registered.length = 0;
      pulumi.runtime.setAllConfig({
        "flashduty-wiring:flashduty": JSON.stringify({ routing: { style: "private", channel: 7 } }),
        "flashduty-wiring:aliyun": JSON.stringify({
          enabled: true,
          delivery: "direct",
          mode: "event-rule",
          subscriptionPolicies: [{ name: "p1", product: "ecs", levels: ["WARNING"] }],
        }),
        "flashduty-wiring:volcengine": JSON.stringify({
          enabled: true,
          delivery: "direct",
          rules: [
            {
              ruleName: "r1",
              eventSource: "ecs",
              eventTypes: ["ecs:Disk:DiskError.Redeploy.Executing"],
              level: "urgent",
            },
          ],
        }),
      });
      const cfg = config.loadWiringConfig();
      let message = "";
      try {
        wiring.buildWiring({ config: cfg, stack: "t" });
      } catch (err) {
        message = (err as Error).message;
      }
      assert.match(message, /flashduty-wiring:aliyun: .*WARN/);
      assert.match(message, /flashduty-wiring:volcengine: .*level/);
      // Registrations reach the mock monitor asynchronously: give them time to arrive.
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(registered.length, 0, "no resource may be registered after a config error");
    });

    it("in subscription mode, names a missing workspace and every bad policy field before creating anything", async () => {
      registered.length = 0;
      pulumi.runtime.setAllConfig({
        "flashduty-wiring:flashduty": JSON.stringify({ routing: { style: "private", channel: 7 } }),
        "flashduty-wiring:aliyun": JSON.stringify({
          enabled: true,
          delivery: "direct",
          notifyPolicies: [{ name: "p1", levels: ["WARN"] }],
        }),
      });
      const cfg = config.loadWiringConfig();
      let message = "";
      try {
        wiring.buildWiring({ config: cfg, stack: "t" });
      } catch (err) {
        message = (err as Error).message;
      }
      assert.match(message, /flashduty-wiring:aliyun: workspace: is missing; .*aliyun\.workspace/);
      assert.match(message, /flashduty-wiring:aliyun: notifyPolicies\[0\]\.levels\[0\]: "WARN"/);
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(registered.length, 0, "no resource may be registered after a config error");
    });
  });
});

// The providers as Pulumi really runs them: serialized by the program (captured here from the mock
// monitor's `args.inputs.__provider`), loaded back the way `@pulumi/pulumi/cmd/dynamic-provider` does
// (`requireFromString(text).handler()`, then `configure({config})` with its Config class), and driven
// against the simulator. Also proves no secret of the program's process leaked into the text.
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { FlashdutySimulator } from "../simulators/flashduty";
import type * as FlashdutyModule from "../../components/flashduty";
import { guardLoopbackOnly } from "./helpers";

// The same modules the dynamic-provider host uses.
type RequireFromString = (code: string) => { handler(): DynamicProvider };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const requireFromString = require("require-from-string") as RequireFromString;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Config: HostConfig } = require("@pulumi/pulumi/cmd/dynamic-provider/config") as {
  Config: new (
    raw: Record<string, string>,
    project: string,
  ) => { get(key: string): string | undefined };
};

interface DynamicProvider {
  configure(req: { config: unknown }): Promise<void>;
  check(
    olds: unknown,
    news: unknown,
  ): Promise<{ inputs?: Record<string, unknown>; failures?: unknown[] }>;
  diff(id: string, olds: unknown, news: unknown): Promise<{ changes?: boolean }>;
  create(inputs: unknown): Promise<{ id: string; outs: Record<string, unknown> }>;
  read(id: string, props: unknown): Promise<{ id?: string; props?: Record<string, unknown> }>;
  update(id: string, olds: unknown, news: unknown): Promise<{ outs?: Record<string, unknown> }>;
  delete(id: string, props: unknown): Promise<void>;
}

const PROGRAM_SECRET = "program-side-secret-0f1e2d3c4b5a69788796a5b4";

describe("flashduty/serialized providers (closure serialization round trip)", () => {
  let removeLoopbackGuard: () => void;
  before(() => {
    removeLoopbackGuard = guardLoopbackOnly();
  });
  after(() => removeLoopbackGuard());

  const serialized = new Map<string, string>();
  let fd: typeof FlashdutyModule;
  let sim: FlashdutySimulator;
  const savedEnv = process.env.FLASHDUTY_APP_KEY;

  before(async function () {
    this.timeout(60_000);
    sim = await FlashdutySimulator.start();
    // Secrets present in the program's process while the providers are serialized.
    process.env.FLASHDUTY_APP_KEY = PROGRAM_SECRET;
    pulumi.runtime.setAllConfig({ "flashduty:appKey": PROGRAM_SECRET }, ["flashduty:appKey"]);
    await pulumi.runtime.setMocks(
      {
        newResource(args: pulumi.runtime.MockResourceArgs) {
          if (typeof args.inputs.__provider === "string")
            serialized.set(args.type, args.inputs.__provider);
          return { id: `${args.name}-id`, state: args.inputs };
        },
        call: () => ({}),
      },
      "flashduty-wiring",
      "test",
      false,
    );
    fd = await import("../../components/flashduty");
    const integration = new fd.Integration("i", { kind: "standard-alert", name: "serialized" });
    const route = new fd.Route("r", { integrationId: 1, default: { channelIds: [2] } });
    const channel = new fd.Channel("c", { teamId: 1, name: "serialized" });
    await Promise.all(
      [integration, route, channel].map((r) => new Promise((resolve) => r.urn.apply(resolve))),
    );
  });

  after(async () => {
    if (savedEnv === undefined) delete process.env.FLASHDUTY_APP_KEY;
    else process.env.FLASHDUTY_APP_KEY = savedEnv;
    pulumi.runtime.setAllConfig({});
    await sim.stop();
  });

  function load(type: string): DynamicProvider {
    const text = serialized.get(`pulumi-nodejs:dynamic/flashduty:${type}`);
    assert.ok(text, `captured the serialized ${type} provider`);
    return requireFromString(text).handler();
  }

  async function loadConfigured(type: string): Promise<DynamicProvider> {
    const provider = load(type);
    await provider.configure({
      config: new HostConfig(
        { "flashduty:appKey": sim.appKey, "flashduty:baseUrl": sim.baseUrl },
        "flashduty-wiring",
      ),
    });
    return provider;
  }

  it("captured a serialized provider for each resource type, with no secret in the text", () => {
    assert.deepEqual([...serialized.keys()].sort(), [
      "pulumi-nodejs:dynamic/flashduty:Channel",
      "pulumi-nodejs:dynamic/flashduty:Integration",
      "pulumi-nodejs:dynamic/flashduty:Route",
    ]);
    for (const [type, text] of serialized) {
      assert.ok(!text.includes(PROGRAM_SECRET), `${type}: program secret captured`);
      assert.ok(!text.includes(sim.appKey), `${type}: app key captured`);
      assert.match(text, /exports\.handler/);
    }
  });

  it("the loaded providers create, read, update and delete against Flashduty", async () => {
    const integrations = await loadConfigured("Integration");
    const routes = await loadConfigured("Route");
    const channels = await loadConfigured("Channel");

    const channelInputs = (await channels.check({}, { teamId: 1, name: "ops" })).inputs;
    const channel = await channels.create(channelInputs);

    const integrationInputs = (
      await integrations.check({}, { kind: "aliyun-cm-event", name: "cm events" })
    ).inputs;
    const integration = await integrations.create(integrationInputs);
    assert.equal(sim.integrations().length, 1);
    assert.match(
      String(integration.outs.pushUrl),
      /\/event\/push\/alert\/[^/?]+\?integration_key=/,
    );

    const routeInputs = (
      await routes.check(
        {},
        {
          integrationId: integration.outs.integrationId,
          default: { channelIds: [channel.outs.channelId] },
        },
      )
    ).inputs;
    assert.deepEqual((await routes.check({}, routeInputs)).failures, []);
    const route = await routes.create(routeInputs);
    assert.deepEqual(sim.route(Number(route.id)).default, {
      channel_ids: [channel.outs.channelId],
    });

    // A pushed alert is accepted at the URL the provider produced.
    const res = await fetch(String(integration.outs.pushUrl), {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ from: "serialized provider" }),
    });
    assert.equal(res.status, 200);

    const read = await integrations.read(integration.id, integration.outs);
    assert.equal(read.id, integration.id);
    assert.equal(
      (await integrations.diff(integration.id, read.props, integrationInputs)).changes,
      false,
    );
    await integrations.update(integration.id, integration.outs, {
      ...integrationInputs,
      name: "cm events 2",
    });
    assert.equal(sim.integrations()[0].name, "cm events 2");
    // keyRotation runs from the serialized text too: a new key, in the push URL.
    const rotated = await integrations.update(integration.id, integration.outs, {
      ...integrationInputs,
      name: "cm events 2",
      keyRotation: "1",
    });
    assert.equal(rotated.outs?.integrationKey, sim.integrations()[0].integration_key);
    assert.notEqual(rotated.outs?.integrationKey, integration.outs.integrationKey);
    assert.ok(String(rotated.outs?.pushUrl).endsWith(String(rotated.outs?.integrationKey)));

    await routes.delete(route.id, route.outs);
    await integrations.delete(integration.id, integration.outs);
    await channels.delete(channel.id, channel.outs);
    assert.equal(sim.integrations().length, 0);
    assert.equal(sim.channels().length, 0);
    assert.equal((await integrations.read(integration.id, integration.outs)).id, "");
    assert.equal((await channels.read(channel.id, channel.outs)).id, "");
  });

  it("errors thrown by a loaded provider keep code, status, advice and hide the key", async () => {
    const wrongKey = "serialized-wrong-key-5e4d3c2b1a09f8e7";
    const provider = load("Integration");
    await provider.configure({
      config: new HostConfig(
        { "flashduty:appKey": wrongKey, "flashduty:baseUrl": sim.baseUrl },
        "flashduty-wiring",
      ),
    });
    await assert.rejects(
      provider.create({ kind: "standard-alert", name: "wrong key" }),
      (e: Error) => {
        const error = e as Error & { code?: string; httpStatus?: number; isUnauthorized?: boolean };
        assert.equal(error.code, "Unauthorized");
        assert.equal(error.httpStatus, 401);
        assert.equal(error.isUnauthorized, true);
        assert.match(error.message, /flashduty:appKey/);
        assert.ok(!`${error.message}${error.stack}${JSON.stringify(error)}`.includes(wrongKey));
        return true;
      },
    );
  });

  it("a loaded provider without configuration explains how to set the app key", async () => {
    delete process.env.FLASHDUTY_APP_KEY;
    const provider = load("Integration");
    await provider.configure({ config: new HostConfig({}, "flashduty-wiring") });
    await assert.rejects(
      provider.create({ kind: "standard-alert", name: "no key" }),
      (e: Error) => {
        assert.match(e.message, /flashduty:appKey/);
        assert.match(e.message, /FLASHDUTY_APP_KEY/);
        return true;
      },
    );
  });
});

// Every dynamic provider of the project as Pulumi really runs it: serialized by the program
// (captured here from the mock monitor's `args.inputs.__provider`), loaded back the way
// `@pulumi/pulumi/cmd/dynamic-provider` does (one `requireFromString(text).handler()` per distinct
// text, `configure({config})` once with its Config class), and driven against the simulators.
// The serialized text is the `providerFromModule` stub (components/common/dynamicProvider.ts): a
// few kilobytes, the same for every resource of a type, with no secret of the program's process;
// errors keep their vendor code and message through it; and a state written by the old, fully
// serialized providers is rewritten small by one no-API update.
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { FlashdutySimulator } from "../simulators/flashduty";
import { VolcengineSimulator } from "../simulators/volcengine";
import type * as FlashdutyModule from "../../components/flashduty";
import type * as VolcengineModule from "../../components/volcengine";
import { PROVIDER_STUB_MARK, providerFromModule } from "../../components/common/dynamicProvider";
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

type Props = Record<string, unknown>;
interface DynamicProvider {
  configure(req: { config: unknown }): Promise<void>;
  check(olds: unknown, news: unknown): Promise<{ inputs?: Props; failures?: unknown[] }>;
  diff(
    id: string,
    olds: unknown,
    news: unknown,
  ): Promise<{ changes?: boolean; replaces?: string[] }>;
  create(inputs: unknown): Promise<{ id: string; outs: Props }>;
  read(id: string, props: unknown): Promise<{ id?: string; props?: Props }>;
  update(id: string, olds: unknown, news: unknown): Promise<{ outs?: Props }>;
  delete(id: string, props: unknown): Promise<void>;
}

/** What a thrown error looks like when the implementation throws something that is not an Error. */
export const throwingProvider = {
  check: () => Promise.reject({ code: "Throttling", message: "plain object, not an Error" }),
  diff: () => Promise.reject("a string"),
};

/** A dynamic resource registered the way the code before providerFromModule did. */
class OldStyleResource extends pulumi.dynamic.Resource {}

const PROGRAM_SECRET = "program-side-secret-0f1e2d3c4b5a69788796a5b4";
const VOLC_PROGRAM_SECRET = "volc-program-secret-7a6b5c4d3e2f1a0b9c8d";
/** "A few kilobytes": the old serialized implementations were 27–44 KB each. */
const MAX_STUB_BYTES = 6 * 1024;

const TYPES = [
  "pulumi-nodejs:dynamic/flashduty:Channel",
  "pulumi-nodejs:dynamic/flashduty:Integration",
  "pulumi-nodejs:dynamic/flashduty:Route",
  "pulumi-nodejs:dynamic/volcengine:CallbackUrl",
  "pulumi-nodejs:dynamic/volcengine:EventRule",
];

describe("serialized dynamic providers (providerFromModule stubs, loaded as the host loads them)", () => {
  let removeLoopbackGuard: () => void;
  before(() => {
    removeLoopbackGuard = guardLoopbackOnly();
  });
  after(() => removeLoopbackGuard());

  /** Serialized provider text per resource name. */
  const byName = new Map<string, { type: string; text: string }>();
  let fd: typeof FlashdutyModule;
  let volc: typeof VolcengineModule;
  let sim: FlashdutySimulator;
  let vsim: VolcengineSimulator;
  const savedEnv = process.env.FLASHDUTY_APP_KEY;

  before(async function () {
    this.timeout(60_000);
    sim = await FlashdutySimulator.start();
    vsim = await VolcengineSimulator.start();
    // Secrets present in the program's process while the providers are serialized.
    process.env.FLASHDUTY_APP_KEY = PROGRAM_SECRET;
    pulumi.runtime.setAllConfig(
      { "flashduty:appKey": PROGRAM_SECRET, "volcengine:secretKey": VOLC_PROGRAM_SECRET },
      ["flashduty:appKey", "volcengine:secretKey"],
    );
    await pulumi.runtime.setMocks(
      {
        newResource(args: pulumi.runtime.MockResourceArgs) {
          if (typeof args.inputs.__provider === "string")
            byName.set(args.name, { type: args.type, text: args.inputs.__provider });
          return { id: `${args.name}-id`, state: args.inputs };
        },
        call: () => ({}),
      },
      "flashduty-wiring",
      "test",
      false,
    );
    fd = await import("../../components/flashduty");
    volc = await import("../../components/volcengine");
    const resources: pulumi.Resource[] = [
      new fd.Integration("i", { kind: "standard-alert", name: "serialized" }),
      new fd.Route("r", { integrationId: 1, default: { channelIds: [2] } }),
      new fd.Channel("c", { teamId: 1, name: "serialized" }),
      new fd.Channel("c2", { teamId: 1, name: "serialized 2" }),
      new volc.CallbackUrl("cb", {
        url: `http://127.0.0.1:9/push?integration_key=${PROGRAM_SECRET}`,
      }),
      new volc.EventRule("er", {
        ruleName: "serialized",
        eventSource: "ecs",
        eventTypes: ["ecs:Disk:DiskError.Redeploy.Executing"],
        level: "critical",
        webhookIds: ["wh"],
      }),
      // How the code before providerFromModule registered a channel: the provider object itself.
      new OldStyleResource(
        fd.channelProvider,
        "old-style",
        { channelId: undefined, teamId: 1, name: "old" },
        undefined,
        "flashduty",
        "Channel",
      ),
    ];
    await Promise.all(resources.map((r) => new Promise((resolve) => r.urn.apply(resolve))));
  });

  after(async () => {
    if (savedEnv === undefined) delete process.env.FLASHDUTY_APP_KEY;
    else process.env.FLASHDUTY_APP_KEY = savedEnv;
    pulumi.runtime.setAllConfig({});
    await sim.stop();
    await vsim.stop();
  });

  const stubs = () => [...byName].filter(([name]) => name !== "old-style");

  function textOf(type: string): string {
    const found = stubs().find(([, v]) => v.type === `pulumi-nodejs:dynamic/${type}`);
    assert.ok(found, `captured the serialized ${type} provider`);
    return found[1].text;
  }

  const hostConfig = (values: Record<string, string>) =>
    new HostConfig(
      {
        "flashduty:appKey": sim.appKey,
        "flashduty:baseUrl": sim.baseUrl,
        "volcengine:accessKey": vsim.accessKey,
        "volcengine:secretKey": vsim.secretKey,
        "volcengine:region": vsim.region,
        "volcengine:endpoint": vsim.baseUrl,
        ...values,
      },
      "flashduty-wiring",
    );

  /** A fresh dynamic-provider host: one loaded and configured provider per distinct text. */
  function host(values: Record<string, string> = {}) {
    const cache = new Map<string, DynamicProvider>();
    return async (text: string): Promise<DynamicProvider> => {
      let provider = cache.get(text);
      if (!provider) {
        provider = requireFromString(text).handler();
        cache.set(text, provider);
        await provider.configure({ config: hostConfig(values) });
      }
      return provider;
    };
  }

  it("serializes each resource type as a stub of a few KB, the same text for every resource of a type, with no secret", () => {
    assert.deepEqual([...new Set(stubs().map(([, v]) => v.type))].sort(), TYPES);
    assert.equal(byName.get("c")!.text, byName.get("c2")!.text, "one text per resource type");
    for (const [name, { type, text }] of stubs()) {
      const bytes = Buffer.byteLength(text);
      assert.ok(bytes <= MAX_STUB_BYTES, `${type} (${name}): ${bytes} bytes serialized`);
      assert.ok(text.includes(PROVIDER_STUB_MARK), `${type}: the stub's mark`);
      assert.match(text, /exports\.handler/);
      for (const secret of [PROGRAM_SECRET, VOLC_PROGRAM_SECRET, sim.appKey, vsim.secretKey])
        assert.ok(!text.includes(secret), `${type}: a secret was captured`);
      // The implementation is loaded in the host, not carried in the text.
      assert.doesNotMatch(text, /integration_key|CreateEventRule|\/channel\/create/);
    }
    // The old way, for scale: the whole implementation in every resource's state.
    const old = Buffer.byteLength(byName.get("old-style")!.text);
    assert.ok(old > 5 * MAX_STUB_BYTES, `old-style provider is ${old} bytes`);
    assert.ok(!byName.get("old-style")!.text.includes(PROVIDER_STUB_MARK));
  });

  it("the loaded Flashduty providers create, read, update and delete", async () => {
    const load = host();
    const integrations = await load(textOf("flashduty:Integration"));
    const routes = await load(textOf("flashduty:Route"));
    const channels = await load(textOf("flashduty:Channel"));

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
    // keyRotation runs through the stub too: a new key, in the push URL.
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

  it("the loaded Volcengine providers create, read, update and delete", async () => {
    const load = host();
    const callbacks = await load(textOf("volcengine:CallbackUrl"));
    const rules = await load(textOf("volcengine:EventRule"));

    const hook = await callbacks.create(
      (await callbacks.check({}, { name: "Flashduty_Event", url: "http://127.0.0.1:9/push" }))
        .inputs,
    );
    const ruleInputs = (
      await rules.check(
        {},
        {
          ruleName: "serialized-rule",
          eventSource: "ecs",
          eventTypes: ["ecs:Disk:DiskError.Redeploy.Executing"],
          level: "critical",
          webhookIds: [hook.id],
        },
      )
    ).inputs!;
    const rule = await rules.create(ruleInputs);
    assert.deepEqual(
      vsim.eventRules().map((r) => [r.RuleId, r.WebhookIds]),
      [[rule.id, [hook.id]]],
    );
    const read = await rules.read(rule.id, rule.outs);
    assert.equal(read.id, rule.id);
    assert.equal((await rules.diff(rule.id, read.props, ruleInputs)).changes, false);
    await rules.update(rule.id, rule.outs, { ...ruleInputs, description: "updated" });
    assert.equal(vsim.eventRules()[0].Description, "updated");
    await rules.delete(rule.id, rule.outs);
    await callbacks.delete(hook.id, hook.outs);
    assert.equal(vsim.eventRules().length, 0);
    assert.equal(vsim.webhooks().length, 0);
  });

  it("errors thrown by a loaded Flashduty provider keep code, status, advice and hide the key", async () => {
    const wrongKey = "serialized-wrong-key-5e4d3c2b1a09f8e7";
    const provider = await host({ "flashduty:appKey": wrongKey })(textOf("flashduty:Integration"));
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

  it("errors thrown by a loaded Volcengine provider keep the vendor code and message and hide the key", async () => {
    const wrongSecret = "volc-wrong-secret-3c2b1a09f8e7d6c5b4a3";
    const provider = await host({ "volcengine:secretKey": wrongSecret })(
      textOf("volcengine:CallbackUrl"),
    );
    await assert.rejects(
      provider.create({ name: "Flashduty_Event", url: "http://127.0.0.1:9/push" }),
      (e: Error) => {
        const error = e as Error & { code?: string; httpStatus?: number; action?: string };
        assert.equal(error.name, "VolcengineApiError");
        assert.equal(error.action, "CreateWebhook");
        assert.match(String(error.code), /Signature/i);
        // What the host sends back to the engine (gRPC status message): the code and the advice.
        assert.match(error.message, /^Volcengine CreateWebhook failed: \S*Signature\S*: /i);
        assert.match(error.message, /volcengine:secretKey/);
        assert.ok(!`${error.message}${error.stack}${JSON.stringify(error)}`.includes(wrongSecret));
        return true;
      },
    );
    assert.equal(vsim.webhooks().length, 0);
  });

  it("turns a thrown non-Error into an Error with its message and code (the host reports only message)", async () => {
    const provider = providerFromModule(__filename, "throwingProvider");
    await assert.rejects(provider.check!({}, {}), (e: Error) => {
      assert.ok(e instanceof Error);
      assert.equal(e.message, "throwingProvider: plain object, not an Error");
      assert.equal((e as Error & { code?: string }).code, "Throttling");
      return true;
    });
    await assert.rejects(provider.diff!("id", {}, {}), /^Error: throwingProvider: "a string"$/);
  });

  it("a loaded provider without configuration explains how to set the app key", async () => {
    delete process.env.FLASHDUTY_APP_KEY;
    const provider = requireFromString(textOf("flashduty:Integration")).handler();
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

  describe("a state written by the old, fully serialized providers", () => {
    // The host takes `__provider` from the new inputs for diff and update, from the stored outputs
    // for read and delete; the stored outputs are the old provider's until an update.
    it("is kept by read and delete, and rewritten small by one update that calls no API", async () => {
      const load = host();
      const oldText = byName.get("old-style")!.text;
      const stubText = textOf("flashduty:Channel");
      const oldProvider = await load(oldText);
      const stub = await load(stubText);

      const inputs = (await oldProvider.check({}, { teamId: 1, name: "upgraded" })).inputs!;
      const created = await oldProvider.create(inputs);
      const stored = { ...created.outs, __provider: oldText };
      const news = { ...inputs, __provider: stubText };

      // Unchanged inputs: an update is reported (no replacement) only because of the old text.
      const diff = await stub.diff(created.id, stored, news);
      assert.equal(diff.changes, true);
      assert.deepEqual(diff.replaces ?? [], []);
      const stubStored = { ...created.outs, __provider: stubText };
      assert.equal((await stub.diff(created.id, stubStored, news)).changes, false);

      const before = sim.requests.length;
      const updated = await stub.update(created.id, stored, news);
      assert.deepEqual(
        sim.requests.slice(before).map((r) => r.path),
        [],
        "the rewrite calls no API",
      );
      // The host stores the outputs with the new inputs' `__provider` (resultIncludingProvider).
      assert.deepEqual(
        { ...updated.outs, __provider: news.__provider },
        { ...created.outs, __provider: stubText },
        "the same outputs, with the stub in place of the old provider",
      );

      // A real change on an old state still reaches the API.
      const renamed = await stub.update(created.id, stored, { ...news, name: "renamed" });
      assert.equal(renamed.outs?.name, "renamed");
      assert.deepEqual(
        sim.channels().map((c) => c.channel_name),
        ["renamed"],
      );
      await stub.delete(created.id, renamed.outs);
      assert.equal(sim.channels().length, 0);
    });

    it("a stub stored before its module moved is rewritten by one update that calls no API", async () => {
      const load = host();
      const stubText = textOf("flashduty:Channel");
      assert.ok(stubText.includes("components/flashduty/channel.ts"), "the stub names its module");
      // What a stack created before a refactor holds: the stub of the module's former path.
      const movedText = stubText.replace(
        "components/flashduty/channel.ts",
        "components/old/channel.ts",
      );
      const stub = await load(stubText);
      const inputs = (await stub.check({}, { teamId: 1, name: "moved" })).inputs!;
      const created = await stub.create(inputs);
      const stored = { ...created.outs, __provider: movedText };
      const news = { ...inputs, __provider: stubText };
      const diff = await stub.diff(created.id, stored, news);
      assert.equal(diff.changes, true, "the stored stub of the old path is to be rewritten");
      assert.deepEqual(diff.replaces ?? [], []);
      const before = sim.requests.length;
      const updated = await stub.update(created.id, stored, news);
      assert.deepEqual(
        sim.requests.slice(before).map((r) => r.path),
        [],
        "no API call",
      );
      assert.deepEqual(updated.outs, stored);
      await stub.delete(created.id, { ...created.outs, __provider: stubText });
    });
  });
});

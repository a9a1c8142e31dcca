// FlashdutyIntegration component under Pulumi mocks: resource graph, parents, type tokens, secret
// outputs, additionalSecretOutputs, and validation before any resource is made.
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import type * as FlashdutyModule from "../../components/flashduty";

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

const INTEGRATION_TYPE = "pulumi-nodejs:dynamic/flashduty:Integration";
const ROUTE_TYPE = "pulumi-nodejs:dynamic/flashduty:Route";
const COMPONENT_TYPE = "flashduty-wiring:flashduty:FlashdutyIntegration";
const CONSOLE_URL =
  "https://api.flashcat.cloud/event/push/alert/standard?integration_key=0123456789abcdef0123456789abcdef100";

function value<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}

describe("flashduty/FlashdutyIntegration component (mocks)", () => {
  const registered: Registered[] = [];
  const optionsSeen: { type: string; opts: pulumi.ResourceOptions }[] = [];
  let fd: typeof FlashdutyModule;

  before(async () => {
    await pulumi.runtime.setMocks(
      {
        newResource(args: pulumi.runtime.MockResourceArgs) {
          registered.push({ type: args.type, name: args.name, inputs: args.inputs });
          const computed: Record<string, unknown> =
            args.type === INTEGRATION_TYPE
              ? {
                  integrationId: 6113996590131,
                  pluginType: "standard.alert",
                  integrationKey: "0123456789abcdef0123456789abcdef100",
                  pushUrl:
                    "https://api.flashcat.cloud/event/push/alert/standard?integration_key=0123456789abcdef0123456789abcdef100",
                }
              : args.type === ROUTE_TYPE
                ? { version: 1 }
                : {};
          return {
            // The Integration provider's id is the integration_id as a string.
            id:
              args.type === INTEGRATION_TYPE
                ? "6113996590131"
                : args.custom
                  ? `${args.name}-id`
                  : undefined,
            state: { ...args.inputs, ...computed },
          };
        },
        call: () => ({}),
      },
      "flashduty-wiring",
      "test",
      false,
    );
    fd = await import("../../components/flashduty");
  });

  beforeEach(() => {
    registered.length = 0;
    optionsSeen.length = 0;
  });

  const recordOptions: pulumi.ResourceTransformation = (args) => {
    optionsSeen.push({ type: args.type, opts: args.opts });
    return undefined;
  };

  it("console mode: no Integration; a Route only with integrationId; the push URL and key as secrets", async () => {
    const privateOne = new fd.FlashdutyIntegration("console-private", {
      kind: "volcengine-cm-event",
      name: "console private",
      pushUrl: pulumi.secret(CONSOLE_URL),
    });
    const shared = new fd.FlashdutyIntegration("console-shared", {
      kind: "standard-alert",
      name: "console shared",
      pushUrl: CONSOLE_URL,
      integrationId: 6113996590177,
      style: "private",
      channelId: 3521074710131,
    });
    await value(shared.route!.urn);
    assert.equal(privateOne.mode, "console");
    assert.equal(privateOne.integration, undefined);
    assert.equal(privateOne.route, undefined);
    assert.equal(registered.filter((r) => r.type === INTEGRATION_TYPE).length, 0);
    const routes = registered.filter((r) => r.type === ROUTE_TYPE);
    assert.equal(routes.length, 1);
    assert.equal(routes[0].inputs.integrationId, 6113996590177);
    assert.deepEqual(routes[0].inputs.default, { channelIds: [3521074710131] });
    for (const c of [privateOne, shared]) {
      assert.equal(await pulumi.isSecret(c.pushUrl), true);
      assert.equal(await pulumi.isSecret(c.integrationKey), true);
      assert.equal(await value(c.pushUrl), CONSOLE_URL);
      assert.equal(await value(c.integrationKey), "0123456789abcdef0123456789abcdef100");
    }
    assert.equal(await value(privateOne.integrationId), undefined);
    assert.equal(await value(shared.integrationId), 6113996590177);
  });

  it('"private": one Integration and one default Route to the channel, parented by the component', async () => {
    const component = new fd.FlashdutyIntegration(
      "prod-events",
      {
        kind: "aliyun-cm-event",
        name: "Prod CM events",
        style: "private",
        channelId: 3521074710131,
      },
      { transformations: [recordOptions] },
    );
    assert.equal(await value(component.integrationId), 6113996590131);
    assert.equal(await value(component.routeVersion), 1);

    assert.deepEqual(
      registered.map((r) => r.type),
      [COMPONENT_TYPE, INTEGRATION_TYPE, ROUTE_TYPE],
    );
    const integration = registered.find((r) => r.type === INTEGRATION_TYPE) as Registered;
    assert.equal(integration.inputs.kind, "aliyun-cm-event");
    assert.equal(integration.inputs.name, "Prod CM events");
    assert.equal(typeof integration.inputs.__provider, "string", "serialized provider present");
    assert.ok(!("appKey" in integration.inputs), "no credential among inputs");
    const route = registered.find((r) => r.type === ROUTE_TYPE) as Registered;
    assert.equal(route.name, "prod-events-route");
    assert.equal(route.inputs.integrationId, 6113996590131);
    assert.deepEqual(route.inputs.default, { channelIds: [3521074710131] });
    assert.equal(route.inputs.cases, undefined);

    // Parents: the children's URNs carry the component's type as parent type.
    const integrationUrn = await value(component.integration!.urn);
    const routeUrn = await value(component.route!.urn);
    assert.match(
      integrationUrn,
      new RegExp(`::${COMPONENT_TYPE}\\$${INTEGRATION_TYPE}::prod-events$`),
    );
    assert.match(routeUrn, new RegExp(`::${COMPONENT_TYPE}\\$${ROUTE_TYPE}::prod-events-route$`));
  });

  it("integrationKey and pushUrl are secret; integrationId is not", async () => {
    const component = new fd.FlashdutyIntegration("secrets", {
      kind: "standard-alert",
      name: "secret outputs",
      style: "private",
      channelId: 1,
    });
    assert.equal(await pulumi.isSecret(component.pushUrl), true);
    assert.equal(await pulumi.isSecret(component.integrationKey), true);
    assert.equal(await pulumi.isSecret(component.integrationId), false);
    assert.match(await value(component.pushUrl), /integration_key=/);
  });

  it("the Integration resource declares integrationKey and pushUrl as additionalSecretOutputs", async () => {
    const component = new fd.FlashdutyIntegration(
      "aso",
      { kind: "standard-alert", name: "aso", style: "private", channelId: 1 },
      { transformations: [recordOptions] },
    );
    await value(component.integrationId);
    const seen = optionsSeen.find((o) => o.type === INTEGRATION_TYPE);
    assert.ok(seen, "transformation saw the Integration");
    assert.deepEqual(
      [...((seen.opts as pulumi.CustomResourceOptions).additionalSecretOutputs ?? [])].sort(),
      ["integrationKey", "pushUrl"],
    );
  });

  it('"shared": cases and default reach the Route as declared', async () => {
    const cases = [
      {
        conditions: [{ key: "severity", oper: "IN" as const, vals: ["Critical"] }],
        channelIds: [11],
        fallthrough: true,
      },
    ];
    const component = new fd.FlashdutyIntegration("shared", {
      kind: "volcengine-cm-event",
      name: "Shared volc",
      style: "shared",
      cases,
      default: { channelIds: [12] },
      pushPath: "volc",
    });
    await value(component.routeVersion);
    const route = registered.find((r) => r.type === ROUTE_TYPE) as Registered;
    assert.deepEqual(route.inputs.cases, cases);
    assert.deepEqual(route.inputs.default, { channelIds: [12] });
    const integration = registered.find((r) => r.type === INTEGRATION_TYPE) as Registered;
    assert.equal(integration.inputs.pushPath, "volc");
  });

  describe("validation, before any resource is made", () => {
    const cases: [string, Record<string, unknown>, RegExp | ((e: Error) => boolean)][] = [
      ["shared without any route", { style: "shared" }, /needs routing[\s\S]*drops every alert/],
      ["shared with empty cases", { style: "shared", cases: [] }, /needs routing/],
      ["private without channelId", { style: "private" }, /needs channelId/],
      [
        "private with cases",
        { style: "private", channelId: 1, cases: [] },
        /cases\/default are for style "shared"/,
      ],
      [
        "shared with channelId",
        { style: "shared", channelId: 1, default: { channelIds: [1] } },
        /channelId is for style "private"/,
      ],
      ["unknown style", { style: "public" }, /style must be "private" or "shared"/],
      [
        "unknown kind",
        { style: "private", channelId: 1, kind: "aws-sns" },
        /kind "aws-sns" is unknown/,
      ],
      [
        "a console push URL with API-only args",
        { pushUrl: CONSOLE_URL, pluginType: "standard.alert", adoptId: 5 },
        /pluginType applies to integrations created through the API[\s\S]*adoptId applies/,
      ],
      [
        "retainOnDelete with a console push URL",
        { pushUrl: CONSOLE_URL, retainOnDelete: true },
        /retainOnDelete applies to integrations created through the API/,
      ],
      [
        "routing for a console integration without its id",
        { pushUrl: CONSOLE_URL, style: "private", channelId: 1 },
        /routing \(style, channelId, cases, default\) needs integrationId/,
      ],
      [
        "integrationId without a console push URL",
        { style: "private", channelId: 1, integrationId: 7 },
        /integrationId applies to console-created integrations only/,
      ],
      [
        "a malformed console push URL (without printing it)",
        { pushUrl: "https://api.flashcat.cloud/other?integration_key=abc" },
        (e: Error) =>
          /pushUrl must have a path starting with \/event\/push\/alert\//.test(e.message) &&
          !e.message.includes("integration_key=abc"),
      ],
    ];
    for (const [title, extra, expected] of cases) {
      it(`refuses ${title}`, () => {
        const args = {
          kind: "standard-alert",
          name: "bad",
          ...extra,
        } as unknown as FlashdutyModule.FlashdutyIntegrationArgs;
        assert.throws(
          () => new fd.FlashdutyIntegration(`bad-${title.replace(/\W+/g, "-")}`, args),
          expected,
        );
        assert.equal(registered.length, 0, "no resource registered");
      });
    }

    it("reports every problem at once, one per line", () => {
      const args = {
        kind: "aws-sns",
        name: "bad",
        style: "private",
        cases: [],
      } as unknown as FlashdutyModule.FlashdutyIntegrationArgs;
      assert.throws(
        () => new fd.FlashdutyIntegration("bad-many", args),
        (e: Error) =>
          /kind "aws-sns" is unknown/.test(e.message) &&
          /needs channelId/.test(e.message) &&
          /cases\/default are for style "shared"/.test(e.message) &&
          e.message.split("\n").length === 4,
      );
      assert.equal(registered.length, 0, "no resource registered");
    });
  });
});

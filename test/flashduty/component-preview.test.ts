// FlashdutyIntegration under preview mocks, modelling what the engine does while it previews an
// in-place update of the Integration (e.g. a rename): the resource keeps its id, but every output
// of a dynamic resource is unknown. The Route must still get a known integrationId; an unknown one
// made the real engine plan a *replacement* of the route (found by test/e2e/wiring.e2e.ts).
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import type * as FlashdutyModule from "../../components/flashduty";

const INTEGRATION_TYPE = "pulumi-nodejs:dynamic/flashduty:Integration";
const ROUTE_TYPE = "pulumi-nodejs:dynamic/flashduty:Route";

describe("flashduty/FlashdutyIntegration during a preview of an update (mocks, preview)", () => {
  const routeInputs: Record<string, unknown>[] = [];
  let fd: typeof FlashdutyModule;

  before(async () => {
    await pulumi.runtime.setMocks(
      {
        newResource(args: pulumi.runtime.MockResourceArgs) {
          if (args.type === ROUTE_TYPE) routeInputs.push(args.inputs);
          // Known id, outputs (integrationId, pushUrl, …) left out: unknown in a preview.
          return {
            id: args.type === INTEGRATION_TYPE ? "6113996590131" : args.custom ? "id" : undefined,
            state: { ...args.inputs },
          };
        },
        call: () => ({}),
      },
      "flashduty-wiring",
      "test",
      true,
    );
    fd = await import("../../components/flashduty");
  });

  it("gives the Route the integration id from the resource id, known while outputs are not", async () => {
    const component = new fd.FlashdutyIntegration("renamed", {
      kind: "standard-alert",
      name: "renamed integration",
      style: "private",
      channelId: 3521074710131,
    });
    // An unknown Output never runs its apply callbacks: stop waiting after a while and say so.
    const integrationId = await Promise.race([
      new Promise((resolve) => component.integrationId.apply(resolve)),
      new Promise((resolve) => setTimeout(() => resolve("unknown during preview"), 3000)),
    ]);
    assert.equal(integrationId, 6113996590131);
    await new Promise((resolve) => component.route.urn.apply(resolve));
    assert.equal(routeInputs.length, 1);
    assert.equal(routeInputs[0].integrationId, 6113996590131);
  });
});

// FlashdutyIntegration under preview mocks, shaped like a preview of an in-place Integration update:
// a dynamic provider does not support previews, so the engine hands back the new inputs as the
// outputs, and computed outputs (integrationId, pushUrl, ...) are unknown. The resource's id is
// kept, so the route must not see its integration as unknown and plan a replacement.
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import type * as FlashdutyModule from "../../components/flashduty";
import { UNKNOWN } from "../../components/common/unknown";

const INTEGRATION_TYPE = "pulumi-nodejs:dynamic/flashduty:Integration";
const ROUTE_TYPE = "pulumi-nodejs:dynamic/flashduty:Route";
const INTEGRATION_ID = 6113996590131;

describe("flashduty/FlashdutyIntegration component (preview of an integration update)", () => {
  const routeInputs: Record<string, unknown>[] = [];
  let fd: typeof FlashdutyModule;

  before(async () => {
    await pulumi.runtime.setMocks(
      {
        newResource(args: pulumi.runtime.MockResourceArgs) {
          if (args.type === ROUTE_TYPE) routeInputs.push(args.inputs);
          return {
            // An existing integration keeps its id in a preview; nothing computed is known.
            id: args.type === INTEGRATION_TYPE ? String(INTEGRATION_ID) : `${args.name}-id`,
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

  it("gives the route a known integrationId (no spurious route replacement in the preview)", async () => {
    const component = new fd.FlashdutyIntegration("prod-events", {
      kind: "aliyun-cm-event",
      name: "Prod CM events, renamed",
      style: "private",
      channelId: 3521074710131,
    });
    await new Promise((resolve) => component.route!.urn.apply(resolve));
    assert.equal(routeInputs.length, 1);
    assert.notEqual(routeInputs[0].integrationId, UNKNOWN);
    assert.equal(routeInputs[0].integrationId, INTEGRATION_ID);
    const known = await new Promise<number | undefined>((resolve) =>
      component.integrationId.apply(resolve),
    );
    assert.equal(known, INTEGRATION_ID);
  });
});

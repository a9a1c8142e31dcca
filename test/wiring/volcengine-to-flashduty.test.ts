// Cross-system wiring: the Flashduty and Volcengine providers run against both simulators, as
// `pulumi up` would drive them; a Volcengine event then travels callback → push URL and must land
// at the Flashduty simulator's push endpoint of the right integration, and nowhere else.
import { strict as assert } from "node:assert";
import type * as pulumi from "@pulumi/pulumi";
import { makeChannelProvider } from "../../components/flashduty/channel";
import {
  IntegrationOutputs,
  makeIntegrationProvider,
} from "../../components/flashduty/integration";
import { makeRouteProvider } from "../../components/flashduty/route";
import { CallbackUrlProvider } from "../../components/volcengine/callbackUrl";
import { EventRuleProvider } from "../../components/volcengine/eventRule";
import { EMPTY_ENV, FAST_RETRY } from "../flashduty/helpers";
import { FlashdutySimulator } from "../simulators/flashduty";
import { VolcengineSimulator } from "../simulators/volcengine";
import { configureRequest, simConfig as volcConfig } from "../volcengine/helpers";

/** check then create, as the engine does for a new resource. */
async function createChecked<O>(
  provider: pulumi.dynamic.ResourceProvider,
  inputs: object,
): Promise<{ id: string; outs: O }> {
  const checked = provider.check ? await provider.check({}, inputs) : { inputs };
  assert.equal(checked.failures?.length ?? 0, 0, JSON.stringify(checked.failures));
  const r = await provider.create(checked.inputs ?? inputs);
  return { id: r.id, outs: r.outs as O };
}

/** The stack config a Flashduty provider would receive for this simulator. */
function fdConfig(sim: FlashdutySimulator): Record<string, string> {
  return { "flashduty:appKey": sim.appKey, "flashduty:baseUrl": sim.baseUrl };
}

describe("wiring: Volcengine event → Flashduty integration (both simulators)", function () {
  this.timeout(30_000);
  let fd: FlashdutySimulator;
  let volc: VolcengineSimulator;

  before(async () => {
    fd = await FlashdutySimulator.start();
    volc = await VolcengineSimulator.start();
  });
  after(async () => {
    await fd.stop();
    await volc.stop();
  });

  it("delivers a fired event to the push endpoint of the integration the callback points at", async () => {
    const opts = { retry: FAST_RETRY, env: EMPTY_ENV, log: () => undefined };
    const channels = makeChannelProvider(opts);
    const integrations = makeIntegrationProvider(opts);
    const routes = makeRouteProvider(opts);
    for (const p of [channels, integrations, routes])
      await p.configure!(configureRequest(fdConfig(fd)));
    const callbacks = new CallbackUrlProvider();
    const rules = new EventRuleProvider();
    for (const p of [callbacks, rules]) await p.configure(configureRequest(volcConfig(volc)));

    // Flashduty: a channel, two integrations (so "the right one" means something), their routes.
    const channel = await createChecked<{ channelId: number }>(channels, {
      teamId: 3521074710131,
      name: "SRE wiring test",
    });
    const volcIntegration = await createChecked<IntegrationOutputs>(integrations, {
      kind: "volcengine-cm-event",
      name: "wiring volcengine events",
    });
    const otherIntegration = await createChecked<IntegrationOutputs>(integrations, {
      kind: "standard-alert",
      name: "wiring other",
    });
    for (const i of [volcIntegration, otherIntegration]) {
      await createChecked(routes, {
        integrationId: i.outs.integrationId,
        default: { channelIds: [Number(channel.id)] },
      });
    }

    // Volcengine: the callback holds the integration's push URL; one rule delivers to it.
    const callback = await createChecked<{ url: string }>(callbacks, {
      name: "Flashduty_Event",
      url: volcIntegration.outs.pushUrl,
    });
    const rule = await createChecked(rules, {
      ruleName: "wiring-ecs-disk",
      eventSource: "ecs",
      eventTypes: ["ecs:Disk:DiskError.Redeploy.Executing"],
      level: "critical",
      webhookIds: [callback.id],
    });

    const deliveries = await volc.fireEvent({
      source: "ecs",
      eventType: "ecs:Disk:DiskError.Redeploy.Executing",
    });
    assert.equal(deliveries.length, 1, JSON.stringify(deliveries.map((d) => d.status)));
    assert.equal(deliveries[0].status, 200);

    assert.equal(fd.pushed.length, 1, "exactly one push reaches Flashduty");
    const pushed = fd.pushed[0];
    assert.equal(pushed.integrationId, volcIntegration.outs.integrationId);
    assert.notEqual(pushed.integrationId, otherIntegration.outs.integrationId);
    assert.equal(pushed.integrationKey, volcIntegration.outs.integrationKey);
    assert.equal(pushed.pluginType, volcIntegration.outs.pluginType);
    const body = pushed.body as {
      Type: string;
      Source: string;
      EventType: string;
      Rules: Array<{ RuleId: string; Level: string }>;
    };
    assert.equal(body.Type, "Event");
    assert.equal(body.Source, "ecs");
    assert.equal(body.EventType, "ecs:Disk:DiskError.Redeploy.Executing");
    assert.deepEqual(
      body.Rules.map((r) => [r.RuleId, r.Level]),
      [[rule.id, "critical"]],
    );
  });

  it("delivers nothing once the integration's key is rotated out from under the callback", async () => {
    // The push URL embeds the key: a stale callback URL is rejected by Flashduty, which is why the
    // push URL must flow into the callback on every `pulumi up` (docs/operations.md, key rotation).
    const before = fd.pushed.length;
    const [integration] = fd.integrations().filter((i) => i.name === "wiring volcengine events");
    const rotate = await fetch(`${fd.baseUrl}/integration/key/rotate?app_key=${fd.appKey}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ integration_id: integration.integration_id }),
    });
    assert.equal(rotate.status, 200);
    const deliveries = await volc.fireEvent({
      source: "ecs",
      eventType: "ecs:Disk:DiskError.Redeploy.Executing",
    });
    assert.equal(deliveries.length, 1);
    assert.notEqual(deliveries[0].status, 200);
    assert.equal(fd.pushed.length, before);
  });
});

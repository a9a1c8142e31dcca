// End to end, offline: the documented switch of an API-mode kind to console mode
// (docs/configuration.md, "Switching an existing API-mode kind to console mode") through the real
// Pulumi CLI. Two kinds start in API mode; the Volcengine CM Event kind switches in two steps
// (retainOnDelete first, then pushUrl + integrationId), the Standard Alert kind (the control)
// switches in one step and its integration is deleted, as the docs warn. Pulumi reads
// retainOnDelete from the state when it removes a resource (pkg/resource/deploy/step.go,
// DeleteStep.Apply: `s.old.RetainOnDelete`), which is why step 1 is its own `pulumi up`.
// Run with `npm run test:e2e`; not part of `npm test`.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import YAML from "yaml";
import { FlashdutySimulator } from "../simulators/flashduty";
import { VolcengineSimulator } from "../simulators/volcengine";
import { PulumiWorkspace, e2eStep } from "./support/pulumiCli";

const STACK = "switch";
const REGION = "cn-beijing";
const KIND = "volcengine-cm-event";
const CONTROL = "standard-alert";

describe("end to end: switching an API-mode kind to console mode keeps its integration", function () {
  this.timeout(10 * 60_000);

  let fd: FlashdutySimulator;
  let volc: VolcengineSimulator;
  let ws: PulumiWorkspace;
  let channel: number;

  const step = (name: string, body: () => Promise<void>) => e2eStep(name, ws, body);

  const integrationWrites = () =>
    fd.requests.filter((r) => r.path.startsWith("/integration/") && !/\/(info|list)$/.test(r.path));
  const writes = () => fd.requests.filter((r) => !/\/(info|list)$/.test(r.path));
  const outputs = async (): Promise<Record<string, Record<string, unknown>>> =>
    JSON.parse((await ws.ok(["stack", "output", "--json", "--show-secrets"])).stdout);

  function editKinds(edit: (kinds: Record<string, Record<string, unknown>>) => void): void {
    const doc = YAML.parse(fs.readFileSync(ws.configFile, "utf8")) as {
      config: Record<string, unknown>;
    };
    const flashduty = doc.config["flashduty-wiring:flashduty"] as {
      kinds?: Record<string, Record<string, unknown>>;
    };
    flashduty.kinds ??= {};
    edit(flashduty.kinds);
    fs.writeFileSync(ws.configFile, YAML.stringify(doc));
  }

  before(async function () {
    fd = await FlashdutySimulator.start({});
    volc = await VolcengineSimulator.start({ region: REGION });
    const res = await fetch(`${fd.baseUrl}/channel/create?app_key=${fd.appKey}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ team_id: 1467226103121, channel_name: "SRE switch" }),
    });
    channel = ((await res.json()) as { data: { channel_id: number } }).data.channel_id;
    ws = new PulumiWorkspace(STACK);
    ws.addSecret(fd.appKey, volc.accessKey, volc.secretKey);
    await ws.ok(["stack", "init", STACK, "--secrets-provider", "passphrase"]);
    await ws.setConfig("flashduty:appKey", fd.appKey, true);
    await ws.setConfig("volcengine:accessKey", volc.accessKey, true);
    await ws.setConfig("volcengine:secretKey", volc.secretKey, true);
    const doc = YAML.parse(fs.readFileSync(ws.configFile, "utf8")) as {
      config?: Record<string, unknown>;
    };
    doc.config = {
      ...(doc.config ?? {}),
      "flashduty:baseUrl": fd.baseUrl,
      "volcengine:region": REGION,
      "volcengine:endpoint": volc.baseUrl,
      "flashduty-wiring:environment": STACK,
      "flashduty-wiring:flashduty": {
        receiverIntegration: true,
        routing: { style: "private", channel },
      },
      "flashduty-wiring:volcengine": {
        enabled: true,
        delivery: "direct",
        callbackName: "Flashduty_Event_switch",
        rules: [
          {
            ruleName: "switch-ecs-disk-errors",
            eventSource: "ecs",
            eventTypes: ["ecs:Disk:DiskError.Redeploy.Executing"],
            level: "critical",
          },
        ],
      },
    };
    fs.writeFileSync(ws.configFile, YAML.stringify(doc));
  });

  after(async function () {
    if (ws) {
      if (volc?.eventRules().length) await ws.run(["destroy", "--yes", "--skip-preview"]);
      ws.cleanup();
    }
    await fd?.stop();
    await volc?.stop();
  });

  it("retainOnDelete first, then pushUrl: the integration leaves the state and stays in Flashduty", async function () {
    let ids: Record<string, number> = {};
    let urls: Record<string, string> = {};
    let webhookId = "";

    await step("0. up in API mode", async () => {
      await ws.ok(["up", "--yes", "--skip-preview"]);
      const out = await outputs();
      ids = out.flashdutyIntegrationIds as Record<string, number>;
      urls = out.flashdutyPushUrls as Record<string, string>;
      ws.addSecret(...Object.values(urls));
      assert.ok(fd.hasIntegration(ids[KIND]) && fd.hasIntegration(ids[CONTROL]));
      const hooks = volc.webhooks();
      assert.equal(hooks.length, 1);
      assert.equal(hooks[0].Url, urls[KIND]);
      webhookId = hooks[0].Id;
      assert.ok(webhookId, "no callback id");
    });

    await step("1. retainOnDelete: true, up makes no Flashduty write", async () => {
      editKinds((k) => (k[KIND] = { retainOnDelete: true }));
      const before = writes().length;
      await ws.ok(["preview", "--expect-no-changes"]);
      await ws.ok(["up", "--yes", "--skip-preview"]);
      assert.deepEqual(writes().slice(before), [], "setting retainOnDelete wrote to Flashduty");
      const state = JSON.parse((await ws.ok(["stack", "export"])).stdout) as {
        deployment: { resources: { type: string; retainOnDelete?: boolean; outputs?: unknown }[] };
      };
      const retained = state.deployment.resources.filter(
        (r) => r.type === "pulumi-nodejs:dynamic/flashduty:Integration" && r.retainOnDelete,
      );
      assert.equal(
        retained.length,
        1,
        "retainOnDelete is not in the state of exactly one integration",
      );
    });

    await step(
      "2. pushUrl + integrationId, retainOnDelete removed; control switched in one step",
      async () => {
        // Plain keys first: once a pushUrl is set with --secret, the whole object is encrypted.
        editKinds((k) => {
          k[KIND] = { ...k[KIND], integrationId: ids[KIND] };
          delete k[KIND].retainOnDelete;
          k[CONTROL] = { ...k[CONTROL], integrationId: ids[CONTROL] };
        });
        await ws.ok(
          [
            "config",
            "set",
            "--path",
            `flashduty-wiring:flashduty.kinds.${KIND}.pushUrl`,
            "--secret",
          ],
          { stdin: urls[KIND] },
        );
        await ws.ok(
          [
            "config",
            "set",
            "--path",
            `flashduty-wiring:flashduty.kinds.${CONTROL}.pushUrl`,
            "--secret",
          ],
          { stdin: urls[CONTROL] },
        );
        const before = integrationWrites().length;
        await ws.ok(["up", "--yes", "--skip-preview"]);
        const calls = integrationWrites()
          .slice(before)
          .map((r) => `${r.path} ${JSON.stringify(r.body)}`);
        assert.ok(fd.hasIntegration(ids[KIND]), "the retained integration was deleted");
        assert.ok(!fd.hasIntegration(ids[CONTROL]), "the control integration was not deleted");
        assert.equal(calls.length, 1, `expected only the control's delete: ${calls.join("; ")}`);
        assert.match(calls[0], /^\/integration\/delete /);
        const hooks = volc.webhooks();
        assert.equal(hooks.length, 1);
        assert.equal(hooks[0].Id, webhookId, "the Volcengine callback was replaced");
        assert.equal(hooks[0].Url, urls[KIND]);
        assert.ok(fd.route(ids[KIND]), "the retained integration lost its route");
        await ws.ok(["preview", "--expect-no-changes"]);
      },
    );

    await step("3. destroy leaves the retained integration", async () => {
      await ws.ok(["destroy", "--yes", "--skip-preview"]);
      assert.ok(fd.hasIntegration(ids[KIND]));
      assert.deepEqual(volc.eventRules(), []);
    });
  });
});

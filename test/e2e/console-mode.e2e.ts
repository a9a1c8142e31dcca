// End to end, offline, with Flashduty's integration API switched off (every /integration/* path
// answers 404 RouteNotFound, as on an account where integrations are console-only): the real Pulumi
// CLI runs this repo's program with both integrations created "in the console" and given to the stack
// by their push URLs (secrets): a shared standard-alert integration whose routing rules the stack
// manages (integrationId given), and a private Volcengine CM Event integration inside a channel (no
// routing). Steps: a plain push URL is refused, up, no-op preview/refresh, route drift repaired after
// a refresh, destroy (which deletes no integration). The simulator enforces the route `version`.
// Run with `npm run test:e2e`; not part of `npm test`.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import YAML from "yaml";
import { FlashdutySimulator } from "../simulators/flashduty";
import { VolcengineSimulator } from "../simulators/volcengine";
import { PulumiWorkspace, e2eStep } from "./support/pulumiCli";

const STACK = "console";
const TEAM_ID = 1467226103121;
const REGION = "cn-beijing";
const SHARED_KIND = "standard-alert";
const PRIVATE_KIND = "volcengine-cm-event";

describe("end to end: console-created integrations, integration API off", function () {
  this.timeout(10 * 60_000);

  let fd: FlashdutySimulator;
  let volc: VolcengineSimulator;
  let ws: PulumiWorkspace;
  let channelA: number;
  let channelB: number;
  let shared: { integrationId: number; integrationKey: string; pushUrl: string };
  let priv: { integrationId: number; integrationKey: string; pushUrl: string };

  const step = (name: string, body: () => Promise<void>) => e2eStep(name, ws, body);

  /** Creates a channel through the simulator's Open API (the channel API stays offered). */
  async function apiChannel(name: string): Promise<number> {
    const res = await fetch(`${fd.baseUrl}/channel/create?app_key=${fd.appKey}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ team_id: TEAM_ID, channel_name: name }),
    });
    const json = (await res.json()) as { data: { channel_id: number } };
    return json.data.channel_id;
  }

  const integrationCalls = () => fd.requests.filter((r) => r.path.startsWith("/integration/"));
  const writes = () => fd.requests.filter((r) => !/\/(info|list)$/.test(r.path)).length;
  const outputs = async (showSecrets: boolean): Promise<Record<string, unknown>> =>
    JSON.parse(
      (await ws.ok(["stack", "output", "--json", ...(showSecrets ? ["--show-secrets"] : [])]))
        .stdout,
    );

  function setPlainConfig(): void {
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
        routing: { style: "private", channel: channelA },
        kinds: {
          [SHARED_KIND]: {
            integrationId: shared.integrationId,
            routing: {
              style: "shared",
              cases: [
                { if: [{ key: "severity", oper: "IN", vals: ["Critical"] }], channels: [channelB] },
              ],
              default: { channels: [channelA] },
            },
          },
        },
      },
      "flashduty-wiring:volcengine": {
        enabled: true,
        delivery: "direct",
        callbackName: "Flashduty_Event_console",
        rules: [
          {
            ruleName: "console-ecs-disk-errors",
            eventSource: "ecs",
            eventTypes: ["ecs:Disk:DiskError.Redeploy.Executing"],
            level: "critical",
          },
        ],
      },
    };
    fs.writeFileSync(ws.configFile, YAML.stringify(doc));
  }

  /** `pulumi config set --path [--secret] flashduty-wiring:flashduty.kinds.<kind>.pushUrl` (stdin). */
  async function setPushUrl(kind: string, url: string, secret: boolean): Promise<void> {
    await ws.ok(
      [
        "config",
        "set",
        "--path",
        `flashduty-wiring:flashduty.kinds.${kind}.pushUrl`,
        secret ? "--secret" : "--plaintext",
      ],
      { stdin: url },
    );
  }

  before(async function () {
    fd = await FlashdutySimulator.start({ integrationApi: false, routeVersion: "enforce" });
    volc = await VolcengineSimulator.start({ region: REGION });
    channelA = await apiChannel("SRE console");
    channelB = await apiChannel("SRE console urgent");
    shared = fd.createConsoleIntegration({ typeName: "Standard Alert", name: "console-receiver" });
    priv = fd.createConsoleIntegration({ typeName: "Volcengine CM Event", channelId: channelA });
    ws = new PulumiWorkspace(STACK);
    ws.addSecret(fd.appKey, volc.accessKey, volc.secretKey);
    ws.addSecret(shared.pushUrl, shared.integrationKey, priv.pushUrl, priv.integrationKey);
    await ws.ok(["stack", "init", STACK, "--secrets-provider", "passphrase"]);
    await ws.setConfig("flashduty:appKey", fd.appKey, true);
    await ws.setConfig("volcengine:accessKey", volc.accessKey, true);
    await ws.setConfig("volcengine:secretKey", volc.secretKey, true);
    setPlainConfig();
  });

  after(async function () {
    if (ws) {
      if (volc?.eventRules().length) await ws.run(["destroy", "--yes", "--skip-preview"]);
      ws.cleanup();
    }
    await fd?.stop();
    await volc?.stop();
  });

  it("refuses a plain push URL, then runs up, no-op checks, drift repair and destroy without any /integration/* call", async function () {
    await step("0. a push URL in plain text is refused, without printing it", async () => {
      await setPushUrl(SHARED_KIND, shared.pushUrl, false);
      await setPushUrl(PRIVATE_KIND, priv.pushUrl, false);
      const requestsBefore = fd.requests.length;
      const result = await ws.run(["preview"]);
      assert.notEqual(result.code, 0, "a preview with plain push URLs succeeded");
      const text = result.stdout + result.stderr;
      assert.match(text, /flashduty\.kinds\.standard-alert\.pushUrl: stored in plain text/);
      assert.match(text, /pulumi config set --secret --path/);
      for (const s of [shared.integrationKey, priv.integrationKey])
        assert.ok(!text.includes(s), "the error printed an integration key");
      assert.equal(
        fd.requests.length,
        requestsBefore,
        "Flashduty was called before the config was valid",
      );
      await setPushUrl(SHARED_KIND, shared.pushUrl, true);
      await setPushUrl(PRIVATE_KIND, priv.pushUrl, true);
      const file = fs.readFileSync(ws.configFile, "utf8");
      assert.ok(!file.includes(shared.integrationKey) && !file.includes(priv.integrationKey));
    });

    await step("1. pulumi up", async () => {
      await ws.ok(["up", "--yes", "--skip-preview"]);
      assert.deepEqual(integrationCalls(), [], "the program called /integration/*");
      const route = fd.route(shared.integrationId);
      assert.ok(route, "the shared console integration has no route");
      assert.deepEqual(route.cases[0].channel_ids, [channelB]);
      assert.deepEqual(route.default.channel_ids, [channelA]);
      assert.equal(fd.route(priv.integrationId), null, "a private integration got a route");
      const hooks = volc.webhooks();
      assert.equal(hooks.length, 1);
      assert.equal(hooks[0].Url, priv.pushUrl, "Volcengine is not wired to the console push URL");
      const shown = await outputs(true);
      assert.deepEqual(shown.flashdutyPushUrls, {
        [SHARED_KIND]: shared.pushUrl,
        [PRIVATE_KIND]: priv.pushUrl,
      });
      assert.equal(shown.receiverPushUrl, shared.pushUrl);
      assert.deepEqual(shown.flashdutyIntegrationIds, { [SHARED_KIND]: shared.integrationId });
      const hidden = await outputs(false);
      assert.equal(hidden.flashdutyPushUrls, "[secret]");
      assert.equal(hidden.receiverPushUrl, "[secret]");
      const state = (await ws.ok(["stack", "export"])).stdout;
      for (const s of [shared.integrationKey, priv.integrationKey])
        assert.ok(!state.includes(s), "an integration key is in the state in plain text");
      // The private integration takes pushes without any route; the shared one has its route.
      for (const url of [priv.pushUrl, shared.pushUrl]) {
        const res = await fetch(url, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ event_status: "Warning", title_rule: "console e2e" }),
        });
        assert.equal(res.status, 200, `push refused: ${res.status}`);
      }
    });

    await step("2. preview/refresh --expect-no-changes", async () => {
      const before = writes();
      await ws.ok(["preview", "--expect-no-changes"]);
      await ws.ok(["refresh", "--preview-only", "--expect-no-changes"]);
      assert.equal(writes(), before, "a no-op preview/refresh wrote to Flashduty");
      assert.deepEqual(integrationCalls(), []);
    });

    await step("3. a route changed in the console: refresh sees it, up repairs it", async () => {
      fd.setRoute(shared.integrationId, { default: { channel_ids: [channelB] } });
      await ws.ok(["refresh", "--yes", "--skip-preview"]);
      const preview = await ws.run(["preview", "--expect-no-changes"]);
      assert.notEqual(preview.code, 0, "preview after a refresh did not show the route drift");
      await ws.ok(["up", "--yes", "--skip-preview"]);
      const route = fd.route(shared.integrationId);
      assert.deepEqual(route.cases[0].channel_ids, [channelB]);
      assert.deepEqual(route.default.channel_ids, [channelA]);
      await ws.ok(["preview", "--expect-no-changes"]);
      assert.deepEqual(integrationCalls(), []);
    });

    await step("4. destroy deletes no console-created integration", async () => {
      await ws.ok(["destroy", "--yes", "--skip-preview"]);
      assert.ok(fd.hasIntegration(shared.integrationId), "destroy deleted the shared integration");
      assert.ok(fd.hasIntegration(priv.integrationId), "destroy deleted the private integration");
      assert.deepEqual(volc.webhooks(), []);
      assert.deepEqual(volc.eventRules(), []);
      assert.deepEqual(integrationCalls(), [], "a /integration/* call was made");
    });
  });
});

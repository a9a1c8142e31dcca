// End to end, offline: the real Pulumi CLI (`npm run tools:pulumi`) runs this repo's program
// (index.ts) against the Flashduty and Volcengine simulators started in this process, on a file
// backend in a temp dir, then the bundled receiver forwards a fired Volcengine event to Flashduty.
// Every step asserts on the simulators' state (or the engine's plan/state) and prints its time.
// Run with `npm run test:e2e`; not part of `npm test`. Alibaba Cloud stays disabled: its provider
// plugin (pulumi-resource-alicloud) cannot be obtained offline.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { FlashdutySimulator } from "../simulators/flashduty";
import { VolcengineSimulator } from "../simulators/volcengine";
import { PulumiWorkspace, REPO_ROOT, writePlainConfig } from "./support/pulumiCli";
import { writePolicyPackLauncher } from "./support/policyPackLauncher";
import { startReceiver, RunningReceiver } from "./support/receiver";

const STACK = "e2e";
const TEAM_ID = 1467226103121;
const REGION = "cn-beijing";
const DISK_EVENT = "ecs:Disk:DiskError.Redeploy.Executing";
const DISK_RULE = "e2e-ecs-disk-errors";
/** The disk rule's name after step 4 renames it (keeping `key: DISK_RULE`). */
const DISK_RULE_RENAMED = "e2e-ecs-disk-errors-renamed";

interface StepTiming {
  step: string;
  seconds: number;
  ok: boolean;
}

/** A preview/up `--json` step, as the engine prints it. */
interface EngineStep {
  op: string;
  urn: string;
  type?: string;
  newState?: { type?: string };
  oldState?: { type?: string };
}

function typeOfUrn(urn: string): string {
  // urn:pulumi:<stack>::<project>::<parent types$>type::name
  const typePath = urn.split("::")[2] ?? "";
  return typePath.split("$").pop() ?? typePath;
}

function nameOfUrn(urn: string): string {
  return urn.split("::")[3] ?? "";
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitFor<T>(
  what: string,
  probe: () => T | undefined,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("end to end: real Pulumi engine against the simulators", function () {
  this.timeout(10 * 60_000);

  let fd: FlashdutySimulator;
  let volc: VolcengineSimulator;
  let ws: PulumiWorkspace;
  let receiver: RunningReceiver | undefined;
  let receiverPort: number;
  const receiverToken = randomBytes(20).toString("hex");
  const timings: StepTiming[] = [];
  let plainConfig: Record<string, unknown>;

  /** Runs one step, records its time, and names the step in any failure. */
  async function step(name: string, body: () => Promise<void>): Promise<void> {
    const started = Date.now();
    let ok = false;
    try {
      await body();
      ok = true;
    } catch (err) {
      // A fresh Error: an AssertionError's actual/expected would be printed by mocha unredacted.
      const redact = (t: string) => (ws ? ws.redact(t) : t);
      const original = err instanceof Error ? err : new Error(String(err));
      const failure = new Error(`[step: ${name}] ${redact(original.message)}`);
      const frames = (original.stack ?? "").split("\n").filter((l) => /^\s+at /.test(l));
      failure.stack = [failure.message, ...frames].join("\n");
      throw failure;
    } finally {
      const seconds = (Date.now() - started) / 1000;
      timings.push({ step: name, seconds, ok });
      process.stdout.write(
        `      e2e step "${name}": ${seconds.toFixed(1)}s${ok ? "" : " (FAILED)"}\n`,
      );
    }
  }

  function baseConfig(): Record<string, unknown> {
    return {
      "flashduty:baseUrl": fd.baseUrl,
      "volcengine:region": REGION,
      "volcengine:endpoint": volc.baseUrl,
      "flashduty-wiring:environment": STACK,
      "flashduty-wiring:flashduty": {
        teamId: TEAM_ID,
        namePrefix: "e2e",
        channels: [
          { key: "sre-e2e", name: "SRE e2e", teamId: TEAM_ID },
          { key: "sre-e2e-urgent", name: "SRE e2e urgent", teamId: TEAM_ID },
        ],
        routing: {
          style: "shared",
          cases: [
            {
              if: [{ key: "severity", oper: "IN", vals: ["Critical"] }],
              channels: ["sre-e2e-urgent"],
            },
          ],
          default: { channels: ["sre-e2e"] },
        },
      },
      "flashduty-wiring:aliyun": { enabled: false, delivery: "direct" },
      "flashduty-wiring:volcengine": {
        enabled: true,
        delivery: "receiver",
        callbackName: "Flashduty_Event_e2e",
        rules: [
          {
            ruleName: DISK_RULE,
            description: "ECS_disk_errors",
            eventSource: "ecs",
            eventTypes: [DISK_EVENT],
            level: "critical",
          },
        ],
      },
      "flashduty-wiring:receiver": { url: `http://127.0.0.1:${receiverPort}` },
    };
  }

  const stateOf = async (): Promise<{
    deployment: { resources?: Array<Record<string, unknown>> };
  }> => JSON.parse((await ws.ok(["stack", "export"])).stdout);

  const outputs = async (): Promise<Record<string, unknown>> =>
    JSON.parse((await ws.ok(["stack", "output", "--show-secrets", "--json"])).stdout);

  const previewSteps = async (): Promise<EngineStep[]> => {
    const result = await ws.ok(["preview", "--json"]);
    return (JSON.parse(result.stdout) as { steps?: EngineStep[] }).steps ?? [];
  };

  /** The standard-alert integration the receiver forwards to (the only integration here). */
  const receiverIntegration = () => {
    const all = fd.integrations();
    assert.equal(all.length, 1, `expected one Flashduty integration, got ${all.length}`);
    return all[0];
  };

  before(async function () {
    fd = await FlashdutySimulator.start();
    volc = await VolcengineSimulator.start({ region: REGION });
    receiverPort = await freePort();
    ws = new PulumiWorkspace(STACK);
    ws.addSecret(fd.appKey, volc.accessKey, volc.secretKey, receiverToken);
    await ws.ok(["stack", "init", STACK, "--secrets-provider", "passphrase"]);
    await ws.setConfig("flashduty:appKey", fd.appKey, true);
    await ws.setConfig("volcengine:accessKey", volc.accessKey, true);
    await ws.setConfig("volcengine:secretKey", volc.secretKey, true);
    await ws.setConfig("flashduty-wiring:receiverToken", receiverToken, true);
    plainConfig = baseConfig();
    writePlainConfig(ws, plainConfig);
  });

  after(async function () {
    if (timings.length > 0) {
      const width = Math.max(...timings.map((t) => t.step.length));
      const lines = timings.map(
        (t) =>
          `  ${t.step.padEnd(width)}  ${t.seconds.toFixed(1).padStart(6)}s  ${t.ok ? "ok" : "FAILED"}`,
      );
      const total = timings.reduce((s, t) => s + t.seconds, 0);
      process.stdout.write(
        `\n  e2e step timings\n${lines.join("\n")}\n  ${"total".padEnd(width)}  ${total.toFixed(1).padStart(6)}s\n`,
      );
    }
    await receiver?.close();
    if (ws) {
      // Leave nothing behind in the simulators' accounts if a step failed half-way.
      if (fd?.integrations().length || volc?.eventRules().length) {
        await ws.run(["destroy", "--yes", "--skip-preview"]);
      }
      ws.cleanup();
    }
    await fd?.stop();
    await volc?.stop();
  });

  it("runs up, no-op checks, policy, updates, drift repair, delivery, secrets check and destroy", async function () {
    // ---- 1. up -------------------------------------------------------------------------------
    await step("1. pulumi up", async () => {
      await ws.ok(["up", "--yes", "--skip-preview"]);

      const channels = fd.channels();
      assert.deepEqual(
        channels.map((c) => [c.channel_name, c.team_id, c.status]).sort(),
        [
          ["SRE e2e urgent", TEAM_ID, "enabled"],
          ["SRE e2e", TEAM_ID, "enabled"],
        ].sort(),
      );
      const channelId = (name: string) => channels.find((c) => c.channel_name === name)?.channel_id;

      const integration = receiverIntegration();
      assert.equal(integration.plugin_type, "standard.alert");
      assert.equal(integration.name, "e2e-receiver");
      assert.equal(integration.description, "Managed by Pulumi (flashduty-wiring, e2e)");
      assert.equal(integration.team_id, TEAM_ID);
      assert.equal(integration.status, "enabled");
      ws.addSecret(integration.integration_key);

      const route = fd.route(integration.integration_id);
      assert.ok(route, "the integration has no route");
      assert.equal(route.cases.length, 1);
      assert.deepEqual(route.cases[0].if, [{ key: "severity", oper: "IN", vals: ["Critical"] }]);
      assert.deepEqual(route.cases[0].channel_ids, [channelId("SRE e2e urgent")]);
      assert.deepEqual(route.default.channel_ids, [channelId("SRE e2e")]);

      const hooks = volc.webhooks();
      assert.equal(hooks.length, 1, "expected one Volcengine callback");
      assert.equal(hooks[0].Name, "Flashduty_Event_e2e");
      assert.equal(hooks[0].Type, "custom");
      assert.equal(
        hooks[0].Url,
        `http://127.0.0.1:${receiverPort}/v1/volcengine?token=${receiverToken}`,
      );
      const rules = volc.eventRules();
      assert.equal(rules.length, 1, "expected one Volcengine event rule");
      const rule = rules[0];
      assert.equal(rule.RuleName, DISK_RULE);
      assert.equal(rule.Description, "ECS_disk_errors");
      assert.equal(rule.Source, "ecs");
      assert.deepEqual(rule.EventType, [DISK_EVENT]);
      assert.equal(rule.Level, "critical");
      assert.equal(rule.EnableState, "enable");
      assert.deepEqual(rule.ContactMethods, ["Webhook"]);
      assert.deepEqual(rule.WebhookIds, [hooks[0].Id]);

      const out = await outputs();
      assert.equal(out.environment, STACK);
      assert.deepEqual(out.flashdutyIntegrationIds, {
        "standard-alert": integration.integration_id,
      });
      assert.equal(
        out.receiverPushUrl,
        `${fd.baseUrl}/event/push/alert/standard?integration_key=${integration.integration_key}`,
      );
      assert.equal(out.volcengineCallbackId, hooks[0].Id);
      assert.deepEqual(out.volcengineRuleIds, [rule.RuleId]);
      ws.addSecret(String(out.receiverPushUrl));
      assert.ok(
        !fs.existsSync(path.join(REPO_ROOT, "stacks", `Pulumi.${STACK}.yaml`)),
        "the e2e stack's config was written into the repo's stacks/",
      );
    });

    // ---- 2. no-op preview and refresh --------------------------------------------------------
    await step("2. preview/refresh --expect-no-changes", async () => {
      const writesBefore = fd.requests.filter((r) => !/\/(info|list)$/.test(r.path)).length;
      const volcWritesBefore = volc.requests.filter((r) => !/^List/.test(r.action)).length;
      await ws.ok(["preview", "--expect-no-changes"]);
      await ws.ok(["refresh", "--preview-only", "--expect-no-changes"]);
      assert.equal(
        fd.requests.filter((r) => !/\/(info|list)$/.test(r.path)).length,
        writesBefore,
        "a no-op preview/refresh wrote to Flashduty",
      );
      assert.equal(
        volc.requests.filter((r) => !/^List/.test(r.action)).length,
        volcWritesBefore,
        "a no-op preview/refresh wrote to Volcengine",
      );
    });

    // ---- 3. policy pack (issue item 3) ------------------------------------------------------------
    await step("3. policy pack on preview", async () => {
      const policyDir = path.join(REPO_ROOT, "policy");
      assert.ok(
        fs.existsSync(path.join(policyDir, "PulumiPolicy.yaml")),
        "policy/ (the policy pack) is not in this checkout",
      );
      assert.ok(
        fs.existsSync(path.join(policyDir, "node_modules", "@pulumi", "policy")),
        "policy/node_modules is missing: run `npm ci` (its postinstall installs policy/)",
      );
      const packLauncher = writePolicyPackLauncher(path.join(ws.root, "policy-pack"), policyDir);
      const result = await ws.ok(["preview", "--expect-no-changes", "--policy-pack", packLauncher]);
      // The engine lists each pack it ran under "Policies:", ✅ when no policy reported anything.
      assert.match(
        result.stdout,
        /Policies:\s*\n\s*✅ flashduty-wiring@v[\d.]+ \(local: /,
        "the policy pack did not run, or reported violations",
      );
      assert.doesNotMatch(
        result.stdout,
        /❌|mandatory|advisory/,
        "the policy pack reported violations",
      );
    });

    // ---- 4. config change: rename, add a rule --------------------------------------------------
    await step("4. config change updates in place", async () => {
      const before = receiverIntegration();
      const routeBefore = fd.route(before.integration_id);
      const channelsBefore = fd.channels();
      const ruleBefore = volc.eventRules()[0];
      const flashdutyCfg = plainConfig["flashduty-wiring:flashduty"] as Record<string, unknown>;
      const volcCfg = plainConfig["flashduty-wiring:volcengine"] as {
        callbackName: string;
        rules: Array<Record<string, unknown>>;
      };
      plainConfig = {
        ...plainConfig,
        "flashduty-wiring:flashduty": {
          ...flashdutyCfg,
          namePrefix: "e2e-renamed",
          channels: [
            { key: "sre-e2e", name: "SRE e2e renamed", teamId: TEAM_ID },
            { key: "sre-e2e-urgent", name: "SRE e2e urgent", teamId: TEAM_ID },
          ],
        },
        "flashduty-wiring:volcengine": {
          ...volcCfg,
          callbackName: "Flashduty_Event_e2e_renamed",
          rules: [
            {
              ...volcCfg.rules[0],
              ruleName: DISK_RULE_RENAMED,
              key: DISK_RULE,
              description: "ECS_disk_errors_renamed",
              level: "warning",
            },
            {
              ruleName: "e2e-clb-events",
              eventSource: "clb",
              // Simulated type: the simulator does not check type names against a catalogue.
              eventTypes: ["clb:Listener:HealthCheckFailed"],
              level: "notice",
            },
          ],
        },
      };
      writePlainConfig(ws, plainConfig);

      const steps = (await previewSteps()).filter((s) => s.op !== "same");
      const ops = steps.map((s) => `${s.op} ${typeOfUrn(s.urn)} ${nameOfUrn(s.urn)}`).sort();
      assert.deepEqual(
        ops,
        [
          "create pulumi-nodejs:dynamic/volcengine:EventRule volcengine-e2e-clb-events",
          "update pulumi-nodejs:dynamic/flashduty:Channel channel-sre-e2e",
          "update pulumi-nodejs:dynamic/flashduty:Integration flashduty-receiver",
          "update pulumi-nodejs:dynamic/volcengine:CallbackUrl volcengine-callback",
          "update pulumi-nodejs:dynamic/volcengine:EventRule volcengine-e2e-ecs-disk-errors",
        ].sort(),
        `unexpected plan:\n${ops.join("\n")}`,
      );
      await ws.ok(["up", "--yes", "--skip-preview"]);

      const after = receiverIntegration();
      assert.equal(after.integration_id, before.integration_id, "the integration was replaced");
      assert.equal(after.integration_key, before.integration_key);
      assert.equal(after.name, "e2e-renamed-receiver");
      assert.deepEqual(
        fd
          .channels()
          .map((c) => [c.channel_id, c.channel_name])
          .sort(),
        channelsBefore
          .map((c) => [
            c.channel_id,
            c.channel_name === "SRE e2e" ? "SRE e2e renamed" : c.channel_name,
          ])
          .sort(),
        "a channel was replaced instead of renamed",
      );
      assert.deepEqual(
        fd.route(after.integration_id),
        routeBefore,
        "the route was written although it did not change",
      );
      assert.equal(volc.webhooks().length, 1);
      assert.equal(volc.webhooks()[0].Name, "Flashduty_Event_e2e_renamed");
      const rules = volc.eventRules();
      assert.equal(rules.length, 2);
      const disk = rules.find((r) => r.RuleName === DISK_RULE_RENAMED);
      assert.equal(disk?.RuleId, ruleBefore.RuleId, "the disk rule was replaced");
      assert.equal(disk?.Level, "warning");
      assert.equal(disk?.Description, "ECS_disk_errors_renamed");
      const clb = rules.find((r) => r.RuleName === "e2e-clb-events");
      assert.ok(clb, "the new rule was not created");
      assert.equal(clb.Source, "clb");
      assert.equal(clb.Level, "notice");
      assert.deepEqual(clb.EventType, ["clb:Listener:HealthCheckFailed"]);
      assert.deepEqual(clb.WebhookIds, [volc.webhooks()[0].Id]);
      // What `read` returns after an update must match what `update` stored.
      await ws.ok(["refresh", "--preview-only", "--expect-no-changes"]);
    });

    // ---- 5. out-of-band change and deletion: refresh sees it, up repairs it ---------------------
    await step("5. drift: refresh reports, up repairs", async () => {
      const integration = receiverIntegration();
      const hook = volc.webhooks()[0];
      const disk = volc.eventRules().find((r) => r.RuleName === DISK_RULE_RENAMED);
      const clb = volc.eventRules().find((r) => r.RuleName === "e2e-clb-events");
      assert.ok(disk && clb);
      const declaredRoute = fd.route(integration.integration_id);
      fd.mutateIntegration(integration.integration_id, { name: "edited-in-console" });
      fd.setRoute(integration.integration_id, {
        cases: [],
        default: { channel_ids: declaredRoute.cases[0].channel_ids },
      });
      volc.mutateWebhook(hook.Id, { Url: "http://127.0.0.1:9/elsewhere" });
      volc.mutateEventRule(disk.RuleId, { EnableState: "disable", Level: "critical" });
      volc.deleteEventRule(clb.RuleId);

      const drift = await ws.run(["refresh", "--preview-only", "--expect-no-changes"]);
      assert.notEqual(drift.code, 0, "refresh --expect-no-changes passed despite the drift");

      await ws.ok(["refresh", "--yes", "--skip-preview"]);
      const resources = (await stateOf()).deployment.resources ?? [];
      const byName = (name: string) =>
        resources.find(
          (r) =>
            nameOfUrn(String(r.urn)) === name && String(r.type).startsWith("pulumi-nodejs:dynamic"),
        ) as { outputs: Record<string, unknown> } | undefined;
      assert.equal(
        byName("volcengine-e2e-clb-events"),
        undefined,
        "refresh kept the rule deleted out of band",
      );
      assert.equal(byName("flashduty-receiver")?.outputs.name, "edited-in-console");
      const diskState = byName("volcengine-e2e-ecs-disk-errors")?.outputs;
      assert.equal(diskState?.enabled, false);
      assert.equal(diskState?.level, "critical");

      const plan = (await previewSteps()).filter((s) => s.op !== "same");
      const ops = plan.map((s) => `${s.op} ${nameOfUrn(s.urn)}`).sort();
      assert.deepEqual(
        ops,
        [
          "create volcengine-e2e-clb-events",
          "update flashduty-receiver",
          "update flashduty-receiver-route",
          "update volcengine-callback",
          "update volcengine-e2e-ecs-disk-errors",
        ],
        `unexpected repair plan:\n${ops.join("\n")}`,
      );

      await ws.ok(["up", "--yes", "--skip-preview"]);
      assert.equal(receiverIntegration().name, "e2e-renamed-receiver");
      const route = fd.route(integration.integration_id);
      assert.deepEqual(
        [route.cases.map((c: { if: unknown }) => c.if), route.cases[0]?.channel_ids, route.default],
        [
          declaredRoute.cases.map((c: { if: unknown }) => c.if),
          declaredRoute.cases[0].channel_ids,
          declaredRoute.default,
        ],
        "the route was not restored",
      );
      assert.equal(
        volc.webhooks()[0].Url,
        `http://127.0.0.1:${receiverPort}/v1/volcengine?token=${receiverToken}`,
      );
      const rules = volc.eventRules();
      assert.equal(rules.length, 2);
      const diskNow = rules.find((r) => r.RuleName === DISK_RULE_RENAMED);
      assert.equal(diskNow?.EnableState, "enable");
      assert.equal(diskNow?.Level, "warning");
      const clbNow = rules.find((r) => r.RuleName === "e2e-clb-events");
      assert.ok(clbNow && clbNow.RuleId !== clb.RuleId, "the deleted rule was not re-created");
      assert.deepEqual(clbNow.WebhookIds, [hook.Id]);
      await ws.ok(["preview", "--expect-no-changes"]);
    });

    // ---- 6. a Volcengine event reaches Flashduty through the receiver --------------------------
    await step("6. event: Volcengine -> receiver -> Flashduty", async () => {
      const out = await outputs();
      const pushUrl = String(out.receiverPushUrl);
      receiver = await startReceiver({
        port: receiverPort,
        token: receiverToken,
        pushUrl,
        spoolDir: path.join(ws.root, "receiver-spool"),
      });
      const integration = receiverIntegration();
      const pushedBefore = fd.pushed.length;
      const event = {
        source: "ecs",
        eventType: DISK_EVENT,
        id: "e2e-event-0001",
        projectName: "e2e-project",
        description: "Disk error, instance will be redeployed",
        resourceName: "i-e2e0000000001",
        happenedAt: 1_760_000_000,
      };
      const [delivery] = await volc.fireEvent(event);
      assert.ok(delivery, "the event matched no rule");
      assert.equal(
        delivery.ok,
        true,
        `delivery failed: ${delivery.status} ${delivery.error ?? ""}`,
      );
      assert.ok(
        delivery.safeUrl.startsWith(`http://127.0.0.1:${receiverPort}/v1/volcengine?`),
        `delivered to ${delivery.safeUrl}, not to the receiver`,
      );
      const pushed = await waitFor("the receiver's push to Flashduty", () =>
        fd.pushed.length > pushedBefore ? fd.pushed[pushedBefore] : undefined,
      );
      assert.equal(pushed.integrationId, integration.integration_id);
      assert.equal(pushed.pluginType, "standard.alert");
      const rule = volc.eventRules().find((r) => r.RuleName === DISK_RULE_RENAMED);
      assert.ok(rule);
      // Rule level "warning" (after step 3) maps to Flashduty's Warning.
      assert.equal(pushed.body.event_status, "Warning");
      const expectedKey =
        "volcengine-" +
        createHash("sha256")
          .update(
            ["volcengine", "event", volc.accountId, DISK_EVENT, event.resourceName].join("\u0000"),
          )
          .digest("hex")
          .slice(0, 40);
      assert.equal(pushed.body.alert_key, expectedKey);
      assert.equal(pushed.alertKey, expectedKey);
      assert.equal(pushed.body.title_rule, `${event.description} - ${event.resourceName}`);
      assert.deepEqual(pushed.body.labels, {
        cloud: "volcengine",
        account: volc.accountId,
        region: REGION,
        source: "ecs",
        resource: event.resourceName,
        rule: DISK_RULE_RENAMED,
        raw_level: "warning",
        format: "volcengine-event",
        event_type: DISK_EVENT,
        event_id: event.id,
        project: event.projectName,
      });
      assert.match(pushed.body.description, /event: ecs:Disk:DiskError\.Redeploy\.Executing/);
    });

    // ---- 7. no secret in the exported state -----------------------------------------------------
    await step("7. no plaintext secret in state", async () => {
      const exported = (await ws.ok(["stack", "export"])).stdout;
      const integration = receiverIntegration();
      const out = await outputs();
      const secrets: Record<string, string> = {
        "Flashduty app key": fd.appKey,
        "integration key": integration.integration_key,
        "push URL": String(out.receiverPushUrl),
        "Volcengine access key": volc.accessKey,
        "Volcengine secret key": volc.secretKey,
        "receiver token": receiverToken,
      };
      // The backend holds the checkpoint, its backups and history: none may leak either.
      const backendFiles = listFiles(ws.backendDir).map((f) => fs.readFileSync(f, "utf8"));
      const stackFile = fs.readFileSync(ws.configFile, "utf8");
      for (const [what, value] of Object.entries(secrets)) {
        assert.ok(value.length >= 16, `${what} is too short to search for`);
        for (const form of new Set([value, encodeURIComponent(value), JSON.stringify(value)])) {
          assert.ok(!exported.includes(form), `the exported state holds the ${what} in plaintext`);
          assert.ok(
            !backendFiles.some((f) => f.includes(form)),
            `the file backend holds the ${what} in plaintext`,
          );
          assert.ok(!stackFile.includes(form), `the stack config holds the ${what} in plaintext`);
        }
      }
      // The searches above mean something only if the secrets are in the state, encrypted.
      assert.ok(exported.includes('"type": "passphrase"'), "the state has no passphrase provider");
      assert.ok(
        exported.includes('"4dabf18193072939515e22adb298388d"'),
        "the state holds no encrypted secret at all",
      );
    });

    // ---- 8. destroy --------------------------------------------------------------------------
    await step("8. pulumi destroy", async () => {
      // Something already deleted in the console must not make destroy fail.
      const clb = volc.eventRules().find((r) => r.RuleName === "e2e-clb-events");
      assert.ok(clb);
      volc.deleteEventRule(clb.RuleId);
      await ws.ok(["destroy", "--yes", "--skip-preview"]);
      assert.deepEqual(fd.integrations(), []);
      assert.deepEqual(fd.channels(), []);
      assert.deepEqual(volc.webhooks(), []);
      assert.deepEqual(volc.eventRules(), []);
      const state = await stateOf();
      assert.deepEqual(
        (state.deployment.resources ?? []).filter((r) => !String(r.type).startsWith("pulumi:")),
        [],
      );
    });
  });
});

function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? listFiles(p) : [p];
  });
}

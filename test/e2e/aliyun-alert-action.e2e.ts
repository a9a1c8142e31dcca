// End to end: the real Pulumi CLI runs a one-resource program (fixtures/aliyun-alert-action) whose
// AlertAction — the CloudMonitor 2.0 push channel — talks to the local CMS 2.0 simulator over
// signed HTTP (ACS3-HMAC-SHA256, checked by the simulator's own verifier). Up, no-op preview and
// refresh, in-place update, drift (edited and deleted in the "console"), adoption by id, secrets
// kept out of state and logs, destroy.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { AliyunCmsSimulator } from "../simulators/aliyun-cms";
import { PulumiWorkspace } from "./support/pulumiCli";

const STACK = "e2e-aliyun";
const FIXTURE = path.join(__dirname, "fixtures", "aliyun-alert-action");
const INTEGRATION_KEY = "e2eAliyunKey0123456789abcdef";
const PUSH_URL = `https://api.flashcat.cloud/event/push/alert/aliyun?integration_key=${INTEGRATION_KEY}`;
const WRITES = ["CreateAlertAction", "UpdateAlertAction", "DeleteAlertActions"];

describe("e2e: aliyun AlertAction (push channel) through the real engine", function () {
  this.timeout(600_000);
  let sim: AliyunCmsSimulator;
  let ws: PulumiWorkspace;

  const writes = () => sim.requests.filter((r) => r.action && WRITES.includes(r.action));
  const outputs = async () =>
    JSON.parse((await ws.ok(["stack", "output", "--show-secrets", "--json"])).stdout) as Record<
      string,
      string
    >;

  before(async function () {
    sim = await new AliyunCmsSimulator({ region: "cn-hangzhou" }).start();
    ws = new PulumiWorkspace(STACK);
    ws.addSecret(sim.accessKeySecret, INTEGRATION_KEY, PUSH_URL);
    // Run the fixture instead of the repo's index.ts: same project name and stack directory.
    fs.symlinkSync(FIXTURE, path.join(ws.projectDir, "fixture"));
    const projectFile = path.join(ws.projectDir, "Pulumi.yaml");
    fs.writeFileSync(
      projectFile,
      fs.readFileSync(projectFile, "utf8").replace(/^main: .*$/m, "main: fixture/index.ts"),
    );
    await ws.ok(["stack", "init", STACK, "--secrets-provider", "passphrase"]);
    await ws.setConfig("alicloud:accessKey", sim.accessKeyId, true);
    await ws.setConfig("alicloud:secretKey", sim.accessKeySecret, true);
    await ws.setConfig("alicloud:region", "cn-hangzhou");
    await ws.setConfig("flashduty-wiring:aliyun", JSON.stringify({ cmsEndpoint: sim.endpoint }));
    await ws.setConfig("fixture:name", "flashduty-e2e");
    await ws.setConfig("fixture:url", PUSH_URL, true);
  });

  after(async function () {
    if (ws) {
      if (sim?.alertActions.size) await ws.run(["destroy", "--yes", "--skip-preview"]);
      ws.cleanup();
    }
    await sim?.stop();
  });

  it("creates, leaves alone, updates, repairs drift, adopts and destroys the push channel", async () => {
    // 1. up: one WEBHOOK alert action, POST JSON to the push URL.
    const up = await ws.ok(["up", "--yes", "--skip-preview"]);
    assert.equal(sim.alertActions.size, 1);
    const [created] = [...sim.alertActions.values()];
    assert.equal(created.alertActionName, "flashduty-e2e");
    assert.equal(created.type, "WEBHOOK");
    assert.deepEqual(created.webhookParam, { url: PUSH_URL, method: "POST", contentType: "JSON" });
    const out = await outputs();
    assert.equal(out.alertActionId, created.alertActionId);
    assert.equal(out.region, "cn-hangzhou");
    assert.equal(out.url, PUSH_URL);
    const plain = (await ws.ok(["stack", "output", "--json"])).stdout;
    assert.ok(!plain.includes(INTEGRATION_KEY), "the url output must be a secret");
    assert.ok(!`${up.stdout}${up.stderr}`.includes(INTEGRATION_KEY), "up printed the push URL");
    assert.ok(
      sim.requests.every((r) => r.status === 200),
      "every call was accepted (signature included)",
    );

    // 2. nothing to do: no change, no write.
    const before = writes().length;
    await ws.ok(["preview", "--expect-no-changes"]);
    await ws.ok(["refresh", "--preview-only", "--expect-no-changes"]);
    assert.equal(writes().length, before, "a no-op preview/refresh wrote to CloudMonitor");

    // 3. rename and switch to FORM: updated in place (PATCH), same id.
    await ws.setConfig("fixture:name", "flashduty-e2e-2");
    await ws.setConfig("fixture:contentType", "FORM");
    await ws.ok(["up", "--yes", "--skip-preview"]);
    assert.equal(sim.alertActions.size, 1);
    const updated = sim.alertActions.get(created.alertActionId);
    assert.equal(updated?.alertActionName, "flashduty-e2e-2");
    assert.equal(updated?.webhookParam?.contentType, "FORM");
    assert.ok(sim.requests.some((r) => r.action === "UpdateAlertAction" && r.method === "PATCH"));
    assert.equal(sim.requests.filter((r) => r.action === "CreateAlertAction").length, 1);

    // 4. drift: someone edits the URL in the console; refresh reports it and up repairs it.
    if (updated?.webhookParam) updated.webhookParam.url = "https://elsewhere.example.com/hook";
    const drift = await ws.run(["refresh", "--preview-only", "--expect-no-changes"]);
    assert.notEqual(drift.code, 0, "refresh must report the edited channel");
    await ws.ok(["up", "--yes", "--skip-preview", "--refresh"]);
    assert.equal(sim.alertActions.get(created.alertActionId)?.webhookParam?.url, PUSH_URL);

    // ... and deletes it: refresh drops it from the state, up creates a new one.
    sim.alertActions.delete(created.alertActionId);
    await ws.ok(["refresh", "--yes", "--skip-preview"]);
    await ws.ok(["up", "--yes", "--skip-preview"]);
    assert.equal(sim.alertActions.size, 1);
    const recreated = [...sim.alertActions.values()][0];
    assert.notEqual(recreated.alertActionId, created.alertActionId);
    assert.equal(recreated.webhookParam?.url, PUSH_URL);

    // 5. adopt a channel made in the console: the new object is taken over and brought to the
    // declared values, the old one deleted.
    const console = sim.seed({
      alertActionName: "made-in-console",
      type: "WEBHOOK",
      webhookParam: { url: "https://old.example.com/x", method: "GET", contentType: "JSON" },
    });
    await ws.setConfig("fixture:adoptId", console.alertActionId);
    await ws.ok(["up", "--yes", "--skip-preview"]);
    assert.deepEqual([...sim.alertActions.keys()], [console.alertActionId]);
    assert.deepEqual(sim.alertActions.get(console.alertActionId)?.webhookParam, {
      url: PUSH_URL,
      method: "POST",
      contentType: "FORM",
    });
    assert.equal((await outputs()).alertActionId, console.alertActionId);
    await ws.ok(["preview", "--expect-no-changes"]);

    // 6. secrets: the state holds the push URL only encrypted.
    const state = (await ws.ok(["stack", "export"])).stdout;
    assert.ok(!state.includes(INTEGRATION_KEY), "the push URL is in the state in plain text");
    assert.ok(!state.includes(sim.accessKeySecret), "the AccessKey secret is in the state");

    // 7. destroy: nothing left.
    await ws.ok(["destroy", "--yes", "--skip-preview"]);
    assert.equal(sim.alertActions.size, 0);
    const rejected = sim.requests.filter(
      (r) => r.status !== 200 && r.action !== "DeleteAlertActions",
    );
    assert.deepEqual(rejected, [], "the simulator rejected a request");
  });
});

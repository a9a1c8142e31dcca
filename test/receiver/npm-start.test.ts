// The receiver's real entry, `npm start` (esbuild bundle + node), against the Flashduty simulator:
// Alibaba's documented push-channel sample and its FORM equivalent (and the GET encodings, and the
// same event resolving) reach Flashduty as the expected standard alert events.
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import path from "node:path";
import { FlashdutySimulator } from "../simulators/flashduty";
import { EXPECTED } from "./expected-bodies";
import * as F from "./fixtures";
import { TOKEN, get, post, removeDir, standardPushUrl, tempDir, waitFor } from "./helpers";

describe("npm start: the Aliyun push-channel sample reaches Flashduty (simulator)", function () {
  this.timeout(120_000);
  let sim: FlashdutySimulator;
  let dir: string;
  let child: ChildProcess | undefined;
  const output: string[] = [];

  before(async () => {
    sim = await FlashdutySimulator.start();
    dir = tempDir();
  });
  after(async () => {
    if (child && child.exitCode === null && child.pid !== undefined) {
      const exited = new Promise((r) => child!.once("exit", r));
      process.kill(-child.pid, "SIGTERM"); // the npm process group this test started
      await exited;
    }
    await sim.stop();
    await removeDir(dir);
  });

  it("maps POST JSON, POST form, GET JSON, GET form and the RESOLVED push", async () => {
    const pushUrl = await standardPushUrl(sim);
    child = spawn("npm", ["start", "--silent"], {
      cwd: path.join(__dirname, "../.."),
      detached: true, // its own process group, so the test stops npm, sh and node together
      env: {
        ...process.env,
        PORT: "0",
        SPOOL_DIR: dir,
        RECEIVER_TOKEN: TOKEN,
        FLASHDUTY_PUSH_URL: pushUrl,
        LOG_LEVEL: "info",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout!.on("data", (d: Buffer) => output.push(d.toString()));
    child.stderr!.on("data", (d: Buffer) => output.push(d.toString()));
    await waitFor(() => output.join("").includes("receiver listening"), 90_000, "npm start");
    const url = /"url":"(http:[^"]+)"/.exec(output.join(""))?.[1] as string;
    const route = `/v1/aliyun?token=${TOKEN}`;
    const replies = [
      await post(url, route, F.ALIYUN_PUSH_CHANNEL_TRIGGERED),
      await post(url, route, F.aliyunPushChannelForm(F.ALIYUN_PUSH_CHANNEL_TRIGGERED)),
      await get(url, `${route}&${F.aliyunPushChannelGetJson(F.ALIYUN_PUSH_CHANNEL_TRIGGERED)}`),
      await get(url, `${route}&${F.aliyunPushChannelForm(F.ALIYUN_PUSH_CHANNEL_TRIGGERED)}`),
      await post(url, route, F.aliyunPushChannelForm(F.ALIYUN_PUSH_CHANNEL_RESOLVED)),
    ];
    for (const r of replies) assert.equal(r.status, 202, r.text);
    await waitFor(() => sim.pushed.length >= 5, 30_000, "five events at Flashduty");
    // Per alert_key order: the four firing pushes, then the recovery.
    const trigger = EXPECTED.ALIYUN_PUSH_CHANNEL_TRIGGERED![0]!;
    const resolve = EXPECTED.ALIYUN_PUSH_CHANNEL_RESOLVED![0]!;
    assert.deepEqual(
      sim.pushed.map((p) => p.body),
      [trigger, trigger, trigger, trigger, resolve],
    );
    assert.ok(sim.pushed.every((p) => p.alertKey === trigger.alert_key));
    const logs = output.join("");
    assert.ok(!logs.includes(TOKEN), "token in the logs");
    assert.ok(!logs.includes(new URL(pushUrl).searchParams.get("integration_key")!));
  });
});

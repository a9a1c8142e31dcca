// Starts the bundled receiver (receiver/, library entry `createReceiver`) in this process.
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "./pulumiCli";

export interface RunningReceiver {
  readonly url: string;
  whenIdle(): Promise<void>;
  close(): Promise<void>;
}

export interface StartReceiverOptions {
  port: number;
  token: string;
  pushUrl: string;
  spoolDir: string;
}

export async function startReceiver(options: StartReceiverOptions): Promise<RunningReceiver> {
  const entry = path.join(REPO_ROOT, "receiver", "index.ts");
  if (!fs.existsSync(entry)) {
    throw new Error(
      "receiver/index.ts is missing: the bundled receiver (branch feat/recv) is not merged into " +
        "this checkout yet; `git merge main` once it has landed",
    );
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(entry) as {
    createReceiver(o: Record<string, unknown>): Promise<RunningReceiver>;
  };
  return mod.createReceiver({
    host: "127.0.0.1",
    port: options.port,
    token: options.token,
    pushUrl: options.pushUrl,
    spoolDir: options.spoolDir,
    logLevel: "warn",
    defaultMetrics: false,
  });
}

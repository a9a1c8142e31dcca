// Shared helpers for the benches: free ports, server child processes, load averages.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { buildSync } from "esbuild";

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Starts a server child process listening on `port` and waits until it answers. */
export async function startChild(
  args: string[],
  env: NodeJS.ProcessEnv,
  port: number,
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`child exited (${child.exitCode}) before listening`);
    try {
      await fetch(`${url}/healthz`);
      return { child, url };
    } catch {
      if (Date.now() > deadline) throw new Error("child did not start listening");
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Bundles receiver/main.ts into dist/receiver.js exactly as `npm start` does; returns the path. */
export function bundleReceiver(): string {
  const outfile = path.join(__dirname, "../dist/receiver.js");
  buildSync({
    entryPoints: [path.join(__dirname, "../receiver/main.ts")],
    bundle: true,
    platform: "node",
    target: "node20",
    outfile,
    logLevel: "warning",
  });
  return outfile;
}

/** Stops a benchmark child process and waits until it has exited. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await exited;
}

/** The 1/5/15-minute load averages, printed with every benchmark's figures. */
export function loadavgText(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
}

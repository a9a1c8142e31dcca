// Shared helpers of the Flashduty tests: a simulator per suite, providers configured as the
// dynamic-provider host would (through `configure`), fast retry settings, and direct API calls that
// set up state through the simulator's own HTTP API.
import { FlashdutySimulator } from "../simulators/flashduty";
import { FlashdutyClient } from "../../components/flashduty/client";
import type { RetryOptions } from "../../components/common/retry";

export const FAST_RETRY: Partial<RetryOptions> = {
  maxRetries: 2,
  baseDelayMs: 1,
  maxDelayMs: 5,
  timeoutMs: 2_000,
};

/** A config object shaped like the dynamic-provider host's (`req.config`). */
export function configFor(values: Record<string, string>): {
  get(key: string): string | undefined;
} {
  return { get: (key: string) => values[key] };
}

export function simConfig(sim: FlashdutySimulator, extra: Record<string, string> = {}) {
  return configFor({ "flashduty:appKey": sim.appKey, "flashduty:baseUrl": sim.baseUrl, ...extra });
}

/** An environment without any FLASHDUTY_* variable, so tests never depend on the caller's shell. */
export const EMPTY_ENV: NodeJS.ProcessEnv = {};

export function rawClient(
  sim: FlashdutySimulator,
  retry: Partial<RetryOptions> = FAST_RETRY,
): FlashdutyClient {
  return new FlashdutyClient({ appKey: sim.appKey, baseUrl: sim.baseUrl, retry });
}

let teamSeq = 1;
/** Creates a channel through the simulator's API and returns its id. */
export async function createChannel(sim: FlashdutySimulator, name?: string): Promise<number> {
  const data = await rawClient(sim).post<{ channel_id: number }>("/channel/create", {
    team_id: 3521074710131,
    channel_name: name ?? `channel-${teamSeq++}`,
  });
  return data.channel_id;
}

/** Requests recorded since `from`, as "path" strings. */
export function pathsSince(sim: FlashdutySimulator, from: number): string[] {
  return sim.requests.slice(from).map((r) => r.path);
}

export const WRITE_PATHS = /\/(create|update|upsert|delete|enable|disable|rotate)$/;

/**
 * Makes any non-loopback TCP connection attempt from this process fail loudly while a suite runs,
 * so that no Flashduty test can reach a real address (e.g. the default https://api.flashcat.cloud).
 * Returns the function that removes the guard.
 */
export function guardLoopbackOnly(): () => void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const net = require("node:net") as typeof import("node:net");
  const original = net.Socket.prototype.connect;
  const allowed = new Set(["127.0.0.1", "localhost", "::1", undefined]);
  net.Socket.prototype.connect = function guardedConnect(this: unknown, ...args: unknown[]) {
    const first = args[0];
    let host: string | undefined;
    if (typeof first === "object" && first !== null && !Array.isArray(first)) {
      const options = first as { host?: string; port?: unknown; path?: unknown };
      // A TCP connection has a port (HTTP(S) options also carry the request path); only a
      // port-less call with a path is a local IPC socket.
      host =
        options.port === undefined && typeof options.path === "string" ? "localhost" : options.host;
    } else if (typeof args[1] === "string") {
      host = args[1];
    }
    if (!allowed.has(host)) throw new Error(`test tried to reach non-loopback host ${host}`);
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original;
  return () => {
    net.Socket.prototype.connect = original;
  };
}

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

/** The loopback-only guard (also installed for every test file by .mocharc.json). */
export { guardLoopbackOnly } from "../support/loopback-guard";

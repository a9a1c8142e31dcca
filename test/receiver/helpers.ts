// Test helpers for the receiver: temp spools, HTTP calls, log capture, and a Flashduty simulator
// set up the way a user would (channel + standard alert integration + route via its Open API).
import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { LogLevel } from "../../receiver/logger";
import type { FlashdutySimulator } from "../simulators/flashduty";

export const TOKEN = "test-token-0123456789abcdef";

export function tempDir(prefix = "recv-"): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export async function post(
  base: string,
  pathAndQuery: string,
  body: string | Buffer | object,
  options: { contentType?: string | null; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const isObj = typeof body === "object" && !Buffer.isBuffer(body);
  const payload = isObj ? JSON.stringify(body) : (body as string | Buffer);
  const contentType =
    options.contentType === undefined
      ? isObj
        ? "application/json"
        : "application/x-www-form-urlencoded; charset=UTF-8"
      : options.contentType;
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (contentType !== null) headers["content-type"] = contentType;
  const res = await fetch(`${base}${pathAndQuery}`, { method: "POST", headers, body: payload });
  return reply(res);
}

export async function get(base: string, pathAndQuery: string): Promise<Reply> {
  return reply(await fetch(`${base}${pathAndQuery}`));
}

async function reply(res: Response): Promise<Reply> {
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

export function captureLogs(): { sink: (line: string, level: LogLevel) => void; lines: string[] } {
  const lines: string[] = [];
  return { sink: (line) => lines.push(line), lines };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function openApi(sim: FlashdutySimulator, op: string, body: object): Promise<any> {
  const res = await fetch(`${sim.baseUrl}${op}?app_key=${sim.appKey}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as { data?: unknown; error?: unknown };
  if (res.status !== 200 || json.error) throw new Error(`${op}: ${JSON.stringify(json)}`);
  return json.data;
}

/** Creates a channel, a standard alert integration and its route; returns the push URL. */
export async function standardPushUrl(sim: FlashdutySimulator): Promise<string> {
  const channel = await openApi(sim, "/channel/create", {
    team_id: 1,
    channel_name: "receiver-tests",
    group: { method: "n" },
  });
  const integration = await openApi(sim, "/integration/create", {
    plugin_type: "standard.alert",
    name: "receiver tests",
  });
  await openApi(sim, "/route/upsert", {
    integration_id: integration.integration_id,
    default: { channel_ids: [channel.channel_id] },
  });
  const info = await openApi(sim, "/integration/info", {
    integration_id: integration.integration_id,
  });
  return `${sim.baseUrl}/event/push/alert/standard?integration_key=${info.integration_key}`;
}

export async function waitFor(
  condition: () => boolean,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// Shared helpers for the Volcengine tests.

import http from "node:http";
import { AddressInfo } from "node:net";
import type * as pulumi from "@pulumi/pulumi";
import {
  PartialVolcengineSettings,
  VolcengineSettings,
  resolveSettings,
} from "../../components/volcengine/client";
import { VolcengineSimulator } from "../simulators/volcengine";

/** Fast retry policy for tests: tiny backoff; a timeout generous enough for a loaded machine. */
export const FAST_RETRY = {
  maxRetries: 3,
  baseDelayMs: 5,
  maxDelayMs: 20,
  maxRetryAfterMs: 2000,
  timeoutMs: 5000,
};

export function settingsFor(
  sim: VolcengineSimulator,
  overrides: PartialVolcengineSettings = {},
): VolcengineSettings {
  return resolveSettings(
    {
      accessKey: sim.accessKey,
      secretKey: sim.secretKey,
      region: sim.region,
      endpoint: sim.baseUrl,
      ...overrides,
      retry: { ...FAST_RETRY, ...(overrides.retry ?? {}) },
    },
    {},
  );
}

/** A ConfigureRequest as the dynamic-provider host would pass it (keys → values). */
export function configureRequest(values: Record<string, string>): pulumi.dynamic.ConfigureRequest {
  return {
    config: {
      get: (key: string) => values[key],
      require: (key: string) => {
        const v = values[key];
        if (v === undefined) throw new Error(`missing ${key}`);
        return v;
      },
    },
  };
}

export function simConfig(sim: VolcengineSimulator): Record<string, string> {
  return {
    "volcengine:accessKey": sim.accessKey,
    "volcengine:secretKey": sim.secretKey,
    "volcengine:region": sim.region,
    "volcengine:endpoint": sim.baseUrl,
  };
}

export interface ReceivedCall {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

/** A local HTTP listener recording every POST; `statuses` answers the first calls (then 200). */
export async function startListener(statuses: number[] = []): Promise<{
  url: string;
  calls: ReceivedCall[];
  close: () => Promise<void>;
}> {
  const calls: ReceivedCall[] = [];
  const queue = [...statuses];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        /* keep raw text */
      }
      calls.push({ path: req.url ?? "", headers: req.headers, body });
      res.writeHead(queue.shift() ?? 200, { "content-type": "application/json" });
      res.end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Runs `fn` and returns the error it throws (fails if it does not throw). */
export async function errorOf(fn: () => Promise<unknown>): Promise<Error> {
  try {
    await fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected an error, but the call succeeded");
}

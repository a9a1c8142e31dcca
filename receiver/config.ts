// Receiver configuration: defaults that need nothing else (dry run on 127.0.0.1:8787), env parsing
// for `npm start`, and validation whose errors name the variable and the fix. Secret values (the
// token, the push URL and its integration_key) are never echoed in errors.
import { isIP } from "node:net";
import type { LogLevel, LogSink, Logger } from "./logger";

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

export interface ReceiverOptions {
  /** Bind address (env HOST; default 127.0.0.1). */
  host?: string;
  /** Port (env PORT; default 8787; 0 = any free port). */
  port?: number;
  /** Shared secret accepted as ?token= or Authorization: Bearer (env RECEIVER_TOKEN). */
  token?: string;
  /** Flashduty standard-alert push URL (env FLASHDUTY_PUSH_URL); unset = dry run. */
  pushUrl?: string;
  /** Spool directory (env SPOOL_DIR; default ./.data/spool). */
  spoolDir?: string;
  /** `spool` (default): 202 once on disk, forwarded later. `sync`: 202 only once Flashduty accepted
   * the event, else 502/503 so the cloud retries; for hosts without durable disk (env DELIVERY). */
  delivery?: Delivery;
  /** Sync mode: all attempts for one request end within this (env SYNC_TIMEOUT_MS; default 3500). */
  syncTimeoutMs?: number;
  /** Largest accepted body (env BODY_LIMIT_BYTES; default 256 KiB). */
  bodyLimitBytes?: number;
  /** Push requests per second to the integration (env FORWARD_RATE_PER_SECOND; default 98). */
  ratePerSecond?: number;
  /** Push requests per minute (env FORWARD_RATE_PER_MINUTE; default 950; 0 = off). */
  ratePerMinute?: number;
  /** Concurrent push requests (env FORWARD_CONCURRENCY; default 16). */
  concurrency?: number;
  /** Per-request timeout (env FORWARD_TIMEOUT_MS; default 10000). */
  forwardTimeoutMs?: number;
  /** Backoff base/cap (env FORWARD_BACKOFF_BASE_MS / FORWARD_BACKOFF_MAX_MS; 500 / 30000). */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Longest Retry-After honoured (default 60000). */
  maxRetryAfterMs?: number;
  /** Attempts per event before dead-lettering (env FORWARD_MAX_ATTEMPTS; default 1000). */
  maxAttempts?: number;
  /** Age before dead-lettering an undelivered event (env FORWARD_MAX_AGE_SECONDS; default 24 h). */
  maxAgeMs?: number;
  /** Delivery ids remembered for de-duplication (env DEDUP_CAPACITY; default 10000). */
  dedupCapacity?: number;
  /** Spool segment size (default 4 MiB). */
  segmentMaxBytes?: number;
  /** Spool-lock heartbeat and ownership check interval (default 10000; tests shorten it). */
  lockHeartbeatMs?: number;
  /** Log level (env LOG_LEVEL; default info). */
  logLevel?: LogLevel;
  /** Where log lines go (default stdout/stderr). */
  logSink?: LogSink;
  logger?: Logger;
  /** Also export Node process metrics (default true for `npm start`). */
  defaultMetrics?: boolean;
}

export type Delivery = "spool" | "sync";

export interface ResolvedOptions {
  host: string;
  port: number;
  token: string | undefined;
  pushUrl: string | undefined;
  integrationKey: string | undefined;
  spoolDir: string;
  delivery: Delivery;
  syncTimeoutMs: number;
  bodyLimitBytes: number;
  ratePerSecond: number;
  ratePerMinute: number;
  concurrency: number;
  forwardTimeoutMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  maxRetryAfterMs: number;
  maxAttempts: number;
  maxAgeMs: number;
  dedupCapacity: number;
  segmentMaxBytes: number;
  logLevel: LogLevel;
  defaultMetrics: boolean;
}

export const DEFAULTS = {
  host: "127.0.0.1",
  port: 8787,
  spoolDir: "./.data/spool",
  delivery: "spool",
  syncTimeoutMs: 3500,
  bodyLimitBytes: 256 * 1024,
  ratePerSecond: 98,
  ratePerMinute: 950,
  concurrency: 16,
  forwardTimeoutMs: 10_000,
  backoffBaseMs: 500,
  backoffMaxMs: 30_000,
  maxRetryAfterMs: 60_000,
  maxAttempts: 1000,
  maxAgeMs: 24 * 3600 * 1000,
  dedupCapacity: 10_000,
  segmentMaxBytes: 4 * 1024 * 1024,
} as const;

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (h === "localhost" || h === "::1") return true;
  return isIP(h) === 4 && h.startsWith("127.");
}

function int(
  name: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min || v > max)
    throw new ConfigError(
      `${name} must be an integer from ${min} to ${max} (got ${String(value)})`,
    );
  return v;
}

/** Validates a Flashduty standard-alert push URL; returns its integration_key. */
function checkPushUrl(pushUrl: string): string {
  const help =
    "set FLASHDUTY_PUSH_URL to the integration's push URL, e.g. https://api.flashcat.cloud/event/push/alert/standard?integration_key=<key>";
  let url: URL;
  try {
    url = new URL(pushUrl);
  } catch {
    throw new ConfigError(`FLASHDUTY_PUSH_URL is not a valid URL; ${help}`);
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopback(url.hostname)))
    throw new ConfigError(
      `FLASHDUTY_PUSH_URL must use https (plain http only to a loopback address); ${help}`,
    );
  if (!/\/event\/push\/alert\/standard\/?$/.test(url.pathname))
    throw new ConfigError(
      `FLASHDUTY_PUSH_URL must be a standard-alert push URL (path /event/push/alert/standard): the receiver sends Flashduty's standard alert body; ${help}`,
    );
  const key = url.searchParams.get("integration_key");
  if (!key) throw new ConfigError(`FLASHDUTY_PUSH_URL has no integration_key parameter; ${help}`);
  return key;
}

export function resolveOptions(options: ReceiverOptions): ResolvedOptions {
  const host = options.host ?? DEFAULTS.host;
  if (host.trim() === "")
    throw new ConfigError("HOST must not be empty (e.g. 127.0.0.1 or 0.0.0.0)");
  const token = options.token === "" ? undefined : options.token;
  if (token !== undefined && (token.length < 16 || /\s/.test(token)))
    throw new ConfigError(
      "RECEIVER_TOKEN must be at least 16 characters without spaces; generate one with `openssl rand -hex 24`",
    );
  if (token === undefined && !isLoopback(host))
    throw new ConfigError(
      `RECEIVER_TOKEN is required when HOST is not a loopback address (HOST=${host}): set RECEIVER_TOKEN to a random string (e.g. \`openssl rand -hex 24\`) and add ?token=<it> to the callback URLs, or bind HOST=127.0.0.1`,
    );
  const pushUrl = options.pushUrl === "" ? undefined : options.pushUrl;
  const integrationKey = pushUrl === undefined ? undefined : checkPushUrl(pushUrl);
  const spoolDir = options.spoolDir ?? DEFAULTS.spoolDir;
  if (spoolDir.trim() === "") throw new ConfigError("SPOOL_DIR must not be empty");
  const delivery = options.delivery ?? DEFAULTS.delivery;
  if (delivery !== "spool" && delivery !== "sync")
    throw new ConfigError(`DELIVERY must be spool or sync (got ${String(delivery).slice(0, 40)})`);
  if (delivery === "sync" && pushUrl === undefined)
    throw new ConfigError(
      "DELIVERY=sync needs FLASHDUTY_PUSH_URL: sync mode answers only after Flashduty accepted the event; set the push URL, or use DELIVERY=spool for a dry run",
    );
  const level = options.logLevel ?? "info";
  if (!["debug", "info", "warn", "error"].includes(level))
    throw new ConfigError(`LOG_LEVEL must be one of debug, info, warn, error (got ${level})`);
  return {
    host,
    port: int("PORT", options.port, DEFAULTS.port, 0, 65535),
    token,
    pushUrl,
    integrationKey,
    spoolDir,
    delivery,
    syncTimeoutMs: int(
      "SYNC_TIMEOUT_MS",
      options.syncTimeoutMs,
      DEFAULTS.syncTimeoutMs,
      100,
      60_000,
    ),
    bodyLimitBytes: int(
      "BODY_LIMIT_BYTES",
      options.bodyLimitBytes,
      DEFAULTS.bodyLimitBytes,
      1024,
      64 * 1024 * 1024,
    ),
    ratePerSecond: int(
      "FORWARD_RATE_PER_SECOND",
      options.ratePerSecond,
      DEFAULTS.ratePerSecond,
      1,
      100,
    ),
    ratePerMinute: int(
      "FORWARD_RATE_PER_MINUTE",
      options.ratePerMinute,
      DEFAULTS.ratePerMinute,
      0,
      1_000_000,
    ),
    concurrency: int("FORWARD_CONCURRENCY", options.concurrency, DEFAULTS.concurrency, 1, 256),
    forwardTimeoutMs: int(
      "FORWARD_TIMEOUT_MS",
      options.forwardTimeoutMs,
      DEFAULTS.forwardTimeoutMs,
      10,
      600_000,
    ),
    backoffBaseMs: int(
      "FORWARD_BACKOFF_BASE_MS",
      options.backoffBaseMs,
      DEFAULTS.backoffBaseMs,
      1,
      600_000,
    ),
    backoffMaxMs: int(
      "FORWARD_BACKOFF_MAX_MS",
      options.backoffMaxMs,
      DEFAULTS.backoffMaxMs,
      1,
      3_600_000,
    ),
    maxRetryAfterMs: int(
      "maxRetryAfterMs",
      options.maxRetryAfterMs,
      DEFAULTS.maxRetryAfterMs,
      0,
      3_600_000,
    ),
    maxAttempts: int(
      "FORWARD_MAX_ATTEMPTS",
      options.maxAttempts,
      DEFAULTS.maxAttempts,
      1,
      1_000_000,
    ),
    maxAgeMs: int(
      "FORWARD_MAX_AGE_SECONDS",
      options.maxAgeMs,
      DEFAULTS.maxAgeMs,
      1,
      30 * 24 * 3600 * 1000,
    ),
    dedupCapacity: int(
      "DEDUP_CAPACITY",
      options.dedupCapacity,
      DEFAULTS.dedupCapacity,
      1,
      10_000_000,
    ),
    segmentMaxBytes: int(
      "segmentMaxBytes",
      options.segmentMaxBytes,
      DEFAULTS.segmentMaxBytes,
      1,
      1 << 30,
    ),
    logLevel: level,
    defaultMetrics: options.defaultMetrics ?? false,
  };
}

function envInt(env: NodeJS.ProcessEnv, name: string, scale = 1): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return undefined;
  if (!/^\d+$/.test(raw.trim()))
    throw new ConfigError(`${name} must be a non-negative integer (got "${raw.slice(0, 40)}")`);
  return Number(raw.trim()) * scale;
}

/** Reads the receiver's environment variables (see docs/receiver.md). */
export function optionsFromEnv(env: NodeJS.ProcessEnv): ReceiverOptions {
  const options: ReceiverOptions = {
    host: env.HOST || undefined,
    port: envInt(env, "PORT"),
    token: env.RECEIVER_TOKEN || undefined,
    pushUrl: env.FLASHDUTY_PUSH_URL || undefined,
    spoolDir: env.SPOOL_DIR || undefined,
    delivery: (env.DELIVERY?.trim().toLowerCase() as Delivery | undefined) || undefined,
    syncTimeoutMs: envInt(env, "SYNC_TIMEOUT_MS"),
    bodyLimitBytes: envInt(env, "BODY_LIMIT_BYTES"),
    ratePerSecond: envInt(env, "FORWARD_RATE_PER_SECOND"),
    ratePerMinute: envInt(env, "FORWARD_RATE_PER_MINUTE"),
    concurrency: envInt(env, "FORWARD_CONCURRENCY"),
    forwardTimeoutMs: envInt(env, "FORWARD_TIMEOUT_MS"),
    backoffBaseMs: envInt(env, "FORWARD_BACKOFF_BASE_MS"),
    backoffMaxMs: envInt(env, "FORWARD_BACKOFF_MAX_MS"),
    maxAttempts: envInt(env, "FORWARD_MAX_ATTEMPTS"),
    maxAgeMs: envInt(env, "FORWARD_MAX_AGE_SECONDS", 1000),
    dedupCapacity: envInt(env, "DEDUP_CAPACITY"),
    logLevel: (env.LOG_LEVEL as LogLevel | undefined) || undefined,
    defaultMetrics: true,
  };
  resolveOptions(options); // fail fast with the variable's name
  return options;
}

// Client for the Volcengine Cloud Monitor OpenAPI (service Volc_Observe, version 2018-01-01).
//
// Dynamic providers serialize this module by value into the Pulumi state, so it holds pure
// functions only: every call builds its own signer and HTTP request, and axios and the vendor
// signer are required lazily inside the functions (never captured as instances).

import type { AxiosResponse } from "axios";
import {
  AttemptOutcome,
  DEFAULT_RETRY,
  RetryOptions,
  isRetryableStatus,
  isTimeoutError,
  parseRetryAfter,
  redact,
  requestNeverSent,
  withRetries,
} from "../common/retry";
import { isLoopbackHost } from "./validation";

export const API_VERSION = "2018-01-01";
export const DEFAULT_ENDPOINT = "https://open.volcengineapi.com";
/**
 * Signing service name. The docs and the Terraform universal client say "Volc_Observe"; the Go SDK
 * signs with "volc_observe". The vendor Node signer puts the name into the credential scope
 * verbatim (no case folding), so we use the documented spelling; `volcengine:service` overrides it.
 */
export const DEFAULT_SERVICE = "Volc_Observe";

/**
 * Requests per second this process sends to one endpoint with one access key. The Cloud Monitor
 * API docs advise at most 20 requests/s (volcengine.com/docs/6408/152249); we stay at 80% of it
 * so that timer jitter and other clients of the account leave headroom.
 */
export const DEFAULT_REQUESTS_PER_SECOND = 16;

export interface VolcengineSettings {
  readonly accessKey: string;
  readonly secretKey: string;
  readonly region: string;
  readonly endpoint: string;
  readonly service: string;
  readonly retry: RetryOptions;
  /** Pace of requests (see {@link DEFAULT_REQUESTS_PER_SECOND}). */
  readonly requestsPerSecond: number;
}

/** Settings as found in stack config or the environment; any may be missing. */
export interface PartialVolcengineSettings {
  accessKey?: string;
  secretKey?: string;
  region?: string;
  endpoint?: string;
  service?: string;
  retry?: Partial<RetryOptions>;
  requestsPerSecond?: number;
}

/**
 * Gives an error built in a serialized dynamic provider its message and stack. Pulumi's closure
 * serializer turns `super(message)` into `Error.call(this, message)`, which initializes nothing, so
 * the host would print "[object Object]: undefined"; setting them again keeps them in both worlds.
 */
function keepMessage(
  error: Error,
  message: string,
  constructor: new (...args: never[]) => Error,
): void {
  error.message = message;
  if (!error.stack || !error.stack.includes(message)) {
    const holder: { stack?: string } = {};
    Error.captureStackTrace?.(holder, constructor);
    error.stack = `${error.name}: ${message}${holder.stack ? holder.stack.slice(holder.stack.indexOf("\n")) : ""}`;
  }
}

/** Configuration problem, reported before any request is made. */
export class VolcengineConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "VolcengineConfigError";
    keepMessage(this, message, VolcengineConfigError);
  }
}

/** An error answer from the OpenAPI (`ResponseMetadata.Error`). Never carries credentials. */
export class VolcengineApiError extends Error {
  readonly action: string;
  readonly code: string;
  readonly httpStatus: number;
  readonly requestId?: string;
  readonly serverMessage: string;
  readonly hint?: string;
  constructor(args: {
    action: string;
    code: string;
    httpStatus: number;
    requestId?: string;
    serverMessage: string;
    hint?: string;
  }) {
    const request = args.requestId ? `, RequestId ${args.requestId}` : "";
    const hint = args.hint ? ` ${args.hint}` : "";
    const message = `Volcengine ${args.action} failed: ${args.code}: ${args.serverMessage} (HTTP ${args.httpStatus}${request}).${hint}`;
    super(message);
    this.name = "VolcengineApiError";
    keepMessage(this, message, VolcengineApiError);
    this.action = args.action;
    this.code = args.code;
    this.httpStatus = args.httpStatus;
    this.requestId = args.requestId;
    this.serverMessage = args.serverMessage;
    this.hint = args.hint;
  }
}

/** No usable answer at all (timeout, connection failure, non-JSON body) after all attempts. */
export class VolcengineNetworkError extends Error {
  readonly action: string;
  readonly attempts: number;
  constructor(action: string, attempts: number, detail: string) {
    const message = `Volcengine ${action} failed after ${attempts} attempt(s): ${detail}`;
    super(message);
    this.name = "VolcengineNetworkError";
    keepMessage(this, message, VolcengineNetworkError);
    this.action = action;
    this.attempts = attempts;
  }
}

/** True for errors saying the addressed object does not exist (any "NotFound" code). */
export function isNotFoundError(err: unknown): boolean {
  return err instanceof VolcengineApiError && /notfound/i.test(err.code);
}

/** Plain-language advice for the error codes a user can act on. */
export function hintForError(code: string, httpStatus: number): string | undefined {
  if (/signature|credential|authorization|authenticationtoken/i.test(code))
    return (
      "The request signature was refused: check volcengine:secretKey and volcengine:accessKey " +
      "(or VOLCENGINE_SECRET_KEY / VOLCENGINE_ACCESS_KEY) belong together, and that volcengine:region is right."
    );
  if (/accesskey/i.test(code))
    return "The access key is unknown or disabled: check volcengine:accessKey (or VOLCENGINE_ACCESS_KEY).";
  if (/timestamp|expired/i.test(code))
    return "The request date is outside the 15-minute window: sync this machine's clock (NTP).";
  if (/lackpolicy|accessdenied|forbidden|unauthorized/i.test(code))
    return (
      "The key's IAM user lacks a policy for this Cloud Monitor action: in the IAM console, attach a policy " +
      "that allows it (permissions are named like cloudmonitor:CreateEventRule, cloudmonitor:ListEventRules)."
    );
  if (/actionorversion|invalidaction/i.test(code))
    return "The endpoint does not serve Volc_Observe 2018-01-01: check volcengine:endpoint.";
  if (/notfound/i.test(code))
    return "The object was removed outside Pulumi: run `pulumi refresh` to record that.";
  if (isThrottleAnswer(code, httpStatus))
    return (
      "Throttled by Volcengine (FlowLimitExceeded; its docs advise at most 20 requests/s) after all retries: " +
      "another client may be using the same account's quota; retry later."
    );
  return undefined;
}

/** The documented throttling answer (FlowLimitExceeded, HTTP 429) and its common spellings. */
export function isThrottleAnswer(code: string | undefined, httpStatus: number): boolean {
  return httpStatus === 429 || /flowlimit|throttl|toomany|requestlimit/i.test(code ?? "");
}

/**
 * Waits for this request's turn so that requests to one endpoint with one access key leave this
 * process at most `perSecond` a second, evenly spaced. The schedule lives on `globalThis`, not in
 * a module variable, so every copy of this module in a process (each dynamic provider's
 * deserialized copy, or the one required module) shares it.
 *
 * The schedule alone is not a bound: on a busy event loop timers fire late, and the late ones
 * leave together with those due next (measured: 20 in one second at 16/s on a loaded machine). So
 * each request also waits, when it actually leaves, until fewer than `perSecond` (at least 1) have
 * left in the last second.
 */
export async function paceRequest(key: string, perSecond: number): Promise<void> {
  if (!(perSecond > 0) || !Number.isFinite(perSecond)) return;
  const registry = globalThis as unknown as {
    __flashdutyWiringVolcenginePace?: Record<string, number>;
    __flashdutyWiringVolcengineSent?: Record<string, number[]>;
  };
  const schedule = (registry.__flashdutyWiringVolcenginePace ??= {});
  const now = Date.now();
  const at = Math.max(now, schedule[key] ?? 0);
  schedule[key] = at + 1000 / perSecond;
  // Always yield first: the window is judged when the caller can actually go on.
  await (at > now ? sleep(at - now) : Promise.resolve());
  const sent = ((registry.__flashdutyWiringVolcengineSent ??= {})[key] ??= []);
  const inWindow = Math.max(1, Math.floor(perSecond));
  for (;;) {
    const t = Date.now();
    while (sent.length > 0 && sent[0] <= t - 1000) sent.shift();
    if (sent.length < inWindow) {
      sent.push(t);
      return;
    }
    await sleep(sent[0] + 1000 - t + 1);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** True when the URL's host is a loopback address (used for tests against local simulators). */
export function isLoopbackUrl(url: URL): boolean {
  return isLoopbackHost(url.hostname);
}

/** Reads the `volcengine:*` keys through a config getter (a dynamic provider's `configure`). */
export function settingsFromConfig(
  get: (key: string) => string | undefined,
): PartialVolcengineSettings {
  return {
    accessKey: get("volcengine:accessKey"),
    secretKey: get("volcengine:secretKey"),
    region: get("volcengine:region"),
    endpoint: get("volcengine:endpoint"),
    service: get("volcengine:service"),
    requestsPerSecond: parseRate(get("volcengine:requestsPerSecond")),
  };
}

/** Reads the VOLCENGINE_* environment variables. */
export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): PartialVolcengineSettings {
  return {
    accessKey: env.VOLCENGINE_ACCESS_KEY,
    secretKey: env.VOLCENGINE_SECRET_KEY,
    region: env.VOLCENGINE_REGION,
    endpoint: env.VOLCENGINE_ENDPOINT,
    service: env.VOLCENGINE_SERVICE,
    requestsPerSecond: parseRate(env.VOLCENGINE_REQUESTS_PER_SECOND),
  };
}

/** A positive number of requests per second, or undefined (unset, or not a positive number). */
function parseRate(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new VolcengineConfigError(
      `volcengine:requestsPerSecond (or VOLCENGINE_REQUESTS_PER_SECOND) must be a positive number, e.g. 16; got "${value}".`,
    );
  return n;
}

function firstSet(...values: Array<string | undefined>): string | undefined {
  for (const v of values) if (v !== undefined && v.trim() !== "") return v.trim();
  return undefined;
}

/**
 * Stack config wins over the environment, key by key. Throws a VolcengineConfigError naming every
 * missing key and how to set it.
 */
export function resolveSettings(
  configured: PartialVolcengineSettings | undefined,
  env: PartialVolcengineSettings = settingsFromEnv(),
): VolcengineSettings {
  const c = configured ?? {};
  const accessKey = firstSet(c.accessKey, env.accessKey);
  const secretKey = firstSet(c.secretKey, env.secretKey);
  const region = firstSet(c.region, env.region);
  const endpoint = firstSet(c.endpoint, env.endpoint) ?? DEFAULT_ENDPOINT;
  const service = firstSet(c.service, env.service) ?? DEFAULT_SERVICE;
  const missing: string[] = [];
  if (!accessKey)
    missing.push(
      "volcengine:accessKey (`pulumi config set --secret volcengine:accessKey <AK>` or env VOLCENGINE_ACCESS_KEY)",
    );
  if (!secretKey)
    missing.push(
      "volcengine:secretKey (`pulumi config set --secret volcengine:secretKey <SK>` or env VOLCENGINE_SECRET_KEY)",
    );
  if (!region)
    missing.push(
      "volcengine:region (`pulumi config set volcengine:region cn-beijing` or env VOLCENGINE_REGION)",
    );
  if (missing.length > 0)
    throw new VolcengineConfigError(
      `Volcengine credentials are incomplete; set ${missing.join("; ")}.`,
    );
  let parsed: URL;
  try {
    parsed = new URL(endpoint);
  } catch {
    throw new VolcengineConfigError(
      `volcengine:endpoint "${endpoint}" is not a URL; use e.g. ${DEFAULT_ENDPOINT}.`,
    );
  }
  if (parsed.protocol !== "https:" && !(parsed.protocol === "http:" && isLoopbackUrl(parsed)))
    throw new VolcengineConfigError(
      `volcengine:endpoint must use https:// (plain http is accepted only for a loopback test server); got ${parsed.protocol}//${parsed.host}.`,
    );
  return {
    accessKey: accessKey!,
    secretKey: secretKey!,
    region: region!,
    endpoint: endpoint.replace(/\/+$/, ""),
    service,
    retry: { ...DEFAULT_RETRY, ...(c.retry ?? {}), ...(env.retry ?? {}) },
    requestsPerSecond: c.requestsPerSecond ?? env.requestsPerSecond ?? DEFAULT_REQUESTS_PER_SECOND,
  };
}

/** The region part of the settings, without requiring credentials (for diffs under preview). */
export function resolveRegion(
  configured: PartialVolcengineSettings | undefined,
  env: PartialVolcengineSettings = settingsFromEnv(),
): string | undefined {
  return firstSet(configured?.region, env.region);
}

export interface SignedRequest {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * Builds a signed POST for `action` with the vendor signer (`@volcengine/openapi`'s `Signer`).
 * The signer signs every header it is given except content-type/user-agent/authorization, so we
 * hand it exactly Host (which Node then sends unchanged) and let it add X-Date and X-Content-Sha256.
 */
export function signRequest(
  settings: Pick<VolcengineSettings, "accessKey" | "secretKey" | "region" | "endpoint" | "service">,
  action: string,
  body: string,
  now: Date = new Date(),
): SignedRequest {
  // Required lazily: this module is serialized into dynamic providers.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const openapi = require("@volcengine/openapi") as typeof import("@volcengine/openapi");
  const base = new URL(settings.endpoint);
  const pathname =
    base.pathname === "" ? "/" : base.pathname.endsWith("/") ? base.pathname : `${base.pathname}/`;
  const request = {
    region: settings.region,
    method: "POST",
    pathname,
    params: { Action: action, Version: API_VERSION },
    headers: { Host: base.host, "Content-Type": "application/json" } as Record<string, string>,
    body,
  };
  const signer = new openapi.Signer(request, settings.service);
  signer.addAuthorization({ accessKeyId: settings.accessKey, secretKey: settings.secretKey }, now);
  const query = new URLSearchParams({ Action: action, Version: API_VERSION }).toString();
  return {
    url: `${base.protocol}//${base.host}${pathname}?${query}`,
    headers: { ...(signer.request.headers as Record<string, string>) },
    body,
  };
}

interface Envelope {
  ResponseMetadata?: {
    RequestId?: string;
    Action?: string;
    Error?: { Code?: string; Message?: string; CodeN?: number };
  };
  Result?: unknown;
}

export interface CallOptions {
  /**
   * Whether repeating the call is harmless. Non-idempotent calls (Create*) are retried only when
   * the server certainly did not act (HTTP 429 or a refused connection), never after a 5xx or a
   * timeout, so that a retry cannot create a duplicate callback or rule.
   */
  readonly idempotent: boolean;
  /** Extra strings to mask in any error text (e.g. the callback URL being sent). */
  readonly secrets?: ReadonlyArray<string | undefined>;
}

function describeNetworkError(err: unknown, timeoutMs: number): string {
  if (isTimeoutError(err)) return `no answer within ${timeoutMs} ms (timeout)`;
  const code = (err as { code?: string } | undefined)?.code;
  return code ? `${code}` : "network error";
}

const MAYBE_APPLIED_NETWORK_ADVICE =
  " The request may have reached Volcengine: check the console for a duplicate before retrying, and adopt it with adoptId.";
const MAYBE_APPLIED_SERVER_ADVICE =
  " The request may have been applied: check the console for a duplicate, and adopt it with adoptId.";

/**
 * Calls `action` with a JSON body and returns `Result`. Retries per `settings.retry` with backoff
 * and jitter on 429/5xx/network errors (honouring Retry-After); throws VolcengineApiError,
 * VolcengineNetworkError, with access key, secret key and `options.secrets` masked.
 */
export async function callVolcengine<T>(
  settings: VolcengineSettings,
  action: string,
  payload: Record<string, unknown>,
  options: CallOptions,
): Promise<T> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const axios = require("axios") as typeof import("axios").default;
  const secrets = [settings.secretKey, settings.accessKey, ...(options.secrets ?? [])];
  const body = JSON.stringify(payload);
  const { retry } = settings;

  const attempt = async (attemptNumber: number): Promise<AttemptOutcome<T>> => {
    await paceRequest(`${settings.endpoint} ${settings.accessKey}`, settings.requestsPerSecond);
    const signed = signRequest(settings, action, body);
    let response: AxiosResponse<unknown>;
    try {
      response = await axios.request({
        method: "POST",
        url: signed.url,
        headers: signed.headers,
        data: signed.body,
        timeout: retry.timeoutMs,
        // We judge statuses ourselves and parse the body ourselves (errors come as JSON too).
        validateStatus: () => true,
        transformResponse: [(data: unknown) => data],
        responseType: "text",
        maxRedirects: 0,
      });
    } catch (err) {
      const neverSent = requestNeverSent(err);
      const advice = options.idempotent || neverSent ? "" : MAYBE_APPLIED_NETWORK_ADVICE;
      return {
        ok: false,
        kind: neverSent ? "not-sent" : "maybe-applied",
        error: new VolcengineNetworkError(
          action,
          attemptNumber,
          redact(describeNetworkError(err, retry.timeoutMs), secrets) + advice,
        ),
      };
    }

    let envelope: Envelope | undefined;
    try {
      envelope = JSON.parse(String(response.data)) as Envelope;
    } catch {
      envelope = undefined;
    }
    const apiError = envelope?.ResponseMetadata?.Error;
    const status = response.status;
    if (status >= 200 && status < 300 && envelope && !apiError)
      return { ok: true, value: envelope.Result as T };

    const code = apiError?.Code ?? (envelope ? "UnknownError" : "InvalidResponse");
    const kind = isThrottleAnswer(apiError?.Code, status)
      ? "throttled"
      : isRetryableStatus(status)
        ? "maybe-applied"
        : "final";
    const serverMessage =
      apiError?.Message ?? (envelope ? "no error detail" : "answer is not JSON");
    const advice =
      !options.idempotent && kind === "maybe-applied" ? MAYBE_APPLIED_SERVER_ADVICE : "";
    return {
      ok: false,
      kind,
      retryAfterMs: parseRetryAfter(response.headers["retry-after"] as string | undefined),
      error: new VolcengineApiError({
        action,
        code: redact(code, secrets),
        httpStatus: status,
        requestId: envelope?.ResponseMetadata?.RequestId,
        serverMessage: redact(serverMessage, secrets),
        hint: (hintForError(code, status) ?? "") + advice || undefined,
      }),
    };
  };

  return withRetries(attempt, { retry, idempotent: options.idempotent });
}

// Request pipeline after faults: path → method → auth → rate limit → content type → size → JSON →
// operation. Open API calls authenticate with ?app_key=; event pushes with ?integration_key=.

import { IncomingHttpHeaders } from "node:http";
import { timingSafeEqual } from "node:crypto";
import { INTEGRATION_TYPES, pushSlug } from "./catalogue";
import { ApiContext, Handler } from "./context";
import { ApiError } from "./errors";
import { isJsonContentType } from "./http";
import { CHANNEL_HANDLERS } from "./api/channels";
import { INTEGRATION_HANDLERS } from "./api/integrations";
import { acceptStandardAlert, PUSH_PREFIX, resolvePushTarget } from "./api/push";
import { ROUTE_HANDLERS } from "./api/routes";
import { BucketsBySubject } from "./rate-limit";
import { nowSeconds } from "./state";
import { PushedAlert } from "./types";
import { isObject } from "./validation";

interface Operation {
  handler: Handler;
  /** Counts against the stricter integration-write limit. */
  integrationWrite: boolean;
}

const OPERATIONS = new Map<string, Operation>([
  ...Object.entries(INTEGRATION_HANDLERS).map(
    ([path, op]) => [path, { handler: op.handler, integrationWrite: op.write }] as const,
  ),
  ...Object.entries(ROUTE_HANDLERS).map(
    ([path, handler]) => [path, { handler, integrationWrite: false }] as const,
  ),
  ...Object.entries(CHANNEL_HANDLERS).map(
    ([path, handler]) => [path, { handler, integrationWrite: false }] as const,
  ),
]);

const PUSH_SLUGS = new Set(INTEGRATION_TYPES.map((t) => pushSlug(t.plugin_type)));

export interface IncomingCall {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  bodyText: string;
  bodyTooLarge: boolean;
}

export interface RouterDeps {
  ctx: ApiContext;
  appKey: string;
  apiLimits: BucketsBySubject<number>;
  integrationWriteLimits: BucketsBySubject<number>;
  pushLimits: BucketsBySubject<number>;
  pushed: PushedAlert[];
}

/** Handles one call; returns the `data` of a success envelope or throws an ApiError. */
export function route(call: IncomingCall, deps: RouterDeps): unknown {
  if (call.path.startsWith(PUSH_PREFIX)) return push(call, deps);

  const operation = OPERATIONS.get(call.path);
  if (!operation) throw new ApiError("RouteNotFound", `no route for ${call.path}`);
  if (call.method !== "POST")
    throw new ApiError(
      "MethodNotAllowed",
      `${call.method} is not allowed on ${call.path}; use POST`,
    );
  if (!validAppKey(call.query.get("app_key"), deps.appKey)) {
    throw new ApiError("Unauthorized", "app_key is missing or invalid");
  }
  const account = deps.ctx.state.accountId;
  throttle(deps.apiLimits.admit(account), "the account's Open API rate limit");
  if (operation.integrationWrite) {
    throttle(
      deps.integrationWriteLimits.admit(account),
      "the account's integration write rate limit",
    );
  }
  const body = parseJsonBody(call);
  if (!isObject(body)) throw new ApiError("InvalidParameter", "request body must be a JSON object");
  return operation.handler(body, deps.ctx);
}

function push(call: IncomingCall, deps: RouterDeps): unknown {
  const slug = call.path.slice(PUSH_PREFIX.length);
  if (!PUSH_SLUGS.has(slug)) throw new ApiError("RouteNotFound", `no route for ${call.path}`);
  if (call.method !== "POST")
    throw new ApiError(
      "MethodNotAllowed",
      `${call.method} is not allowed on ${call.path}; use POST`,
    );
  const key = call.query.get("integration_key") ?? undefined;
  const integration = resolvePushTarget(deps.ctx.state, slug, key);
  throttle(
    deps.pushLimits.admit(integration.integration_id),
    "the integration's push rate limit (100/s, 1000/min)",
  );
  const raw = parseJsonBody(call);

  let body: unknown = raw;
  let alertKey = "";
  if (integration.plugin_type === "standard.alert") {
    const accepted = acceptStandardAlert(raw);
    body = accepted.body;
    alertKey = accepted.alertKey;
  }
  integration.last_time = nowSeconds();
  deps.pushed.push({
    integrationId: integration.integration_id,
    integrationKey: integration.integration_key,
    pluginType: integration.plugin_type,
    path: call.path,
    body,
    alertKey,
    at: Date.now(),
  });
  // [inference] the response of non-standard types is undocumented; they answer an empty alert_key.
  return { alert_key: alertKey };
}

function throttle(retryAfterSeconds: number, what: string): void {
  if (retryAfterSeconds > 0) {
    throw new ApiError(
      "RequestTooFrequently",
      `request exceeds ${what}; retry after ${retryAfterSeconds}s`,
      undefined,
      { "Retry-After": String(retryAfterSeconds) },
    );
  }
}

function parseJsonBody(call: IncomingCall): unknown {
  if (!isJsonContentType(call.headers["content-type"])) {
    throw new ApiError(
      "InvalidContentType",
      `Content-Type must be application/json, got ${JSON.stringify(call.headers["content-type"] ?? "")}`,
    );
  }
  if (call.bodyTooLarge) throw new ApiError("EntityTooLarge", "request body is too large");
  // [inference] an empty body reads as {} (a Go server decoding into a struct would see no fields).
  if (call.bodyText.trim() === "") return {};
  try {
    return JSON.parse(call.bodyText) as unknown;
  } catch (err) {
    throw new ApiError(
      "InvalidParameter",
      `request body is not valid JSON: ${(err as Error).message}`,
    );
  }
}

function validAppKey(given: string | null, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

// Request pipeline after faults: path → method → auth → rate limit → content type → size → JSON →
// operation. Open API calls authenticate with ?app_key=; event pushes with ?integration_key=.

import { IncomingHttpHeaders } from "node:http";
import { timingSafeEqual } from "node:crypto";
import { INTEGRATION_TYPES, pushSlug } from "./catalogue";
import { ApiContext, Handler } from "./context";
import { ApiError } from "./errors";
import { isFormContentType, isJsonContentType } from "./http";
import { CHANNEL_HANDLERS } from "./api/channels";
import { INTEGRATION_HANDLERS, INTEGRATION_WRITES } from "./api/integrations";
import { acceptStandardAlert, PUSH_PREFIX, resolvePushTarget } from "./api/push";
import { ROUTE_HANDLERS } from "./api/routes";
import { admit, BucketsBySubject } from "./rate-limit";
import { nowSeconds } from "./state";
import { PushedAlert, PushRefusal } from "./types";
import { isObject } from "./validation";

const OPERATIONS: Readonly<Record<string, Handler>> = {
  ...INTEGRATION_HANDLERS,
  ...ROUTE_HANDLERS,
  ...CHANNEL_HANDLERS,
};

/** Paths of the integration API, absent when the `integrationApi` switch is off. */
const INTEGRATION_API_PREFIX = "/integration/";

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
  /** Extension (`sim.setPushRefusal`): every push to a known key answers this until cleared. */
  pushRefusal?: PushRefusal;
}

// Source: the standard alert push doc's code table (flashcatcloud/flashduty-docs,
// en/on-call/integration/alert-integration/alert-sources/standard-alert.mdx @1ae8eda). The
// messages are our wording; the real ones are undocumented.
const PUSH_REFUSALS: Readonly<Record<PushRefusal, () => ApiError>> = {
  no_license: () =>
    new ApiError("NoLicense", "the account has too few subscription licenses (cost center)"),
  not_purchased: () =>
    new ApiError("ResourceNotFound", "the account has not purchased resources (cost center)"),
  unauthorized: () => new ApiError("Unauthorized", "authentication failed"),
};

/** Handles one call; returns the `data` of a success envelope or throws an ApiError. */
export function dispatch(call: IncomingCall, deps: RouterDeps): unknown {
  if (call.path.startsWith(PUSH_PREFIX)) return push(call, deps);

  const offered = deps.ctx.switches.integrationApi || !call.path.startsWith(INTEGRATION_API_PREFIX);
  const operation =
    offered && Object.hasOwn(OPERATIONS, call.path) ? OPERATIONS[call.path] : undefined;
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
  // All applicable limits at once, so a request refused by one consumes nothing from the others.
  const buckets = deps.apiLimits.bucketsFor(account);
  if (INTEGRATION_WRITES.has(call.path)) {
    throttle(
      admit([...buckets, ...deps.integrationWriteLimits.bucketsFor(account)]),
      "the account's Open API rate limits (integration writes: 20/s, 300/min)",
    );
  } else {
    throttle(admit(buckets), "the account's Open API rate limit");
  }
  const body = parseJsonBody(call);
  if (!isObject(body)) throw new ApiError("InvalidParameter", "request body must be a JSON object");
  return operation(body, deps.ctx);
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
  // [inference] checked once the key is known, before the rate limit (order undocumented).
  if (deps.pushRefusal) throw PUSH_REFUSALS[deps.pushRefusal]();
  throttle(
    deps.pushLimits.admit(integration.integration_id),
    "the integration's push rate limit (100/s, 1000/min)",
  );
  let body: unknown;
  let alertKey = "";
  if (integration.plugin_type === "standard.alert") {
    const accepted = acceptStandardAlert(parseJsonBody(call));
    body = accepted.body;
    alertKey = accepted.alertKey;
  } else if (isFormContentType(call.headers["content-type"])) {
    // [inference] cloud-native types also take form posts: Alibaba Cloud's threshold callbacks
    // are application/x-www-form-urlencoded (aliyun-cms.md §3.1). Stored as an object of strings.
    if (call.bodyTooLarge) throw new ApiError("EntityTooLarge", "request body is too large");
    body = Object.fromEntries(new URLSearchParams(call.bodyText));
  } else {
    body = parseJsonBody(call, "application/json or application/x-www-form-urlencoded");
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

/** Parses a JSON body; `accepted` names the content types allowed here, for the error message. */
function parseJsonBody(call: IncomingCall, accepted = "application/json"): unknown {
  if (!isJsonContentType(call.headers["content-type"])) {
    const got = JSON.stringify(call.headers["content-type"] ?? "");
    throw new ApiError("InvalidContentType", `Content-Type must be ${accepted}, got ${got}`);
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

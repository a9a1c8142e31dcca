// Public types of the Flashduty simulator (the team contract in TEAM_BRIEF.md), plus a few optional
// simulator-only extensions that the contract leaves open (marked "extension").

export interface FlashdutySimOptions {
  /** The one valid app key (default: a random 32-hex string). */
  appKey?: string;
  /** Default 1234567; integration keys end in accountId % 1000 (3 digits). */
  accountId?: number;
  /** Per-account Open API limit (default 50/s; 429 + Retry-After beyond). */
  apiRatePerSecond?: number;
  /** Per-integration push limit (default 100/s). */
  pushRatePerSecond?: number;
  /** Per-integration push limit (default 1000/min). */
  pushRatePerMinute?: number;
  /** Language of plugin_type_name in /integration/type/list (default "en"). */
  locale?: "en" | "zh";
  /** Extension: per-account Open API limit per minute (default 1000/min, as documented). */
  apiRatePerMinute?: number;
  /** Extension: per-account limit on integration writes (default 20/s, as documented). */
  integrationWriteRatePerSecond?: number;
  /** Extension: per-account limit on integration writes per minute (default 300/min, as documented). */
  integrationWriteRatePerMinute?: number;
  /** Extension: largest accepted request body in bytes (default 1 MiB; 413 EntityTooLarge beyond). */
  maxBodyBytes?: number;
  /**
   * Extension: the clock (ms) the rate limits refill by (default `Date.now`). Tests of the limits
   * pass a clock they move by hand, so that their outcome does not depend on how fast a loaded
   * machine answers.
   */
  clock?: () => number;
  /**
   * Extension: whether the account offers the integration API (default true). With false, every
   * `/integration/*` path answers 404 `RouteNotFound` in the documented error envelope, as a path the
   * server does not know (the published docs spec has no `/integration/*` path; flashduty-cli
   * `reference/channel.md`: integrations "live in the console only"). Switchable: `setIntegrationApi`.
   */
  integrationApi?: boolean;
  /**
   * Extension: route `version` handling, which the sources disagree on: "ignore" (go-flashduty
   * `UpsertRouteRequest`: "currently ignored"; default) or "enforce" (docs site and flashduty-cli
   * `route.md`: optimistic concurrency; a stale version is refused, see README.md).
   */
  routeVersion?: "ignore" | "enforce";
  /**
   * Extension: the `data` of a successful `/route/upsert`: "empty-object" (`{}`, the docs site's
   * example; default) or "null" (the docs spec's schema). The route itself is never returned.
   */
  routeUpsertData?: "empty-object" | "null";
}

/** Extension: an integration made "in the console" by `createConsoleIntegration`. */
export interface ConsoleIntegrationOptions {
  /** The type's display name in English, e.g. "Alibaba Cloud CM Event" (see the catalogue). */
  typeName: string;
  /** Display name (default: the type's name). */
  name?: string;
  /** A private (channel-owned) integration inside this channel; omitted: a shared integration. */
  channelId?: number;
}

export interface ConsoleIntegration {
  integrationId: number;
  integrationKey: string;
  /** The push URL the console shows on the integration's card (on the simulator's base URL). */
  pushUrl: string;
  /** "private" (inside a channel, `ref_id` c_<channel>) or "shared" (`ref_id` a_<account>). */
  kind: "private" | "shared";
}

export interface RecordedRequest {
  method: string;
  /** URL path without the query string. */
  path: string;
  status: number;
  /** Parsed JSON body, the raw text when it is not JSON, undefined when empty. */
  body: unknown;
  at: number;
  /** Extension: query parameters, with `app_key` removed. */
  query?: Record<string, string>;
}

export interface PushedAlert {
  integrationId: number;
  integrationKey: string;
  pluginType: string;
  path: string;
  // Shape depends on the integration type: the standard alert body (§5) or whatever JSON was sent.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  alertKey: string;
  at: number;
}

export type Fault =
  | { kind: "5xx"; status?: number }
  | { kind: "429"; retryAfterSeconds?: number }
  | { kind: "hang" } // hang = accept the connection and never answer
  // Extension: any documented error code, at its documented status unless `status` is given
  // (e.g. 200, since "HTTP status is informational — the authoritative signal is the enum value").
  | { kind: "error"; code: FlashdutyErrorCode; status?: number; message?: string };

/**
 * Extension: an account-wide answer to every push (`sim.setPushRefusal`), from the standard alert
 * push doc's code table: `no_license` → 400 `NoLicense`, `not_purchased` → 400 `ResourceNotFound`
 * ("account has not purchased resources"), `unauthorized` → 401 `Unauthorized`.
 */
export type PushRefusal = "no_license" | "not_purchased" | "unauthorized";

/** Error codes of the Flashduty API (flashduty-api.md §1). */
export type FlashdutyErrorCode =
  | "InvalidParameter"
  | "BadRequest"
  | "InvalidContentType"
  | "ResourceNotFound"
  | "ReferenceExist"
  | "NoLicense"
  | "Unauthorized"
  | "BalanceNotEnough"
  | "AccessDenied"
  | "RouteNotFound"
  | "MethodNotAllowed"
  | "UndonedOrderExist"
  | "EntityTooLarge"
  | "RequestLocked"
  | "RequestVerifyRequired"
  | "DangerousOperation"
  | "RequestTooFrequently"
  | "InternalError"
  | "ServiceUnavailable";

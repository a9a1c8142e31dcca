// Client for the CloudMonitor 2.0 OpenAPI (product Cms, version 2024-03-30, ROA style) alert
// actions: CreateAlertAction, UpdateAlertAction, DeleteAlertActions, ListAlertActions.
//
// There is no generated `@alicloud/cms20240330` package on npm, so the calls go through
// `@alicloud/openapi-core`'s generic `callApi`, the same call every generated Darabonba SDK makes
// (it signs with ACS3-HMAC-SHA256 unless the v2 algorithm is chosen). Request and response shapes
// follow the SDK models and the API reference; sources are listed in docs/aliyun.md.
//
// Used inside a dynamic provider: every call builds its own client (required lazily), nothing is
// cached between calls, and no error message carries a credential or a URL.
import { formatProblems } from "../common/problems";
import {
  AttemptOutcome,
  DEFAULT_RETRY,
  FailureKind,
  RetryOptions,
  isRetryableStatus,
  isTimeoutError,
  requestNeverSent,
  withRetries,
} from "../common/retry";

export const CMS_API_VERSION = "2024-03-30";
/** ListAlertActions: "The number of entries per page. Default value: 100." (SDK model). */
export const LIST_PAGE_SIZE = 100;
/** Alert action types CreateAlertAction accepts (API reference); OPEN_API is deprecated there. */
export const ALERT_ACTION_TYPES = [
  "WEBHOOK",
  "MNS",
  "SLS",
  "FC",
  "FC3",
  "ESS",
  "PAGER_DUTY",
  "EB",
] as const;
/** webhookParam.method / contentType values (ListAlertActions / CreateAlertWebhook models). */
export const WEBHOOK_METHODS = ["POST", "GET"] as const;
export const WEBHOOK_CONTENT_TYPES = ["JSON", "FORM"] as const;
export type WebhookMethod = (typeof WEBHOOK_METHODS)[number];
export type WebhookContentType = (typeof WEBHOOK_CONTENT_TYPES)[number];

/** Where and as whom the calls are made. */
export interface CmsSettings {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken?: string;
  readonly region: string;
  /** `https://cms.<region>.aliyuncs.com` unless overridden. */
  readonly endpoint: string;
  /** Retry policy (default: the project's DEFAULT_RETRY). */
  readonly retry?: RetryOptions;
}

/** Settings as found in stack config or the environment; any may be missing. */
export interface PartialCmsSettings {
  accessKeyId?: string;
  accessKeySecret?: string;
  securityToken?: string;
  region?: string;
  endpoint?: string;
}

/** Configuration problem, reported before any request is made; lists every problem. */
export class CmsConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      formatProblems(
        `Alibaba Cloud CloudMonitor 2.0 settings: ${problems.length} problem(s):`,
        problems,
      ),
    );
    this.name = "CmsConfigError";
  }
}

/** An error answer of the API. Its message never holds a URL or a credential. */
export class CmsApiError extends Error {
  /** How the failure relates to the server's state (decides whether it may be retried). */
  kind: FailureKind = "final";
  /** The server's requested wait (throttling), if any. */
  retryAfterMs?: number;

  constructor(
    readonly action: string,
    readonly statusCode: number | undefined,
    readonly code: string,
    readonly requestId: string | undefined,
    serverMessage: string,
  ) {
    super(
      `CloudMonitor ${action} failed` +
        `${statusCode === undefined ? "" : ` (HTTP ${statusCode}`}` +
        `${statusCode === undefined ? " (" : ", "}${code})` +
        `${serverMessage ? `: ${serverMessage}` : ""}` +
        `${requestId ? ` [request id ${requestId}]` : ""}`,
    );
    this.name = "CmsApiError";
  }
}

/** The object the API reports (ListAlertActionsResponseBodyAlertActions, WEBHOOK fields). */
export interface AlertActionRecord {
  alertActionId: string;
  alertActionName: string;
  type: string;
  webhookParam?: {
    url?: string;
    method?: string;
    contentType?: string;
    headers?: Record<string, string>;
  };
}

export interface WebhookAlertActionSpec {
  name: string;
  url: string;
  method: WebhookMethod;
  contentType: WebhookContentType;
  headers?: Record<string, string>;
}

const REGION_PATTERN = /^[a-z]{2,}(-[a-z0-9]+)+$/;
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

function firstSet(...values: (string | undefined)[]): string | undefined {
  for (const v of values) {
    const t = v?.trim();
    if (t) return t;
  }
  return undefined;
}

/** Config keys the provider reads; `aliyunSection` is the project's `aliyun` object (JSON). */
export function cmsSettingsFromConfig(get: (key: string) => string | undefined): {
  config: PartialCmsSettings;
  problems: string[];
} {
  const problems: string[] = [];
  let endpoint: string | undefined;
  const section = get("flashduty-wiring:aliyun");
  if (section !== undefined && section.trim() !== "") {
    try {
      const parsed = JSON.parse(section) as { cmsEndpoint?: unknown };
      if (parsed !== null && typeof parsed === "object" && parsed.cmsEndpoint !== undefined) {
        if (typeof parsed.cmsEndpoint === "string") endpoint = parsed.cmsEndpoint;
        else problems.push("flashduty-wiring:aliyun.cmsEndpoint: must be a URL string");
      }
    } catch {
      problems.push("flashduty-wiring:aliyun: is not a JSON object; fix the stack configuration");
    }
  }
  return {
    config: {
      accessKeyId: get("alicloud:accessKey"),
      accessKeySecret: get("alicloud:secretKey"),
      securityToken: get("alicloud:securityToken"),
      region: get("alicloud:region"),
      endpoint,
    },
    problems,
  };
}

/**
 * Resolves the settings: stack config first (`alicloud:accessKey`/`secretKey`/`securityToken`/
 * `region`, `flashduty-wiring:aliyun.cmsEndpoint`), then the environment variables the alicloud
 * provider documents (`ALIBABA_CLOUD_ACCESS_KEY_ID`/`ALIBABA_CLOUD_ACCESS_KEY_SECRET`/
 * `ALIBABA_CLOUD_SECURITY_TOKEN`/`ALIBABA_CLOUD_REGION`, the older `ALICLOUD_ACCESS_KEY`/
 * `ALICLOUD_SECRET_KEY`/`ALICLOUD_SECURITY_TOKEN`/`ALICLOUD_REGION`) and `ALIBABA_CLOUD_CMS_ENDPOINT`.
 * The key pair is taken as a unit (config, else environment) so keys of two accounts never mix.
 * Throws CmsConfigError listing every problem.
 */
export function resolveCmsSettings(
  config: PartialCmsSettings | undefined,
  env: Readonly<Record<string, string | undefined>> = process.env,
  earlier: readonly string[] = [],
): CmsSettings {
  const c = config ?? {};
  const problems = [...earlier];

  let accessKeyId: string | undefined;
  let accessKeySecret: string | undefined;
  let securityToken: string | undefined;
  if (firstSet(c.accessKeyId) !== undefined || firstSet(c.accessKeySecret) !== undefined) {
    accessKeyId = firstSet(c.accessKeyId);
    accessKeySecret = firstSet(c.accessKeySecret);
    securityToken = firstSet(c.securityToken);
    if (accessKeyId === undefined)
      problems.push(
        "alicloud:accessKey: not set while alicloud:secretKey is; run `pulumi config set --secret alicloud:accessKey <id>`",
      );
    if (accessKeySecret === undefined)
      problems.push(
        "alicloud:secretKey: not set while alicloud:accessKey is; run `pulumi config set --secret alicloud:secretKey <secret>`",
      );
  } else {
    accessKeyId = firstSet(env.ALIBABA_CLOUD_ACCESS_KEY_ID, env.ALICLOUD_ACCESS_KEY);
    accessKeySecret = firstSet(env.ALIBABA_CLOUD_ACCESS_KEY_SECRET, env.ALICLOUD_SECRET_KEY);
    securityToken = firstSet(env.ALIBABA_CLOUD_SECURITY_TOKEN, env.ALICLOUD_SECURITY_TOKEN);
    if (accessKeyId === undefined && accessKeySecret === undefined)
      problems.push(
        "credentials: none found; run `pulumi config set --secret alicloud:accessKey <id>` and " +
          "`pulumi config set --secret alicloud:secretKey <secret>` (or export " +
          "ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET)",
      );
    else if (accessKeyId === undefined || accessKeySecret === undefined)
      problems.push(
        `${accessKeyId === undefined ? "ALIBABA_CLOUD_ACCESS_KEY_ID" : "ALIBABA_CLOUD_ACCESS_KEY_SECRET"}: ` +
          "not set while its partner is; export both (or set alicloud:accessKey and alicloud:secretKey)",
      );
  }

  const region = firstSet(c.region, env.ALIBABA_CLOUD_REGION, env.ALICLOUD_REGION);
  if (region === undefined)
    problems.push(
      "alicloud:region: not set; run `pulumi config set alicloud:region <region-id>` (e.g. cn-hangzhou) or export ALIBABA_CLOUD_REGION",
    );
  else if (!REGION_PATTERN.test(region))
    problems.push(
      `alicloud:region: "${region}" is not an Alibaba Cloud region id; use e.g. cn-hangzhou`,
    );

  let endpoint = firstSet(c.endpoint, env.ALIBABA_CLOUD_CMS_ENDPOINT);
  if (endpoint === undefined) {
    if (region !== undefined) endpoint = `https://cms.${region}.aliyuncs.com`;
  } else {
    let url: URL | undefined;
    try {
      url = new URL(endpoint);
    } catch {
      problems.push(
        `flashduty-wiring:aliyun.cmsEndpoint: "${endpoint}" is not a URL; use e.g. https://cms.cn-hangzhou.aliyuncs.com`,
      );
    }
    if (url) {
      const loopback = LOOPBACK.has(url.hostname) || url.hostname.startsWith("127.");
      if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback))
        problems.push(
          "flashduty-wiring:aliyun.cmsEndpoint: must use https:// (plain http only for a loopback test server)",
        );
      else if (url.pathname !== "/" || url.search !== "" || url.username !== "")
        problems.push(
          "flashduty-wiring:aliyun.cmsEndpoint: give only scheme, host and port, e.g. https://cms.cn-hangzhou.aliyuncs.com",
        );
      endpoint = `${url.protocol}//${url.host}`;
    }
  }

  if (problems.length > 0) throw new CmsConfigError(problems);
  return {
    accessKeyId: accessKeyId as string,
    accessKeySecret: accessKeySecret as string,
    ...(securityToken ? { securityToken } : {}),
    region: region as string,
    endpoint: endpoint as string,
  };
}

/** Removes anything URL-like from a server message: a message may echo a parameter. */
function scrub(text: string): string {
  return text.replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, "[url]").slice(0, 500);
}

interface CallSpec {
  action: string;
  method: "GET" | "POST" | "PATCH" | "DELETE";
  pathname: string;
  query?: Record<string, string>;
  body?: unknown;
}

/**
 * One signed call through openapi-core; resolves with the JSON body. Throttling and failures where
 * the request never left are retried; 5xx and timeouts only for idempotent calls (not a create,
 * which might then be made twice).
 */
async function call(s: CmsSettings, spec: CallSpec): Promise<Record<string, unknown>> {
  return withRetries(
    async (): Promise<AttemptOutcome<Record<string, unknown>>> => {
      try {
        return { ok: true, value: await callOnce(s, spec) };
      } catch (err) {
        const e = err instanceof CmsApiError ? err : toCmsError(spec.action, err);
        return { ok: false, error: e, kind: e.kind, retryAfterMs: e.retryAfterMs };
      }
    },
    { retry: s.retry ?? DEFAULT_RETRY, idempotent: spec.method !== "POST" },
  );
}

async function callOnce(s: CmsSettings, spec: CallSpec): Promise<Record<string, unknown>> {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const core = require("@alicloud/openapi-core") as typeof import("@alicloud/openapi-core");
  /* eslint-enable @typescript-eslint/no-require-imports */
  const url = new URL(s.endpoint);
  const timeout = (s.retry ?? DEFAULT_RETRY).timeoutMs;
  const client = new core.default(
    new core.$OpenApiUtil.Config({
      accessKeyId: s.accessKeyId,
      accessKeySecret: s.accessKeySecret,
      ...(s.securityToken ? { securityToken: s.securityToken } : {}),
      regionId: s.region,
      endpoint: url.host,
      protocol: url.protocol.replace(/:$/, ""),
      readTimeout: timeout,
      connectTimeout: Math.min(timeout, 10_000),
    }),
  );
  const params = new core.$OpenApiUtil.Params({
    action: spec.action,
    version: CMS_API_VERSION,
    protocol: "HTTPS",
    pathname: spec.pathname,
    method: spec.method,
    authType: "AK",
    style: "ROA",
    reqBodyType: "json",
    bodyType: "json",
  });
  const request = new core.$OpenApiUtil.OpenApiRequest({
    ...(spec.query ? { query: spec.query } : {}),
    ...(spec.body !== undefined ? { body: spec.body } : {}),
  });
  const response = (await client.callApi(params, request, {} as never)) as { body?: unknown };
  const body = response?.body;
  return body !== null && typeof body === "object" ? (body as Record<string, unknown>) : {};
}

/** Maps whatever openapi-core threw to a CmsApiError without its request or response data. */
function toCmsError(action: string, err: unknown): CmsApiError {
  const e = (err ?? {}) as {
    statusCode?: unknown;
    code?: unknown;
    requestId?: unknown;
    retryAfter?: unknown;
    data?: { message?: unknown; Message?: unknown };
    message?: unknown;
  };
  const statusCode = typeof e.statusCode === "number" ? e.statusCode : undefined;
  const code = typeof e.code === "string" && e.code !== "undefined" ? e.code : "RequestFailed";
  const requestId =
    typeof e.requestId === "string" && e.requestId !== "undefined" ? e.requestId : undefined;
  const serverMessage =
    typeof e.data?.message === "string"
      ? e.data.message
      : typeof e.data?.Message === "string"
        ? e.data.Message
        : statusCode === undefined && typeof e.message === "string"
          ? e.message
          : "";
  const error = new CmsApiError(action, statusCode, code, requestId, scrub(serverMessage));
  if (statusCode === 429 || /Throttling/i.test(code)) {
    error.kind = "throttled";
    if (typeof e.retryAfter === "number" && e.retryAfter > 0) error.retryAfterMs = e.retryAfter;
  } else if (statusCode !== undefined)
    error.kind = isRetryableStatus(statusCode) ? "maybe-applied" : "final";
  else if (requestNeverSent(err)) error.kind = "not-sent";
  else if (isTimeoutError(err) || /ECONNRESET|socket hang up/i.test(String(e.message)))
    error.kind = "maybe-applied";
  return error;
}

/** A 404, or an error code naming a missing object (`…NotExist`, `…NotFound`). */
export function isNotFoundError(err: unknown): boolean {
  return (
    err instanceof CmsApiError && (err.statusCode === 404 || /(NotExist|NotFound)$/i.test(err.code))
  );
}

function webhookParam(spec: WebhookAlertActionSpec): Record<string, unknown> {
  return {
    url: spec.url,
    method: spec.method,
    contentType: spec.contentType,
    ...(spec.headers && Object.keys(spec.headers).length > 0 ? { headers: spec.headers } : {}),
  };
}

/** CreateAlertAction (POST /alertAction); returns the new alertActionId. */
export async function createAlertAction(
  s: CmsSettings,
  spec: WebhookAlertActionSpec,
): Promise<string> {
  const body = await call(s, {
    action: "CreateAlertAction",
    method: "POST",
    pathname: "/alertAction",
    body: { alertActionName: spec.name, type: "WEBHOOK", webhookParam: webhookParam(spec) },
  });
  // The id is `alertActionId`; the Terraform resource also accepts `data` (both read here).
  const id = body.alertActionId ?? body.data;
  if (typeof id !== "string" || id === "")
    throw new CmsApiError(
      "CreateAlertAction",
      undefined,
      "NoId",
      undefined,
      "no alertActionId in the answer",
    );
  return id;
}

/** UpdateAlertAction (PATCH /alertAction/{alertActionId}). */
export async function updateAlertAction(
  s: CmsSettings,
  id: string,
  spec: WebhookAlertActionSpec,
): Promise<void> {
  await call(s, {
    action: "UpdateAlertAction",
    method: "PATCH",
    pathname: `/alertAction/${encodeURIComponent(id)}`,
    body: { alertActionName: spec.name, type: "WEBHOOK", webhookParam: webhookParam(spec) },
  });
}

/** DeleteAlertActions (DELETE /alertActions, `alertActionIds` a JSON array in the query). */
export async function deleteAlertActions(s: CmsSettings, ids: string[]): Promise<void> {
  await call(s, {
    action: "DeleteAlertActions",
    method: "DELETE",
    pathname: "/alertActions",
    query: { alertActionIds: JSON.stringify(ids) },
  });
}

function toRecord(raw: unknown): AlertActionRecord | undefined {
  if (raw === null || typeof raw !== "object") return undefined;
  const r = raw as Record<string, unknown>;
  if (typeof r.alertActionId !== "string") return undefined;
  const w = r.webhookParam as Record<string, unknown> | undefined;
  return {
    alertActionId: r.alertActionId,
    alertActionName: typeof r.alertActionName === "string" ? r.alertActionName : "",
    type: typeof r.type === "string" ? r.type : "",
    ...(w && typeof w === "object"
      ? {
          webhookParam: {
            ...(typeof w.url === "string" ? { url: w.url } : {}),
            ...(typeof w.method === "string" ? { method: w.method } : {}),
            ...(typeof w.contentType === "string" ? { contentType: w.contentType } : {}),
            ...(w.headers && typeof w.headers === "object"
              ? {
                  headers: Object.fromEntries(
                    Object.entries(w.headers as Record<string, unknown>).map(([k, v]) => [
                      k,
                      String(v),
                    ]),
                  ),
                }
              : {}),
          },
        }
      : {}),
  };
}

/** ListAlertActions (GET /alertActions), every page (pageNumber/pageSize/total). */
export async function listAlertActions(
  s: CmsSettings,
  filter: { ids?: string[]; name?: string; type?: string } = {},
): Promise<AlertActionRecord[]> {
  const all: AlertActionRecord[] = [];
  let seen = 0;
  for (let page = 1; page <= 1000; page++) {
    const body = await call(s, {
      action: "ListAlertActions",
      method: "GET",
      pathname: "/alertActions",
      query: {
        pageNumber: String(page),
        pageSize: String(LIST_PAGE_SIZE),
        ...(filter.ids ? { alertActionIds: JSON.stringify(filter.ids) } : {}),
        ...(filter.name ? { alertActionName: filter.name } : {}),
        ...(filter.type ? { type: filter.type } : {}),
      },
    });
    const items = Array.isArray(body.alertActions) ? (body.alertActions as unknown[]) : [];
    seen += items.length;
    for (const item of items) {
      const r = toRecord(item);
      if (r) all.push(r);
    }
    const total = typeof body.total === "number" ? body.total : undefined;
    // Stop on an empty page, or once `total` entries were seen (whatever page size the server
    // used); a server that omits `total` is read until it answers an empty page.
    if (items.length === 0 || (total !== undefined && seen >= total)) break;
  }
  return all;
}

/** The alert action with this id, or undefined when it does not exist. */
export async function getAlertAction(
  s: CmsSettings,
  id: string,
): Promise<AlertActionRecord | undefined> {
  try {
    const found = await listAlertActions(s, { ids: [id] });
    // The id filter is the server's; match exactly here whatever it returned.
    return found.find((r) => r.alertActionId === id);
  } catch (err) {
    if (isNotFoundError(err)) return undefined;
    throw err;
  }
}

// Local simulator of the Volcengine Cloud Monitor OpenAPI (Volc_Observe, 2018-01-01) for callbacks
// ("webhooks") and event rules, plus the event center's callback delivery. Real HTTP on 127.0.0.1,
// request signatures verified with its own implementation (./signature), Volcengine's
// {ResponseMetadata, Result} envelope. It imports nothing from components/. See README.md.

import { randomBytes, randomUUID } from "node:crypto";
import { AddressInfo } from "node:net";
import http from "node:http";
import { verifyRequest } from "./signature";

export const API_VERSION = "2018-01-01";
export const SERVICE = "Volc_Observe";

export interface VolcengineSimOptions {
  /** The one valid access key (default: a random "AKLT…" string). */
  accessKey?: string;
  /** Its secret key (default: random). */
  secretKey?: string;
  /** Default region, used for events (default "cn-beijing"). */
  region?: string;
  /** Every region the credential scope may name (default: just `region`). State is per region. */
  regions?: string[];
  /** Account id put into objects and events (default "2100000001"). */
  accountId?: string;
  /**
   * Requests per second allowed per access key before answering 429 FlowLimitExceeded (default 20:
   * the Cloud Monitor API docs advise at most 20 requests/s, volcengine.com/docs/6408/152249).
   * `false` turns throttling off.
   */
  rateLimit?: { perSecond: number } | false;
  /**
   * The answer for an id that does not exist (UpdateEventRule, UpdateWebhook, and the deletes when
   * `deleteMissing` is "error"). No source documents it; default 400 InvalidParameter (a documented
   * common code). Alternative a real server might use: e.g. 404 with a "…NotFound" code.
   */
  notFound?: { status: number; code: string };
  /**
   * DeleteEventRule / DeleteWebhooksByIds with an id that does not exist: "error" (the `notFound`
   * answer, default) or "success" (idempotent delete). Unsourced: the client must handle both.
   */
  deleteMissing?: "error" | "success";
  /**
   * DeleteWebhooksByIds on a callback an event rule still uses: "refuse" (400 InvalidParameter,
   * default) or "detach" (deleted and removed from the rules). Unsourced.
   */
  webhookInUse?: "refuse" | "detach";
  /** How ListEventRules matches RuleName: "substring" (default) or "exact". Unsourced. */
  ruleNameFilter?: "substring" | "exact";
  /** Status of InvalidTimestamp: 400 (OpenAPI common codes, default) or 403 (docs/6408/78947). */
  timestampStatus?: 400 | 403;
  /** Actions refused with 403 LackPolicy (the documented common code for a missing IAM policy). */
  lackPolicy?: string[];
  /** Event-center delivery tuning (defaults follow the docs: 3 retries, 8 s timeout). */
  delivery?: {
    timeoutMs?: number;
    retries?: number;
    retryDelayMs?: number;
    /** Deliver to non-loopback hosts too (default false: tests must never leave the machine). */
    allowNonLoopback?: boolean;
  };
}

export interface RecordedRequest {
  method: string;
  action: string;
  version: string;
  /** Region of the credential scope, when the Authorization header could be parsed. */
  region?: string;
  status: number;
  errorCode?: string;
  /** Parsed JSON body (undefined if not JSON). Credentials are never in the body. */
  body: unknown;
  at: number;
}

export type Fault =
  { kind: "5xx"; status?: number } | { kind: "429"; retryAfterSeconds?: number } | { kind: "hang" };

export interface SimWebhook {
  Id: string;
  Name: string;
  Type: string;
  Url: string;
  Region: string;
  /** RFC 3339 with the +08:00 offset, as documented ("2021-10-25T18:27:24+08:00"). */
  CreatedAt: string;
  UpdatedAt: string;
}

export interface SimEventRule {
  RuleId: string;
  RuleName: string;
  Description: string;
  Source: string;
  EventBusName: string;
  AccountId: string;
  Region: string;
  Level: string;
  EnableState: string;
  EffectStartAt: string;
  EffectEndAt: string;
  EventType: string[];
  FilterPattern: Record<string, unknown>;
  ContactMethods: string[];
  ContactGroupIds: string[];
  Endpoint: string;
  WebhookIds: string[];
  NotifyTemplates: unknown[];
  TLSTarget: unknown[];
  /** An object in ListEventRules (SDK `MessageQueueForListEventRulesOutput`). */
  MessageQueue: Record<string, unknown>;
  /** Unix seconds (int64 in the SDK). */
  CreatedAt: number;
  UpdatedAt: number;
}

export interface SimEvent {
  source: string;
  eventType: string;
  /** Not an event property in Volcengine (levels belong to rules); kept as a Details extension. */
  level?: "notice" | "warning" | "critical";
  region?: string;
  accountId?: string;
  projectName?: string;
  id?: string;
  description?: string;
  descriptionCN?: string;
  resourceName?: string;
  subject?: string;
  /** Unix seconds (default now). */
  happenedAt?: number;
  /** Extended Details keys. */
  details?: Record<string, unknown>;
}

export interface Delivery {
  url: string;
  /** The URL without its query string (which may carry a key): safe to print. */
  safeUrl: string;
  ok: boolean;
  /** HTTP status of the last attempt (undefined when no answer). */
  status?: number;
  attempts: number;
  error?: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
  ruleIds: string[];
}

const WEBHOOK_TYPES = ["custom", "wecom", "lark", "dingtalk"];
const LEVELS = ["notice", "warning", "critical"];
const STATUSES = ["enable", "disable"];
const CONTACT_METHODS = ["Phone", "Email", "SMS", "Webhook", "TLS", "MQ"];
const ORDER_BY = ["UpdatedAt", "RuleName", "CreatedAt"];
const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;
const ACTIONS = [
  "CreateWebhook",
  "UpdateWebhook",
  "DeleteWebhooksByIds",
  "ListWebhooks",
  "ListWebhooksByIds",
  "CreateEventRule",
  "UpdateEventRule",
  "DeleteEventRule",
  "ListEventRules",
] as const;
type Action = (typeof ACTIONS)[number];

/** An API error answer: HTTP status + Volcengine error code. */
class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const missing = (field: string) =>
  new ApiError(400, "MissingParameter", `The parameter ${field} is required.`);
const invalid = (field: string, why: string) =>
  new ApiError(400, "InvalidParameter", `The parameter ${field} is invalid: ${why}`);

function isLoopbackHost(hostname: string): boolean {
  return (
    hostname === "localhost" ||
    hostname === "[::1]" ||
    hostname === "::1" ||
    /^127\.\d+\.\d+\.\d+$/.test(hostname)
  );
}

function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}${u.search ? "?<redacted>" : ""}`;
  } catch {
    return "<unparseable url>";
  }
}

function requestId(): string {
  const d = new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14);
  return `${d}${randomBytes(10).toString("hex").toUpperCase()}`;
}

function numericId(): string {
  return `${Date.now()}${randomBytes(3).readUIntBE(0, 3).toString().padStart(8, "0")}`;
}

// ---- field validation helpers (messages name the parameter, as the real API does) ----

function reqString(body: Record<string, unknown>, field: string): string {
  const v = body[field];
  if (v === undefined || v === null || v === "") throw missing(field);
  if (typeof v !== "string") throw invalid(field, "must be a string.");
  return v;
}

function optString(body: Record<string, unknown>, field: string): string | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw invalid(field, "must be a string.");
  return v;
}

function optStringArray(body: Record<string, unknown>, field: string): string[] | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string" || x === ""))
    throw invalid(field, "must be an array of non-empty strings.");
  return v as string[];
}

function reqStringArray(body: Record<string, unknown>, field: string): string[] {
  const v = optStringArray(body, field);
  if (v === undefined || v.length === 0) throw missing(field);
  return v;
}

function enumValue(field: string, value: string, allowed: readonly string[]): string {
  if (!allowed.includes(value)) throw invalid(field, `must be one of ${allowed.join(", ")}.`);
  return value;
}

function checkWebhookUrl(url: string): void {
  if (Buffer.byteLength(url) > 1000) throw invalid("Url", "must be at most 1000 bytes.");
  if (url.trim() !== url) throw invalid("Url", "must not have leading or trailing whitespace.");
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid("Url", "is not a valid URL.");
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
    throw invalid("Url", "must use http or https.");
}

export class VolcengineSimulator {
  readonly baseUrl: string;
  readonly accessKey: string;
  readonly secretKey: string;
  readonly region: string;
  readonly accountId: string;
  readonly requests: RecordedRequest[] = [];
  readonly deliveries: Delivery[] = [];

  private readonly regions: Set<string>;
  private readonly webhookStore = new Map<string, SimWebhook>();
  private readonly ruleStore = new Map<string, SimEventRule>();
  private faults: Array<{ fault: Fault; remaining: number }> = [];
  /** Creation / update sequence numbers: a stable order among equal second-resolution times. */
  private seq = 0;
  private readonly created = new Map<string, number>();
  private readonly updated = new Map<string, number>();
  /** Request start times per access key within the last second (rate limit). */
  private readonly recent = new Map<string, number[]>();
  /** Highest number of requests seen within any one-second window. */
  peakRequestsPerSecond = 0;
  private readonly allRecent: number[] = [];
  private readonly options: VolcengineSimOptions;
  private readonly hanging = new Set<http.ServerResponse>();
  private readonly delivery: Required<NonNullable<VolcengineSimOptions["delivery"]>>;

  private constructor(
    private readonly server: http.Server,
    options: VolcengineSimOptions,
  ) {
    const port = (server.address() as AddressInfo).port;
    this.baseUrl = `http://127.0.0.1:${port}`;
    this.accessKey = options.accessKey ?? `AKLT${randomBytes(16).toString("hex")}`;
    this.secretKey = options.secretKey ?? randomBytes(24).toString("base64");
    this.region = options.region ?? "cn-beijing";
    this.regions = new Set([this.region, ...(options.regions ?? [])]);
    this.accountId = options.accountId ?? "2100000001";
    this.options = options;
    this.delivery = {
      timeoutMs: options.delivery?.timeoutMs ?? 8000,
      retries: options.delivery?.retries ?? 3,
      retryDelayMs: options.delivery?.retryDelayMs ?? 200,
      allowNonLoopback: options.delivery?.allowNonLoopback ?? false,
    };
  }

  static async start(options: VolcengineSimOptions = {}): Promise<VolcengineSimulator> {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const sim = new VolcengineSimulator(server, options);
    server.on("request", (req, res) => {
      sim.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { "content-type": "application/json" });
          res.end(
            JSON.stringify({
              ResponseMetadata: { Error: { Code: "InternalError", Message: String(err) } },
            }),
          );
        }
      });
    });
    return sim;
  }

  // ---- state inspection and out-of-band changes (as if done in the console) ----

  webhooks(): Array<SimWebhook & { EventRuleIds: string[]; RuleIds: string[] }> {
    return [...this.webhookStore.values()].map((w) => this.webhookView(w));
  }

  eventRules(): SimEventRule[] {
    return [...this.ruleStore.values()].map((r) => structuredClone(r));
  }

  mutateWebhook(id: string, patch: Partial<Omit<SimWebhook, "Id">>): void {
    const w = this.webhookStore.get(id);
    if (!w) throw new Error(`simulator: no webhook ${id}`);
    Object.assign(w, patch, { UpdatedAt: rfc3339(nowSeconds()) });
  }

  deleteWebhook(id: string): void {
    if (!this.webhookStore.delete(id)) throw new Error(`simulator: no webhook ${id}`);
    for (const r of this.ruleStore.values()) r.WebhookIds = r.WebhookIds.filter((w) => w !== id);
  }

  mutateEventRule(id: string, patch: Partial<Omit<SimEventRule, "RuleId">>): void {
    const r = this.ruleStore.get(id);
    if (!r) throw new Error(`simulator: no event rule ${id}`);
    Object.assign(r, structuredClone(patch), { UpdatedAt: nowSeconds() });
    this.updated.set(id, ++this.seq);
  }

  deleteEventRule(id: string): void {
    if (!this.ruleStore.delete(id)) throw new Error(`simulator: no event rule ${id}`);
  }

  /** The next `count` API requests answer with the fault (before signature checks, like a gateway). */
  inject(fault: Fault, count: number): void {
    this.faults.push({ fault, remaining: count });
  }

  reset(): void {
    this.webhookStore.clear();
    this.ruleStore.clear();
    this.faults = [];
    this.requests.length = 0;
    this.deliveries.length = 0;
    this.recent.clear();
    this.hook = undefined;
    this.allRecent.length = 0;
    this.peakRequestsPerSecond = 0;
    this.releaseHanging();
  }

  /**
   * Test instrumentation (not a vendor behaviour): `hook` runs before each authenticated action is
   * executed, e.g. to delete other rules between the pages of a listing, as a concurrent client would.
   */
  beforeAction(hook: ((action: string, body: Record<string, unknown>) => void) | undefined): void {
    this.hook = hook;
  }

  private hook: ((action: string, body: Record<string, unknown>) => void) | undefined;

  /** Settings that tests may change between cases. */
  configure(patch: Partial<VolcengineSimOptions>): void {
    Object.assign(this.options, patch);
  }

  private notFoundError(what: string): ApiError {
    const nf = this.options.notFound ?? { status: 400, code: "InvalidParameter" };
    return new ApiError(nf.status, nf.code, `The ${what} does not exist.`);
  }

  /** Sliding one-second window per access key; true when this request is over the limit. */
  private throttled(accessKey: string, now: number): boolean {
    this.allRecent.push(now);
    while (this.allRecent.length > 0 && this.allRecent[0] <= now - 1000) this.allRecent.shift();
    this.peakRequestsPerSecond = Math.max(this.peakRequestsPerSecond, this.allRecent.length);
    const limit = this.options.rateLimit === undefined ? { perSecond: 20 } : this.options.rateLimit;
    if (limit === false) return false;
    const times = this.recent.get(accessKey) ?? [];
    while (times.length > 0 && times[0] <= now - 1000) times.shift();
    this.recent.set(accessKey, times);
    if (times.length >= limit.perSecond) return true;
    times.push(now);
    return false;
  }

  async stop(): Promise<void> {
    this.releaseHanging();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private releaseHanging(): void {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
  }

  // ---- HTTP handling ----

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const target = req.url ?? "/";
    const q = target.indexOf("?");
    const path = q < 0 ? target : target.slice(0, q);
    const rawQuery = q < 0 ? "" : target.slice(q + 1);
    const query = new URLSearchParams(rawQuery);
    const action = query.get("Action") ?? "";
    const version = query.get("Version") ?? "";
    let parsedBody: unknown;
    try {
      parsedBody = raw.length === 0 ? {} : JSON.parse(raw.toString("utf8"));
    } catch {
      parsedBody = undefined;
    }
    const scopeRegion = /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(
      String(req.headers.authorization ?? ""),
    )?.[1];
    const record: RecordedRequest = {
      method: req.method ?? "",
      action,
      version,
      region: scopeRegion,
      status: 0,
      body: parsedBody,
      at: Date.now(),
    };
    this.requests.push(record);

    const meta = {
      RequestId: requestId(),
      Action: action,
      Version: version,
      Service: SERVICE,
      Region: scopeRegion ?? this.region,
    };
    const send = (
      status: number,
      payload: Record<string, unknown>,
      headers: Record<string, string> = {},
    ) => {
      record.status = status;
      res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
      res.end(JSON.stringify(payload));
    };
    const fail = (err: ApiError, headers?: Record<string, string>) => {
      record.errorCode = err.code;
      send(
        err.status,
        { ResponseMetadata: { ...meta, Error: { Code: err.code, Message: err.message } } },
        headers,
      );
    };

    const fault = this.faults.find((f) => f.remaining > 0);
    if (fault) {
      fault.remaining--;
      this.faults = this.faults.filter((f) => f.remaining > 0);
      if (fault.fault.kind === "hang") {
        record.status = -1;
        this.hanging.add(res);
        return;
      }
      if (fault.fault.kind === "429") {
        const headers: Record<string, string> =
          fault.fault.retryAfterSeconds !== undefined
            ? { "retry-after": String(fault.fault.retryAfterSeconds) }
            : {};
        return fail(
          new ApiError(429, "FlowLimitExceeded", "Request was denied due to request throttling."),
          headers,
        );
      }
      const status = fault.fault.status ?? 500;
      return fail(
        new ApiError(
          status,
          status === 503 ? "ServiceUnavailable" : "InternalError",
          "The service encountered an internal error.",
        ),
      );
    }

    const accessKey =
      /Credential=([^/,\s]+)\//.exec(String(req.headers.authorization ?? ""))?.[1] ?? "";
    if (this.throttled(accessKey, Date.now()))
      // Documented common error: FlowLimitExceeded, HTTP 429 (OpenAPI common error codes).
      return fail(
        new ApiError(429, "FlowLimitExceeded", "Request was denied due to request throttling."),
      );

    const verdict = verifyRequest(
      { method: req.method ?? "", path, rawQuery, headers: req.headers, body: raw },
      {
        keys: new Map([[this.accessKey, this.secretKey]]),
        regions: this.regions,
        service: SERVICE,
        now: Date.now(),
        timestampStatus: this.options.timestampStatus,
      },
    );
    if (verdict) return fail(new ApiError(verdict.status, verdict.code, verdict.message));

    if (version !== API_VERSION || !(ACTIONS as readonly string[]).includes(action))
      return fail(
        new ApiError(
          404,
          "InvalidActionOrVersion",
          `Could not find operation ${action} for version ${version}.`,
        ),
      );
    if (req.method !== "POST")
      return fail(new ApiError(405, "InvalidHttpMethod", `${action} must be called with POST.`));
    if (!/^application\/json/i.test(String(req.headers["content-type"] ?? "")))
      return fail(invalid("Content-Type", "must be application/json."));
    if (
      parsedBody === undefined ||
      parsedBody === null ||
      typeof parsedBody !== "object" ||
      Array.isArray(parsedBody)
    )
      return fail(invalid("body", "must be a JSON object."));

    if (this.options.lackPolicy?.includes(action))
      return fail(
        new ApiError(403, "LackPolicy", "Request was rejected because of lack of policy."),
      );

    this.hook?.(action, parsedBody as Record<string, unknown>);
    try {
      const result = this.dispatch(
        action as Action,
        parsedBody as Record<string, unknown>,
        scopeRegion!,
      );
      send(200, { ResponseMetadata: meta, Result: result });
    } catch (err) {
      if (err instanceof ApiError) return fail(err);
      throw err;
    }
  }

  private dispatch(action: Action, body: Record<string, unknown>, region: string): unknown {
    switch (action) {
      case "CreateWebhook":
        return this.createWebhook(body, region);
      case "UpdateWebhook":
        return this.updateWebhook(body, region);
      case "DeleteWebhooksByIds":
        return this.deleteWebhooksByIds(body, region);
      case "ListWebhooks":
        return this.listWebhooks(body, region);
      case "ListWebhooksByIds":
        return this.listWebhooksByIds(body, region);
      case "CreateEventRule":
        return this.createEventRule(body, region);
      case "UpdateEventRule":
        return this.updateEventRule(body, region);
      case "DeleteEventRule":
        return this.deleteEventRuleAction(body, region);
      case "ListEventRules":
        return this.listEventRules(body, region);
    }
  }

  // ---- webhooks ----

  private webhookView(w: SimWebhook): SimWebhook & { EventRuleIds: string[]; RuleIds: string[] } {
    const eventRuleIds = [...this.ruleStore.values()]
      .filter((r) => r.Region === w.Region && r.WebhookIds.includes(w.Id))
      .map((r) => r.RuleId);
    return { ...w, RuleIds: [], EventRuleIds: eventRuleIds };
  }

  private apiWebhook(w: SimWebhook): Record<string, unknown> {
    const { Region: _region, ...rest } = this.webhookView(w);
    return rest;
  }

  private webhookFields(body: Record<string, unknown>): {
    Name: string;
    Type: string;
    Url: string;
  } {
    const name = reqString(body, "Name");
    if (Buffer.byteLength(name) > 512) throw invalid("Name", "must be 1–512 bytes.");
    const type = enumValue("Type", reqString(body, "Type"), WEBHOOK_TYPES);
    const url = reqString(body, "Url");
    checkWebhookUrl(url);
    return { Name: name, Type: type, Url: url };
  }

  private webhookIn(region: string, id: string, field = "Id"): SimWebhook {
    const w = this.webhookStore.get(id);
    if (!w || w.Region !== region) throw this.notFoundError(`webhook ${id} (${field})`);
    return w;
  }

  private createWebhook(body: Record<string, unknown>, region: string): unknown {
    const fields = this.webhookFields(body);
    const now = rfc3339(nowSeconds());
    const w: SimWebhook = {
      Id: numericId(),
      ...fields,
      Region: region,
      CreatedAt: now,
      UpdatedAt: now,
    };
    this.webhookStore.set(w.Id, w);
    this.created.set(w.Id, ++this.seq);
    return { Data: [w.Id] };
  }

  private updateWebhook(body: Record<string, unknown>, region: string): unknown {
    const id = reqString(body, "Id");
    const fields = this.webhookFields(body);
    const w = this.webhookIn(region, id);
    Object.assign(w, fields, { UpdatedAt: rfc3339(nowSeconds()) });
    return { Data: [id] };
  }

  private deleteWebhooksByIds(body: Record<string, unknown>, region: string): unknown {
    const ids = reqStringArray(body, "Ids");
    const present = ids.filter((id) => this.webhookStore.get(id)?.Region === region);
    if (present.length < ids.length && this.options.deleteMissing !== "success")
      this.webhookIn(
        region,
        ids.find((id) => !present.includes(id))!,
        "Ids",
      );
    for (const id of present) {
      const users = this.webhookView(this.webhookStore.get(id)!).EventRuleIds;
      if (users.length > 0 && this.options.webhookInUse !== "detach")
        throw invalid("Ids", `the webhook ${id} is used by event rule(s) ${users.join(", ")}.`);
    }
    for (const id of present) this.deleteWebhook(id);
    return { Data: ids };
  }

  private listWebhooksByIds(body: Record<string, unknown>, region: string): unknown {
    const ids = reqStringArray(body, "Ids");
    const items = ids
      .map((id) => this.webhookStore.get(id))
      .filter((w): w is SimWebhook => w !== undefined && w.Region === region)
      .map((w) => this.apiWebhook(w));
    // No TotalCount: ListWebhooksByIds returns Data only (SDK ListWebhooksByIdsOutput).
    return { Data: items };
  }

  private listWebhooks(body: Record<string, unknown>, region: string): unknown {
    const name = optString(body, "Name");
    const type = optString(body, "Type");
    const url = optString(body, "Url");
    const eventRuleId = optString(body, "EventRuleId");
    const { page, size } = paging(body, 10);
    let items = [...this.webhookStore.values()].filter((w) => w.Region === region);
    if (name) items = items.filter((w) => w.Name.includes(name));
    if (type) items = items.filter((w) => w.Type === type);
    if (url) items = items.filter((w) => w.Url === url);
    if (eventRuleId)
      items = items.filter((w) => this.webhookView(w).EventRuleIds.includes(eventRuleId));
    items.sort((a, b) => this.created.get(a.Id)! - this.created.get(b.Id)!);
    return {
      Data: items.slice((page - 1) * size, page * size).map((w) => this.apiWebhook(w)),
      TotalCount: items.length,
      PageNumber: page,
      PageSize: size,
    };
  }

  // ---- event rules ----

  /** Validates the fields shared by create and update; returns the values to store. */
  private ruleFields(
    body: Record<string, unknown>,
    region: string,
    existing?: SimEventRule,
  ): Partial<SimEventRule> {
    const out: Partial<SimEventRule> = {};
    const ruleName = reqString(body, "RuleName");
    // CreateEventRule / UpdateEventRule docs and the Cloud Control schema: 1–128 characters, not
    // starting with a digit or a hyphen.
    if ([...ruleName].length > 128) throw invalid("RuleName", "must be 1–128 characters.");
    if (/^[0-9-]/.test(ruleName))
      throw invalid("RuleName", "must not start with a digit or a hyphen.");
    out.RuleName = ruleName;
    const bus = reqString(body, "EventBusName");
    if (bus !== "default") throw invalid("EventBusName", 'only "default" is supported.');
    out.EventBusName = bus;
    const source = reqString(body, "EventSource");
    if (existing && existing.Source !== source)
      throw invalid(
        "EventSource",
        "cannot be changed on an existing rule; create a new rule instead.",
      );
    out.Source = source;
    out.Level = enumValue("Level", reqString(body, "Level"), LEVELS);
    const status = existing ? reqString(body, "Status") : optString(body, "Status");
    if (status !== undefined) out.EnableState = enumValue("Status", status, STATUSES);
    const description = optString(body, "Description");
    if (description !== undefined) {
      checkDescription(description);
      out.Description = description;
    }
    // Cloud Control schema: EventType required, at least one item, unique. No source says an
    // empty list means "all events of the source".
    const types = reqStringArray(body, "EventType");
    if (new Set(types).size !== types.length) throw invalid("EventType", "items must be unique.");
    out.EventType = types;
    // CreateEventRule doc and the Terraform provider: FilterPattern with Type (required) and Source.
    if (
      body.FilterPattern === undefined ||
      body.FilterPattern === null ||
      typeof body.FilterPattern !== "object" ||
      Array.isArray(body.FilterPattern)
    )
      throw body.FilterPattern === undefined
        ? missing("FilterPattern")
        : invalid("FilterPattern", "must be an object.");
    const pattern = body.FilterPattern as Record<string, unknown>;
    reqStringArray(pattern, "Type");
    if (optString(pattern, "Source") === undefined) throw missing("FilterPattern.Source");
    out.FilterPattern = pattern;
    if (body.EffectiveTime !== undefined) {
      const et = body.EffectiveTime as Record<string, unknown>;
      if (et === null || typeof et !== "object")
        throw invalid("EffectiveTime", "must be an object.");
      const start = reqString(et, "StartTime");
      const end = reqString(et, "EndTime");
      if (!HH_MM.test(start)) throw invalid("EffectiveTime.StartTime", "must be HH:MM.");
      if (!HH_MM.test(end)) throw invalid("EffectiveTime.EndTime", "must be HH:MM.");
      out.EffectStartAt = start;
      out.EffectEndAt = end;
    }
    const methods = optStringArray(body, "ContactMethods");
    if (methods !== undefined) {
      methods.forEach((m, i) => enumValue(`ContactMethods[${i}]`, m, CONTACT_METHODS));
      out.ContactMethods = methods;
    }
    const groups = optStringArray(body, "ContactGroupIds");
    if (groups !== undefined) {
      if (groups.length > 5) throw invalid("ContactGroupIds", "at most 5 contact groups.");
      out.ContactGroupIds = groups;
    }
    const endpoint = optString(body, "Endpoint");
    const webhookIds = optStringArray(body, "WebhookIds");
    if (endpoint && webhookIds && webhookIds.length > 0)
      throw invalid("WebhookIds", "WebhookIds and Endpoint cannot be set together.");
    if (endpoint) {
      try {
        const u = new URL(endpoint);
        if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error();
      } catch {
        throw invalid("Endpoint", "must be an http or https URL.");
      }
      out.Endpoint = endpoint;
      out.WebhookIds = [];
    }
    if (webhookIds !== undefined) {
      if (webhookIds.length > 8) throw invalid("WebhookIds", "at most 8 callbacks.");
      webhookIds.forEach((id, i) => {
        const w = this.webhookStore.get(id);
        if (!w || w.Region !== region)
          throw invalid(`WebhookIds[${i}]`, `the webhook ${id} does not exist.`);
      });
      out.WebhookIds = webhookIds;
      if (webhookIds.length > 0) out.Endpoint = "";
    }
    const finalMethods = out.ContactMethods ?? existing?.ContactMethods ?? [];
    const finalHooks = out.WebhookIds ?? existing?.WebhookIds ?? [];
    const finalEndpoint = out.Endpoint ?? existing?.Endpoint ?? "";
    if (finalMethods.includes("Webhook") && finalHooks.length === 0 && finalEndpoint === "")
      throw invalid("ContactMethods", "Webhook needs WebhookIds or Endpoint.");
    return out;
  }

  private createEventRule(body: Record<string, unknown>, region: string): unknown {
    const fields = this.ruleFields(body, region);
    const now = nowSeconds();
    const rule: SimEventRule = {
      RuleId: numericId(),
      RuleName: "",
      Description: "",
      Source: "",
      EventBusName: "default",
      AccountId: this.accountId,
      Region: region,
      Level: "notice",
      EnableState: "enable",
      EffectStartAt: "00:00",
      EffectEndAt: "23:59",
      EventType: [],
      FilterPattern: {},
      ContactMethods: [],
      ContactGroupIds: [],
      Endpoint: "",
      WebhookIds: [],
      NotifyTemplates: [],
      TLSTarget: [],
      MessageQueue: {},
      ...fields,
      CreatedAt: now,
      UpdatedAt: now,
    };
    this.ruleStore.set(rule.RuleId, rule);
    this.created.set(rule.RuleId, ++this.seq);
    this.updated.set(rule.RuleId, this.seq);
    return { Data: { RuleId: rule.RuleId } };
  }

  private ruleIn(region: string, id: string): SimEventRule {
    const r = this.ruleStore.get(id);
    if (!r || r.Region !== region) throw this.notFoundError(`event rule ${id}`);
    return r;
  }

  private updateEventRule(body: Record<string, unknown>, region: string): unknown {
    const id = reqString(body, "RuleId");
    const rule = this.ruleIn(region, id);
    const fields = this.ruleFields(body, region, rule);
    Object.assign(rule, fields, { UpdatedAt: nowSeconds() });
    this.updated.set(id, ++this.seq);
    return { Data: { RuleId: id } };
  }

  private deleteEventRuleAction(body: Record<string, unknown>, region: string): unknown {
    const ids = reqStringArray(body, "RuleId");
    const bus = optString(body, "EventBusName");
    if (bus !== undefined && bus !== "default")
      throw invalid("EventBusName", 'only "default" is supported.');
    const present = ids.filter((id) => this.ruleStore.get(id)?.Region === region);
    if (present.length < ids.length && this.options.deleteMissing !== "success")
      this.ruleIn(
        region,
        ids.find((id) => !present.includes(id))!,
      );
    for (const id of present) this.ruleStore.delete(id);
    // Documented shape: Data {RuleId: [...]} (SDK DeleteEventRuleOutput).
    return { Data: { RuleId: present } };
  }

  private listEventRules(body: Record<string, unknown>, region: string): unknown {
    const name = optString(body, "RuleName");
    const sources = optStringArray(body, "Source");
    const statuses = optStringArray(body, "Status");
    statuses?.forEach((s, i) => enumValue(`Status[${i}]`, s, STATUSES));
    // Default order UpdatedAt, newest first (the ListEventRules doc example is descending).
    const orderBy = optString(body, "OrderBy") ?? "UpdatedAt";
    enumValue("OrderBy", orderBy, ORDER_BY);
    if (body.Asc !== undefined && typeof body.Asc !== "boolean")
      throw invalid("Asc", "must be a boolean.");
    const asc = body.Asc === undefined ? false : (body.Asc as boolean);
    const { page, size } = paging(body, 30);
    let items = [...this.ruleStore.values()].filter((r) => r.Region === region);
    if (name)
      items = items.filter((r) =>
        this.options.ruleNameFilter === "exact" ? r.RuleName === name : r.RuleName.includes(name),
      );
    if (sources && sources.length > 0) items = items.filter((r) => sources.includes(r.Source));
    if (statuses && statuses.length > 0)
      items = items.filter((r) => statuses.includes(r.EnableState));
    const key = orderBy as "UpdatedAt" | "RuleName" | "CreatedAt";
    // Ties (times have one-second resolution) in creation / update order: unsourced.
    const tie = (r: SimEventRule) =>
      key === "UpdatedAt" ? this.updated.get(r.RuleId)! : this.created.get(r.RuleId)!;
    items.sort((a, b) => {
      const c = a[key] < b[key] ? -1 : a[key] > b[key] ? 1 : tie(a) - tie(b);
      return asc ? c : -c;
    });
    return {
      Data: items.slice((page - 1) * size, page * size).map((r) => structuredClone(r)),
      TotalCount: items.length,
      PageNumber: page,
      PageSize: size,
    };
  }

  // ---- event center delivery ----

  /**
   * Emits one event: every ENABLED rule of the event's region whose source matches and whose event
   * types contain the type, with ContactMethods ∋ Webhook, is matched; the
   * event is POSTed once per distinct callback URL, with `Rules` listing the rules behind that URL.
   */
  async fireEvent(event: Partial<SimEvent> = {}): Promise<Delivery[]> {
    const source = event.source ?? "ecs";
    const eventType = event.eventType ?? "ecs:Disk:DiskError.Redeploy.Executing";
    if (event.level !== undefined && !LEVELS.includes(event.level))
      throw new Error(`simulator: fireEvent level must be one of ${LEVELS.join(", ")}`);
    const region = event.region ?? this.region;
    const id = event.id ?? numericId();
    const happenedAt = event.happenedAt ?? nowSeconds();
    const time = new Date(happenedAt * 1000).toISOString();
    const description = event.description ?? "Disk error-redeploy instance: executing";

    const targets = new Map<string, SimEventRule[]>();
    for (const rule of this.ruleStore.values()) {
      if (rule.Region !== region || rule.EnableState !== "enable" || rule.Source !== source)
        continue;
      // Only the listed types match: no source says an empty list or "*" means "all".
      if (!rule.EventType.includes(eventType)) continue;
      if (!rule.ContactMethods.includes("Webhook")) continue;
      const urls = rule.WebhookIds.map((wid) => this.webhookStore.get(wid))
        .filter((w): w is SimWebhook => w !== undefined && w.Region === region)
        .map((w) => w.Url);
      if (rule.Endpoint) urls.push(rule.Endpoint);
      for (const url of new Set(urls)) targets.set(url, [...(targets.get(url) ?? []), rule]);
    }

    const deliveries: Delivery[] = [];
    for (const [url, rules] of targets) {
      const body: Record<string, unknown> = {
        Type: "Event",
        AccountId: event.accountId ?? this.accountId,
        Region: region,
        Source: source,
        ProjectName: event.projectName ?? "default",
        Id: id,
        EventType: eventType,
        DescriptionCN: event.descriptionCN ?? description,
        Description: description,
        HappenedAt: happenedAt,
        Details: {
          specversion: "1.0",
          id,
          source,
          type: eventType,
          volcpublishtime: time,
          volcregion: region,
          volcaccountid: event.accountId ?? this.accountId,
          volceventbusname: "default",
          volcresourcename: event.resourceName ?? "",
          subject: event.subject ?? "",
          time,
          ...(event.level !== undefined ? { level: event.level } : {}),
          ...(event.details ?? {}),
        },
        Rules: rules.map((r) => ({ RuleId: r.RuleId, RuleName: r.RuleName, Level: r.Level })),
      };
      const headers = {
        "content-type": "application/json",
        "x-volc-trace-id": randomUUID(),
        "x-volc-event-id": id,
      };
      deliveries.push(
        await this.deliver(
          url,
          headers,
          body,
          rules.map((r) => r.RuleId),
        ),
      );
    }
    this.deliveries.push(...deliveries);
    return deliveries;
  }

  private async deliver(
    url: string,
    headers: Record<string, string>,
    body: Record<string, unknown>,
    ruleIds: string[],
  ): Promise<Delivery> {
    const result: Delivery = {
      url,
      safeUrl: safeUrl(url),
      ok: false,
      attempts: 0,
      headers,
      body,
      ruleIds,
    };
    let host = "";
    try {
      host = new URL(url).hostname;
    } catch {
      result.error = "unparseable URL";
      return result;
    }
    if (!this.delivery.allowNonLoopback && !isLoopbackHost(host)) {
      result.error =
        "not delivered: non-loopback URL (simulator guard; set delivery.allowNonLoopback)";
      return result;
    }
    const payload = JSON.stringify(body);
    for (let attempt = 0; attempt <= this.delivery.retries; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, this.delivery.retryDelayMs));
      result.attempts++;
      try {
        const response = await fetch(url, {
          method: "POST",
          headers,
          body: payload,
          signal: AbortSignal.timeout(this.delivery.timeoutMs),
        });
        await response.arrayBuffer();
        result.status = response.status;
        if (response.ok) {
          result.ok = true;
          result.error = undefined;
          return result;
        }
        result.error = `HTTP ${response.status}`;
      } catch (err) {
        result.status = undefined;
        result.error =
          (err as Error).name === "TimeoutError"
            ? `timeout after ${this.delivery.timeoutMs} ms`
            : "network error";
      }
    }
    return result;
  }
}

/** Description rules of the Cloud Control schema (Volcengine_CloudMonitor_EventRule.json). */
const CN_PUNCT =
  "\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\u2014\u2018\u2019\u201c\u201d\u2026\u00b7";
function checkDescription(d: string): void {
  if ([...d].length > 255) throw invalid("Description", "must be 0–255 characters.");
  if (!new RegExp(`^[\\p{Script=Han}A-Za-z0-9_\\-${CN_PUNCT}]*$`, "u").test(d))
    throw invalid(
      "Description",
      "may contain only Chinese characters, letters, digits, _, - and Chinese punctuation.",
    );
  if (new RegExp(`^[0-9\\-${CN_PUNCT}]`, "u").test(d))
    throw invalid("Description", "must not start with a digit, - or Chinese punctuation.");
}

/** Unix seconds as RFC 3339 in UTC+08:00, the documented webhook time format. */
function rfc3339(seconds: number): string {
  return new Date((seconds + 8 * 3600) * 1000).toISOString().replace(/\.\d{3}Z$/, "+08:00");
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function paging(
  body: Record<string, unknown>,
  defaultSize: number,
): { page: number; size: number } {
  const page = body.PageNumber ?? 1;
  const size = body.PageSize ?? defaultSize;
  if (typeof page !== "number" || !Number.isInteger(page) || page < 1)
    throw invalid("PageNumber", "must be an integer ≥ 1.");
  if (typeof size !== "number" || !Number.isInteger(size) || size < 1 || size > 100)
    throw invalid("PageSize", "must be an integer from 1 to 100.");
  return { page, size };
}

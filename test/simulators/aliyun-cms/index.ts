// Local simulator of the CloudMonitor 2.0 OpenAPI (Cms 2024-03-30, ROA) alert-action calls:
// CreateAlertAction, UpdateAlertAction, DeleteAlertActions, ListAlertActions. Real HTTP on
// 127.0.0.1, ACS3-HMAC-SHA256 signatures checked by its own verifier (./signature), JSON error
// envelope {requestId, code, message}. Imports nothing from components/. Sources: README.md.
import { randomUUID } from "node:crypto";
import http from "node:http";
import { AddressInfo } from "node:net";
import { verifyRequest } from "./signature";

export const API_VERSION = "2024-03-30";
/** CreateAlertAction `type` enum (API reference); OPEN_API "will be rejected by the backend". */
export const TYPES = ["WEBHOOK", "MNS", "SLS", "FC", "FC3", "ESS", "PAGER_DUTY", "EB"];

export interface SimAlertAction {
  alertActionId: string;
  alertActionName: string;
  type: string;
  webhookParam?: {
    url?: string;
    method?: string;
    contentType?: string;
    headers?: Record<string, string>;
  };
  regionId: string;
  createdAt: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  action?: string;
  status: number;
  code?: string;
  query: Record<string, string>;
  body: unknown;
}

export interface AliyunCmsSimOptions {
  accessKeyId?: string;
  accessKeySecret?: string;
  region?: string;
  /**
   * Largest page ListAlertActions returns, whatever pageSize asks (default 100, the documented
   * default page size). Unsourced: lower it to prove the client follows pages.
   */
  maxPageSize?: number;
  /** DeleteAlertActions for an id that does not exist: 404 (default) or success. Unsourced. */
  deleteMissing?: "404" | "ok";
}

interface Route {
  action: string;
  method: string;
  match: RegExp;
}

const ROUTES: Route[] = [
  { action: "CreateAlertAction", method: "POST", match: /^\/alertAction$/ },
  { action: "UpdateAlertAction", method: "PATCH", match: /^\/alertAction\/([^/]+)$/ },
  { action: "DeleteAlertActions", method: "DELETE", match: /^\/alertActions$/ },
  { action: "ListAlertActions", method: "GET", match: /^\/alertActions$/ },
];

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const invalid = (name: string) =>
  new ApiError(400, "InvalidParameter", `${name} is missing or invalid.`);

export class AliyunCmsSimulator {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly region: string;
  readonly alertActions = new Map<string, SimAlertAction>();
  readonly requests: RecordedRequest[] = [];
  /** Errors to answer to the next matching calls, in order (e.g. a 500 or a throttle). */
  readonly faults: { action?: string; status: number; code: string; message: string }[] = [];
  private readonly usedNonces = new Set<string>();
  private server?: http.Server;
  private readonly options: Required<Pick<AliyunCmsSimOptions, "maxPageSize" | "deleteMissing">>;

  constructor(options: AliyunCmsSimOptions = {}) {
    this.accessKeyId = options.accessKeyId ?? `LTAI${randomUUID().replace(/-/g, "").slice(0, 20)}`;
    this.accessKeySecret = options.accessKeySecret ?? randomUUID().replace(/-/g, "");
    this.region = options.region ?? "cn-hangzhou";
    this.options = {
      maxPageSize: options.maxPageSize ?? 100,
      deleteMissing: options.deleteMissing ?? "404",
    };
  }

  get endpoint(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error("simulator not started");
    return `http://127.0.0.1:${address.port}`;
  }

  async start(): Promise<this> {
    const server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    this.server = server;
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
    this.server = undefined;
  }

  /** Adds an object as if made in the console (for adoption and drift tests). */
  seed(
    a: Omit<SimAlertAction, "alertActionId" | "createdAt" | "regionId"> & {
      alertActionId?: string;
    },
  ): SimAlertAction {
    const obj: SimAlertAction = {
      ...a,
      alertActionId: a.alertActionId ?? `aa-${randomUUID()}`,
      regionId: this.region,
      createdAt: Date.now(),
    };
    this.alertActions.set(obj.alertActionId, obj);
    return obj;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const [rawPath, rawQuery = ""] = (req.url ?? "/").split(/\?(.*)/s, 2);
    const query = Object.fromEntries(new URLSearchParams(rawQuery.replace(/\+/g, "%2B")));
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers))
      if (typeof v === "string") headers[k] = v;
      else if (Array.isArray(v)) headers[k] = v.join(",");
    const requestId = randomUUID().toUpperCase();
    const record: RecordedRequest = {
      method: req.method ?? "",
      path: rawPath,
      action: headers["x-acs-action"],
      status: 200,
      query,
      body: undefined,
    };
    this.requests.push(record);
    const send = (status: number, body: Record<string, unknown>) => {
      record.status = status;
      if (typeof body.code === "string") record.code = body.code;
      res.writeHead(status, { "content-type": "application/json;charset=utf-8" });
      res.end(JSON.stringify({ requestId, ...body }));
    };
    try {
      const verified = verifyRequest(
        { method: req.method ?? "", path: rawPath, query: rawQuery, headers, body: raw },
        (id) => (id === this.accessKeyId ? this.accessKeySecret : undefined),
      );
      if (!verified.ok) throw new ApiError(verified.status, verified.code, verified.message);
      const nonce = headers["x-acs-signature-nonce"];
      if (this.usedNonces.has(nonce))
        throw new ApiError(
          400,
          "SignatureNonceUsed",
          "Specified signature nonce was used already.",
        );
      this.usedNonces.add(nonce);
      if (headers["x-acs-version"] !== API_VERSION)
        throw new ApiError(400, "InvalidVersion", "Specified parameter Version is not valid.");
      const route = ROUTES.find((r) => r.method === req.method && r.match.test(rawPath));
      if (!route)
        throw new ApiError(
          404,
          "InvalidAction.NotFound",
          "Specified api is not found, please check your url and method.",
        );
      if (route.action !== headers["x-acs-action"])
        throw new ApiError(
          404,
          "InvalidAction.NotFound",
          "Specified api is not found, please check your url and method.",
        );
      let body: Record<string, unknown> = {};
      if (raw.length > 0) {
        try {
          body = JSON.parse(raw.toString("utf8")) as Record<string, unknown>;
        } catch {
          throw invalid("body");
        }
        if (body === null || typeof body !== "object" || Array.isArray(body)) throw invalid("body");
      }
      record.body = body;
      const fault = this.faults.findIndex(
        (f) => f.action === undefined || f.action === route.action,
      );
      if (fault !== -1) {
        const f = this.faults.splice(fault, 1)[0];
        throw new ApiError(f.status, f.code, f.message);
      }
      const idParam = decodeURIComponent(route.match.exec(rawPath)?.[1] ?? "");
      send(200, this.dispatch(route.action, idParam, query, body));
    } catch (err) {
      if (err instanceof ApiError) send(err.status, { code: err.code, message: err.message });
      else
        send(500, {
          code: "InternalUnknownError",
          message: "The request processing has failed due to some unknown error.",
        });
    }
  }

  private dispatch(
    action: string,
    id: string,
    query: Record<string, string>,
    body: Record<string, unknown>,
  ): Record<string, unknown> {
    switch (action) {
      case "CreateAlertAction": {
        const obj = this.validate(body, true);
        const alertActionId =
          typeof body.alertActionId === "string" && body.alertActionId !== ""
            ? body.alertActionId
            : `aa-${randomUUID()}`;
        if (this.alertActions.has(alertActionId))
          throw new ApiError(
            409,
            "AlertAction.AlreadyExist",
            `alertActionId ${alertActionId} already exists.`,
          );
        this.alertActions.set(alertActionId, {
          ...obj,
          alertActionId,
          regionId: this.region,
          createdAt: Date.now(),
        });
        return { alertActionId };
      }
      case "UpdateAlertAction": {
        const existing = this.alertActions.get(id);
        if (!existing)
          throw new ApiError(404, "AlertAction.NotExist", `The alert action ${id} does not exist.`);
        const obj = this.validate({ type: existing.type, ...body }, false);
        if (obj.type !== existing.type) throw invalid("type");
        this.alertActions.set(id, {
          ...existing,
          alertActionName: obj.alertActionName || existing.alertActionName,
          ...(obj.webhookParam ? { webhookParam: obj.webhookParam } : {}),
        });
        return {};
      }
      case "DeleteAlertActions": {
        let ids: unknown;
        try {
          ids = JSON.parse(query.alertActionIds ?? "");
        } catch {
          throw invalid("alertActionIds");
        }
        if (!Array.isArray(ids) || ids.length === 0 || ids.some((x) => typeof x !== "string"))
          throw invalid("alertActionIds");
        const missing = (ids as string[]).filter((x) => !this.alertActions.has(x));
        if (missing.length > 0 && this.options.deleteMissing === "404")
          throw new ApiError(
            404,
            "AlertAction.NotExist",
            `The alert action ${missing[0]} does not exist.`,
          );
        for (const x of ids as string[]) this.alertActions.delete(x);
        return {};
      }
      case "ListAlertActions": {
        const pageNumber = query.pageNumber === undefined ? 1 : Number(query.pageNumber);
        const pageSize = query.pageSize === undefined ? 100 : Number(query.pageSize);
        if (!Number.isInteger(pageNumber) || pageNumber < 1) throw invalid("pageNumber");
        if (!Number.isInteger(pageSize) || pageSize < 1) throw invalid("pageSize");
        let ids: string[] | undefined;
        if (query.alertActionIds !== undefined) {
          try {
            const parsed = JSON.parse(query.alertActionIds) as unknown;
            if (!Array.isArray(parsed)) throw new Error();
            ids = parsed.map(String);
          } catch {
            throw invalid("alertActionIds");
          }
        }
        const all = [...this.alertActions.values()]
          .filter((a) => ids === undefined || ids.includes(a.alertActionId))
          .filter((a) => !query.alertActionName || a.alertActionName === query.alertActionName)
          .filter((a) => !query.type || a.type === query.type)
          .sort((a, b) => a.createdAt - b.createdAt);
        const size = Math.min(pageSize, this.options.maxPageSize);
        const items = all.slice((pageNumber - 1) * size, pageNumber * size);
        return {
          alertActions: items.map(({ createdAt: _c, regionId: _r, ...rest }) => rest),
          pageNumber,
          pageSize: size,
          total: all.length,
        };
      }
      default:
        throw new ApiError(404, "InvalidAction.NotFound", "Specified api is not found.");
    }
  }

  /** Checks a create/update body; returns the stored fields. */
  private validate(
    body: Record<string, unknown>,
    creating: boolean,
  ): Pick<SimAlertAction, "alertActionName" | "type" | "webhookParam"> {
    const type = body.type;
    if (typeof type !== "string" || !TYPES.includes(type)) throw invalid("type");
    const name = body.alertActionName;
    if (creating && (typeof name !== "string" || name.trim() === ""))
      throw invalid("alertActionName");
    if (name !== undefined && typeof name !== "string") throw invalid("alertActionName");
    let webhookParam: SimAlertAction["webhookParam"];
    if (type === "WEBHOOK") {
      const w = body.webhookParam as Record<string, unknown> | undefined;
      if (creating && (w === undefined || w === null || typeof w !== "object"))
        throw invalid("webhookParam");
      if (w !== undefined) {
        if (typeof w.url !== "string" || !/^https?:\/\//.test(w.url))
          throw invalid("webhookParam.url");
        if (w.method !== undefined && w.method !== "GET" && w.method !== "POST")
          throw invalid("webhookParam.method");
        if (w.contentType !== undefined && w.contentType !== "JSON" && w.contentType !== "FORM")
          throw invalid("webhookParam.contentType");
        if (
          w.headers !== undefined &&
          (w.headers === null ||
            typeof w.headers !== "object" ||
            Object.values(w.headers).some((v) => typeof v !== "string"))
        )
          throw invalid("webhookParam.headers");
        webhookParam = {
          url: w.url,
          method: (w.method as string | undefined) ?? "POST",
          contentType: (w.contentType as string | undefined) ?? "JSON",
          ...(w.headers ? { headers: w.headers as Record<string, string> } : {}),
        };
      }
    }
    return { alertActionName: typeof name === "string" ? name : "", type, webhookParam };
  }
}

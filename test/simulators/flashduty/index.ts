// Flashduty simulator: a real HTTP server on 127.0.0.1 implementing the Open API operations and the
// event push endpoint our code uses, faithfully to /work/shared/reference/flashduty-api.md. It checks
// our client independently: nothing here imports from components/ or receiver/. See README.md.

import { randomBytes } from "node:crypto";
import { createServer, IncomingMessage, Server, ServerResponse } from "node:http";
import { AddressInfo, Socket } from "node:net";
import { renderIntegration } from "./api/integrations";
import { ApiContext, SimSwitches } from "./context";
import { ApiError, ERROR_STATUS } from "./errors";
import { FaultQueue } from "./faults";
import { newRequestId, readBody, sendError, sendJson } from "./http";
import { BucketsBySubject, TokenBucket } from "./rate-limit";
import { dispatch, RouterDeps } from "./router";
import {
  clone,
  IntegrationReference,
  nowSeconds,
  RouteRecord,
  SIM_MEMBER_ID,
  SimState,
} from "./state";
import { INTEGRATION_TYPES, pushSlug } from "./catalogue";
import { renderChannel } from "./api/channels";
import {
  ConsoleIntegration,
  ConsoleIntegrationOptions,
  Fault,
  FlashdutySimOptions,
  PushedAlert,
  PushRefusal,
  RecordedRequest,
} from "./types";

export * from "./types";
export { INTEGRATION_TYPES } from "./catalogue";
export type { IntegrationReference } from "./state";

const SECOND = 1000;
const MINUTE = 60 * SECOND;

export class FlashdutySimulator {
  readonly baseUrl: string;
  readonly appKey: string;
  readonly requests: RecordedRequest[] = [];
  readonly pushed: PushedAlert[] = [];

  private readonly state: SimState;
  private readonly ctx: ApiContext;
  private readonly faults = new FaultQueue();
  private readonly sockets = new Set<Socket>();
  private readonly deps: RouterDeps;
  private readonly maxBodyBytes: number;
  private readonly initialSwitches: SimSwitches;

  static async start(options: FlashdutySimOptions = {}): Promise<FlashdutySimulator> {
    checkOptions(options);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    return new FlashdutySimulator(server, options, `http://127.0.0.1:${port}`);
  }

  private constructor(
    private readonly server: Server,
    options: FlashdutySimOptions,
    baseUrl: string,
  ) {
    this.baseUrl = baseUrl;
    this.appKey = options.appKey ?? randomBytes(16).toString("hex");
    this.maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
    this.state = new SimState(options.accountId ?? 1234567);
    this.ctx = {
      state: this.state,
      locale: options.locale ?? "en",
      switches: {
        integrationApi: options.integrationApi ?? true,
        routeVersion: options.routeVersion ?? "ignore",
        routeUpsertData: options.routeUpsertData ?? "empty-object",
      },
    };
    this.initialSwitches = { ...this.ctx.switches };
    const clock = options.clock ?? Date.now;
    const perSecondAndMinute = (perSecond: number, perMinute: number) => () => [
      new TokenBucket(perSecond, SECOND, clock),
      new TokenBucket(perMinute, MINUTE, clock),
    ];
    this.deps = {
      ctx: this.ctx,
      appKey: this.appKey,
      apiLimits: new BucketsBySubject(
        perSecondAndMinute(options.apiRatePerSecond ?? 50, options.apiRatePerMinute ?? 1000),
      ),
      integrationWriteLimits: new BucketsBySubject(
        perSecondAndMinute(
          options.integrationWriteRatePerSecond ?? 20,
          options.integrationWriteRatePerMinute ?? 300,
        ),
      ),
      pushLimits: new BucketsBySubject(
        perSecondAndMinute(options.pushRatePerSecond ?? 100, options.pushRatePerMinute ?? 1000),
      ),
      pushed: this.pushed,
    };
    server.on("connection", (socket: Socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    server.on("request", (req: IncomingMessage, res: ServerResponse) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) {
          sendError(
            res,
            newRequestId(),
            new ApiError("InternalError", `simulator error: ${(err as Error).message}`),
          );
        }
      });
    });
  }

  // ---- state, in the API's snake_case shapes ----

  /** Integrations as /integration/info returns them, oldest first. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the contract types state as any
  integrations(): any[] {
    return [...this.state.integrations.values()].map((i) => renderIntegration(i, this.ctx));
  }

  /** Channels that are not deleted, as /channel/info returns them, oldest first. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the contract types state as any
  channels(): any[] {
    return [...this.state.channels.values()]
      .filter((c) => c.status !== "deleted")
      .map((c) => renderChannel(c));
  }

  /** The integration's route as /route/info returns it, or null. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the contract types state as any
  route(integrationId: number): any | null {
    const route = this.state.routes.get(integrationId);
    return route ? clone(route) : null;
  }

  // ---- switches (behaviours the sources disagree on; see README.md) ----

  /** Turns the integration API on or off (off: every /integration/* path is 404 RouteNotFound). */
  setIntegrationApi(on: boolean): void {
    this.ctx.switches.integrationApi = on;
  }

  setRouteVersion(mode: "ignore" | "enforce"): void {
    this.ctx.switches.routeVersion = mode;
  }

  setRouteUpsertData(mode: "empty-object" | "null"): void {
    this.ctx.switches.routeUpsertData = mode;
  }

  // ---- out-of-band changes, as if someone used the console ----

  /**
   * Creates an integration as the Flashduty console does (docs `integrate-data.mdx`: Channel →
   * Integrations → Add, or Integration Center → shared): private inside `channelId`, else shared.
   * Works whether or not the integration API is offered. Returns the push URL the console shows.
   */
  createConsoleIntegration(options: ConsoleIntegrationOptions): ConsoleIntegration {
    const type = INTEGRATION_TYPES.find((t) => t.name.en === options.typeName);
    if (!type)
      throw new Error(`createConsoleIntegration: no integration type "${options.typeName}"`);
    if (options.channelId !== undefined && !this.state.liveChannel(options.channelId))
      throw new Error(`createConsoleIntegration: no channel ${options.channelId}`);
    const id = this.state.newIntegrationId();
    const now = nowSeconds();
    const key = this.state.newIntegrationKey();
    this.state.integrations.set(id, {
      integration_id: id,
      data_source_id: id,
      account_id: this.state.accountId,
      team_id: 0,
      name: options.name ?? type.name.en,
      description: "",
      category: type.category,
      plugin_id: type.plugin_id,
      plugin_type: type.plugin_type,
      status: "enabled",
      ref_id:
        options.channelId !== undefined ? `c_${options.channelId}` : `a_${this.state.accountId}`,
      integration_key: key,
      settings: {},
      last_time: 0,
      created_at: now,
      updated_at: now,
      creator_id: SIM_MEMBER_ID,
      updated_by: SIM_MEMBER_ID,
      editable: true,
      no_editable: false,
      exclusive_data_source_id: 0,
    });
    const path = pushSlug(type.plugin_type);
    return {
      integrationId: id,
      integrationKey: key,
      pushUrl: `${this.baseUrl}/event/push/alert/${path}?integration_key=${key}`,
      kind: options.channelId !== undefined ? "private" : "shared",
    };
  }

  /** Whether an integration (made any way) still exists: console deletions are the user's own. */
  hasIntegration(id: number): boolean {
    return this.state.integrations.has(id);
  }

  mutateIntegration(id: number, patch: Record<string, unknown>): void {
    const record = this.state.integrations.get(id);
    if (!record) throw new Error(`mutateIntegration: no integration ${id}`);
    Object.assign(record, { updated_at: nowSeconds() }, clone(patch), { integration_id: id });
  }

  /** Changes a channel as the console would (shallow merge, no validation). */
  mutateChannel(id: number, patch: Record<string, unknown>): void {
    const channel = this.state.liveChannel(id);
    if (!channel) throw new Error(`mutateChannel: no channel ${id}`);
    Object.assign(channel, { updated_at: nowSeconds() }, clone(patch), { channel_id: id });
  }

  deleteIntegration(id: number): void {
    if (!this.state.integrations.delete(id))
      throw new Error(`deleteIntegration: no integration ${id}`);
    this.state.routes.delete(id);
    this.state.integrationRefs.delete(id);
  }

  /** Soft-deletes a channel (whatever its status, as the console may). */
  deleteChannel(id: number): void {
    const channel = this.state.liveChannel(id);
    if (!channel) throw new Error(`deleteChannel: no channel ${id}`);
    const now = nowSeconds();
    Object.assign(channel, { status: "deleted", deleted_at: now, updated_at: now });
  }

  /** Replaces (or, with null, removes) the integration's route without validation. */
  setRoute(integrationId: number, route: Record<string, unknown> | null): void {
    if (!this.state.integrations.has(integrationId))
      throw new Error(`setRoute: no integration ${integrationId}`);
    if (route === null) {
      this.state.routes.delete(integrationId);
      return;
    }
    const previous = this.state.routes.get(integrationId);
    const now = nowSeconds();
    const record: RouteRecord = {
      cases: [],
      sections: [],
      default: null,
      status: "enabled",
      version: (previous?.version ?? 0) + 1,
      updated_by: SIM_MEMBER_ID,
      creator_id: previous?.creator_id ?? SIM_MEMBER_ID,
      deleted_at: 0,
      created_at: previous?.created_at ?? now,
      updated_at: now,
      ...clone(route),
      integration_id: integrationId,
    };
    this.state.routes.set(integrationId, record);
  }

  /** Extension: things referencing the integration, making /integration/delete answer ReferenceExist. */
  setIntegrationRefs(integrationId: number, refs: IntegrationReference[]): void {
    if (!this.state.integrations.has(integrationId))
      throw new Error(`setIntegrationRefs: no integration ${integrationId}`);
    this.state.integrationRefs.set(integrationId, clone(refs));
  }

  /**
   * Extension: from now on every push to a known integration key answers the account-wide error
   * `refusal` (README, "Account-wide push refusals"); `null` makes pushes work again.
   */
  setPushRefusal(refusal: PushRefusal | null): void {
    if (refusal !== null && !["no_license", "not_purchased", "unauthorized"].includes(refusal))
      throw new Error(`setPushRefusal: unknown refusal ${String(refusal)}`);
    this.deps.pushRefusal = refusal ?? undefined;
  }

  // ---- faults and lifecycle ----

  /** `bodyIncludes` (extension): only requests whose body text contains it. */
  inject(fault: Fault, count: number, pathPrefix?: string, bodyIncludes?: string): void {
    this.faults.add(fault, count, pathPrefix, bodyIncludes);
  }

  /** Clears state, faults and records, and puts the switches back to the start options. */
  reset(): void {
    Object.assign(this.ctx.switches, this.initialSwitches);
    this.state.clear();
    this.faults.clear();
    this.deps.pushRefusal = undefined;
    this.requests.length = 0;
    this.pushed.length = 0;
    this.deps.apiLimits.clear();
    this.deps.integrationWriteLimits.clear();
    this.deps.pushLimits.clear();
  }

  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // Hung requests and idle keep-alive connections would hold close() open: end them now.
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const { text, tooLarge } = await readBody(req, this.maxBodyBytes);
    const query: Record<string, string> = {};
    for (const [name, value] of url.searchParams) if (name !== "app_key") query[name] = value;
    const recorded: RecordedRequest = {
      method: req.method ?? "",
      path: url.pathname,
      status: 0,
      body: recordedBody(text, tooLarge),
      at: Date.now(),
      query,
    };
    this.requests.push(recorded);
    const requestId = newRequestId();

    const fault = this.faults.take(url.pathname, tooLarge ? "" : text);
    if (fault?.kind === "hang") return; // never answered; stop() destroys the socket
    let error: ApiError | undefined;
    let data: unknown;
    if (fault?.kind === "5xx") {
      const status = fault.status ?? 500;
      const code = status === 503 ? "ServiceUnavailable" : "InternalError";
      error = new ApiError(code, "injected server error", undefined, {}, status);
    } else if (fault?.kind === "error") {
      error = new ApiError(
        fault.code,
        fault.message ?? `injected ${fault.code}`,
        undefined,
        fault.code === "RequestTooFrequently" ? { "Retry-After": "1" } : {},
        fault.status ?? ERROR_STATUS[fault.code],
      );
    } else if (fault?.kind === "429") {
      const retryAfter = String(fault.retryAfterSeconds ?? 1);
      error = new ApiError("RequestTooFrequently", "injected rate limit", undefined, {
        "Retry-After": retryAfter,
      });
    } else {
      try {
        data = dispatch(
          {
            method: req.method ?? "",
            path: url.pathname,
            query: url.searchParams,
            headers: req.headers,
            bodyText: text,
            bodyTooLarge: tooLarge,
          },
          this.deps,
        );
      } catch (err) {
        error =
          err instanceof ApiError
            ? err
            : new ApiError("InternalError", `simulator error: ${(err as Error).message}`);
      }
    }
    if (error) {
      recorded.status = error.status;
      sendError(res, requestId, error);
    } else {
      recorded.status = 200;
      sendJson(res, 200, requestId, { data: data ?? null });
    }
  }
}

function checkOptions(options: FlashdutySimOptions): void {
  const positive: (keyof FlashdutySimOptions)[] = [
    "accountId",
    "apiRatePerSecond",
    "apiRatePerMinute",
    "integrationWriteRatePerSecond",
    "integrationWriteRatePerMinute",
    "pushRatePerSecond",
    "pushRatePerMinute",
    "maxBodyBytes",
  ];
  for (const name of positive) {
    const value = options[name];
    if (value !== undefined && !(typeof value === "number" && value > 0)) {
      throw new Error(
        `FlashdutySimulator: option ${name} must be a positive number, got ${String(value)}`,
      );
    }
  }
  if (options.accountId !== undefined && !Number.isSafeInteger(options.accountId)) {
    throw new Error(
      `FlashdutySimulator: option accountId must be an integer, got ${options.accountId}`,
    );
  }
  if (options.appKey !== undefined && options.appKey === "") {
    throw new Error("FlashdutySimulator: option appKey must not be empty");
  }
}

function recordedBody(text: string, tooLarge: boolean): unknown {
  if (tooLarge) return "<body too large; not recorded>";
  if (text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

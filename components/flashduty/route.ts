// Routing rules of a Flashduty shared integration as a dynamic resource, via /route/info|upsert.
// Flashduty has no route delete API; `delete` deliberately leaves the last route in place (see docs/flashduty.md:
// clearing it would make Flashduty drop every alert of the integration).
import * as pulumi from "@pulumi/pulumi";
import { isNotFound } from "./errors";
import {
  Failures,
  ProviderContext,
  ProviderOptions,
  compact,
  deepEqual,
  isPlainObject,
  parseId,
} from "./support";
import { containsUnknown, isUnknown } from "../common/unknown";
import { providerFromModule } from "../common/dynamicProvider";

export const ROUTE_OPERATORS = ["IN", "NOTIN"] as const;
export type RouteOperator = (typeof ROUTE_OPERATORS)[number];
export const ROUTING_MODES = ["standard", "name_mapping"] as const;
export type RoutingMode = (typeof ROUTING_MODES)[number];

export interface RouteCondition {
  /** `severity`, `title`, `description`, `data_source_id` or `labels.<name>`. */
  key: string;
  oper: RouteOperator;
  /** Literals, wildcards, `/regex/`, `cidr:…`, `num:lt:…` (Flashduty filter syntax). */
  vals: string[];
}

export interface RouteCase {
  /** AND-ed conditions. */
  conditions: RouteCondition[];
  /** Target channels; required (non-empty) for routingMode "standard". */
  channelIds?: number[];
  /** Keep evaluating later cases after a match. Default false. */
  fallthrough?: boolean;
  /** Default "standard". */
  routingMode?: RoutingMode;
  /** For "name_mapping": the label whose value names the channel, e.g. `labels.service`. */
  nameMappingLabel?: string;
}

export interface RouteDefault {
  channelIds: number[];
}

/** Inputs as the provider sees them (after `check`). */
export interface RouteInputs {
  integrationId: number;
  cases?: RouteCase[];
  default?: RouteDefault;
}

export interface RouteOutputs {
  integrationId: number;
  /** Cases with defaults filled in. */
  cases: NormalizedCase[];
  default?: RouteDefault;
  /** Flashduty's route version (incremented by the server on every upsert). */
  version?: number;
}

export interface NormalizedCase {
  conditions: RouteCondition[];
  channelIds: number[];
  fallthrough: boolean;
  routingMode: RoutingMode;
  nameMappingLabel?: string;
}

interface ApiCondition {
  key?: string;
  oper?: string;
  vals?: string[] | null;
}
interface ApiCase {
  if?: ApiCondition[] | null;
  channel_ids?: number[] | null;
  fallthrough?: boolean;
  routing_mode?: string;
  name_mapping_label?: string;
}
export interface ApiRoute {
  integration_id?: number;
  cases?: ApiCase[] | null;
  default?: { channel_ids?: number[] | null } | null;
  status?: string;
  version?: number;
}

/** Fills defaults so that declared and server routes compare equal when they mean the same. */
export function normalizeCases(cases: RouteCase[] | undefined): NormalizedCase[] {
  return (cases ?? []).map((c) => {
    const routingMode = c.routingMode ?? "standard";
    return compact({
      conditions: c.conditions.map((cond) => ({
        key: cond.key,
        oper: cond.oper,
        vals: [...cond.vals],
      })),
      channelIds: [...(c.channelIds ?? [])],
      fallthrough: c.fallthrough ?? false,
      routingMode,
      nameMappingLabel: routingMode === "name_mapping" ? c.nameMappingLabel : undefined,
    });
  });
}

export function normalizeDefault(value: RouteDefault | undefined): RouteDefault | undefined {
  if (!value || !value.channelIds || value.channelIds.length === 0) return undefined;
  return { channelIds: [...value.channelIds] };
}

/** Declared route → `/route/upsert` body (snake_case). */
export function toApiRoute(inputs: RouteInputs, version?: number): Record<string, unknown> {
  const def = normalizeDefault(inputs.default);
  return compact({
    integration_id: inputs.integrationId,
    // Sent even when empty: upsert overwrites, and a removed case must disappear.
    cases: normalizeCases(inputs.cases).map((c) =>
      compact({
        if: c.conditions.map((cond) => ({ key: cond.key, oper: cond.oper, vals: cond.vals })),
        channel_ids: c.channelIds,
        fallthrough: c.fallthrough,
        routing_mode: c.routingMode,
        name_mapping_label: c.nameMappingLabel,
      }),
    ),
    default: def ? { channel_ids: def.channelIds } : undefined,
    version,
  });
}

/** Server route → the provider's camelCase shape. */
export function fromApiRoute(route: ApiRoute): Pick<RouteOutputs, "cases" | "default" | "version"> {
  const cases = (route.cases ?? []).map((c) =>
    compact({
      conditions: (c.if ?? []).map((cond) => ({
        key: String(cond.key ?? ""),
        oper: String(cond.oper ?? "") as RouteOperator,
        vals: [...(cond.vals ?? [])],
      })),
      channelIds: [...(c.channel_ids ?? [])],
      fallthrough: c.fallthrough ?? false,
      routingMode: (c.routing_mode || "standard") as RoutingMode,
      nameMappingLabel: c.routing_mode === "name_mapping" ? c.name_mapping_label : undefined,
    }),
  );
  return compact({
    cases,
    default: normalizeDefault(
      route.default ? { channelIds: [...(route.default.channel_ids ?? [])] } : undefined,
    ),
    version: typeof route.version === "number" ? route.version : undefined,
  });
}

function checkChannelIds(
  failures: Failures,
  property: string,
  value: unknown,
  required: boolean,
): number[] | undefined {
  if (value === undefined || value === null) {
    if (required) failures.add(property, "list at least one Flashduty channel id to route to");
    return undefined;
  }
  if (containsUnknown(value)) return value as number[];
  if (!Array.isArray(value)) {
    failures.add(property, "must be a list of Flashduty channel ids");
    return undefined;
  }
  const ids = value.map(parseId);
  ids.forEach((id, i) => {
    if (id === undefined)
      failures.add(`${property}[${i}]`, "must be a Flashduty channel id (a positive integer)");
  });
  if (required && value.length === 0)
    failures.add(property, "list at least one Flashduty channel id to route to");
  return ids.every((id) => id !== undefined) ? (ids as number[]) : undefined;
}

export function checkRouteInputs(news: Record<string, unknown>): {
  inputs: Record<string, unknown>;
  failures: Failures;
} {
  const failures = new Failures();
  const inputs: Record<string, unknown> = { ...news };

  if (!isUnknown(news.integrationId)) {
    const id = parseId(news.integrationId);
    if (id === undefined)
      failures.add("integrationId", "must be the numeric id of a Flashduty shared integration");
    else inputs.integrationId = id;
  }

  const cases = news.cases;
  if (cases !== undefined && !isUnknown(cases)) {
    if (!Array.isArray(cases)) failures.add("cases", "must be a list of routing cases");
    else {
      inputs.cases = cases.map((raw: unknown, i: number) => {
        const at = `cases[${i}]`;
        if (isUnknown(raw)) return raw;
        if (!isPlainObject(raw)) {
          failures.add(at, "must be an object with conditions and channelIds");
          return raw;
        }
        const c = { ...raw };
        const mode = c.routingMode ?? "standard";
        if (!isUnknown(mode) && !ROUTING_MODES.includes(mode as RoutingMode))
          failures.add(`${at}.routingMode`, `must be one of ${ROUTING_MODES.join(", ")}`);
        if (
          mode === "name_mapping" &&
          (typeof c.nameMappingLabel !== "string" || c.nameMappingLabel === "")
        )
          failures.add(
            `${at}.nameMappingLabel`,
            'set the label whose value names the channel, e.g. "labels.service"',
          );
        if (mode !== "name_mapping" && c.nameMappingLabel !== undefined && !isUnknown(mode))
          failures.add(
            `${at}.nameMappingLabel`,
            'only used with routingMode "name_mapping"; remove it or set routingMode',
          );
        if (
          c.fallthrough !== undefined &&
          !isUnknown(c.fallthrough) &&
          typeof c.fallthrough !== "boolean"
        )
          failures.add(`${at}.fallthrough`, "must be true or false");
        const ids = checkChannelIds(
          failures,
          `${at}.channelIds`,
          c.channelIds,
          mode === "standard",
        );
        if (ids) c.channelIds = ids;
        const conditions = c.conditions;
        if (!isUnknown(conditions)) {
          if (!Array.isArray(conditions) || conditions.length === 0)
            failures.add(
              `${at}.conditions`,
              "list at least one condition {key, oper, vals} (use the default route for catch-all)",
            );
          else
            conditions.forEach((cond: unknown, j: number) => {
              const cat = `${at}.conditions[${j}]`;
              if (isUnknown(cond)) return;
              if (!isPlainObject(cond))
                return failures.add(cat, "must be an object {key, oper, vals}");
              if (!isUnknown(cond.key) && (typeof cond.key !== "string" || cond.key.trim() === ""))
                failures.add(
                  `${cat}.key`,
                  'set the alert field to test, e.g. "severity" or "labels.service"',
                );
              // Flashduty migrates it on write, so the route read back would never match the code.
              else if (cond.key === "alert_severity")
                failures.add(
                  `${cat}.key`,
                  'write "severity": "alert_severity" is the legacy name, which Flashduty stores as "severity"',
                );
              if (!isUnknown(cond.oper) && !ROUTE_OPERATORS.includes(cond.oper as RouteOperator))
                failures.add(
                  `${cat}.oper`,
                  `must be one of ${ROUTE_OPERATORS.join(", ")} (got ${JSON.stringify(cond.oper)})`,
                );
              if (!containsUnknown(cond.vals)) {
                if (
                  !Array.isArray(cond.vals) ||
                  cond.vals.length === 0 ||
                  !cond.vals.every((v) => typeof v === "string" && v !== "")
                )
                  failures.add(`${cat}.vals`, "list at least one non-empty value to match");
              }
            });
        }
        return c;
      });
    }
  }

  const def = news.default;
  if (def !== undefined && !isUnknown(def)) {
    if (!isPlainObject(def)) failures.add("default", "must be an object {channelIds}");
    else {
      const ids = checkChannelIds(failures, "default.channelIds", def.channelIds, true);
      if (ids) inputs.default = { ...def, channelIds: ids };
    }
  }

  const noCases = cases === undefined || (Array.isArray(cases) && cases.length === 0);
  if (noCases && def === undefined)
    failures.add(
      "cases",
      "a route needs at least one case or a default: Flashduty drops every alert of an integration without a route",
    );
  return { inputs, failures };
}

export interface RouteProvider extends pulumi.dynamic.ResourceProvider {
  configure(req: pulumi.dynamic.ConfigureRequest): Promise<void>;
  check(olds: unknown, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult>;
  diff(id: string, olds: RouteOutputs, news: RouteInputs): Promise<pulumi.dynamic.DiffResult>;
  create(inputs: RouteInputs): Promise<pulumi.dynamic.CreateResult<RouteOutputs>>;
  read(id: string, props: RouteOutputs): Promise<pulumi.dynamic.ReadResult<RouteOutputs>>;
  update(
    id: string,
    olds: RouteOutputs,
    news: RouteInputs,
  ): Promise<pulumi.dynamic.UpdateResult<RouteOutputs>>;
  delete(id: string, props: RouteOutputs): Promise<void>;
}

export function makeRouteProvider(options: ProviderOptions = {}): RouteProvider {
  const fdContext = new ProviderContext(options);

  /** Reads the route; null when there is none (no route, route deleted, or integration gone). */
  async function fetchRoute(integrationId: number): Promise<ApiRoute | null> {
    try {
      const route = await fdContext
        .client()
        .post<ApiRoute | null>("/route/info", { integration_id: integrationId });
      if (!route || route.status === "deleted") return null;
      return route;
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  /**
   * Upserts and returns the version the server assigned. The documented answer is `data: {}` (docs
   * site) or `data: null` (spec schema), without the route, so the version is read back with
   * `/route/info` unless the answer happens to carry it. `expectedVersion` is the version of the last
   * read: where Flashduty enforces it (optimistic concurrency), a route changed since then is refused,
   * and the error says to refresh.
   */
  async function upsert(
    inputs: RouteInputs,
    expectedVersion?: number,
  ): Promise<number | undefined> {
    const client = fdContext.client();
    let answer: ApiRoute | null;
    try {
      answer = await client.post<ApiRoute | null>(
        "/route/upsert",
        toApiRoute(inputs, expectedVersion),
      );
    } catch (error) {
      if (expectedVersion !== undefined) {
        // The conflict's code is not documented: tell it by the version the server has now.
        const current = await fetchRoute(inputs.integrationId).catch(() => undefined);
        if (current !== undefined && (current?.version ?? 0) !== expectedVersion)
          throw new Error(
            `The Flashduty route of integration ${inputs.integrationId} was changed outside this stack ` +
              `(version ${current?.version ?? "none"} in Flashduty, ${expectedVersion} in the stack's state), ` +
              "and Flashduty refused to overwrite it: run `pulumi refresh` to read the current route, review " +
              `the difference, then \`pulumi up\` again. (${error instanceof Error ? error.message : String(error)})`,
          );
      }
      throw error;
    }
    if (answer && typeof answer.version === "number") return answer.version;
    const current = await fetchRoute(inputs.integrationId);
    return current?.version;
  }

  function outputsOf(inputs: RouteInputs, version: number | undefined): RouteOutputs {
    return compact({
      integrationId: inputs.integrationId,
      cases: normalizeCases(inputs.cases),
      default: normalizeDefault(inputs.default),
      version,
    });
  }

  return {
    async configure(req) {
      fdContext.configure(req.config);
    },

    async check(_olds, news) {
      const { inputs, failures } = checkRouteInputs(news);
      return { inputs, failures: failures.list };
    },

    async diff(_id, olds, news) {
      const replaces: string[] = [];
      if (isUnknown(news.integrationId) || Number(news.integrationId) !== olds.integrationId)
        replaces.push("integrationId");
      const changed =
        containsUnknown(news.cases) ||
        containsUnknown(news.default) ||
        !deepEqual(normalizeCases(news.cases), olds.cases ?? []) ||
        !deepEqual(normalizeDefault(news.default), normalizeDefault(olds.default));
      return { changes: replaces.length > 0 || changed, replaces, deleteBeforeReplace: false };
    },

    async create(inputs) {
      // One route per integration: adopting an existing one means overwriting it with the declared one.
      const existing = await fetchRoute(inputs.integrationId);
      if (existing)
        fdContext.log(
          `Flashduty route of integration ${inputs.integrationId} exists (version ${existing.version ?? "?"}); overwriting it with the declared route.`,
        );
      const version = await upsert(inputs, existing?.version);
      return { id: String(inputs.integrationId), outs: outputsOf(inputs, version) };
    },

    async read(id, props) {
      const route = await fetchRoute(Number(id));
      if (!route) return { id: "", props: {} as RouteOutputs };
      const server = fromApiRoute(route);
      return {
        id,
        props: compact({
          ...props,
          integrationId: Number(id),
          // Set explicitly: a default removed in the console must disappear from the state too.
          cases: server.cases,
          default: server.default,
          version: server.version,
        }) as RouteOutputs,
      };
    },

    async update(_id, olds, news) {
      const version = await upsert(news, olds.version);
      return { outs: outputsOf(news, version) };
    },

    async delete(id) {
      // No delete API exists, and clearing the route would drop all of the integration's alerts.
      // Leave the last declared route in place (the integration's own deletion removes it).
      fdContext.log(
        `Flashduty has no API to delete routes: the route of integration ${id} is left as it is (alerts keep flowing). Edit it in the console or delete the integration to remove it.`,
      );
    },
  };
}

export const routeProvider: RouteProvider = makeRouteProvider();

export interface RouteConditionArgs {
  readonly key: pulumi.Input<string>;
  readonly oper: pulumi.Input<RouteOperator>;
  readonly vals: pulumi.Input<pulumi.Input<string>[]>;
}
export interface RouteCaseArgs {
  readonly conditions: pulumi.Input<pulumi.Input<RouteConditionArgs>[]>;
  readonly channelIds?: pulumi.Input<pulumi.Input<number>[]>;
  readonly fallthrough?: pulumi.Input<boolean>;
  readonly routingMode?: pulumi.Input<RoutingMode>;
  readonly nameMappingLabel?: pulumi.Input<string>;
}
export interface RouteDefaultArgs {
  readonly channelIds: pulumi.Input<pulumi.Input<number>[]>;
}
export interface RouteArgs {
  /** The shared integration whose routing this is; changing it replaces the route. */
  readonly integrationId: pulumi.Input<number>;
  /** Ordered cases, evaluated top to bottom. */
  readonly cases?: pulumi.Input<pulumi.Input<RouteCaseArgs>[]>;
  /** Where alerts go when no case matched. */
  readonly default?: pulumi.Input<RouteDefaultArgs>;
}

/** Routing rules of one shared integration. Token `pulumi-nodejs:dynamic/flashduty:Route`. */
export class Route extends pulumi.dynamic.Resource {
  declare readonly integrationId: pulumi.Output<number>;
  declare readonly version: pulumi.Output<number | undefined>;

  constructor(name: string, args: RouteArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      providerFromModule(__filename, "routeProvider"),
      name,
      { version: undefined, ...args },
      opts,
      "flashduty",
      "Route",
    );
  }
}

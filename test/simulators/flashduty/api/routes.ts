// /route/* — routing rules of a shared integration (flashduty-api.md §4). Upsert-only: there is no
// delete endpoint; the server increments `version` on every upsert. The `version` sent is ignored or
// enforced (switch `routeVersion`: the sources disagree), and the upsert answers `data: {}` or
// `data: null` (switch `routeUpsertData`), never the route: clients read it back with /route/info.

import { ApiContext, Handler } from "../context";
import { ApiError, invalidParameter, notFound } from "../errors";
import { clone, nowSeconds, RouteRecord, SIM_MEMBER_ID } from "../state";
import {
  describe,
  isObject,
  JsonObject,
  optionalArray,
  optionalBool,
  optionalIdArray,
  optionalInt,
  optionalObject,
  optionalString,
  requiredId,
  requiredInt,
  requiredString,
} from "../validation";

const CONDITION_KEYS = ["severity", "title", "description", "data_source_id"];
const LABEL_KEY = /^labels\.[A-Za-z_][A-Za-z0-9_.-]*$/;

function requireIntegrationId(body: JsonObject, ctx: ApiContext): number {
  const id = requiredId(body, "integration_id");
  const integration = ctx.state.integrations.get(id);
  if (!integration) throw notFound("integration", id);
  // Routing rules belong to shared integrations (§4; the TF provider: "for shared integrations"); a
  // private one delivers to its channel. The real answer for a channel-owned id is undocumented.
  if (integration.ref_id.startsWith("c_"))
    throw invalidParameter(
      "integration_id",
      `integration ${id} belongs to a channel (private); routing rules apply to shared integrations only`,
    );
  return id;
}

function readChannelIds(
  body: JsonObject,
  path: string,
  ctx: ApiContext,
  required: boolean,
): number[] {
  const ids = optionalIdArray(body, "channel_ids", {}, path);
  if (ids === undefined || ids.length === 0) {
    if (required) throw invalidParameter(path, "must list at least one channel id");
    return [];
  }
  ids.forEach((id, i) => {
    if (!ctx.state.liveChannel(id))
      throw invalidParameter(`${path}[${i}]`, `channel ${id} does not exist`);
  });
  return ids;
}

/** Checks one `vals` entry in the filter syntax (literal, wildcard, /regex/, cidr:, num:op:n). */
function checkValue(value: string, path: string): void {
  if (value.length >= 2 && value.startsWith("/") && value.endsWith("/")) {
    try {
      new RegExp(value.slice(1, -1));
    } catch {
      throw invalidParameter(path, `invalid regular expression ${value}`);
    }
  } else if (value.startsWith("cidr:")) {
    if (!/^cidr:\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(value)) {
      throw invalidParameter(
        path,
        `invalid CIDR ${JSON.stringify(value)}; expected e.g. cidr:10.0.0.0/8`,
      );
    }
  } else if (value.startsWith("num:")) {
    if (!/^num:(lt|gt|le|ge):-?\d+(\.\d+)?$/.test(value)) {
      throw invalidParameter(
        path,
        `invalid number filter ${JSON.stringify(value)}; expected num:lt|gt|le|ge:<number>`,
      );
    }
  }
}

function readCondition(raw: unknown, path: string): JsonObject {
  if (!isObject(raw)) throw invalidParameter(path, `must be an object, got ${describe(raw)}`);
  let key = requiredString(raw, "key", { min: 1 }, `${path}.key`);
  if (key === "alert_severity") key = "severity"; // legacy key, migrated by the server
  if (!CONDITION_KEYS.includes(key) && !LABEL_KEY.test(key)) {
    throw invalidParameter(
      `${path}.key`,
      `unknown key ${JSON.stringify(key)}; use ${CONDITION_KEYS.join(", ")} or labels.<name>`,
    );
  }
  const oper = requiredString(raw, "oper", { oneOf: ["IN", "NOTIN"] }, `${path}.oper`);
  const vals = optionalArray(raw, "vals", `${path}.vals`);
  if (!vals || vals.length === 0)
    throw invalidParameter(`${path}.vals`, "must list at least one value");
  vals.forEach((v, i) => {
    if (typeof v !== "string")
      throw invalidParameter(`${path}.vals[${i}]`, `must be a string, got ${describe(v)}`);
    checkValue(v, `${path}.vals[${i}]`);
  });
  return { key, oper, vals };
}

function readCase(raw: unknown, path: string, ctx: ApiContext): JsonObject {
  if (!isObject(raw)) throw invalidParameter(path, `must be an object, got ${describe(raw)}`);
  const conditions = optionalArray(raw, "if", `${path}.if`);
  if (!conditions || conditions.length === 0)
    throw invalidParameter(`${path}.if`, "must list at least one condition");
  const routingMode =
    optionalString(
      raw,
      "routing_mode",
      { oneOf: ["standard", "name_mapping"] },
      `${path}.routing_mode`,
    ) ?? "standard";
  const fallthrough = optionalBool(raw, "fallthrough", `${path}.fallthrough`) ?? false;
  const out: JsonObject = {
    if: conditions.map((c, i) => readCondition(c, `${path}.if[${i}]`)),
    channel_ids: readChannelIds(raw, `${path}.channel_ids`, ctx, routingMode === "standard"),
    fallthrough,
    routing_mode: routingMode,
  };
  if (routingMode === "name_mapping") {
    const label = optionalString(raw, "name_mapping_label", {}, `${path}.name_mapping_label`);
    if (!label) {
      throw invalidParameter(
        `${path}.name_mapping_label`,
        'is required when routing_mode is "name_mapping" (e.g. "labels.service")',
      );
    }
    if (!LABEL_KEY.test(label)) {
      throw invalidParameter(
        `${path}.name_mapping_label`,
        `must be labels.<name>, got ${JSON.stringify(label)}`,
      );
    }
    out.name_mapping_label = label;
  }
  return out;
}

function readSections(body: JsonObject, caseCount: number): JsonObject[] {
  const sections = optionalArray(body, "sections") ?? [];
  return sections.map((raw, i) => {
    const path = `sections[${i}]`;
    if (!isObject(raw)) throw invalidParameter(path, `must be an object, got ${describe(raw)}`);
    const name = requiredString(raw, "name", { min: 1 }, `${path}.name`);
    const position = requiredInt(raw, "position", { min: 0, max: caseCount }, `${path}.position`);
    return { name, position };
  });
}

const info: Handler = (body, ctx) => {
  const id = requireIntegrationId(body, ctx);
  const route = ctx.state.routes.get(id);
  return route ? clone(route) : null;
};

const list: Handler = (body, ctx) => {
  const ids = optionalIdArray(body, "integration_ids");
  if (!ids) throw invalidParameter("integration_ids", "is required");
  const items = ids.flatMap((id) => {
    const route = ctx.state.routes.get(id);
    return route ? [clone(route)] : [];
  });
  return { items };
};

const upsert: Handler = (body, ctx) => {
  const integrationId = requireIntegrationId(body, ctx);
  const rawCases = optionalArray(body, "cases") ?? [];
  const rawDefault = optionalObject(body, "default");
  if (rawCases.length === 0 && rawDefault === undefined) {
    throw invalidParameter("cases", "at least one of cases or default is required");
  }
  const cases = rawCases.map((c, i) => readCase(c, `cases[${i}]`, ctx));
  const defaultRoute =
    rawDefault === undefined
      ? null
      : { channel_ids: readChannelIds(rawDefault, "default.channel_ids", ctx, true) };
  const sections = readSections(body, cases.length);
  const sentVersion = optionalInt(body, "version", { min: 0 });
  const previous = ctx.state.routes.get(integrationId);
  // "enforce": the docs site's optimistic concurrency. A version that is not the stored one (or any
  // version when there is no route yet, other than 0) is refused; no version sent skips the check.
  // Code and message are not documented: see README.md.
  if (
    ctx.switches.routeVersion === "enforce" &&
    sentVersion !== undefined &&
    sentVersion !== (previous?.version ?? 0)
  ) {
    throw new ApiError(
      "InvalidParameter",
      `version: the route of integration ${integrationId} is at version ${previous?.version ?? 0}, not ${sentVersion}; read it again (/route/info) and retry`,
    );
  }

  const now = nowSeconds();
  const route: RouteRecord = {
    integration_id: integrationId,
    cases,
    sections,
    default: defaultRoute,
    status: "enabled",
    version: (previous?.version ?? 0) + 1,
    updated_by: SIM_MEMBER_ID,
    creator_id: previous?.creator_id ?? SIM_MEMBER_ID,
    deleted_at: 0,
    created_at: previous?.created_at ?? now,
    updated_at: now,
  };
  ctx.state.routes.set(integrationId, route);
  return ctx.switches.routeUpsertData === "null" ? null : {};
};

export const ROUTE_HANDLERS: Record<string, Handler> = {
  "/route/info": info,
  "/route/list": list,
  "/route/upsert": upsert,
};

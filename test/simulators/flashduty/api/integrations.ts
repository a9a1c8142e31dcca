// /integration/* — public (account-level) integrations (flashduty-api.md §3.1).

import { findType, INTEGRATION_TYPES, typeName } from "../catalogue";
import { ApiContext, Handler } from "../context";
import { ApiError, invalidParameter, notFound } from "../errors";
import { paginate, readPage } from "../pagination";
import { clone, IntegrationRecord, nowSeconds, SIM_MEMBER_ID } from "../state";
import {
  JsonObject,
  optionalBool,
  optionalCsv,
  optionalIdArray,
  optionalInt,
  optionalObject,
  optionalString,
  requiredId,
  requiredString,
} from "../validation";

const NAME_RULE = { min: 2, max: 49 };
const DESCRIPTION_RULE = { max: 499 };
const KEY_LENGTH = 35;

/** The IntegrationDetail shape, as /integration/info returns it. */
export function renderIntegration(record: IntegrationRecord, ctx: ApiContext): JsonObject {
  const type = findType(record.plugin_type);
  return clone({
    ...record,
    plugin_type_name: type ? typeName(type, ctx.locale) : record.plugin_type,
  });
}

function requireIntegration(body: JsonObject, ctx: ApiContext): IntegrationRecord {
  const id = requiredId(body, "integration_id");
  const record = ctx.state.integrations.get(id);
  // These endpoints manage public integrations only, "not channel-exclusive ones" (§3.1); how the
  // real server answers for a channel-owned id is undocumented (README: ResourceNotFound).
  if (!record || record.ref_id.startsWith("c_")) throw notFound("integration", id);
  return record;
}

function checkIntegrationKey(key: string, ctx: ApiContext, selfId?: number): void {
  const suffix = ctx.state.keySuffix();
  if (key.length !== KEY_LENGTH) {
    throw invalidParameter(
      "integration_key",
      `must be ${KEY_LENGTH} characters, got ${key.length}`,
    );
  }
  if (!key.endsWith(suffix)) {
    throw invalidParameter(
      "integration_key",
      `must end with the account id mod 1000, zero-padded to 3 digits ("${suffix}")`,
    );
  }
  const owner = ctx.state.integrationByKey(key);
  if (owner && owner.integration_id !== selfId) {
    throw invalidParameter("integration_key", "is already used by another integration");
  }
}

const typeList: Handler = (body, ctx) => {
  const page = readPage(body);
  const categories = optionalCsv(body, "category");
  const asc = optionalBool(body, "asc") ?? true;
  optionalString(body, "orderby");
  let types = INTEGRATION_TYPES.filter((t) => !categories || categories.includes(t.category));
  if (!asc) types = [...types].reverse();
  const items = types.map((t) => ({
    plugin_type: t.plugin_type,
    plugin_type_name: typeName(t, ctx.locale),
    plugin_type_logo_url: `https://static.flashcat.cloud/sim/${t.plugin_type}.svg`,
    category: t.category,
    status: "enabled",
    supports_api_create: t.supports_api_create,
  }));
  return paginate(items, page);
};

const list: Handler = (body, ctx) => {
  const page = readPage(body);
  const asc = optionalBool(body, "asc") ?? false;
  const orderby = optionalString(body, "orderby", {
    oneOf: ["created_at", "updated_at", "name", "last_time"],
  });
  const categories = optionalCsv(body, "category");
  const name = optionalString(body, "name");
  const pluginTypes = optionalCsv(body, "plugin_type");
  const refIds = optionalCsv(body, "ref_ids");
  const statuses = optionalCsv(body, "status");
  const teamIds = optionalIdArray(body, "team_ids");
  optionalBool(body, "is_my_team");

  const key = (orderby ?? "created_at") as keyof IntegrationRecord;
  const items = [...ctx.state.integrations.values()]
    .filter((i) => !categories || categories.includes(i.category))
    .filter((i) => !name || i.name.toLowerCase().includes(name.toLowerCase()))
    .filter((i) => !pluginTypes || pluginTypes.includes(i.plugin_type))
    .filter((i) => !i.ref_id.startsWith("c_")) // channel-owned items are not listed (§3.1)
    .filter((i) => !refIds || refIds.includes(i.ref_id))
    .filter((i) => !statuses || statuses.includes(i.status))
    .filter((i) => !teamIds || teamIds.includes(i.team_id))
    .sort((a, b) => compare(a[key], b[key]) || a.integration_id - b.integration_id);
  if (!asc) items.reverse();
  return paginate(
    items.map((i) => renderIntegration(i, ctx)),
    page,
  );
};

function compare(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a).localeCompare(String(b));
}

const info: Handler = (body, ctx) => renderIntegration(requireIntegration(body, ctx), ctx);

const create: Handler = (body, ctx) => {
  const pluginType = requiredString(body, "plugin_type");
  const type = findType(pluginType);
  if (!type) {
    throw invalidParameter(
      "plugin_type",
      `unknown integration type ${JSON.stringify(pluginType)}; see /integration/type/list`,
    );
  }
  if (!type.supports_api_create) {
    throw invalidParameter(
      "plugin_type",
      `${pluginType} cannot be created through the API (supports_api_create is false)`,
    );
  }
  const name = optionalString(body, "name", NAME_RULE) ?? typeName(type, ctx.locale);
  const description = optionalString(body, "description", DESCRIPTION_RULE) ?? "";
  const teamId = optionalInt(body, "team_id", { min: 0 }) ?? 0;
  const settings = optionalObject(body, "settings") ?? {};
  const isTest = optionalBool(body, "is_test") ?? false;
  const givenKey = optionalString(body, "integration_key");
  if (givenKey !== undefined) checkIntegrationKey(givenKey, ctx);

  const id = ctx.state.newIntegrationId();
  const now = nowSeconds();
  const record: IntegrationRecord = {
    integration_id: id,
    data_source_id: id,
    account_id: ctx.state.accountId,
    team_id: teamId,
    name,
    description,
    category: type.category,
    plugin_id: type.plugin_id,
    plugin_type: type.plugin_type,
    status: "enabled",
    ref_id: `a_${ctx.state.accountId}`,
    integration_key: givenKey ?? ctx.state.newIntegrationKey(),
    settings: clone(settings),
    last_time: 0,
    created_at: now,
    updated_at: now,
    creator_id: SIM_MEMBER_ID,
    updated_by: SIM_MEMBER_ID,
    editable: true,
    no_editable: false,
    exclusive_data_source_id: 0,
  };
  ctx.state.integrations.set(id, record);
  const data: JsonObject = { integration_id: id, integration_key: record.integration_key };
  if (isTest) data.test = { success: true, message: "" };
  return data;
};

const update: Handler = (body, ctx) => {
  const record = requireIntegration(body, ctx);
  // Validate every sent field before changing anything, so a bad request changes nothing.
  const name = optionalString(body, "name", NAME_RULE);
  const description = optionalString(body, "description", DESCRIPTION_RULE);
  const teamId = optionalInt(body, "team_id", { min: 0 });
  const settings = optionalObject(body, "settings");
  const isTest = optionalBool(body, "is_test") ?? false;
  if (name !== undefined) record.name = name;
  if (description !== undefined) record.description = description;
  if (teamId !== undefined) record.team_id = teamId;
  if (settings !== undefined) record.settings = clone(settings);
  record.updated_at = nowSeconds();
  record.updated_by = SIM_MEMBER_ID;
  const detail = renderIntegration(record, ctx);
  if (isTest) detail.test = { success: true, message: "" };
  return detail;
};

const remove: Handler = (body, ctx) => {
  const record = requireIntegration(body, ctx);
  const refs = ctx.state.integrationRefs.get(record.integration_id) ?? [];
  if (refs.length > 0) {
    throw new ApiError(
      "ReferenceExist",
      `integration ${record.integration_id} is still referenced (${refs.length}); remove the references first`,
      { refs: clone(refs) },
    );
  }
  // The route belongs to the integration (it is not a reference) and goes with it.
  ctx.state.integrations.delete(record.integration_id);
  ctx.state.routes.delete(record.integration_id);
  return {};
};

const enable: Handler = (body, ctx) => {
  const record = requireIntegration(body, ctx);
  record.status = "enabled";
  record.updated_at = nowSeconds();
  return {};
};

const disable: Handler = (body, ctx) => {
  const record = requireIntegration(body, ctx);
  record.status = "disabled";
  record.updated_at = nowSeconds();
  return {};
};

const rotateKey: Handler = (body, ctx) => {
  const record = requireIntegration(body, ctx);
  // The old key stops working at once: pushes look integrations up by their current key.
  record.integration_key = ctx.state.newIntegrationKey();
  record.updated_at = nowSeconds();
  return { integration_key: record.integration_key };
};

export const INTEGRATION_HANDLERS: Record<string, Handler> = {
  "/integration/type/list": typeList,
  "/integration/list": list,
  "/integration/info": info,
  "/integration/create": create,
  "/integration/update": update,
  "/integration/delete": remove,
  "/integration/enable": enable,
  "/integration/disable": disable,
  "/integration/key/rotate": rotateKey,
};

/** Operations under the stricter integration-write limit (300/min & 20/s, flashduty-api.md §3.1). */
export const INTEGRATION_WRITES: ReadonlySet<string> = new Set([
  "/integration/create",
  "/integration/update",
  "/integration/delete",
  "/integration/enable",
  "/integration/disable",
  "/integration/key/rotate",
]);

// /channel/* — channels, a.k.a. collaboration spaces (flashduty-api.md §2).

import { randomBytes } from "node:crypto";
import { ApiContext, Handler } from "../context";
import { ApiError, notFound } from "../errors";
import { paginate, readPage } from "../pagination";
import { ChannelRecord, clone, nowSeconds, SIM_MEMBER_ID } from "../state";
import {
  JsonObject,
  optionalBool,
  optionalIdArray,
  optionalInt,
  optionalObject,
  optionalString,
  requiredId,
  requiredString,
} from "../validation";

const NAME_RULE = { min: 1, max: 59 };
const DESCRIPTION_RULE = { max: 500 };
const MAX_AUTO_RESOLVE_TIMEOUT = 2_592_000;

/**
 * Validates the create/update fields present in `body` and returns them normalised. With
 * `creating`, required fields are enforced; on update only the sent fields are returned.
 */
function readChannelFields(body: JsonObject, creating: boolean): JsonObject {
  const fields: JsonObject = {};
  const put = (field: string, value: unknown) => {
    if (value !== undefined) fields[field] = value;
  };
  if (creating) {
    put("team_id", requiredId(body, "team_id"));
    put("channel_name", requiredString(body, "channel_name", NAME_RULE));
  } else {
    put("team_id", optionalInt(body, "team_id", { min: 1 }));
    put("channel_name", optionalString(body, "channel_name", NAME_RULE));
  }
  put("description", optionalString(body, "description", DESCRIPTION_RULE));
  put("managing_team_ids", optionalIdArray(body, "managing_team_ids", { maxItems: 3 }));
  put("escalate_rule", optionalObject(body, "escalate_rule"));
  const group = optionalObject(body, "group");
  if (group !== undefined) {
    requiredString(group, "method", { oneOf: ["i", "p", "n"] }, "group.method");
    optionalInt(group, "time_window", { min: 0 }, "group.time_window");
    optionalString(group, "window_type", {}, "group.window_type");
    put("group", group);
  }
  put("flapping", optionalObject(body, "flapping"));
  put(
    "auto_resolve_timeout",
    optionalInt(body, "auto_resolve_timeout", { min: 0, max: MAX_AUTO_RESOLVE_TIMEOUT }),
  );
  put(
    "auto_resolve_mode",
    optionalString(body, "auto_resolve_mode", { oneOf: ["trigger", "update"] }),
  );
  put("plugin_ids", optionalIdArray(body, "plugin_ids"));
  put("is_private", optionalBool(body, "is_private"));
  put("disable_outlier_detection", optionalBool(body, "disable_outlier_detection"));
  put("disable_auto_close", optionalBool(body, "disable_auto_close"));
  put("is_external_report_enabled", optionalBool(body, "is_external_report_enabled"));
  return clone(fields);
}

/**
 * A channel record as the API emits it: the docs spec's ChannelItem marks every field optional,
 * "emitted only when populated" (its example has only channel_id, channel_name, status, team_id). So
 * empty strings, false, 0, null and empty lists are left out (the channel id is always there).
 */
export function renderChannel(channel: ChannelRecord | JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [field, value] of Object.entries(clone(channel))) {
    const empty =
      value === "" ||
      value === false ||
      value === 0 ||
      value === null ||
      value === undefined ||
      (Array.isArray(value) && value.length === 0);
    if (!empty || field === "channel_id") out[field] = value;
  }
  return out;
}

function requireChannel(body: JsonObject, ctx: ApiContext): ChannelRecord {
  const id = requiredId(body, "channel_id");
  const channel = ctx.state.liveChannel(id);
  if (!channel) throw notFound("channel", id);
  return channel;
}

function syncReportToken(channel: ChannelRecord): void {
  if (channel.is_external_report_enabled && !channel.external_report_token) {
    channel.external_report_token = randomBytes(16).toString("hex");
  }
}

const create: Handler = (body, ctx) => {
  const fields = readChannelFields(body, true);
  const id = ctx.state.newChannelId();
  const now = nowSeconds();
  const channel: ChannelRecord = {
    channel_id: id,
    account_id: ctx.state.accountId,
    team_id: fields.team_id as number,
    channel_name: fields.channel_name as string,
    description: "",
    status: "enabled",
    deleted_at: 0,
    created_at: now,
    updated_at: now,
    creator_id: SIM_MEMBER_ID,
    updated_by: SIM_MEMBER_ID,
    managing_team_ids: [],
    auto_resolve_timeout: 0,
    auto_resolve_mode: "trigger",
    is_private: false,
    group: null,
    flapping: null,
    escalate_rule: null,
    plugin_ids: [],
    disable_outlier_detection: false,
    disable_auto_close: false,
    is_external_report_enabled: false,
    ...fields,
  };
  syncReportToken(channel);
  ctx.state.channels.set(id, channel);
  const data: JsonObject = { channel_id: id, channel_name: channel.channel_name };
  if (channel.external_report_token) data.external_report_token = channel.external_report_token;
  return data;
};

const info: Handler = (body, ctx) => renderChannel(requireChannel(body, ctx));

const update: Handler = (body, ctx) => {
  const channel = requireChannel(body, ctx);
  const fields = readChannelFields(body, false);
  Object.assign(channel, fields, { updated_at: nowSeconds(), updated_by: SIM_MEMBER_ID });
  syncReportToken(channel);
  return { external_report_token: channel.external_report_token ?? "" };
};

const remove: Handler = (body, ctx) => {
  const channel = requireChannel(body, ctx);
  // [inference] from the Terraform provider: "Disable the channel first (required before deletion)".
  if (channel.status === "enabled") {
    throw new ApiError(
      "BadRequest",
      `channel ${channel.channel_id} is enabled; disable it (/channel/disable) before deleting it`,
    );
  }
  const now = nowSeconds();
  channel.status = "deleted";
  channel.deleted_at = now;
  channel.updated_at = now;
  return {};
};

const setStatus =
  (status: "enabled" | "disabled"): Handler =>
  (body, ctx) => {
    const channel = requireChannel(body, ctx);
    channel.status = status;
    channel.updated_at = nowSeconds();
    return {};
  };

const list: Handler = (body, ctx) => {
  const page = readPage(body, 100);
  const orderby = optionalString(body, "orderby", {
    oneOf: ["created_at", "updated_at", "channel_name"],
  });
  const asc = optionalBool(body, "asc") ?? false;
  const isBrief = optionalBool(body, "is_brief") ?? false;
  optionalBool(body, "is_my_team");
  const teamIds = optionalIdArray(body, "team_ids");
  const channelIds = optionalIdArray(body, "channel_ids");
  const query = optionalString(body, "query");
  const exactName = optionalString(body, "channel_name");
  const key = orderby ?? "created_at";
  const items = [...ctx.state.channels.values()]
    .filter((c) => c.status !== "deleted")
    .filter((c) => !teamIds || teamIds.includes(c.team_id))
    .filter((c) => !channelIds || channelIds.includes(c.channel_id))
    .filter((c) => !query || c.channel_name.toLowerCase().includes(query.toLowerCase()))
    .filter((c) => exactName === undefined || c.channel_name === exactName)
    .sort((a, b) => {
      const x = a[key];
      const y = b[key];
      const byKey =
        typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
      return byKey || a.channel_id - b.channel_id;
    });
  if (!asc) items.reverse();
  const rendered = items.map((c) =>
    renderChannel(
      isBrief
        ? {
            channel_id: c.channel_id,
            channel_name: c.channel_name,
            team_id: c.team_id,
            status: c.status,
          }
        : c,
    ),
  );
  return paginate(rendered, page);
};

export const CHANNEL_HANDLERS: Record<string, Handler> = {
  "/channel/create": create,
  "/channel/info": info,
  "/channel/update": update,
  "/channel/delete": remove,
  "/channel/enable": setStatus("enabled"),
  "/channel/disable": setStatus("disabled"),
  "/channel/list": list,
};

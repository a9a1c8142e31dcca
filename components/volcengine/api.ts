// Typed wrappers for the Cloud Monitor actions this project uses (reference §3.2–3.3).
// Pure functions over callVolcengine; serialized by value into the dynamic providers.

import { urlSecrets } from "../common/retry";
import { VolcengineSettings, callVolcengine } from "./client";

/** Callback ("webhook") object as ListWebhooksByIds returns it. */
export interface WebhookItem {
  Id: string;
  Name: string;
  Type: string;
  Url: string;
  RuleIds?: string[];
  EventRuleIds?: string[];
  /** RFC 3339 strings, e.g. "2021-10-25T18:27:24+08:00" (the docs' example). */
  CreatedAt?: string;
  UpdatedAt?: string;
}

/** Event rule as ListEventRules returns it (fields we use; others are ignored). */
export interface EventRuleItem {
  RuleId: string;
  RuleName: string;
  Description?: string;
  Source: string;
  EventBusName?: string;
  Level: string;
  EnableState: string;
  EffectStartAt?: string;
  EffectEndAt?: string;
  EventType?: string[];
  ContactMethods?: string[];
  WebhookIds?: string[];
  Endpoint?: string;
  CreatedAt?: number;
  UpdatedAt?: number;
}

/** Fields we send on CreateEventRule / UpdateEventRule. */
export interface EventRuleSpec {
  RuleName: string;
  Description: string;
  EventSource: string;
  EventType: string[];
  Level: string;
  Status: "enable" | "disable";
  EffectiveTime: { StartTime: string; EndTime: string };
  WebhookIds: string[];
}

export const EVENT_BUS_NAME = "default";
/** Page size for ListEventRules: 100, as the Terraform provider pages it (the default is 30). */
export const LIST_PAGE_SIZE = 100;
/** Bound on pages read while scanning for one rule (100 × 100 = 10,000 rules). */
export const LIST_MAX_PAGES = 100;

function firstId(data: unknown, action: string): string {
  if (Array.isArray(data) && typeof data[0] === "string" && data[0] !== "") return data[0];
  throw new Error(`Volcengine ${action} answered without an id in Result.Data.`);
}

export async function createWebhook(
  s: VolcengineSettings,
  name: string,
  url: string,
): Promise<string> {
  const result = await callVolcengine<{ Data?: unknown }>(
    s,
    "CreateWebhook",
    { Name: name, Type: "custom", Url: url },
    { idempotent: false, secrets: urlSecrets(url) },
  );
  return firstId(result?.Data, "CreateWebhook");
}

export async function updateWebhook(
  s: VolcengineSettings,
  id: string,
  name: string,
  url: string,
): Promise<void> {
  await callVolcengine(
    s,
    "UpdateWebhook",
    { Id: id, Name: name, Type: "custom", Url: url },
    { idempotent: true, secrets: urlSecrets(url) },
  );
}

export async function deleteWebhooks(s: VolcengineSettings, ids: string[]): Promise<void> {
  await callVolcengine(s, "DeleteWebhooksByIds", { Ids: ids }, { idempotent: true });
}

export async function getWebhook(
  s: VolcengineSettings,
  id: string,
): Promise<WebhookItem | undefined> {
  const result = await callVolcengine<{ Data?: WebhookItem[] }>(
    s,
    "ListWebhooksByIds",
    { Ids: [id] },
    { idempotent: true },
  );
  return (result?.Data ?? []).find((w) => w.Id === id);
}

export async function createEventRule(s: VolcengineSettings, spec: EventRuleSpec): Promise<string> {
  const result = await callVolcengine<{ Data?: { RuleId?: string } }>(
    s,
    "CreateEventRule",
    ruleBody(spec),
    { idempotent: false },
  );
  const id = result?.Data?.RuleId;
  if (typeof id !== "string" || id === "")
    throw new Error("Volcengine CreateEventRule answered without Result.Data.RuleId.");
  return id;
}

export async function updateEventRule(
  s: VolcengineSettings,
  ruleId: string,
  spec: EventRuleSpec,
): Promise<void> {
  await callVolcengine(
    s,
    "UpdateEventRule",
    { RuleId: ruleId, ...ruleBody(spec) },
    { idempotent: true },
  );
}

/** DeleteEventRule for one id; returns the ids the server reports deleted (`Data.RuleId`). */
export async function deleteEventRule(s: VolcengineSettings, ruleId: string): Promise<string[]> {
  const result = await callVolcengine<{ Data?: { RuleId?: unknown } }>(
    s,
    "DeleteEventRule",
    { RuleId: [ruleId], EventBusName: EVENT_BUS_NAME },
    { idempotent: true },
  );
  const ids = result?.Data?.RuleId;
  return Array.isArray(ids) ? ids.filter((x): x is string => typeof x === "string") : [];
}

interface RulePage {
  items: EventRuleItem[];
  total?: number;
}

async function listRulePage(
  s: VolcengineSettings,
  filter: Record<string, unknown>,
  page: number,
): Promise<RulePage> {
  const result = await callVolcengine<{ Data?: EventRuleItem[]; TotalCount?: number }>(
    s,
    "ListEventRules",
    { ...filter, OrderBy: "CreatedAt", Asc: true, PageNumber: page, PageSize: LIST_PAGE_SIZE },
    { idempotent: true },
  );
  return {
    items: Array.isArray(result?.Data) ? result.Data : [],
    total: typeof result?.TotalCount === "number" ? result.TotalCount : undefined,
  };
}

/**
 * Looks for rule `ruleId` in the listing that `filter` selects, ordered by CreatedAt ascending.
 * One call when the first page holds the whole listing. Otherwise it reads the pages from the last
 * back to the first (page 1 again at the end): while the scan runs, deletes only move a rule
 * towards the front and creates only append at the end, so a rule that exists throughout is on
 * the page being read or an earlier one, and is never skipped (paging forward would skip it).
 */
async function scanEventRules(
  s: VolcengineSettings,
  ruleId: string,
  filter: Record<string, unknown>,
): Promise<EventRuleItem | undefined> {
  const first = await listRulePage(s, filter, 1);
  const hit = first.items.find((r) => r.RuleId === ruleId);
  if (hit) return hit;
  if (first.items.length < LIST_PAGE_SIZE) return undefined;
  if (first.total === undefined)
    throw new Error(
      "Volcengine ListEventRules answered a full page without TotalCount; cannot scan the listing safely.",
    );
  if (first.items.length >= first.total) return undefined;
  const pages = Math.ceil(first.total / LIST_PAGE_SIZE);
  if (pages > LIST_MAX_PAGES)
    throw new Error(
      `Volcengine ListEventRules: ${first.total} rules match; looking for rule ${ruleId} would read more than ` +
        `${LIST_MAX_PAGES} pages of ${LIST_PAGE_SIZE}.`,
    );
  for (let page = pages; page >= 1; page--) {
    const { items } = await listRulePage(s, filter, page);
    const found = items.find((r) => r.RuleId === ruleId);
    if (found) return found;
  }
  return undefined;
}

/**
 * Finds rule `ruleId`. With its last known name, one ListEventRules call filtered by RuleName
 * (matched by id, since the filter may match other names too). When that misses — the rule was
 * renamed outside Pulumi (e.g. in the console) or is gone — a bounded scan of every rule ordered
 * by CreatedAt decides; a rename then shows as drift of `ruleName`.
 */
export async function findEventRule(
  s: VolcengineSettings,
  ruleId: string,
  ruleName?: string,
): Promise<EventRuleItem | undefined> {
  if (ruleName) {
    const hit = await scanEventRules(s, ruleId, { RuleName: ruleName });
    if (hit) return hit;
  }
  return scanEventRules(s, ruleId, {});
}

function ruleBody(spec: EventRuleSpec): Record<string, unknown> {
  return {
    RuleName: spec.RuleName,
    Description: spec.Description,
    EventBusName: EVENT_BUS_NAME,
    EventSource: spec.EventSource,
    EventType: spec.EventType,
    // As the Terraform provider does: the filter mirrors source and types.
    FilterPattern: { Source: spec.EventSource, Type: spec.EventType },
    Level: spec.Level,
    Status: spec.Status,
    EffectiveTime: spec.EffectiveTime,
    // Delivery only through callback ids; Endpoint is never sent alongside WebhookIds.
    ContactMethods: ["Webhook"],
    WebhookIds: spec.WebhookIds,
  };
}

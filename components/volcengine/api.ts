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
  CreatedAt?: number;
  UpdatedAt?: number;
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
/** Page size for ListEventRules: the documented default, so no undocumented maximum is assumed. */
export const LIST_PAGE_SIZE = 30;
/** Bound on pages read while looking for one rule (30 × 200 = 6000 rules). */
export const LIST_MAX_PAGES = 200;

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

export async function deleteEventRule(s: VolcengineSettings, ruleId: string): Promise<void> {
  await callVolcengine(
    s,
    "DeleteEventRule",
    { RuleId: [ruleId], EventBusName: EVENT_BUS_NAME },
    { idempotent: true },
  );
}

/** Pages through ListEventRules until the rule is found or the list ends. */
export async function findEventRule(
  s: VolcengineSettings,
  ruleId: string,
): Promise<EventRuleItem | undefined> {
  let seen = 0;
  for (let page = 1; page <= LIST_MAX_PAGES; page++) {
    const result = await callVolcengine<{ Data?: EventRuleItem[]; TotalCount?: number }>(
      s,
      "ListEventRules",
      { PageNumber: page, PageSize: LIST_PAGE_SIZE },
      { idempotent: true },
    );
    const items = result?.Data ?? [];
    const hit = items.find((r) => r.RuleId === ruleId);
    if (hit) return hit;
    seen += items.length;
    const total = result?.TotalCount;
    if (items.length < LIST_PAGE_SIZE || (typeof total === "number" && seen >= total))
      return undefined;
  }
  throw new Error(
    `Volcengine ListEventRules: rule ${ruleId} not found within ${LIST_MAX_PAGES} pages; the listing did not end.`,
  );
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

// Turns what a parser extracted into a Flashduty standard alert body that always fits Flashduty's
// limits (flashduty-api.md §5): long text is truncated and bad label keys are sanitised, never
// rejected, so no cloud event is dropped for being too big.
import { createHash } from "node:crypto";
import { setField } from "./body";
import type { CloudSource, EventStatus, FlashdutyAlertBody } from "./model";

export const LIMITS = {
  title: 512,
  description: 2048,
  alertKey: 255,
  labels: 50,
  labelKey: 128,
  labelValue: 2048,
} as const;

/** Severity words the clouds use, upper-cased, → Flashduty status. */
const SEVERITY: Record<string, EventStatus> = {
  CRITICAL: "Critical",
  WARNING: "Warning",
  WARN: "Warning",
  INFO: "Info",
  NOTICE: "Info",
  // "no data" states are informational (Flashduty's own CM Metrics mapping: NODATA → Info).
  NODATA: "Info",
  INSUFFICIENT_DATA: "Info",
};

/**
 * Maps a cloud severity word (any case) to a Flashduty status. An unknown or missing word maps to
 * Warning: paging a little too loudly beats hiding an event whose level vocabulary we don't know.
 * The raw word is always kept in the `raw_level` label.
 */
export function mapSeverity(level: string | undefined): EventStatus {
  if (!level) return "Warning";
  return SEVERITY[level.trim().toUpperCase()] ?? "Warning";
}

/** Rank for picking the most severe of several levels (higher = more severe). */
export function severityRank(status: EventStatus): number {
  return { Ok: 0, Info: 1, Warning: 2, Critical: 3 }[status];
}

/**
 * Stable alert key: the firing and the recovery of one condition must produce the same key, so the
 * parts are identity fields only (cloud, account, rule, resource, …), never level or values.
 */
export function alertKey(cloud: CloudSource, parts: ReadonlyArray<string | undefined>): string {
  // createHash, not the one-shot crypto.hash: Function Compute's Node 20.10 predates it (20.12).
  const digest = createHash("sha256")
    .update([cloud, ...parts.map((p) => p ?? "")].join("\u0000"))
    .digest("hex");
  return `${cloud}-${digest.slice(0, 40)}`;
}

/** Truncates to at most `max` UTF-16 code units without splitting a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = max - 1; // leave room for the ellipsis
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return `${text.slice(0, cut)}…`;
}

/**
 * `title_rule` is a template field in Flashduty: a `[TPL]` prefix turns on `${label}` and Go
 * `{{…}}` substitution, and an older doc example even substitutes bare `$label`. Cloud text must
 * stay literal, so `$` becomes the look-alike U+FF04 "＄" and a leading `[TPL]` becomes `(TPL)`.
 * The untouched text is still in the description and labels.
 */
export function literalTitle(text: string): string {
  let out = text.replace(/[\r\n\t]+/g, " ").trim();
  out = out.replace(/\$/g, "\uff04");
  out = out.replace(/^\[tpl\]/i, "(TPL)");
  return out === "" ? "(untitled event)" : out;
}

const VALID_LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]{0,127}$/;

/** Prometheus-style label name: [a-zA-Z_][a-zA-Z0-9_]*, at most 128 chars. */
export function labelName(raw: string): string {
  if (VALID_LABEL_NAME.test(raw)) return raw; // the usual case: nothing to replace
  let name = raw.replace(/[^a-zA-Z0-9_]/g, "_");
  if (name === "" || /^[0-9]/.test(name)) name = `_${name}`;
  return name.slice(0, LIMITS.labelKey);
}

/** Text form of a JSON-ish value for labels and descriptions. */
export function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint")
    return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/** A value the clouds use for "nothing here". */
function isBlank(value: string | undefined): value is undefined {
  return value === undefined || value.trim() === "" || value === "null";
}

export interface EventDraft {
  cloud: CloudSource;
  status: EventStatus;
  key: string;
  title: string;
  /** Description lines; blank values are skipped. */
  details: ReadonlyArray<readonly [string, unknown]>;
  /** Core labels (kept first when over the 50-label cap). */
  labels: ReadonlyArray<readonly [string, unknown]>;
  /** Extra labels from the payload (dimensions, tags…), added after the core ones, sorted. */
  extraLabels?: ReadonlyArray<readonly [string, unknown]>;
}

/** Builds the final body, applying every Flashduty limit. */
export function buildBody(draft: EventDraft): FlashdutyAlertBody {
  const lines: string[] = [];
  for (const [name, value] of draft.details) {
    const t = text(value);
    if (!isBlank(t)) lines.push(`${name}: ${t}`);
  }
  // setField: a cloud-provided "__proto__" key must stay a plain label.
  const labels: Record<string, string> = {};
  let count = 0;
  const add = (rawName: string, value: unknown): void => {
    if (count >= LIMITS.labels) return;
    const t = text(value);
    if (isBlank(t)) return;
    const name = labelName(rawName);
    // First writer wins: core labels cannot be overridden by extras.
    if (Object.prototype.hasOwnProperty.call(labels, name)) return;
    setField(labels, name, truncate(t, LIMITS.labelValue));
    count++;
  };
  add("cloud", draft.cloud);
  for (const [name, value] of draft.labels) add(name, value);
  const extras = [...(draft.extraLabels ?? [])].sort((a, b) =>
    a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0,
  );
  for (const [name, value] of extras) add(name, value);
  return {
    event_status: draft.status,
    alert_key: truncate(draft.key, LIMITS.alertKey),
    title_rule: truncate(literalTitle(draft.title), LIMITS.title),
    description: truncate(lines.join("\n"), LIMITS.description),
    labels,
  };
}

/** Picks the first non-blank string among candidates. */
export function first(...values: unknown[]): string | undefined {
  for (const v of values) {
    const t = text(v);
    if (!isBlank(t)) return t;
  }
  return undefined;
}

/** Narrowing helper for JSON objects. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

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
  /** When the event happened (epoch seconds), if the payload says; see `eventTimeSeconds`. */
  eventTime?: number;
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
    ...(draft.eventTime !== undefined ? { event_time: draft.eventTime } : {}),
  };
}

/** Earliest event time taken from a payload: 2001-09-09 (1e9 s); anything older is not a time. */
const MIN_EVENT_SECONDS = 1_000_000_000;
/** A numeric time at or above this is milliseconds (1e11 s is the year 5138). */
const MS_THRESHOLD = 100_000_000_000;

/**
 * When a cloud says its event happened, as integer epoch seconds, or undefined when the value is
 * not a time we can read. Accepts: epoch numbers or numeric strings in seconds or milliseconds
 * (told apart by size: Aliyun threshold callbacks use both), ISO 8601 text, Aliyun's compact
 * `20240109T140533.642+0800`, and Volcengine metric text `2024-04-11 14:51:01(UTC+08:00)`.
 */
export function eventTimeSeconds(value: unknown): number | undefined {
  let ms: number | undefined;
  if (typeof value === "number") ms = value >= MS_THRESHOLD ? value : value * 1000;
  else if (typeof value === "string") {
    const t = value.trim();
    if (/^\d+(\.\d+)?$/.test(t)) {
      const n = Number(t);
      ms = n >= MS_THRESHOLD ? n : n * 1000;
    } else ms = parseTimeText(t);
  }
  if (ms === undefined || !Number.isFinite(ms)) return undefined;
  const seconds = Math.floor(ms / 1000);
  return seconds >= MIN_EVENT_SECONDS ? seconds : undefined;
}

// 20240109T140533.642+0800 (Aliyun sysEventMeta.eventTime and system events' eventTime)
const COMPACT = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\.\d{1,3})?([+-])(\d{2}):?(\d{2})$/;
// 2024-04-11 14:51:01(UTC+08:00) (Volcengine metric HappenedAt)
const VOLC_TEXT =
  /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})\s*\(UTC([+-])(\d{2}):?(\d{2})\)$/;
// ISO 8601 with a date and time and an explicit zone (Z or ±hh:mm)
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

function parseTimeText(t: string): number | undefined {
  const c = COMPACT.exec(t);
  if (c) {
    const [, y, mo, d, h, mi, s, frac, sign, zh, zm] = c;
    return zoned(y, mo, d, h, mi, s, frac, sign, zh, zm);
  }
  const v = VOLC_TEXT.exec(t);
  if (v) {
    const [, y, mo, d, h, mi, s, sign, zh, zm] = v;
    return zoned(y, mo, d, h, mi, s, undefined, sign, zh, zm);
  }
  // Only text with an explicit zone: a zoneless time would be read in the host's zone.
  if (ISO.test(t)) {
    const ms = Date.parse(t);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}

/** Epoch ms of a wall-clock time at a UTC offset; NaN when a field is out of range. */
function zoned(...p: Array<string | undefined>): number {
  const [y, mo, d, h, mi, s, frac, sign, zh, zm] = p;
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31 || Number(h) > 23 || Number(mi) > 59)
    return NaN;
  if (Number(s) > 60 || Number(zh) > 14 || Number(zm) > 59) return NaN;
  const utc = Date.UTC(Number(y), month - 1, day, Number(h), Number(mi), Number(s));
  const offsetMin = (Number(zh) * 60 + Number(zm)) * (sign === "-" ? -1 : 1);
  return utc + Math.round(Number(frac ?? "0") * 1000) - offsetMin * 60_000;
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

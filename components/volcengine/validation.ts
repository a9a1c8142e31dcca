// Input rules for Volcengine callbacks and event rules, shared by the dynamic providers' `check`
// and by the VolcengineEventPush component (which validates plain values before creating anything).
// Each rule returns a reason that names the fix; a URL is never echoed, since it carries a secret.
import { containsUnknown } from "../common/unknown";

export const LEVELS = ["notice", "warning", "critical"] as const;
export type Level = (typeof LEVELS)[number];

export const DEFAULT_START_TIME = "00:00";
export const DEFAULT_END_TIME = "23:59";
export const DEFAULT_CALLBACK_NAME = "Flashduty_Event";

export interface Failure {
  property: string;
  reason: string;
}

function byteLength(s: string): number {
  return Buffer.byteLength(s, "utf8");
}

/** CreateWebhook: Name 1–512 bytes. */
export function checkCallbackName(name: unknown, property = "name"): Failure[] {
  if (containsUnknown(name)) return [];
  if (typeof name !== "string" || name.trim() === "")
    return [
      {
        property,
        reason: "is required: give the callback a name (1–512 bytes), e.g. Flashduty_Event.",
      },
    ];
  if (byteLength(name) > 512)
    return [
      {
        property,
        reason: `is ${byteLength(name)} bytes long; Volcengine accepts at most 512 bytes: shorten it.`,
      },
    ];
  return [];
}

/**
 * Loopback hosts (local simulators and tests). A regex, not a Set: closure serialization of the
 * dynamic providers does not reproduce Set/Map instances captured from module scope.
 */
export function isLoopbackHost(hostname: string): boolean {
  return /^(localhost|\[::1\]|::1|127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/i.test(hostname);
}

/**
 * CreateWebhook: Url ≤ 1000 bytes, http/https, no surrounding whitespace. Our own stricter rule:
 * https only, because the push URL carries the integration key; plain http is accepted only for a
 * loopback host (local simulators and tests).
 */
export function checkCallbackUrl(url: unknown, property = "url"): Failure[] {
  if (containsUnknown(url)) return [];
  if (typeof url !== "string" || url === "")
    return [
      { property, reason: "is required: pass the Flashduty push URL (or your receiver's URL)." },
    ];
  if (url.trim() !== url)
    return [{ property, reason: "has leading or trailing whitespace: remove it." }];
  if (byteLength(url) > 1000)
    return [
      {
        property,
        reason: `is ${byteLength(url)} bytes long; Volcengine accepts at most 1000 bytes.`,
      },
    ];
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [{ property, reason: "is not a valid absolute URL: use https://host/path?query." }];
  }
  const loopback = isLoopbackHost(parsed.hostname);
  if (parsed.protocol === "https:") return [];
  if (parsed.protocol === "http:" && loopback) return [];
  return [
    {
      property,
      reason:
        `must use https:// (got ${parsed.protocol}//): the URL carries a secret key, so plain http is ` +
        "accepted only for a loopback test server.",
    },
  ];
}

/**
 * CreateEventRule / UpdateEventRule RuleName: the docs and the Cloud Control schema
 * (Volcengine_CloudMonitor_EventRule.json) say 1–128 characters and "must not start with a digit or
 * a hyphen"; the Go SDK's field tags say 2–127. We require 2–127, which every source accepts.
 */
export function checkRuleName(name: unknown, property = "ruleName"): Failure[] {
  if (containsUnknown(name)) return [];
  if (typeof name !== "string" || name.trim() === "")
    return [{ property, reason: "is required: name the event rule (2–127 characters)." }];
  const failures: Failure[] = [];
  const length = [...name].length;
  if (length < 2 || length > 127)
    failures.push({
      property,
      reason: `has ${length} characters; use 2–127 (the limits the Volcengine SDK enforces).`,
    });
  if (/^[0-9-]/.test(name))
    failures.push({
      property,
      reason: `"${name}" starts with ${name[0] === "-" ? "a hyphen" : "a digit"}; Volcengine refuses rule names that start with a digit or "-": start it with a letter, e.g. "rule-${name}".`,
    });
  return failures;
}

export function checkEventSource(source: unknown, property = "eventSource"): Failure[] {
  if (containsUnknown(source)) return [];
  if (typeof source !== "string" || !/^[a-z0-9][a-z0-9_.-]*$/i.test(source))
    return [
      { property, reason: 'is required: the cloud service whose events to match, e.g. "ecs".' },
    ];
  return [];
}

/** Chinese (full-width) punctuation, which the Cloud Control schema allows in a description. */
const CHINESE_PUNCTUATION =
  "\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\u2014\u2018\u2019\u201c\u201d\u2026\u00b7";
const DESCRIPTION_CHARS = new RegExp(
  `^[\\p{Script=Han}A-Za-z0-9_\\-${CHINESE_PUNCTUATION}]*$`,
  "u",
);
const DESCRIPTION_BAD_START = new RegExp(`^[0-9\\-${CHINESE_PUNCTUATION}]`, "u");

/**
 * Event rule Description, per the Cloud Control schema (Volcengine_CloudMonitor_EventRule.json):
 * 0–255 characters; only Chinese characters, letters, digits, "_", "-" and Chinese punctuation
 * (so no spaces and no ASCII punctuation); must not start with a digit, "-" or Chinese punctuation.
 */
export function checkDescription(description: unknown, property = "description"): Failure[] {
  if (description === undefined || containsUnknown(description)) return [];
  if (typeof description !== "string") return [{ property, reason: "must be text." }];
  const failures: Failure[] = [];
  const length = [...description].length;
  if (length > 255)
    failures.push({
      property,
      reason: `has ${length} characters; Volcengine accepts at most 255.`,
    });
  if (!DESCRIPTION_CHARS.test(description))
    failures.push({
      property,
      reason:
        'may contain only Chinese characters, letters, digits, "_", "-" and Chinese punctuation ' +
        '(no spaces or ASCII punctuation), e.g. "ECS_disk_errors_to_Flashduty".',
    });
  if (DESCRIPTION_BAD_START.test(description))
    failures.push({
      property,
      reason: 'must not start with a digit, "-" or Chinese punctuation: start it with a letter.',
    });
  return failures;
}

/** Where a user finds the event types of a source (there is no "all types" value). */
export const EVENT_TYPES_HINT =
  "list the source's event types in the console (Cloud Monitor → Event Center → Event Rules → " +
  "Create: pick the event source and the event types it offers; or Event Center → Events, which shows " +
  'each event\'s type), or with the OpenAPI action ListEvents {Source: ["<source>"]}';

/**
 * CreateEventRule EventType: at least one type (Cloud Control schema: minItems 1, uniqueItems;
 * CreateEventRule doc and the Terraform provider: FilterPattern.Type required). No source says an
 * empty list, or "*", means "all events of the source", so neither is accepted.
 */
export function checkEventTypes(types: unknown, property = "eventTypes"): Failure[] {
  if (containsUnknown(types)) return [];
  if (types === undefined || (Array.isArray(types) && types.length === 0))
    return [
      {
        property,
        reason:
          'is required: list at least one event type, e.g. ["ecs:Disk:DiskError.Redeploy.Executing"]; ' +
          `Volcengine has no "all types" value: ${EVENT_TYPES_HINT}.`,
      },
    ];
  if (!Array.isArray(types))
    return [
      {
        property,
        reason: 'must be a list of event types, e.g. ["ecs:Disk:DiskError.Redeploy.Canceled"].',
      },
    ];
  const failures: Failure[] = [];
  types.forEach((t, i) => {
    if (containsUnknown(t)) return;
    if (typeof t !== "string" || t.trim() === "" || t.trim() !== t)
      failures.push({
        property: `${property}[${i}]`,
        reason: "must be a non-empty event type without surrounding spaces.",
      });
    else if (t === "*")
      failures.push({
        property: `${property}[${i}]`,
        reason: `"*" is not a Volcengine event type (no source documents a wildcard): name the types; ${EVENT_TYPES_HINT}.`,
      });
  });
  const dupes = types.filter((t, i) => types.indexOf(t) !== i);
  if (dupes.length > 0)
    failures.push({
      property,
      reason: `lists ${JSON.stringify(dupes[0])} twice: remove the duplicate.`,
    });
  return failures;
}

export function checkLevel(level: unknown, property = "level"): Failure[] {
  if (containsUnknown(level)) return [];
  if (typeof level !== "string" || !(LEVELS as readonly string[]).includes(level))
    return [
      {
        property,
        reason: `must be one of ${LEVELS.join(", ")} (lowercase); got ${JSON.stringify(level)}.`,
      },
    ];
  return [];
}

const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;

export function checkEffectiveTime(value: unknown, property = "effectiveTime"): Failure[] {
  if (value === undefined || containsUnknown(value)) return [];
  if (value === null || typeof value !== "object")
    return [
      { property, reason: 'must be {startTime: "HH:MM", endTime: "HH:MM"}, e.g. 00:00 and 23:59.' },
    ];
  const failures: Failure[] = [];
  for (const key of ["startTime", "endTime"] as const) {
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined || containsUnknown(v)) continue;
    if (typeof v !== "string" || !HH_MM.test(v))
      failures.push({
        property: `${property}.${key}`,
        reason: `must be 24-hour "HH:MM" with two digits each, e.g. "08:30"; got ${JSON.stringify(v)}.`,
      });
  }
  return failures;
}

export function checkEnabled(value: unknown, property = "enabled"): Failure[] {
  if (value === undefined || containsUnknown(value) || typeof value === "boolean") return [];
  return [{ property, reason: `must be true or false; got ${JSON.stringify(value)}.` }];
}

/** The console lets a rule select up to 8 existing callbacks. */
export function checkWebhookIds(ids: unknown, property = "webhookIds"): Failure[] {
  if (containsUnknown(ids)) return [];
  if (!Array.isArray(ids) || ids.length === 0)
    return [
      {
        property,
        reason: "must list at least one callback id (a CallbackUrl's id) to deliver to.",
      },
    ];
  if (ids.length > 8)
    return [{ property, reason: `lists ${ids.length} callbacks; a rule takes at most 8.` }];
  const failures: Failure[] = [];
  ids.forEach((id, i) => {
    if (typeof id !== "string" || id.trim() === "")
      failures.push({ property: `${property}[${i}]`, reason: "must be a non-empty callback id." });
  });
  return failures;
}

export function checkAdoptId(id: unknown, property = "adoptId"): Failure[] {
  if (id === undefined || containsUnknown(id)) return [];
  if (typeof id !== "string" || id.trim() === "")
    return [
      {
        property,
        reason: "must be the id of an existing object, or left out to create a new one.",
      },
    ];
  return [];
}

/** Failures as problem lines ("<property> <reason>"), for {@link formatProblems}. */
export function failureLines(failures: readonly Failure[]): string[] {
  return failures.map((f) => `${f.property} ${f.reason}`);
}

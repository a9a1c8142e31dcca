// Pure validation helpers for the Alibaba Cloud CloudMonitor (CMS) component. Every check returns
// problem strings ("<field>: <what is wrong>; <how to fix>") so that the component can report all
// bad fields at once before it creates anything. Nothing here ever echoes a push URL: push URLs
// carry the Flashduty integration key and are secrets.
import * as pulumi from "@pulumi/pulumi";
import { isKnownPlain } from "../common/inputs";
import { formatProblems } from "../common/problems";

/** Event types accepted by PutEventRule `EventPattern.N.EventTypeList.N` (`*` = all types). */
export const EVENT_TYPES = ["StatusNotification", "Exception", "Maintenance", "*"] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Levels accepted by PutEventRule `EventPattern.N.LevelList.N` (`*` = all levels). */
export const EVENT_LEVELS = ["CRITICAL", "WARN", "INFO", "*"] as const;
export type EventLevel = (typeof EVENT_LEVELS)[number];

/** Comparison operators of `cms.Alarm` escalations (from the provider's `AlarmEscalations*` docs). */
export const COMPARISON_OPERATORS = [
  ">",
  ">=",
  "<",
  "<=",
  "!=",
  "==",
  "GreaterThanYesterday",
  "LessThanYesterday",
  "GreaterThanLastWeek",
  "LessThanLastWeek",
  "GreaterThanLastPeriod",
  "LessThanLastPeriod",
] as const;
export type ComparisonOperator = (typeof COMPARISON_OPERATORS)[number];

/** PutEventRuleTargets: at most 5 targets of each kind (webhook) per rule. */
export const MAX_WEBHOOKS_PER_RULE = 5;
/** PutEventRule: `N` of each EventPattern list is 1..50. */
export const MAX_PATTERN_LIST_ITEMS = 50;
/**
 * Event-rule silence time. PutEventRule documents only the unit (seconds) and the default (86400,
 * one day); no range is published. We accept 1..86400: one day is the documented default and the
 * threshold rules' documented maximum, and the provider's own example uses 100.
 */
export const EVENT_RULE_SILENCE_RANGE = { min: 1, max: 86_400 } as const;
/** `cms.Alarm.silenceTime`: "Valid value range: [300, 86400]" (provider docs). */
export const ALARM_SILENCE_RANGE = { min: 300, max: 86_400 } as const;
/**
 * Rule names. Neither PutEventRule nor PutResourceMetricRule publishes a length or character set,
 * so we are conservative: an ASCII letter first, then letters, digits, `_` or `-`, 64 characters at
 * most. Every name that passes is accepted by the console; names outside it might not be.
 */
export const RULE_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const RULE_NAME_HINT =
  "use 1-64 characters: an ASCII letter first, then letters, digits, '_' or '-' (e.g. prod-ecs-critical)";

/** hh:mm-hh:mm with 0- or 1-padded hours, as in the provider's example "0:00-4:00". */
const EFFECTIVE_INTERVAL_PATTERN = /^([01]?\d|2[0-3]):[0-5]\d-([01]?\d|2[0-3]):[0-5]\d$/;

/** Thrown when the component's arguments are invalid; lists every problem found. */
export class AliyunEventPushValidationError extends pulumi.RunError {
  readonly problems: readonly string[];
  constructor(resourceName: string, problems: readonly string[]) {
    super(
      formatProblems(
        `AliyunEventPush "${resourceName}": ${problems.length} invalid argument(s):`,
        problems,
      ),
    );
    this.name = "AliyunEventPushValidationError";
    this.problems = problems;
  }
}

/**
 * Checks `value` now when it is fully known; otherwise (an Output, possibly unknown at preview)
 * checks it once it resolves, failing that resource's registration with the same clear error.
 * Either way a bad value never reaches the provider, and an unknown value never blocks the checks of
 * the other fields. Returns the value to pass on (the original, or the checked Output).
 */
export function checkWhenKnown<T>(
  resourceName: string,
  value: pulumi.Input<T>,
  problems: string[],
  check: (known: pulumi.Unwrap<T>) => string[],
  lateError: (resourceName: string, problems: string[]) => Error = (n, p) =>
    new AliyunEventPushValidationError(n, p),
): pulumi.Input<T> | pulumi.Output<pulumi.Unwrap<T>> {
  if (isKnownPlain(value)) {
    // isKnownPlain guarantees no Output/Promise inside, so the value already is its own Unwrap.
    problems.push(...check(value as unknown as pulumi.Unwrap<T>));
    return value;
  }
  return pulumi.output(value).apply((known) => {
    const late = check(known);
    if (late.length > 0) throw lateError(resourceName, late);
    return known;
  });
}

export function checkRuleName(field: string, name: unknown): string[] {
  if (typeof name !== "string" || name === "") return [`${field}: is required; ${RULE_NAME_HINT}`];
  if (!RULE_NAME_PATTERN.test(name))
    return [`${field}: "${name}" is not allowed; ${RULE_NAME_HINT}`];
  return [];
}

export function checkDuplicateNames(field: string, names: readonly unknown[]): string[] {
  const seen = new Map<string, number>();
  const problems: string[] = [];
  names.forEach((name, i) => {
    if (typeof name !== "string") return;
    const first = seen.get(name);
    if (first === undefined) seen.set(name, i);
    else
      problems.push(
        `${field}[${i}].name: "${name}" is already used by ${field}[${first}]; rule names are ` +
          `the rules' identity in CloudMonitor (a second PutEventRule/PutResourceMetricRule with ` +
          `the same name overwrites the first), so give each rule its own name`,
      );
  });
  return problems;
}

export function checkNonEmptyString(field: string, value: unknown, fix: string): string[] {
  if (typeof value !== "string" || value.trim() === "") return [`${field}: is required; ${fix}`];
  return [];
}

export function checkOptionalString(field: string, value: unknown): string[] {
  if (value === undefined) return [];
  if (typeof value !== "string" || value.trim() === "")
    return [`${field}: must be a non-empty string when given; remove it or fill it in`];
  return [];
}

/** The list rules of `checkEnumList` beyond "a non-empty list of allowed values". */
export interface EnumListRules {
  /** At most this many entries. */
  maxItems?: number;
  /** "*" (all) only on its own. */
  starAlone?: boolean;
  /** No value twice. */
  unique?: boolean;
}

/** An event pattern's lists (PutEventRule): at most 5 entries, "*" alone. */
const EVENT_PATTERN_LIST: EnumListRules = { maxItems: MAX_PATTERN_LIST_ITEMS, starAlone: true };

/**
 * Checks a list against an enum; `hints` maps common mistakes to the right value. `rules` default
 * to an event pattern's.
 */
export function checkEnumList(
  field: string,
  value: unknown,
  allowed: readonly string[],
  hints: Record<string, string> = {},
  rules: EnumListRules = EVENT_PATTERN_LIST,
): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length === 0)
    return [`${field}: must be a non-empty list of ${allowed.join(", ")}; or leave it out`];
  const problems: string[] = [];
  if (rules.maxItems !== undefined && value.length > rules.maxItems)
    problems.push(
      `${field}: has ${value.length} entries; CloudMonitor accepts at most ${rules.maxItems}`,
    );
  value.forEach((item, i) => {
    if (typeof item !== "string" || !allowed.includes(item)) {
      const hint = typeof item === "string" && hints[item] ? ` (${hints[item]})` : "";
      problems.push(
        `${field}[${i}]: ${JSON.stringify(item)} is not valid${hint}; use one of ${allowed.join(", ")}`,
      );
    }
  });
  if (rules.starAlone && value.includes("*") && value.length > 1)
    problems.push(`${field}: "*" already means all; use ["*"] alone or list specific values`);
  if (rules.unique && new Set(value).size !== value.length)
    problems.push(`${field}: lists a value twice`);
  return problems;
}

/**
 * The CMS API's own operator names (PutResourceMetricRule), which the provider does not accept:
 * it takes the symbols and converts them itself.
 */
export const COMPARISON_OPERATOR_HINTS: Readonly<Record<string, string>> = {
  GreaterThanThreshold: "write >",
  GreaterThanOrEqualToThreshold: "write >=",
  LessThanThreshold: "write <",
  LessThanOrEqualToThreshold: "write <=",
  NotEqualToThreshold: "write !=",
  EqualToThreshold: "write ==",
};

/** Checks one value against an enum; `hints` maps common mistakes to the right value. */
export function checkEnum(
  field: string,
  value: unknown,
  allowed: readonly string[],
  hints: Readonly<Record<string, string>> = {},
): string[] {
  if (typeof value === "string" && allowed.includes(value)) return [];
  const hint = typeof value === "string" && hints[value] ? ` (${hints[value]})` : "";
  return [
    `${field}: ${JSON.stringify(value)} is not valid${hint}; use one of ${allowed.join(", ")}`,
  ];
}

/** A list that must be given and hold at least one non-empty string. */
export function checkRequiredStringList(field: string, value: unknown, fix: string): string[] {
  if (value === undefined || (Array.isArray(value) && value.length === 0))
    return [`${field}: is required; ${fix}`];
  return checkStringList(field, value);
}

export function checkStringList(field: string, value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length === 0)
    return [`${field}: must be a non-empty list of strings; or leave it out`];
  const problems: string[] = [];
  if (value.length > MAX_PATTERN_LIST_ITEMS)
    problems.push(
      `${field}: has ${value.length} entries; CloudMonitor accepts at most ${MAX_PATTERN_LIST_ITEMS}`,
    );
  value.forEach((item, i) => {
    if (typeof item !== "string" || item.trim() === "")
      problems.push(`${field}[${i}]: must be a non-empty string`);
  });
  return problems;
}

export function checkIntegerRange(
  field: string,
  value: unknown,
  range: { readonly min: number; readonly max: number },
  unit: string,
): string[] {
  if (value === undefined) return [];
  if (
    typeof value !== "number" ||
    !Number.isInteger(value) ||
    value < range.min ||
    value > range.max
  )
    return [
      `${field}: ${JSON.stringify(value)} is out of range; use a whole number of ${unit} from ` +
        `${range.min} to ${range.max}`,
    ];
  return [];
}

export function checkPositiveInteger(field: string, value: unknown, unit: string): string[] {
  if (value === undefined) return [];
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1)
    return [`${field}: ${JSON.stringify(value)} is invalid; use a whole number of ${unit} (>= 1)`];
  return [];
}

export function checkBoolean(field: string, value: unknown): string[] {
  if (value === undefined || typeof value === "boolean") return [];
  return [`${field}: ${JSON.stringify(value)} is not a boolean; use true or false`];
}

export function checkEffectiveInterval(field: string, value: unknown): string[] {
  if (value === undefined) return [];
  if (typeof value !== "string" || !EFFECTIVE_INTERVAL_PATTERN.test(value))
    return [`${field}: ${JSON.stringify(value)} is invalid; use "hh:mm-hh:mm", e.g. "00:00-23:59"`];
  return [];
}

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]", "::1", "0.0.0.0"]);

/**
 * A push URL must be an absolute https URL that CloudMonitor can reach. https is required without
 * exception (no loopback http allowance even for tests): CloudMonitor posts from the public
 * Internet, the Flashduty integration key travels in the URL's query string, and a loopback host
 * is unreachable from Alibaba Cloud, so such a URL could only be a silent misconfiguration. The
 * message never contains the URL itself (it is a secret); only its scheme.
 */
export function checkPushUrl(field: string, value: unknown): string[] {
  const fix = "use the https push URL of the Flashduty integration (or of the receiver)";
  if (typeof value !== "string" || value.trim() === "") return [`${field}: is required; ${fix}`];
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return [`${field}: is not an absolute URL; ${fix}`];
  }
  if (url.protocol !== "https:")
    return [
      `${field}: uses scheme "${url.protocol.replace(/:$/, "")}" but must use https, because ` +
        `CloudMonitor sends over the public Internet and the URL carries the integration key; ${fix}`,
    ];
  if (url.username !== "" || url.password !== "")
    return [`${field}: must not contain user:password@ credentials; ${fix}`];
  if (LOOPBACK_HOSTS.has(url.hostname.toLowerCase()) || url.hostname.startsWith("127."))
    return [`${field}: points at a loopback host, which CloudMonitor cannot reach; ${fix}`];
  return [];
}

/** A threshold: a number, or a string holding one (the provider passes thresholds as strings). */
export function checkThreshold(field: string, value: unknown): string[] {
  const ok =
    (typeof value === "number" && Number.isFinite(value)) ||
    (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value)));
  return ok ? [] : [`${field}: ${JSON.stringify(value)} is not a number; use e.g. 90 or "90.5"`];
}

// Field readers for JSON request bodies. Each one rejects a wrong type or range with
// 400 InvalidParameter whose message names the field, as the API does for bad input.

import { invalidParameter } from "./errors";

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Length in Unicode code points (what a user counts as characters). */
export function charLength(text: string): number {
  return [...text].length;
}

/** Truncates to `max` code points. */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length > max ? chars.slice(0, max).join("") : text;
}

interface IntRule {
  min?: number;
  max?: number;
}

export function optionalInt(
  body: JsonObject,
  field: string,
  rule: IntRule = {},
  path = field,
): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isSafeInteger(value)) {
    throw invalidParameter(path, `must be an integer, got ${describe(value)}`);
  }
  if (rule.min !== undefined && value < rule.min)
    throw invalidParameter(path, `must be >= ${rule.min}, got ${value}`);
  if (rule.max !== undefined && value > rule.max)
    throw invalidParameter(path, `must be <= ${rule.max}, got ${value}`);
  return value;
}

export function requiredInt(
  body: JsonObject,
  field: string,
  rule: IntRule = {},
  path = field,
): number {
  const value = optionalInt(body, field, rule, path);
  if (value === undefined) throw invalidParameter(path, "is required");
  return value;
}

/** An entity id: a positive int64 that fits a JavaScript number. */
export function requiredId(body: JsonObject, field: string, path = field): number {
  return requiredInt(body, field, { min: 1 }, path);
}

interface StringRule {
  min?: number;
  max?: number;
  oneOf?: readonly string[];
}

export function optionalString(
  body: JsonObject,
  field: string,
  rule: StringRule = {},
  path = field,
): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string")
    throw invalidParameter(path, `must be a string, got ${describe(value)}`);
  const length = charLength(value);
  if (rule.min !== undefined && length < rule.min) {
    throw invalidParameter(path, `must be at least ${rule.min} characters, got ${length}`);
  }
  if (rule.max !== undefined && length > rule.max) {
    throw invalidParameter(path, `must be at most ${rule.max} characters, got ${length}`);
  }
  if (rule.oneOf && !rule.oneOf.includes(value)) {
    throw invalidParameter(
      path,
      `must be one of ${rule.oneOf.join("|")}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

export function requiredString(
  body: JsonObject,
  field: string,
  rule: StringRule = {},
  path = field,
): string {
  const value = optionalString(body, field, rule, path);
  if (value === undefined) throw invalidParameter(path, "is required");
  return value;
}

export function optionalBool(body: JsonObject, field: string, path = field): boolean | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean")
    throw invalidParameter(path, `must be a boolean, got ${describe(value)}`);
  return value;
}

export function optionalObject(
  body: JsonObject,
  field: string,
  path = field,
): JsonObject | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw invalidParameter(path, `must be an object, got ${describe(value)}`);
  return value;
}

export function optionalArray(
  body: JsonObject,
  field: string,
  path = field,
): unknown[] | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value))
    throw invalidParameter(path, `must be an array, got ${describe(value)}`);
  return value;
}

export function optionalIdArray(
  body: JsonObject,
  field: string,
  rule: { maxItems?: number } = {},
  path = field,
): number[] | undefined {
  const items = optionalArray(body, field, path);
  if (items === undefined) return undefined;
  if (rule.maxItems !== undefined && items.length > rule.maxItems) {
    throw invalidParameter(path, `must have at most ${rule.maxItems} items, got ${items.length}`);
  }
  return items.map((item, i) => {
    if (typeof item !== "number" || !Number.isSafeInteger(item) || item < 1) {
      throw invalidParameter(
        `${path}[${i}]`,
        `must be a positive integer id, got ${describe(item)}`,
      );
    }
    return item;
  });
}

export function optionalStringArray(
  body: JsonObject,
  field: string,
  path = field,
): string[] | undefined {
  const items = optionalArray(body, field, path);
  if (items === undefined) return undefined;
  return items.map((item, i) => {
    if (typeof item !== "string")
      throw invalidParameter(`${path}[${i}]`, `must be a string, got ${describe(item)}`);
    return item;
  });
}

/** Comma-separated filter values ("a,b"), as several list filters take them. */
export function optionalCsv(body: JsonObject, field: string): string[] | undefined {
  const raw = optionalString(body, field);
  if (raw === undefined || raw.trim() === "") return undefined;
  return raw
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string")
    return `string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + "…" : value)}`;
  if (typeof value === "object") return "an object";
  return `${typeof value} ${String(value)}`;
}

// Reading resource properties as @pulumi/policy 1.21.0 hands them to policies.
//
// - Validation (`validateResource`, `validateStack`): properties are wrapped in an
//   "unknown-checking proxy" that throws `UnknownValueError` when a value is not known yet
//   (preview). Secrets are already unwrapped to plain values there: secretness is NOT observable.
// - Remediation (`remediateResource`): the same proxy around a "secrets-preserving proxy"
//   whose target keeps every secret as a `Secret` instance. Only this path can tell a secret
//   from a plaintext value; see `sensitiveLeaves`.
import { Secret, UnknownValueError } from "@pulumi/policy";

/** Stands for a value the engine does not know yet (an output of a resource not created yet). */
export const UNKNOWN = Symbol("unknown");

// The engine's unknown sentinels, as @pulumi/policy's proxy.js and @pulumi/pulumi's rpc.ts define
// them. Plain objects built by hand (tests, or a future library that drops the proxy) carry these.
const UNKNOWN_SENTINELS: ReadonlySet<string> = new Set([
  "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", // boolean
  "3eeb2bf0-c639-47a8-9e75-3b44932eb421", // number
  "04da6b54-80e4-46f7-96ec-b56ff0331ba9", // string
  "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2", // array
  "030794c1-ac77-496b-92df-f27374a8bd58", // asset
  "e48ece36-62e2-4504-bad9-02848725956a", // archive
  "dd056dcd-154b-4c76-9bd3-c8f88648b5ff", // object
]);

export function isUnknown(value: unknown): boolean {
  return value === UNKNOWN || (typeof value === "string" && UNKNOWN_SENTINELS.has(value));
}

/** `obj[key]`, with unknown values returned as `UNKNOWN` instead of thrown. */
export function get(obj: unknown, key: string | number): unknown {
  if (obj === null || typeof obj !== "object") {
    return undefined;
  }
  try {
    const value = (obj as Record<string | number, unknown>)[key];
    return isUnknown(value) ? UNKNOWN : value;
  } catch (err) {
    if (err instanceof UnknownValueError) {
      return UNKNOWN;
    }
    throw err;
  }
}

/** The elements of an array property; `UNKNOWN` for an unknown array, `undefined` when absent. */
export function getArray(obj: unknown, key: string): unknown[] | typeof UNKNOWN | undefined {
  const value = get(obj, key);
  if (value === UNKNOWN || value === undefined || value === null) {
    return value === null ? undefined : value;
  }
  if (!Array.isArray(value)) {
    return undefined;
  }
  const items: unknown[] = [];
  for (let i = 0; i < value.length; i++) {
    items.push(get(value, i));
  }
  return items;
}

/** A value that is set: not absent, not null, not an empty string (unknown counts as set). */
export function isSet(value: unknown): boolean {
  return value !== undefined && value !== null && value !== "";
}

// @pulumi/policy's proxies answer these two keys (proxy.js `isSpecialProxy` /
// `getSpecialProxyTarget`); its own serializer uses them to reach the raw properties.
const IS_SPECIAL_PROXY = "__isSpecialProxy";
const SPECIAL_PROXY_TARGET = "__getSpecialProxyTarget";

/** Strips @pulumi/policy's proxies, giving the raw properties (with `Secret` wrappers, if any). */
export function rawTarget(value: unknown): unknown {
  let current = value;
  for (let depth = 0; depth < 8; depth++) {
    if (current === null || typeof current !== "object") {
      return current;
    }
    const record = current as Record<string, unknown>;
    if (record[IS_SPECIAL_PROXY] !== true) {
      return current;
    }
    current = record[SPECIAL_PROXY_TARGET];
  }
  return current;
}

/** One string (or number) value somewhere in a resource's properties. */
export interface Leaf {
  /** Property path, e.g. `webhookParameters[0].url`. */
  path: string;
  /** Object keys from the root to the leaf (array indices left out). */
  keys: string[];
  value: string | number | boolean;
  /** True when the value itself or any enclosing value is a Pulumi secret. */
  secret: boolean;
}

/**
 * Every known scalar value in a remediation's properties, with its secretness. Unknown values are
 * skipped: nothing plaintext can leak from a value that does not exist yet, and `pulumi up`
 * registers every resource with known inputs, so the policy sees the real value then.
 */
export function leaves(props: unknown): Leaf[] {
  const out: Leaf[] = [];
  const walk = (value: unknown, path: string, keys: string[], secret: boolean): void => {
    value = rawTarget(value);
    if (value instanceof Secret) {
      walk(value.value, path, keys, true);
      return;
    }
    if (value === null || value === undefined || isUnknown(value)) {
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((item, index) => walk(item, `${path}[${index}]`, keys, secret));
      return;
    }
    if (typeof value === "object") {
      for (const key of Object.keys(value)) {
        const childPath = path === "" ? key : `${path}.${key}`;
        walk((value as Record<string, unknown>)[key], childPath, [...keys, key], secret);
      }
      return;
    }
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
      out.push({ path, keys, value, secret });
    }
  };
  walk(props, "", [], false);
  return out;
}

/** Parsed `urn:pulumi:<stack>::<project>::<parent$...$type>::<name>`. */
export interface ParsedUrn {
  stack: string;
  project: string;
  /** The resource's own type. */
  type: string;
  /** Types of its ancestors, outermost first. */
  parentTypes: string[];
  name: string;
}

export function parseUrn(urn: string): ParsedUrn | undefined {
  const parts = urn.split("::");
  if (parts.length < 4 || !parts[0].startsWith("urn:pulumi:")) {
    return undefined;
  }
  const typeChain = parts[2].split("$");
  return {
    stack: parts[0].slice("urn:pulumi:".length),
    project: parts[1],
    type: typeChain[typeChain.length - 1],
    parentTypes: typeChain.slice(0, -1),
    name: parts.slice(3).join("::"),
  };
}

// Pulumi's preview placeholder for input values not yet known, as dynamic providers' `check` and
// `diff` receive it (`runtime/rpc.ts` `unknownValue`), in any field, string-typed or not.
// Pure functions only: dynamic providers serialize this module by value.

export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** True when `value` itself is the placeholder. */
export function isUnknown(value: unknown): boolean {
  return value === UNKNOWN;
}

/** True when `value` is or contains the placeholder anywhere (in arrays and objects). */
export function containsUnknown(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (typeof value === "object" && value !== null)
    return Object.values(value).some(containsUnknown);
  return false;
}

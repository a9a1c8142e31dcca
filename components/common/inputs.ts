// Component-side view of `pulumi.Input` values before any resource exists: which parts are already
// known plain values that validation can check now, and which are Outputs or Promises that only
// the providers' `check` (or an `apply`) will see. Not used inside dynamic providers.
import * as pulumi from "@pulumi/pulumi";
import { UNKNOWN } from "./unknown";

function isPending(value: unknown): boolean {
  return pulumi.Output.isInstance(value) || value instanceof Promise;
}

/** True when `value` holds no Output or Promise anywhere, so it can be checked synchronously. */
export function isKnownPlain(value: unknown): boolean {
  if (isPending(value)) return false;
  if (Array.isArray(value)) return value.every(isKnownPlain);
  if (value !== null && typeof value === "object") return Object.values(value).every(isKnownPlain);
  return true;
}

/**
 * The value with every Output or Promise inside replaced by {@link UNKNOWN}, the placeholder the
 * validators skip (as they do for preview unknowns); plain parts are kept for checking now.
 */
export function knownParts(value: unknown): unknown {
  if (isPending(value)) return UNKNOWN;
  if (Array.isArray(value)) return value.map(knownParts);
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, knownParts(v)]));
  return value;
}

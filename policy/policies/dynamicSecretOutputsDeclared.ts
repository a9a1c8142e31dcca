// Dynamic providers are not secret-aware: an output is secret only if an input of the same key was
// secret, or if the resource lists it in `additionalSecretOutputs`. A dynamic resource that
// returns a new credential output (the Flashduty integration's `pushUrl` / `integrationKey`)
// must therefore declare it, or state stores it in plaintext.
//
// Unlike secretness, `opts.additionalSecretOutputs` IS observable in validation, and a stack
// policy sees the resources' outputs. So: every top-level output of a
// `pulumi-nodejs:dynamic/...` resource whose name is a credential name must be listed in its
// `additionalSecretOutputs` (harmless for a key that is also a secret input). At preview a new
// resource's outputs are not known yet, so the check bites at `up` (after the step ran: stack
// policies run at the end) and on every later preview.
import { StackValidationPolicy } from "@pulumi/policy";
import { get } from "../lib/values";
import { CREDENTIAL_NAMES, normalise } from "./sensitiveInputsAreSecret";

const DYNAMIC_PREFIX = "pulumi-nodejs:dynamic";

export function undeclaredSecretOutputs(
  type: string,
  props: Record<string, unknown>,
  additionalSecretOutputs: readonly string[],
): string[] {
  if (!type.startsWith(DYNAMIC_PREFIX)) {
    return [];
  }
  return Object.keys(props).filter(
    (key) =>
      key !== "__provider" &&
      CREDENTIAL_NAMES.has(normalise(key)) &&
      get(props, key) !== undefined &&
      !additionalSecretOutputs.includes(key),
  );
}

export const dynamicSecretOutputsDeclared: StackValidationPolicy = {
  name: "dynamic-secret-outputs-declared",
  description:
    "Credential outputs of dynamic resources (pushUrl, integrationKey, …) are declared in additionalSecretOutputs, so state stores them encrypted.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    for (const resource of args.resources) {
      const keys = undeclaredSecretOutputs(
        resource.type,
        resource.props,
        resource.opts.additionalSecretOutputs ?? [],
      );
      if (keys.length > 0) {
        reportViolation(
          `${resource.type} "${resource.name}" returns ${keys.join(", ")} without declaring ` +
            `${keys.length > 1 ? "them" : "it"} secret: dynamic providers are not secret-aware, so ` +
            `pass { additionalSecretOutputs: [${keys.map((k) => `"${k}"`).join(", ")}] } to the resource.`,
          resource.urn,
        );
      }
    }
  },
};

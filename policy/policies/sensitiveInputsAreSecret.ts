// Push URLs, integration keys, app keys and cloud access keys must reach resources only as Pulumi
// secrets, so that state holds them encrypted and the CLI masks them.
//
// Why this is a *remediation* that blocks: @pulumi/policy 1.21.0 unwraps secrets before calling
// `validateResource`/`validateStack` (server.js: `deserializeProperties(props, false)`), so a
// validation cannot tell a secret from plaintext. Only `remediateResource` receives secrets as
// `Secret` wrappers (`deserializeProperties(props, true)`). The policy therefore runs at the
// "remediate" level and, instead of rewriting anything, throws: the engine then fails the preview
// or update ("failed to run remediation"), which blocks like a mandatory violation. It never
// rewrites the value to a secret, because the engine's remediation display would print the old
// plaintext value once.
import { ResourceValidationPolicy, ResourceValidationArgs } from "@pulumi/policy";
import {
  ALIYUN_ALARM,
  ALIYUN_EVENT_RULE,
  VOLCENGINE_CALLBACK_URL,
  VOLCENGINE_EVENT_RULE,
} from "../lib/tokens";
import { Leaf, leaves } from "../lib/values";

/** Property names (lower-cased, punctuation removed) that always hold a credential. */
export const CREDENTIAL_NAMES: ReadonlySet<string> = new Set([
  "appkey",
  "integrationkey",
  "accesskey",
  "accesskeyid",
  "secretkey",
  "accesskeysecret",
  "secretaccesskey",
  "securitytoken",
  "pushurl",
  "token",
  "authtoken",
  "receivertoken",
  "password",
]);

/** Per resource type, the properties that carry a delivery URL (a push URL or a receiver URL). */
const DELIVERY_URL_PATHS: Readonly<Record<string, RegExp>> = {
  [VOLCENGINE_CALLBACK_URL]: /^url$/,
  [VOLCENGINE_EVENT_RULE]: /^endpoint$/,
  [ALIYUN_EVENT_RULE]: /^webhookParameters\[\d+\]\.url$/,
  [ALIYUN_ALARM]: /^webhook$/,
};

/** A Flashduty push URL carries its integration key in the query string. */
const PUSH_URL_KEY = /integration_key=/i;

export interface PlaintextFinding {
  path: string;
  reason: string;
}

export interface SensitiveInputsConfig {
  /** `"<type>#<path>"` entries exempted from the check (a non-secret value with a credential-like name). */
  allowPlaintext?: string[];
}

export const normalise = (key: string): string => key.toLowerCase().replace(/[^a-z0-9]/g, "");

function sensitiveReason(type: string, leaf: Leaf): string | undefined {
  if (typeof leaf.value !== "string" || leaf.value === "") {
    return undefined;
  }
  const deliveryPath = DELIVERY_URL_PATHS[type];
  if (deliveryPath?.test(leaf.path)) {
    return "delivery URL";
  }
  const credentialKey = leaf.keys.find((key) => CREDENTIAL_NAMES.has(normalise(key)));
  if (credentialKey !== undefined) {
    return `credential property "${credentialKey}"`;
  }
  if (PUSH_URL_KEY.test(leaf.value)) {
    return "contains a Flashduty integration_key";
  }
  return undefined;
}

/**
 * The sensitive values in `props` that are not secrets. `props` must be what
 * `remediateResource` receives (secrets still wrapped); values are never included in the result.
 */
export function plaintextSensitiveValues(
  type: string,
  props: unknown,
  allowPlaintext: readonly string[] = [],
): PlaintextFinding[] {
  const findings: PlaintextFinding[] = [];
  for (const leaf of leaves(props)) {
    // A dynamic resource's serialized provider code: its own text mentions `integration_key=`,
    // and the engine marks it secret itself when the closure captured secrets.
    if (leaf.keys[0] === "__provider" || leaf.secret) {
      continue;
    }
    const reason = sensitiveReason(type, leaf);
    if (reason !== undefined && !allowPlaintext.includes(`${type}#${leaf.path}`)) {
      findings.push({ path: leaf.path, reason });
    }
  }
  return findings;
}

export function describeFindings(
  args: ResourceValidationArgs,
  findings: PlaintextFinding[],
): string {
  const list = findings.map((f) => `${f.path} (${f.reason})`).join(", ");
  return (
    `${args.type} "${args.name}": ${list}: plaintext where a Pulumi secret is required. ` +
    "Pass them as Pulumi secrets (pulumi.secret(value), config.requireSecret(key), or an output " +
    "that is already secret such as the Flashduty integration's pushUrl) so state stores them " +
    "encrypted and logs mask them. A value wrongly flagged can be exempted with the policy config " +
    'allowPlaintext: ["<type>#<path>"].'
  );
}

export const sensitiveInputsAreSecret: ResourceValidationPolicy = {
  name: "sensitive-inputs-are-secret",
  description:
    "Push URLs, integration keys, app keys, tokens and cloud access keys reach resources only as Pulumi secrets.",
  enforcementLevel: "remediate",
  configSchema: {
    properties: {
      allowPlaintext: { type: "array", items: { type: "string" }, default: [] },
    },
  },
  remediateResource: (args) => {
    const config = args.getConfig<SensitiveInputsConfig>();
    const findings = plaintextSensitiveValues(args.type, args.props, config.allowPlaintext ?? []);
    if (findings.length > 0) {
      const blocked = new Error(describeFindings(args, findings));
      // @pulumi/policy reports a remediation error as its `stack`: keep the output to the message.
      blocked.stack = blocked.message;
      throw blocked;
    }
    return undefined;
  },
};

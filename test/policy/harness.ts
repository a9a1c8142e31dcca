// Drives the policy pack's validators the way @pulumi/policy 1.21.0's analyzer server does, without
// a Pulumi CLI: properties go through the library's own deserializer and unknown-checking proxy
// (server.js: validation uses `deserializeProperties(props, false)`, remediation `(props, true)`),
// fed with the wire encoding the engine uses (secret and unknown sentinels).
//
// The policy pack is its own npm project (policy/), so its @pulumi/policy is imported by path.
import {
  PolicyResource,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
  unknownCheckingProxy,
} from "../../policy/node_modules/@pulumi/policy";

// The gRPC Struct the engine sends, and @pulumi/policy's internal module (its d.ts exports nothing)
// holding the exact deserializer server.js uses.
const STRUCT_MODULE = "../../policy/node_modules/google-protobuf/google/protobuf/struct_pb";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Struct } = require(STRUCT_MODULE) as {
  Struct: { fromJavaScript(value: Record<string, unknown>): unknown };
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const deserialize = require("../../policy/node_modules/@pulumi/policy/deserialize") as {
  deserializeProperties(struct: unknown, keepSecrets: boolean): Record<string, unknown>;
};

/** How the engine encodes an unknown string/array/object at preview (rpc.ts / proxy.js). */
export const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
export const UNKNOWN_ARRAY = "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2";

/** How the engine encodes a secret on the wire (`specialSigKey: specialSecretSig`). */
export function secret(value: unknown): Record<string, unknown> {
  return { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value };
}

export type Path = "validate" | "remediate";

/** Wire-encoded properties → what a policy receives on the given server path. */
export function engineProps(wire: Record<string, unknown>, path: Path): Record<string, unknown> {
  // Struct.fromJavaScript rejects undefined; JSON round-trip mirrors the gRPC Struct encoding.
  const struct = Struct.fromJavaScript(JSON.parse(JSON.stringify(wire)));
  return unknownCheckingProxy(deserialize.deserializeProperties(struct, path === "remediate"));
}

export function urnOf(
  type: string,
  name: string,
  parentTypes: string[] = [],
  stack = "dev",
): string {
  return `urn:pulumi:${stack}::flashduty-wiring::${[...parentTypes, type].join("$")}::${name}`;
}

export interface ResourceOptions {
  parentTypes?: string[];
  stack?: string;
  config?: object;
  path?: Path;
}

export function resourceArgs(
  type: string,
  name: string,
  wire: Record<string, unknown>,
  options: ResourceOptions = {},
): ResourceValidationArgs {
  const props = engineProps(wire, options.path ?? "validate");
  return {
    type,
    props,
    urn: urnOf(type, name, options.parentTypes, options.stack),
    name,
    opts: {
      protect: false,
      ignoreChanges: [],
      aliases: [],
      customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
      additionalSecretOutputs: [],
    },
    stackTags: new Map(),
    isType: () => false,
    asType: () => undefined,
    getConfig: <T extends object>() => (options.config ?? {}) as T,
    notApplicable: (reason?: string): never => {
      throw new Error(`notApplicable: ${reason}`);
    },
  };
}

/** Runs a resource policy's validations; returns the violation messages. */
export async function validateResource(
  policy: ResourceValidationPolicy,
  args: ResourceValidationArgs,
): Promise<string[]> {
  const violations: string[] = [];
  const validations = Array.isArray(policy.validateResource)
    ? policy.validateResource
    : policy.validateResource
      ? [policy.validateResource]
      : [];
  if (validations.length === 0) {
    throw new Error(`policy ${policy.name} has no validateResource`);
  }
  for (const validate of validations) {
    await validate(args, (message) => violations.push(message));
  }
  return violations;
}

/** Runs a policy's remediation; returns the error it throws (the engine fails the step), if any. */
export async function remediate(
  policy: ResourceValidationPolicy,
  args: ResourceValidationArgs,
): Promise<{ error?: Error; result?: unknown }> {
  if (!policy.remediateResource) {
    throw new Error(`policy ${policy.name} has no remediateResource`);
  }
  try {
    return { result: await policy.remediateResource(args) };
  } catch (err) {
    return { error: err as Error };
  }
}

export interface StackResourceOptions {
  parentTypes?: string[];
  stack?: string;
}

export function stackResource(
  type: string,
  name: string,
  wire: Record<string, unknown>,
  options: StackResourceOptions = {},
): PolicyResource {
  const props = engineProps(wire, "validate");
  return {
    type,
    props,
    urn: urnOf(type, name, options.parentTypes, options.stack),
    name,
    opts: {
      protect: false,
      ignoreChanges: [],
      aliases: [],
      customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
      additionalSecretOutputs: [],
    },
    dependencies: [],
    propertyDependencies: {},
    isType: () => false,
    asType: () => undefined,
  };
}

/** Records that `property` of `resource` was computed from `on` (as the engine reports it). */
export function dependsOn(
  resource: PolicyResource,
  property: string,
  ...on: PolicyResource[]
): void {
  resource.propertyDependencies[property] = [
    ...(resource.propertyDependencies[property] ?? []),
    ...on,
  ];
  for (const dep of on) {
    if (!resource.dependencies.includes(dep)) {
      resource.dependencies.push(dep);
    }
  }
}

export interface StackViolation {
  message: string;
  urn?: string;
}

export async function validateStack(
  policy: StackValidationPolicy,
  resources: PolicyResource[],
  config: object = {},
): Promise<StackViolation[]> {
  const violations: StackViolation[] = [];
  const args: StackValidationArgs = {
    resources,
    stackTags: new Map(),
    getConfig: <T extends object>() => config as T,
    notApplicable: (reason?: string): never => {
      throw new Error(`notApplicable: ${reason}`);
    },
  };
  await policy.validateStack(args, (message, urn) => violations.push({ message, urn }));
  return violations;
}

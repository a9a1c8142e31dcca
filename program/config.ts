// The per-environment stack configuration of the wiring program: its schema, and a loader that
// reports every problem at once, each with the key path and the fix, before any resource is made.
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { formatProblems } from "../components/common/problems";
import { INTEGRATION_KINDS, IntegrationKind } from "../components/flashduty/integration";

export const PROJECT = "flashduty-wiring";

const channelRef = z
  .union([z.number().int().positive(), z.string().min(1)])
  .describe(
    "a Flashduty channel id (number) or the key of a channel declared in flashduty.channels",
  );

const condition = z.strictObject({
  key: z
    .string()
    .min(1, { error: "set the alert field to match, e.g. severity or labels.service" }),
  oper: z.enum(["IN", "NOTIN"], { error: "use IN or NOTIN" }),
  vals: z.array(z.string()).min(1, { error: "list at least one value to match" }),
});

const routeCase = z
  .strictObject({
    if: z.array(condition).min(1, { error: "a case needs at least one condition under `if`" }),
    channels: z.array(channelRef).optional(),
    fallthrough: z.boolean().optional(),
    routingMode: z.enum(["standard", "name_mapping"]).optional(),
    nameMappingLabel: z.string().min(1).optional(),
  })
  .superRefine((c, ctx) => {
    const mode = c.routingMode ?? "standard";
    if (mode === "standard" && (!c.channels || c.channels.length === 0)) {
      ctx.addIssue({
        code: "custom",
        path: ["channels"],
        message: "a standard case needs `channels`; or set routingMode: name_mapping",
      });
    }
    if (mode === "name_mapping" && !c.nameMappingLabel) {
      ctx.addIssue({
        code: "custom",
        path: ["nameMappingLabel"],
        message: "routingMode name_mapping needs nameMappingLabel, e.g. labels.service",
      });
    }
  });

const routing = z
  .strictObject({
    style: z.enum(["private", "shared"], {
      error: "use `private` (one channel) or `shared` (cases plus a default)",
    }),
    channel: channelRef.optional(),
    cases: z.array(routeCase).optional(),
    default: z.strictObject({ channels: z.array(channelRef).min(1) }).optional(),
  })
  .superRefine((r, ctx) => {
    if (r.style === "private") {
      if (r.channel === undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["channel"],
          message: "a private integration routes to one channel: set `channel`",
        });
      }
      for (const k of ["cases", "default"] as const) {
        if (r[k] !== undefined) {
          ctx.addIssue({
            code: "custom",
            path: [k],
            message: `\`${k}\` applies to style shared only; remove it or use style: shared`,
          });
        }
      }
    } else {
      if (r.channel !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["channel"],
          message: "`channel` applies to style private only; use `default.channels` instead",
        });
      }
      if ((r.cases ?? []).length === 0 && r.default === undefined) {
        ctx.addIssue({
          code: "custom",
          path: [],
          message:
            "a shared integration without routing rules drops every alert: add `cases` or `default`",
        });
      }
    }
  });

const kindOverride = z.strictObject({
  pluginType: z.string().min(1).optional(),
  pushPath: z
    .string()
    .regex(/^[A-Za-z0-9._-]+$/, { error: "a single URL path segment, e.g. standard" })
    .optional(),
  routing: routing.optional(),
  adoptId: z
    .number()
    .int()
    .positive({ error: "the numeric id of an existing shared integration of this kind" })
    .optional(),
  keyRotation: z
    .string()
    .min(1, { error: "any non-empty string, e.g. a date; change it to rotate the key" })
    .optional(),
});

// The kinds are the Integration resource's own list, so the two cannot drift apart.
export { INTEGRATION_KINDS };
export type { IntegrationKind };

const flashduty = z.strictObject({
  teamId: z.number().int().nonnegative().optional(),
  namePrefix: z.string().min(1).max(30).optional(),
  receiverIntegration: z.boolean().optional(),
  channels: z
    .array(
      z.strictObject({
        key: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, {
          error: "lowercase letters, digits and dashes, e.g. sre-prod",
        }),
        name: z.string().min(1).max(59),
        teamId: z.number().int().positive({ error: "channels need the owning team's id" }),
        description: z.string().max(500).optional(),
        adoptId: z.number().int().positive().optional(),
      }),
    )
    .optional(),
  routing,
  kinds: z.partialRecord(z.enum(INTEGRATION_KINDS), kindOverride).optional(),
});

const delivery = z.enum(["direct", "receiver"], {
  error: "use `direct` (cloud → Flashduty integration) or `receiver` (cloud → bundled receiver)",
});

// Cloud sections mirror the components' args (AliyunEventPushArgs, VolcengineEventPushArgs) key for
// key, so a component's validation message names the same path as the stack file. Here only shapes
// and types are checked; the components own the semantic rules (names, ranges, enums).
const stringList = z.array(z.string());

const aliyunEscalation = z.strictObject({
  statistics: z.string(),
  comparisonOperator: z.string(),
  threshold: z.union([z.number(), z.string()]),
  times: z.number().int().optional(),
});

const aliyun = z.strictObject({
  enabled: z.boolean(),
  delivery,
  // `subscription` (default): a CMS 2.0 push channel + notify policies (AliyunEventSubscription);
  // `event-rule`: the older event-alert rules + threshold alarms (AliyunEventPush).
  mode: z
    .enum(["subscription", "event-rule"], {
      error: "use `subscription` (push channel + subscription policies) or `event-rule`",
    })
    .optional(),
  workspace: z.string().optional(),
  cmsEndpoint: z
    .url({
      protocol: /^https?$/,
      error: "an http(s) URL, e.g. https://cms.cn-hangzhou.aliyuncs.com",
    })
    .optional(),
  pushChannel: z
    .strictObject({
      name: z.string().optional(),
      adoptId: z.string().optional(),
    })
    .optional(),
  notifyPolicies: z
    .array(
      z.strictObject({
        name: z.string(),
        products: stringList.optional(),
        levels: stringList.optional(),
        eventNames: stringList.optional(),
        sources: stringList.optional(),
        includeLegacyEvents: z.boolean().optional(),
        enabled: z.boolean().optional(),
        description: z.string().optional(),
      }),
    )
    .optional(),
  subscriptionPolicies: z
    .array(
      z.strictObject({
        name: z.string(),
        product: z.string(),
        eventTypes: stringList.optional(),
        levels: stringList.optional(),
        eventNames: stringList.optional(),
        sqlFilter: z.string().optional(),
        silenceTime: z.number().int().optional(),
        enabled: z.boolean().optional(),
        description: z.string().optional(),
      }),
    )
    .optional(),
  metricAlarms: z
    .array(
      z.strictObject({
        name: z.string(),
        project: z.string(),
        metric: z.string(),
        contactGroups: stringList,
        dimensions: z.array(z.record(z.string(), z.string())),
        escalations: z.strictObject({
          critical: aliyunEscalation.optional(),
          warn: aliyunEscalation.optional(),
          info: aliyunEscalation.optional(),
        }),
        period: z.number().int().optional(),
        silenceTime: z.number().int().optional(),
        effectiveInterval: z.string().optional(),
        enabled: z.boolean().optional(),
      }),
    )
    .optional(),
});

const volcengine = z.strictObject({
  enabled: z.boolean(),
  delivery,
  callbackName: z.string().optional(),
  callbackAdoptId: z.string().optional(),
  rules: z
    .array(
      z.strictObject({
        ruleName: z.string(),
        key: z.string().optional(),
        description: z.string().optional(),
        eventSource: z.string(),
        eventTypes: stringList.optional(),
        level: z.string(),
        effectiveTime: z.strictObject({ startTime: z.string(), endTime: z.string() }).optional(),
        enabled: z.boolean().optional(),
        adoptId: z.string().optional(),
      }),
    )
    .optional(),
});

const receiver = z
  .strictObject({
    url: z
      .url({ protocol: /^https?$/, error: "an http(s) URL, e.g. https://receiver.example.com" })
      .optional(),
    stack: z
      .string()
      .regex(/^[^/\s]+(\/[^/\s]+){0,2}$/, { error: "a stack name such as org/project/stack" })
      .optional(),
  })
  .superRefine((r, ctx) => {
    if ((r.url === undefined) === (r.stack === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: [],
        message: "set exactly one of receiver.url and receiver.stack",
      });
    }
  });

export const wiringConfigSchema = z.strictObject({
  environment: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/)
    .optional(),
  flashduty,
  aliyun: aliyun.optional(),
  volcengine: volcengine.optional(),
  receiver: receiver.optional(),
});

export type WiringConfig = z.infer<typeof wiringConfigSchema>;

/** Top-level keys of the project namespace; anything else under `flashduty-wiring:` is a typo. */
const KNOWN_KEYS = [
  "environment",
  "flashduty",
  "aliyun",
  "volcengine",
  "receiver",
  "receiverToken",
];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      formatProblems(
        `The stack configuration has ${problems.length} problem${problems.length === 1 ? "" : "s"}:`,
        problems,
      ),
    );
    this.name = "ConfigError";
  }
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const part of path) {
    out += typeof part === "number" ? `[${part}]` : `${out === "" ? "" : "."}${String(part)}`;
  }
  return out;
}

/** Turns zod issues into "key.path: message" lines, naming unknown keys explicitly. */
export function describeIssues(
  issues: ReadonlyArray<z.core.$ZodIssue>,
  prefix = PROJECT,
): string[] {
  return issues.map((issue) => {
    const where = `${prefix}:${formatPath(issue.path)}`.replace(/:$/, "");
    if (issue.code === "unrecognized_keys") {
      return `${where}: unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys
        .map((k) => `\`${k}\``)
        .join(", ")}: remove or correct the spelling (see docs/configuration.md)`;
    }
    return `${where}: ${issue.message}`;
  });
}

/** Messages with the fix for the issues whose schema gives none (types, missing keys). */
function explainIssue(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code !== "invalid_type") return undefined;
  if (issue.input === undefined)
    return `missing: this key is required (expected ${issue.expected})`;
  const got = Array.isArray(issue.input) ? "array" : typeof issue.input;
  return `expected ${issue.expected === "boolean" ? "true or false" : `a${/^[aeiou]/.test(issue.expected) ? "n" : ""} ${issue.expected}`}, got ${got} ${JSON.stringify(issue.input)}`;
}

/** Parses a raw config object (as read from the stack) and throws one ConfigError listing every problem. */
export function parseWiringConfig(raw: Record<string, unknown>): WiringConfig {
  const problems: string[] = [];
  for (const key of Object.keys(raw)) {
    if (!KNOWN_KEYS.includes(key)) {
      problems.push(
        `${PROJECT}:${key}: unknown key: remove or correct the spelling (known: ${KNOWN_KEYS.join(", ")})`,
      );
    }
  }
  const { receiverToken, ...rest } = raw;
  const known = Object.fromEntries(Object.entries(rest).filter(([k]) => KNOWN_KEYS.includes(k)));
  const parsed = wiringConfigSchema.safeParse(known, { error: explainIssue });
  if (!parsed.success) problems.push(...describeIssues(parsed.error.issues));
  if (parsed.success) problems.push(...crossChecks(parsed.data, receiverToken !== undefined));
  if (problems.length > 0) throw new ConfigError(problems);
  return parsed.data as WiringConfig;
}

/** Whether any enabled cloud delivers through the bundled receiver. */
export function cloudsUseReceiver(cfg: WiringConfig): boolean {
  return [cfg.aliyun, cfg.volcengine].some((c) => c?.enabled && c.delivery === "receiver");
}

/** Rules that span several keys: channel references and the receiver settings. */
function crossChecks(cfg: WiringConfig, hasReceiverToken: boolean): string[] {
  const problems: string[] = [];
  const declared = new Set((cfg.flashduty.channels ?? []).map((c) => c.key));
  const seen = new Set<string>();
  for (const [i, c] of (cfg.flashduty.channels ?? []).entries()) {
    if (seen.has(c.key)) {
      problems.push(`${PROJECT}:flashduty.channels[${i}].key: \`${c.key}\` is declared twice`);
    }
    seen.add(c.key);
  }
  const checkRef = (ref: number | string, where: string) => {
    if (typeof ref === "string" && !declared.has(ref)) {
      problems.push(
        `${PROJECT}:${where}: channel \`${ref}\` is not declared in flashduty.channels; ` +
          "declare it there or use the numeric channel id",
      );
    }
  };
  const checkRouting = (r: WiringConfig["flashduty"]["routing"], base: string) => {
    if (r.channel !== undefined) checkRef(r.channel, `${base}.channel`);
    r.cases?.forEach((c, i) =>
      c.channels?.forEach((ch, j) => checkRef(ch, `${base}.cases[${i}].channels[${j}]`)),
    );
    r.default?.channels.forEach((ch, j) => checkRef(ch, `${base}.default.channels[${j}]`));
  };
  checkRouting(cfg.flashduty.routing, "flashduty.routing");
  for (const [kind, o] of Object.entries(cfg.flashduty.kinds ?? {})) {
    if (o?.routing) checkRouting(o.routing, `flashduty.kinds.${kind}.routing`);
  }
  problems.push(...aliyunModeChecks(cfg));
  const usesReceiver = cloudsUseReceiver(cfg);
  if (usesReceiver && cfg.receiver === undefined) {
    problems.push(
      `${PROJECT}:receiver: a cloud has delivery: receiver; set receiver.url ` +
        "(with receiverToken as a secret) or receiver.stack",
    );
  }
  if (cfg.receiver?.url !== undefined && !hasReceiverToken) {
    problems.push(
      `${PROJECT}:receiverToken: missing; the receiver at receiver.url needs its token: ` +
        "pulumi config set --secret receiverToken <token>",
    );
  }
  return problems;
}

/** Which Alibaba Cloud path a configuration selects (`subscription` unless it says otherwise). */
export function aliyunMode(cfg: WiringConfig): "subscription" | "event-rule" {
  return cfg.aliyun?.mode ?? "subscription";
}

/** Keys that belong to the other Alibaba Cloud mode are errors, not silently ignored. */
function aliyunModeChecks(cfg: WiringConfig): string[] {
  const ali = cfg.aliyun;
  if (!ali?.enabled) return [];
  const mode = aliyunMode(cfg);
  const problems: string[] = [];
  const other = mode === "subscription" ? "event-rule" : "subscription";
  const foreign =
    mode === "subscription"
      ? (["subscriptionPolicies", "metricAlarms"] as const)
      : (["notifyPolicies", "workspace", "pushChannel"] as const);
  for (const key of foreign) {
    if (ali[key] !== undefined)
      problems.push(
        `${PROJECT}:aliyun.${key}: applies to mode ${other}, but aliyun.mode is ${mode}` +
          `${mode === "subscription" && ali.mode === undefined ? " (the default)" : ""}; ` +
          (mode === "subscription"
            ? "declare subscription policies under aliyun.notifyPolicies, or set aliyun.mode: event-rule to keep the event-rule path"
            : `remove it, or set aliyun.mode: ${other}`),
      );
  }
  return problems;
}

const OBJECT_KEYS = new Set(["flashduty", "aliyun", "volcengine", "receiver"]);

function parseStructured(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value; // reported by the schema as "expected object"
  }
}

/** Whether Pulumi holds this key as a secret (`pulumi config set --secret`). */
function isStoredAsSecret(fullKey: string): boolean {
  // `isConfigSecret` is exported by the runtime but not declared in its typings.
  const runtime = pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean };
  return runtime.isConfigSecret ? runtime.isConfigSecret(fullKey) : true;
}

/** Reads the project's namespace from the running stack's configuration. */
export function loadWiringConfig(): WiringConfig {
  const raw: Record<string, unknown> = {};
  const prefix = `${PROJECT}:`;
  const all = pulumi.runtime.allConfig();
  const problems: string[] = [];
  for (const [fullKey, value] of Object.entries(all)) {
    if (!fullKey.startsWith(prefix)) continue;
    const key = fullKey.slice(prefix.length);
    if (key === "receiverToken") {
      // Read as a secret by the program; here only checked that it was stored as one.
      if (!isStoredAsSecret(fullKey)) {
        problems.push(
          `${fullKey}: stored in plain text; set it with \`pulumi config set --secret receiverToken\``,
        );
      }
      raw[key] = "(secret)";
      continue;
    }
    raw[key] = OBJECT_KEYS.has(key) ? parseStructured(value) : value;
  }
  let parsed: WiringConfig | undefined;
  try {
    parsed = parseWiringConfig(raw);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems);
  }
  if (problems.length > 0 || parsed === undefined) throw new ConfigError(problems);
  return parsed;
}

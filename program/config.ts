// The per-environment stack configuration of the wiring program: its schema, and a loader that
// reports every problem at once, each with the key path and the fix, before any resource is made.
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { formatProblems } from "../components/common/problems";
import { DEFAULT_BASE_URL } from "../components/flashduty/config";
import { INTEGRATION_KINDS, IntegrationKind } from "../components/flashduty/integration";
import { checkPushUrl, pushPathProblem } from "../components/flashduty/pushUrl";
import {
  Failure,
  checkDescription,
  checkEventTypes,
  checkRuleName,
} from "../components/volcengine/validation";

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
    .refine((p) => pushPathProblem(p) === undefined, {
      error: (issue) =>
        `the push path after /event/push/alert/: ${pushPathProblem(issue.input) ?? "invalid"}`,
    })
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
  // Pulumi's retainOnDelete on the kind's Integration: the first step of a switch to console mode
  // (docs/configuration.md, "Console-created integrations").
  retainOnDelete: z.boolean().optional(),
  // Console-created integrations (docs/configuration.md, "Console-created integrations"). The URL
  // is checked in crossChecks, whose messages never print it.
  pushUrl: z
    .string({
      error:
        "the integration's Push URL from the Flashduty console, as a secret: " +
        "pulumi config set --secret --path 'flashduty.kinds.<kind>.pushUrl' '<push URL>'",
    })
    .optional(),
  integrationId: z
    .number()
    .int()
    .positive({
      error:
        "the numeric id of the console-created shared integration whose routing rules this stack manages",
    })
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
  routing: routing.optional(),
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
      z
        .strictObject({
          ruleName: z.string(),
          key: z.string().optional(),
          description: z.string().optional(),
          eventSource: z.string(),
          eventTypes: stringList.optional(),
          level: z.string(),
          effectiveTime: z.strictObject({ startTime: z.string(), endTime: z.string() }).optional(),
          enabled: z.boolean().optional(),
          adoptId: z.string().optional(),
        })
        // The rules Volcengine's API enforces (name, event types, description), checked here so
        // that `pulumi preview` fails on them, not `up` after the callback already exists.
        .superRefine((rule, ctx) => {
          const failures: Failure[] = [
            ...checkRuleName(rule.ruleName),
            ...checkEventTypes(rule.eventTypes),
            ...checkDescription(rule.description),
          ];
          for (const f of failures)
            ctx.addIssue({ code: "custom", path: failurePath(f.property), message: f.reason });
        }),
    )
    .optional(),
});

/** "eventTypes[1]" → ["eventTypes", 1] */
function failurePath(property: string): Array<string | number> {
  return property
    .split(/\.|\[(\d+)\]/)
    .filter((p) => p !== undefined && p !== "")
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

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
  // A push URL set at the wrong path (e.g. `kinds.<kind>` instead of `kinds.<kind>.pushUrl`) must
  // not be echoed: it carries the integration key.
  const shown =
    typeof issue.input === "string" && /integration_key=/i.test(issue.input)
      ? "(a push URL: not shown; it belongs under flashduty.kinds.<kind>.pushUrl)"
      : JSON.stringify(issue.input);
  return `expected ${issue.expected === "boolean" ? "true or false" : `a${/^[aeiou]/.test(issue.expected) ? "n" : ""} ${issue.expected}`}, got ${got} ${shown}`;
}

export interface ParseOptions {
  /**
   * The push base the stack is configured with (`flashduty:pushBaseUrl`, else `flashduty:baseUrl`,
   * else https://api.flashcat.cloud): console push URLs must be on its host.
   */
  readonly pushBaseUrl?: string;
}

/** Parses a raw config object (as read from the stack) and throws one ConfigError listing every problem. */
export function parseWiringConfig(
  raw: Record<string, unknown>,
  options: ParseOptions = {},
): WiringConfig {
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
  if (parsed.success)
    problems.push(
      ...crossChecks(parsed.data, receiverToken !== undefined),
      ...consoleChecks(parsed.data, options.pushBaseUrl ?? DEFAULT_BASE_URL),
    );
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
  const checkRouting = (r: NonNullable<WiringConfig["flashduty"]["routing"]>, base: string) => {
    if (r.channel !== undefined) checkRef(r.channel, `${base}.channel`);
    r.cases?.forEach((c, i) =>
      c.channels?.forEach((ch, j) => checkRef(ch, `${base}.cases[${i}].channels[${j}]`)),
    );
    r.default?.channels.forEach((ch, j) => checkRef(ch, `${base}.default.channels[${j}]`));
  };
  if (cfg.flashduty.routing) checkRouting(cfg.flashduty.routing, "flashduty.routing");
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

/** Kinds given as console-created integrations (`pushUrl` set). */
export function consoleKinds(cfg: WiringConfig): IntegrationKind[] {
  return Object.entries(cfg.flashduty.kinds ?? {})
    .filter(([, o]) => o?.pushUrl !== undefined)
    .map(([k]) => k as IntegrationKind);
}

/** Keys that only apply to integrations this stack creates through `/integration/*`. */
const API_ONLY_KEYS = [
  "pluginType",
  "pushPath",
  "adoptId",
  "keyRotation",
  "retainOnDelete",
] as const;

/** Console-created integrations: the push URL's shape and the keys that go with it. */
function consoleChecks(cfg: WiringConfig, pushBaseUrl: string): string[] {
  const problems: string[] = [];
  for (const [kind, o] of Object.entries(cfg.flashduty.kinds ?? {})) {
    if (!o) continue;
    const base = `${PROJECT}:flashduty.kinds.${kind}`;
    if (o.pushUrl === undefined) {
      if (o.integrationId !== undefined)
        problems.push(
          `${base}.integrationId: applies to an integration created in the Flashduty console; also give its ` +
            `push URL (pulumi config set --secret --path 'flashduty.kinds.${kind}.pushUrl' '<push URL>'), ` +
            "or use adoptId to adopt a shared integration through the integration API",
        );
      continue;
    }
    for (const p of checkPushUrl(o.pushUrl, pushBaseUrl).problems)
      problems.push(`${base}.pushUrl: ${p}`);
    for (const key of API_ONLY_KEYS)
      if (key === "retainOnDelete" && o[key] !== undefined)
        problems.push(
          `${base}.retainOnDelete: applies to an integration this stack creates through the integration API; ` +
            "to switch this kind to the console-created integration without deleting the API-created one, " +
            "first run `pulumi up` with retainOnDelete: true and no pushUrl, then set pushUrl and remove " +
            'retainOnDelete (docs/configuration.md, "Switching an existing API-mode kind to console mode")',
        );
      else if (o[key] !== undefined)
        problems.push(
          `${base}.${key}: applies to integrations this stack creates through the integration API; ` +
            "a console-created integration (pushUrl) is used as it is: remove it",
        );
    if (o.integrationId === undefined && o.routing !== undefined)
      problems.push(
        `${base}.routing: routing rules need the integration's id: set flashduty.kinds.${kind}.integrationId ` +
          "(a shared integration; see docs/configuration.md), or remove routing (a private integration delivers to its channel)",
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

/** The push base as the Flashduty providers resolve it (components/flashduty/config.ts). */
function configuredPushBase(all: Record<string, string>, env = process.env): string {
  const pick = (...values: (string | undefined)[]) =>
    values.map((v) => v?.trim()).find((v) => v !== undefined && v !== "");
  const base = pick(all["flashduty:baseUrl"], env.FLASHDUTY_BASE_URL) ?? DEFAULT_BASE_URL;
  return pick(all["flashduty:pushBaseUrl"], env.FLASHDUTY_PUSH_BASE_URL) ?? base;
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
  // A push URL carries its integration key: refuse it in plain text. Pulumi marks a structured key
  // secret as a whole when any value inside it was set with --secret.
  const flashdutyRaw = raw.flashduty as
    { kinds?: Record<string, { pushUrl?: unknown }> } | undefined;
  const plainPushUrls = Object.entries(flashdutyRaw?.kinds ?? {})
    .filter(([, o]) => o && typeof o === "object" && o.pushUrl !== undefined)
    .map(([kind]) => kind);
  if (plainPushUrls.length > 0 && !isStoredAsSecret(`${prefix}flashduty`)) {
    for (const kind of plainPushUrls)
      problems.push(
        `${prefix}flashduty.kinds.${kind}.pushUrl: stored in plain text, but a push URL carries the ` +
          `integration key: set it again with \`pulumi config set --secret --path 'flashduty.kinds.${kind}.pushUrl' '<push URL>'\``,
      );
  }
  let parsed: WiringConfig | undefined;
  try {
    parsed = parseWiringConfig(raw, { pushBaseUrl: configuredPushBase(all) });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems);
  }
  if (problems.length > 0 || parsed === undefined) throw new ConfigError(problems);
  return parsed;
}

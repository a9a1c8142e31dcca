// Stack configuration of the receiver deployment (project flashduty-receiver). Every problem is
// reported at once, naming the key and the fix, before any resource exists; secret values are never
// echoed. The token and a directly given push URL are checked exactly as the receiver checks its
// environment at start, so a value the function would refuse fails `pulumi up` instead.
import * as pulumi from "@pulumi/pulumi";
import { ConfigError as ReceiverConfigError, resolveOptions } from "../../receiver/config";

export const PROJECT = "flashduty-receiver";

/**
 * Flashduty's push rate limit, per integration (standard alert push doc; flashduty-api.md, Update
 * section and §5): 100 pushes per second and 1000 per minute, then 429. Every instance of the
 * function has its own limiter, so together they must stay under these.
 */
export const FLASHDUTY_PUSH_LIMIT = { perSecond: 100, perMinute: 1000 } as const;
/** The receiver's own defaults for one process (receiver/config.ts), a little under the limit. */
const SINGLE_PROCESS_RATE = { perSecond: 98, perMinute: 950 } as const;
const MAX_INSTANCES_LIMIT = 50;

export interface ReceiverStackConfig {
  /** RECEIVER_TOKEN, as a secret. */
  readonly token: pulumi.Output<string>;
  /** Push URL given directly (`flashdutyPushUrl`), as a secret; or read from `wiringStack`. */
  readonly pushUrl?: pulumi.Output<string>;
  /** The wiring stack whose `receiverPushUrl` output to forward to (org/project/stack). */
  readonly wiringStack?: string;
  readonly functionName: string;
  readonly memorySize: number;
  readonly cpu: number;
  readonly instanceConcurrency: number;
  /** Most instances the function may run at once (FC reserved concurrency). */
  readonly maxInstances: number;
  /** Each instance's FORWARD_RATE_PER_SECOND / FORWARD_RATE_PER_MINUTE. */
  readonly forwardRatePerSecond: number;
  readonly forwardRatePerMinute: number;
  readonly timeoutSeconds: number;
  readonly syncTimeoutMs: number;
  readonly logLevel: string;
  readonly log?: { project: string; logstore: string };
  readonly role?: string;
}

export class ReceiverStackConfigError extends pulumi.RunError {
  constructor(readonly problems: string[]) {
    super(
      `The receiver stack configuration has ${problems.length} problem${problems.length === 1 ? "" : "s"}:\n` +
        problems.map((p) => `  - ${p}`).join("\n"),
    );
    this.name = "ReceiverStackConfigError";
  }
}

const KNOWN_KEYS = [
  "receiverToken",
  "flashdutyPushUrl",
  "wiringStack",
  "functionName",
  "memorySize",
  "cpu",
  "instanceConcurrency",
  "maxInstances",
  "forwardRatePerSecond",
  "forwardRatePerMinute",
  "timeoutSeconds",
  "syncTimeoutMs",
  "logLevel",
  "log",
  "role",
];

const TOKEN_FIX = `pulumi config set --secret receiverToken "$(openssl rand -hex 24)"`;

/** Whether Pulumi holds this key as a secret (`pulumi config set --secret`). */
function isStoredAsSecret(fullKey: string): boolean {
  // `isConfigSecret` is exported by the runtime but not declared in its typings.
  const runtime = pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean };
  return runtime.isConfigSecret ? runtime.isConfigSecret(fullKey) : true;
}

/** The receiver's own message, reworded for a config key (it names its environment variable). */
function receiverCheck(key: string, variable: string, check: () => void, problems: string[]): void {
  try {
    check();
  } catch (err) {
    if (!(err instanceof ReceiverConfigError)) throw err;
    problems.push(`${PROJECT}:${key} (the function's ${variable}): ${err.message}`);
  }
}

/** Validates a push URL the way the function will at start; throws without echoing it. */
export function checkPushUrl(pushUrl: string, where: string): void {
  try {
    resolveOptions({ host: "127.0.0.1", pushUrl, delivery: "sync" });
  } catch (err) {
    if (!(err instanceof ReceiverConfigError)) throw err;
    throw new ReceiverStackConfigError([
      `${where} (the function's FLASHDUTY_PUSH_URL): ${err.message}`,
    ]);
  }
}

export function loadReceiverStackConfig(stack: string = pulumi.getStack()): ReceiverStackConfig {
  const config = new pulumi.Config(PROJECT);
  const problems: string[] = [];
  const prefix = `${PROJECT}:`;
  for (const fullKey of Object.keys(pulumi.runtime.allConfig())) {
    if (!fullKey.startsWith(prefix)) continue;
    const key = fullKey.slice(prefix.length);
    if (!KNOWN_KEYS.includes(key))
      problems.push(
        `${fullKey}: unknown key: remove or correct the spelling (known: ${KNOWN_KEYS.join(", ")})`,
      );
  }

  const tokenValue = config.get("receiverToken");
  if (tokenValue === undefined) {
    problems.push(
      `${prefix}receiverToken: missing; the callbacks carry it in their URL (?token=…). Generate and store one with \`${TOKEN_FIX}\``,
    );
  } else {
    if (!isStoredAsSecret(`${prefix}receiverToken`))
      problems.push(
        `${prefix}receiverToken: stored in plain text; store it as a secret: \`${TOKEN_FIX}\` (and rotate it: the plain value is in the stack file's history)`,
      );
    receiverCheck(
      "receiverToken",
      "RECEIVER_TOKEN",
      () => resolveOptions({ host: "0.0.0.0", token: tokenValue }),
      problems,
    );
  }

  const pushUrlValue = config.get("flashdutyPushUrl");
  const wiringStack = config.get("wiringStack");
  if (pushUrlValue === undefined && wiringStack === undefined)
    problems.push(
      `${prefix}flashdutyPushUrl / ${prefix}wiringStack: the receiver needs the push URL of a Flashduty standard alert integration: ` +
        "set `pulumi config set wiringStack <org>/flashduty-wiring/<stack>` to read the wiring stack's `receiverPushUrl` output, " +
        "or `pulumi config set --secret flashdutyPushUrl '<push URL>'`",
    );
  if (pushUrlValue !== undefined && wiringStack !== undefined)
    problems.push(
      `${prefix}flashdutyPushUrl / ${prefix}wiringStack: both are set; keep one (\`pulumi config rm flashdutyPushUrl\` or \`pulumi config rm wiringStack\`)`,
    );
  if (pushUrlValue !== undefined) {
    if (!isStoredAsSecret(`${prefix}flashdutyPushUrl`))
      problems.push(
        `${prefix}flashdutyPushUrl: stored in plain text (it holds the integration key); store it with \`pulumi config set --secret flashdutyPushUrl '<push URL>'\``,
      );
    try {
      checkPushUrl(pushUrlValue, `${prefix}flashdutyPushUrl`);
    } catch (err) {
      if (!(err instanceof ReceiverStackConfigError)) throw err;
      problems.push(...err.problems);
    }
  }
  if (wiringStack !== undefined && !/^[^/\s]+(\/[^/\s]+){0,2}$/.test(wiringStack))
    problems.push(
      `${prefix}wiringStack: "${wiringStack}" is not a stack name; use <org>/<project>/<stack>, e.g. acme/flashduty-wiring/prod`,
    );

  const functionName = config.get("functionName") ?? `flashduty-receiver-${stack}`;
  if (!/^[A-Za-z_][A-Za-z0-9_-]{0,127}$/.test(functionName))
    problems.push(
      `${prefix}functionName: "${functionName}" is not a Function Compute name: letters, digits, _ and -, starting with a letter or _, at most 128 characters`,
    );

  const number = (key: string, fallback: number, ok: (n: number) => boolean, rule: string) => {
    const raw = config.get(key);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(n) || !ok(n)) {
      problems.push(`${prefix}${key}: "${raw}" is not ${rule}`);
      return fallback;
    }
    return n;
  };
  const memorySize = number(
    "memorySize",
    512,
    (n) => Number.isInteger(n) && n >= 128 && n % 64 === 0,
    "a memory size in MB: a multiple of 64, at least 128",
  );
  const cpu = number(
    "cpu",
    0.35,
    (n) => n >= 0.05 && Math.abs(n * 20 - Math.round(n * 20)) < 1e-9,
    "a vCPU count that is a multiple of 0.05 (e.g. 0.35)",
  );
  const ratio = memorySize / 1024 / cpu;
  if (ratio < 1 || ratio > 4)
    problems.push(
      `${prefix}cpu / ${prefix}memorySize: Function Compute needs memory (GB) between 1× and 4× the vCPUs; got ${cpu} vCPU with ${memorySize} MB`,
    );
  const instanceConcurrency = number(
    "instanceConcurrency",
    20,
    (n) => Number.isInteger(n) && n >= 1 && n <= 200,
    "an integer from 1 to 200",
  );
  const rates = pushRates(config, prefix, number, problems);
  const syncTimeoutMs = number(
    "syncTimeoutMs",
    3500,
    (n) => Number.isInteger(n) && n >= 100 && n <= 60_000,
    "an integer from 100 to 60000 (keep it under Aliyun's 5 s callback timeout)",
  );
  const timeoutSeconds = number(
    "timeoutSeconds",
    10,
    (n) => Number.isInteger(n) && n >= 1 && n <= 86400,
    "an integer number of seconds",
  );
  if (timeoutSeconds * 1000 <= syncTimeoutMs)
    problems.push(
      `${prefix}timeoutSeconds: ${timeoutSeconds} s does not exceed syncTimeoutMs (${syncTimeoutMs} ms); FC would cut requests before the receiver answers`,
    );
  const logLevel = config.get("logLevel") ?? "info";
  if (!["debug", "info", "warn", "error"].includes(logLevel))
    problems.push(`${prefix}logLevel: "${logLevel}" is not one of debug, info, warn, error`);

  let log: { project: string; logstore: string } | undefined;
  const logRaw = config.getObject<Record<string, unknown>>("log");
  if (logRaw !== undefined) {
    const { project, logstore, ...extra } = logRaw;
    if (
      typeof project !== "string" ||
      project === "" ||
      typeof logstore !== "string" ||
      logstore === ""
    )
      problems.push(
        `${prefix}log: needs both project and logstore (an SLS project and Logstore), e.g. \`pulumi config set --path log.project my-project\``,
      );
    else log = { project, logstore };
    if (Object.keys(extra).length > 0)
      problems.push(
        `${prefix}log: unknown key(s) ${Object.keys(extra).join(", ")}; use project and logstore`,
      );
  }
  const role = config.get("role");
  if (role !== undefined && !/^acs:ram::\d+:role\/\S+$/.test(role))
    problems.push(
      `${prefix}role: "${role}" is not a RAM role ARN (acs:ram::<account-id>:role/<name>)`,
    );

  if (problems.length > 0) throw new ReceiverStackConfigError(problems);
  return {
    token: config.requireSecret("receiverToken"),
    pushUrl: pushUrlValue !== undefined ? config.requireSecret("flashdutyPushUrl") : undefined,
    wiringStack,
    functionName,
    memorySize,
    cpu,
    instanceConcurrency,
    ...rates,
    timeoutSeconds,
    syncTimeoutMs,
    logLevel,
    log,
    role,
  };
}

/**
 * Instances and each instance's push rate, such that all instances together stay under Flashduty's
 * per-integration limit: maxInstances × forwardRatePerSecond ≤ 100 and maxInstances ×
 * forwardRatePerMinute ≤ 1000. Unset rates are derived from maxInstances (the single-process
 * defaults, 98/s and 950/min, split evenly); a combination that could exceed the limit is refused.
 */
function pushRates(
  config: pulumi.Config,
  prefix: string,
  number: (key: string, fallback: number, ok: (n: number) => boolean, rule: string) => number,
  problems: string[],
): { maxInstances: number; forwardRatePerSecond: number; forwardRatePerMinute: number } {
  const maxInstances = number(
    "maxInstances",
    1,
    (n) => Number.isInteger(n) && n >= 1 && n <= MAX_INSTANCES_LIMIT,
    `an integer from 1 to ${MAX_INSTANCES_LIMIT} (the instances share Flashduty's ${FLASHDUTY_PUSH_LIMIT.perSecond} pushes/s per integration)`,
  );
  const perSecond = number(
    "forwardRatePerSecond",
    Math.max(1, Math.floor(SINGLE_PROCESS_RATE.perSecond / maxInstances)),
    (n) => Number.isInteger(n) && n >= 1 && n <= FLASHDUTY_PUSH_LIMIT.perSecond,
    `an integer from 1 to ${FLASHDUTY_PUSH_LIMIT.perSecond} (pushes per second per instance)`,
  );
  const perMinute = number(
    "forwardRatePerMinute",
    Math.max(1, Math.floor(SINGLE_PROCESS_RATE.perMinute / maxInstances)),
    (n) => Number.isInteger(n) && n >= 1 && n <= FLASHDUTY_PUSH_LIMIT.perMinute,
    `an integer from 1 to ${FLASHDUTY_PUSH_LIMIT.perMinute} (pushes per minute per instance; 0, which turns the receiver's per-minute window off, is not allowed on Function Compute)`,
  );
  const explicit = (key: string) => config.get(key) !== undefined;
  const fix = (key: string, max: number, unit: string) =>
    explicit(key)
      ? `lower ${prefix}${key} to at most ${max} (\`pulumi config set ${key} ${max}\`) or lower ${prefix}maxInstances`
      : `lower ${prefix}maxInstances, or set ${prefix}${key} to at most ${max} ${unit}`;
  if (maxInstances * perSecond > FLASHDUTY_PUSH_LIMIT.perSecond) {
    const max = Math.floor(FLASHDUTY_PUSH_LIMIT.perSecond / maxInstances);
    problems.push(
      `${prefix}maxInstances / ${prefix}forwardRatePerSecond: ${maxInstances} instance(s) × ${perSecond} pushes/s = ${maxInstances * perSecond}/s could exceed Flashduty's limit of ${FLASHDUTY_PUSH_LIMIT.perSecond} pushes/s per integration (each instance has its own limiter); ${fix("forwardRatePerSecond", max, "pushes/s")}`,
    );
  }
  if (maxInstances * perMinute > FLASHDUTY_PUSH_LIMIT.perMinute) {
    const max = Math.floor(FLASHDUTY_PUSH_LIMIT.perMinute / maxInstances);
    problems.push(
      `${prefix}maxInstances / ${prefix}forwardRatePerMinute: ${maxInstances} instance(s) × ${perMinute} pushes/min = ${maxInstances * perMinute}/min could exceed Flashduty's limit of ${FLASHDUTY_PUSH_LIMIT.perMinute} pushes/min per integration (each instance has its own limiter); ${fix("forwardRatePerMinute", max, "pushes/min")}`,
    );
  }
  return { maxInstances, forwardRatePerSecond: perSecond, forwardRatePerMinute: perMinute };
}

// Shared plumbing of the Flashduty dynamic providers: configuration, client construction, preview
// unknowns, validation helpers. Serialized by value with each provider; keep it free of state that
// could hold a secret at serialization time (settings are only filled in by `configure`, which runs
// in the provider host process, never in the Pulumi program).
import type { RetryOptions } from "../common/retry";
import { FlashdutyClient } from "./client";
import {
  ConfigSource,
  FlashdutySettings,
  RawFlashdutySettings,
  resolveSettings,
  settingsFromConfig,
} from "./config";

/** Options of a provider factory; the module-level providers use the defaults. */
export interface ProviderOptions {
  /** Retry/timeout overrides (tests use small values). */
  readonly retry?: Partial<RetryOptions>;
  /** Where retry notices and warnings go. Default: stderr of the provider host. */
  readonly log?: (message: string) => void;
  /** Environment used as fallback for settings. Default: `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Per-provider configuration holder: filled by `configure`, read by each CRUD call.
 * No class-field initializers here or in any class a provider reaches: Pulumi's closure serializer
 * keeps a class's constructor and prototype but drops field initializers (caught by
 * test/flashduty/serialized-provider.test.ts).
 */
export class ProviderContext {
  private raw: RawFlashdutySettings;
  private readonly options: ProviderOptions;

  constructor(options: ProviderOptions) {
    this.options = options;
    this.raw = {};
  }

  configure(config: ConfigSource | undefined): void {
    this.raw = settingsFromConfig(config);
  }

  settings(): FlashdutySettings {
    return resolveSettings(this.raw, this.options.env ?? process.env);
  }

  /** Push base only: needs no app key, so `diff` can use it. */
  pushBaseUrl(): string | undefined {
    try {
      return this.settings().pushBaseUrl;
    } catch {
      return undefined;
    }
  }

  /** A new client per call: nothing long-lived is captured by the serialized provider. */
  client(): FlashdutyClient {
    const settings = this.settings();
    return new FlashdutyClient({
      appKey: settings.appKey,
      baseUrl: settings.baseUrl,
      retry: this.options.retry,
      log: (message) => this.log(message),
    });
  }

  log(message: string): void {
    if (this.options.log) this.options.log(message);
    else console.error(message);
  }
}

export interface CheckFailure {
  property: string;
  reason: string;
}

/** Collects check failures; each names the property and says how to fix it. */
export class Failures {
  readonly list: CheckFailure[];
  constructor() {
    this.list = [];
  }
  add(property: string, reason: string): void {
    this.list.push({ property, reason });
  }
}

/** Accepts a positive integer id given as number or numeric string; Flashduty ids fit in 2^53. */
export function parseId(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isSafeInteger(value) && value > 0) return value;
  if (typeof value === "string" && /^\d+$/.test(value.trim())) {
    const n = Number(value.trim());
    if (Number.isSafeInteger(n) && n > 0) return n;
  }
  return undefined;
}

/** Like {@link parseId} but 0 is allowed (Flashduty's "no team"). */
export function parseNonNegativeId(value: unknown): number | undefined {
  if (value === 0 || value === "0") return 0;
  return parseId(value);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Structural equality of JSON-like values (key order ignored, array order kept). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => deepEqual(item, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keysA = Object.keys(a).filter((k) => a[k] !== undefined);
    const keysB = Object.keys(b).filter((k) => b[k] !== undefined);
    if (keysA.length !== keysB.length) return false;
    return keysA.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

/** True when every key declared in `declared` has an equal value in `actual` (extra keys ignored). */
export function declaredSubsetEqual(declared: Record<string, unknown>, actual: unknown): boolean {
  if (!isPlainObject(actual)) return Object.keys(declared).length === 0;
  return Object.keys(declared).every((k) => deepEqual(declared[k], actual[k]));
}

/** Drops keys whose value is undefined (Pulumi state cannot hold undefined). */
export function compact<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

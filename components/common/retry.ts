// Retry policy shared by every outside-API client (Flashduty Open API, Volcengine OpenAPI) and the
// receiver's forwarder: bounded attempts, exponential backoff with full jitter, Retry-After honoured.
// Pure functions only: dynamic providers serialize this module by value into the Pulumi state.

export interface RetryOptions {
  /** Retries after the first attempt (so maxRetries + 1 attempts in all). */
  readonly maxRetries: number;
  /** First backoff step; doubled each attempt. */
  readonly baseDelayMs: number;
  /** Cap on a computed backoff step (before jitter). */
  readonly maxDelayMs: number;
  /** Cap on a server-requested Retry-After wait; longer waits fail instead of blocking `pulumi up`. */
  readonly maxRetryAfterMs: number;
  /** Per-request timeout. */
  readonly timeoutMs: number;
}

export const DEFAULT_RETRY: RetryOptions = {
  maxRetries: 4,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 60_000,
  timeoutMs: 30_000,
};

/** HTTP statuses worth another attempt: throttling and server-side failures. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 408 || (status >= 500 && status <= 599);
}

/**
 * Parses a Retry-After header (delta-seconds or HTTP-date) into milliseconds.
 * Returns undefined when absent or unparseable.
 */
export function parseRetryAfter(
  value: string | string[] | undefined,
  now: number = Date.now(),
): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined) return undefined;
  const text = raw.trim();
  if (text === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/**
 * Delay before retry number `attempt` (0-based). Full jitter over an exponential step, so that
 * many clients retrying together spread out; a server's Retry-After is a floor, never shortened.
 */
export function backoffDelay(
  attempt: number,
  options: Pick<RetryOptions, "baseDelayMs" | "maxDelayMs">,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  const step = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** attempt);
  const jittered = Math.round(step / 2 + random() * (step / 2));
  return retryAfterMs === undefined ? jittered : Math.max(retryAfterMs, jittered);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Replaces every occurrence of each secret in `text` with a fixed mask. */
export function redact(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join("***");
  }
  return out;
}

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

/**
 * How a failed attempt relates to the server's state, which decides whether it may be sent again:
 * - "throttled": refused by a rate limit (429 / a throttling code); nothing was done.
 * - "not-sent": the request never reached the server (connection refused, DNS failure).
 * - "maybe-applied": 5xx, 408, a timeout or a dropped connection; the server may have acted.
 * - "final": an answer that another attempt would not change (4xx, validation, auth).
 */
export type FailureKind = "throttled" | "not-sent" | "maybe-applied" | "final";

/**
 * Whether an attempt that failed this way may be repeated. A call that is not idempotent (a
 * create) is repeated only when the server certainly did nothing, so a retry cannot duplicate it.
 */
export function mayRetry(kind: FailureKind, idempotent: boolean): boolean {
  return kind === "throttled" || kind === "not-sent" || (kind === "maybe-applied" && idempotent);
}

/** Transport failures where the request never reached the server. */
export function requestNeverSent(error: unknown): boolean {
  const code = (error as { code?: string } | undefined)?.code;
  return code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "EAI_AGAIN";
}

/** Transport failures that are timeouts (axios and Node spell them differently). */
export function isTimeoutError(error: unknown): boolean {
  const e = error as { code?: string; message?: string } | undefined;
  return e?.code === "ECONNABORTED" || e?.code === "ETIMEDOUT" || /timeout/i.test(e?.message ?? "");
}

/** Outcome of one attempt, as {@link withRetries} sees it. */
export type AttemptOutcome<T> =
  | { readonly ok: true; readonly value: T }
  | {
      readonly ok: false;
      /** Thrown when no further attempt is made. */
      readonly error: Error;
      readonly kind: FailureKind;
      /** The server's Retry-After, if it sent one. */
      readonly retryAfterMs?: number;
    };

export interface RetryLoopOptions {
  readonly retry: RetryOptions;
  /** Whether repeating the call is harmless (see {@link mayRetry}). */
  readonly idempotent: boolean;
  /** Told about each retry before its wait; for logs. */
  readonly onRetry?: (error: Error, attempt: number, delayMs: number) => void;
  /** Builds the error thrown when the server asks to wait longer than `maxRetryAfterMs`. */
  readonly retryAfterTooLong?: (error: Error, attempt: number, retryAfterMs: number) => Error;
  /** Injectable for tests. */
  readonly random?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Runs `attempt` (given its 1-based number) until it succeeds, its failure may not be retried, the
 * server asks for a longer wait than `maxRetryAfterMs`, or `maxRetries` retries are spent; then
 * throws the last failure's error. The one retry loop of every outside-API client.
 */
export async function withRetries<T>(
  attempt: (attemptNumber: number) => Promise<AttemptOutcome<T>>,
  options: RetryLoopOptions,
): Promise<T> {
  const { retry } = options;
  for (let n = 1; ; n++) {
    const outcome = await attempt(n);
    if (outcome.ok) return outcome.value;
    if (!mayRetry(outcome.kind, options.idempotent) || n > retry.maxRetries) throw outcome.error;
    if (outcome.retryAfterMs !== undefined && outcome.retryAfterMs > retry.maxRetryAfterMs)
      throw options.retryAfterTooLong
        ? options.retryAfterTooLong(outcome.error, n, outcome.retryAfterMs)
        : outcome.error;
    const delay = backoffDelay(n - 1, retry, outcome.retryAfterMs, options.random);
    options.onRetry?.(outcome.error, n, delay);
    await (options.sleep ?? sleep)(delay);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The strings to mask for a URL that carries a credential (a push URL's `integration_key`, a
 * receiver URL's token): the URL itself, as text and percent-encoded, and each of its query values
 * and its password, so that a message quoting only part of the URL does not leak the credential.
 */
export function urlSecrets(url: string | undefined): string[] {
  if (!url) return [];
  const secrets = [url, encodeURIComponent(url)];
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return secrets;
  }
  if (parsed.password) secrets.push(parsed.password, decodeURIComponent(parsed.password));
  for (const value of parsed.searchParams.values()) secrets.push(value, encodeURIComponent(value));
  return secrets;
}

/** Replaces every occurrence of each secret in `text` with a fixed mask. */
export function redact(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join("***");
  }
  return out;
}

// Flashduty Open API client: POST + JSON, `?app_key=` auth, `{request_id, data|error}` envelope,
// bounded retries (429/5xx/network) with jittered exponential backoff honouring Retry-After.
//
// Dynamic providers serialize this module by value into the Pulumi state, so: no client instance
// lives at module level, axios is required lazily inside the constructor, and nothing secret is kept
// outside the instance a provider method creates for its own call.
import type { AxiosInstance, AxiosResponse } from "axios";
import {
  AttemptOutcome,
  DEFAULT_RETRY,
  FailureKind,
  RetryOptions,
  isRetryableStatus,
  isTimeoutError,
  parseRetryAfter,
  redact,
  requestNeverSent,
  sleep,
  withRetries,
} from "../common/retry";
import { CLIENT_ERROR_CODES, FlashdutyApiError, hintFor } from "./errors";

export interface FlashdutyClientOptions {
  readonly appKey: string;
  readonly baseUrl: string;
  /** Overrides of {@link DEFAULT_RETRY} (tests use tiny delays and timeouts). */
  readonly retry?: Partial<RetryOptions>;
  /** Receives one line per retry; never given the app key. Default: no output. */
  readonly log?: (message: string) => void;
  /** Injectable for tests. */
  readonly random?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface PageRequest {
  readonly [field: string]: unknown;
}

interface Envelope {
  request_id?: string;
  data?: unknown;
  error?: { code?: string; message?: string; reason?: string };
}

export interface PostOptions {
  /**
   * Whether sending the request twice is harmless (default true). Creates are not: they are resent
   * only when Flashduty certainly did nothing (429, refused connection), never after a 5xx or a
   * timeout, so that a retry cannot create a second integration or channel.
   */
  readonly idempotent?: boolean;
}

/**
 * Server-side failure codes that mean "try again" whatever the HTTP status says. A plain array:
 * Pulumi's closure serializer cannot carry a module-level Set or Map into the provider.
 */
const SERVER_FAILURE_CODES: readonly string[] = ["InternalError", "ServiceUnavailable"];
const THROTTLED_CODE = "RequestTooFrequently";

/** Added to errors of a non-idempotent call that Flashduty may have carried out anyway. */
const MAYBE_APPLIED_ADVICE =
  " The request may have been carried out: look in the Flashduty console for a duplicate and pass its id as adoptId instead of creating again.";

/** Masks `app_key=<anything>` in any text (URLs inside library errors carry it). */
export function maskAppKeyParams(text: string): string {
  return text.replace(/(app_key=)[^&\s"'#]*/gi, "$1***");
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

type Attempt = AttemptOutcome<unknown> & ({ ok: true } | { ok: false; error: FlashdutyApiError });

export class FlashdutyClient {
  private readonly http: AxiosInstance;
  private readonly retry: RetryOptions;
  private readonly appKey: string;
  readonly baseUrl: string;
  private readonly log: (message: string) => void;
  private readonly random: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: FlashdutyClientOptions) {
    this.appKey = options.appKey;
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.retry = { ...DEFAULT_RETRY, ...(options.retry ?? {}) };
    this.log = options.log ?? (() => undefined);
    this.random = options.random ?? Math.random;
    this.sleep = options.sleep ?? sleep;
    // Lazy require: the provider closure must never hold an axios instance (see file header).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const axios: typeof import("axios").default = require("axios");
    this.http = axios.create({
      baseURL: this.baseUrl,
      timeout: this.retry.timeoutMs,
      params: { app_key: this.appKey },
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      // Every status is inspected here: the envelope's code, not the status, decides.
      validateStatus: () => true,
      maxRedirects: 0,
      proxy: false,
    });
  }

  /** Removes the app key from any text that may leave this client. */
  sanitize(text: string): string {
    return maskAppKeyParams(redact(text, [this.appKey]));
  }

  /**
   * POSTs `body` to `path` and returns the envelope's `data` (which may be null, e.g. `/route/info`
   * without a route). Throws {@link FlashdutyApiError} on any failure, after retrying what is retryable.
   */
  async post<T = unknown>(path: string, body: object = {}, options: PostOptions = {}): Promise<T> {
    const idempotent = options.idempotent ?? true;
    const data = await withRetries<unknown>(
      async (attempt) => {
        const outcome = await this.attempt(path, body, attempt);
        if (outcome.ok || idempotent || outcome.kind !== "maybe-applied") return outcome;
        return { ...outcome, error: withAdvice(outcome.error, MAYBE_APPLIED_ADVICE) };
      },
      {
        retry: this.retry,
        idempotent,
        random: this.random,
        sleep: this.sleep,
        onRetry: (error, attempt, delay) => {
          const e = error as FlashdutyApiError;
          this.log(
            this.sanitize(
              `Flashduty API ${path}: ${e.code}${e.httpStatus ? ` (HTTP ${e.httpStatus})` : ""}; retry ${attempt}/${this.retry.maxRetries} in ${delay} ms`,
            ),
          );
        },
        retryAfterTooLong: (error, attempt, retryAfterMs) =>
          withAdvice(
            error as FlashdutyApiError,
            ` (server asked to wait ${Math.ceil(retryAfterMs / 1000)}s, more than the ${Math.ceil(this.retry.maxRetryAfterMs / 1000)}s we wait)`,
            attempt,
          ),
      },
    );
    return data as T;
  }

  /**
   * Fetches every page of a list endpoint (`p` from 1, `limit` ≤ 100) following `has_next_page`,
   * and returns all `items`. Where an endpoint documents only `total` (e.g. `/integration/type/list`),
   * pages continue while `p × limit < total`. Bounded: Flashduty caps p×limit at 10000.
   */
  async paginate<T = unknown>(path: string, body: PageRequest = {}, limit = 100): Promise<T[]> {
    const items: T[] = [];
    const maxPages = Math.floor(10_000 / limit);
    for (let p = 1; p <= maxPages; p++) {
      const data = await this.post<unknown>(path, { ...body, p, limit });
      if (!isObject(data)) break;
      const pageItems = Array.isArray(data.items) ? (data.items as T[]) : [];
      items.push(...pageItems);
      if (pageItems.length === 0) break;
      const more =
        typeof data.has_next_page === "boolean"
          ? data.has_next_page
          : typeof data.total === "number" && p * limit < data.total;
      if (!more) break;
    }
    return items;
  }

  private async attempt(path: string, body: object, attempt: number): Promise<Attempt> {
    let response: AxiosResponse<unknown>;
    try {
      response = await this.http.post(path, body);
    } catch (thrown) {
      return this.transportFailure(path, thrown, attempt);
    }
    return this.interpret(path, response, attempt);
  }

  private transportFailure(path: string, thrown: unknown, attempt: number): Attempt {
    const err = thrown as { code?: string; message?: string };
    const isTimeout = isTimeoutError(thrown);
    const code = isTimeout ? CLIENT_ERROR_CODES.timeout : CLIENT_ERROR_CODES.network;
    const detail = isTimeout
      ? `no answer within ${this.retry.timeoutMs} ms`
      : `${err.code ?? "error"}: ${err.message ?? String(thrown)}`;
    return {
      ok: false,
      kind: requestNeverSent(thrown) ? "not-sent" : "maybe-applied",
      error: new FlashdutyApiError({
        code,
        apiMessage: this.sanitize(detail),
        path,
        attempts: attempt,
        hint: this.sanitize(hintFor(code, undefined, this.baseUrl)),
      }),
    };
  }

  private interpret(path: string, response: AxiosResponse<unknown>, attempt: number): Attempt {
    const status = response.status;
    const envelope: Envelope | undefined = isObject(response.data)
      ? (response.data as Envelope)
      : undefined;
    const header = response.headers?.["flashcat-request-id"];
    const requestId =
      (typeof envelope?.request_id === "string" && envelope.request_id) ||
      (typeof header === "string" ? header : undefined);
    const retryAfterMs = parseRetryAfter(
      response.headers?.["retry-after"] as string | string[] | undefined,
    );

    if (envelope && isObject(envelope.error)) {
      const code = String(envelope.error.code ?? "UnknownError");
      const message = [envelope.error.message, envelope.error.reason].filter(Boolean).join(" — ");
      return {
        ok: false,
        kind: failureKind(status, code),
        retryAfterMs,
        error: new FlashdutyApiError({
          code,
          apiMessage: this.sanitize(message || "(no message)"),
          httpStatus: status,
          requestId: requestId || undefined,
          path,
          attempts: attempt,
          hint: this.sanitize(hintFor(code, status, this.baseUrl)),
        }),
      };
    }
    if (status >= 200 && status < 300 && envelope && "data" in envelope) {
      return { ok: true, value: envelope.data ?? null };
    }
    // No envelope: a proxy page, an empty body, or an answer that is not Flashduty's.
    const text = typeof response.data === "string" ? response.data : JSON.stringify(response.data);
    const snippet = text === undefined || text === "" ? undefined : text.slice(0, 200);
    return {
      ok: false,
      kind: failureKind(status),
      retryAfterMs,
      error: new FlashdutyApiError({
        code: CLIENT_ERROR_CODES.badResponse,
        apiMessage: this.sanitize(`answer without a Flashduty envelope: ${snippet ?? "(empty)"}`),
        httpStatus: status,
        requestId: requestId || undefined,
        path,
        attempts: attempt,
        hint: this.sanitize(hintFor(CLIENT_ERROR_CODES.badResponse, status, this.baseUrl)),
      }),
    };
  }
}

/** Classifies an answer by HTTP status and, when there is one, the envelope's error code. */
function failureKind(status: number, code?: string): FailureKind {
  if (status === 429 || code === THROTTLED_CODE) return "throttled";
  if (isRetryableStatus(status) || (code !== undefined && SERVER_FAILURE_CODES.includes(code)))
    return "maybe-applied";
  return "final";
}

/** The same error with `extra` appended to its message (and, when given, another attempt count). */
function withAdvice(error: FlashdutyApiError, extra: string, attempts?: number): FlashdutyApiError {
  return new FlashdutyApiError({
    code: error.code,
    apiMessage: `${error.apiMessage}${extra}`,
    httpStatus: error.httpStatus,
    requestId: error.requestId,
    path: error.path,
    attempts: attempts ?? error.attempts,
    hint: error.hint,
  });
}

// Flashduty Open API client: POST + JSON, `?app_key=` auth, `{request_id, data|error}` envelope,
// bounded retries (429/5xx/network) with jittered exponential backoff honouring Retry-After.
//
// Dynamic providers serialize this module by value into the Pulumi state, so: no client instance
// lives at module level, axios is required lazily inside the constructor, and nothing secret is kept
// outside the instance a provider method creates for its own call.
import type { AxiosInstance, AxiosResponse } from "axios";
import {
  DEFAULT_RETRY,
  RetryOptions,
  backoffDelay,
  isRetryableStatus,
  parseRetryAfter,
  redact,
  sleep,
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

/**
 * Error codes that mean "try again" whatever the HTTP status says. A plain array: Pulumi's closure
 * serializer cannot carry a module-level Set or Map into the provider.
 */
const RETRYABLE_CODES: readonly string[] = [
  "RequestTooFrequently",
  "InternalError",
  "ServiceUnavailable",
];

/** Masks `app_key=<anything>` in any text (URLs inside library errors carry it). */
export function maskAppKeyParams(text: string): string {
  return text.replace(/(app_key=)[^&\s"'#]*/gi, "$1***");
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

interface AttemptFailure {
  readonly error: FlashdutyApiError;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
}

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
  async post<T = unknown>(path: string, body: object = {}): Promise<T> {
    const maxAttempts = this.retry.maxRetries + 1;
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(path, body, attempt);
      if (!("error" in outcome)) return outcome.data as T;
      const { error, retryable, retryAfterMs } = outcome;
      if (!retryable || attempt >= maxAttempts) throw error;
      if (retryAfterMs !== undefined && retryAfterMs > this.retry.maxRetryAfterMs) {
        throw new FlashdutyApiError({
          code: error.code,
          apiMessage: `${error.apiMessage} (server asked to wait ${Math.ceil(retryAfterMs / 1000)}s, more than the ${Math.ceil(this.retry.maxRetryAfterMs / 1000)}s we wait)`,
          httpStatus: error.httpStatus,
          requestId: error.requestId,
          path,
          attempts: attempt,
          hint: error.hint,
        });
      }
      const delay = backoffDelay(attempt - 1, this.retry, retryAfterMs, this.random);
      this.log(
        this.sanitize(
          `Flashduty API ${path}: ${error.code}${error.httpStatus ? ` (HTTP ${error.httpStatus})` : ""}; retry ${attempt}/${this.retry.maxRetries} in ${delay} ms`,
        ),
      );
      await this.sleep(delay);
    }
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

  private async attempt(
    path: string,
    body: object,
    attempt: number,
  ): Promise<{ data: unknown } | AttemptFailure> {
    let response: AxiosResponse<unknown>;
    try {
      response = await this.http.post(path, body);
    } catch (thrown) {
      return this.transportFailure(path, thrown, attempt);
    }
    return this.interpret(path, response, attempt);
  }

  private transportFailure(path: string, thrown: unknown, attempt: number): AttemptFailure {
    const err = thrown as { code?: string; message?: string };
    const isTimeout =
      err.code === "ECONNABORTED" || err.code === "ETIMEDOUT" || /timeout/i.test(err.message ?? "");
    const code = isTimeout ? CLIENT_ERROR_CODES.timeout : CLIENT_ERROR_CODES.network;
    const detail = isTimeout
      ? `no answer within ${this.retry.timeoutMs} ms`
      : `${err.code ?? "error"}: ${err.message ?? String(thrown)}`;
    return {
      retryable: true,
      error: new FlashdutyApiError({
        code,
        apiMessage: this.sanitize(detail),
        path,
        attempts: attempt,
        hint: this.sanitize(hintFor(code, undefined, this.baseUrl)),
      }),
    };
  }

  private interpret(
    path: string,
    response: AxiosResponse<unknown>,
    attempt: number,
  ): { data: unknown } | AttemptFailure {
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
        retryable: RETRYABLE_CODES.includes(code) || isRetryableStatus(status),
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
      return { data: envelope.data ?? null };
    }
    // No envelope: a proxy page, an empty body, or an answer that is not Flashduty's.
    const snippet =
      typeof response.data === "string"
        ? response.data.slice(0, 200)
        : JSON.stringify(response.data);
    return {
      retryable: isRetryableStatus(status),
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

// One push of a standard alert body to Flashduty, classified: accepted, worth retrying, or rejected.
// Shared by the spool forwarder and sync delivery (DELIVERY=sync) so both judge answers alike.
import { isRetryableStatus, parseRetryAfter } from "../components/common/retry";
import type { FlashdutyAlertBody } from "./model";

export type PushOutcome =
  | { kind: "ok" }
  | { kind: "retry"; reason: string; retryAfterMs?: number; detail: string }
  | { kind: "reject"; reason: string; status: number; code?: string; response: string };

/** Flashduty error codes worth retrying whatever the HTTP status ("status is informational"). */
const RETRYABLE_CODES = new Set(["RequestTooFrequently", "InternalError", "ServiceUnavailable"]);

/** Sends `body` once; aborts after `timeoutMs` or when `signal` aborts. Never throws. */
export async function pushOnce(
  pushUrl: string,
  body: FlashdutyAlertBody,
  timeoutMs: number,
  controller: AbortController = new AbortController(),
): Promise<PushOutcome> {
  const timeout = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const res = await fetch(pushUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: controller.signal,
    });
    const text = await res.text();
    let code: string | undefined;
    try {
      const parsed = JSON.parse(text) as { error?: { code?: unknown } };
      if (parsed && typeof parsed.error?.code === "string") code = parsed.error.code;
    } catch {
      // not JSON: judge by status alone
    }
    if (res.status >= 200 && res.status < 300 && code === undefined) return { kind: "ok" };
    if (isRetryableStatus(res.status) || (code !== undefined && RETRYABLE_CODES.has(code)))
      return {
        kind: "retry",
        reason:
          res.status === 429 || code === "RequestTooFrequently"
            ? "throttled"
            : `http_${res.status}`,
        retryAfterMs: parseRetryAfter(res.headers.get("retry-after") ?? undefined),
        detail: `HTTP ${res.status}${code ? ` ${code}` : ""}`,
      };
    return {
      kind: "reject",
      reason: code ? `rejected_${code}` : `rejected_http_${res.status}`,
      status: res.status,
      ...(code ? { code } : {}),
      response: text.slice(0, 2000),
    };
  } catch (err) {
    const aborted = controller.signal.aborted;
    return {
      kind: "retry",
      reason: aborted ? "timeout" : "network",
      detail: aborted ? `no answer within ${timeoutMs} ms` : describe(err),
    };
  } finally {
    clearTimeout(timeout);
  }
}

/** Error text without URLs (fetch errors can quote the request URL, which holds the key). */
function describe(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  const parts = [e.message, e.cause?.code ?? e.cause?.message].filter(Boolean).join(": ");
  return parts.replace(/https?:\/\/\S+/g, "<url>");
}

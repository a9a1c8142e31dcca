// One push of a standard alert body to Flashduty, classified: accepted, worth retrying, refused for
// the whole account/integration (delivery pauses), or rejected for this event (dead letter).
// Shared by the spool forwarder and sync delivery (DELIVERY=sync) so both judge answers alike.
import { isRetryableStatus, parseRetryAfter } from "../components/common/retry";
import type { FlashdutyAlertBody } from "./model";

/** Why Flashduty refuses every push for now (the `reason` label of the pause metrics). */
export type PauseReason =
  | "no_license"
  | "not_purchased"
  | "unauthorized"
  | "access_denied"
  | "balance_not_enough"
  | "invalid_integration_key";

export type PushOutcome =
  | { kind: "ok" }
  | { kind: "retry"; reason: string; retryAfterMs?: number; detail: string }
  /** An answer about the account or the integration key, not about this event: pause, keep it. */
  | {
      kind: "account";
      reason: PauseReason;
      status: number;
      code?: string;
      message: string;
      response: string;
    }
  | { kind: "reject"; reason: string; status: number; code?: string; response: string };

/** Flashduty error codes worth retrying whatever the HTTP status ("status is informational"). */
const RETRYABLE_CODES = new Set(["RequestTooFrequently", "InternalError", "ServiceUnavailable"]);

/**
 * Answers that concern every push to this integration, so dead-lettering event after event would
 * be wrong. Source: the standard alert push doc's code table (flashcatcloud/flashduty-docs,
 * en/on-call/integration/alert-integration/alert-sources/standard-alert.mdx @1ae8eda):
 * `ResourceNotFound` (400) on a push means "the account has not purchased resources", `NoLicense`
 * (400) "insufficient subscription licenses", `Unauthorized` (401) failed authentication — a push
 * authenticates with its integration_key alone — and its failure example answers an unknown key with
 * `InvalidParameter` "integration_key is not a valid one". `AccessDenied` (403) and
 * `BalanceNotEnough` (402, on-call spec `ErrorCode`) cannot depend on the body either [inference].
 * The forwarder and sync delivery still tell an event-specific answer apart by evidence (the same
 * event refused again after another push was accepted): docs/receiver.md, "Paused delivery".
 */
export function accountWideReason(
  status: number,
  code: string | undefined,
  message: string,
): PauseReason | undefined {
  switch (code) {
    case "NoLicense":
      return "no_license";
    case "ResourceNotFound":
      return "not_purchased";
    case "Unauthorized":
      return "unauthorized";
    case "AccessDenied":
      return "access_denied";
    case "BalanceNotEnough":
      return "balance_not_enough";
    case "InvalidParameter":
      return /integration_key/i.test(message) ? "invalid_integration_key" : undefined;
    case undefined:
      // No Flashduty envelope (e.g. a proxy's answer): judge by the status alone.
      return status === 401
        ? "unauthorized"
        : status === 403
          ? "access_denied"
          : status === 402
            ? "balance_not_enough"
            : undefined;
    default:
      return undefined;
  }
}

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
    let message = "";
    try {
      const parsed = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
      if (parsed && typeof parsed.error?.code === "string") code = parsed.error.code;
      if (parsed && typeof parsed.error?.message === "string") message = parsed.error.message;
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
    const accountReason = accountWideReason(res.status, code, message);
    if (accountReason)
      return {
        kind: "account",
        reason: accountReason,
        status: res.status,
        ...(code ? { code } : {}),
        message: message.slice(0, 300),
        response: text.slice(0, 2000),
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

// Typed errors of the Flashduty Open API client. The envelope's `error.code` is authoritative (the HTTP
// status is informational, per the Open API docs); client-side failures get codes of their own.
// Every message is sanitized by the client before an error is built: no app key, no `?app_key=` URL.

/** Codes the client itself produces when no Flashduty envelope could be read. */
export const CLIENT_ERROR_CODES = {
  timeout: "ClientTimeout",
  network: "ClientNetworkError",
  badResponse: "UnexpectedResponse",
  configuration: "ClientConfiguration",
} as const;

export interface FlashdutyApiErrorDetails {
  /** Flashduty `error.code` (e.g. `ResourceNotFound`) or one of {@link CLIENT_ERROR_CODES}. */
  readonly code: string;
  /** Flashduty's own message (sanitized). */
  readonly apiMessage: string;
  /** HTTP status, when an answer arrived. */
  readonly httpStatus?: number;
  /** `request_id` of the envelope (or the `Flashcat-Request-Id` header); quote it to Flashduty support. */
  readonly requestId?: string;
  /** API path, e.g. `/integration/info` (never the query string). */
  readonly path: string;
  /** Attempts made, retries included. */
  readonly attempts: number;
  /** What the user can do about it. */
  readonly hint: string;
}

export class FlashdutyApiError extends Error {
  readonly code: string;
  readonly apiMessage: string;
  readonly httpStatus?: number;
  readonly requestId?: string;
  readonly path: string;
  readonly attempts: number;
  readonly hint: string;

  constructor(details: FlashdutyApiErrorDetails) {
    const status = details.httpStatus === undefined ? "" : ` (HTTP ${details.httpStatus})`;
    const request = details.requestId ? ` [request_id ${details.requestId}]` : "";
    const tries = details.attempts > 1 ? ` after ${details.attempts} attempts` : "";
    const message = `Flashduty API ${details.path} failed${tries}: ${details.code}${status}: ${details.apiMessage}${request}. ${details.hint}`;
    super(message);
    // Set again on purpose: in a serialized dynamic provider, Pulumi's closure serializer turns
    // `super(message)` into `Error.call(this, message)`, which leaves `this.message` empty.
    this.message = message;
    if (!this.stack) Error.captureStackTrace?.(this, FlashdutyApiError);
    this.name = "FlashdutyApiError";
    this.code = details.code;
    this.apiMessage = details.apiMessage;
    this.httpStatus = details.httpStatus;
    this.requestId = details.requestId;
    this.path = details.path;
    this.attempts = details.attempts;
    this.hint = details.hint;
  }

  /** The entity does not exist (Flashduty answers HTTP 400 `ResourceNotFound`): treat it as gone. */
  get isNotFound(): boolean {
    return this.code === "ResourceNotFound";
  }
  get isUnauthorized(): boolean {
    return this.code === "Unauthorized";
  }
  get isAccessDenied(): boolean {
    return this.code === "AccessDenied";
  }
  get isRateLimited(): boolean {
    return this.code === "RequestTooFrequently" || this.httpStatus === 429;
  }
  get isInvalidParameter(): boolean {
    return this.code === "InvalidParameter" || this.code === "BadRequest";
  }
  /** The endpoint itself is unknown (HTTP 404): wrong base URL, or the API is not offered. */
  get isRouteNotFound(): boolean {
    return this.code === "RouteNotFound";
  }
  get isTimeout(): boolean {
    return this.code === CLIENT_ERROR_CODES.timeout;
  }
}

export function isFlashdutyApiError(error: unknown): error is FlashdutyApiError {
  return error instanceof FlashdutyApiError;
}

/** True when `error` says the entity is gone (Flashduty's `ResourceNotFound`). */
export function isNotFound(error: unknown): boolean {
  return isFlashdutyApiError(error) && error.isNotFound;
}

/** Plain advice per error code; the reader should know what to change without reading our code. */
export function hintFor(code: string, httpStatus: number | undefined, baseUrl: string): string {
  switch (code) {
    case "Unauthorized":
      return "The app key was rejected: check `flashduty:appKey` (pulumi config set --secret flashduty:appKey <key>) or the FLASHDUTY_APP_KEY environment variable.";
    case "AccessDenied":
      return "The app key's owner lacks a permission for this call (integrations need 'Integrations Manage' and membership of the owning team); use a key of an account admin or of that team.";
    case "RouteNotFound":
      return `The endpoint does not exist at ${baseUrl}: check \`flashduty:baseUrl\` / FLASHDUTY_BASE_URL, or this Flashduty account does not offer the API yet.`;
    case "ResourceNotFound":
      return "The referenced entity does not exist (deleted, or an id from another account); fix the id or run `pulumi refresh`.";
    case "InvalidParameter":
    case "BadRequest":
    case "InvalidContentType":
      return "Flashduty rejected a field of the request; the message above names it: fix that input.";
    case "ReferenceExist":
      return "The entity is still referenced by others; remove those references first.";
    case "NoLicense":
    case "BalanceNotEnough":
      return "The Flashduty account's plan does not cover this; check the subscription.";
    case "RequestTooFrequently":
      return "Flashduty rate-limited the account and retries were exhausted; wait a minute and rerun, or lower `pulumi up --parallel`.";
    case "RequestLocked":
    case "UndonedOrderExist":
      return "Flashduty is busy with a conflicting operation; rerun shortly.";
    case CLIENT_ERROR_CODES.timeout:
      return `Flashduty did not answer in time; check connectivity to ${baseUrl} and rerun.`;
    case CLIENT_ERROR_CODES.network:
      return `Could not reach ${baseUrl}; check \`flashduty:baseUrl\` and the network, then rerun.`;
    case CLIENT_ERROR_CODES.configuration:
      return "Fix the provider configuration as described.";
    default:
      if (httpStatus === 404)
        return `Nothing answers this path at ${baseUrl}: check \`flashduty:baseUrl\` / FLASHDUTY_BASE_URL.`;
      if (httpStatus !== undefined && httpStatus >= 500)
        return "Flashduty had a server-side failure and retries were exhausted; rerun later.";
      return "See the message above.";
  }
}

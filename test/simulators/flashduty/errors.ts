// Flashduty error codes and their HTTP statuses (flashduty-api.md §1, on-call spec `ErrorCode`).

import { FlashdutyErrorCode } from "./types";

export const ERROR_STATUS = {
  InvalidParameter: 400,
  BadRequest: 400,
  InvalidContentType: 400,
  ResourceNotFound: 400,
  ReferenceExist: 400,
  NoLicense: 400,
  Unauthorized: 401,
  BalanceNotEnough: 402,
  AccessDenied: 403,
  RouteNotFound: 404,
  MethodNotAllowed: 405,
  UndonedOrderExist: 409,
  EntityTooLarge: 413,
  RequestLocked: 423,
  RequestVerifyRequired: 428,
  DangerousOperation: 428,
  RequestTooFrequently: 429,
  InternalError: 500,
  ServiceUnavailable: 503,
} as const satisfies Record<FlashdutyErrorCode, number>;

export type ErrorCode = FlashdutyErrorCode;

/** An error answered as the Flashduty failure envelope `{request_id, error:{code,message}}`. */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra `data` sent beside `error` (only `ReferenceExist` uses it: `data.refs`). */
    readonly data?: unknown,
    readonly headers: Record<string, string> = {},
    readonly status: number = ERROR_STATUS[code],
  ) {
    super(message);
  }
}

export function invalidParameter(field: string, problem: string): ApiError {
  return new ApiError("InvalidParameter", `${field}: ${problem}`);
}

export function notFound(what: string, id: unknown): ApiError {
  return new ApiError("ResourceNotFound", `${what} ${String(id)} does not exist`);
}

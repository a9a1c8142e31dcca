// HTTP plumbing: bounded body reading, the response envelope and the request id header.

import { randomBytes } from "node:crypto";
import { IncomingMessage, ServerResponse } from "node:http";
import { ApiError } from "./errors";

export const REQUEST_ID_HEADER = "Flashcat-Request-Id";

export function newRequestId(): string {
  return randomBytes(16).toString("hex");
}

export interface ReadBody {
  text: string;
  tooLarge: boolean;
}

/**
 * Reads the whole body but keeps at most `maxBytes`: a larger one is drained (so the client can
 * read our 413 instead of hitting a reset connection) and flagged `tooLarge`.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<ReadBody> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on("end", () =>
      resolve({ text: tooLarge ? "" : Buffer.concat(chunks).toString("utf8"), tooLarge }),
    );
    req.on("error", reject);
  });
}

function mediaType(header: string | undefined): string {
  return (header ?? "").split(";")[0].trim().toLowerCase();
}

/** True when the Content-Type media type is application/json (parameters such as charset allowed). */
export function isJsonContentType(header: string | undefined): boolean {
  return mediaType(header) === "application/json";
}

export function isFormContentType(header: string | undefined): boolean {
  return mediaType(header) === "application/x-www-form-urlencoded";
}

export function sendJson(
  res: ServerResponse,
  status: number,
  requestId: string,
  payload: Record<string, unknown>,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify({ request_id: requestId, ...payload });
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
    [REQUEST_ID_HEADER]: requestId,
    ...headers,
  });
  res.end(text);
}

export function sendError(res: ServerResponse, requestId: string, error: ApiError): void {
  const payload: Record<string, unknown> = { error: { code: error.code, message: error.message } };
  if (error.data !== undefined) payload.data = error.data;
  sendJson(res, error.status, requestId, payload, error.headers);
}

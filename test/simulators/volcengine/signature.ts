// The simulator's own implementation of Volcengine's HMAC-SHA256 request signing (reference §3.5),
// written from the documented steps with node:crypto. It never uses the client's signer.

import { createHash, createHmac } from "node:crypto";

export const ALGORITHM = "HMAC-SHA256";

export function sha256Hex(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac("sha256", key).update(data, "utf8").digest();
}

/** RFC 3986 encoding: everything except A–Z a–z 0–9 - _ . ~ is percent-encoded (uppercase hex). */
export function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * Canonical query string from the raw query of the request line: each name and value decoded, then
 * RFC 3986-encoded, sorted by name in ASCII order, repeated names kept in their original order.
 */
export function canonicalQuery(rawQuery: string): string {
  if (rawQuery === "") return "";
  const pairs = rawQuery
    .split("&")
    .filter((p) => p !== "")
    .map((part, index) => {
      const eq = part.indexOf("=");
      const name = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
      const value = eq < 0 ? "" : decodeURIComponent(part.slice(eq + 1));
      return { name: rfc3986(name), value: rfc3986(value), index };
    });
  pairs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.index - b.index));
  return pairs.map((p) => `${p.name}=${p.value}`).join("&");
}

export interface SigningInput {
  method: string;
  path: string;
  rawQuery: string;
  /** Header values by lowercase name. */
  headers: Record<string, string>;
  signedHeaders: string[];
  body: Buffer | string;
  xDate: string;
  credentialScope: string;
}

export function canonicalRequest(input: SigningInput): string {
  const names = [...input.signedHeaders].map((h) => h.toLowerCase()).sort();
  const canonicalHeaders = names.map((h) => `${h}:${(input.headers[h] ?? "").trim()}\n`).join("");
  return [
    input.method.toUpperCase(),
    input.path === "" ? "/" : input.path,
    canonicalQuery(input.rawQuery),
    canonicalHeaders,
    names.join(";"),
    sha256Hex(input.body),
  ].join("\n");
}

export function stringToSign(xDate: string, credentialScope: string, canonical: string): string {
  return [ALGORITHM, xDate, credentialScope, sha256Hex(canonical)].join("\n");
}

export function signingKey(
  secretKey: string,
  shortDate: string,
  region: string,
  service: string,
): Buffer {
  const kDate = hmac(secretKey, shortDate);
  const kRegion = hmac(kDate, region);
  const kService = hmac(kRegion, service);
  return hmac(kService, "request");
}

export function computeSignature(input: SigningInput, secretKey: string): string {
  const [shortDate, region, service] = input.credentialScope.split("/");
  const canonical = canonicalRequest(input);
  const toSign = stringToSign(input.xDate, input.credentialScope, canonical);
  return createHmac("sha256", signingKey(secretKey, shortDate, region, service))
    .update(toSign)
    .digest("hex");
}

export interface ParsedAuthorization {
  accessKey: string;
  shortDate: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

/** Parses `HMAC-SHA256 Credential=AK/date/region/service/request, SignedHeaders=a;b, Signature=hex`. */
export function parseAuthorization(header: string): ParsedAuthorization | undefined {
  const m =
    /^HMAC-SHA256\s+Credential=([^,\s]+)\s*,\s*SignedHeaders=([^,\s]+)\s*,\s*Signature=([0-9a-f]{64})\s*$/.exec(
      header.trim(),
    );
  if (!m) return undefined;
  const scope = m[1].split("/");
  if (scope.length !== 5 || scope[4] !== "request" || !/^\d{8}$/.test(scope[1])) return undefined;
  return {
    accessKey: scope[0],
    shortDate: scope[1],
    region: scope[2],
    service: scope[3],
    signedHeaders: m[2].split(";").filter((h) => h !== ""),
    signature: m[3],
  };
}

/** Parses X-Date `YYYYMMDDTHHMMSSZ` into epoch ms (undefined if malformed). */
export function parseXDate(value: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  return Number.isNaN(ms) ? undefined : ms;
}

export type VerifyFailure = {
  status: number;
  code:
    | "MissingAuthenticationToken"
    | "InvalidAuthorization"
    | "InvalidAccessKey"
    | "InvalidCredential"
    | "InvalidTimestamp"
    | "SignatureDoesNotMatch";
  message: string;
};

export interface VerifyRequest {
  method: string;
  path: string;
  rawQuery: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface VerifyOptions {
  /** Access key → secret key. */
  keys: ReadonlyMap<string, string>;
  /** Regions served; the credential scope must name one. */
  regions: ReadonlySet<string>;
  /** Accepted service names in the credential scope (compared case-insensitively). */
  service: string;
  now: number;
  /**
   * HTTP status of InvalidTimestamp: 400 in the OpenAPI common error codes (BytePlus "Common error
   * codes"), 403 in Cloud Monitor's own common-error page (volcengine.com/docs/6408/78947).
   */
  timestampStatus?: 400 | 403;
}

/** Verifies a request; returns undefined when it is correctly signed, else why not. */
export function verifyRequest(req: VerifyRequest, opts: VerifyOptions): VerifyFailure | undefined {
  const header = (name: string): string | undefined => {
    const v = req.headers[name];
    return Array.isArray(v) ? v.join(",") : v;
  };
  const authorization = header("authorization");
  if (!authorization)
    return {
      status: 401,
      code: "MissingAuthenticationToken",
      message: "Authorization header is missing.",
    };
  const auth = parseAuthorization(authorization);
  if (!auth)
    return {
      status: 400,
      code: "InvalidAuthorization",
      message:
        "Authorization header is malformed; expected HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...",
    };
  const secretKey = opts.keys.get(auth.accessKey);
  if (secretKey === undefined)
    return { status: 401, code: "InvalidAccessKey", message: "The access key is not valid." };
  const xDate = header("x-date");
  const signedAt = xDate === undefined ? undefined : parseXDate(xDate);
  if (xDate === undefined || signedAt === undefined)
    return {
      status: opts.timestampStatus ?? 400,
      code: "InvalidTimestamp",
      message: "X-Date is missing or not in YYYYMMDDTHHMMSSZ form.",
    };
  const expiresHeader = header("x-expires");
  const expiresSeconds =
    expiresHeader !== undefined && /^\d+$/.test(expiresHeader) ? Number(expiresHeader) : 900;
  // Too old for its validity (X-Expires, default 15 min), or dated more than 15 min ahead.
  if (opts.now - signedAt > expiresSeconds * 1000 || signedAt - opts.now > 900_000)
    return {
      status: opts.timestampStatus ?? 400,
      code: "InvalidTimestamp",
      message: "The request has expired: X-Date is outside the validity window.",
    };
  if (auth.shortDate !== xDate.slice(0, 8))
    return {
      status: 400,
      code: "InvalidCredential",
      message: "The credential scope date does not match X-Date.",
    };
  if (!opts.regions.has(auth.region))
    return {
      status: 400,
      code: "InvalidCredential",
      message: `The credential scope region "${auth.region}" is not served here.`,
    };
  if (auth.service.toLowerCase() !== opts.service.toLowerCase())
    return {
      status: 400,
      code: "InvalidCredential",
      message: `The credential scope service "${auth.service}" is not ${opts.service}.`,
    };
  const signed = auth.signedHeaders.map((h) => h.toLowerCase());
  if (!signed.includes("host") || !signed.includes("x-date"))
    return {
      status: 400,
      code: "InvalidAuthorization",
      message: "SignedHeaders must include host and x-date.",
    };
  for (const h of signed)
    if (header(h) === undefined)
      return {
        status: 400,
        code: "InvalidAuthorization",
        message: `Signed header ${h} is not in the request.`,
      };
  const contentSha = header("x-content-sha256");
  if (contentSha !== undefined && contentSha.toLowerCase() !== sha256Hex(req.body))
    return {
      status: 401,
      code: "SignatureDoesNotMatch",
      message: "X-Content-Sha256 does not match the request body.",
    };
  const headers: Record<string, string> = {};
  for (const h of signed) headers[h] = header(h)!;
  const expected = computeSignature(
    {
      method: req.method,
      path: req.path,
      rawQuery: req.rawQuery,
      headers,
      signedHeaders: signed,
      body: req.body,
      xDate,
      credentialScope: `${auth.shortDate}/${auth.region}/${auth.service}/request`,
    },
    secretKey,
  );
  if (expected !== auth.signature)
    return {
      status: 401,
      code: "SignatureDoesNotMatch",
      message: "The request signature we calculated does not match the signature you provided.",
    };
  return undefined;
}

// An independent ACS3-HMAC-SHA256 verifier, written from Alibaba Cloud's published steps
// ("Request syntax and signature method V3", help.aliyun.com/zh/sdk/product-overview/
// v3-request-structure-and-signature; the same steps in the Function Compute 3.0 "签名机制" page):
//   1. CanonicalRequest = METHOD \n CanonicalURI \n CanonicalQueryString \n CanonicalHeaders \n
//      SignedHeaders \n HashedRequestPayload
//      - CanonicalURI: the ROA path, each `/`-separated segment RFC 3986-encoded (A-Z a-z 0-9 - _ . ~
//        kept; space %20, * %2A, ~ kept);
//      - CanonicalQueryString: parameters sorted by name, names and values encoded the same way,
//        `name=value` joined by `&` (empty string when there is none);
//      - CanonicalHeaders: every header that is `host`, `content-type` or starts with `x-acs-`,
//        lower-cased name, trimmed value, `name:value\n`, sorted by name ("all request headers
//        except Authorization that qualify must be signed");
//      - SignedHeaders: those names joined by `;`;
//      - HashedRequestPayload: hex SHA-256 of the body (of "" when there is none), also sent as
//        `x-acs-content-sha256`.
//   2. StringToSign = "ACS3-HMAC-SHA256" \n hex(SHA-256(CanonicalRequest)).
//   3. Signature = hex(HMAC-SHA256(AccessKeySecret, StringToSign)).
//   4. Authorization: ACS3-HMAC-SHA256 Credential=<AccessKeyId>,SignedHeaders=<...>,Signature=<...>
// Nothing here is shared with the client (which signs through @alicloud/openapi-core).
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

export const ALGORITHM = "ACS3-HMAC-SHA256";

export function sha256Hex(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

/** RFC 3986 percent-encoding of one component, as the signing steps prescribe. */
export function encodeRfc3986(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** Decodes a raw path/query component; undefined when it is not valid percent-encoding. */
function decode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

export function canonicalUri(rawPath: string): string {
  return rawPath
    .split("/")
    .map((segment) => encodeRfc3986(decode(segment) ?? segment))
    .join("/");
}

/** Canonical query from the raw query string (without `?`). `+` is taken literally. */
export function canonicalQuery(rawQuery: string): string {
  if (rawQuery === "") return "";
  const pairs = rawQuery
    .split("&")
    .filter((p) => p !== "")
    .map((p) => {
      const i = p.indexOf("=");
      const name = i === -1 ? p : p.slice(0, i);
      const value = i === -1 ? "" : p.slice(i + 1);
      return [encodeRfc3986(decode(name) ?? name), encodeRfc3986(decode(value) ?? value)];
    });
  pairs.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([n, v]) => `${n}=${v}`).join("&");
}

/** The headers that must be signed: host, content-type and every x-acs-* (names lower-cased). */
export function headersToSign(headers: Record<string, string>): [string, string][] {
  return Object.entries(headers)
    .map(([k, v]) => [k.toLowerCase(), v.trim()] as [string, string])
    .filter(([k]) => k === "host" || k === "content-type" || k.startsWith("x-acs-"))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export interface SignatureInput {
  method: string;
  /** Raw path as received, e.g. `/alertAction/abc`. */
  path: string;
  /** Raw query string without `?`. */
  query: string;
  headers: Record<string, string>;
  body: string | Buffer;
}

export function canonicalRequest(input: SignatureInput): { text: string; signedHeaders: string } {
  const signed = headersToSign(input.headers);
  const canonicalHeaders = signed.map(([k, v]) => `${k}:${v}\n`).join("");
  const signedHeaders = signed.map(([k]) => k).join(";");
  const text = [
    input.method.toUpperCase(),
    canonicalUri(input.path),
    canonicalQuery(input.query),
    canonicalHeaders,
    signedHeaders,
    sha256Hex(input.body),
  ].join("\n");
  return { text, signedHeaders };
}

export function stringToSign(canonical: string): string {
  return `${ALGORITHM}\n${sha256Hex(canonical)}`;
}

export function signature(secret: string, toSign: string): string {
  return createHmac("sha256", secret).update(toSign, "utf8").digest("hex");
}

export interface ParsedAuthorization {
  accessKeyId: string;
  signedHeaders: string;
  signature: string;
}

export function parseAuthorization(value: string | undefined): ParsedAuthorization | undefined {
  if (!value) return undefined;
  const m =
    /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]*),Signature=([0-9a-f]{64})$/.exec(
      value.trim(),
    );
  return m ? { accessKeyId: m[1], signedHeaders: m[2], signature: m[3] } : undefined;
}

export type VerifyResult =
  { ok: true; accessKeyId: string } | { ok: false; status: number; code: string; message: string };

/**
 * Checks a request's ACS3 signature. `secretOf` returns the secret of a known AccessKey id.
 * Error codes are Alibaba Cloud's common ones (see the simulator README for their sources).
 */
export function verifyRequest(
  input: SignatureInput,
  secretOf: (accessKeyId: string) => string | undefined,
): VerifyResult {
  const h = Object.fromEntries(Object.entries(input.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const auth = parseAuthorization(h.authorization);
  if (!auth)
    return {
      ok: false,
      status: 400,
      code: "IncompleteSignature",
      message: "The request signature does not conform to Aliyun standards.",
    };
  for (const required of ["x-acs-action", "x-acs-version", "x-acs-date", "x-acs-signature-nonce"])
    if (!h[required])
      return {
        ok: false,
        status: 400,
        code: "MissingParameter",
        message: `The input parameter "${required}" that is mandatory for processing this request is not supplied.`,
      };
  const payloadHash = sha256Hex(input.body);
  if (h["x-acs-content-sha256"] !== payloadHash)
    return {
      ok: false,
      status: 400,
      code: "IncompleteSignature",
      message: "x-acs-content-sha256 does not match the request body.",
    };
  const secret = secretOf(auth.accessKeyId);
  if (secret === undefined)
    return {
      ok: false,
      status: 404,
      code: "InvalidAccessKeyId.NotFound",
      message: "Specified access key is not found.",
    };
  const { text, signedHeaders } = canonicalRequest({ ...input, headers: h });
  const expected = signature(secret, stringToSign(text));
  const ok =
    auth.signedHeaders === signedHeaders &&
    timingSafeEqual(Buffer.from(expected, "hex"), Buffer.from(auth.signature, "hex"));
  if (!ok)
    return {
      ok: false,
      status: 400,
      code: "SignatureDoesNotMatch",
      message: "Specified signature is not matched with our calculation.",
    };
  return { ok: true, accessKeyId: auth.accessKeyId };
}

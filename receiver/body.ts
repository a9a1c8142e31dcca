// Request body decoding: content type → JSON or form fields. Errors carry the HTTP status and a
// message that says what is wrong, for the cloud console's "test" button and our logs.
import type { ParsedBody } from "./model";

/** An error answered with `status`; `reason` labels the rejection metric. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = "HttpError";
  }
}

export type BodyKind = "json" | "form" | "sniff";

const UTF8_CHARSETS = new Set(["utf-8", "utf8", "us-ascii", "ascii"]);

/**
 * Classifies a Content-Type header. JSON types and form encoding are accepted; text/plain and a
 * missing header are sniffed (some webhook senders mislabel JSON). Anything else is 415.
 */
export function classifyContentType(header: string | undefined): BodyKind {
  if (header === undefined) return "sniff";
  // A cloud sends the same header on every callback: remember the answers for a few.
  const known = contentTypes.get(header);
  if (known !== undefined) return known;
  const kind = classifyUncached(header);
  if (contentTypes.size < 32) contentTypes.set(header, kind);
  return kind;
}

const contentTypes = new Map<string, BodyKind>();

function classifyUncached(header: string): BodyKind {
  if (header.trim() === "") return "sniff";
  const [typePart, ...params] = header.split(";");
  const mediaType = (typePart ?? "").trim().toLowerCase();
  for (const param of params) {
    const eq = param.indexOf("=");
    if (eq < 0) continue;
    if (param.slice(0, eq).trim().toLowerCase() !== "charset") continue;
    const charset = param
      .slice(eq + 1)
      .trim()
      .replace(/^"|"$/g, "")
      .toLowerCase();
    if (!UTF8_CHARSETS.has(charset))
      throw new HttpError(
        415,
        "unsupported_charset",
        `charset "${charset.slice(0, 40)}" is not supported; send UTF-8`,
      );
  }
  if (mediaType === "application/json" || mediaType === "text/json" || mediaType.endsWith("+json"))
    return "json";
  if (mediaType === "application/x-www-form-urlencoded") return "form";
  if (mediaType === "text/plain" || mediaType === "*/*" || mediaType === "") return "sniff";
  throw new HttpError(
    415,
    "unsupported_media_type",
    `content type "${mediaType.slice(0, 80)}" is not supported; send application/json or application/x-www-form-urlencoded`,
  );
}

/**
 * Refuses a compressed body (415, RFC 7694): neither cloud compresses its callbacks, and inflating
 * would need its own size bound against decompression bombs. "identity" (or none) is fine.
 */
export function checkContentEncoding(header: string | undefined): void {
  if (header === undefined) return;
  const codings = header
    .split(",")
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== "" && c !== "identity");
  if (codings.length > 0)
    throw new HttpError(
      415,
      "unsupported_content_encoding",
      `content encoding "${codings.join(", ").slice(0, 40)}" is not supported; send the body uncompressed`,
    );
}

const decoder = new TextDecoder("utf-8", { fatal: true });

export function parseBody(raw: Buffer, kind: BodyKind): ParsedBody {
  // gzip's magic bytes without a Content-Encoding header: say what it is, not "not UTF-8".
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b)
    throw new HttpError(
      415,
      "unsupported_content_encoding",
      "the body is gzip-compressed; send it uncompressed",
    );
  let textBody: string;
  try {
    textBody = decoder.decode(raw);
  } catch {
    throw new HttpError(400, "invalid_utf8", "the body is not valid UTF-8");
  }
  if (textBody.trim() === "") throw new HttpError(400, "empty_body", "the body is empty");
  const trimmed = textBody.trimStart();
  const effective: "json" | "form" =
    kind === "sniff"
      ? trimmed.startsWith("{") || trimmed.startsWith("[")
        ? "json"
        : "form"
      : kind;
  if (effective === "json") {
    try {
      return { kind: "json", value: JSON.parse(textBody) as unknown };
    } catch (err) {
      throw new HttpError(
        400,
        "invalid_json",
        `the body is not valid JSON (${(err as Error).message.slice(0, 120)})`,
      );
    }
  }
  const fields = parseForm(textBody);
  if (fields === undefined || (!textBody.includes("=") && Object.keys(fields).length === 1))
    throw new HttpError(400, "invalid_form", "the body is not form-encoded name=value pairs");
  return { kind: "form", fields };
}

/** Sets an own enumerable field, also for the name "__proto__" (which `o[name] =` would not). */
export function setField(target: Record<string, string>, name: string, value: string): void {
  if (name === "__proto__")
    Object.defineProperty(target, name, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  else target[name] = value;
}

/**
 * application/x-www-form-urlencoded fields, first value per name, empty names skipped; undefined
 * when there is none. Exactly what URLSearchParams yields (a property test checks it). A body
 * without "%" or "+" needs no decoding, so it is split directly: URLSearchParams' generic parser
 * was a measurable share of the per-request cost (docs/performance.md).
 */
export function parseForm(text: string): Record<string, string> | undefined {
  const fields: Record<string, string> = {};
  let count = 0;
  const add = (name: string, value: string): void => {
    if (name === "" || Object.prototype.hasOwnProperty.call(fields, name)) return;
    setField(fields, name, value);
    count++;
  };
  if (text.includes("%") || text.includes("+")) {
    for (const [name, value] of new URLSearchParams(text)) add(name, value);
  } else {
    // URLSearchParams drops one leading "?" of its input string.
    let at = text.startsWith("?") ? 1 : 0;
    while (at <= text.length) {
      let end = text.indexOf("&", at);
      if (end < 0) end = text.length;
      if (end > at) {
        const eq = text.indexOf("=", at);
        if (eq < 0 || eq > end) add(text.slice(at, end), "");
        else add(text.slice(at, eq), text.slice(eq + 1, end));
      }
      at = end + 1;
    }
  }
  return count === 0 ? undefined : fields;
}

// HTTP front end on node:http (not fastify): five routes, and the receiver needs exact control of
// the raw body (size limit while streaming, charset, sniffing mislabelled JSON) and of every status
// code; node:http also keeps per-request overhead minimal (see docs/performance.md).
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { HttpError, checkContentEncoding, classifyContentType, parseBody } from "./body";
import type { DedupIndex } from "./dedup";
import { mapBody } from "./formats";
import { parseQueryBody } from "./formats/query";
import type { Logger } from "./logger";
import type { ReceiverMetrics } from "./metrics";
import type { CloudSource, MappedEvent, ParsedBody } from "./model";
import { UnmappableEventError } from "./model";
import type { NewRecord, Spool, SpoolRef } from "./spool";
import type { SyncVerdict } from "./sync-delivery";

export interface HandlerDeps {
  token: string | undefined;
  bodyLimitBytes: number;
  spool: Spool;
  dedup: DedupIndex;
  metrics: ReceiverMetrics;
  log: Logger;
  /** Called with each request's spooled events (forwarder, or dry-run logging). */
  onSpooled: (refs: SpoolRef[], events: MappedEvent[]) => void;
  readiness: () => Promise<{ ready: boolean; detail: Record<string, unknown> }>;
  /** DELIVERY=sync: forwards inline instead of spooling; the answer reflects Flashduty's. */
  deliverSync?: (
    source: CloudSource,
    events: MappedEvent[],
    dedupId: string | undefined,
  ) => Promise<SyncVerdict>;
}

const ROUTES: Record<string, CloudSource> = {
  "/v1/aliyun": "aliyun",
  "/v1/volcengine": "volcengine",
};

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, {
    "content-type": typeof body === "string" ? "text/plain; charset=utf-8" : "application/json",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function sendError(
  res: ServerResponse,
  err: HttpError,
  headers: Record<string, string> = {},
): void {
  send(res, err.status, { error: { code: err.reason, message: err.message } }, headers);
}

// createHash, not the one-shot crypto.hash: Function Compute's Node 20.10 predates it (20.12).
const digest = (s: string): Buffer => createHash("sha256").update(s).digest();

/** Constant-time comparison (hashing first makes the lengths equal). */
function tokenMatches(expected: Buffer, given: string | undefined): boolean {
  if (given === undefined) return false;
  return timingSafeEqual(expected, digest(given));
}

/**
 * The token as presented: from ?token= the form-decoded value (what URLSearchParams gives: "%2B" is
 * "+", and a raw "+" is a space), and also the raw text and its plain percent-decoding, so a token
 * with "+" (base64) pasted unencoded still matches; from Authorization: Bearer the value.
 */
function presentedTokens(req: IncomingMessage, url: Target, rawTarget: string): string[] {
  const q = url.searchParams.get("token");
  if (q !== null) {
    const candidates = [q];
    const raw = rawQueryValue(rawTarget, "token");
    if (raw !== undefined && raw !== q) {
      candidates.push(raw);
      try {
        const decoded = decodeURIComponent(raw);
        if (decoded !== q && decoded !== raw) candidates.push(decoded);
      } catch {
        // not valid percent-encoding: the other candidates stand
      }
    }
    return candidates;
  }
  const auth = req.headers.authorization;
  if (auth && /^bearer\s+/i.test(auth)) return [auth.replace(/^bearer\s+/i, "").trim()];
  return [];
}

/** The first raw (undecoded) value of a query parameter. */
function rawQueryValue(target: string, name: string): string | undefined {
  const q = target.indexOf("?");
  if (q < 0) return undefined;
  const hash = target.indexOf("#", q);
  const query = target.slice(q + 1, hash < 0 ? undefined : hash);
  for (const pair of query.split("&")) {
    const eq = pair.indexOf("=");
    if (eq >= 0 && pair.slice(0, eq) === name) return pair.slice(eq + 1);
  }
  return undefined;
}

/** What the handler needs of a request target. */
export interface Target {
  pathname: string;
  searchParams: URLSearchParams;
}

/** A plain origin-form path: no dot segments, escapes or repeated slashes to normalise. */
const PLAIN_PATH = /^(?:\/[A-Za-z0-9_-]+)+$/;
/** What the URL parser would strip (controls, spaces) or cut off (a fragment) in the query. */
const NEEDS_URL_PARSER = /[\u0000-\u0020#]/;

/**
 * Splits the request target. The clouds send plain targets ("/v1/aliyun?token=…"), whose path the
 * WHATWG URL parser would return unchanged and whose query it would parse exactly as
 * URLSearchParams does, so those skip building a URL (measurable per request); anything else goes
 * through the full parser. Throws on a target the parser rejects.
 */
export function parseTarget(raw: string): Target {
  const q = raw.indexOf("?");
  const pathname = q < 0 ? raw : raw.slice(0, q);
  if (PLAIN_PATH.test(pathname) && !NEEDS_URL_PARSER.test(raw))
    // Passed with its "?": the constructor strips exactly one, as the URL parser does ("??a").
    return { pathname, searchParams: new URLSearchParams(q < 0 ? "" : raw.slice(q)) };
  return new URL(raw, "http://receiver.invalid");
}

/**
 * How much of an oversized body is read and discarded after answering 413. A sender that writes its
 * whole body before reading the answer (as webhook senders do) would otherwise get a connection
 * reset instead of the 413: closing a socket with unread data resets it. Beyond this the connection
 * is closed (the sender then sees the reset).
 */
export function drainLimit(bodyLimitBytes: number): number {
  return Math.max(4 * bodyLimitBytes, 8 * 1024 * 1024);
}

/** How long an oversized body may take to arrive after the 413 before the connection is closed. */
const DRAIN_TIMEOUT_MS = 10_000;

/**
 * Reads and discards the rest of a request body; closes the connection past `maxBytes` or
 * DRAIN_TIMEOUT_MS (a sender that stops uploading once it has the answer would otherwise hold it).
 */
function drain(
  req: IncomingMessage,
  maxBytes: number,
  draining: Set<IncomingMessage>,
  alreadyRead = 0,
): void {
  let drained = alreadyRead;
  draining.add(req);
  const timer = setTimeout(() => req.socket.destroy(), DRAIN_TIMEOUT_MS);
  timer.unref();
  const done = (): void => {
    clearTimeout(timer);
    draining.delete(req);
  };
  req.on("data", (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > maxBytes) req.socket.destroy();
  });
  req.once("end", done);
  req.once("close", done);
  req.resume();
}

function readBody(
  req: IncomingMessage,
  limit: number,
  draining: Set<IncomingMessage>,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
        req.off("data", onData);
        drain(req, drainLimit(limit), draining, size); // so the client reads our 413
        reject(new HttpError(413, "body_too_large", `the body exceeds ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.on("end", () => {
      // A small body arrives in one chunk: no copy needed.
      if (!tooLarge)
        resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    });
    req.on("error", reject);
    req.on("aborted", () => reject(new HttpError(400, "aborted", "the request was aborted")));
  });
}

/** Normalises a delivery id header into a bounded dedup key. */
function dedupKey(source: CloudSource, header: string | string[] | undefined): string | undefined {
  const raw = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!raw) return undefined;
  const id = raw.length <= 128 ? raw : `sha256:${digest(raw).toString("hex")}`;
  return `${source}:${id}`;
}

export interface Handler {
  (req: IncomingMessage, res: ServerResponse): void;
  /** Closes the connections still draining a rejected body (at shutdown: nothing to keep there). */
  stopDraining(): void;
}

export function createHandler(deps: HandlerDeps): Handler {
  /** Requests whose rejected body is being read and dropped. */
  const draining = new Set<IncomingMessage>();
  const expectedToken = deps.token === undefined ? undefined : digest(deps.token);
  const inFlightDeliveries = new Map<string, Promise<unknown>>();

  async function ingest(
    source: CloudSource,
    req: IncomingMessage,
    res: ServerResponse,
    url: Target,
  ): Promise<void> {
    deps.metrics.received.inc({ source });
    const reject = (err: HttpError, headers?: Record<string, string>): void => {
      deps.metrics.rejected.inc({ source, reason: err.reason });
      deps.log.info("request rejected", {
        source,
        status: err.status,
        reason: err.reason,
        detail: err.message,
      });
      sendError(res, err, headers);
    };
    if (
      expectedToken &&
      !presentedTokens(req, url, req.url ?? "").some((t) => tokenMatches(expectedToken, t))
    )
      return reject(
        new HttpError(
          401,
          "bad_token",
          "missing or wrong token: pass ?token=<RECEIVER_TOKEN> or Authorization: Bearer",
        ),
      );
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > deps.bodyLimitBytes) {
      // Answered now, and the body read and dropped meanwhile: no "Connection: close", which
      // would close the socket with the upload unread and reset it before the sender reads this.
      drain(req, drainLimit(deps.bodyLimitBytes), draining);
      return reject(
        new HttpError(413, "body_too_large", `the body exceeds ${deps.bodyLimitBytes} bytes`),
      );
    }
    let events: MappedEvent[];
    let dedupId: string | undefined;
    try {
      let parsed: ParsedBody;
      if (req.method === "GET") {
        req.resume();
        parsed = parseQueryBody(url.searchParams);
      } else {
        checkContentEncoding(req.headers["content-encoding"]);
        const kind = classifyContentType(req.headers["content-type"]);
        parsed = parseBody(await readBody(req, deps.bodyLimitBytes, draining), kind);
      }
      events = mapBody(source, parsed);
      dedupId =
        source === "volcengine" ? dedupKey(source, req.headers["x-volc-trace-id"]) : undefined;
    } catch (err) {
      if (err instanceof HttpError) {
        if (!req.complete) drain(req, drainLimit(deps.bodyLimitBytes), draining);
        return reject(err);
      }
      if (err instanceof UnmappableEventError)
        return reject(new HttpError(422, "unrecognised", err.message));
      throw err;
    }

    if (deps.spool.halted) {
      // The spool lock was lost: another process may own the directory; nothing is accepted.
      return reject(
        new HttpError(503, "spool_unavailable", "the event could not be stored; retry later"),
        { "retry-after": "5" },
      );
    }

    if (dedupId !== undefined) {
      // A retry racing its original: wait for the original's outcome first.
      const earlier = inFlightDeliveries.get(dedupId);
      if (earlier) await earlier.catch(() => undefined);
      if (deps.dedup.has(dedupId)) {
        deps.metrics.duplicates.inc({ source });
        send(res, 202, { status: "duplicate", message: "already accepted; not spooled again" });
        return;
      }
    }

    if (deps.deliverSync) {
      const delivering = deps.deliverSync(source, events, dedupId);
      if (dedupId !== undefined) inFlightDeliveries.set(dedupId, delivering);
      let verdict: SyncVerdict;
      try {
        verdict = await delivering;
      } finally {
        if (dedupId !== undefined) inFlightDeliveries.delete(dedupId);
      }
      if (verdict.kind === "unavailable")
        return reject(
          new HttpError(
            503,
            "flashduty_unavailable",
            `Flashduty did not accept the event in time (${verdict.detail}); nothing was kept: send it again`,
          ),
          { "retry-after": String(verdict.retryAfterSeconds) },
        );
      if (verdict.kind === "rejected")
        return reject(
          new HttpError(
            502,
            "flashduty_rejected",
            `Flashduty rejected the event (${verdict.detail}); it was dead-lettered and logged, and a retry fails alike until the cause is fixed`,
          ),
        );
      // Remembered only once delivered: a retry of a failed delivery must be forwarded again.
      if (dedupId !== undefined) deps.dedup.add(dedupId);
      for (const e of events) deps.metrics.accepted.inc({ source, format: e.format });
      send(res, 202, {
        status: "delivered",
        events: events.length,
        alert_keys: events.map((e) => e.body.alert_key),
      });
      return;
    }

    const records: NewRecord[] = events.map((e) => ({
      source,
      format: e.format,
      body: e.body,
      ...(dedupId !== undefined ? { dedupId } : {}),
    }));
    const appended = deps.spool.append(records);
    if (dedupId !== undefined) inFlightDeliveries.set(dedupId, appended);
    let refs: SpoolRef[];
    try {
      refs = await appended;
    } catch (err) {
      deps.log.error("cannot spool event; answering 503 so the cloud retries", {
        source,
        error: (err as Error).message,
      });
      return reject(
        new HttpError(503, "spool_unavailable", "the event could not be stored; retry later"),
        {
          "retry-after": "5",
        },
      );
    } finally {
      if (dedupId !== undefined) inFlightDeliveries.delete(dedupId);
    }
    if (dedupId !== undefined) deps.dedup.add(dedupId);
    for (const e of events) deps.metrics.accepted.inc({ source, format: e.format });
    deps.onSpooled(refs, events);
    send(res, 202, {
      status: "accepted",
      events: refs.length,
      alert_keys: events.map((e) => e.body.alert_key),
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: Target;
    try {
      url = parseTarget(req.url ?? "/");
    } catch {
      return sendError(res, new HttpError(400, "bad_url", "the request URL is malformed"));
    }
    const source = ROUTES[url.pathname];
    if (source) {
      // Alibaba's push channel may be set to GET (the event in the query string).
      const allowed = source === "aliyun" ? ["POST", "GET"] : ["POST"];
      if (!allowed.includes(req.method ?? ""))
        return sendError(
          res,
          new HttpError(405, "method_not_allowed", `use ${allowed.join(" or ")}`),
          { allow: allowed.join(", ") },
        );
      return ingest(source, req, res, url);
    }
    if (req.method !== "GET" && req.method !== "HEAD")
      return sendError(
        res,
        new HttpError(url.pathname in PAGES ? 405 : 404, "not_found", "no such endpoint"),
      );
    switch (url.pathname) {
      case "/healthz":
        return send(res, 200, { status: "ok" });
      case "/readyz": {
        const { ready, detail } = await deps.readiness();
        return send(res, ready ? 200 : 503, { ready, ...detail });
      }
      case "/metrics": {
        const text = await deps.metrics.registry.metrics();
        res.writeHead(200, { "content-type": deps.metrics.registry.contentType });
        res.end(text);
        return;
      }
      default:
        return sendError(
          res,
          new HttpError(404, "not_found", "no such endpoint; POST /v1/aliyun or /v1/volcengine"),
        );
    }
  }

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((err: unknown) => {
      deps.log.error("unexpected error handling a request", {
        error: (err as Error)?.stack ?? String(err),
      });
      if (!res.headersSent) sendError(res, new HttpError(500, "internal", "internal error"));
      else res.destroy();
    });
  };
  return Object.assign(handler, {
    stopDraining: () => {
      for (const req of draining) req.socket.destroy();
    },
  });
}

const PAGES: Record<string, true> = { "/healthz": true, "/readyz": true, "/metrics": true };

/**
 * Answers what node:http rejects before a request reaches the handler, with a JSON body saying
 * why: 431 for a header block over Node's limit (16 KiB by default), 408 for a request that took
 * too long, 400 for anything malformed.
 */
export function onClientError(err: Error & { code?: string }, socket: Duplex): void {
  if (!socket.writable) {
    socket.destroy(err);
    return;
  }
  const [status, reason, code, message] =
    err.code === "HPE_HEADER_OVERFLOW"
      ? [
          431,
          "Request Header Fields Too Large",
          "headers_too_large",
          "the request headers exceed the 16 KiB limit; send shorter headers",
        ]
      : err.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? [408, "Request Timeout", "request_timeout", "the request took too long to arrive"]
        : [400, "Bad Request", "bad_request", "the request is not valid HTTP/1.1"];
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

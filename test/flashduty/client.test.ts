// Flashduty API client against the simulator: envelope, typed errors, retries (429 with Retry-After,
// 5xx, timeouts, network errors), pagination, and the app key never leaking into errors or logs.
import { strict as assert } from "node:assert";
import { createServer } from "node:net";
import { FlashdutySimulator } from "../simulators/flashduty";
import { FlashdutyClient, maskAppKeyParams } from "../../components/flashduty/client";
import { CLIENT_ERROR_CODES, FlashdutyApiError } from "../../components/flashduty/errors";
import { FAST_RETRY, guardLoopbackOnly } from "./helpers";

/** Every rendering of an error a user or a log could see. */
function renderings(error: unknown): string {
  const e = error as Error;
  return [
    String(e),
    e.message,
    e.stack ?? "",
    JSON.stringify(e),
    JSON.stringify(Object.entries(e)),
  ].join("\n");
}

async function rejection(promise: Promise<unknown>): Promise<FlashdutyApiError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(
      error instanceof FlashdutyApiError,
      `expected FlashdutyApiError, got ${String(error)}`,
    );
    return error;
  }
  assert.fail("expected the call to fail");
}

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("flashduty/client", () => {
  let removeLoopbackGuard: () => void;
  before(() => {
    removeLoopbackGuard = guardLoopbackOnly();
  });
  after(() => removeLoopbackGuard());

  let sim: FlashdutySimulator;
  const logs: string[] = [];
  const delays: number[] = [];

  function client(overrides: Partial<ConstructorParameters<typeof FlashdutyClient>[0]> = {}) {
    return new FlashdutyClient({
      appKey: sim.appKey,
      baseUrl: sim.baseUrl,
      retry: FAST_RETRY,
      log: (m) => logs.push(m),
      sleep: async (ms) => {
        delays.push(ms);
      },
      random: () => 0.5,
      ...overrides,
    });
  }

  before(async () => {
    sim = await FlashdutySimulator.start({ appKey: "fdappkey0123456789abcdef01234567" });
  });
  after(async () => sim.stop());
  beforeEach(() => {
    sim.reset();
    logs.length = 0;
    delays.length = 0;
  });
  afterEach(function () {
    // Whatever happened, no log line carries the app key.
    for (const line of logs) assert.ok(!line.includes(sim.appKey), `log leaked the key: ${line}`);
  });

  it("returns the envelope's data and sends the app key as the app_key query parameter", async () => {
    const data = await client().post<{ items: unknown[] }>("/integration/type/list", {
      limit: 100,
    });
    assert.ok(Array.isArray(data.items) && data.items.length > 0);
    assert.equal(sim.requests.length, 1);
    assert.equal(sim.requests[0].method, "POST");
    assert.equal(sim.requests[0].status, 200);
  });

  it("returns null data as null (route/info of an integration without a route)", async () => {
    const created = await client().post<{ integration_id: number }>("/integration/create", {
      plugin_type: "standard.alert",
      name: "no route yet",
    });
    assert.equal(
      await client().post("/route/info", { integration_id: created.integration_id }),
      null,
    );
  });

  it("401: explains how to set flashduty:appKey, carries the request id, never the key", async () => {
    const wrongKey = "wrongkey-fd-9f8e7d6c5b4a39281706f5e4";
    const error = await rejection(client({ appKey: wrongKey }).post("/integration/type/list", {}));
    assert.equal(error.code, "Unauthorized");
    assert.equal(error.httpStatus, 401);
    assert.ok(error.isUnauthorized);
    assert.ok(error.requestId && error.requestId.length > 0, "request id present");
    assert.match(error.message, /flashduty:appKey/);
    assert.match(error.message, /FLASHDUTY_APP_KEY/);
    assert.ok(error.message.includes(error.requestId as string));
    assert.equal(sim.requests.length, 1, "401 is not retried");
    assert.ok(!renderings(error).includes(wrongKey));
  });

  it("400 InvalidParameter: names the offending field and is not retried", async () => {
    const error = await rejection(
      client().post("/integration/create", { plugin_type: "standard.alert", name: "x" }),
    );
    assert.equal(error.code, "InvalidParameter");
    assert.equal(error.httpStatus, 400);
    assert.ok(error.isInvalidParameter);
    assert.match(error.message, /name/);
    assert.equal(sim.requests.length, 1);
  });

  it("400 ResourceNotFound means gone: isNotFound", async () => {
    const error = await rejection(client().post("/integration/info", { integration_id: 424242 }));
    assert.equal(error.code, "ResourceNotFound");
    assert.equal(error.httpStatus, 400);
    assert.ok(error.isNotFound);
  });

  it("404 RouteNotFound: says the endpoint is missing at the base URL", async () => {
    const error = await rejection(client().post("/integration/nope", {}));
    assert.equal(error.httpStatus, 404);
    assert.ok(error.isRouteNotFound);
    assert.match(error.message, /flashduty:baseUrl/);
  });

  it("429: retries after the server's Retry-After, then succeeds", async () => {
    sim.inject({ kind: "429", retryAfterSeconds: 2 }, 1);
    const data = await client().post<{ items: unknown[] }>("/integration/type/list", {});
    assert.ok(Array.isArray(data.items));
    assert.deepEqual(
      sim.requests.map((r) => r.status),
      [429, 200],
    );
    assert.equal(delays.length, 1);
    assert.ok(delays[0] >= 2000, `waited ${delays[0]} ms, Retry-After asked 2000`);
    assert.equal(logs.length, 1);
    assert.match(logs[0], /RequestTooFrequently/);
  });

  it("429: really waits for Retry-After with the default sleep", async () => {
    sim.inject({ kind: "429", retryAfterSeconds: 1 }, 1);
    const real = new FlashdutyClient({
      appKey: sim.appKey,
      baseUrl: sim.baseUrl,
      retry: FAST_RETRY,
    });
    await real.post("/integration/type/list", {});
    const [first, second] = sim.requests;
    assert.equal(first.status, 429);
    assert.ok(second.at - first.at >= 950, `second attempt after ${second.at - first.at} ms`);
  });

  it("429 asking for longer than maxRetryAfterMs fails at once with a clear message", async () => {
    sim.inject({ kind: "429", retryAfterSeconds: 120 }, 1);
    const error = await rejection(client().post("/integration/type/list", {}));
    assert.ok(error.isRateLimited);
    assert.match(error.message, /wait 120s/);
    assert.equal(sim.requests.length, 1);
  });

  it("5xx then success: retried with growing backoff", async () => {
    sim.inject({ kind: "5xx", status: 503 }, 2);
    await client().post("/integration/type/list", {});
    assert.deepEqual(
      sim.requests.map((r) => r.status),
      [503, 503, 200],
    );
    assert.equal(delays.length, 2);
    assert.ok(delays[1] >= delays[0]);
  });

  it("5xx exhausted: code, status, attempts and request id; no key anywhere", async () => {
    sim.inject({ kind: "5xx" }, 10);
    const error = await rejection(client().post("/integration/type/list", {}));
    assert.equal(error.code, "InternalError");
    assert.equal(error.httpStatus, 500);
    assert.equal(error.attempts, 3);
    assert.equal(sim.requests.length, 3);
    assert.ok(error.requestId);
    assert.match(error.message, /after 3 attempts/);
    assert.ok(!renderings(error).includes(sim.appKey));
  });

  it("timeout: a hung request fails with ClientTimeout after retries; no key anywhere", async () => {
    sim.inject({ kind: "hang" }, 10);
    const error = await rejection(
      client({ retry: { ...FAST_RETRY, timeoutMs: 150, maxRetries: 1 } }).post(
        "/integration/info",
        {
          integration_id: 1,
        },
      ),
    );
    assert.equal(error.code, CLIENT_ERROR_CODES.timeout);
    assert.ok(error.isTimeout);
    assert.equal(error.attempts, 2);
    assert.equal(sim.requests.length, 2);
    assert.match(error.message, /150 ms/);
    assert.ok(!renderings(error).includes(sim.appKey));
  });

  it("network error: connection refused is retried, then reported without the key", async () => {
    const port = await closedPort();
    const error = await rejection(
      client({ baseUrl: `http://127.0.0.1:${port}` }).post("/integration/type/list", {}),
    );
    assert.equal(error.code, CLIENT_ERROR_CODES.network);
    assert.match(error.message, /ECONNREFUSED/);
    assert.equal(error.attempts, 3);
    assert.equal(logs.length, 2);
    assert.ok(!renderings(error).includes(sim.appKey));
  });

  it("a non-idempotent call is not resent after a 5xx or a timeout (Flashduty may have acted)", async () => {
    sim.inject({ kind: "5xx", status: 503 }, 10);
    const failed = await rejection(
      client().post("/channel/create", { team_id: 1, channel_name: "once" }, { idempotent: false }),
    );
    assert.equal(failed.httpStatus, 503);
    assert.equal(sim.requests.length, 1, "sent exactly once");
    assert.match(failed.message, /duplicate/);
    assert.match(failed.message, /adoptId/);

    sim.reset();
    sim.inject({ kind: "hang" }, 10);
    const timedOut = await rejection(
      client({ retry: { ...FAST_RETRY, timeoutMs: 150 } }).post(
        "/channel/create",
        { team_id: 1, channel_name: "once" },
        { idempotent: false },
      ),
    );
    assert.ok(timedOut.isTimeout);
    assert.equal(sim.requests.length, 1, "sent exactly once");
    assert.match(timedOut.message, /adoptId/);
    assert.equal(sim.channels().length, 0);
  });

  it("a non-idempotent call is still resent after a 429 or a refused connection", async () => {
    sim.inject({ kind: "429", retryAfterSeconds: 1 }, 1);
    await client().post(
      "/channel/create",
      { team_id: 1, channel_name: "throttled" },
      { idempotent: false },
    );
    assert.deepEqual(
      sim.requests.map((r) => r.status),
      [429, 200],
    );
    assert.equal(sim.channels().length, 1);

    const port = await closedPort();
    const refused = await rejection(
      client({ baseUrl: `http://127.0.0.1:${port}` }).post(
        "/channel/create",
        { team_id: 1, channel_name: "refused" },
        { idempotent: false },
      ),
    );
    assert.equal(refused.code, CLIENT_ERROR_CODES.network);
    assert.equal(refused.attempts, 3);
  });

  it("an answer without the envelope is an UnexpectedResponse quoting at most 200 characters of it", async () => {
    const { createServer: createHttpServer } = await import("node:http");
    const body = JSON.stringify({ items: Array.from({ length: 500 }, (_, i) => `item-${i}`) });
    const server = createHttpServer((_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    try {
      const error = await rejection(
        client({ baseUrl: `http://127.0.0.1:${port}` }).post("/integration/list", {}),
      );
      assert.equal(error.code, CLIENT_ERROR_CODES.badResponse);
      assert.match(error.message, /answer without a Flashduty envelope: \{"items":\["item-0"/);
      assert.ok(!error.message.includes("item-499"), "the whole body was quoted");
      assert.ok(error.apiMessage.length < 300, `${error.apiMessage.length} characters quoted`);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("an envelope error on HTTP 200 is still an error", async () => {
    const { createServer: createHttpServer } = await import("node:http");
    const server = createHttpServer((_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(
        JSON.stringify({
          request_id: "req-200-err",
          error: { code: "AccessDenied", message: "no" },
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as { port: number };
      const error = await rejection(client({ baseUrl: `http://127.0.0.1:${port}` }).post("/x", {}));
      assert.equal(error.code, "AccessDenied");
      assert.equal(error.httpStatus, 200);
      assert.equal(error.requestId, "req-200-err");
      assert.ok(error.isAccessDenied);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("paginate follows has_next_page across pages", async () => {
    const all = await client().paginate<{ plugin_type: string }>("/integration/type/list", {}, 2);
    const single = await client().post<{ items: { plugin_type: string }[] }>(
      "/integration/type/list",
      {
        p: 1,
        limit: 100,
      },
    );
    assert.ok(single.items.length > 2, "needs more than one page of 2");
    assert.deepEqual(
      all.map((t) => t.plugin_type),
      single.items.map((t) => t.plugin_type),
    );
    const pages = sim.requests.filter((r) => (r.body as { limit?: number }).limit === 2).length;
    assert.equal(pages, Math.ceil(single.items.length / 2));
  });

  it("paginate falls back to total when an endpoint has no has_next_page", async () => {
    const { createServer: createHttpServer } = await import("node:http");
    const all = Array.from({ length: 5 }, (_, i) => ({ n: i }));
    const pagesAsked: number[] = [];
    const server = createHttpServer((req, res) => {
      let text = "";
      req.on("data", (chunk) => (text += chunk));
      req.on("end", () => {
        const { p, limit } = JSON.parse(text) as { p: number; limit: number };
        pagesAsked.push(p);
        const items = all.slice((p - 1) * limit, p * limit);
        res.writeHead(200, { "Content-Type": "application/json" });
        res.end(JSON.stringify({ request_id: "r", data: { p, limit, total: all.length, items } }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as { port: number };
      const items = await client({ baseUrl: `http://127.0.0.1:${port}` }).paginate("/x", {}, 2);
      assert.deepEqual(items, all);
      assert.deepEqual(pagesAsked, [1, 2, 3]);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("maskAppKeyParams hides app_key values in URLs", () => {
    assert.equal(
      maskAppKeyParams("POST http://h/x?app_key=abc123&p=1 and ?APP_KEY=zzz"),
      "POST http://h/x?app_key=***&p=1 and ?APP_KEY=***",
    );
  });
});

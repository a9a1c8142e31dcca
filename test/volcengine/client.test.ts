// The Cloud Monitor client against the simulator: signing, errors, retries, timeouts, config.

import { strict as assert } from "node:assert";
import {
  VolcengineApiError,
  VolcengineConfigError,
  VolcengineNetworkError,
  callVolcengine,
  resolveSettings,
  settingsFromConfig,
} from "../../components/volcengine/client";
import { createWebhook, getWebhook } from "../../components/volcengine/api";
import { VolcengineSimulator } from "../simulators/volcengine";
import { errorOf, settingsFor } from "./helpers";

const PUSH_URL =
  "https://api.flashcat.cloud/event/push/alert/volcengine?integration_key=SECRETKEY123456";

describe("volcengine client", () => {
  let sim: VolcengineSimulator;
  before(async () => {
    sim = await VolcengineSimulator.start({ regions: ["cn-shanghai"] });
  });
  after(() => sim.stop());
  beforeEach(() => sim.reset());

  it("signs requests with the vendor signer in a way the simulator accepts", async () => {
    const id = await createWebhook(settingsFor(sim), "Flashduty_Event", PUSH_URL);
    assert.match(id, /^\d+$/);
    assert.equal(sim.requests.length, 1);
    assert.equal(sim.requests[0].status, 200);
    assert.equal(sim.requests[0].action, "CreateWebhook");
    assert.equal(sim.requests[0].region, "cn-beijing");
    assert.deepEqual(
      sim.webhooks().map((w) => [w.Id, w.Type, w.Url]),
      [[id, "custom", PUSH_URL]],
    );
  });

  it("accepts the Go SDK's lowercase service name too (volcengine:service override)", async () => {
    const s = settingsFor(sim, { service: "volc_observe" });
    await createWebhook(s, "x", PUSH_URL);
    assert.equal(sim.webhooks().length, 1);
  });

  it("keeps state per region (the region is part of the signature scope)", async () => {
    const id = await createWebhook(settingsFor(sim), "beijing", PUSH_URL);
    assert.equal(await getWebhook(settingsFor(sim, { region: "cn-shanghai" }), id), undefined);
    assert.equal((await getWebhook(settingsFor(sim), id))?.Name, "beijing");
    const err = await errorOf(() => getWebhook(settingsFor(sim, { region: "ap-southeast-1" }), id));
    assert.ok(err instanceof VolcengineApiError);
    assert.equal(err.code, "InvalidCredential");
  });

  it("reports a wrong secret key as a signature error with advice, request id, and no secrets", async () => {
    const s = settingsFor(sim, { secretKey: "wrong-secret-key-value" });
    const err = await errorOf(() => createWebhook(s, "x", PUSH_URL));
    assert.ok(err instanceof VolcengineApiError);
    assert.equal(err.code, "SignatureDoesNotMatch");
    assert.equal(err.httpStatus, 401);
    assert.match(err.requestId ?? "", /^\d{14}[0-9A-F]+$/);
    assert.match(err.message, /volcengine:secretKey/);
    assert.match(err.message, /RequestId/);
    for (const secret of [
      "wrong-secret-key-value",
      sim.secretKey,
      sim.accessKey,
      "SECRETKEY123456",
    ])
      assert.ok(!err.message.includes(secret), "error text must not contain a secret");
    assert.ok(!String(err.stack).includes("wrong-secret-key-value"));
    assert.equal(sim.requests.length, 1, "auth failures are not retried");
  });

  it("reports an unknown access key without printing it", async () => {
    const s = settingsFor(sim, { accessKey: "AKLTunknownAccessKey42" });
    const err = await errorOf(() => getWebhook(s, "1"));
    assert.ok(err instanceof VolcengineApiError);
    assert.equal(err.code, "InvalidAccessKey");
    assert.equal(err.httpStatus, 401);
    assert.match(err.message, /volcengine:accessKey/);
    assert.ok(!err.message.includes("AKLTunknownAccessKey42"));
  });

  it("retries 5xx on idempotent calls and then succeeds", async () => {
    const id = await createWebhook(settingsFor(sim), "x", PUSH_URL);
    sim.inject({ kind: "5xx", status: 503 }, 2);
    assert.equal((await getWebhook(settingsFor(sim), id))?.Id, id);
    assert.deepEqual(
      sim.requests.slice(1).map((r) => r.status),
      [503, 503, 200],
    );
  });

  it("gives up after the retry budget with the server's error", async () => {
    sim.inject({ kind: "5xx" }, 10);
    const err = await errorOf(() => getWebhook(settingsFor(sim), "1"));
    assert.ok(err instanceof VolcengineApiError);
    assert.equal(err.code, "InternalError");
    assert.equal(err.httpStatus, 500);
    assert.equal(sim.requests.length, 4, "1 attempt + maxRetries 3");
  });

  it("retries 429 honouring Retry-After, also for creates", async () => {
    sim.inject({ kind: "429", retryAfterSeconds: 0.3 }, 1);
    const started = Date.now();
    await createWebhook(settingsFor(sim), "x", PUSH_URL);
    assert.ok(Date.now() - started >= 290, "waited at least the Retry-After");
    assert.deepEqual(
      sim.requests.map((r) => r.status),
      [429, 200],
    );
    assert.equal(sim.webhooks().length, 1);
  });

  it("fails at once when Retry-After exceeds the cap, with throttling advice", async () => {
    sim.inject({ kind: "429", retryAfterSeconds: 120 }, 1);
    const err = await errorOf(() => getWebhook(settingsFor(sim), "1"));
    assert.ok(err instanceof VolcengineApiError);
    assert.equal(err.code, "FlowLimitExceeded");
    assert.match(err.message, /Throttled/);
    assert.equal(sim.requests.length, 1);
  });

  it("does not retry a create after a 5xx (no duplicates) and says how to recover", async () => {
    sim.inject({ kind: "5xx" }, 1);
    const err = await errorOf(() => createWebhook(settingsFor(sim), "x", PUSH_URL));
    assert.ok(err instanceof VolcengineApiError);
    assert.match(err.message, /adoptId/);
    assert.equal(sim.requests.length, 1);
  });

  it("times out on a hanging server, retries, and reports the timeout", async () => {
    sim.inject({ kind: "hang" }, 10);
    const s = settingsFor(sim, { retry: { timeoutMs: 150, maxRetries: 1 } });
    const err = await errorOf(() => getWebhook(s, "1"));
    assert.ok(err instanceof VolcengineNetworkError);
    assert.match(err.message, /timeout/);
    assert.equal(err.attempts, 2);
    assert.equal(sim.requests.length, 2);
  });

  it("does not retry a hanging create (it may have been applied)", async () => {
    sim.inject({ kind: "hang" }, 10);
    const s = settingsFor(sim, { retry: { timeoutMs: 150 } });
    const err = await errorOf(() => createWebhook(s, "x", PUSH_URL));
    assert.ok(err instanceof VolcengineNetworkError);
    assert.match(err.message, /adoptId/);
    assert.equal(sim.requests.length, 1);
  });

  it("retries when the connection is refused, then reports a network error", async () => {
    const s = settingsFor(sim, { endpoint: "http://127.0.0.1:1" });
    const err = await errorOf(() => getWebhook(s, "1"));
    assert.ok(err instanceof VolcengineNetworkError);
    assert.equal(err.attempts, 4);
    assert.match(err.message, /ECONNREFUSED/);
  });

  it("masks a callback URL's key in a server message even when only part of the URL is echoed", async () => {
    // A stand-in server that quotes what it was sent, in the ways an error message might: the
    // whole Url, the query alone, or just the key.
    const { createServer } = await import("node:http");
    const server = createServer((req, res) => {
      let text = "";
      req.on("data", (chunk) => (text += chunk));
      req.on("end", () => {
        const url = String((JSON.parse(text) as { Url: string }).Url);
        const parsed = new URL(url);
        const key = parsed.searchParams.get("integration_key");
        res.writeHead(400, { "Content-Type": "application/json" });
        res.end(
          JSON.stringify({
            ResponseMetadata: {
              RequestId: "r1",
              Error: {
                Code: "InvalidParameter",
                Message: `Url ${url} rejected; query ${parsed.search}; key ${key}; Url=${encodeURIComponent(url)}`,
              },
            },
          }),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    try {
      const err = await errorOf(() =>
        createWebhook(
          settingsFor(sim, { endpoint: `http://127.0.0.1:${port}` }),
          "Flashduty_Event",
          PUSH_URL,
        ),
      );
      assert.ok(err instanceof VolcengineApiError);
      assert.match(err.message, /InvalidParameter: Url \*\*\* rejected/);
      assert.ok(!`${err.message}${err.stack}`.includes("SECRETKEY123456"), err.message);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("answers an unknown action with InvalidActionOrVersion and advice", async () => {
    const err = await errorOf(() =>
      callVolcengine(settingsFor(sim), "CreateBananas", {}, { idempotent: true }),
    );
    assert.ok(err instanceof VolcengineApiError);
    assert.equal(err.code, "InvalidActionOrVersion");
    assert.equal(err.httpStatus, 404);
    assert.match(err.message, /volcengine:endpoint/);
  });

  describe("settings", () => {
    it("names every missing key and how to set it", () => {
      const err = (() => {
        try {
          resolveSettings({}, {});
        } catch (e) {
          return e as Error;
        }
        throw new Error("expected failure");
      })();
      assert.ok(err instanceof VolcengineConfigError);
      for (const key of [
        "volcengine:accessKey",
        "volcengine:secretKey",
        "volcengine:region",
        "VOLCENGINE_ACCESS_KEY",
      ])
        assert.ok(err.message.includes(key), key);
    });

    it("prefers stack config over env, falls back to env, defaults the endpoint", () => {
      const s = resolveSettings(
        settingsFromConfig(
          (k) => ({ "volcengine:accessKey": "AKcfg", "volcengine:region": "cn-shanghai" })[k],
        ),
        { accessKey: "AKenv", secretKey: "SKenv", region: "cn-beijing" },
      );
      assert.equal(s.accessKey, "AKcfg");
      assert.equal(s.secretKey, "SKenv");
      assert.equal(s.region, "cn-shanghai");
      assert.equal(s.endpoint, "https://open.volcengineapi.com");
      assert.equal(s.service, "Volc_Observe");
    });

    it("refuses a plain-http endpoint that is not loopback", () => {
      assert.throws(
        () =>
          resolveSettings(
            {
              accessKey: "a",
              secretKey: "b",
              region: "cn-beijing",
              endpoint: "http://example.com",
            },
            {},
          ),
        /volcengine:endpoint must use https/,
      );
    });
  });
});

import { strict as assert } from "node:assert";
import {
  AttemptOutcome,
  DEFAULT_RETRY,
  FailureKind,
  backoffDelay,
  isRetryableStatus,
  mayRetry,
  parseRetryAfter,
  redact,
  urlSecrets,
  withRetries,
} from "../../components/common/retry";

describe("common/retry", () => {
  it("treats 429, 408 and 5xx as retryable and 4xx otherwise as final", () => {
    for (const s of [429, 408, 500, 502, 503, 504])
      assert.equal(isRetryableStatus(s), true, `${s}`);
    for (const s of [200, 400, 401, 403, 404, 413])
      assert.equal(isRetryableStatus(s), false, `${s}`);
  });

  it("parses Retry-After as seconds or as an HTTP date", () => {
    const now = Date.parse("2026-11-23T00:00:00Z");
    assert.equal(parseRetryAfter("3", now), 3000);
    assert.equal(parseRetryAfter("0.5", now), 500);
    assert.equal(parseRetryAfter(["2"], now), 2000);
    assert.equal(parseRetryAfter("Mon, 23 Nov 2026 00:00:10 GMT", now), 10_000);
    assert.equal(parseRetryAfter("Sun, 22 Nov 2026 00:00:10 GMT", now), 0);
    assert.equal(parseRetryAfter(undefined, now), undefined);
    assert.equal(parseRetryAfter("soon", now), undefined);
  });

  it("backs off exponentially with jitter inside [step/2, step], capped", () => {
    const opts = { baseDelayMs: 100, maxDelayMs: 1000 };
    assert.equal(
      backoffDelay(0, opts, undefined, () => 0),
      50,
    );
    assert.equal(
      backoffDelay(0, opts, undefined, () => 1),
      100,
    );
    assert.equal(
      backoffDelay(3, opts, undefined, () => 1),
      800,
    );
    assert.equal(
      backoffDelay(10, opts, undefined, () => 1),
      1000,
    );
    assert.equal(
      backoffDelay(10, opts, undefined, () => 0),
      500,
    );
  });

  it("never waits less than the server's Retry-After", () => {
    assert.equal(
      backoffDelay(0, { baseDelayMs: 100, maxDelayMs: 1000 }, 5000, () => 1),
      5000,
    );
  });

  it("repeats a non-idempotent call only when the server certainly did nothing", () => {
    const kinds: FailureKind[] = ["throttled", "not-sent", "maybe-applied", "final"];
    assert.deepEqual(
      kinds.map((k) => mayRetry(k, true)),
      [true, true, true, false],
    );
    assert.deepEqual(
      kinds.map((k) => mayRetry(k, false)),
      [true, true, false, false],
    );
  });

  describe("withRetries", () => {
    const retry = { ...DEFAULT_RETRY, maxRetries: 2, baseDelayMs: 10, maxDelayMs: 100 };
    const failure = (kind: FailureKind, retryAfterMs?: number): AttemptOutcome<string> => ({
      ok: false,
      kind,
      error: new Error(`failed: ${kind}`),
      retryAfterMs,
    });

    /** Runs the loop over scripted outcomes; returns what happened. */
    async function run(outcomes: AttemptOutcome<string>[], idempotent: boolean) {
      const waits: number[] = [];
      const retried: number[] = [];
      let calls = 0;
      const result = await withRetries(
        async (n) => {
          assert.equal(n, calls + 1, "attempts are numbered from 1");
          return outcomes[calls++];
        },
        {
          retry,
          idempotent,
          random: () => 1,
          sleep: async (ms) => {
            waits.push(ms);
          },
          onRetry: (_e, n) => retried.push(n),
        },
      ).then(
        (value) => ({ value }),
        (error: Error) => ({ error: error.message }),
      );
      return { result, calls, waits, retried };
    }

    it("retries up to maxRetries with growing waits, then throws the last error", async () => {
      const r = await run(
        [failure("maybe-applied"), failure("maybe-applied"), failure("final")],
        true,
      );
      assert.deepEqual(r.result, { error: "failed: final" });
      assert.equal(r.calls, 3);
      assert.deepEqual(r.waits, [10, 20]);
      assert.deepEqual(r.retried, [1, 2]);
      const exhausted = await run(
        [
          failure("throttled"),
          failure("throttled"),
          failure("throttled"),
          { ok: true, value: "late" },
        ],
        true,
      );
      assert.deepEqual(exhausted.result, { error: "failed: throttled" });
      assert.equal(exhausted.calls, 3, "1 attempt + maxRetries 2");
    });

    it("returns the first success, honouring Retry-After as the wait", async () => {
      const r = await run([failure("throttled", 50), { ok: true, value: "done" }], false);
      assert.deepEqual(r.result, { value: "done" });
      assert.deepEqual(r.waits, [50]);
    });

    it("stops at once on a failure it may not repeat, or a Retry-After beyond the cap", async () => {
      const create = await run([failure("maybe-applied"), { ok: true, value: "dup" }], false);
      assert.deepEqual(create.result, { error: "failed: maybe-applied" });
      assert.equal(create.calls, 1);
      const longWait = await run([failure("throttled", retry.maxRetryAfterMs + 1)], true);
      assert.deepEqual(longWait.result, { error: "failed: throttled" });
      assert.equal(longWait.calls, 1);
      assert.deepEqual(longWait.waits, []);
    });
  });

  it("masks a credential-carrying URL in every part a message may quote", () => {
    const url = "https://u:p4ss%21word@h.example/x?integration_key=abcdef123456&token=t%2Fok3n";
    const text = [
      url,
      encodeURIComponent(url),
      "?integration_key=abcdef123456",
      "key abcdef123456",
      "token t/ok3n or t%2Fok3n",
      "password p4ss!word",
    ].join(" | ");
    const masked = redact(text, urlSecrets(url));
    for (const secret of ["abcdef123456", "t/ok3n", "t%2Fok3n", "p4ss!word", "p4ss%21word"])
      assert.ok(!masked.includes(secret), `${secret} in ${masked}`);
    assert.deepEqual(urlSecrets(undefined), []);
    assert.deepEqual(urlSecrets("not a url"), ["not a url", "not%20a%20url"]);
  });

  it("masks every occurrence of each secret", () => {
    assert.equal(redact("k=abcd1234 and abcd1234", ["abcd1234"]), "k=*** and ***");
    assert.equal(redact("nothing here", ["abcd1234", undefined]), "nothing here");
  });
});

import { strict as assert } from "node:assert";
import {
  backoffDelay,
  isRetryableStatus,
  parseRetryAfter,
  redact,
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

  it("masks every occurrence of each secret", () => {
    assert.equal(redact("k=abcd1234 and abcd1234", ["abcd1234"]), "k=*** and ***");
    assert.equal(redact("nothing here", ["abcd1234", undefined]), "nothing here");
  });
});

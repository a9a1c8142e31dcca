import { strict as assert } from "node:assert";
import fc from "fast-check";
import { SlidingWindowLimiter } from "../../receiver/rate-limiter";

describe("receiver sliding-window rate limiter", () => {
  it("never admits more than `limit` starts in any window, whatever the request times", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 600 }),
        (limit, gaps) => {
          const limiter = new SlidingWindowLimiter(limit, 1000);
          const admitted: number[] = [];
          let now = 0;
          for (const gap of gaps) {
            now += gap;
            const wait = limiter.waitMs(now);
            const at = now + wait; // a caller waits as told, then takes
            assert.equal(limiter.waitMs(at), 0);
            limiter.take(at);
            admitted.push(at);
            now = at;
          }
          for (let i = 0, j = 0; i < admitted.length; i++) {
            while ((admitted[i] as number) - (admitted[j] as number) >= 1000) j++;
            assert.ok(i - j + 1 <= limit, `${i - j + 1} starts in one window (limit ${limit})`);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("admits a full window at once, then waits exactly until the oldest start leaves it", () => {
    const limiter = new SlidingWindowLimiter(3, 1000);
    for (const t of [0, 10, 20]) {
      assert.equal(limiter.waitMs(t), 0);
      limiter.take(t);
    }
    assert.equal(limiter.waitMs(500), 500);
    assert.equal(limiter.waitMs(1000), 0);
    limiter.take(1000);
    assert.equal(limiter.waitMs(1000), 10);
  });

  it("is disabled with a limit of 0", () => {
    const limiter = new SlidingWindowLimiter(0, 60_000);
    for (let i = 0; i < 10_000; i++) limiter.take(0);
    assert.equal(limiter.waitMs(0), 0);
  });
});

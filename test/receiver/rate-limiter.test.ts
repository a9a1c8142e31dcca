import { strict as assert } from "node:assert";
import fc from "fast-check";
import { InFlightWindowLimiter } from "../../receiver/rate-limiter";

/**
 * Event simulation: `latencies.length` requests start as soon as the limiter allows; each arrives
 * at the server somewhere in [start, answer] (position chosen by `arrivalAt`) and is answered after
 * its latency. Returns the arrival times.
 */
function simulate(
  limit: number,
  latencies: number[],
  arrivalAt: number[],
): { arrivals: number[]; end: number } {
  const limiter = new InFlightWindowLimiter(limit, 1000);
  const inFlight: number[] = []; // answer times
  const arrivals: number[] = [];
  let now = 0;
  let next = 0;
  while (next < latencies.length || inFlight.length > 0) {
    // Answer everything due now.
    inFlight.sort((a, b) => a - b);
    while (inFlight.length > 0 && (inFlight[0] as number) <= now) {
      inFlight.shift();
      limiter.finish(now);
    }
    const wait = next < latencies.length ? limiter.waitMs(now) : Infinity;
    if (wait === 0) {
      limiter.start();
      const latency = latencies[next] as number;
      arrivals.push(now + Math.round(latency * (arrivalAt[next] ?? 0.5)));
      inFlight.push(now + latency);
      next++;
      continue;
    }
    const nextAnswer = inFlight.length > 0 ? Math.min(...inFlight) : Infinity;
    now = Math.min(now + wait, nextAnswer);
  }
  return { arrivals: arrivals.sort((a, b) => a - b), end: now };
}

function worstWindow(times: number[]): number {
  let worst = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while ((times[i] as number) - (times[j] as number) >= 1000) j++;
    worst = Math.max(worst, i - j + 1);
  }
  return worst;
}

describe("receiver rate limiter (counts each request from start to answer)", () => {
  it("never lets more than `limit` requests arrive in any 1 s window, whatever the latency", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 400 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 400 }),
        (limit, latencies, arrivalAt) => {
          const { arrivals } = simulate(limit, latencies, arrivalAt);
          assert.equal(arrivals.length, latencies.length);
          const worst = worstWindow(arrivals);
          assert.ok(worst <= limit, `${worst} arrivals in one window (limit ${limit})`);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("keeps close to the rate when answers are fast", () => {
    // 950 requests at 95 per window, answered in 10 ms: ten windows' worth, so the last one
    // starts after 9 windows (never sooner) plus a little per window for the 10 ms answers.
    const { arrivals } = simulate(95, Array(950).fill(10), Array(950).fill(0));
    const span = (arrivals[arrivals.length - 1] as number) - (arrivals[0] as number);
    assert.ok(span >= 9000 && span <= 9000 + 9 * 25, `span ${span} ms`);
  });

  it("waits for an answer when every slot is in flight, then for the window", () => {
    const limiter = new InFlightWindowLimiter(2, 1000);
    limiter.start();
    limiter.start();
    assert.equal(limiter.waitMs(0), Infinity);
    limiter.finish(100);
    assert.equal(limiter.waitMs(100), 1001);
    limiter.finish(200);
    assert.equal(limiter.waitMs(1101), 0);
  });

  it("is disabled with a limit of 0", () => {
    const limiter = new InFlightWindowLimiter(0, 60_000);
    for (let i = 0; i < 10_000; i++) limiter.start();
    assert.equal(limiter.waitMs(0), 0);
  });
});

// The request-target fast path must agree with the WHATWG URL parser it replaces for plain targets:
// same pathname (route lookup) and same query parameters (the token).
import { strict as assert } from "node:assert";
import fc from "fast-check";
import { parseTarget } from "../../receiver/server";

type Outcome = { pathname: string; params: Array<[string, string]> } | "rejected";

function viaUrl(raw: string): Outcome {
  try {
    const url = new URL(raw, "http://receiver.invalid");
    return { pathname: url.pathname, params: [...url.searchParams] };
  } catch {
    return "rejected";
  }
}

function viaTarget(raw: string): Outcome {
  try {
    const t = parseTarget(raw);
    return { pathname: t.pathname, params: [...t.searchParams] };
  } catch {
    return "rejected";
  }
}

const SAMPLES = [
  "/v1/aliyun",
  "/v1/aliyun?token=abc",
  "/v1/aliyun?token=a%20b&token=second",
  "/v1/aliyun?token=a+b c\"<>'`é中",
  "/v1/aliyun?token=%zz%",
  "/v1/aliyun?",
  "/v1/aliyun?#frag",
  "/v1/aliyun??token=x",
  "/v1/aliyun?token=x ",
  "/v1/aliyun?to\tken=x",
  "/v1/aliyun?token=x#y",
  "/v1/./aliyun?token=x",
  "/v1/../v1/aliyun",
  "/v1//aliyun",
  "/v1/%61liyun",
  "//evil/v1/aliyun",
  "http://other/v1/volcengine?token=t",
  "/healthz",
  "/",
];

describe("receiver request target parsing", () => {
  it("agrees with the URL parser on sample targets, including ones that need normalising", () => {
    for (const raw of SAMPLES) assert.deepEqual(viaTarget(raw), viaUrl(raw), raw);
  });

  it("agrees with the URL parser on random targets", () => {
    const segment = fc.stringMatching(/^[A-Za-z0-9_.%-]{0,6}$/);
    const target = fc
      .tuple(fc.array(segment, { minLength: 1, maxLength: 4 }), fc.option(fc.string()))
      .map(([parts, query]) => `/${parts.join("/")}${query === null ? "" : `?${query}`}`);
    fc.assert(
      fc.property(target, (raw) => {
        assert.deepEqual(viaTarget(raw), viaUrl(raw));
      }),
      { numRuns: 5000 },
    );
  });

  it("still rejects what the URL parser rejects", () => {
    assert.throws(() => parseTarget("http://[bad"), TypeError);
    assert.throws(() => parseTarget("//"), TypeError);
  });
});

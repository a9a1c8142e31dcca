// The form-body fast path must yield exactly the fields URLSearchParams would (first value per
// name, empty names skipped), including for the name "__proto__".
import { strict as assert } from "node:assert";
import fc from "fast-check";
import { parseForm } from "../../receiver/body";

/** The reference: what parseBody did before the fast path, straight from URLSearchParams. */
function viaUrlSearchParams(text: string): Array<[string, string]> | undefined {
  const seen = new Set<string>();
  const entries: Array<[string, string]> = [];
  for (const [name, value] of new URLSearchParams(text)) {
    if (name === "" || seen.has(name)) continue;
    seen.add(name);
    entries.push([name, value]);
  }
  // Object.fromEntries, as before: integer-like names come first in an object's key order.
  return entries.length === 0 ? undefined : Object.entries(Object.fromEntries(entries));
}

function viaParseForm(text: string): Array<[string, string]> | undefined {
  const fields = parseForm(text);
  return fields === undefined ? undefined : Object.entries(fields);
}

const SAMPLES = [
  "a=1&b=2",
  "a=1&a=2",
  "?a=1",
  "??a=1",
  "a",
  "a&b=",
  "=x&b=1",
  "&&a=1&&",
  "a==b=c",
  "__proto__=x&constructor=y&toString=z",
  "a=b c&d=é中",
  "a=%41+b",
  "a=%zz%&b=%E4%B8%AD",
  "",
  "&",
  "expression=$Average>=95&dimensions={userId=12****), instanceId=i-12****}&timestamp=1508136760",
];

describe("receiver form body parsing", () => {
  it("agrees with URLSearchParams on sample bodies", () => {
    for (const text of SAMPLES)
      assert.deepEqual(viaParseForm(text), viaUrlSearchParams(text), text);
  });

  it("agrees with URLSearchParams on random bodies", () => {
    const piece = fc.stringMatching(/^[a-z_?=&%+ 0-9A-F中]{0,8}$/);
    const body = fc.oneof(
      fc.array(piece, { maxLength: 8 }).map((parts) => parts.join("&")),
      fc.string(),
      fc
        .constantFrom("__proto__", "constructor", "a")
        .chain((name) => piece.map((value) => `${name}=${value}&${name}=second`)),
    );
    fc.assert(
      fc.property(body, (text) => {
        assert.deepEqual(viaParseForm(text), viaUrlSearchParams(text));
      }),
      { numRuns: 5000 },
    );
  });

  it("keeps a field named __proto__ as a plain own field", () => {
    const fields = parseForm("__proto__=x&a=1");
    assert.ok(fields);
    assert.equal(Object.getPrototypeOf(fields), Object.prototype);
    assert.deepEqual(Object.keys(fields), ["__proto__", "a"]);
    assert.equal(Object.getOwnPropertyDescriptor(fields, "__proto__")?.value, "x");
  });
});

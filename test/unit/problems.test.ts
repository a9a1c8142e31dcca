import { strict as assert } from "node:assert";
import fc from "fast-check";
import { formatProblems, problemsOf } from "../../components/common/problems";

describe("common/problems", () => {
  it("lists each problem on its own indented '- ' line under the summary", () => {
    assert.equal(
      formatProblems("X: 2 problems:", ["a: is required", "b: must be true or false"]),
      "X: 2 problems:\n  - a: is required\n  - b: must be true or false",
    );
  });

  it("gives back exactly the problems it formatted (property)", () => {
    const line = fc
      .string({ minLength: 1 })
      .filter((s) => !s.includes("\n") && s.trim() === s && !s.startsWith("- "));
    fc.assert(
      fc.property(fc.array(line, { minLength: 1 }), (problems) => {
        assert.deepEqual(problemsOf(formatProblems("summary:", problems)), problems);
      }),
    );
  });

  it("finds no problems in a one-line message", () => {
    assert.deepEqual(problemsOf("something else went wrong"), []);
  });
});

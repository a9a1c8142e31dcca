// Keeps docs/configuration.md and the code in step: every key the code reads is documented, and
// every documented key is read by the code.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { projectConfigKeys } from "../../program/configKeys";

const root = path.join(__dirname, "../..");

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith(".ts") ? [p] : [];
  });
}

/** Provider-namespace keys named in the code, e.g. "flashduty:appKey" in a config.get call. */
function providerKeysInCode(): string[] {
  const keys = new Set<string>();
  for (const file of [...sourceFiles(path.join(root, "components")), path.join(root, "index.ts")]) {
    const text = fs.readFileSync(file, "utf8");
    for (const m of text.matchAll(/["'`]((?:flashduty|volcengine|alicloud):[a-zA-Z]+)["'`]/g)) {
      keys.add(m[1]);
    }
  }
  return [...keys];
}

/** Keys in the first column of the configuration tables. */
function documentedKeys(): string[] {
  const doc = fs.readFileSync(path.join(root, "docs/configuration.md"), "utf8");
  const keys: string[] = [];
  for (const line of doc.split("\n")) {
    const m = /^\|\s*`([a-z-]+:[^`]+)`\s*\|/.exec(line);
    if (m) keys.push(m[1]);
  }
  return keys;
}

describe("docs/configuration.md", () => {
  const documented = documentedKeys();

  it("lists each key once", () => {
    assert.ok(documented.length > 80, `suspiciously few keys documented: ${documented.length}`);
    const dupes = documented.filter((k, i) => documented.indexOf(k) !== i);
    assert.deepEqual(dupes, []);
  });

  it("documents every key the code reads", () => {
    const inCode = [...projectConfigKeys(), ...providerKeysInCode()];
    assert.ok(inCode.length > 80, `suspiciously few keys found in code: ${inCode.length}`);
    const missing = inCode.filter((k) => !documented.includes(k)).sort();
    assert.deepEqual(missing, [], "keys read by the code but missing from docs/configuration.md");
  });

  it("documents no key the code does not read", () => {
    const inCode = new Set([...projectConfigKeys(), ...providerKeysInCode()]);
    const extra = documented.filter((k) => !inCode.has(k)).sort();
    assert.deepEqual(extra, [], "keys in docs/configuration.md that the code does not read");
  });
});

describe("README.md", () => {
  it("shows stacks/Pulumi.dev.yaml exactly as the file is", () => {
    const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
    const m = /`stacks\/Pulumi\.dev\.yaml` in full[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme);
    assert.ok(m, "the README's per-environment example block is missing");
    const file = fs.readFileSync(path.join(root, "stacks/Pulumi.dev.yaml"), "utf8");
    assert.equal(m[1], file);
  });
});

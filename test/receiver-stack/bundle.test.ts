// The Function Compute code package really builds and runs: esbuild bundle zipped in memory,
// deterministic, and the unzipped file starts the receiver with plain `node` (as FC's custom
// runtime does), also on a Node without zlib.crc32 (FC's custom.debian10 has Node 20.10.0).
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { promises as fs } from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { buildSync } from "esbuild";
import * as fc from "fast-check";
import { unzipSync } from "fflate";
import { BUNDLE_FILE, buildReceiverBundle } from "../../stacks/receiver/bundle";
import type { ReceiverBundle } from "../../stacks/receiver/bundle";
import { crc32Polyfill, installCrc32Polyfill } from "../../stacks/receiver/zlib-crc32";
import * as F from "../receiver/fixtures";
import { get, post, removeDir, tempDir } from "../receiver/helpers";

interface Running {
  child: ChildProcess;
  url: string;
  output: () => string;
}

/** Starts `file` with node (loopback, any port, dry run) and waits for its "listening" line. */
async function run(file: string, spoolDir: string, nodeArgs: string[] = []): Promise<Running> {
  const child = spawn(process.execPath, [...nodeArgs, file], {
    env: { PATH: process.env.PATH, HOST: "127.0.0.1", PORT: "0", SPOOL_DIR: spoolDir },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening" line:\n${out}`)), 15_000);
    child.stdout!.on("data", () => {
      const line = out.split("\n").find((l) => l.includes('"receiver listening"'));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line).url as string);
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before listening:\n${out}`));
    });
  });
  return { child, url, output: () => out };
}

async function stop(r: Running): Promise<number | null> {
  if (r.child.exitCode !== null) return r.child.exitCode;
  const exited = new Promise<number | null>((resolve) => r.child.on("exit", (c) => resolve(c)));
  r.child.kill("SIGTERM");
  return exited;
}

/** Records of the spool's segment files: [crc32 hex, json] per line. */
async function spoolLines(spoolDir: string): Promise<Array<[string, Buffer]>> {
  const dir = path.join(spoolDir, "dry-run", "segments"); // a dry run (no push URL)
  const lines: Array<[string, Buffer]> = [];
  for (const f of (await fs.readdir(dir)).filter((n) => n.endsWith(".log")).sort()) {
    const content = await fs.readFile(path.join(dir, f));
    for (const line of content.toString("utf8").split("\n").filter(Boolean))
      lines.push([line.slice(0, 8), Buffer.from(line.slice(9), "utf8")]);
  }
  return lines;
}

describe("receiver stack: the Function Compute code package", function () {
  this.timeout(60_000);
  let bundle: ReceiverBundle;
  let dir: string;
  let running: Running | undefined;

  before(() => {
    bundle = buildReceiverBundle();
  });
  beforeEach(() => {
    dir = tempDir("recv-bundle-");
  });
  afterEach(async () => {
    if (running) await stop(running);
    running = undefined;
    await removeDir(dir);
  });

  it("bundles the receiver into one file, zipped alone, deterministically", () => {
    assert.ok(bundle.js.length > 10_000, `bundle of ${bundle.js.length} bytes`);
    const text = bundle.js.toString("utf8");
    for (const marker of ["/v1/aliyun", "/v1/volcengine", "/healthz", "receiver listening"])
      assert.ok(text.includes(marker), `bundle contains ${marker}`);
    assert.ok(!/require\("\.\.?\//.test(text), "no relative requires left outside the bundle");
    const files = unzipSync(bundle.zip);
    assert.deepEqual(Object.keys(files), [BUNDLE_FILE]);
    assert.ok(Buffer.from(files[BUNDLE_FILE]!).equals(bundle.js));
    assert.equal(bundle.zipBase64, bundle.zip.toString("base64"));
    assert.ok(buildReceiverBundle().zip.equals(bundle.zip), "same input, same zip (no diff)");
  });

  it("runs from the unzipped package: /healthz answers and a callback is accepted", async () => {
    const file = path.join(dir, "code", BUNDLE_FILE);
    await fs.mkdir(path.dirname(file));
    await fs.writeFile(file, unzipSync(bundle.zip)[BUNDLE_FILE]!);
    running = await run(file, path.join(dir, "spool"));
    const health = await get(running.url, "/healthz");
    assert.equal(health.status, 200, running.output());
    assert.deepEqual(health.json, { status: "ok" });
    const r = await post(running.url, "/v1/aliyun", F.ALIYUN_SYSTEM_EVENT);
    assert.equal(r.status, 202, r.text);
    assert.equal(await stop(running), 0, running.output());
    running = undefined;
  });

  it("runs on a Node without zlib.crc32, where the unpatched receiver fails", async () => {
    // Removes what Node 20.10 (FC's) lacks before anything loads: zlib.crc32 (20.15) and the
    // one-shot crypto.hash (20.12).
    const preload = path.join(dir, "node-20.10.js");
    await fs.writeFile(
      preload,
      'delete require("node:zlib").crc32;\ndelete require("node:crypto").hash;\n',
    );
    const file = path.join(dir, BUNDLE_FILE);
    await fs.writeFile(file, bundle.js);

    running = await run(file, path.join(dir, "spool"), ["--require", preload]);
    const r = await post(running.url, "/v1/aliyun", F.ALIYUN_SYSTEM_EVENT);
    assert.equal(r.status, 202, `${r.text}\n${running.output()}`);
    await stop(running);
    running = undefined;
    const lines = await spoolLines(path.join(dir, "spool"));
    assert.equal(lines.length, 1);
    const [sum, json] = lines[0]!;
    assert.equal(sum, zlib.crc32(json).toString(16).padStart(8, "0"), "checksum as zlib's");

    // Control: the receiver bundled without the polyfill cannot spool there.
    const plain = buildSync({
      entryPoints: [path.join(__dirname, "../../receiver/main.ts")],
      bundle: true,
      platform: "node",
      target: "node20",
      write: false,
      outfile: "plain.js",
      logLevel: "silent",
    });
    const plainFile = path.join(dir, "plain.js");
    await fs.writeFile(plainFile, plain.outputFiles[0]!.contents);
    running = await run(plainFile, path.join(dir, "spool-plain"), ["--require", preload]);
    const failed = await post(running.url, "/v1/aliyun", F.ALIYUN_SYSTEM_EVENT);
    assert.notEqual(failed.status, 202, "without the polyfill the spool cannot checksum");
  });

  it("the polyfill computes zlib's CRC-32 for bytes and strings, chained or not", () => {
    fc.assert(
      // Non-empty: for some empty views Node's zlib answers 0 instead of the start value (the spool
      // never checksums empty data; the polyfill returns the start value).
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 2048 }),
        fc.nat({ max: 0xffffffff }),
        (data, start) => {
          assert.equal(crc32Polyfill(data, start), zlib.crc32(data, start));
          assert.equal(crc32Polyfill(data), zlib.crc32(data));
        },
      ),
    );
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 200 }), (s) => {
        assert.equal(crc32Polyfill(s), zlib.crc32(s));
      }),
    );
    assert.equal(crc32Polyfill(new Uint8Array(0)), zlib.crc32(new Uint8Array(0)));
    // A Uint8Array view into a larger buffer: only the view counts.
    const big = Buffer.from("xxhello worldyy");
    assert.equal(crc32Polyfill(big.subarray(2, 13)), zlib.crc32("hello world"));
  });

  it("installs only where zlib.crc32 is missing", () => {
    const withNative = { crc32: zlib.crc32 };
    assert.equal(installCrc32Polyfill(withNative), false);
    assert.equal(withNative.crc32, zlib.crc32);
    const without: { crc32?: unknown } = {};
    assert.equal(installCrc32Polyfill(without), true);
    assert.equal(without.crc32, crc32Polyfill);
  });
});

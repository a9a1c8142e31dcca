// Operator mistakes and honest health (issue 14): one process per spool directory, readiness that
// recovers by itself, dry-run events kept apart, and the HTTP edges (413 to a sender that uploads
// its whole body, 415 for compressed bodies, 431 for huge headers, tokens with URL-special
// characters, SPOOL_DIR on an unusable path).
import { strict as assert } from "node:assert";
import { spawn, spawnSync } from "node:child_process";
import fsCallbacks, { promises as fs } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { ConfigError, createReceiver } from "../../receiver";
import type { Receiver, ReceiverOptions } from "../../receiver";
import { requeueDeadLetters, requeueDryRunEvents } from "../../receiver/requeue";
import { Spool } from "../../receiver/spool";
import { LOCK_FILE } from "../../receiver/spool-lock";
import { FlashdutySimulator } from "../simulators/flashduty";
import * as F from "./fixtures";
import {
  TOKEN,
  captureLogs,
  get,
  post,
  removeDir,
  standardPushUrl,
  tempDir,
  waitFor,
} from "./helpers";

const aliyun = `/v1/aliyun?token=${TOKEN}`;

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** What a receiver on this machine records (boot id and PID namespace, where /proc has them). */
function thisMachine(): { bootId?: string; pidNs?: string } {
  const out: { bootId?: string; pidNs?: string } = {};
  try {
    out.bootId = fsCallbacks.readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
    out.pidNs = fsCallbacks.readlinkSync("/proc/self/ns/pid");
  } catch {
    // no /proc: the receiver records neither
  }
  return out;
}

/** Sends raw bytes on a fresh connection, writing everything before reading; returns the answer. */
function rawExchange(
  url: string,
  head: string,
  body: Buffer = Buffer.alloc(0),
): Promise<{ response: string; error?: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    let error: string | undefined;
    socket.on("data", (d: Buffer) => chunks.push(d));
    socket.on("error", (err: NodeJS.ErrnoException) => (error ??= err.code ?? err.message));
    socket.on("close", () =>
      resolve({ response: Buffer.concat(chunks).toString("latin1"), error }),
    );
    socket.on("connect", () => {
      socket.write(head);
      // Like a webhook sender: the whole body goes out before the answer is read.
      socket.write(body, () => socket.end());
    });
  });
}

describe("receiver operations: spool lock, readiness, dry run, HTTP edges", function () {
  this.timeout(60_000);
  let dir: string;
  const open: Receiver[] = [];

  async function start(extra: ReceiverOptions = {}): Promise<Receiver> {
    const r = await createReceiver({
      port: 0,
      spoolDir: dir,
      token: TOKEN,
      logSink: () => undefined,
      ...extra,
    });
    open.push(r);
    return r;
  }

  beforeEach(() => {
    dir = tempDir("recv-ops-");
  });
  afterEach(async () => {
    for (const r of open.splice(0)) await r.close();
    await removeDir(dir);
  });

  describe("one process per spool directory", () => {
    it("refuses a second receiver on the same directory, naming the holder; nothing is lost", async () => {
      const first = await start();
      for (let i = 0; i < 5; i++)
        assert.equal((await post(first.url, aliyun, F.ALIYUN_SYSTEM_EVENT)).status, 202);
      await assert.rejects(
        createReceiver({ port: 0, spoolDir: dir, token: TOKEN, logSink: () => undefined }),
        (err: unknown) =>
          err instanceof ConfigError &&
          err.message.includes(`pid ${process.pid}`) &&
          err.message.includes(`host ${os.hostname()}`) &&
          /since \d{4}-\d\d-\d\dT/.test(err.message) &&
          err.message.includes(dir),
      );
      // The first keeps working, and everything it accepted is still there after a restart.
      assert.equal((await post(first.url, aliyun, F.ALIYUN_SYSTEM_EVENT)).status, 202);
      await first.close();
      open.length = 0;
      assert.equal(await Spool.countPending(path.join(dir, "dry-run")), 6);
      const again = await start();
      assert.equal(again.pending(), 6);
    });

    it("refuses a second receiver started as its own process (npm start), exit code 2", async function () {
      this.timeout(90_000);
      const first = await start();
      assert.equal((await post(first.url, aliyun, F.ALIYUN_SYSTEM_EVENT)).status, 202);
      const child = spawnSync(
        process.execPath,
        [
          require.resolve("ts-node/dist/bin.js"),
          "--transpile-only",
          path.join(__dirname, "../../receiver/main.ts"),
        ],
        {
          env: { ...process.env, PORT: "0", SPOOL_DIR: dir, RECEIVER_TOKEN: TOKEN },
          encoding: "utf8",
          timeout: 60_000,
        },
      );
      assert.equal(child.status, 2, child.stderr);
      assert.match(child.stderr, new RegExp(`pid ${process.pid} on host`));
      assert.equal(first.pending(), 1);
      assert.equal((await get(first.url, "/readyz")).status, 200);
    });

    it("receiver:requeue refuses to run while a receiver holds the directory, and runs after", async () => {
      const first = await start();
      const letter = path.join(dir, "dead", "2026-01-01T00-00-00-000Z-x.json");
      const record = {
        id: "x",
        receivedAt: Date.now(),
        source: "aliyun",
        format: "aliyun-event",
        body: { event_status: "Info", alert_key: "k", title_rule: "t", description: "d" },
      };
      await fs.mkdir(path.join(dir, "dead"), { recursive: true });
      await fs.writeFile(letter, JSON.stringify({ reason: "test", record }));
      await assert.rejects(requeueDeadLetters(dir), /in use by another process.*receiver, pid/);
      await fs.access(letter); // untouched
      await first.close();
      open.length = 0;
      assert.equal(await requeueDeadLetters(dir), 1);
      // And a receiver cannot start while requeue runs: the lock file names "requeue".
    });

    it("takes over the lock of a process that is gone (same host), with a warning", async () => {
      const gone = spawnSync(
        process.execPath,
        ["-e", "process.stdout.write(String(process.pid))"],
        {
          encoding: "utf8",
        },
      );
      const stale = {
        pid: Number(gone.stdout),
        host: os.hostname(),
        ...thisMachine(),
        since: "2026-01-01T00:00:00.000Z",
        purpose: "receiver",
        nonce: "stale",
      };
      await fs.writeFile(path.join(dir, LOCK_FILE), JSON.stringify(stale));
      const logs = captureLogs();
      await start({ logSink: logs.sink });
      assert.ok(
        logs.lines.some((l) => l.includes("took over the spool lock") && l.includes("not running")),
        logs.lines.join("\n"),
      );
    });

    it("a lock from another host holds while its heartbeat is fresh, and is taken over after 60 s without", async () => {
      const foreign = {
        pid: 1,
        host: "another-host.invalid",
        since: "2026-01-01T00:00:00.000Z",
        purpose: "receiver",
        nonce: "foreign",
      };
      const lockFile = path.join(dir, LOCK_FILE);
      await fs.writeFile(lockFile, JSON.stringify(foreign));
      await assert.rejects(start(), /pid 1 on host another-host\.invalid/);
      const old = new Date(Date.now() - 61_000);
      await fs.utimes(lockFile, old, old);
      const logs = captureLogs();
      await start({ logSink: logs.sink });
      assert.ok(logs.lines.some((l) => l.includes("no heartbeat from host another-host.invalid")));
      const held = JSON.parse(await fs.readFile(lockFile, "utf8")) as { pid: number };
      assert.equal(held.pid, process.pid);
    });

    it("a lock from another PID namespace on this host (container, same hostname) holds while its heartbeat is fresh, though its pid is not running here", async () => {
      const gone = spawnSync(
        process.execPath,
        ["-e", "process.stdout.write(String(process.pid))"],
        {
          encoding: "utf8",
        },
      );
      const other = {
        pid: Number(gone.stdout), // not running in our namespace; may well be live in its own
        host: os.hostname(),
        ...thisMachine(),
        pidNs: "pid:[4026500001]",
        since: "2026-01-01T00:00:00.000Z",
        purpose: "receiver",
        nonce: "other-namespace",
      };
      const lockFile = path.join(dir, LOCK_FILE);
      await fs.writeFile(lockFile, JSON.stringify(other));
      await assert.rejects(start(), new RegExp(`pid ${other.pid} on host`));
      assert.equal(JSON.parse(await fs.readFile(lockFile, "utf8")).nonce, "other-namespace");
      // A record of an older receiver (no namespace) is judged the same way.
      const { pidNs: _ns, ...older } = other;
      await fs.writeFile(lockFile, JSON.stringify({ ...older, nonce: "older" }));
      await assert.rejects(start(), new RegExp(`pid ${other.pid} on host`));
      // Without its heartbeat for 60 s it is taken over.
      const old = new Date(Date.now() - 61_000);
      await fs.utimes(lockFile, old, old);
      const logs = captureLogs();
      await start({ logSink: logs.sink });
      assert.ok(
        logs.lines.some((l) => l.includes("took over") && l.includes("no heartbeat")),
        logs.lines.join("\n"),
      );
      assert.equal(JSON.parse(await fs.readFile(lockFile, "utf8")).pid, process.pid);
    });

    it("a live holder in another PID namespace (unshare --pid) keeps its lock against a receiver here", async function () {
      this.timeout(90_000);
      const probe = spawnSync("unshare", ["--pid", "--fork", "--mount-proc", "true"], {
        timeout: 10_000,
      });
      if (probe.status !== 0) this.skip(); // needs root (CAP_SYS_ADMIN) and util-linux
      const script = `
        const { acquireSpoolLock } = require(${JSON.stringify(path.join(__dirname, "../../receiver/spool-lock.ts"))});
        acquireSpoolLock(process.argv[1], "receiver").then((lock) => {
          process.stdout.write(JSON.stringify(lock.holder) + "\\n");
          process.stdin.resume();
          process.stdin.on("end", () => lock.release().then(() => process.exit(0)));
        });`;
      const child = spawn(
        "unshare",
        [
          "--pid",
          "--fork",
          "--mount-proc",
          process.execPath,
          "-r",
          "ts-node/register/transpile-only",
          "-e",
          script,
          dir,
        ],
        { stdio: ["pipe", "pipe", "inherit"] },
      );
      try {
        const line = await new Promise<string>((resolve, reject) => {
          let out = "";
          child.stdout.on("data", (d: Buffer) => {
            out += d.toString();
            if (out.includes("\n")) resolve(out.trim());
          });
          child.once("exit", (code) => reject(new Error(`holder exited (${code}): ${out}`)));
        });
        const holder = JSON.parse(line) as { pid: number; pidNs?: string };
        assert.notEqual(holder.pidNs, thisMachine().pidNs);
        // Its pid (1 there) is another process here: without the namespace it would be taken over.
        await assert.rejects(start(), new RegExp(`pid ${holder.pid} on host`));
        assert.equal(
          (JSON.parse(await fs.readFile(path.join(dir, LOCK_FILE), "utf8")) as { pid: number }).pid,
          holder.pid,
        );
      } finally {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.stdin.end();
        await exited;
      }
    });

    it("a holder whose lock is taken over stops accepting (503, /readyz 503) and leaves the new holder's lock on close", async () => {
      const logs = captureLogs();
      const first = await start({ logSink: logs.sink, lockHeartbeatMs: 100 });
      assert.equal((await post(first.url, aliyun, F.ALIYUN_SYSTEM_EVENT)).status, 202);
      // Another process (e.g. on another host, after this one stalled > 60 s) now holds it.
      const lockFile = path.join(dir, LOCK_FILE);
      const usurper = {
        pid: 4242,
        host: "another-host.invalid",
        since: new Date().toISOString(),
        purpose: "receiver",
        nonce: "usurper",
      };
      await fs.writeFile(`${lockFile}.tmp`, JSON.stringify(usurper));
      await fs.rename(`${lockFile}.tmp`, lockFile);
      await until(async () => (await get(first.url, "/readyz")).status === 503, "/readyz 503");
      assert.equal((await post(first.url, aliyun, F.ALIYUN_SYSTEM_EVENT)).status, 503);
      assert.equal(
        logs.lines.filter(
          (l) => l.includes("lost the spool lock") && l.includes("another-host.invalid"),
        ).length,
        1,
        logs.lines.join("\n"),
      );
      await first.close();
      open.length = 0;
      assert.equal(JSON.parse(await fs.readFile(lockFile, "utf8")).nonce, "usurper");
    });

    it("a holder whose lock file is deleted stops accepting (503)", async () => {
      const first = await start({ lockHeartbeatMs: 100 });
      await fs.rm(path.join(dir, LOCK_FILE));
      await until(async () => (await get(first.url, "/readyz")).status === 503, "/readyz 503");
      const answer = await post(first.url, aliyun, F.ALIYUN_SYSTEM_EVENT);
      assert.equal(answer.status, 503);
    });

    it("a killed (SIGKILL) receiver does not block the next start, and its events are replayed", async function () {
      this.timeout(90_000);
      const logs: string[] = [];
      const child = spawn(
        process.execPath,
        [
          require.resolve("ts-node/dist/bin.js"),
          "--transpile-only",
          path.join(__dirname, "../../receiver/main.ts"),
        ],
        {
          env: { ...process.env, PORT: "0", SPOOL_DIR: dir, RECEIVER_TOKEN: TOKEN },
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      child.stdout.on("data", (d: Buffer) => logs.push(d.toString()));
      child.stderr.on("data", (d: Buffer) => logs.push(d.toString()));
      await waitFor(() => logs.join("").includes("receiver listening"), 60_000, "child receiver");
      const url = /"url":"(http:[^"]+)"/.exec(logs.join(""))?.[1] as string;
      for (let i = 0; i < 3; i++)
        assert.equal((await post(url, aliyun, F.ALIYUN_SYSTEM_EVENT)).status, 202);
      await assert.rejects(start(), new RegExp(`pid ${child.pid} on host`));
      child.kill("SIGKILL");
      await new Promise((r) => child.once("exit", r));
      const next = await start();
      assert.equal(next.pending(), 3);
    });
  });

  describe("readiness", () => {
    it("/readyz recovers by itself once the disk takes writes again, with no new callback", async () => {
      const original = fsCallbacks.fdatasync;
      let failing = false;
      fsCallbacks.fdatasync = ((fd: number, cb: (err: NodeJS.ErrnoException | null) => void) => {
        if (failing)
          setImmediate(() =>
            cb(Object.assign(new Error("EIO: i/o error, fdatasync"), { code: "EIO" })),
          );
        else original(fd, cb);
      }) as typeof fsCallbacks.fdatasync;
      try {
        const r = await start();
        failing = true;
        assert.equal((await post(r.url, aliyun, F.ALIYUN_SYSTEM_EVENT)).status, 503);
        const unready = await get(r.url, "/readyz");
        assert.equal(unready.status, 503);
        assert.match(unready.json.spool.lastError, /EIO/);
        // Still failing: the background probe keeps it unready.
        await new Promise((resolve) => setTimeout(resolve, 1300));
        assert.equal((await get(r.url, "/readyz")).status, 503);
        failing = false; // the disk recovers; no callback arrives
        const deadline = Date.now() + 5000;
        let status = 0;
        while (Date.now() < deadline && status !== 200) {
          status = (await get(r.url, "/readyz")).status;
          if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
        }
        assert.equal(status, 200, "/readyz did not recover within 5 s of the disk recovering");
        assert.equal((await post(r.url, aliyun, F.ALIYUN_SYSTEM_EVENT)).status, 202);
      } finally {
        fsCallbacks.fdatasync = original;
      }
    });
  });

  describe("dry-run events", () => {
    let sim: FlashdutySimulator;
    beforeEach(async () => {
      sim = await FlashdutySimulator.start();
    });
    afterEach(async () => {
      for (const r of open.splice(0)) await r.close();
      await sim.stop();
    });

    it("are not sent by the first start with a push URL; that start says so; requeue sends them on purpose", async () => {
      const pushUrl = await standardPushUrl(sim);
      const dry = await start();
      const keys: string[] = [];
      for (const body of [F.ALIYUN_SYSTEM_EVENT, F.ALIYUN_CMS2_FIRING, F.VOLC_EVENT]) {
        const r = await post(
          dry.url,
          body === F.VOLC_EVENT ? `/v1/volcengine?token=${TOKEN}` : aliyun,
          body,
        );
        assert.equal(r.status, 202);
        keys.push(...(r.json.alert_keys as string[]));
      }
      await dry.close();
      open.length = 0;

      const logs = captureLogs();
      const live = await start({ pushUrl, logSink: logs.sink, backoffBaseMs: 20 });
      assert.equal(live.pending(), 0);
      await live.whenIdle();
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(sim.pushed.length, 0, "dry-run events reached Flashduty");
      const warning = logs.lines.find((l) => l.includes("earlier dry run"));
      assert.ok(warning, logs.lines.join("\n"));
      assert.match(warning, /"dryRunEvents":3/);
      assert.match(warning, /receiver:requeue -- --dry-run-events/);
      await live.close();
      open.length = 0;

      assert.equal(await requeueDryRunEvents(dir), 3);
      const sending = await start({ pushUrl, backoffBaseMs: 20 });
      await sending.whenIdle();
      assert.deepEqual(sim.pushed.map((p) => p.alertKey).sort(), keys.sort());
    });

    it("a dry run leaves deliverable events of an earlier start untouched", async () => {
      const pushUrl = await standardPushUrl(sim);
      sim.inject({ kind: "5xx" }, 10_000, "/event/push"); // Flashduty down: events stay pending
      const live = await start({ pushUrl, backoffBaseMs: 20 });
      const [key] = (await post(live.url, aliyun, F.ALIYUN_SYSTEM_EVENT)).json
        .alert_keys as string[];
      await live.close();
      open.length = 0;
      const logs = captureLogs();
      const dry = await start({ logSink: logs.sink });
      assert.equal(dry.pending(), 0);
      assert.ok(
        logs.lines.some((l) => l.includes("deliverable events") && l.includes('"pending":1')),
      );
      await dry.close();
      open.length = 0;
      sim.reset();
      const back = await start({ pushUrl: await standardPushUrl(sim), backoffBaseMs: 20 });
      await back.whenIdle();
      assert.deepEqual(
        sim.pushed.map((p) => p.alertKey as string),
        [key],
      );
    });
  });

  describe("HTTP edges", () => {
    it("413 reaches a sender that writes its whole body before reading (raw socket)", async () => {
      const r = await start();
      // 6 MiB against the 256 KiB limit: more than loopback socket buffers hold (from 4 MiB on,
      // closing right after the 413 made the sender's write fail with EPIPE).
      const body = Buffer.alloc(6 * 1024 * 1024, 0x61);
      for (let i = 0; i < 3; i++) {
        const { response, error } = await rawExchange(
          r.url,
          `POST ${aliyun} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
          body,
        );
        assert.equal(error, undefined, `socket error ${error}; got ${JSON.stringify(response)}`);
        assert.match(response, /^HTTP\/1\.1 413 /);
        assert.match(response, /262144 bytes/);
      }
      assert.equal((await get(r.url, "/healthz")).status, 200);
    });

    it("413 reaches fetch with a large declared body, every time", async () => {
      const r = await start();
      const big = { ...F.ALIYUN_SYSTEM_EVENT, padding: "x".repeat(4 * 1024 * 1024) };
      for (let i = 0; i < 5; i++) {
        const reply = await post(r.url, aliyun, big);
        assert.equal(reply.status, 413, reply.text);
      }
    });

    it("415 for a gzip-compressed body, with or without Content-Encoding", async () => {
      const r = await start();
      const gz = gzipSync(JSON.stringify(F.ALIYUN_SYSTEM_EVENT));
      const labelled = await post(r.url, aliyun, gz, {
        contentType: "application/json",
        headers: { "content-encoding": "gzip" },
      });
      assert.equal(labelled.status, 415, labelled.text);
      assert.equal(labelled.json.error.code, "unsupported_content_encoding");
      assert.match(labelled.json.error.message, /uncompressed/);
      const unlabelled = await post(r.url, aliyun, gz, { contentType: "application/json" });
      assert.equal(unlabelled.status, 415, unlabelled.text);
      assert.match(unlabelled.json.error.message, /gzip/);
      const identity = await post(r.url, aliyun, F.ALIYUN_SYSTEM_EVENT, {
        headers: { "content-encoding": "identity" },
      });
      assert.equal(identity.status, 202, identity.text);
      assert.equal(r.pending(), 1);
    });

    it("431 with a JSON body saying why for a 100 KB header", async () => {
      const r = await start();
      const { response } = await rawExchange(
        r.url,
        `POST ${aliyun} HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(100 * 1024)}\r\nContent-Length: 2\r\n\r\n{}`,
      );
      assert.match(response, /^HTTP\/1\.1 431 /);
      const body = JSON.parse(response.slice(response.indexOf("\r\n\r\n") + 4)) as {
        error: { code: string; message: string };
      };
      assert.equal(body.error.code, "headers_too_large");
      assert.match(body.error.message, /16 KiB/);
    });

    it("a token with URL-special characters works in ?token= raw or percent-encoded, and as Bearer", async () => {
      const token = "AbC+dEf/GhI=jKl+MnO/pQr=";
      const logs = captureLogs();
      const r = await start({ token, logSink: logs.sink });
      const raw = await post(r.url, `/v1/aliyun?token=${token}`, F.ALIYUN_SYSTEM_EVENT);
      assert.equal(raw.status, 202, raw.text);
      const encoded = await post(
        r.url,
        `/v1/aliyun?token=${encodeURIComponent(token)}`,
        F.ALIYUN_SYSTEM_EVENT,
      );
      assert.equal(encoded.status, 202, encoded.text);
      const bearer = await post(r.url, "/v1/aliyun", F.ALIYUN_SYSTEM_EVENT, {
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(bearer.status, 202, bearer.text);
      const wrong = await post(
        r.url,
        `/v1/aliyun?token=${token.replace("+", "-")}`,
        F.ALIYUN_SYSTEM_EVENT,
      );
      assert.equal(wrong.status, 401);
      // The start warned how to put it in a URL, without printing it.
      assert.ok(logs.lines.some((l) => l.includes("percent-encoded")));
      assert.ok(logs.lines.every((l) => !l.includes(token) && !l.includes("dEf")));
    });

    it("SPOOL_DIR under /proc fails fast with a clear message (no mkdir loop)", async function () {
      this.timeout(10_000);
      if (process.platform !== "linux") this.skip();
      const started = Date.now();
      await assert.rejects(
        createReceiver({ port: 0, spoolDir: "/proc/nope/spool", logSink: () => undefined }),
        (err: unknown) =>
          err instanceof ConfigError &&
          /SPOOL_DIR \(\/proc\/nope\/spool\) cannot be used/.test(err.message) &&
          /cannot create directory \/proc\/nope/.test(err.message),
      );
      assert.ok(Date.now() - started < 5000);
    });
  });
});

import { strict as assert } from "node:assert";
import fsCallbacks, { promises as fs } from "node:fs";
import path from "node:path";
import { DedupIndex } from "../../receiver/dedup";
import { Spool } from "../../receiver/spool";
import type { NewRecord } from "../../receiver/spool";
import { removeDir, tempDir } from "./helpers";

function record(i: number, key = `key-${i}`): NewRecord {
  return {
    source: "aliyun",
    format: "aliyun-event",
    body: {
      event_status: "Info",
      alert_key: key,
      title_rule: `t${i}`,
      description: `d${i}`,
      labels: { i: String(i) },
    },
  };
}

/** A promise and the function that resolves it: steps a test through an exact sequence. */
function signal(): { promise: Promise<void>; fire: () => void } {
  let fire!: () => void;
  const promise = new Promise<void>((resolve) => (fire = resolve));
  return { promise, fire };
}

/** The error a failing disk gives fdatasync. */
const eio = (): Error => Object.assign(new Error("EIO: i/o error, fdatasync"), { code: "EIO" });

describe("receiver spool", () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir("spool-");
  });
  afterEach(async () => {
    await removeDir(dir);
  });

  const segmentFiles = async (ext: string) =>
    (await fs.readdir(path.join(dir, "segments"))).filter((f) => f.endsWith(ext)).sort();

  /** Replaces node:fs's fdatasync (which the spool calls) for one test; returns a restore function. */
  function patchDatasync(
    replacement: (original: () => Promise<void>, call: number) => Promise<void>,
  ): () => void {
    const original = fsCallbacks.fdatasync;
    let calls = 0;
    fsCallbacks.fdatasync = ((
      fd: number,
      callback: (err: NodeJS.ErrnoException | null) => void,
    ) => {
      const viaOriginal = () =>
        new Promise<void>((resolve, reject) =>
          original(fd, (err) => (err ? reject(err) : resolve())),
        );
      replacement(viaOriginal, ++calls).then(
        () => callback(null),
        (err: NodeJS.ErrnoException) => callback(err),
      );
    }) as typeof fsCallbacks.fdatasync;
    return () => {
      fsCallbacks.fdatasync = original;
    };
  }

  it("group-commits concurrent appends (far fewer fdatasyncs than records) and replays them in order", async () => {
    const { spool } = await Spool.open(dir);
    let syncs = 0;
    const restore = patchDatasync((original) => {
      syncs++;
      return original();
    });
    try {
      const refs = await Promise.all(
        Array.from({ length: 200 }, (_, i) => spool.append([record(i)])),
      );
      assert.equal(refs.length, 200);
      assert.ok(syncs >= 1 && syncs < 50, `${syncs} fdatasyncs for 200 concurrent appends`);
    } finally {
      restore();
    }
    assert.equal(spool.depth, 200);
    await spool.close();
    const reopened = await Spool.open(dir);
    assert.deepEqual(
      reopened.pending.map((r) => r.alertKey),
      Array.from({ length: 200 }, (_, i) => `key-${i}`),
    );
    const back = await reopened.spool.read(reopened.pending[7]!);
    assert.deepEqual(back.body, record(7).body);
    await reopened.spool.close();
  });

  it("rejects every append a failed fdatasync covered; later appends go to a new segment", async () => {
    const { spool } = await Spool.open(dir);
    const restore = patchDatasync((original, call) =>
      call === 1 ? Promise.reject(eio()) : original(),
    );
    try {
      const failed = await Promise.allSettled([
        spool.append([record(1)]),
        spool.append([record(2)]),
      ]);
      assert.deepEqual(
        failed.map((r) => r.status),
        ["rejected", "rejected"],
      );
      assert.match(String(spool.lastError), /EIO/);
      assert.equal(spool.depth, 0);
      const [ref] = await spool.append([record(3)]);
      assert.equal(spool.lastError, undefined);
      assert.ok(ref);
      // The failed segment held nothing accepted, so it was deleted once retired.
      assert.equal(ref.segment, 2);
      assert.deepEqual(await segmentFiles(".log"), ["000000000002.log"]);
    } finally {
      restore();
    }
    await spool.close();
    const reopened = await Spool.open(dir);
    assert.deepEqual(
      reopened.pending.map((r) => r.alertKey),
      ["key-3"],
    );
    await reopened.spool.close();
  });

  it("settles appends in arrival order even when a newer segment's fdatasync returns first", async () => {
    const { spool } = await Spool.open(dir, { segmentMaxBytes: 1 }); // one batch per segment
    const started = signal();
    const restore = patchDatasync(async (original, call) => {
      if (call === 1) {
        started.fire();
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
      return original();
    });
    const order: string[] = [];
    let settledEarly = true;
    try {
      const first = spool.append([record(1)]).then(() => order.push("first"));
      await started.promise; // the first batch is written; its fdatasync is slow
      const second = spool.append([record(2)]).then(() => order.push("second"));
      // The second batch, in a new segment, is synced long before the first sync returns.
      await new Promise((resolve) => setTimeout(resolve, 100));
      settledEarly = order.length > 0;
      await Promise.all([first, second]);
    } finally {
      restore();
    }
    assert.equal(settledEarly, false, "nothing may settle before the first batch's fdatasync");
    assert.deepEqual(order, ["first", "second"]);
    await spool.close();
    const reopened = await Spool.open(dir, { segmentMaxBytes: 1 });
    assert.deepEqual(
      reopened.pending.map((r) => [r.alertKey, r.segment]),
      [
        ["key-1", 1],
        ["key-2", 2],
      ],
    );
    await reopened.spool.close();
  });

  it("keeps a retired segment whose synced batches wait behind an older segment's fdatasync", async () => {
    const { spool } = await Spool.open(dir, { segmentMaxBytes: 1 }); // one batch per segment
    const firstReleased = signal();
    const started = signal();
    const secondDone = signal();
    const restore = patchDatasync(async (original, call) => {
      if (call === 1) {
        started.fire();
        await firstReleased.promise;
      }
      await original();
      if (call === 2) secondDone.fire();
    });
    try {
      const first = spool.append([record(1)]);
      await started.promise;
      const second = spool.append([record(2)]); // segment 2, synced at once, waits behind 1
      await secondDone.promise;
      const third = spool.append([record(3)]); // segment 3: segment 2 is retired
      await new Promise((resolve) => setTimeout(resolve, 50));
      firstReleased.fire();
      await Promise.all([first, second, third]);
    } finally {
      restore();
    }
    await spool.close();
    const reopened = await Spool.open(dir, { segmentMaxBytes: 1 });
    assert.deepEqual(
      reopened.pending.map((r) => r.alertKey),
      ["key-1", "key-2", "key-3"],
    );
    await reopened.spool.close();
  });

  it("marks rejected records that reached the file, so a replay does not send them after the cloud's retry", async () => {
    const { spool } = await Spool.open(dir);
    await spool.append([record(0)]); // accepted, still pending: the segment is kept
    const gate = signal();
    const syncStarted = signal();
    const restore = patchDatasync(async (original, call) => {
      if (call !== 1) return original();
      syncStarted.fire();
      await gate.promise;
      throw eio();
    });
    try {
      const a = spool.append([record(1)]);
      await syncStarted.promise; // record 1 is written; its fdatasync will fail
      const b = spool.append([record(2)]); // written behind it, waiting for the next fdatasync
      await new Promise((resolve) => setTimeout(resolve, 20));
      gate.fire();
      const outcomes = await Promise.allSettled([a, b]);
      assert.deepEqual(
        outcomes.map((o) => o.status),
        ["rejected", "rejected"],
      );
    } finally {
      restore();
    }
    await spool.close();
    const text = await fs.readFile(path.join(dir, "segments", "000000000001.log"), "utf8");
    assert.match(text, /"key-1"/, "the rejected lines are in the file");
    assert.match(text, /"key-2"/);
    const reopened = await Spool.open(dir);
    assert.deepEqual(
      reopened.pending.map((r) => r.alertKey),
      ["key-0"],
    );
    await reopened.spool.close();
  });

  it("after a failure in one segment rejects what waits in older ones too, and stays unready until a new segment syncs", async () => {
    const { spool } = await Spool.open(dir, { segmentMaxBytes: 1 }); // one batch per segment
    const gate = signal();
    const firstStarted = signal();
    const firstDone = signal();
    const restore = patchDatasync(async (original, call) => {
      if (call === 1) {
        firstStarted.fire();
        await gate.promise; // segment 1: slow, then fine
        await original();
        setImmediate(firstDone.fire); // after the spool's callback has run
        return;
      }
      if (call === 2) throw eio();
      return original();
    });
    try {
      const a = spool.append([record(1)]);
      await firstStarted.promise;
      const b = spool.append([record(2)]); // segment 2: its fdatasync fails
      await assert.rejects(b, /EIO/);
      // Record 1 is synced later, but a recovery in it could otherwise overtake a retried firing.
      await assert.rejects(a, /EIO/);
      gate.fire();
      await firstDone.promise;
      assert.match(String(spool.lastError), /EIO/, "an older segment's success is not recovery");
      const [ref] = await spool.append([record(3)]);
      assert.equal(ref?.segment, 3);
      assert.equal(spool.lastError, undefined);
    } finally {
      restore();
    }
    await spool.close();
    // close() returned after the failed segments were closed and deleted (nothing accepted).
    assert.deepEqual(await segmentFiles(".log"), ["000000000003.log"]);
    const reopened = await Spool.open(dir, { segmentMaxBytes: 1 });
    assert.deepEqual(
      reopened.pending.map((r) => r.alertKey),
      ["key-3"],
    );
    await reopened.spool.close();
  });

  it("close() returns only once retired segments are closed and deleted", async () => {
    const { spool } = await Spool.open(dir, { segmentMaxBytes: 1 }); // one batch per segment
    const gate = signal();
    const firstStarted = signal();
    const secondSynced = signal();
    const restore = patchDatasync(async (original, call) => {
      if (call === 2) {
        await original();
        secondSynced.fire();
        return;
      }
      if (call !== 1) return original();
      firstStarted.fire();
      await gate.promise;
      throw eio();
    });
    try {
      const a = spool.append([record(1)]).catch((err: Error) => err.message);
      await firstStarted.promise;
      const b = spool.append([record(2)]).catch((err: Error) => err.message);
      // Segment 2 synced and waiting behind segment 1 (a signal, not a sleep: load-proof).
      await secondSynced.promise;
      await new Promise((resolve) => setImmediate(resolve)); // its callback reached the spool
      const closing = spool.close();
      gate.fire();
      await closing;
      assert.deepEqual(await Promise.all([a, b]), [
        "EIO: i/o error, fdatasync",
        "EIO: i/o error, fdatasync",
      ]);
      // Nothing was accepted, so both segments are gone by the time close() returns.
      assert.deepEqual(await segmentFiles(".log"), []);
    } finally {
      restore();
    }
  });

  it("skips a torn tail and a corrupt line on replay (checksums); keeps the rest", async () => {
    const { spool } = await Spool.open(dir);
    await spool.append([record(1), record(2), record(3)]);
    await spool.close();
    const [seg] = await segmentFiles(".log");
    const file = path.join(dir, "segments", seg!);
    const lines = (await fs.readFile(file, "utf8")).split("\n");
    const second = lines.findIndex((l) => l.includes('"d2"'));
    lines[second] = lines[second]!.replace('"d2"', '"dX"'); // bit rot in record 2
    const third = lines.find((l) => l.includes('"d3"'))!;
    // A torn batch mid-file (a failed write; later batches landed after it) and one at the end.
    await fs.writeFile(
      file,
      `${lines.join("\n")}\n0badc0de {"id":"torn-mid","bo\n${third}\n0badc0de {"id":"torn","body":`,
    );
    const reopened = await Spool.open(dir);
    assert.deepEqual(
      reopened.pending.map((r) => r.alertKey),
      ["key-1", "key-3", "key-3"],
    );
    assert.equal(reopened.spool.corruptLines, 3);
    await reopened.spool.close();
  });

  it("deletes a segment once it is sealed and every record is acked; acks survive restarts", async () => {
    const { spool } = await Spool.open(dir, { segmentMaxBytes: 300 });
    const refs = [];
    for (let i = 0; i < 6; i++) refs.push(...(await spool.append([record(i)])));
    assert.ok((await segmentFiles(".log")).length >= 3);
    for (const ref of refs.slice(0, 3)) await spool.ack(ref);
    await spool.close();
    const second = await Spool.open(dir, { segmentMaxBytes: 300 });
    assert.deepEqual(
      second.pending.map((r) => r.alertKey),
      ["key-3", "key-4", "key-5"],
    );
    for (const ref of second.pending) await second.spool.ack(ref);
    await second.spool.close();
    assert.deepEqual(await segmentFiles(".log"), []);
    assert.deepEqual(await segmentFiles(".ack"), []);
    const third = await Spool.open(dir);
    assert.equal(third.pending.length, 0);
    await third.spool.close();
  });

  it("writes dead letters durably with the record and the reason", async () => {
    const { spool } = await Spool.open(dir);
    const [ref] = await spool.append([record(1)]);
    const rec = await spool.read(ref!);
    const file = await spool.deadLetter(rec, { reason: "rejected_BadRequest", status: 400 });
    const letter = JSON.parse(await fs.readFile(file, "utf8"));
    assert.equal(letter.reason, "rejected_BadRequest");
    assert.deepEqual(letter.record.body, record(1).body);
    assert.deepEqual(
      (await fs.readdir(path.join(dir, "dead"))).filter((f) => f.endsWith(".tmp")),
      [],
    );
    await spool.close();
  });

  it("dedup index stays bounded on disk and in memory, and survives reopening", async () => {
    const file = path.join(dir, "dedup.idx");
    const index = await DedupIndex.open(file, 3, []);
    for (let i = 0; i < 20; i++) index.add(`id-${i}`);
    await index.flush();
    assert.equal(index.size, 3);
    const lines = (await fs.readFile(file, "utf8")).trim().split("\n");
    assert.ok(lines.length <= 7, `${lines.length} lines`);
    const reopened = await DedupIndex.open(file, 3, ["pending-1"]);
    assert.ok(reopened.has("pending-1"));
    assert.ok(reopened.has("id-19"));
    assert.ok(!reopened.has("id-0"));
  });
});

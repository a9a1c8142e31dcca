// Crash-safe on-disk spool. An event is acknowledged to the cloud only after it is in a segment file
// and fdatasync'ed. Writes and syncs are decoupled (group commit): the requests of one event-loop turn
// are written together at the end of the turn, and one fdatasync confirms every batch written before
// it started; while it runs, newer batches gather for the next one.
//
// Layout under the spool directory:
//   segments/<n>.log   append-only records, one per line: "<crc32 hex> <json>\n"
//   segments/<n>.ack   ids of records Flashduty accepted (or that were dead-lettered)
//   dead/<time>-<id>.json   dead letters (fsynced, atomically renamed)
//   dedup.idx          delivery ids already accepted (see dedup.ts)
// A segment is deleted only once it is sealed (a newer one is active) and every record is acked.
// A torn or corrupt line (crash mid-write) fails its checksum and is skipped on replay; it was
// never acknowledged. Acks are not fsynced: losing one re-sends an event Flashduty already has,
// which its dedup drops (an identical event to the previous one is discarded, flashduty-api.md §5),
// and replay keeps per-alert_key order so a re-sent firing is followed by its re-sent recovery.
import { randomUUID } from "node:crypto";
import { fdatasync, promises as fs, writeSync } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import path from "node:path";
import { crc32 } from "node:zlib";
import type { CloudSource, FlashdutyAlertBody } from "./model";

export interface SpoolRecord {
  id: string;
  receivedAt: number;
  source: CloudSource;
  format: string;
  /** Delivery id used for de-duplication (e.g. "volcengine:<x-volc-trace-id>"). */
  dedupId?: string;
  body: FlashdutyAlertBody;
}

export type NewRecord = Omit<SpoolRecord, "id" | "receivedAt">;

/** Where a pending record lives; small, so a large backlog costs little memory. */
export interface SpoolRef {
  id: string;
  alertKey: string;
  receivedAt: number;
  segment: number;
  offset: number;
  length: number;
}

export interface SpoolOptions {
  /** Seal the active segment once it reaches this size (default 4 MiB). */
  segmentMaxBytes?: number;
  /** While a write error stands, probe the disk this often and clear it once a probe file can be
   * written and synced again (default 1000 ms). */
  probeIntervalMs?: number;
}

interface SegmentState {
  pending: number;
  sealed: boolean;
}

/** A batch in a segment file, waiting for an fdatasync that starts after it was written. */
interface WrittenBatch {
  batch: QueuedWrite[];
  seg: ActiveSegment;
  /** File offset of the batch (its leading newline). */
  start: number;
  /** Set when its fdatasync returned: true, or the error that rejects it. */
  outcome?: true | Error;
  /** Set by a failure anywhere while it was unsettled: rejected whatever its own outcome. */
  doomed?: Error;
}

interface ActiveSegment {
  n: number;
  fh: FileHandle;
  /** Bytes written so far. */
  size: number;
  /** Written, not yet covered by an fdatasync. */
  unsynced: WrittenBatch[];
  /** One fdatasync at a time per file: see sync(). */
  syncing: boolean;
  /** Batches written here and not yet settled (they may wait behind an older segment's). */
  unsettled: number;
  /** Set by a failed write or fdatasync: nothing more in this file can be confirmed. */
  failed?: Error;
  retired: boolean;
  closing?: Promise<void>;
}

/** Under SPOOL_DIR: where a dry run (no push URL) keeps its spool, apart from deliverable events. */
export const DRY_RUN_DIR = "dry-run";

const NEWLINE = Buffer.from("\n", "ascii");

interface QueuedWrite {
  /** Each record's JSON text and its UTF-8 length; encoded once, into the batch buffer. */
  json: string[];
  bytes: number[];
  records: SpoolRecord[];
  resolve: (refs: SpoolRef[]) => void;
  reject: (err: Error) => void;
}

const pad = (n: number): string => String(n).padStart(12, "0");

/** Bytes a line adds around its JSON: "<crc32 hex> " before it, "\n" after it. */
const LINE_OVERHEAD = 10;

/**
 * Encodes a batch's lines ("<crc32 hex> <json>\n" each) straight into one buffer, after a leading
 * newline: one allocation and one copy of each record per group commit, no per-line buffers.
 */
function encodeBatch(batch: QueuedWrite[]): Buffer {
  let total = NEWLINE.length;
  for (const w of batch) for (const n of w.bytes) total += n + LINE_OVERHEAD;
  const data = Buffer.allocUnsafe(total);
  data[0] = 0x0a;
  let at = NEWLINE.length;
  for (const w of batch)
    for (let i = 0; i < w.json.length; i++) {
      const n = w.bytes[i] as number;
      data.write(w.json[i] as string, at + 9, n, "utf8");
      const sum = crc32(data.subarray(at + 9, at + 9 + n));
      data.write(sum.toString(16).padStart(8, "0"), at, 8, "latin1");
      data[at + 8] = 0x20;
      data[at + 9 + n] = 0x0a;
      at += n + LINE_OVERHEAD;
    }
  return data;
}

/** Parses one line; null when torn or corrupt. */
function decodeLine(line: Buffer): SpoolRecord | null {
  if (line.length < 10 || line[8] !== 0x20) return null;
  const json = line.subarray(9);
  const sum = line.subarray(0, 8).toString("ascii");
  if (crc32(json).toString(16).padStart(8, "0") !== sum) return null;
  try {
    return JSON.parse(json.toString("utf8")) as SpoolRecord;
  } catch {
    return null;
  }
}

/**
 * Creates a directory and its missing parents, one level at a time. Not fs.mkdir's `recursive`:
 * under a path that refuses new entries with ENOENT (e.g. /proc), Node's recursive mkdir retries
 * forever (seen on Node 20 and 22); here every failure is an error naming the directory.
 */
export async function makeDirectory(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let at = path.resolve(dir); ;) {
    try {
      if (!(await fs.stat(at)).isDirectory())
        throw new Error(`${at} exists and is not a directory`);
      break;
    } catch (err) {
      const parent = path.dirname(at);
      if ((err as NodeJS.ErrnoException).code !== "ENOENT" || parent === at) throw err;
      missing.push(at);
      at = parent;
    }
  }
  for (const d of missing.reverse()) {
    try {
      await fs.mkdir(d);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EEXIST") continue;
      throw new Error(
        `cannot create directory ${d} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      );
    }
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export class Spool {
  readonly segmentsDir: string;
  readonly deadDir: string;
  private readonly segmentMaxBytes: number;
  private readonly segments = new Map<number, SegmentState>();
  private active: ActiveSegment | undefined;
  private nextSegment = 1;
  private queue: QueuedWrite[] = [];
  /** Every written batch not yet settled, in write order: settled strictly in this order. */
  private written: WrittenBatch[] = [];
  private flushScheduled = false;
  private flushing = false;
  /** Appends not yet resolved or rejected (close() waits for them). */
  private unsettled = 0;
  /** fdatasyncs running (close() waits for them too: a rejected batch may settle before its own). */
  private syncsInFlight = 0;
  private drainWaiters: Array<() => void> = [];
  private ackQueue = new Map<number, string[]>();
  /** Ids of rejected records whose lines may be in a segment: written to its .ack, see tombstone(). */
  private tombstoneQueue = new Map<number, string[]>();
  /** Retired segments being closed (close() waits for them). */
  private readonly closings = new Set<Promise<void>>();
  private ackFlushing: Promise<void> | undefined;
  private depthCount = 0;
  /** Read handles per segment, for the forwarder (closed when the segment is deleted). */
  private readonly readers = new Map<number, Promise<FileHandle>>();
  private closed = false;
  /** countPending(): replay deletes nothing. */
  private readOnly = false;
  private failure: Error | undefined;
  /** Set by halt(): the directory is no longer ours; every append fails, for good. */
  private haltedBy: Error | undefined;
  /** Counts failures, so a probe that began before the latest one cannot clear it. */
  private failures = 0;
  private readonly probeIntervalMs: number;
  private probeTimer: NodeJS.Timeout | undefined;
  /** Lines skipped on replay because their checksum failed. */
  corruptLines = 0;

  private constructor(
    readonly dir: string,
    options: SpoolOptions,
  ) {
    this.segmentsDir = path.join(dir, "segments");
    this.deadDir = path.join(dir, "dead");
    this.segmentMaxBytes = options.segmentMaxBytes ?? 4 * 1024 * 1024;
    this.probeIntervalMs = options.probeIntervalMs ?? 1000;
  }

  /**
   * Last write failure, surfaced by /readyz; cleared by the next successful commit, or by the
   * background probe once the disk takes writes again (so readiness recovers without traffic).
   */
  get lastError(): Error | undefined {
    return this.haltedBy ?? this.failure;
  }

  /**
   * Stops accepting for good (the spool lock was lost: another process may own the directory):
   * every later append is rejected (→ 503) and lastError reports it (/readyz 503).
   */
  halt(err: Error): void {
    this.haltedBy ??= err;
    this.settle(this.takeQueue(), err); // not yet written: rejected too
  }

  get halted(): Error | undefined {
    return this.haltedBy;
  }

  set lastError(err: Error | undefined) {
    this.failure = err;
    if (err === undefined) return;
    this.failures++;
    if (!this.probeTimer && !this.closed) this.scheduleProbe();
  }

  private scheduleProbe(): void {
    this.probeTimer = setTimeout(() => void this.probe(), this.probeIntervalMs);
    this.probeTimer.unref();
  }

  /** Writes, fdatasyncs and removes a file in the segments directory, as a commit would. */
  private async probe(): Promise<void> {
    const before = this.failures;
    const file = path.join(this.segmentsDir, `.probe-${process.pid}-${randomUUID()}`);
    let ok = false;
    try {
      const fh = await fs.open(file, "w");
      try {
        await fh.write("probe\n");
        await new Promise<void>((resolve, reject) =>
          fdatasync(fh.fd, (err) => (err ? reject(err) : resolve())),
        );
      } finally {
        await fh.close();
        await fs.rm(file, { force: true });
      }
      ok = true;
    } catch {
      // still failing
    }
    this.probeTimer = undefined;
    if (this.closed || this.failure === undefined) return;
    if (ok && this.failures === before) this.failure = undefined;
    else this.scheduleProbe();
  }

  /** Opens (creating if needed) the spool and returns it with every pending record, in order. */
  static async open(
    dir: string,
    options: SpoolOptions = {},
  ): Promise<{ spool: Spool; pending: SpoolRef[]; pendingDedupIds: string[] }> {
    const spool = new Spool(dir, options);
    await makeDirectory(spool.segmentsDir);
    await makeDirectory(spool.deadDir);
    const { pending, dedupIds } = await spool.replay();
    return { spool, pending, pendingDedupIds: dedupIds };
  }

  /** Records pending in a spool directory, read without changing anything (0 when it has none). */
  static async countPending(dir: string): Promise<number> {
    const spool = new Spool(dir, {});
    spool.readOnly = true;
    try {
      return (await spool.replay()).pending.length;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return 0;
      throw err;
    }
  }

  get depth(): number {
    return this.depthCount;
  }

  private async replay(): Promise<{ pending: SpoolRef[]; dedupIds: string[] }> {
    const names = await fs.readdir(this.segmentsDir);
    const numbers = [
      ...new Set(
        names
          .map((name) => /^(\d+)\.(log|ack)$/.exec(name))
          .filter((m): m is RegExpExecArray => m !== null)
          .map((m) => Number(m[1])),
      ),
    ].sort((a, b) => a - b);
    const pending: SpoolRef[] = [];
    const dedupIds: string[] = [];
    for (const n of numbers) {
      this.nextSegment = Math.max(this.nextSegment, n + 1);
      const logPath = path.join(this.segmentsDir, `${pad(n)}.log`);
      let data: Buffer;
      try {
        data = await fs.readFile(logPath);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
        if (!this.readOnly)
          await fs.rm(path.join(this.segmentsDir, `${pad(n)}.ack`), { force: true }); // orphan
        continue;
      }
      const acked = new Set<string>();
      try {
        const ackText = await fs.readFile(path.join(this.segmentsDir, `${pad(n)}.ack`), "utf8");
        for (const id of ackText.split("\n")) if (id) acked.add(id);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      }
      let count = 0;
      let start = 0;
      while (start < data.length) {
        let end = data.indexOf(0x0a, start);
        if (end < 0) end = data.length; // torn tail without newline
        const record = decodeLine(data.subarray(start, end));
        if (!record) {
          if (end > start) this.corruptLines++;
        } else if (!acked.has(record.id)) {
          pending.push({
            id: record.id,
            alertKey: record.body.alert_key,
            receivedAt: record.receivedAt,
            segment: n,
            offset: start + 9,
            length: end - start - 9,
          });
          if (record.dedupId) dedupIds.push(record.dedupId);
          count++;
        }
        start = end + 1;
      }
      this.segments.set(n, { pending: count, sealed: true });
      this.depthCount += count;
      if (count === 0 && !this.readOnly) await this.deleteSegment(n);
    }
    return { pending, dedupIds };
  }

  /**
   * Durably appends records (one request's events) and resolves with their refs once they are on
   * disk. The appends of one event-loop turn share one write; concurrent writes share an fdatasync.
   */
  append(records: NewRecord[]): Promise<SpoolRef[]> {
    if (this.closed) return Promise.reject(new Error("spool is closed"));
    if (this.haltedBy) return Promise.reject(this.haltedBy);
    const now = Date.now();
    const full: SpoolRecord[] = records.map((r) => ({ id: randomUUID(), receivedAt: now, ...r }));
    return new Promise<SpoolRef[]>((resolve, reject) => {
      const json = full.map((r) => JSON.stringify(r));
      const bytes = json.map((j) => Buffer.byteLength(j, "utf8"));
      this.unsettled++;
      this.queue.push({ json, bytes, records: full, resolve, reject });
      // Deferred to the end of this event-loop turn, so every request parsed in it joins the batch.
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => {
          this.flushScheduled = false;
          void this.flush();
        });
      }
    });
  }

  /**
   * Writes what is queued to the active segment and asks for an fdatasync. The write is a
   * synchronous pwrite into the page cache (microseconds for a batch): measured, it beats a
   * thread-pool write by 14 % at 50 connections, since a thread-pool round trip costs more than
   * the copy (docs/performance.md). Only opening a new segment waits, and appends queue meanwhile.
   */
  private async flush(): Promise<void> {
    if (this.flushing) return; // the running flush takes what is queued when its open completes
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        let seg: ActiveSegment;
        try {
          seg = await this.activeSegment();
        } catch (err) {
          this.lastError = err as Error;
          this.settle(this.takeQueue(), err as Error);
          continue;
        }
        this.write(seg, this.takeQueue());
      }
    } finally {
      this.flushing = false;
      this.maybeDrained();
    }
  }

  private takeQueue(): QueuedWrite[] {
    const batch = this.queue;
    this.queue = [];
    return batch;
  }

  /**
   * Writes one batch at the end of the segment. Each batch starts with a newline: should a write
   * fail or tear, a later batch (in a later segment, see below) still begins on a line of its own.
   */
  private write(seg: ActiveSegment, batch: QueuedWrite[]): void {
    let data: Buffer;
    try {
      data = encodeBatch(batch);
    } catch (err) {
      this.settle(batch, err as Error); // an encoding failure answers 503; the file is untouched
      return;
    }
    const start = seg.size;
    try {
      let written = 0;
      while (written < data.length)
        written += writeSync(seg.fh.fd, data, written, data.length - written, start + written);
    } catch (err) {
      // The file may now hold a torn line (skipped on replay); later batches go to a fresh segment.
      this.lastError = err as Error;
      this.fail(seg, err as Error);
      this.tombstone(seg.n, batch); // some of its lines may be complete
      this.settle(batch, err as Error);
      this.settleWritten();
      return;
    }
    seg.size += data.length;
    const entry: WrittenBatch = { batch, seg, start };
    seg.unsettled++;
    seg.unsynced.push(entry);
    this.written.push(entry);
    this.sync(seg);
  }

  /**
   * Starts an fdatasync covering every batch written to the segment so far, unless one is running
   * (the batches then wait for the next, started as soon as it returns). Only one at a time per
   * file, because Linux reports a writeback error to one fdatasync of the open file only: with two
   * in flight, the one that misses the error could confirm batches whose pages were lost.
   */
  private sync(seg: ActiveSegment): void {
    if (seg.syncing || seg.unsynced.length === 0) return;
    const covered = seg.unsynced;
    seg.unsynced = [];
    seg.syncing = true;
    this.syncsInFlight++;
    // The callback API: the FileHandle promise wrapper costs measurably more per call.
    fdatasync(seg.fh.fd, (err) => {
      if (err) {
        this.lastError = err;
        for (const w of covered) w.outcome = err;
        this.fail(seg, err);
      } else {
        for (const w of covered) w.outcome = seg.failed ?? true;
        // Healthy again only once the segment now written to syncs (an older one's success
        // after a newer failure says nothing).
        if (seg === this.active && !seg.failed) this.lastError = undefined;
      }
      seg.syncing = false;
      this.syncsInFlight--;
      this.settleWritten();
      this.sync(seg);
      this.closeIfDone(seg);
      this.maybeDrained();
    });
  }

  /**
   * A failed write or fdatasync: the segment is retired, and every batch not yet settled, in any
   * segment, is rejected (→ 503, the cloud retries). Rejecting the later ones too keeps order: a
   * recovery accepted now must not reach Flashduty before the retry of its rejected firing.
   */
  private fail(seg: ActiveSegment, err: Error): void {
    seg.failed ??= err;
    for (const w of seg.unsynced) w.outcome = err;
    seg.unsynced = [];
    for (const w of this.written) w.doomed ??= err;
    this.retire(seg);
  }

  /**
   * Settles written batches in write order, up to the first still waiting for its fdatasync: a
   * batch in a new segment may be synced before one in the segment it replaced, and the forwarder
   * must receive records in arrival order (a recovery must not overtake its firing event).
   */
  private settleWritten(): void {
    let done = 0;
    for (const w of this.written) {
      const outcome = w.doomed ?? w.outcome;
      if (outcome === undefined) break;
      if (outcome === true) this.confirm(w);
      else {
        this.tombstone(w.seg.n, w.batch);
        this.settle(w.batch, outcome);
      }
      w.seg.unsettled--;
      done++;
    }
    for (const w of this.written.splice(0, done)) this.closeIfDone(w.seg);
  }

  /** Resolves a synced batch's appends with their refs. */
  private confirm(written: WrittenBatch): void {
    const { seg } = written;
    let offset = written.start + NEWLINE.length;
    const state = this.segments.get(seg.n);
    for (const w of written.batch) {
      const refs = w.records.map((record, i) => {
        const length = w.bytes[i] as number;
        const ref: SpoolRef = {
          id: record.id,
          alertKey: record.body.alert_key,
          receivedAt: record.receivedAt,
          segment: seg.n,
          offset: offset + 9,
          length,
        };
        offset += length + LINE_OVERHEAD;
        return ref;
      });
      if (state) state.pending += refs.length;
      this.depthCount += refs.length;
      this.unsettled--;
      w.resolve(refs);
    }
  }

  /** Rejects a batch's appends (the server answers 503, so the cloud retries). */
  private settle(batch: QueuedWrite[], err: Error): void {
    for (const w of batch) {
      this.unsettled--;
      w.reject(err);
    }
  }

  private maybeDrained(): void {
    if (this.unsettled > 0 || this.flushing || this.syncsInFlight > 0) return;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }

  /** The segment to append to, opening a new one when there is none or it is full. */
  private async activeSegment(): Promise<ActiveSegment> {
    if (this.active && this.active.size >= this.segmentMaxBytes) this.retire(this.active);
    if (this.active) return this.active;
    const n = this.nextSegment++;
    const fh = await fs.open(path.join(this.segmentsDir, `${pad(n)}.log`), "wx");
    try {
      await fsyncDir(this.segmentsDir); // the new file's directory entry must survive a crash
    } catch (err) {
      await fh.close().catch(() => undefined);
      throw err;
    }
    this.segments.set(n, { pending: 0, sealed: false });
    this.active = { n, fh, size: 0, unsynced: [], syncing: false, unsettled: 0, retired: false };
    return this.active;
  }

  /** Stops appending to a segment; it is closed once every batch written to it is settled. */
  private retire(seg: ActiveSegment): void {
    if (this.active === seg) this.active = undefined;
    if (seg.retired) return;
    seg.retired = true;
    this.closeIfDone(seg);
  }

  /**
   * Closes a retired segment (and deletes it when nothing in it is pending) only once its batches
   * are settled: a synced batch waiting behind an older segment's fdatasync is not yet counted as
   * pending, and deleting its file then would lose records about to be acknowledged. (Unsynced
   * batches are unsettled too.) An fdatasync may still run for batches already rejected.
   */
  private closeIfDone(seg: ActiveSegment): void {
    if (seg.retired && !seg.syncing && seg.unsettled === 0) void this.closeRetired(seg);
  }

  private async closeRetired(seg: ActiveSegment): Promise<void> {
    if (seg.closing) return seg.closing;
    const closing = (async () => {
      await seg.fh.close().catch(() => undefined);
      const state = this.segments.get(seg.n);
      if (state) state.sealed = true;
      if (state && state.pending === 0) await this.deleteSegment(seg.n);
    })();
    seg.closing = closing;
    this.closings.add(closing);
    void closing.then(
      () => this.closings.delete(closing),
      (err: unknown) => {
        this.closings.delete(closing);
        this.lastError = err as Error;
      },
    );
    return closing;
  }

  /** Reads a pending record back (the forwarder keeps only refs in memory). */
  async read(ref: SpoolRef): Promise<SpoolRecord> {
    let handle = this.readers.get(ref.segment);
    if (!handle) {
      handle = fs.open(path.join(this.segmentsDir, `${pad(ref.segment)}.log`), "r");
      this.readers.set(ref.segment, handle);
      handle.catch(() => this.readers.delete(ref.segment));
    }
    const fh = await handle;
    const buf = Buffer.alloc(ref.length);
    await fh.read(buf, 0, ref.length, ref.offset);
    return JSON.parse(buf.toString("utf8")) as SpoolRecord;
  }

  private closeReader(n: number): void {
    const handle = this.readers.get(n);
    this.readers.delete(n);
    void handle?.then((fh) => fh.close()).catch(() => undefined);
  }

  /**
   * Marks rejected records (answered 503: the cloud sends them again) as done in their segment's
   * .ack, so a replay does not send them as well. Best effort like acks: were it lost in a crash,
   * the event would reach Flashduty twice, and Flashduty drops an identical repeat.
   */
  private tombstone(n: number, batch: QueuedWrite[]): void {
    if (!this.segments.has(n)) return;
    const list = this.tombstoneQueue.get(n) ?? [];
    for (const w of batch) for (const record of w.records) list.push(record.id);
    this.tombstoneQueue.set(n, list);
    if (!this.ackFlushing) this.ackFlushing = this.flushAcks();
  }

  /** Marks a record done (delivered or dead-lettered); deletes its segment when all are done. */
  ack(ref: SpoolRef): Promise<void> {
    const list = this.ackQueue.get(ref.segment) ?? [];
    list.push(ref.id);
    this.ackQueue.set(ref.segment, list);
    this.depthCount--;
    if (!this.ackFlushing) this.ackFlushing = this.flushAcks();
    return this.ackFlushing;
  }

  private async flushAcks(): Promise<void> {
    try {
      while (this.ackQueue.size > 0 || this.tombstoneQueue.size > 0) {
        const tombstones = this.tombstoneQueue;
        this.tombstoneQueue = new Map();
        for (const [n, ids] of tombstones) if (this.segments.has(n)) await this.appendAcks(n, ids);
        const batch = this.ackQueue;
        this.ackQueue = new Map();
        for (const [n, ids] of batch) {
          const state = this.segments.get(n);
          if (state) state.pending -= ids.length;
          if (state && state.sealed && state.pending <= 0) {
            await this.deleteSegment(n);
          } else {
            await this.appendAcks(n, ids);
          }
        }
      }
    } catch (err) {
      this.lastError = err as Error;
    } finally {
      this.ackFlushing = undefined;
    }
  }

  /** Appends ids to a segment's .ack (not fsynced: see the file header). */
  private appendAcks(n: number, ids: string[]): Promise<void> {
    return fs.appendFile(
      path.join(this.segmentsDir, `${pad(n)}.ack`),
      ids.map((id) => `${id}\n`).join(""),
    );
  }

  private async deleteSegment(n: number): Promise<void> {
    this.segments.delete(n);
    this.closeReader(n);
    // .log first: a crash in between leaves an orphan .ack, which replay removes.
    await fs.rm(path.join(this.segmentsDir, `${pad(n)}.log`), { force: true });
    await fs.rm(path.join(this.segmentsDir, `${pad(n)}.ack`), { force: true });
  }

  /** Writes a dead letter durably; the caller then acks the record. */
  async deadLetter(record: SpoolRecord, detail: Record<string, unknown>): Promise<string> {
    const name = `${new Date().toISOString().replace(/[:.]/g, "-")}-${record.id}.json`;
    const file = path.join(this.deadDir, name);
    const tmp = `${file}.tmp`;
    const fh = await fs.open(tmp, "w");
    try {
      await fh.writeFile(
        `${JSON.stringify({ ...detail, deadLetteredAt: new Date().toISOString(), record }, null, 2)}\n`,
      );
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.rename(tmp, file);
    await fsyncDir(this.deadDir);
    return file;
  }

  /** Probes that the spool directory accepts new files (for /readyz). */
  async checkWritable(): Promise<boolean> {
    const probe = path.join(this.segmentsDir, `.probe-${process.pid}`);
    try {
      await fs.writeFile(probe, "ok");
      await fs.rm(probe, { force: true });
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.probeTimer);
    if (this.unsettled > 0 || this.flushing || this.syncsInFlight > 0)
      await new Promise<void>((resolve) => this.drainWaiters.push(resolve));
    while (this.ackFlushing) await this.ackFlushing;
    for (const n of [...this.readers.keys()]) this.closeReader(n);
    if (this.active) this.retire(this.active);
    while (this.closings.size > 0) await Promise.allSettled([...this.closings]);
  }
}

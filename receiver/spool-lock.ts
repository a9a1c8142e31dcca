// One process per spool directory. The spool has a single writer: a second receiver (or
// `receiver:requeue`) on the same directory would delete segments the first still writes.
//
// The lock is a file, SPOOL_DIR/receiver.lock, holding who has it: pid, host, boot id, PID
// namespace, the process's start time (Linux /proc) and since when. It is made complete under a
// temporary name and hard-linked into place, which fails if it exists, so exactly one process gets
// it. A holder that crashed does not keep it: when host, boot id and PID namespace are ours, a
// holder whose pid is gone, or is now another process (start time differs), is stale at once;
// after a reboot every lock of the previous boot is stale; any other holder (another host on a
// shared volume, or another PID namespace on this host: a container with a fixed hostname, whose
// pids mean nothing here) refreshes the file's mtime every 10 s and is stale after 60 s without
// that heartbeat. A record without a namespace (older receiver) counts as another namespace.
//
// The holder checks at every heartbeat that the file still names it (same nonce): a file deleted
// or taken over (e.g. after a stall over 60 s) means another process may write the spool, so the
// holder is told (onLost) and stops accepting; release() never removes another's lock.
//
// Why not a library: Node has no flock(2) without native code; proper-lockfile (the common pure-JS
// choice) judges staleness by mtime alone (a crashed holder blocks for its stale period even on the
// same host, a paused live one loses the lock), records no holder to name in the error, and has
// had no release since 2021. Checking the pid in the same PID namespace is exact and immediate.
import { randomUUID } from "node:crypto";
import { readFileSync, readlinkSync, promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";

export const LOCK_FILE = "receiver.lock";
export const HEARTBEAT_MS = 10_000;
export const FOREIGN_STALE_MS = 60_000;

export interface LockHolder {
  pid: number;
  host: string;
  /** Linux boot id; absent elsewhere. */
  bootId?: string;
  /** PID namespace (readlink /proc/self/ns/pid, e.g. "pid:[4026531836]"); absent without /proc. */
  pidNs?: string;
  /** Start time of the process in clock ticks since boot (/proc/<pid>/stat field 22). */
  startTicks?: string;
  since: string;
  /** What holds it: "receiver" or "requeue". */
  purpose: string;
  nonce: string;
}

export class SpoolLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly holder: LockHolder,
  ) {
    super(
      `SPOOL_DIR ${dir} is in use by another process (${holder.purpose}, pid ${holder.pid} on host ${holder.host}, since ${holder.since}): one process per spool directory, or it would delete files the other still writes. Stop that process first (or give this one its own SPOOL_DIR); a crashed holder does not block: on the same host its lock is taken over at once, from another host after ${FOREIGN_STALE_MS / 1000} s without its heartbeat`,
    );
    this.name = "SpoolLockedError";
  }
}

function readOr(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8").trim();
  } catch {
    return undefined;
  }
}

const BOOT_ID = readOr("/proc/sys/kernel/random/boot_id");

function pidNamespace(): string | undefined {
  try {
    return readlinkSync("/proc/self/ns/pid");
  } catch {
    return undefined;
  }
}

const PID_NS = pidNamespace();

/**
 * Whether a holder's pid means the same process here. On Linux only with the same PID namespace
 * (a record without one, from an older receiver, is not trusted); without /proc at all (no PID
 * namespaces, e.g. macOS) the same host suffices.
 */
function samePidSpace(holder: LockHolder): boolean {
  if (holder.pidNs !== undefined || PID_NS !== undefined) return holder.pidNs === PID_NS;
  return BOOT_ID === undefined && holder.bootId === undefined;
}

/** Field 22 of /proc/<pid>/stat (after the parenthesised command name), or undefined. */
function startTicks(pid: number): string | undefined {
  const stat = readOr(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return fields[19]; // field 3 is index 0
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM"; // exists, owned by someone else
  }
}

/** Why a holder no longer holds the lock, or undefined when it (may) still do. */
function staleBecause(holder: LockHolder, mtimeMs: number, now: number): string | undefined {
  const sameMachine =
    holder.host === os.hostname() &&
    (holder.bootId === undefined || BOOT_ID === undefined || holder.bootId === BOOT_ID) &&
    samePidSpace(holder);
  if (holder.host === os.hostname() && holder.bootId && BOOT_ID && holder.bootId !== BOOT_ID)
    return "held before the last reboot";
  if (sameMachine) {
    if (!pidExists(holder.pid)) return `pid ${holder.pid} is not running`;
    const ticks = startTicks(holder.pid);
    if (holder.startTicks && ticks && ticks !== holder.startTicks)
      return `pid ${holder.pid} is now another process`;
    return undefined;
  }
  if (now - mtimeMs > FOREIGN_STALE_MS)
    return `no heartbeat from host ${holder.host}${holder.host === os.hostname() ? ` (pid namespace ${holder.pidNs ?? "unknown"})` : ""} for ${Math.round((now - mtimeMs) / 1000)} s`;
  return undefined;
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const h = JSON.parse(text) as Partial<LockHolder>;
    if (typeof h.pid === "number" && typeof h.host === "string" && typeof h.nonce === "string")
      return h as LockHolder;
  } catch {
    // falls through
  }
  return undefined;
}

export interface AcquiredLock {
  readonly file: string;
  readonly holder: LockHolder;
  /** Set when a stale lock was taken over: whose, and why it was stale. */
  readonly tookOver?: { holder: LockHolder | undefined; reason: string };
  release(): Promise<void>;
}

export interface LockOptions {
  /**
   * Called once when the lock is found no longer ours (file deleted or naming another holder) or
   * could not be confirmed for FOREIGN_STALE_MS (others may have taken it over by then).
   */
  onLost?: (reason: string) => void;
  /** Heartbeat and ownership-check interval (default HEARTBEAT_MS; tests shorten it). */
  heartbeatMs?: number;
}

/** Takes the spool directory's lock (the directory must exist) or throws SpoolLockedError. */
export async function acquireSpoolLock(
  dir: string,
  purpose: string,
  options: LockOptions = {},
): Promise<AcquiredLock> {
  const file = path.join(dir, LOCK_FILE);
  const holder: LockHolder = {
    pid: process.pid,
    host: os.hostname(),
    ...(BOOT_ID ? { bootId: BOOT_ID } : {}),
    ...(PID_NS ? { pidNs: PID_NS } : {}),
    ...(startTicks(process.pid) ? { startTicks: startTicks(process.pid) } : {}),
    since: new Date().toISOString(),
    purpose,
    nonce: randomUUID(),
  };
  const text = `${JSON.stringify(holder)}\n`;
  const tmp = `${file}.${holder.nonce}.tmp`;
  await fs.writeFile(tmp, text);
  let tookOver: AcquiredLock["tookOver"];
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await fs.link(tmp, file);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST" || attempt >= 5) throw err;
      }
      let current: string;
      let mtimeMs: number;
      try {
        current = await fs.readFile(file, "utf8");
        mtimeMs = (await fs.stat(file)).mtimeMs;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") continue; // released meanwhile
        throw err;
      }
      const other = parseHolder(current);
      // Unreadable content cannot come from a holder (it links a complete file): stale.
      const reason = other ? staleBecause(other, mtimeMs, Date.now()) : "unreadable lock file";
      if (reason === undefined) throw new SpoolLockedError(dir, other as LockHolder);
      // Take it over: rename is atomic, so of several processes judging it stale one moves it.
      const moved = `${file}.stale-${holder.nonce}`;
      try {
        await fs.rename(file, moved);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") continue;
        throw err;
      }
      const movedText = await fs.readFile(moved, "utf8").catch(() => "");
      if (movedText !== current) {
        // Another process replaced the stale lock with its own in between: put that one back.
        await fs.link(moved, file).catch(() => undefined);
        await fs.rm(moved, { force: true });
        continue;
      }
      await fs.rm(moved, { force: true });
      tookOver = { holder: other, reason };
    }
  } finally {
    await fs.rm(tmp, { force: true });
  }

  let lost: string | undefined;
  let confirmedAt = Date.now();
  let beating = false;
  const loseIt = (reason: string): void => {
    if (lost !== undefined) return;
    lost = reason;
    clearInterval(heartbeat);
    options.onLost?.(reason);
  };
  // Each beat first checks the file still names us; only then refreshes its mtime.
  const beat = async (): Promise<void> => {
    let current: string;
    try {
      current = await fs.readFile(file, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return loseIt(`${file} was deleted`);
      if (Date.now() - confirmedAt > FOREIGN_STALE_MS)
        loseIt(
          `${file} could not be read for ${FOREIGN_STALE_MS / 1000} s: ${(err as Error).message}`,
        );
      return;
    }
    const now = new Date();
    const other = parseHolder(current);
    if (other?.nonce !== holder.nonce)
      return loseIt(
        other
          ? `${file} now names another holder (${other.purpose}, pid ${other.pid} on host ${other.host}, since ${other.since})`
          : `${file} no longer holds this process's record`,
      );
    try {
      await fs.utimes(file, now, now);
      confirmedAt = now.getTime();
    } catch (err) {
      if (Date.now() - confirmedAt > FOREIGN_STALE_MS)
        loseIt(
          `${file} could not be refreshed for ${FOREIGN_STALE_MS / 1000} s: ${(err as Error).message}`,
        );
    }
  };
  const heartbeat = setInterval(() => {
    if (beating || lost !== undefined) return;
    beating = true;
    void beat().finally(() => (beating = false));
  }, options.heartbeatMs ?? HEARTBEAT_MS);
  heartbeat.unref();
  let released = false;
  return {
    file,
    holder,
    ...(tookOver ? { tookOver } : {}),
    release: async () => {
      if (released) return;
      released = true;
      clearInterval(heartbeat);
      // Removed only while it is still ours (never another process's lock).
      const current = await fs.readFile(file, "utf8").catch(() => undefined);
      if (current !== undefined && parseHolder(current)?.nonce === holder.nonce)
        await fs.rm(file, { force: true });
    },
  };
}

// Library entry: createReceiver(options) → { url, close() }, used by `npm start` (main.ts), tests
// and the deployment stack's handler.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { ConfigError, isLoopback, resolveOptions } from "./config";
import type { ReceiverOptions } from "./config";
import { DedupIndex } from "./dedup";
import { Forwarder } from "./forwarder";
import type { ForwarderState } from "./forwarder";
import { createLogger } from "./logger";
import { createMetrics } from "./metrics";
import type { ReceiverMetrics } from "./metrics";
import { createHandler, onClientError } from "./server";
import { DRY_RUN_DIR, Spool, makeDirectory } from "./spool";
import { acquireSpoolLock } from "./spool-lock";
import type { AcquiredLock } from "./spool-lock";
import { SyncDelivery } from "./sync-delivery";

export { ConfigError, optionsFromEnv } from "./config";
export type { ReceiverOptions } from "./config";

export interface Receiver {
  /** Base URL, e.g. http://127.0.0.1:8787 (never includes the token). */
  readonly url: string;
  readonly mode: "dry" | "forwarding";
  /** `spool`: 202 once on disk; `sync`: 202 once Flashduty accepted (DELIVERY). */
  readonly delivery: "spool" | "sync";
  /** SPOOL_DIR, resolved. A dry run keeps its spool in SPOOL_DIR/dry-run. */
  readonly spoolDir: string;
  readonly metrics: ReceiverMetrics;
  /** Events spooled but not yet delivered (or kept, in dry mode). */
  pending(): number;
  /** Resolves when the forwarder has nothing pending (immediately in dry mode). */
  whenIdle(): Promise<void>;
  forwarderState(): ForwarderState | { mode: "dry"; pending: number };
  close(): Promise<void>;
}

export async function createReceiver(options: ReceiverOptions = {}): Promise<Receiver> {
  const o = resolveOptions(options);
  const log =
    options.logger ??
    createLogger({
      sink: options.logSink,
      level: o.logLevel,
      secrets: [o.token, o.pushUrl, o.integrationKey],
    });
  const spoolDir = path.resolve(o.spoolDir);
  const spoolError = (err: unknown): ConfigError =>
    new ConfigError(
      `SPOOL_DIR (${spoolDir}) cannot be used as the spool: ${(err as Error).message}; point SPOOL_DIR at a writable directory`,
    );
  let lock: AcquiredLock;
  // Replaced once the spool and forwarder exist; a loss before that is remembered.
  let lockLostEarly: string | undefined;
  let onLockLost = (reason: string): void => {
    lockLostEarly = reason;
  };
  try {
    await makeDirectory(spoolDir);
    // Held until close(): a second receiver or `receiver:requeue` on this directory is refused.
    lock = await acquireSpoolLock(spoolDir, "receiver", {
      onLost: (reason) => onLockLost(reason),
      ...(options.lockHeartbeatMs ? { heartbeatMs: options.lockHeartbeatMs } : {}),
    });
  } catch (err) {
    if (err instanceof Error && err.name === "SpoolLockedError") throw new ConfigError(err.message);
    throw spoolError(err);
  }
  if (lock.tookOver)
    log.warn("took over the spool lock of a process that is gone", {
      reason: lock.tookOver.reason,
      ...(lock.tookOver.holder
        ? { pid: lock.tookOver.holder.pid, host: lock.tookOver.holder.host }
        : {}),
    });
  // A dry run spools apart (SPOOL_DIR/dry-run): its events never reach Flashduty unless the
  // operator sends them on purpose (`npm run receiver:requeue -- --dry-run-events`).
  const dryDir = path.join(spoolDir, DRY_RUN_DIR);
  const stateDir = o.pushUrl ? spoolDir : dryDir;
  let opened: Awaited<ReturnType<typeof Spool.open>>;
  let dedup: DedupIndex;
  try {
    opened = await Spool.open(stateDir, { segmentMaxBytes: o.segmentMaxBytes });
    dedup = await DedupIndex.open(
      path.join(stateDir, "dedup.idx"),
      o.dedupCapacity,
      opened.pendingDedupIds,
    );
  } catch (err) {
    await lock.release();
    throw spoolError(err);
  }
  const { spool, pending } = opened;
  if (spool.corruptLines > 0)
    log.warn("spool replay skipped torn or corrupt lines (never acknowledged)", {
      lines: spool.corruptLines,
    });
  const other = await Spool.countPending(o.pushUrl ? dryDir : spoolDir).catch(() => 0);
  if (other > 0 && o.pushUrl)
    log.warn(
      "events accepted in an earlier dry run are kept apart and NOT sent: to send them, stop the receiver and run `npm run receiver:requeue -- --dry-run-events`; to discard them, delete SPOOL_DIR/dry-run",
      { dryRunEvents: other, dir: dryDir },
    );
  else if (other > 0)
    log.warn(
      "dry run: deliverable events from an earlier start with a push URL stay in the spool, untouched, for the next start with FLASHDUTY_PUSH_URL",
      { pending: other, spoolDir },
    );
  const metrics = createMetrics(() => spool.depth, { defaultMetrics: o.defaultMetrics });

  let forwarder: Forwarder | undefined;
  if (o.pushUrl) {
    forwarder = new Forwarder(
      spool,
      {
        pushUrl: o.pushUrl,
        ratePerSecond: o.ratePerSecond,
        ratePerMinute: o.ratePerMinute,
        concurrency: o.concurrency,
        retry: {
          baseDelayMs: o.backoffBaseMs,
          maxDelayMs: o.backoffMaxMs,
          maxRetryAfterMs: o.maxRetryAfterMs,
          timeoutMs: o.forwardTimeoutMs,
        },
        maxAttempts: o.maxAttempts,
        maxAgeMs: o.maxAgeMs,
      },
      metrics,
      log,
    );
  } else {
    log.warn(
      "FLASHDUTY_PUSH_URL is not set: dry run — events are mapped, logged and kept in SPOOL_DIR/dry-run, never sent",
      { spoolDir: stateDir, pending: pending.length },
    );
  }
  // Another process may now write this spool: accept nothing more (503, the clouds retry; /readyz
  // 503) and stop forwarding (the new owner replays the spool), until an operator restarts us.
  onLockLost = (reason) => {
    log.error(
      "lost the spool lock: another process may own SPOOL_DIR; no longer accepting events (503) or forwarding. Stop this receiver (one per SPOOL_DIR) and check which process should run",
      { reason, spoolDir },
    );
    spool.halt(new Error(`spool lock lost: ${reason}`));
    void forwarder?.stop();
  };
  if (lockLostEarly !== undefined) onLockLost(lockLostEarly);
  if (o.token && /[^A-Za-z0-9._~\-/=:@!$'()*,;]/.test(o.token))
    log.warn(
      "RECEIVER_TOKEN has characters that a query string changes (such as + & # % ?): in ?token= put it percent-encoded (node -p 'encodeURIComponent(process.env.RECEIVER_TOKEN)'), or send it as Authorization: Bearer; a raw + is also accepted",
    );
  if (!o.token)
    log.warn(
      "RECEIVER_TOKEN is not set: callbacks are accepted WITHOUT authentication (allowed only because HOST is a loopback address)",
      { host: o.host, loopback: isLoopback(o.host) },
    );

  // Sync mode forwards new events inline; the forwarder still drains anything already spooled
  // (e.g. left by an earlier run in spool mode), so switching modes loses nothing.
  const syncDelivery =
    o.delivery === "sync" && o.pushUrl
      ? new SyncDelivery(
          {
            pushUrl: o.pushUrl,
            ratePerSecond: o.ratePerSecond,
            ratePerMinute: o.ratePerMinute,
            attemptTimeoutMs: o.forwardTimeoutMs,
            deadlineMs: o.syncTimeoutMs,
            backoffBaseMs: o.backoffBaseMs,
            backoffMaxMs: o.backoffMaxMs,
          },
          spool,
          metrics,
          log,
        )
      : undefined;

  const handler = createHandler({
    token: o.token,
    bodyLimitBytes: o.bodyLimitBytes,
    spool,
    dedup,
    metrics,
    log,
    ...(syncDelivery
      ? { deliverSync: (source, events, dedupId) => syncDelivery.deliver(source, events, dedupId) }
      : {}),
    onSpooled: (refs, events) => {
      if (forwarder) forwarder.enqueue(refs);
      else
        events.forEach((e, i) =>
          log.info("dry run: event spooled, not sent", { id: refs[i]?.id, event: e.body }),
        );
    },
    readiness: async () => {
      const writable = await spool.checkWritable();
      const ready = writable && spool.lastError === undefined;
      return {
        ready,
        detail: {
          spool: {
            writable,
            depth: spool.depth,
            ...(spool.lastError ? { lastError: spool.lastError.message } : {}),
          },
          forwarder: forwarder ? forwarder.state() : { mode: "dry" },
          ...(syncDelivery?.pauseState() ? { syncPaused: syncDelivery.pauseState() } : {}),
        },
      };
    },
  });

  const server = createServer({ keepAliveTimeout: 65_000 }, handler);
  server.on("clientError", onClientError);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", (err) =>
        reject(new ConfigError(`cannot listen on ${o.host}:${o.port} (HOST/PORT): ${err.message}`)),
      );
      server.listen(o.port, o.host, () => resolve());
    });
  } catch (err) {
    await spool.close();
    await lock.release();
    throw err;
  }
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  if (forwarder) forwarder.enqueue(pending);
  log.info("receiver listening", {
    url,
    mode: forwarder ? "forwarding" : "dry",
    delivery: o.delivery,
    replayed: pending.length,
    spoolDir: stateDir,
  });

  let closing: Promise<void> | undefined;
  return {
    url,
    mode: forwarder ? "forwarding" : "dry",
    delivery: o.delivery,
    spoolDir,
    metrics,
    pending: () => spool.depth,
    whenIdle: () => (forwarder ? forwarder.whenIdle() : Promise.resolve()),
    forwarderState: () => (forwarder ? forwarder.state() : { mode: "dry", pending: spool.depth }),
    close: () =>
      (closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
          handler.stopDraining();
        });
        await forwarder?.stop();
        await spool.close();
        await dedup.flush();
        await lock.release();
      })()),
  };
}

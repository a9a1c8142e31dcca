// `npm run receiver:requeue`: moves dead letters back into the spool so the next start sends them
// again (after the cause — e.g. a missing route in Flashduty — is fixed).
// `npm run receiver:requeue -- --dry-run-events`: moves the events a dry run kept (SPOOL_DIR/dry-run)
// into the deliverable spool: the explicit choice to send them to Flashduty on the next start.
// Both take the spool directory's lock, so they refuse to run while a receiver uses the directory
// (the spool has one writer). Each file is removed only after its records are on disk.
import { promises as fs } from "node:fs";
import path from "node:path";
import { DEFAULTS } from "./config";
import { DRY_RUN_DIR, Spool, makeDirectory } from "./spool";
import type { SpoolRecord } from "./spool";
import { acquireSpoolLock } from "./spool-lock";

async function withSpool<T>(spoolDir: string, run: (spool: Spool) => Promise<T>): Promise<T> {
  await makeDirectory(spoolDir);
  const lock = await acquireSpoolLock(spoolDir, "requeue");
  try {
    const { spool } = await Spool.open(spoolDir);
    try {
      return await run(spool);
    } finally {
      await spool.close();
    }
  } finally {
    await lock.release();
  }
}

export async function requeueDeadLetters(spoolDir: string): Promise<number> {
  return withSpool(spoolDir, async (spool) => {
    let count = 0;
    const files = (await fs.readdir(spool.deadDir)).filter((f) => f.endsWith(".json")).sort();
    for (const file of files) {
      const full = path.join(spool.deadDir, file);
      const letter = JSON.parse(await fs.readFile(full, "utf8")) as { record?: SpoolRecord };
      const record = letter.record;
      if (!record?.body?.alert_key)
        throw new Error(`${full} is not a dead letter (no record.body)`);
      await spool.append([{ source: record.source, format: record.format, body: record.body }]);
      await fs.rm(full);
      count++;
    }
    return count;
  });
}

/** Moves every event a dry run kept into the deliverable spool, in order; returns how many. */
export async function requeueDryRunEvents(spoolDir: string): Promise<number> {
  const dryDir = path.join(spoolDir, DRY_RUN_DIR);
  return withSpool(spoolDir, async (spool) => {
    if ((await Spool.countPending(dryDir)) === 0) return 0;
    const dry = await Spool.open(dryDir);
    try {
      for (const ref of dry.pending) {
        const r = await dry.spool.read(ref);
        await spool.append([
          {
            source: r.source,
            format: r.format,
            body: r.body,
            ...(r.dedupId !== undefined ? { dedupId: r.dedupId } : {}),
          },
        ]);
      }
    } finally {
      await dry.spool.close();
    }
    // Everything is in the deliverable spool (fdatasync'ed): the dry run's copy goes.
    await fs.rm(dryDir, { recursive: true, force: true });
    return dry.pending.length;
  });
}

if (require.main === module) {
  const dir = path.resolve(process.env.SPOOL_DIR || DEFAULTS.spoolDir);
  const dryRun = process.argv.includes("--dry-run-events");
  (dryRun ? requeueDryRunEvents(dir) : requeueDeadLetters(dir)).then(
    (n) =>
      console.log(
        dryRun
          ? `moved ${n} dry-run event(s) from ${path.join(dir, DRY_RUN_DIR)} into the spool; the next start with FLASHDUTY_PUSH_URL sends them`
          : `requeued ${n} dead letter(s) from ${path.join(dir, "dead")} into the spool`,
      ),
    (err: unknown) => {
      console.error(`requeue failed: ${(err as Error).message}`);
      process.exit(1);
    },
  );
}

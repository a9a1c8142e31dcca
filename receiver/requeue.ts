// `npm run receiver:requeue`: moves dead letters back into the spool so the next start sends them
// again (after the cause — e.g. a missing route in Flashduty — is fixed). Run it while the receiver
// is stopped: the spool has one writer. Each file is removed only after its record is on disk.
import { promises as fs } from "node:fs";
import path from "node:path";
import { DEFAULTS } from "./config";
import { Spool } from "./spool";
import type { SpoolRecord } from "./spool";

export async function requeueDeadLetters(spoolDir: string): Promise<number> {
  const { spool } = await Spool.open(spoolDir);
  let count = 0;
  try {
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
  } finally {
    await spool.close();
  }
  return count;
}

if (require.main === module) {
  const dir = path.resolve(process.env.SPOOL_DIR || DEFAULTS.spoolDir);
  requeueDeadLetters(dir).then(
    (n) =>
      console.log(`requeued ${n} dead letter(s) from ${path.join(dir, "dead")} into the spool`),
    (err: unknown) => {
      console.error(`requeue failed: ${(err as Error).message}`);
      process.exit(1);
    },
  );
}

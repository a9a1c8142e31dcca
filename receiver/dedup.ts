// Bounded memory of delivery ids already accepted (Volcengine's x-volc-trace-id is the same across
// its retries). Kept as an LRU in memory and an append-only file in the spool directory, so it
// survives restarts; the file is rewritten with only the newest `capacity` ids when it doubles.
import { promises as fs } from "node:fs";

export class DedupIndex {
  private readonly seen = new Map<string, true>();
  private linesInFile = 0;
  private writeChain: Promise<void> = Promise.resolve();

  private constructor(
    private readonly file: string,
    private readonly capacity: number,
  ) {}

  static async open(
    file: string,
    capacity: number,
    extraIds: Iterable<string>,
  ): Promise<DedupIndex> {
    const index = new DedupIndex(file, capacity);
    let content = "";
    try {
      content = await fs.readFile(file, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
    for (const line of content.split("\n")) if (line) index.remember(line);
    for (const id of extraIds) index.remember(id);
    await index.compact();
    return index;
  }

  get size(): number {
    return this.seen.size;
  }

  has(id: string): boolean {
    return this.seen.has(id);
  }

  /** Records an id (after its event is durably spooled). The file append is not fsynced: the ids
   * of pending events are also in the spool records, which are. */
  add(id: string): void {
    this.remember(id);
    const line = `${id.replace(/\n/g, " ")}\n`;
    this.writeChain = this.writeChain
      .then(async () => {
        await fs.appendFile(this.file, line);
        this.linesInFile++;
        if (this.linesInFile > 2 * this.capacity) await this.compact();
      })
      .catch(() => undefined); // best effort; the spool keeps pending ids
  }

  async flush(): Promise<void> {
    await this.writeChain;
  }

  private remember(id: string): void {
    this.seen.delete(id);
    this.seen.set(id, true);
    if (this.seen.size > this.capacity) {
      const oldest = this.seen.keys().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
  }

  private async compact(): Promise<void> {
    const tmp = `${this.file}.tmp`;
    await fs.writeFile(tmp, [...this.seen.keys()].map((id) => `${id}\n`).join(""));
    await fs.rename(tmp, this.file);
    this.linesInFile = this.seen.size;
  }
}

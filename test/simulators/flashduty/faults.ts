// Fault injection: the next `count` requests (whose path starts with `pathPrefix`, and whose body
// contains `bodyIncludes`, when given) answer with the fault instead of being handled.

import { ERROR_STATUS } from "./errors";
import { Fault } from "./types";

interface PendingFault {
  fault: Fault;
  remaining: number;
  pathPrefix?: string;
  bodyIncludes?: string;
}

export class FaultQueue {
  private pending: PendingFault[] = [];

  add(fault: Fault, count: number, pathPrefix?: string, bodyIncludes?: string): void {
    if (!Number.isInteger(count) || count < 1)
      throw new Error(`inject: count must be a positive integer, got ${count}`);
    if (
      fault.kind === "5xx" &&
      fault.status !== undefined &&
      (fault.status < 500 || fault.status > 599)
    ) {
      throw new Error(`inject: a 5xx fault needs a status in 500..599, got ${fault.status}`);
    }
    if (fault.kind === "error" && !(fault.code in ERROR_STATUS)) {
      throw new Error(`inject: unknown error code ${String(fault.code)}`);
    }
    if (
      fault.kind === "error" &&
      fault.status !== undefined &&
      (fault.status < 200 || fault.status > 599)
    ) {
      throw new Error(`inject: an error fault needs a status in 200..599, got ${fault.status}`);
    }
    if (bodyIncludes === "") throw new Error("inject: bodyIncludes must not be empty");
    this.pending.push({ fault: { ...fault }, remaining: count, pathPrefix, bodyIncludes });
  }

  /** The fault for a request to `path`, consuming one use; the oldest matching injection wins. */
  take(path: string, bodyText = ""): Fault | undefined {
    const entry = this.pending.find(
      (p) =>
        (p.pathPrefix === undefined || path.startsWith(p.pathPrefix)) &&
        (p.bodyIncludes === undefined || bodyText.includes(p.bodyIncludes)),
    );
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining === 0) this.pending = this.pending.filter((p) => p !== entry);
    return entry.fault;
  }

  clear(): void {
    this.pending = [];
  }
}

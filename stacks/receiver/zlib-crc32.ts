// zlib.crc32 arrived in Node 20.15; Function Compute's custom.debian10 ships Node 20.10.0, and the
// receiver's spool checksums its lines with zlib.crc32. Installed only where it is missing, with
// the same contract: CRC-32 (IEEE, as zlib) of a string (UTF-8) or bytes, optionally continuing
// from a previous value, as an unsigned 32-bit number.
import crc32 from "buffer-crc32";
// The default import is the module object itself (a namespace import would be a copy).
import zlib from "node:zlib";

export type Crc32 = (data: string | Uint8Array, value?: number) => number;

export const crc32Polyfill: Crc32 = (data, value = 0) =>
  crc32.unsigned(
    typeof data === "string" ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength),
    value,
  );

/** Adds zlib.crc32 when the running Node lacks it; returns whether it did. */
export function installCrc32Polyfill(target: object = zlib): boolean {
  const z = target as { crc32?: Crc32 };
  if (typeof z.crc32 === "function") return false;
  z.crc32 = crc32Polyfill;
  return true;
}

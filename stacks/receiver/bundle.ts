// Builds the code package for Function Compute at program time: esbuild bundles stacks/receiver/
// entry.ts (the receiver's main plus a polyfill) for Node 20 into one file, zipped in memory. Both
// steps are deterministic (fixed zip timestamp), so an unchanged receiver means no diff.
import { createHash } from "node:crypto";
import * as path from "node:path";
import { buildSync } from "esbuild";
import { zipSync } from "fflate";

export const BUNDLE_FILE = "receiver.js";
const ENTRY = path.join(__dirname, "entry.ts");
const REPO_ROOT = path.join(__dirname, "..", "..");

export interface ReceiverBundle {
  /** The bundled receiver (CommonJS, Node 20). */
  readonly js: Buffer;
  /** A zip holding `receiver.js` at its root. */
  readonly zip: Buffer;
  readonly zipBase64: string;
  /** SHA-256 (hex) of `js`. */
  readonly sha256: string;
}

export class BundleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BundleError";
  }
}

export function buildReceiverBundle(): ReceiverBundle {
  let result: ReturnType<typeof buildSync>;
  try {
    result = buildSync({
      entryPoints: [ENTRY],
      absWorkingDir: REPO_ROOT,
      bundle: true,
      platform: "node",
      target: "node20.10", // FC custom.debian10's Node
      format: "cjs",
      minify: true,
      keepNames: true, // readable error names in logs
      legalComments: "none",
      outfile: BUNDLE_FILE,
      write: false,
      logLevel: "silent",
    });
  } catch (err) {
    const failure = err as { errors?: Array<{ text: string; location?: { file: string } | null }> };
    const details = (failure.errors ?? [])
      .map((e) => `${e.location?.file ?? "?"}: ${e.text}`)
      .join("; ");
    throw new BundleError(
      `bundling the receiver with esbuild failed: ${details || (err as Error).message}; run \`npm ci\` at the repository root and retry`,
    );
  }
  const out = result.outputFiles?.find((f) => f.path.endsWith(BUNDLE_FILE));
  if (!out || out.contents.length === 0)
    throw new BundleError("bundling the receiver with esbuild produced no output");
  const js = Buffer.from(out.contents);
  // Local-time fields: the zip's DOS timestamp comes out the same in every time zone.
  const mtime = new Date(2000, 0, 1, 0, 0, 0);
  const zip = Buffer.from(zipSync({ [BUNDLE_FILE]: [js, { level: 9, mtime }] }));
  return {
    js,
    zip,
    zipBase64: zip.toString("base64"),
    sha256: createHash("sha256").update(js).digest("hex"),
  };
}

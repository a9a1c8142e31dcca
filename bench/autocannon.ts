// Minimal typing for the autocannon API the benches use (the package ships no types).
export interface CannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number; max: number };
  "2xx": number;
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
}

export interface CannonOptions {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  connections?: number;
  duration?: number;
  amount?: number;
  overallRate?: number;
  pipelining?: number;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require("autocannon") as (
  opts: CannonOptions,
  cb: (err: Error | null, res: CannonResult) => void,
) => unknown;

export function cannon(opts: CannonOptions): Promise<CannonResult> {
  return new Promise((resolve, reject) =>
    autocannon(opts, (err, res) => (err ? reject(err) : resolve(res))),
  );
}

// Runs the real Pulumi CLI (from .tools/bin, built by `npm run tools:pulumi`) for the end-to-end
// tests: an isolated project directory, PULUMI_HOME and file backend in a temp dir, passphrase
// secrets, no update checks and no plugin downloads. Commands run asynchronously, because the
// simulators they talk to live in this same process and must keep answering.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import YAML from "yaml";

export const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");
export const TOOLS_BIN = path.join(REPO_ROOT, ".tools", "bin");

/** What the project directory links to in the repo: the program and what it needs to run. */
const PROJECT_LINKS = [
  "index.ts",
  "program",
  "components",
  "package.json",
  "tsconfig.json",
  "node_modules",
];

export interface CommandResult {
  args: string[];
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export class PulumiCommandError extends Error {
  constructor(
    readonly result: CommandResult,
    redact: (text: string) => string,
  ) {
    super(
      redact(
        `\`pulumi ${result.args.join(" ")}\` exited with ${String(result.code)} after ` +
          `${(result.ms / 1000).toFixed(1)}s\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`,
      ),
    );
    this.name = "PulumiCommandError";
  }
}

/** Fails with the fix when the offline CLI has not been put into .tools/bin. */
export function requirePulumiTools(): void {
  const missing = ["pulumi", "pulumi-language-nodejs", "pulumi-resource-pulumi-nodejs"].filter(
    (f) => !fs.existsSync(path.join(TOOLS_BIN, f)),
  );
  if (missing.length > 0) {
    throw new Error(
      `The Pulumi CLI is missing from ${TOOLS_BIN} (${missing.join(", ")}): ` +
        "run `npm run tools:pulumi` first (see README, 'Pulumi CLI for offline CI').",
    );
  }
}

/**
 * A throwaway Pulumi workspace: `<tmp>/project` holds a copy of Pulumi.yaml and symlinks to the
 * program in the repo, so the stack's config file (`Pulumi.<stack>.yaml`, which `stack init`
 * writes with the passphrase salt and which has no `--config-file` option) lands in the temp
 * dir, never in the repo's `stacks/`.
 */
export class PulumiWorkspace {
  readonly root: string;
  readonly projectDir: string;
  readonly backendDir: string;
  readonly env: NodeJS.ProcessEnv;
  private readonly secrets = new Set<string>();
  private commandCount = 0;

  constructor(
    readonly stack: string,
    extraEnv: Record<string, string> = {},
  ) {
    requirePulumiTools();
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), "flashduty-e2e-"));
    this.projectDir = path.join(this.root, "project");
    this.backendDir = path.join(this.root, "backend");
    fs.mkdirSync(this.projectDir);
    fs.mkdirSync(this.backendDir);
    fs.mkdirSync(path.join(this.projectDir, "stacks"));
    fs.copyFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), path.join(this.projectDir, "Pulumi.yaml"));
    for (const entry of PROJECT_LINKS) {
      fs.symlinkSync(path.join(REPO_ROOT, entry), path.join(this.projectDir, entry));
    }
    const env: NodeJS.ProcessEnv = { ...process.env };
    // Credentials must come from the stack config only: drop the providers' env fallbacks.
    for (const key of Object.keys(env)) {
      if (/^(FLASHDUTY_|VOLCENGINE_|ALICLOUD_|ALIBABA_CLOUD_|PULUMI_)/.test(key)) delete env[key];
    }
    this.env = {
      ...env,
      PATH: [TOOLS_BIN, process.env.PATH ?? ""].join(path.delimiter),
      PULUMI_HOME: path.join(this.root, "pulumi-home"),
      PULUMI_BACKEND_URL: `file://${this.backendDir}`,
      PULUMI_CONFIG_PASSPHRASE: "flashduty-e2e-passphrase",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      // The program is type-checked by `tsc --noEmit` in CI; the engine only needs to run it.
      PULUMI_NODEJS_TRANSPILE_ONLY: "true",
      NO_COLOR: "1",
      ...extraEnv,
    };
  }

  get configFile(): string {
    return path.join(this.projectDir, "stacks", `Pulumi.${this.stack}.yaml`);
  }

  /** Values to mask in every error this workspace reports. */
  addSecret(...values: string[]): void {
    for (const v of values) if (v) this.secrets.add(v);
  }

  redact(text: string): string {
    let out = text;
    for (const s of [...this.secrets].sort((a, b) => b.length - a.length)) {
      for (const form of new Set([s, encodeURIComponent(s)]))
        out = out.split(form).join("[secret]");
    }
    return out;
  }

  /** Runs `pulumi <args>`; resolves with the result whatever the exit code. */
  run(args: string[], options: { stdin?: string } = {}): Promise<CommandResult> {
    const full = [...args, "--non-interactive", "--color", "never"];
    const started = Date.now();
    return new Promise((resolve, reject) => {
      const child = spawn(path.join(TOOLS_BIN, "pulumi"), full, {
        cwd: this.projectDir,
        env: this.env,
        stdio: ["pipe", "pipe", "pipe"],
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on("data", (d: Buffer) => out.push(d));
      child.stderr.on("data", (d: Buffer) => err.push(d));
      child.on("error", reject);
      child.on("close", (code) => {
        const result: CommandResult = {
          args: full,
          code,
          stdout: Buffer.concat(out).toString("utf8"),
          stderr: Buffer.concat(err).toString("utf8"),
          ms: Date.now() - started,
        };
        this.log(result);
        resolve(result);
      });
      child.stdin.end(options.stdin ?? "");
    });
  }

  /** Keeps every command's output (secrets masked) in <root>/logs, for E2E_KEEP=1 debugging. */
  private log(result: CommandResult): void {
    const dir = path.join(this.root, "logs");
    fs.mkdirSync(dir, { recursive: true });
    const n = String(++this.commandCount).padStart(2, "0");
    const name = result.args
      .filter((a) => /^[a-z]+$/.test(a))
      .slice(0, 2)
      .join("-");
    fs.writeFileSync(
      path.join(dir, `${n}-${name}.log`),
      this.redact(
        `$ pulumi ${result.args.join(" ")}\n# exit ${String(result.code)}, ${result.ms} ms\n` +
          `--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}\n`,
      ),
    );
  }

  /** Runs `pulumi <args>` and throws (engine output included, secrets masked) unless it exits 0. */
  async ok(args: string[], options: { stdin?: string } = {}): Promise<CommandResult> {
    const result = await this.run(args, options);
    if (result.code !== 0) throw new PulumiCommandError(result, (t) => this.redact(t));
    return result;
  }

  /** Sets a config value (secret or plain) of the stack, through the CLI so secrets are encrypted. */
  async setConfig(key: string, value: string, secret = false): Promise<void> {
    if (secret) this.addSecret(value);
    // The value goes through stdin so that it is not in the process list.
    await this.ok(["config", "set", key, ...(secret ? ["--secret"] : ["--plaintext"])], {
      stdin: value,
    });
  }

  cleanup(): void {
    if (process.env.E2E_KEEP === "1") {
      process.stderr.write(`e2e: kept ${this.root}\n`);
      return;
    }
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

/** Writes a stack's plain (non-secret) config next to the secrets the CLI encrypted. */
export function writePlainConfig(ws: PulumiWorkspace, values: Record<string, unknown>): void {
  const doc = YAML.parse(fs.readFileSync(ws.configFile, "utf8")) as {
    config?: Record<string, unknown>;
  };
  const secretsOnly = Object.fromEntries(
    Object.entries(doc.config ?? {}).filter(
      ([, v]) => typeof v === "object" && v !== null && "secure" in v,
    ),
  );
  doc.config = { ...secretsOnly, ...values };
  fs.writeFileSync(ws.configFile, YAML.stringify(doc));
}

/**
 * Runs one named e2e step, printing its time; a failure names the step, with the workspace's
 * secrets redacted from the message.
 */
export async function e2eStep(
  name: string,
  ws: PulumiWorkspace | undefined,
  body: () => Promise<void>,
): Promise<void> {
  const started = Date.now();
  let ok = false;
  try {
    await body();
    ok = true;
  } catch (err) {
    const original = err instanceof Error ? err : new Error(String(err));
    const failure = new Error(`[step: ${name}] ${ws ? ws.redact(original.message) : "?"}`);
    failure.stack = failure.message;
    throw failure;
  } finally {
    process.stdout.write(
      `      e2e step "${name}": ${((Date.now() - started) / 1000).toFixed(1)}s${ok ? "" : " (FAILED)"}\n`,
    );
  }
}

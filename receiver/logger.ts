// Minimal structured logger (JSON lines). Every line passes through `redact` with the receiver's
// secrets (token, push URL, integration key) as a last line of defence: callers never log them.
import { redact } from "../components/common/retry";

export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogSink = (line: string, level: LogLevel) => void;

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export const defaultSink: LogSink = (line, level) => {
  (level === "error" || level === "warn" ? process.stderr : process.stdout).write(`${line}\n`);
};

export function createLogger(options: {
  sink?: LogSink;
  level?: LogLevel;
  secrets: ReadonlyArray<string | undefined>;
}): Logger {
  const sink = options.sink ?? defaultSink;
  const min = ORDER[options.level ?? "info"];
  const secrets = [...options.secrets];
  const log =
    (level: LogLevel) =>
    (msg: string, fields: Record<string, unknown> = {}): void => {
      if (ORDER[level] < min) return;
      let line: string;
      try {
        line = JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields });
      } catch {
        line = JSON.stringify({ time: new Date().toISOString(), level, msg });
      }
      sink(redact(line, secrets), level);
    };
  return { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };
}

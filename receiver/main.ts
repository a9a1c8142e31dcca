// `npm start`: runs the receiver from environment variables (docs/receiver.md).
import { ConfigError, createReceiver, optionsFromEnv } from "./index";

async function main(): Promise<void> {
  const receiver = await createReceiver(optionsFromEnv(process.env));
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(
      `${JSON.stringify({ time: new Date().toISOString(), level: "info", msg: `${signal}: shutting down` })}\n`,
    );
    receiver.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`receiver: configuration error: ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`receiver: failed to start: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});

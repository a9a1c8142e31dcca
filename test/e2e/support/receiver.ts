// Starts the bundled receiver (receiver/, library entry `createReceiver`) in this process.
import { createReceiver, Receiver } from "../../../receiver";

export type RunningReceiver = Receiver;

export interface StartReceiverOptions {
  port: number;
  token: string;
  /** The Flashduty standard-alert push URL it forwards to (the stack's `receiverPushUrl`). */
  pushUrl: string;
  spoolDir: string;
}

export function startReceiver(options: StartReceiverOptions): Promise<RunningReceiver> {
  return createReceiver({
    host: "127.0.0.1",
    port: options.port,
    token: options.token,
    pushUrl: options.pushUrl,
    spoolDir: options.spoolDir,
    logLevel: "warn",
    defaultMetrics: false,
  });
}

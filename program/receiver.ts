// Where the clouds reach the bundled receiver: a URL and token from this stack's config, or the
// outputs of the receiver stack (stacks/receiver) through a StackReference.
import * as pulumi from "@pulumi/pulumi";
import { PROJECT, WiringConfig } from "./config";
import { ReceiverEndpoint } from "./wiring";

/** Output names the receiver stack exports (see stacks/receiver/index.ts). */
export const RECEIVER_STACK_OUTPUTS = { url: "receiverUrl", token: "receiverToken" } as const;

export function receiverEndpoint(cfg: WiringConfig): ReceiverEndpoint {
  const r = cfg.receiver;
  if (r?.url !== undefined) {
    // loadWiringConfig has already checked that the token exists and is stored as a secret.
    return { baseUrl: r.url, token: new pulumi.Config(PROJECT).requireSecret("receiverToken") };
  }
  if (r?.stack !== undefined) {
    const ref = new pulumi.StackReference("receiver", { name: r.stack });
    return {
      baseUrl: ref.requireOutput(RECEIVER_STACK_OUTPUTS.url).apply(String),
      token: pulumi.secret(ref.requireOutput(RECEIVER_STACK_OUTPUTS.token).apply(String)),
    };
  }
  throw new Error(`${PROJECT}:receiver: not configured; set receiver.url or receiver.stack`);
}

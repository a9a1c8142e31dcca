// flashduty-receiver: deploys the bundled receiver to Alibaba Cloud Function Compute 3.0
// (docs/receiver.md, "Deploying"). Outputs receiverUrl and receiverToken for the wiring stack.
import { loadReceiverStackConfig } from "./config";
import { deployReceiver } from "./deploy";

export = deployReceiver(loadReceiverStackConfig()).outputs;

// The wiring program: one stack per environment (stacks/Pulumi.<env>.yaml).
import * as pulumi from "@pulumi/pulumi";
import { loadWiringConfig } from "./program/config";
import { receiverEndpoint } from "./program/receiver";
import { buildWiring, wiringOutputs } from "./program/wiring";

const config = loadWiringConfig();
const wiring = buildWiring({
  config,
  stack: pulumi.getStack(),
  receiver: () => receiverEndpoint(config),
});

export = wiringOutputs(wiring);

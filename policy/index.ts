// Entry point of the policy pack: `pulumi preview --policy-pack policy`.
// `new PolicyPack` starts the analyzer server immediately; the policies live in ./policies.
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("flashduty-wiring", { policies });

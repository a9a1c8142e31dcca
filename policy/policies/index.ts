// The policies of the flashduty-wiring pack, exported apart from `new PolicyPack(...)` (which
// starts serving at once) so tests can call each validator directly.
import { Policies } from "@pulumi/policy";
import { aliyunPolicyPushesToStackChannel } from "./aliyunPolicyPushesToStackChannel";
import { aliyunRuleHasWebhookTarget } from "./aliyunRuleHasWebhookTarget";
import { dynamicSecretOutputsDeclared } from "./dynamicSecretOutputsDeclared";
import { namesCarryEnvironment } from "./namesCarryEnvironment";
import { sensitiveInputsAreSecret } from "./sensitiveInputsAreSecret";
import { sharedIntegrationHasRoute } from "./sharedIntegrationHasRoute";
import { volcengineRuleUsesStackCallback } from "./volcengineRuleUsesStackCallback";

export {
  aliyunPolicyPushesToStackChannel,
  aliyunRuleHasWebhookTarget,
  dynamicSecretOutputsDeclared,
  namesCarryEnvironment,
  sensitiveInputsAreSecret,
  sharedIntegrationHasRoute,
  volcengineRuleUsesStackCallback,
};

export const policies: Policies = [
  sharedIntegrationHasRoute,
  sensitiveInputsAreSecret,
  dynamicSecretOutputsDeclared,
  volcengineRuleUsesStackCallback,
  aliyunRuleHasWebhookTarget,
  aliyunPolicyPushesToStackChannel,
  namesCarryEnvironment,
];

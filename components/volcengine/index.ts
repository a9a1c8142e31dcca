// Public API of the Volcengine Cloud Monitor wiring.
export { VolcengineEventPush, validateVolcengineEventPushArgs } from "./volcengineEventPush";
export type { VolcengineEventPushArgs, VolcengineEventRuleArgs } from "./volcengineEventPush";
export { CallbackUrl, CallbackUrlProvider, CALLBACK_TYPE } from "./callbackUrl";
export type { CallbackUrlArgs, CallbackUrlInputs, CallbackUrlOutputs } from "./callbackUrl";
export { EventRule, EventRuleProvider } from "./eventRule";
export type { EventRuleArgs, EventRuleInputs, EventRuleOutputs, EffectiveTime } from "./eventRule";
export {
  VolcengineApiError,
  VolcengineConfigError,
  VolcengineNetworkError,
  resolveSettings,
  DEFAULT_ENDPOINT,
  DEFAULT_SERVICE,
  API_VERSION,
} from "./client";
export type { VolcengineSettings, PartialVolcengineSettings } from "./client";
export { LEVELS, DEFAULT_CALLBACK_NAME } from "./validation";
export type { Level } from "./validation";

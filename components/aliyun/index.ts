// Public API of the Alibaba Cloud CloudMonitor part: the component, its argument types, the
// provider factory and the validation error types.
export {
  AliyunEventPush,
  AliyunEventPushArgs,
  EventSubscriptionPolicy,
  MetricAlarmEscalation,
  MetricAlarmRule,
  validateAliyunEventPushArgs,
} from "./eventPush";
export {
  AliyunCredentialSources,
  AliyunProviderConfigError,
  createAliyunProvider,
} from "./provider";
export {
  AliyunEventPushValidationError,
  COMPARISON_OPERATORS,
  ComparisonOperator,
  EVENT_LEVELS,
  EVENT_TYPES,
  EventLevel,
  EventType,
  MAX_WEBHOOKS_PER_RULE,
} from "./validation";
export {
  FC_NODE,
  FC_RUNTIME,
  RECEIVER_PORT,
  ReceiverFunction,
  ReceiverFunctionArgs,
} from "./receiverFunction";

// Public API of the Alibaba Cloud CloudMonitor part: the components (CMS 2.0 event subscription,
// and the older event-rule + alarm path), their argument types, the provider factory and the
// validation error types.
export {
  AliyunEventPush,
  AliyunEventPushArgs,
  EventSubscriptionPolicy,
  MetricAlarmEscalation,
  MetricAlarmRule,
  validateAliyunEventPushArgs,
} from "./eventPush";
export {
  AliyunEventSubscription,
  AliyunEventSubscriptionArgs,
  AliyunEventSubscriptionValidationError,
  EVENT_SOURCES,
  EventSource,
  NOTIFY_LEVELS,
  NotifyLevel,
  NotifyPolicy,
  SYSTEM_EVENT_SOURCE,
  validateAliyunEventSubscriptionArgs,
} from "./eventSubscription";
export { AlertAction, AlertActionArgs, alertActionProvider } from "./alertAction";
export { CmsApiError, CmsConfigError } from "./cmsClient";
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

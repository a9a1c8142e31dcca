// Public API of the Flashduty part: the API client, the dynamic resources and the component.
export { FlashdutyClient, maskAppKeyParams } from "./client";
export type { FlashdutyClientOptions } from "./client";
export { DEFAULT_BASE_URL, resolveSettings, settingsFromConfig } from "./config";
export type { FlashdutySettings } from "./config";
export { CLIENT_ERROR_CODES, FlashdutyApiError, isFlashdutyApiError, isNotFound } from "./errors";
export {
  INTEGRATION_KINDS,
  Integration,
  KIND_DISPLAY_NAMES,
  buildPushUrl,
  defaultPushPath,
  integrationProvider,
  makeIntegrationProvider,
  resolvePluginType,
} from "./integration";
export type { IntegrationArgs, IntegrationKind } from "./integration";
export { ROUTE_OPERATORS, ROUTING_MODES, Route, makeRouteProvider, routeProvider } from "./route";
export type { RouteArgs, RouteCaseArgs, RouteConditionArgs, RouteDefaultArgs } from "./route";
export {
  AUTO_RESOLVE_MODES,
  Channel,
  ChannelArgs,
  channelProvider,
  makeChannelProvider,
} from "./channel";
export { FlashdutyIntegration, validateFlashdutyIntegrationArgs } from "./flashdutyIntegration";
export type { FlashdutyIntegrationArgs, FlashdutyIntegrationStyle } from "./flashdutyIntegration";
export { UNKNOWN } from "../common/unknown";
export type { ProviderOptions } from "./support";

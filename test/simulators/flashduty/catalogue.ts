// The integration type catalogue served by /integration/type/list.
//
// `standard.alert` is documented (flashduty-api.md §3.4). The real `plugin_type` strings of the
// Alibaba Cloud / Volcengine CloudMonitor types are NOT documented, so the simulator uses ids that are
// obviously its own (prefix `simonly-`): code must discover them by `plugin_type_name`, never hard-code
// them. Push slugs are the part of `plugin_type` before the first "." (the reference's [inference]).

export interface IntegrationType {
  plugin_type: string;
  /** Internal numeric id the API also reports (`plugin_id`); simulator values. */
  plugin_id: number;
  name: { en: string; zh: string };
  category: "event.alert" | "event.change";
  supports_api_create: boolean;
  /** Push path after /event/push/alert/ when it is not the `plugin_type` before the first ".". */
  push_path?: string;
}

export const INTEGRATION_TYPES: readonly IntegrationType[] = [
  {
    plugin_type: "standard.alert",
    plugin_id: 1001,
    name: { en: "Standard Alert", zh: "标准告警" },
    category: "event.alert",
    supports_api_create: true,
  },
  {
    plugin_type: "simonly-aliyun-cm-event.alert",
    plugin_id: 9001,
    name: { en: "Alibaba Cloud CM Event", zh: "阿里云 CM 事件" },
    category: "event.alert",
    supports_api_create: true,
  },
  {
    plugin_type: "simonly-aliyun-cm-metrics.alert",
    plugin_id: 9002,
    name: { en: "Alibaba Cloud CM Metrics", zh: "阿里云 CM 指标" },
    category: "event.alert",
    supports_api_create: true,
  },
  {
    plugin_type: "simonly-volcengine-cm-event.alert",
    plugin_id: 9003,
    name: { en: "Volcengine CM Event", zh: "火山引擎CM 事件" },
    category: "event.alert",
    supports_api_create: true,
  },
  {
    plugin_type: "simonly-volcengine-cm-metrics.alert",
    plugin_id: 9004,
    name: { en: "Volcengine CM Metrics", zh: "火山引擎CM 指标" },
    category: "event.alert",
    supports_api_create: true,
  },
  {
    // A type that exists but cannot be created through the API (console only).
    plugin_type: "simonly-console-only.alert",
    plugin_id: 9005,
    name: { en: "Console Only (simulator)", zh: "仅控制台（模拟器）" },
    category: "event.alert",
    supports_api_create: false,
  },
  {
    // A documented two-segment push path: /event/push/alert/aws/cloudwatch (Flashduty knowledge base,
    // "Customizing Incidents"); its plugin_type is not documented, hence the simulator's own id.
    plugin_type: "simonly-aws-cloudwatch.alert",
    plugin_id: 9006,
    name: { en: "AWS CloudWatch", zh: "AWS CloudWatch" },
    category: "event.alert",
    supports_api_create: true,
    push_path: "aws/cloudwatch",
  },
  {
    // Documented type id (GOFD examples); a second category for the `category` filter.
    plugin_type: "jira.change",
    plugin_id: 1002,
    name: { en: "Jira", zh: "Jira" },
    category: "event.change",
    supports_api_create: true,
  },
];

export function findType(pluginType: string): IntegrationType | undefined {
  return INTEGRATION_TYPES.find((t) => t.plugin_type === pluginType);
}

/**
 * Push path of a type (what follows /event/push/alert/): its documented `push_path`, else the part of
 * `plugin_type` before the first "." (the reference's [inference]). May have several segments.
 */
export function pushSlug(pluginType: string): string {
  return findType(pluginType)?.push_path ?? pluginType.split(".")[0];
}

export function typeName(type: IntegrationType, locale: "en" | "zh"): string {
  return type.name[locale];
}

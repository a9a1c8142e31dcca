// Realistic callback bodies. Where aliyun-cms.md / volcengine-cloudmonitor.md give a sample it is
// used verbatim (noted per constant); the rest follow the documented field tables.

/** aliyun-cms.md §3.1 "Doc sample", verbatim (form-encoded threshold callback, seconds timestamp). */
export const ALIYUN_THRESHOLD_DOC_SAMPLE =
  "expression=$Average>=95&metricName=Host.mem.usedutilization&instanceName=instance-name-****&signature=eEq1zHuCUp0XSmLD8p8VtTKF****&metricProject=acs_ecs&userId=12****&curValue=97.39&alertName=Basic monitoring-ECS-memory usage&namespace=acs_ecs&triggerLevel=WARN&alertState=ALERT&preTriggerLevel=WARN&ruleId=applyTemplateee147e59-...&dimensions={userId=12****), instanceId=i-12****}&timestamp=1508136760";

/** The newer threshold body (§3.1: ms timestamps, lastTime, regionId, …); firing at INFO. */
export const ALIYUN_THRESHOLD_NEW_FIRING = new URLSearchParams({
  alertName: "cpu_total_high",
  alertState: "ALERT",
  curValue: "91.2",
  dimensions: "{userId=1270676679546704, instanceId=i-bp1a2b3c4d5e6f}",
  expression: "$Average>80",
  instanceName: "web-01",
  metricName: "cpu_total",
  metricProject: "acs_ecs_dashboard",
  namespace: "acs_ecs_dashboard",
  preTriggerLevel: "null",
  triggerLevel: "INFO",
  ruleId: "rule-0b8c9d",
  timestamp: "1685646149981",
  userId: "1270676679546704",
  lastTime: "0分钟",
  rawMetricName: "cpu_total",
  unit: "%",
  transId: "1f2e3d4c-trans",
  groupId: "239874",
  productGroupName: "web",
  regionId: "cn-hangzhou",
  regionName: "华东1（杭州）",
  signature: "DxpsDBGaSPrVmSqA3j7xdQ3IVyo=",
}).toString();

/** The same rule and instance recovering (§3.1 "Recovery example": level OK, previous INFO). */
export const ALIYUN_THRESHOLD_NEW_RECOVERY = (() => {
  const p = new URLSearchParams(ALIYUN_THRESHOLD_NEW_FIRING);
  p.set("alertState", "OK");
  p.set("triggerLevel", "OK");
  p.set("preTriggerLevel", "INFO");
  p.set("curValue", "35.0");
  p.set("timestamp", "1685646449981");
  p.set("lastTime", "5分钟");
  p.set("transId", "9a8b7c6d-trans");
  return p.toString();
})();

/** aliyun-cms.md §3.2 standard system-event body (ids completed; `...` in the reference). */
export const ALIYUN_SYSTEM_EVENT = {
  eventTime: "20181226T220114.058+0800",
  id: "9435EAD6-3CF6-4494-8F7A-3A4E3D3D1F4B",
  level: "INFO",
  name: "Instance:StateChange",
  product: "ECS",
  regionId: "cn-hangzhou",
  resourceId: "acs:ecs:cn-hangzhou:1690123456789012:instance/i-bp1ecr5go2go1l3c9cvk",
  userId: "1690123456789012",
  ver: "1.0",
  content: {
    resourceId: "i-bp1ecr5go2go1l3c9cvk",
    resourceType: "ALIYUN::ECS::Instance",
    state: "Stopping",
  },
};

/** The same event with `content` as a JSON string (§3.2 [inference]: some deliveries do this). */
export const ALIYUN_SYSTEM_EVENT_STRING_CONTENT = {
  ...ALIYUN_SYSTEM_EVENT,
  content: JSON.stringify(ALIYUN_SYSTEM_EVENT.content),
};

/** §3.3 event-subscription debug input shape, at level WARNING (Flashduty's CM Event vocabulary). */
export const ALIYUN_SUBSCRIPTION_EVENT = {
  product: "ECS",
  resourceId: "acs:ecs:cn-hangzhou:1690123456789012:instance/i-bp67acfmxazb4p****",
  level: "WARNING",
  instanceName: "instanceName",
  regionId: "cn-hangzhou",
  name: "Instance:SystemFailure.Reboot:Executing",
  content: {
    eventId: "e-t4navn7xxxx",
    eventType: "SystemFailure.Reboot",
    executeStartTime: "2026-11-23T04:00:00Z",
  },
  status: "Normal",
};

/** aliyun-cms.md §3.4 CMS 2.0 webhook body (apache/hertzbeat's test fixture), firing. */
export const ALIYUN_CMS2_FIRING = {
  specversion: "1.0",
  id: "alert-event-1",
  type: "ALERT",
  subtype: "NORMAL_TRIGGER",
  time: "2026-07-29T06:00:00Z",
  timestamp: 1785300000123,
  subject: "ECS CPU usage is high",
  severity: "WARNING",
  status: "OCCURRED",
  userId: "123456",
  ruleId: "rule-1",
  workspace: "default-cms-123456-cn-hangzhou",
  traceId: "trace-1",
  alertMessage: "CPU usage exceeded 80%",
  alertEntityId: "ecs:i-123",
  resource: {
    entity: {
      domain: "ecs",
      entity_type: "instance",
      entity_id: "i-123",
      prop: { instanceName: "api-server" },
    },
    tags: { regionId: "cn-hangzhou", environment: "production" },
  },
  labels: { _cms_region: "cn-hangzhou", customNumber: 7 },
  annotations: { current_value: "92.5" },
  data: { value: 92.5, threshold: 80, comparisonOperator: ">" },
  alertEntityFields: { privateIp: "10.0.0.1" },
  alertHistoryUrl: "https://cmsnext.console.aliyun.com/history",
  futureField: "ignored",
};

/** The same alert resolving (status RESOLVED, subtype NORMAL_RESOLVE). */
export const ALIYUN_CMS2_RESOLVED = {
  ...ALIYUN_CMS2_FIRING,
  id: "alert-event-2",
  subtype: "NORMAL_RESOLVE",
  status: "RESOLVED",
  time: "2026-07-29T06:10:00Z",
  timestamp: 1785300600123,
  traceId: "trace-2",
  alertMessage: "CPU usage back to 40%",
  data: { value: 40, threshold: 80, comparisonOperator: ">" },
};

/** volcengine-cloudmonitor.md §4.2: the documented sample's beginning verbatim, rest per the table. */
export const VOLC_EVENT = {
  Type: "Event",
  AccountId: "21*****53",
  Source: "ecs",
  ProjectName: "default",
  Id: "1658*****04000",
  EventType: "ecs:Disk:DiskError.Redeploy.Executing",
  DescriptionCN: "Disk error-redeploy instance: executing",
  HappenedAt: 1664332705,
  Region: "cn-guangzhou",
  Details: {
    specversion: "1.0",
    id: "1658*****04000",
    source: "ecs",
    type: "ecs:Disk:DiskError.Redeploy.Executing",
    volcpublishtime: "2022-09-28T02:38:25Z",
    volcregion: "cn-guangzhou",
    volcaccountid: "21*****53",
    volceventbusname: "default",
    volcresourcename: "i-3tlfnohu8gew2bpwhd3t",
    subject: "i-3tlfnohu8gew2bpwhd3t",
    time: "2022-09-28T02:38:25Z",
  },
  Rules: [
    { RuleId: "1730000000000000001", RuleName: "ecs-disk-events", Level: "notice" },
    { RuleId: "1730000000000000002", RuleName: "ecs-critical", Level: "Critical" },
  ],
};

const NAS_RESOURCE = {
  Id: "cnas-0123456789",
  Name: "nas-prod",
  Region: "cn-beijing",
  FirstAlertTime: 1712818261,
  LastAlertTime: 1712818261,
  AlertGroupId: "group-77",
  ProjectName: "default",
  Metrics: [
    {
      Name: "CapacityUtilization",
      Unit: "%",
      Threshold: "80",
      CurrentValue: "93.5",
      Description: "capacity utilization",
      Warning: false,
    },
  ],
  Dimensions: [
    { Name: "ResourceID", NameCN: "资源ID", Value: "cnas-0123456789", Description: "resource" },
  ],
};

/** volcengine-cloudmonitor.md §4.3 metric callback, firing, two resources. */
export const VOLC_METRIC_FIRING = {
  Type: "Metric",
  AccountId: "2100000001",
  RuleName: "nas-capacity",
  RuleId: "1780000000000000123",
  Namespace: "VCM_FileNAS",
  SubNamespace: "FileSystem",
  Level: "critical",
  HappenedAt: "2024-04-11 14:51:01(UTC+08:00)",
  RuleCondition: "CapacityUtilization > 80%",
  Resources: [
    NAS_RESOURCE,
    { ...NAS_RESOURCE, Id: "cnas-9876543210", Name: "nas-backup", Dimensions: [] },
  ],
  RecoveredResources: [],
  NoDataResources: [],
  NoDataRecoveredResources: [],
};

/** The first resource recovering. */
export const VOLC_METRIC_RECOVERED = {
  ...VOLC_METRIC_FIRING,
  Type: "MetricRecovered",
  HappenedAt: "2024-04-11 15:06:01(UTC+08:00)",
  Resources: [],
  RecoveredResources: [
    { ...NAS_RESOURCE, Metrics: [{ ...NAS_RESOURCE.Metrics[0], CurrentValue: "61.0" }] },
  ],
};

/** No data for the first resource, then data again. */
export const VOLC_METRIC_NODATA = {
  ...VOLC_METRIC_FIRING,
  Type: "MetricsNoData",
  Resources: [],
  NoDataResources: [{ ...NAS_RESOURCE, Metrics: [], NoDataMetrics: NAS_RESOURCE.Metrics }],
};
export const VOLC_METRIC_NODATA_RECOVERED = {
  ...VOLC_METRIC_FIRING,
  Type: "NoDataRecovered",
  Resources: [],
  NoDataRecoveredResources: [{ ...NAS_RESOURCE }],
};

/**
 * Alibaba Cloud's documented push-channel body (system event, request method POST, data format
 * JSON), verbatim: help page "Configure callbacks for system event-triggered alerts (recommended)",
 * sections Result and Return fields; the shared reference keeps the same sample in
 * payloads/aliyun-push-channel.system-event.json. The identifiers are Alibaba's placeholders.
 */
export const ALIYUN_PUSH_CHANNEL_TRIGGERED = {
  userInfo: {
    aliyunId: "test",
    userIdSec: "te***st",
    aliyunIdSec: "test***test",
    nickName: "test",
    nickNameSec: "te***st",
    userName: "test",
    userId: "test",
    userNameSec: "te***st",
  },
  subscription: {
    subscriptionUuid: "testid",
    conditions: [
      { field: "source", op: "EQ", value: "SYS_EVENT" },
      { field: "product", op: "IN", value: "ECS,Redis,RDS,Config,tag" },
    ],
    relation: "AND",
  },
  batchId: "testbatchid",
  alert: {
    alertStatus: "TRIGGERED",
    groupId: "",
    source: "SYS_EVENT",
    eventContentMap: {
      extensions: {
        agentVersion: "test-version",
        region: "cn-hangzhou",
        azone: "cn-hangzhou-i",
        uptime: 23000,
      },
      vmName: "i-testhost",
      impact: "Alert",
      opsCode: "InstanceStatusChange",
      bizEventId: "test-event-id",
    },
    dedupId: "test-id",
    eventName: "CloudAssistant:FirstHeartbeat",
    arn: "acs:ecs:cn-hangzhou:testuser:instance/i-testhost",
    timestamp: 1704780333000,
    traceId: "testid",
    severity: "INFO",
    product: "ECS",
    eventRawContent: "{}",
    eventType: "Notification",
    userId: "test",
    meta: {
      sysEventMeta: {
        regionNameEn: "cn-hangzhou",
        resourceId: "acs:ecs:cn-hangzhou:test:instance/i-testhost",
        product: "ECS",
        eventNameEn: "CloudAssistant:FirstHeartbeat",
        instanceName: "i-testhost",
        level: "INFO",
        resource: "",
        regionNameZh: "China (Hangzhou)",
        groupId: "",
        serviceTypeEn: "ECS",
        eventType: "Notification",
        serviceTypeZh: "Elastic Compute Service (ECS)",
        regionId: "cn-hangzhou",
        eventTime: "20240109T140533.642+0800",
        name: "CloudAssistant:FirstHeartbeat",
        id: "testid",
        status: "Normal",
        eventNameZh: "CloudAssistant:FirstHeartbeat",
      },
    },
  },
  severity: "INFO",
  strategyName: "eventwebhook",
  userId: "test",
  time: 1704780333000,
};

/**
 * The same event resolving, as a later delivery: `alertStatus` RESOLVED (the page's other value),
 * a new batch, dedup and trace id and later times, plus top-level fields the page says real pushes
 * carry beyond the sample (the parser must tolerate them). [inference] The page gives no RESOLVED
 * sample: this is the sample with only those fields changed.
 */
export const ALIYUN_PUSH_CHANNEL_RESOLVED = {
  ...ALIYUN_PUSH_CHANNEL_TRIGGERED,
  batchId: "testbatchid-2",
  alert: {
    ...ALIYUN_PUSH_CHANNEL_TRIGGERED.alert,
    alertStatus: "RESOLVED",
    dedupId: "test-id-2",
    traceId: "testid-2",
    timestamp: 1704780933000,
  },
  time: 1704780933000,
  relatedAlertIds: ["a-1"],
  groupingId: "g-1",
  project: "default",
  escalationLevel: 1,
  alertCount: 2,
  startTime: 1704780333000,
  autoResolveTime: 1704784533000,
};

/**
 * A push body in the FORM data format the page documents: the top-level fields are form fields,
 * and `userInfo`, `subscription` and `alert` are each a JSON string. Used as a POST body and as a
 * GET query string.
 */
export function aliyunPushChannelForm(body: Record<string, unknown>): string {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(body))
    form.set(name, typeof value === "string" ? value : JSON.stringify(value));
  return form.toString();
}

/** GET with data format JSON: the body object in the `data` query parameter. */
export function aliyunPushChannelGetJson(body: Record<string, unknown>): string {
  return new URLSearchParams({ data: JSON.stringify(body) }).toString();
}

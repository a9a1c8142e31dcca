// Type tokens of the resources this pack inspects. Dynamic resources get
// `pulumi-nodejs:dynamic/<module>:<Type>` from `dynamic.Resource`'s module/type arguments.

export const FLASHDUTY_INTEGRATION = "pulumi-nodejs:dynamic/flashduty:Integration";
export const FLASHDUTY_ROUTE = "pulumi-nodejs:dynamic/flashduty:Route";
export const FLASHDUTY_CHANNEL = "pulumi-nodejs:dynamic/flashduty:Channel";
export const FLASHDUTY_COMPONENT = "flashduty-wiring:flashduty:FlashdutyIntegration";

export const VOLCENGINE_CALLBACK_URL = "pulumi-nodejs:dynamic/volcengine:CallbackUrl";
export const VOLCENGINE_EVENT_RULE = "pulumi-nodejs:dynamic/volcengine:EventRule";
export const VOLCENGINE_COMPONENT = "flashduty-wiring:volcengine:VolcengineEventPush";

export const ALIYUN_EVENT_RULE = "alicloud:cms/eventRule:EventRule";
export const ALIYUN_ALARM = "alicloud:cms/alarm:Alarm";
export const ALIYUN_COMPONENT = "flashduty-wiring:aliyun:AliyunEventPush";

export const ALIYUN_ALERT_ACTION = "pulumi-nodejs:dynamic/aliyun:AlertAction";
export const ALIYUN_NOTIFY_POLICY = "alicloud:cms/eventNotifyPolicy:EventNotifyPolicy";
export const ALIYUN_SUBSCRIPTION_COMPONENT = "flashduty-wiring:aliyun:AliyunEventSubscription";

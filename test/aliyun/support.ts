// Mock harness for the Alibaba Cloud component tests: records every resource registration and
// echoes inputs back as state (so secret markers survive into outputs, as the engine would do).
import * as pulumi from "@pulumi/pulumi";

export interface RecordedResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  provider?: string;
  custom?: boolean;
}

/** The signature key and value of a serialized secret, as in @pulumi/pulumi's runtime/rpc. */
export const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export const recorded: RecordedResource[] = [];

/** Installs fresh mocks and clears the recording. Call before importing the code under test. */
export function installMocks(preview = false): void {
  recorded.length = 0;
  void pulumi.runtime.setMocks(
    {
      newResource(args: pulumi.runtime.MockResourceArgs) {
        recorded.push({
          type: args.type,
          name: args.name,
          inputs: args.inputs as Record<string, unknown>,
          provider: args.provider,
          custom: args.custom,
        });
        // Event rules are identified by their name (like the real provider); others get "<name>-id".
        const id =
          preview && args.type !== "pulumi:providers:alicloud"
            ? undefined
            : args.type === "alicloud:cms/eventRule:EventRule"
              ? String(args.inputs.ruleName)
              : `${args.name}-id`;
        return { id, state: args.inputs };
      },
      call(args: pulumi.runtime.MockCallArgs) {
        return args.inputs;
      },
    },
    "proj",
    "stack",
    preview,
  );
}

export function resolve<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((r) => output.apply(r));
}

export function byType(type: string): RecordedResource[] {
  return recorded.filter((r) => r.type === type);
}

export function isSecretMarked(value: unknown): boolean {
  return (
    value !== null &&
    typeof value === "object" &&
    (value as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG
  );
}

/** Strips secret markers recursively, for comparing the values underneath. */
export function unwrapSecrets(value: unknown): unknown {
  if (isSecretMarked(value)) return unwrapSecrets((value as { value: unknown }).value);
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)]));
  return value;
}

export const EVENT_RULE = "alicloud:cms/eventRule:EventRule";
export const ALARM = "alicloud:cms/alarm:Alarm";
export const NOTIFY_POLICY = "alicloud:cms/eventNotifyPolicy:EventNotifyPolicy";
export const ALERT_ACTION = "pulumi-nodejs:dynamic/aliyun:AlertAction";
export const SUBSCRIPTION_COMPONENT = "flashduty-wiring:aliyun:AliyunEventSubscription";
export const COMPONENT = "flashduty-wiring:aliyun:AliyunEventPush";
export const PROVIDER = "pulumi:providers:alicloud";
export const PUSH_URL =
  "https://api.flashcat.cloud/event/push/alert/aliyun?integration_key=evtkey0123456789abcdef";
export const METRICS_URL =
  "https://api.flashcat.cloud/event/push/alert/aliyun?integration_key=metkey0123456789abcdef";

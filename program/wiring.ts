// Composes the per-environment wiring from a validated stack configuration: Flashduty channels and
// integrations, then the clouds pointed at them (directly, or through the bundled receiver).
import * as pulumi from "@pulumi/pulumi";
import {
  AliyunEventPush,
  AliyunEventPushArgs,
  AliyunEventSubscription,
  AliyunEventSubscriptionArgs,
  createAliyunProvider,
  validateAliyunEventPushArgs,
  validateAliyunEventSubscriptionArgs,
} from "../components/aliyun";
import {
  Channel,
  FlashdutyIntegration,
  FlashdutyIntegrationArgs,
  RouteCaseArgs,
} from "../components/flashduty";
import {
  VolcengineEventPush,
  VolcengineEventPushArgs,
  validateVolcengineEventPushArgs,
} from "../components/volcengine";
import { problemsOf } from "../components/common/problems";
import {
  ConfigError,
  IntegrationKind,
  PROJECT,
  WiringConfig,
  aliyunMode,
  cloudsUseReceiver,
} from "./config";

type Routing = NonNullable<WiringConfig["flashduty"]["routing"]>;
type ChannelRef = number | string;

/** Display names of the integrations this program creates, per kind. */
const KIND_LABELS: Record<IntegrationKind, string> = {
  "standard-alert": "receiver",
  "aliyun-cm-event": "aliyun-cm-event",
  "aliyun-cm-metrics": "aliyun-cm-metrics",
  "volcengine-cm-event": "volcengine-cm-event",
  "volcengine-cm-metrics": "volcengine-cm-metrics",
};

/** Where the receiver listens and the token it expects; both secret. */
export interface ReceiverEndpoint {
  readonly baseUrl: pulumi.Input<string>;
  readonly token: pulumi.Input<string>;
}

export interface WiringInputs {
  readonly config: WiringConfig;
  /** The stack name; the default environment name. */
  readonly stack: string;
  /** Resolves the receiver endpoint; called only when a cloud delivers through the receiver. */
  readonly receiver?: () => ReceiverEndpoint;
}

export interface Wiring {
  readonly environment: string;
  readonly channels: Readonly<Record<string, Channel>>;
  readonly integrations: Readonly<Partial<Record<IntegrationKind, FlashdutyIntegration>>>;
  /** The event-rule + alarm path (`aliyun.mode: event-rule`). */
  readonly aliyun?: AliyunEventPush;
  /** The push channel + subscription policies path (`aliyun.mode: subscription`, the default). */
  readonly aliyunSubscription?: AliyunEventSubscription;
  readonly volcengine?: VolcengineEventPush;
}

/** The Flashduty integrations a configuration needs, one per kind. */
export function plannedIntegrationKinds(cfg: WiringConfig): IntegrationKind[] {
  const kinds = new Set<IntegrationKind>();
  // Declared on its own, the receiver's integration can exist before any cloud uses the receiver:
  // that is how the receiver stack gets its push URL on a first deployment (docs/receiver.md).
  if (cfg.flashduty.receiverIntegration) kinds.add("standard-alert");
  const ali = cfg.aliyun;
  if (ali?.enabled) {
    if (ali.delivery === "receiver") kinds.add("standard-alert");
    // One push channel per stack, pointing at the CM Event integration.
    else if (aliyunMode(cfg) === "subscription") kinds.add("aliyun-cm-event");
    else {
      if ((ali.subscriptionPolicies ?? []).length > 0) kinds.add("aliyun-cm-event");
      if ((ali.metricAlarms ?? []).length > 0) kinds.add("aliyun-cm-metrics");
    }
  }
  const volc = cfg.volcengine;
  if (volc?.enabled)
    kinds.add(volc.delivery === "receiver" ? "standard-alert" : "volcengine-cm-event");
  return [...kinds].sort();
}

/** Receiver URL of one cloud's endpoint, token in the query (clouds cannot send headers). */
function receiverUrl(
  endpoint: ReceiverEndpoint,
  path: "aliyun" | "volcengine",
): pulumi.Output<string> {
  return pulumi.secret(
    pulumi
      .all([endpoint.baseUrl, endpoint.token])
      .apply(
        ([base, token]) =>
          `${base.replace(/\/+$/, "")}/v1/${path}?token=${encodeURIComponent(token)}`,
      ),
  );
}

function aliyunArgs(
  cfg: NonNullable<WiringConfig["aliyun"]>,
  urls: { events?: pulumi.Input<string>; metrics?: pulumi.Input<string> },
): AliyunEventPushArgs {
  return {
    pushUrl: urls.events,
    metricsPushUrl: urls.metrics,
    subscriptionPolicies: cfg.subscriptionPolicies as AliyunEventPushArgs["subscriptionPolicies"],
    metricAlarms: cfg.metricAlarms as AliyunEventPushArgs["metricAlarms"],
  };
}

function aliyunSubscriptionArgs(
  cfg: NonNullable<WiringConfig["aliyun"]>,
  environment: string,
  pushUrl: pulumi.Input<string>,
): AliyunEventSubscriptionArgs {
  return {
    pushUrl,
    workspace: cfg.workspace,
    channelName: cfg.pushChannel?.name ?? `flashduty-${environment}`,
    channelAdoptId: cfg.pushChannel?.adoptId,
    notifyPolicies: (cfg.notifyPolicies ?? []) as AliyunEventSubscriptionArgs["notifyPolicies"],
  };
}

function volcengineArgs(
  cfg: NonNullable<WiringConfig["volcengine"]>,
  environment: string,
  url: pulumi.Input<string>,
): VolcengineEventPushArgs {
  return {
    pushUrl: url,
    callbackName: cfg.callbackName ?? `Flashduty_Event_${environment}`,
    callbackAdoptId: cfg.callbackAdoptId,
    rules: (cfg.rules ?? []) as VolcengineEventPushArgs["rules"],
  };
}

/**
 * Runs the cloud components' own validation on the configured values before any resource exists,
 * so that one run reports every problem. Placeholder URLs stand in for the not-yet-known push URLs.
 */
function validateClouds(cfg: WiringConfig, environment: string): void {
  const problems: string[] = [];
  const placeholder = "https://placeholder.invalid/push";
  const collect = (section: string, validate: () => void) => {
    try {
      validate();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      // Components list their problems with formatProblems; any other error counts as one.
      const details = problemsOf(message);
      for (const d of details.length > 0 ? details : [message.trim()])
        problems.push(`${PROJECT}:${section}: ${d}`);
    }
  };
  if (cfg.aliyun?.enabled) {
    const ali = cfg.aliyun;
    collect("aliyun", () =>
      aliyunMode(cfg) === "subscription"
        ? validateAliyunEventSubscriptionArgs(
            "aliyun",
            aliyunSubscriptionArgs(ali, environment, placeholder),
          )
        : validateAliyunEventPushArgs(
            "aliyun",
            aliyunArgs(ali, { events: placeholder, metrics: placeholder }),
          ),
    );
  }
  if (cfg.volcengine?.enabled) {
    const volc = cfg.volcengine;
    collect("volcengine", () =>
      validateVolcengineEventPushArgs(volcengineArgs(volc, environment, placeholder)),
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
}

/** Every integration whose routes this stack manages needs routing: its own or flashduty.routing. */
function checkRoutingGiven(cfg: WiringConfig, kinds: IntegrationKind[]): void {
  if (cfg.flashduty.routing !== undefined) return;
  const missing = kinds.filter((kind) => {
    const o = cfg.flashduty.kinds?.[kind];
    const managesRoute = o?.pushUrl === undefined || o.integrationId !== undefined;
    return managesRoute && o?.routing === undefined;
  });
  if (missing.length > 0)
    throw new ConfigError(
      missing.map(
        (kind) =>
          `${PROJECT}:flashduty.routing: missing, and flashduty.kinds.${kind}.routing is not set either: ` +
          `the ${kind} integration's routing rules are managed by this stack; set one of them ` +
          "(a console-created private integration needs none: give only its pushUrl)",
      ),
    );
}

/** Builds every resource of the environment. Throws ConfigError before creating anything. */
export function buildWiring(inputs: WiringInputs): Wiring {
  const cfg = inputs.config;
  const environment = cfg.environment ?? inputs.stack;
  const prefix = cfg.flashduty.namePrefix ?? environment;
  validateClouds(cfg, environment);
  const kinds = plannedIntegrationKinds(cfg);
  checkRoutingGiven(cfg, kinds);
  const receiver = cloudsUseReceiver(cfg) ? inputs.receiver?.() : undefined;
  if (cloudsUseReceiver(cfg) && receiver === undefined) {
    throw new ConfigError([`${PROJECT}:receiver: a cloud has delivery: receiver; set receiver`]);
  }

  const channels: Record<string, Channel> = {};
  for (const c of cfg.flashduty.channels ?? []) {
    channels[c.key] = new Channel(`channel-${c.key}`, {
      teamId: c.teamId,
      name: c.name,
      description: c.description,
      adoptId: c.adoptId,
    });
  }
  // From the id, which a preview keeps, not the computed channelId, which is unknown in the preview
  // of any in-place channel change and would make every route to it show a change.
  const channelId = (ref: ChannelRef): pulumi.Input<number> =>
    typeof ref === "number" ? ref : channels[ref].id.apply(Number);

  const routingArgs = (
    r: Routing,
  ): Pick<FlashdutyIntegrationArgs, "style" | "channelId" | "cases" | "default"> =>
    r.style === "private"
      ? { style: "private", channelId: channelId(r.channel as ChannelRef) }
      : {
          style: "shared",
          cases: r.cases?.map((c): RouteCaseArgs => ({
            conditions: c.if,
            channelIds: c.channels?.map(channelId),
            fallthrough: c.fallthrough,
            routingMode: c.routingMode,
            nameMappingLabel: c.nameMappingLabel,
          })),
          default: r.default ? { channelIds: r.default.channels.map(channelId) } : undefined,
        };

  const integrations: Partial<Record<IntegrationKind, FlashdutyIntegration>> = {};
  for (const kind of kinds) {
    const override = cfg.flashduty.kinds?.[kind];
    const routing = override?.routing ?? cfg.flashduty.routing;
    const common = {
      kind,
      name: `${prefix}-${KIND_LABELS[kind]}`,
      description: `Managed by Pulumi (${PROJECT}, ${environment})`,
      teamId: cfg.flashduty.teamId,
    };
    integrations[kind] = new FlashdutyIntegration(
      `flashduty-${KIND_LABELS[kind]}`,
      override?.pushUrl !== undefined
        ? {
            // Created in the Flashduty console: no /integration/* call; routes only with its id.
            ...common,
            pushUrl: pulumi.secret(override.pushUrl.trim()),
            integrationId: override.integrationId,
            ...(override.integrationId !== undefined ? routingArgs(routing as Routing) : {}),
          }
        : {
            ...common,
            pluginType: override?.pluginType,
            pushPath: override?.pushPath,
            adoptId: override?.adoptId,
            keyRotation: override?.keyRotation,
            retainOnDelete: override?.retainOnDelete,
            ...routingArgs(routing as Routing),
          },
    );
  }
  const pushUrlOf = (kind: IntegrationKind) => integrations[kind]?.pushUrl;

  let aliyun: AliyunEventPush | undefined;
  let aliyunSubscription: AliyunEventSubscription | undefined;
  if (cfg.aliyun?.enabled && aliyunMode(cfg) === "subscription") {
    const viaReceiver = cfg.aliyun.delivery === "receiver" && receiver !== undefined;
    const url = viaReceiver ? receiverUrl(receiver, "aliyun") : pushUrlOf("aliyun-cm-event");
    const provider = createAliyunProvider("aliyun");
    aliyunSubscription = new AliyunEventSubscription(
      "aliyun",
      aliyunSubscriptionArgs(cfg.aliyun, environment, url as pulumi.Input<string>),
      { providers: [provider] },
    );
  } else if (cfg.aliyun?.enabled) {
    const viaReceiver = cfg.aliyun.delivery === "receiver" && receiver !== undefined;
    const url = viaReceiver ? receiverUrl(receiver, "aliyun") : undefined;
    const provider = createAliyunProvider("aliyun");
    aliyun = new AliyunEventPush(
      "aliyun",
      aliyunArgs(cfg.aliyun, {
        events: url ?? pushUrlOf("aliyun-cm-event"),
        metrics: url ?? pushUrlOf("aliyun-cm-metrics"),
      }),
      { providers: [provider] },
    );
  }

  let volcengine: VolcengineEventPush | undefined;
  if (cfg.volcengine?.enabled) {
    const url =
      cfg.volcengine.delivery === "receiver" && receiver !== undefined
        ? receiverUrl(receiver, "volcengine")
        : pushUrlOf("volcengine-cm-event");
    volcengine = new VolcengineEventPush(
      "volcengine",
      volcengineArgs(cfg.volcengine, environment, url as pulumi.Input<string>),
    );
  }

  return { environment, channels, integrations, aliyun, aliyunSubscription, volcengine };
}

/** Stack outputs: ids in plain text, anything carrying an integration key or token as a secret. */
export function wiringOutputs(w: Wiring): Record<string, unknown> {
  const byKind = <T>(f: (i: FlashdutyIntegration) => T) =>
    Object.fromEntries(Object.entries(w.integrations).map(([k, i]) => [k, f(i)]));
  return {
    environment: w.environment,
    channelIds: Object.fromEntries(Object.entries(w.channels).map(([k, c]) => [k, c.channelId])),
    // Console-created integrations given without an id have none here.
    flashdutyIntegrationIds: Object.fromEntries(
      Object.entries(w.integrations)
        .filter(([, i]) => i.mode === "api" || i.route !== undefined)
        .map(([k, i]) => [k, i.integrationId]),
    ),
    flashdutyPushUrls: pulumi.secret(byKind((i) => i.pushUrl)),
    receiverPushUrl: w.integrations["standard-alert"]
      ? pulumi.secret(w.integrations["standard-alert"].pushUrl)
      : undefined,
    aliyunEventRuleNames: w.aliyun?.eventRuleNames,
    aliyunAlarmIds: w.aliyun?.alarmIds,
    aliyunAlertActionId: w.aliyunSubscription?.alertActionId,
    aliyunNotifyPolicyIds: w.aliyunSubscription?.policyIds,
    volcengineCallbackId: w.volcengine?.callbackId,
    volcengineRuleIds: w.volcengine?.ruleIds,
  };
}

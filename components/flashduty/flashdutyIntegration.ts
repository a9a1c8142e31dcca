// A Flashduty integration ready to receive alerts: one shared integration plus its routing rules.
// "private" style = a shared integration with a single default route to one channel, because
// Flashduty's Open API cannot create channel-owned integrations.
import * as pulumi from "@pulumi/pulumi";
import { INTEGRATION_KINDS, Integration, IntegrationKind } from "./integration";
import { Route, RouteCaseArgs, RouteDefaultArgs } from "./route";

export type FlashdutyIntegrationStyle = "private" | "shared";

export interface FlashdutyIntegrationArgs {
  /** Integration kind (e.g. "aliyun-cm-event"); resolved to a Flashduty plugin_type. */
  readonly kind: pulumi.Input<IntegrationKind>;
  /** Display name in Flashduty (2–49 characters). */
  readonly name: pulumi.Input<string>;
  /**
   * "private": all alerts go to `channelId` (single default route).
   * "shared": alerts are routed by `cases`, then `default`.
   */
  readonly style: FlashdutyIntegrationStyle;
  /** Target channel of a "private" integration. */
  readonly channelId?: pulumi.Input<number>;
  /** Routing cases of a "shared" integration, evaluated top to bottom. */
  readonly cases?: pulumi.Input<pulumi.Input<RouteCaseArgs>[]>;
  /** Where a "shared" integration's unmatched alerts go. */
  readonly default?: pulumi.Input<RouteDefaultArgs>;
  readonly description?: pulumi.Input<string>;
  readonly teamId?: pulumi.Input<number>;
  readonly settings?: pulumi.Input<Record<string, unknown>>;
  /** Overrides the `plugin_type` lookup (see docs/flashduty.md, "Unverified facts"). */
  readonly pluginType?: pulumi.Input<string>;
  /** Overrides the push URL path segment (see docs/flashduty.md, "Unverified facts"). */
  readonly pushPath?: pulumi.Input<string>;
  /** Existing shared integration to adopt (its route is overwritten with the declared one). */
  readonly adoptId?: pulumi.Input<number>;
  /** Set to a new value to rotate the integration key in place (see `Integration.keyRotation`). */
  readonly keyRotation?: pulumi.Input<string>;
}

/** Validates the shape before any resource is made; throws naming the field and the fix. */
export function validateFlashdutyIntegrationArgs(
  name: string,
  args: FlashdutyIntegrationArgs,
): void {
  const where = `FlashdutyIntegration "${name}"`;
  if (args.style !== "private" && args.style !== "shared")
    throw new Error(
      `${where}: style must be "private" or "shared" (got ${JSON.stringify(args.style)}).`,
    );
  if (typeof args.kind === "string" && !INTEGRATION_KINDS.includes(args.kind as IntegrationKind))
    throw new Error(
      `${where}: kind "${args.kind}" is unknown; use one of ${INTEGRATION_KINDS.join(", ")}.`,
    );
  if (args.style === "private") {
    if (args.channelId === undefined)
      throw new Error(
        `${where}: a "private" integration needs channelId (the channel that receives all its alerts).`,
      );
    if (args.cases !== undefined || args.default !== undefined)
      throw new Error(
        `${where}: cases/default are for style "shared"; a "private" integration routes everything to channelId. Remove them or use style "shared".`,
      );
    return;
  }
  if (args.channelId !== undefined)
    throw new Error(
      `${where}: channelId is for style "private"; for "shared" use default: { channelIds: [...] }.`,
    );
  const noCases =
    args.cases === undefined || (Array.isArray(args.cases) && args.cases.length === 0);
  if (noCases && args.default === undefined)
    throw new Error(
      `${where}: a "shared" integration needs routing (cases and/or default); Flashduty drops every alert of an integration without a route.`,
    );
}

export class FlashdutyIntegration extends pulumi.ComponentResource {
  readonly integrationId: pulumi.Output<number>;
  /** Secret. */
  readonly integrationKey: pulumi.Output<string>;
  /** Secret: where the cloud (or the receiver) pushes alerts. */
  readonly pushUrl: pulumi.Output<string>;
  readonly routeVersion: pulumi.Output<number | undefined>;
  readonly integration: Integration;
  readonly route: Route;

  constructor(
    name: string,
    args: FlashdutyIntegrationArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    validateFlashdutyIntegrationArgs(name, args);
    super("flashduty-wiring:flashduty:FlashdutyIntegration", name, {}, opts);

    this.integration = new Integration(
      name,
      {
        kind: args.kind,
        pluginType: args.pluginType,
        name: args.name,
        description: args.description,
        teamId: args.teamId,
        settings: args.settings,
        pushPath: args.pushPath,
        adoptId: args.adoptId,
        keyRotation: args.keyRotation,
      },
      { parent: this },
    );

    const routing =
      args.style === "private"
        ? { default: { channelIds: [args.channelId as pulumi.Input<number>] } }
        : { cases: args.cases, default: args.default };
    this.route = new Route(
      `${name}-route`,
      { integrationId: this.integration.integrationId, ...routing },
      { parent: this },
    );

    this.integrationId = this.integration.integrationId;
    this.integrationKey = pulumi.secret(this.integration.integrationKey);
    this.pushUrl = pulumi.secret(this.integration.pushUrl);
    this.routeVersion = this.route.version;

    this.registerOutputs({
      integrationId: this.integrationId,
      integrationKey: this.integrationKey,
      pushUrl: this.pushUrl,
      routeVersion: this.routeVersion,
    });
  }
}

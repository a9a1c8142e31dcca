// A Flashduty integration ready to receive alerts: one shared integration plus its routing rules.
// "private" style = a shared integration with a single default route to one channel, because
// Flashduty's Open API cannot create channel-owned integrations.
import * as pulumi from "@pulumi/pulumi";
import { formatProblems } from "../common/problems";
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

/**
 * Validates the shape before any resource is made; throws one error listing every problem, each
 * naming the field and the fix.
 */
export function validateFlashdutyIntegrationArgs(
  name: string,
  args: FlashdutyIntegrationArgs,
): void {
  const problems: string[] = [];
  if (args.style !== "private" && args.style !== "shared")
    problems.push(`style must be "private" or "shared" (got ${JSON.stringify(args.style)}).`);
  if (typeof args.kind === "string" && !INTEGRATION_KINDS.includes(args.kind as IntegrationKind))
    problems.push(`kind "${args.kind}" is unknown; use one of ${INTEGRATION_KINDS.join(", ")}.`);
  if (args.style === "private") {
    if (args.channelId === undefined)
      problems.push(
        'a "private" integration needs channelId (the channel that receives all its alerts).',
      );
    if (args.cases !== undefined || args.default !== undefined)
      problems.push(
        'cases/default are for style "shared"; a "private" integration routes everything to channelId. Remove them or use style "shared".',
      );
  }
  if (args.style === "shared") {
    if (args.channelId !== undefined)
      problems.push(
        'channelId is for style "private"; for "shared" use default: { channelIds: [...] }.',
      );
    const noCases =
      args.cases === undefined || (Array.isArray(args.cases) && args.cases.length === 0);
    if (noCases && args.default === undefined)
      problems.push(
        'a "shared" integration needs routing (cases and/or default); Flashduty drops every alert of an integration without a route.',
      );
  }
  if (problems.length > 0)
    throw new Error(formatProblems(`FlashdutyIntegration "${name}": invalid arguments:`, problems));
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

    // From the id, not the integrationId output: a dynamic provider has no preview of an update, so
    // computed outputs are unknown in the preview of any in-place change of the integration, while
    // its id is kept. An unknown integrationId would make the route plan a replacement.
    const integrationId = this.integration.id.apply(Number);
    const routing =
      args.style === "private"
        ? { default: { channelIds: [args.channelId as pulumi.Input<number>] } }
        : { cases: args.cases, default: args.default };
    this.route = new Route(`${name}-route`, { integrationId, ...routing }, { parent: this });

    this.integrationId = integrationId;
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

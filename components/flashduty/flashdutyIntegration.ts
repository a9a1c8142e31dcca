// A Flashduty integration ready to receive alerts, in one of two modes:
// - API mode: one shared integration created through `/integration/*` plus its routing rules.
//   "private" style = a shared integration with a single default route to one channel, because
//   Flashduty's Open API cannot create channel-owned integrations.
// - Console mode (`pushUrl` given): the integration was created in the Flashduty console; this
//   component makes no `/integration/*` call at all and never deletes it. Given `integrationId` (a
//   shared integration), it manages the integration's routing rules through `/route/*`.
import * as pulumi from "@pulumi/pulumi";
import { formatProblems } from "../common/problems";
import { INTEGRATION_KINDS, Integration, IntegrationKind } from "./integration";
import { checkPushUrl } from "./pushUrl";
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
   * Required unless `pushUrl` is given without `integrationId` (then no route is managed).
   */
  readonly style?: FlashdutyIntegrationStyle;
  /**
   * Console mode: the Push URL of an integration created in the Flashduty console (secret). No
   * `/integration/*` call is made and the integration is never deleted by this stack.
   */
  readonly pushUrl?: pulumi.Input<string>;
  /**
   * Console mode: the id of the console-created shared integration whose routing rules this
   * component manages (`/route/*`). Omit it for a private (channel-owned) integration, or when the
   * routing rules stay managed in the console.
   */
  readonly integrationId?: pulumi.Input<number>;
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
  /**
   * API mode: Pulumi's `retainOnDelete` on the Integration resource, so that removing it from the
   * stack (a switch to console mode) or `pulumi destroy` leaves the integration in Flashduty. The
   * engine reads the option from the state, so it must be applied by one `pulumi up` before the
   * resource is removed.
   */
  readonly retainOnDelete?: boolean;
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
  const consoleMode = args.pushUrl !== undefined;
  const managesRoute = !consoleMode || args.integrationId !== undefined;
  if (consoleMode) {
    // A plain string is checked here; an Output is checked when it resolves (never printed).
    if (typeof args.pushUrl === "string")
      for (const p of checkPushUrl(args.pushUrl).problems) problems.push(`pushUrl ${p}.`);
    for (const key of [
      "pluginType",
      "pushPath",
      "adoptId",
      "keyRotation",
      "settings",
      "retainOnDelete",
    ] as const)
      if (args[key] !== undefined)
        problems.push(
          `${key} applies to integrations created through the API; a console-created integration (pushUrl) ` +
            "is used as it is: remove it.",
        );
    if (
      !managesRoute &&
      (args.style !== undefined ||
        args.cases !== undefined ||
        args.default !== undefined ||
        args.channelId !== undefined)
    )
      problems.push(
        "routing (style, channelId, cases, default) needs integrationId: give the id of the console-created " +
          "shared integration whose routing rules this stack manages, or remove the routing (a private " +
          "integration delivers to its own channel).",
      );
  } else if (args.integrationId !== undefined) {
    problems.push(
      "integrationId applies to console-created integrations only: give their pushUrl too, or use adoptId to adopt a shared integration through the API.",
    );
  }
  if (managesRoute && args.style !== "private" && args.style !== "shared")
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

/** The integration key of a push URL (for an Output: checked when it resolves, never printed). */
function keyOfPushUrl(name: string, url: string): string {
  const { parsed, problems } = checkPushUrl(url);
  if (!parsed)
    throw new Error(
      formatProblems(
        `FlashdutyIntegration "${name}": invalid arguments:`,
        problems.map((p) => `pushUrl ${p}.`),
      ),
    );
  return parsed.integrationKey;
}

export class FlashdutyIntegration extends pulumi.ComponentResource {
  /** "api": created through `/integration/*`; "console": created in the console, given by pushUrl. */
  readonly mode: "api" | "console";
  /** Undefined for a console-created integration given without integrationId. */
  readonly integrationId: pulumi.Output<number | undefined>;
  /** Secret. */
  readonly integrationKey: pulumi.Output<string>;
  /** Secret: where the cloud (or the receiver) pushes alerts. */
  readonly pushUrl: pulumi.Output<string>;
  readonly routeVersion: pulumi.Output<number | undefined>;
  /** API mode only. */
  readonly integration?: Integration;
  /** Absent for a console-created integration given without integrationId. */
  readonly route?: Route;

  constructor(
    name: string,
    args: FlashdutyIntegrationArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    validateFlashdutyIntegrationArgs(name, args);
    super("flashduty-wiring:flashduty:FlashdutyIntegration", name, {}, opts);

    const routing =
      args.style === "private"
        ? { default: { channelIds: [args.channelId as pulumi.Input<number>] } }
        : { cases: args.cases, default: args.default };

    if (args.pushUrl !== undefined) {
      // Console mode: nothing under /integration/* is called, created, read or deleted.
      this.mode = "console";
      this.pushUrl = pulumi.secret(pulumi.output(args.pushUrl));
      this.integrationKey = pulumi.secret(this.pushUrl.apply((url) => keyOfPushUrl(name, url)));
      if (args.integrationId !== undefined) {
        const integrationId = pulumi.output(args.integrationId);
        this.route = new Route(`${name}-route`, { integrationId, ...routing }, { parent: this });
        this.integrationId = integrationId;
      } else {
        this.integrationId = pulumi.output<number | undefined>(undefined);
      }
    } else {
      this.mode = "api";
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
        { parent: this, ...(args.retainOnDelete ? { retainOnDelete: true } : {}) },
      );

      // From the id, not the integrationId output: a dynamic provider has no preview of an update, so
      // computed outputs are unknown in the preview of any in-place change of the integration, while
      // its id is kept. An unknown integrationId would make the route plan a replacement.
      const integrationId = this.integration.id.apply(Number);
      this.route = new Route(`${name}-route`, { integrationId, ...routing }, { parent: this });
      this.integrationId = integrationId;
      this.integrationKey = pulumi.secret(this.integration.integrationKey);
      this.pushUrl = pulumi.secret(this.integration.pushUrl);
    }
    this.routeVersion = this.route ? this.route.version : pulumi.output(undefined);

    this.registerOutputs({
      integrationId: this.integrationId,
      integrationKey: this.integrationKey,
      pushUrl: this.pushUrl,
      routeVersion: this.routeVersion,
    });
  }
}

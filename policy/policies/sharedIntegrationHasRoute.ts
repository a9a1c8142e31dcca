// Every Flashduty integration this stack manages must be routed by a Route of this stack.
//
// Flashduty's Open API manages only shared (account-level) integrations, and a shared integration
// without a routing rule drops or rejects every alert (flashduty-api.md §3.1, §4). So every
// `flashduty:Integration` here is shared and needs a route.
//
// How a route is matched to its integration, robust to preview (where ids are unknown):
// 1. the route's `integrationId` input depends on the integration (the engine records property
//    dependencies whether or not the id is known yet: `route.propertyDependencies.integrationId`);
// 2. failing any property dependency record, the route's resource dependencies include it;
// 3. or, when both are known, the route's `integrationId` equals the integration's id output
//    (`integrationId` or `id`) — e.g. a route on an adopted integration given as a literal id.
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { FLASHDUTY_INTEGRATION, FLASHDUTY_ROUTE } from "../lib/tokens";
import { UNKNOWN, get, getArray, isSet } from "../lib/values";

function knownIds(integration: PolicyResource): string[] {
  const ids: string[] = [];
  for (const key of ["integrationId", "id"]) {
    const value = get(integration.props, key);
    if (typeof value === "string" || typeof value === "number") {
      ids.push(String(value));
    }
  }
  return ids;
}

export function routesIntegration(route: PolicyResource, integration: PolicyResource): boolean {
  const propertyDeps = route.propertyDependencies["integrationId"];
  const deps = propertyDeps ?? route.dependencies;
  if (deps.some((dep) => dep.urn === integration.urn)) {
    return true;
  }
  const target = get(route.props, "integrationId");
  if (typeof target === "string" || typeof target === "number") {
    return knownIds(integration).includes(String(target));
  }
  return false;
}

/** A route that can route anything: at least one case or a default (the API demands one). */
function routeIsEmpty(route: PolicyResource): boolean {
  const cases = getArray(route.props, "cases");
  const hasCases = cases === UNKNOWN || (cases !== undefined && cases.length > 0);
  return !hasCases && !isSet(get(route.props, "default"));
}

export const sharedIntegrationHasRoute: StackValidationPolicy = {
  name: "shared-integration-has-route",
  description:
    "Every Flashduty (shared) integration has a routing rule in the same stack; without one Flashduty drops its alerts.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const integrations = args.resources.filter((r) => r.type === FLASHDUTY_INTEGRATION);
    const routes = args.resources.filter((r) => r.type === FLASHDUTY_ROUTE);
    for (const route of routes) {
      if (routeIsEmpty(route)) {
        reportViolation(
          `Flashduty route "${route.name}" has neither cases nor a default: it routes nothing. ` +
            "Give it a default (channel ids) or at least one case.",
          route.urn,
        );
      }
    }
    for (const integration of integrations) {
      const routed = routes.some(
        (route) => !routeIsEmpty(route) && routesIntegration(route, integration),
      );
      if (!routed) {
        reportViolation(
          `Flashduty integration "${integration.name}" has no route in this stack, so Flashduty ` +
            "drops its alerts. Create a flashduty Route whose integrationId is this integration's id " +
            "(the FlashdutyIntegration component does this when given routing rules).",
          integration.urn,
        );
      }
    }
  },
};

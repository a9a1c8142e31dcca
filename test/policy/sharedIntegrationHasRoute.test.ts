import assert from "node:assert/strict";
import { sharedIntegrationHasRoute } from "../../policy/policies";
import {
  FLASHDUTY_COMPONENT,
  FLASHDUTY_INTEGRATION,
  FLASHDUTY_ROUTE,
} from "../../policy/lib/tokens";
import { UNKNOWN_STRING, dependsOn, stackResource, validateStack } from "./harness";

const inComponent = { parentTypes: [FLASHDUTY_COMPONENT] };

function integration(name: string, outputs: Record<string, unknown> = {}) {
  return stackResource(
    FLASHDUTY_INTEGRATION,
    name,
    { kind: "shared", name: `dev-${name}`, ...outputs },
    inComponent,
  );
}

function route(name: string, wire: Record<string, unknown>) {
  return stackResource(FLASHDUTY_ROUTE, name, wire, inComponent);
}

describe("policy shared-integration-has-route", () => {
  it("is mandatory", () => {
    assert.equal(sharedIntegrationHasRoute.enforcementLevel, "mandatory");
  });

  it("accepts an integration routed by dependency even when ids are unknown (preview)", async () => {
    const fd = integration("events", { integrationId: UNKNOWN_STRING });
    const rt = route("events-route", {
      integrationId: UNKNOWN_STRING,
      default: { channel_ids: [1] },
    });
    dependsOn(rt, "integrationId", fd);
    assert.deepEqual(await validateStack(sharedIntegrationHasRoute, [fd, rt]), []);
  });

  it("reports an integration without any route, against the integration's URN", async () => {
    const fd = integration("events");
    const violations = await validateStack(sharedIntegrationHasRoute, [fd]);
    assert.equal(violations.length, 1);
    assert.equal(violations[0].urn, fd.urn);
    assert.match(violations[0].message, /"events" has no route/);
  });

  it("reports the integration a route does not point at", async () => {
    const routed = integration("routed");
    const orphan = integration("orphan");
    const rt = route("r", { integrationId: UNKNOWN_STRING, cases: [{ if: [] }] });
    dependsOn(rt, "integrationId", routed);
    const violations = await validateStack(sharedIntegrationHasRoute, [routed, orphan, rt]);
    assert.deepEqual(
      violations.map((v) => v.urn),
      [orphan.urn],
    );
  });

  it("matches by known id value when there is no dependency (adopted integration)", async () => {
    const fd = integration("adopted", { integrationId: 4242 });
    const good = route("good", { integrationId: 4242, default: { channel_ids: [7] } });
    assert.deepEqual(await validateStack(sharedIntegrationHasRoute, [fd, good]), []);
    const wrong = route("wrong", { integrationId: 9999, default: { channel_ids: [7] } });
    const violations = await validateStack(sharedIntegrationHasRoute, [fd, wrong]);
    assert.equal(violations.length, 1);
    assert.equal(violations[0].urn, fd.urn);
  });

  it("falls back to resource dependencies when property dependencies were not recorded", async () => {
    const fd = integration("events");
    const rt = route("r", { integrationId: UNKNOWN_STRING, default: { channel_ids: [1] } });
    rt.dependencies.push(fd);
    assert.deepEqual(await validateStack(sharedIntegrationHasRoute, [fd, rt]), []);
  });

  it("reports a route with neither cases nor default, and does not count it as routing", async () => {
    const fd = integration("events");
    const rt = route("empty", { integrationId: UNKNOWN_STRING, cases: [] });
    dependsOn(rt, "integrationId", fd);
    const violations = await validateStack(sharedIntegrationHasRoute, [fd, rt]);
    assert.deepEqual(violations.map((v) => v.urn).sort(), [fd.urn, rt.urn].sort());
    assert.ok(violations.some((v) => /neither cases nor a default/.test(v.message)));
  });
});

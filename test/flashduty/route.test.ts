// Route dynamic provider against the Flashduty simulator: camelCase → snake_case mapping, lifecycle,
// drift, out-of-band removal, adoption by overwrite, validation, and what delete does (nothing).
import { strict as assert } from "node:assert";
import fc from "fast-check";
import { FlashdutySimulator } from "../simulators/flashduty";
import {
  RouteInputs,
  RouteOutputs,
  RouteProvider,
  fromApiRoute,
  makeRouteProvider,
  normalizeCases,
  normalizeDefault,
  toApiRoute,
} from "../../components/flashduty/route";
import { FlashdutyApiError } from "../../components/flashduty/errors";
import { UNKNOWN } from "../../components/common/unknown";
import {
  EMPTY_ENV,
  FAST_RETRY,
  createChannel,
  pathsSince,
  rawClient,
  simConfig,
  guardLoopbackOnly,
} from "./helpers";

describe("flashduty/Route provider", () => {
  let removeLoopbackGuard: () => void;
  before(() => {
    removeLoopbackGuard = guardLoopbackOnly();
  });
  after(() => removeLoopbackGuard());

  let sim: FlashdutySimulator;
  let provider: RouteProvider;
  let integrationId: number;
  let channelA: number;
  let channelB: number;
  const logs: string[] = [];

  async function checked(news: Record<string, unknown>): Promise<RouteInputs> {
    const result = await provider.check({}, news);
    assert.deepEqual(result.failures, []);
    return result.inputs as RouteInputs;
  }

  function declared(): Record<string, unknown> {
    return {
      integrationId,
      cases: [
        {
          conditions: [
            { key: "severity", oper: "IN", vals: ["Critical"] },
            { key: "labels.service", oper: "NOTIN", vals: ["/^test-.*/"] },
          ],
          channelIds: [channelA],
          fallthrough: true,
        },
        {
          conditions: [{ key: "labels.team", oper: "IN", vals: ["*"] }],
          routingMode: "name_mapping",
          nameMappingLabel: "labels.team",
        },
      ],
      default: { channelIds: [channelB] },
    };
  }

  before(async () => {
    sim = await FlashdutySimulator.start();
  });
  after(async () => sim.stop());
  beforeEach(async () => {
    sim.reset();
    logs.length = 0;
    provider = makeRouteProvider({ retry: FAST_RETRY, log: (m) => logs.push(m), env: EMPTY_ENV });
    await provider.configure({ config: simConfig(sim) as never });
    const created = await rawClient(sim).post<{ integration_id: number }>("/integration/create", {
      plugin_type: "standard.alert",
      name: "routed",
    });
    integrationId = created.integration_id;
    channelA = await createChannel(sim, "team A");
    channelB = await createChannel(sim, "catch all");
  });

  it("create sends the route in Flashduty's snake_case shape and records the version", async () => {
    const inputs = await checked(declared());
    const before = sim.requests.length;
    const created = await provider.create(inputs);
    // The upsert answers `data: {}`: the version is read back.
    assert.deepEqual(pathsSince(sim, before), ["/route/info", "/route/upsert", "/route/info"]);
    const server = sim.route(integrationId);
    assert.deepEqual(server.cases, [
      {
        if: [
          { key: "severity", oper: "IN", vals: ["Critical"] },
          { key: "labels.service", oper: "NOTIN", vals: ["/^test-.*/"] },
        ],
        channel_ids: [channelA],
        fallthrough: true,
        routing_mode: "standard",
      },
      {
        if: [{ key: "labels.team", oper: "IN", vals: ["*"] }],
        channel_ids: [],
        fallthrough: false,
        routing_mode: "name_mapping",
        name_mapping_label: "labels.team",
      },
    ]);
    assert.deepEqual(server.default, { channel_ids: [channelB] });
    assert.equal(created.id, String(integrationId));
    assert.equal((created.outs as RouteOutputs).version, server.version);
  });

  it("create → read → update → out-of-band removal → delete → delete again", async () => {
    const inputs = await checked(declared());
    const { id, outs } = await provider.create(inputs);
    const state = outs as RouteOutputs;

    // No drift: read returns the same, diff says nothing to do.
    const read = await provider.read(id, state);
    assert.equal(read.id, id);
    assert.deepEqual(read.props, state);
    assert.equal((await provider.diff(id, read.props as RouteOutputs, inputs)).changes, false);

    // Drift: someone edits the route in the console.
    sim.setRoute(integrationId, {
      cases: [
        {
          if: [{ key: "title", oper: "IN", vals: ["x"] }],
          channel_ids: [channelB],
          fallthrough: false,
          routing_mode: "standard",
        },
      ],
      default: null,
    });
    const drifted = (await provider.read(id, state)).props as RouteOutputs;
    assert.deepEqual(drifted.cases, [
      {
        conditions: [{ key: "title", oper: "IN", vals: ["x"] }],
        channelIds: [channelB],
        fallthrough: false,
        routingMode: "standard",
      },
    ]);
    assert.equal(drifted.default, undefined);
    assert.ok((drifted.version ?? 0) > (state.version ?? 0));
    const diff = await provider.diff(id, drifted, inputs);
    assert.equal(diff.changes, true);
    assert.deepEqual(diff.replaces, []);
    const updated = await provider.update(id, drifted, inputs);
    assert.deepEqual(sim.route(integrationId).default, { channel_ids: [channelB] });
    assert.equal(sim.route(integrationId).cases.length, 2);
    assert.equal((updated.outs as RouteOutputs).version, sim.route(integrationId).version);
    assert.deepEqual(
      sim.requests.slice(-2).map((r) => r.path),
      ["/route/upsert", "/route/info"],
      "the version is read back after the upsert",
    );

    // Out-of-band removal of the route: read reports it gone.
    sim.setRoute(integrationId, null);
    assert.equal((await provider.read(id, state)).id, "");

    // The integration itself deleted: still gone, not an error.
    sim.deleteIntegration(integrationId);
    assert.equal((await provider.read(id, state)).id, "");

    await provider.delete(id, state);
    await provider.delete(id, state);
  });

  for (const answer of ["empty-object", "null"] as const) {
    it(`upsert answering data ${answer === "null" ? "null" : "{}"}: the version is read back with /route/info`, async () => {
      sim.setRouteUpsertData(answer);
      const inputs = await checked(declared());
      const created = await provider.create(inputs);
      const upsert = sim.requests.find((r) => r.path === "/route/upsert");
      assert.equal(upsert?.status, 200);
      assert.equal((created.outs as RouteOutputs).version, 1);
      const outs = created.outs as RouteOutputs;
      const updated = await provider.update(created.id, outs, {
        ...inputs,
        default: { channelIds: [channelA] },
      });
      assert.equal((updated.outs as RouteOutputs).version, 2);
      assert.equal(sim.route(integrationId).version, 2);
    });
  }

  for (const mode of ["ignore", "enforce"] as const) {
    it(`route version ${mode}d by the server: an up-to-date update succeeds and sends the state's version`, async () => {
      sim.setRouteVersion(mode);
      const inputs = await checked(declared());
      const created = await provider.create(inputs);
      const outs = created.outs as RouteOutputs;
      const before = sim.requests.length;
      await provider.update(created.id, outs, { ...inputs, default: { channelIds: [channelA] } });
      const sent = sim.requests.slice(before).find((r) => r.path === "/route/upsert");
      assert.equal((sent?.body as { version?: number }).version, outs.version);
      assert.deepEqual(sim.route(integrationId).default, { channel_ids: [channelA] });
    });
  }

  it("a route changed in the console since the last refresh: overwritten where version is ignored", async () => {
    const inputs = await checked(declared());
    const created = await provider.create(inputs);
    sim.setRoute(integrationId, { default: { channel_ids: [channelA] } }); // console edit: version 2
    const updated = await provider.update(created.id, created.outs as RouteOutputs, {
      ...inputs,
      cases: [],
    });
    assert.equal((updated.outs as RouteOutputs).version, 3);
    assert.deepEqual(sim.route(integrationId).default, { channel_ids: [channelB] });
  });

  it("a route changed in the console since the last refresh: where version is enforced, the error says to run pulumi refresh", async () => {
    sim.setRouteVersion("enforce");
    const inputs = await checked(declared());
    const created = await provider.create(inputs);
    sim.setRoute(integrationId, { default: { channel_ids: [channelA] } }); // console edit: version 2
    await assert.rejects(
      provider.update(created.id, created.outs as RouteOutputs, { ...inputs, cases: [] }),
      (err: Error) => {
        assert.match(err.message, /changed outside this stack/);
        assert.match(err.message, /version 2 in Flashduty, 1 in the stack's state/);
        assert.match(err.message, /run `pulumi refresh`/);
        return true;
      },
    );
    assert.deepEqual(
      sim.route(integrationId).default,
      { channel_ids: [channelA] },
      "not overwritten",
    );
    // After a refresh (read), the update goes through.
    const refreshed = (await provider.read(created.id, created.outs as RouteOutputs))
      .props as RouteOutputs;
    assert.equal(refreshed.version, 2);
    await provider.update(created.id, refreshed, { ...inputs, cases: [] });
    assert.deepEqual(sim.route(integrationId).default, { channel_ids: [channelB] });
  });

  it("console mode, integration API off: up, no-op refresh and diff, drift, repair, destroy — no /integration/* call", async () => {
    sim.setIntegrationApi(false);
    sim.setRouteVersion("enforce");
    const consoleMade = sim.createConsoleIntegration({ typeName: "Alibaba Cloud CM Event" });
    const from = sim.requests.length;
    const inputs = await checked({ ...declared(), integrationId: consoleMade.integrationId });
    const created = await provider.create(inputs);
    assert.equal(sim.route(consoleMade.integrationId).version, 1);
    // No-op refresh and preview.
    const read = (await provider.read(created.id, created.outs as RouteOutputs))
      .props as RouteOutputs;
    assert.equal((await provider.diff(created.id, read, inputs)).changes, false);
    // Drift in the console, seen on refresh, repaired by the next up.
    sim.setRoute(consoleMade.integrationId, { default: { channel_ids: [channelA] } });
    const drifted = (await provider.read(created.id, read)).props as RouteOutputs;
    assert.equal(drifted.cases.length, 0);
    assert.equal((await provider.diff(created.id, drifted, inputs)).changes, true);
    await provider.update(created.id, drifted, inputs);
    assert.equal(sim.route(consoleMade.integrationId).cases.length, 2);
    // Destroy: nothing is deleted, the console's integration stays.
    await provider.delete(created.id, drifted);
    assert.ok(sim.hasIntegration(consoleMade.integrationId));
    const paths = pathsSince(sim, from);
    assert.deepEqual(
      paths.filter((p) => p.startsWith("/integration/")),
      [],
    );
    assert.ok(paths.every((p) => p.startsWith("/route/")));
  });

  it("delete leaves the route in place, makes no API call and logs why", async () => {
    const inputs = await checked(declared());
    const { id, outs } = await provider.create(inputs);
    const before = sim.requests.length;
    const routeBefore = sim.route(integrationId);
    await provider.delete(id, outs as RouteOutputs);
    assert.equal(sim.requests.length, before, "no API call");
    assert.deepEqual(sim.route(integrationId), routeBefore, "route untouched: alerts keep flowing");
    assert.equal(logs.length, 1);
    assert.match(logs[0], /no API to delete routes[\s\S]*left as it is/);
  });

  it("adoption: an existing route is read and overwritten with the declared one (logged)", async () => {
    sim.setRoute(integrationId, { default: { channel_ids: [channelA] } });
    const previous = sim.route(integrationId).version;
    const inputs = await checked({ integrationId, default: { channelIds: [channelB] } });
    const created = await provider.create(inputs);
    assert.deepEqual(sim.route(integrationId).default, { channel_ids: [channelB] });
    assert.deepEqual(sim.route(integrationId).cases, []);
    assert.equal((created.outs as RouteOutputs).version, previous + 1);
    const upsert = sim.requests.find((r) => r.path === "/route/upsert");
    assert.equal(
      (upsert?.body as { version?: number }).version,
      previous,
      "sends the version it read",
    );
    assert.ok(logs.some((l) => /exists \(version \d+\); overwriting/.test(l)));
  });

  it("removing all cases sends an empty list so they really disappear", async () => {
    const { id, outs } = await provider.create(await checked(declared()));
    const news = await checked({ integrationId, default: { channelIds: [channelB] } });
    assert.equal((await provider.diff(id, outs as RouteOutputs, news)).changes, true);
    await provider.update(id, outs as RouteOutputs, news);
    assert.deepEqual(sim.route(integrationId).cases, []);
  });

  it("a field Flashduty rejects comes back as a 400 naming the field", async () => {
    const inputs = await checked({ integrationId, default: { channelIds: [987654321] } });
    await assert.rejects(provider.create(inputs), (e: unknown) => {
      assert.ok(e instanceof FlashdutyApiError);
      assert.equal(e.httpStatus, 400);
      assert.equal(e.code, "InvalidParameter");
      assert.match(e.message, /default\.channel_ids/);
      return true;
    });
  });

  it("create on a missing integration fails clearly", async () => {
    const inputs = await checked({ integrationId: 123, default: { channelIds: [channelB] } });
    await assert.rejects(provider.create(inputs), /ResourceNotFound/);
  });

  it("camelCase → snake_case mapping round-trips for any valid route (property)", () => {
    const condition = fc.record({
      key: fc.constantFrom("severity", "title", "labels.service"),
      oper: fc.constantFrom("IN" as const, "NOTIN" as const),
      vals: fc.array(fc.string({ minLength: 1 }), { minLength: 1, maxLength: 3 }),
    });
    const ids = fc.array(fc.integer({ min: 1, max: 2 ** 50 }), { minLength: 1, maxLength: 3 });
    const routeCase = fc.oneof(
      fc.record(
        {
          conditions: fc.array(condition, { minLength: 1, maxLength: 3 }),
          channelIds: ids,
          fallthrough: fc.boolean(),
          routingMode: fc.constant("standard" as const),
        },
        { requiredKeys: ["conditions", "channelIds"] },
      ),
      fc.record({
        conditions: fc.array(condition, { minLength: 1, maxLength: 3 }),
        routingMode: fc.constant("name_mapping" as const),
        nameMappingLabel: fc.constantFrom("labels.service", "labels.team"),
      }),
    );
    fc.assert(
      fc.property(
        fc.array(routeCase, { maxLength: 4 }),
        fc.option(ids, { nil: undefined }),
        (cases, defaultIds) => {
          const inputs: RouteInputs = {
            integrationId: 7,
            cases,
            default: defaultIds ? { channelIds: defaultIds } : undefined,
          };
          const api = toApiRoute(inputs) as Record<string, unknown>;
          const back = fromApiRoute(api as never);
          assert.deepEqual(back.cases, normalizeCases(cases));
          assert.deepEqual(back.default, normalizeDefault(inputs.default));
        },
      ),
    );
  });

  describe("check", () => {
    it("reports bad fields by path with a fix", async () => {
      const { failures } = await provider.check(
        {},
        {
          integrationId: "x",
          cases: [
            { conditions: [{ key: "", oper: "EQ", vals: [] }], channelIds: [] },
            { conditions: [], routingMode: "name_mapping" },
            {
              conditions: [{ key: "severity", oper: "IN", vals: ["Critical"] }],
              channelIds: [1],
              nameMappingLabel: "labels.x",
            },
          ],
          default: { channelIds: [] },
        },
      );
      const props = (failures ?? []).map((f) => f.property).sort();
      assert.deepEqual(props, [
        "cases[0].channelIds",
        "cases[0].conditions[0].key",
        "cases[0].conditions[0].oper",
        "cases[0].conditions[0].vals",
        "cases[1].conditions",
        "cases[1].nameMappingLabel",
        "cases[2].nameMappingLabel",
        "default.channelIds",
        "integrationId",
      ]);
      const oper = failures?.find((f) => f.property === "cases[0].conditions[0].oper");
      assert.match(oper?.reason ?? "", /IN, NOTIN/);
    });

    it("refuses the legacy key alert_severity, which Flashduty stores as severity (endless drift)", async () => {
      const { failures } = await provider.check(
        {},
        {
          integrationId: 1,
          cases: [
            {
              conditions: [{ key: "alert_severity", oper: "IN", vals: ["Critical"] }],
              channelIds: [1],
            },
          ],
        },
      );
      assert.equal(failures?.length, 1);
      assert.equal(failures?.[0].property, "cases[0].conditions[0].key");
      assert.match(failures?.[0].reason ?? "", /"severity"/);
    });

    it("refuses a route with neither cases nor default (Flashduty would drop every alert)", async () => {
      const { failures } = await provider.check({}, { integrationId: 1, cases: [] });
      assert.equal(failures?.length, 1);
      assert.equal(failures?.[0].property, "cases");
      assert.match(failures?.[0].reason ?? "", /drops every alert/);
    });

    it("accepts preview unknowns", async () => {
      const { failures } = await provider.check(
        {},
        { integrationId: UNKNOWN, cases: UNKNOWN, default: { channelIds: [UNKNOWN] } },
      );
      assert.deepEqual(failures, []);
    });
  });

  describe("diff", () => {
    it("defaults do not count as changes; integrationId change replaces; unknowns change", async () => {
      const inputs = await checked(declared());
      const { id, outs } = await provider.create(inputs);
      const state = outs as RouteOutputs;
      const explicitDefaults = declared();
      (explicitDefaults.cases as Record<string, unknown>[])[0].routingMode = "standard";
      (explicitDefaults.cases as Record<string, unknown>[])[1].fallthrough = false;
      assert.equal(
        (await provider.diff(id, state, await checked(explicitDefaults))).changes,
        false,
      );
      assert.deepEqual(
        (await provider.diff(id, state, { ...inputs, integrationId: integrationId + 1 })).replaces,
        ["integrationId"],
      );
      assert.deepEqual(
        (await provider.diff(id, state, { ...inputs, integrationId: UNKNOWN as never })).replaces,
        ["integrationId"],
      );
      const unknownCases = await provider.diff(id, state, { ...inputs, cases: UNKNOWN as never });
      assert.equal(unknownCases.changes, true);
      assert.deepEqual(unknownCases.replaces, []);
    });
  });
});

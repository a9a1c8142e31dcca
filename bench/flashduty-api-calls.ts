// Counts Flashduty Open API calls per lifecycle step, driving the Integration and Route providers the
// way the Pulumi engine does (check → diff → create/update, read on refresh, delete), against the
// local Flashduty simulator's request log. Prints a table and exits non-zero when a target is missed.
// Two worlds: API mode (the integration API offered), then console mode (the integration API off, an
// integration created "in the console": only its Route is managed). `/route/upsert` answers `data: {}`
// as the docs show, so every upsert is followed by a `/route/info` read-back of the version.
//
//   npm run bench:api
import { FlashdutySimulator } from "../test/simulators/flashduty";
import {
  IntegrationInputs,
  IntegrationOutputs,
  makeIntegrationProvider,
} from "../components/flashduty/integration";
import { RouteInputs, RouteOutputs, makeRouteProvider } from "../components/flashduty/route";
import { FlashdutyClient } from "../components/flashduty/client";

const WRITE = /\/(create|update|upsert|delete|enable|disable|rotate)$/;

interface Step {
  step: string;
  calls: number;
  writes: number;
  paths: string[];
  target: string;
  ok: boolean;
}

async function main(): Promise<void> {
  const sim = await FlashdutySimulator.start();
  const config = {
    get: (key: string) =>
      ({ "flashduty:appKey": sim.appKey, "flashduty:baseUrl": sim.baseUrl })[key],
  };
  const log = () => undefined; // the route delete warning is expected; keep the table clean
  const integrations = makeIntegrationProvider({ log, env: {} });
  const routes = makeRouteProvider({ log, env: {} });
  await integrations.configure({ config: config as never });
  await routes.configure({ config: config as never });

  // Setup, not counted: a channel to route to.
  const setup = new FlashdutyClient({ appKey: sim.appKey, baseUrl: sim.baseUrl });
  const { channel_id: channelId } = await setup.post<{ channel_id: number }>("/channel/create", {
    team_id: 1,
    channel_name: "bench",
  });

  const steps: Step[] = [];
  async function measure(
    step: string,
    target: string,
    isOk: (calls: number, writes: number, paths: string[]) => boolean,
    body: () => Promise<void>,
  ): Promise<void> {
    const from = sim.requests.length;
    await body();
    const paths = sim.requests.slice(from).map((r) => r.path);
    const writes = paths.filter((p) => WRITE.test(p)).length;
    steps.push({
      step,
      calls: paths.length,
      writes,
      paths,
      target,
      ok: isOk(paths.length, writes, paths),
    });
  }

  async function checked<T>(
    provider: {
      check(
        olds: unknown,
        news: Record<string, unknown>,
      ): Promise<{ inputs?: unknown; failures?: unknown[] }>;
    },
    olds: unknown,
    news: Record<string, unknown>,
  ): Promise<T> {
    const result = await provider.check(olds, news);
    if (result.failures && result.failures.length > 0)
      throw new Error(`check failed: ${JSON.stringify(result.failures)}`);
    return result.inputs as T;
  }

  const integrationDecl = {
    kind: "aliyun-cm-event",
    name: "bench integration",
    description: "bench",
  };
  let integrationInputs!: IntegrationInputs;
  let integrationId!: string;
  let integrationOuts!: IntegrationOutputs;
  let routeInputs!: RouteInputs;
  let routeId!: string;
  let routeOuts!: RouteOutputs;

  await measure(
    "create integration + route",
    "≤ 5 calls (type/list, create, route info, upsert, read-back)",
    (calls) => calls <= 5,
    async () => {
      integrationInputs = await checked(integrations, {}, integrationDecl);
      const i = await integrations.create(integrationInputs);
      integrationId = i.id;
      integrationOuts = i.outs as IntegrationOutputs;
      routeInputs = await checked(
        routes,
        {},
        {
          integrationId: integrationOuts.integrationId,
          cases: [
            {
              conditions: [{ key: "severity", oper: "IN", vals: ["Critical"] }],
              channelIds: [channelId],
            },
          ],
          default: { channelIds: [channelId] },
        },
      );
      const r = await routes.create(routeInputs);
      routeId = r.id;
      routeOuts = r.outs as RouteOutputs;
    },
  );

  await measure(
    "no-op refresh (read)",
    "1 read per resource (2), 0 writes",
    (calls, writes) => calls === 2 && writes === 0,
    async () => {
      integrationOuts = (await integrations.read(integrationId, integrationOuts))
        .props as IntegrationOutputs;
      routeOuts = (await routes.read(routeId, routeOuts)).props as RouteOutputs;
    },
  );

  await measure(
    "no-op update (check → diff)",
    "0 writes, diff = no change",
    (_calls, writes) => writes === 0,
    async () => {
      const iNews = await checked<IntegrationInputs>(
        integrations,
        integrationInputs,
        integrationDecl,
      );
      const iDiff = await integrations.diff(integrationId, integrationOuts, iNews);
      if (iDiff.changes) await integrations.update(integrationId, integrationOuts, iNews);
      const rNews = await checked<RouteInputs>(routes, routeInputs, { ...routeInputs });
      const rDiff = await routes.diff(routeId, routeOuts, rNews);
      if (rDiff.changes) await routes.update(routeId, routeOuts, rNews);
      if (iDiff.changes || rDiff.changes)
        throw new Error("diff reported a change on a no-op update");
    },
  ).catch((error: Error) => {
    steps.push({
      step: "no-op update (check → diff)",
      calls: NaN,
      writes: NaN,
      paths: [error.message],
      target: "0 writes",
      ok: false,
    });
  });

  await measure(
    "rename integration (for reference)",
    "1 write",
    (_calls, writes) => writes === 1,
    async () => {
      const news = await checked<IntegrationInputs>(integrations, integrationInputs, {
        ...integrationDecl,
        name: "bench renamed",
      });
      const diff = await integrations.diff(integrationId, integrationOuts, news);
      if (diff.changes)
        integrationOuts = (await integrations.update(integrationId, integrationOuts, news))
          .outs as IntegrationOutputs;
    },
  );

  await measure(
    "delete (route, then integration)",
    "≤ 2 calls",
    (calls) => calls <= 2,
    async () => {
      await routes.delete(routeId, routeOuts);
      await integrations.delete(integrationId, integrationOuts);
    },
  );

  // ---- console mode: the integration API is off; the integration comes from the console ----
  sim.setIntegrationApi(false);
  const consoleIntegration = sim.createConsoleIntegration({ typeName: "Alibaba Cloud CM Event" });
  const noIntegrationCalls = (paths: string[]) =>
    paths.every((p) => !p.startsWith("/integration/"));
  let consoleRouteId!: string;
  let consoleRouteOuts!: RouteOutputs;
  let consoleRouteInputs!: RouteInputs;
  await measure(
    "console mode: create route",
    "≤ 3 calls (route info, upsert, read-back), no /integration/*",
    (calls, _writes, paths) => calls <= 3 && noIntegrationCalls(paths),
    async () => {
      consoleRouteInputs = await checked(
        routes,
        {},
        {
          integrationId: consoleIntegration.integrationId,
          default: { channelIds: [channelId] },
        },
      );
      const r = await routes.create(consoleRouteInputs);
      consoleRouteId = r.id;
      consoleRouteOuts = r.outs as RouteOutputs;
    },
  );
  await measure(
    "console mode: no-op refresh (read)",
    "1 read, 0 writes, no /integration/*",
    (calls, writes, paths) => calls === 1 && writes === 0 && noIntegrationCalls(paths),
    async () => {
      consoleRouteOuts = (await routes.read(consoleRouteId, consoleRouteOuts))
        .props as RouteOutputs;
    },
  );
  await measure(
    "console mode: route change (update)",
    "2 calls (upsert, read-back)",
    (calls, writes) => calls === 2 && writes === 1,
    async () => {
      const news = await checked<RouteInputs>(routes, consoleRouteInputs, {
        ...consoleRouteInputs,
        cases: [
          {
            conditions: [{ key: "severity", oper: "IN", vals: ["Critical"] }],
            channelIds: [channelId],
          },
        ],
      });
      consoleRouteOuts = (await routes.update(consoleRouteId, consoleRouteOuts, news))
        .outs as RouteOutputs;
    },
  );
  await measure(
    "console mode: destroy",
    "0 calls (the integration is the console's; routes have no delete)",
    (calls) => calls === 0,
    async () => {
      await routes.delete(consoleRouteId, consoleRouteOuts);
    },
  );

  await sim.stop();

  const rows = steps.map((s) => [
    s.step,
    String(s.calls),
    String(s.writes),
    s.target,
    s.ok ? "yes" : "NO",
    s.paths.join(" "),
  ]);
  const header = ["step", "calls", "writes", "target", "within", "calls made"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join(" | ");
  console.log("Flashduty API calls per step (simulator request log)\n");
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("-|-"));
  for (const row of rows) console.log(line(row));
  const missed = steps.filter((s) => !s.ok);
  console.log(missed.length === 0 ? "\nAll targets met." : `\n${missed.length} target(s) missed.`);
  process.exitCode = missed.length === 0 ? 0 : 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

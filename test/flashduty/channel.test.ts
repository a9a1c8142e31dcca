// Channel dynamic provider against the Flashduty simulator: lifecycle, disable-before-delete, drift,
// out-of-band deletion (status "deleted" and 400 ResourceNotFound), adoption and validation.
import { strict as assert } from "node:assert";
import { FlashdutySimulator } from "../simulators/flashduty";
import {
  ChannelInputs,
  ChannelOutputs,
  ChannelProvider,
  makeChannelProvider,
} from "../../components/flashduty/channel";
import { UNKNOWN } from "../../components/common/unknown";
import {
  EMPTY_ENV,
  FAST_RETRY,
  WRITE_PATHS,
  createChannel,
  pathsSince,
  rawClient,
  simConfig,
  guardLoopbackOnly,
} from "./helpers";

const TEAM = 3521074710131;

describe("flashduty/Channel provider", () => {
  let removeLoopbackGuard: () => void;
  before(() => {
    removeLoopbackGuard = guardLoopbackOnly();
  });
  after(() => removeLoopbackGuard());

  let sim: FlashdutySimulator;
  let provider: ChannelProvider;
  const logs: string[] = [];

  async function checked(news: Record<string, unknown>): Promise<ChannelInputs> {
    const result = await provider.check({}, news);
    assert.deepEqual(result.failures, []);
    return result.inputs as ChannelInputs;
  }

  function channel(id: number) {
    return sim.channels().find((c) => c.channel_id === id);
  }

  before(async () => {
    sim = await FlashdutySimulator.start();
  });
  after(async () => sim.stop());
  beforeEach(async () => {
    sim.reset();
    logs.length = 0;
    provider = makeChannelProvider({ retry: FAST_RETRY, log: (m) => logs.push(m), env: EMPTY_ENV });
    await provider.configure({ config: simConfig(sim) as never });
  });

  it("create → read → update → out-of-band delete → delete → delete again", async () => {
    const inputs = await checked({
      teamId: TEAM,
      name: "Production Alerts",
      description: "prod",
      autoResolveTimeout: 86400,
      autoResolveMode: "trigger",
      isPrivate: false,
    });
    const created = await provider.create(inputs);
    const id = Number(created.id);
    const outs = created.outs as ChannelOutputs;
    assert.equal(outs.channelId, id);
    const server = channel(id);
    assert.equal(server.channel_name, "Production Alerts");
    assert.equal(server.team_id, TEAM);
    assert.equal(server.auto_resolve_timeout, 86400);
    assert.equal(server.description, "prod");

    const read = await provider.read(created.id, outs);
    assert.deepEqual(read.props, outs);
    assert.equal(
      (await provider.diff(created.id, read.props as ChannelOutputs, inputs)).changes,
      false,
    );

    // Drift in the console, then restored by update.
    await rawClient(sim).post("/channel/update", {
      channel_id: id,
      channel_name: "Renamed",
      auto_resolve_mode: "update",
    });
    const drifted = (await provider.read(created.id, outs)).props as ChannelOutputs;
    assert.equal(drifted.name, "Renamed");
    assert.equal(drifted.autoResolveMode, "update");
    assert.equal((await provider.diff(created.id, drifted, inputs)).changes, true);
    const before = sim.requests.length;
    await provider.update(created.id, drifted, inputs);
    assert.deepEqual(pathsSince(sim, before), ["/channel/update"]);
    assert.equal(channel(id).channel_name, "Production Alerts");
    assert.equal(channel(id).auto_resolve_mode, "trigger");

    // Deleted in the console (soft delete, status "deleted"): read says gone.
    sim.deleteChannel(id);
    assert.equal((await provider.read(created.id, outs)).id, "");

    await provider.delete(created.id, outs);
    await provider.delete(created.id, outs);
  });

  it("a console change to empty description, is_private false or timeout 0 is drift on refresh", async () => {
    const inputs = await checked({
      teamId: TEAM,
      name: "Drifting",
      description: "paged at night",
      isPrivate: true,
      autoResolveTimeout: 3600,
      autoResolveMode: "update",
    });
    const { id, outs } = await provider.create(inputs);
    const state = (await provider.read(id, outs as ChannelOutputs)).props as ChannelOutputs;
    assert.equal(state.description, "paged at night");
    assert.equal(state.isPrivate, true);
    // The record leaves these fields out once they are empty (ChannelItem: "emitted only when populated").
    sim.mutateChannel(Number(id), {
      description: "",
      is_private: false,
      auto_resolve_timeout: 0,
      auto_resolve_mode: "",
    });
    const raw = await rawClient(sim).post<Record<string, unknown>>("/channel/info", {
      channel_id: Number(id),
    });
    for (const field of ["description", "is_private", "auto_resolve_timeout", "auto_resolve_mode"])
      assert.ok(!(field in raw), `${field} is not emitted when empty`);
    const drifted = (await provider.read(id, state)).props as ChannelOutputs;
    assert.equal(drifted.description, "");
    assert.equal(drifted.isPrivate, false);
    assert.equal(drifted.autoResolveTimeout, 0);
    assert.equal(drifted.autoResolveMode, undefined);
    const diff = await provider.diff(id, drifted, inputs);
    assert.equal(diff.changes, true);
    await provider.update(id, drifted, inputs);
    assert.equal(channel(Number(id))?.description, "paged at night");
    assert.equal(channel(Number(id))?.is_private, true);
    assert.equal(channel(Number(id))?.auto_resolve_timeout, 3600);
    assert.equal(channel(Number(id))?.auto_resolve_mode, "update");
  });

  it("a field neither declared nor in the state is not added by a read of an emptied record", async () => {
    const { id, outs } = await provider.create(await checked({ teamId: TEAM, name: "Plain" }));
    const read = (await provider.read(id, outs as ChannelOutputs)).props as ChannelOutputs;
    assert.equal("description" in read, false);
    assert.equal("isPrivate" in read, false);
  });

  it("create is not resent after a 5xx (it may have been applied): the error says to adopt", async () => {
    sim.inject({ kind: "5xx", status: 502 }, 10, "/channel/create");
    await assert.rejects(
      provider.create(await checked({ teamId: TEAM, name: "sent once" })),
      (e: Error) => /duplicate/.test(e.message) && /adoptId/.test(e.message),
    );
    assert.equal(sim.requests.filter((r) => r.path === "/channel/create").length, 1);
  });

  it("delete disables the channel first, then deletes it", async () => {
    const created = await provider.create(await checked({ teamId: TEAM, name: "short lived" }));
    const before = sim.requests.length;
    await provider.delete(created.id, created.outs as ChannelOutputs);
    assert.deepEqual(pathsSince(sim, before), ["/channel/disable", "/channel/delete"]);
    assert.equal(channel(Number(created.id)), undefined);
  });

  it("an id Flashduty never had (400 ResourceNotFound) reads as gone and deletes fine", async () => {
    const state = { channelId: 77, teamId: TEAM, name: "ghost" } as ChannelOutputs;
    assert.equal((await provider.read("77", state)).id, "");
    await provider.delete("77", state);
    assert.equal(sim.requests.at(-1)?.status, 400);
  });

  it("a failed delete re-enables the channel so routes to it keep delivering", async () => {
    const created = await provider.create(await checked({ teamId: TEAM, name: "kept alive" }));
    sim.inject({ kind: "5xx" }, 10, "/channel/delete");
    await assert.rejects(
      provider.delete(created.id, created.outs as ChannelOutputs),
      /InternalError/,
    );
    assert.equal(channel(Number(created.id)).status, "enabled");
    assert.equal(sim.requests.at(-1)?.path, "/channel/enable");
  });

  it("adopts an existing channel: no create, declared fields written", async () => {
    const existing = await createChannel(sim, "console channel");
    const before = sim.requests.length;
    const created = await provider.create(
      await checked({ teamId: TEAM, name: "now managed", adoptId: existing }),
    );
    assert.equal(created.id, String(existing));
    assert.deepEqual(pathsSince(sim, before), ["/channel/info", "/channel/update"]);
    assert.equal(channel(existing).channel_name, "now managed");
    assert.equal(sim.channels().length, 1);
  });

  it("adopting a matching channel writes nothing; a missing one is refused", async () => {
    const existing = await createChannel(sim, "same");
    const before = sim.requests.length;
    await provider.create(await checked({ teamId: TEAM, name: "same", adoptId: existing }));
    assert.deepEqual(
      pathsSince(sim, before).filter((p) => WRITE_PATHS.test(p)),
      [],
    );
    await assert.rejects(
      provider.create(await checked({ teamId: TEAM, name: "x", adoptId: 555 })),
      /adoptId 555: no such Flashduty channel/,
    );
  });

  it("check names bad fields; diff handles unknowns and adoptId", async () => {
    const { failures } = await provider.check(
      {},
      {
        teamId: 0,
        name: "",
        description: "d".repeat(501),
        autoResolveTimeout: 3_000_000,
        autoResolveMode: "x",
        isPrivate: "no",
      },
    );
    assert.deepEqual((failures ?? []).map((f) => f.property).sort(), [
      "autoResolveMode",
      "autoResolveTimeout",
      "description",
      "isPrivate",
      "name",
      "teamId",
    ]);
    const state: ChannelOutputs = { channelId: 9, teamId: TEAM, name: "n" };
    assert.equal((await provider.diff("9", state, { teamId: TEAM, name: "n" })).changes, false);
    assert.equal((await provider.diff("9", state, { teamId: TEAM, name: UNKNOWN })).changes, true);
    assert.equal(
      (await provider.diff("9", { ...state, adoptId: 9 }, { teamId: TEAM, name: "n" })).changes,
      false,
    );
    assert.deepEqual(
      (await provider.diff("9", state, { teamId: TEAM, name: "n", adoptId: 10 })).replaces,
      ["adoptId"],
    );
  });
});

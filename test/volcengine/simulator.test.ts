// The simulator's API validation, envelopes, paging and event-center delivery.

import { strict as assert } from "node:assert";
import { VolcengineApiError, callVolcengine } from "../../components/volcengine/client";
import { createWebhook, findEventRule } from "../../components/volcengine/api";
import { VolcengineSimulator } from "../simulators/volcengine";
import { errorOf, settingsFor, startListener } from "./helpers";

describe("volcengine simulator: API", () => {
  let sim: VolcengineSimulator;
  before(async () => {
    sim = await VolcengineSimulator.start();
  });
  after(() => sim.stop());
  beforeEach(() => sim.reset());

  const call = (action: string, body: Record<string, unknown>) =>
    callVolcengine<Record<string, unknown>>(settingsFor(sim), action, body, { idempotent: true });
  const codeOf = async (action: string, body: Record<string, unknown>) => {
    const err = await errorOf(() => call(action, body));
    assert.ok(err instanceof VolcengineApiError, String(err));
    return `${err.httpStatus} ${err.code}`;
  };
  const TYPE = "ecs:Disk:DiskError.Redeploy.Executing";
  const rule = (extra: Record<string, unknown> = {}) => ({
    RuleName: "disk errors",
    EventBusName: "default",
    EventSource: "ecs",
    EventType: [TYPE],
    FilterPattern: { Source: "ecs", Type: [TYPE] },
    Level: "warning",
    ...extra,
  });

  it("validates CreateWebhook per the reference", async () => {
    assert.equal(
      await codeOf("CreateWebhook", { Type: "custom", Url: "https://a.example/x" }),
      "400 MissingParameter",
    );
    assert.equal(
      await codeOf("CreateWebhook", { Name: "n", Type: "slack", Url: "https://a.example/x" }),
      "400 InvalidParameter",
    );
    assert.equal(
      await codeOf("CreateWebhook", { Name: "n", Type: "custom", Url: "ftp://a.example/x" }),
      "400 InvalidParameter",
    );
    assert.equal(
      await codeOf("CreateWebhook", {
        Name: "n",
        Type: "custom",
        Url: `https://a.example/${"x".repeat(1000)}`,
      }),
      "400 InvalidParameter",
    );
    assert.equal(
      await codeOf("CreateWebhook", {
        Name: "é".repeat(257),
        Type: "custom",
        Url: "https://a.example",
      }),
      "400 InvalidParameter",
    );
    const ok = await call("CreateWebhook", {
      Name: "é".repeat(256),
      Type: "custom",
      Url: "https://a.example",
    });
    assert.ok(Array.isArray(ok.Data));
  });

  it("requires every field on UpdateWebhook and answers an unknown id with the configured not-found answer", async () => {
    const id = await createWebhook(settingsFor(sim), "n", "https://a.example");
    assert.equal(
      await codeOf("UpdateWebhook", { Id: id, Name: "m", Url: "https://a.example" }),
      "400 MissingParameter",
    );
    assert.equal(
      await codeOf("UpdateWebhook", {
        Id: "999",
        Name: "m",
        Type: "custom",
        Url: "https://a.example",
      }),
      "400 InvalidParameter",
    );
    sim.configure({ notFound: { status: 404, code: "ResourceNotFound" } });
    try {
      assert.equal(
        await codeOf("UpdateWebhook", {
          Id: "999",
          Name: "m",
          Type: "custom",
          Url: "https://a.example",
        }),
        "404 ResourceNotFound",
      );
    } finally {
      sim.configure({ notFound: undefined });
    }
    await call("UpdateWebhook", { Id: id, Name: "m", Type: "custom", Url: "https://b.example" });
    assert.equal(sim.webhooks()[0].Url, "https://b.example");
  });

  it("validates CreateEventRule: required fields, enums, bus name, HH:MM, callbacks", async () => {
    const hook = await createWebhook(settingsFor(sim), "n", "https://a.example");
    assert.equal(await codeOf("CreateEventRule", rule({ Level: "fatal" })), "400 InvalidParameter");
    assert.equal(
      await codeOf("CreateEventRule", rule({ EventBusName: "custom-bus" })),
      "400 InvalidParameter",
    );
    assert.equal(
      await codeOf("CreateEventRule", rule({ EventSource: undefined })),
      "400 MissingParameter",
    );
    // Cloud Control schema: EventType has at least one item; FilterPattern.Type is required.
    assert.equal(await codeOf("CreateEventRule", rule({ EventType: [] })), "400 MissingParameter");
    assert.equal(
      await codeOf("CreateEventRule", rule({ EventType: undefined })),
      "400 MissingParameter",
    );
    assert.equal(
      await codeOf("CreateEventRule", rule({ EventType: [TYPE, TYPE] })),
      "400 InvalidParameter",
    );
    assert.equal(
      await codeOf("CreateEventRule", rule({ FilterPattern: { Source: "ecs", Type: [] } })),
      "400 MissingParameter",
    );
    assert.equal(
      await codeOf("CreateEventRule", rule({ FilterPattern: undefined })),
      "400 MissingParameter",
    );
    // RuleName: 1–128 characters, not starting with a digit or a hyphen.
    for (const bad of ["1 disk", "-disk", "x".repeat(129)])
      assert.equal(
        await codeOf("CreateEventRule", rule({ RuleName: bad })),
        "400 InvalidParameter",
        bad,
      );
    // Description: 0–255; Chinese characters, letters, digits, _ - and Chinese punctuation only.
    for (const bad of ["has spaces", "1st", "-x", "，x", "dot.", "x".repeat(256)])
      assert.equal(
        await codeOf("CreateEventRule", rule({ Description: bad })),
        "400 InvalidParameter",
        bad,
      );
    assert.equal(
      await codeOf(
        "CreateEventRule",
        rule({ EffectiveTime: { StartTime: "8:00", EndTime: "23:59" } }),
      ),
      "400 InvalidParameter",
    );
    assert.equal(
      await codeOf("CreateEventRule", rule({ ContactMethods: ["Pager"] })),
      "400 InvalidParameter",
    );
    assert.equal(
      await codeOf("CreateEventRule", rule({ ContactMethods: ["Webhook"] })),
      "400 InvalidParameter",
    );
    assert.equal(
      await codeOf("CreateEventRule", rule({ ContactMethods: ["Webhook"], WebhookIds: ["nope"] })),
      "400 InvalidParameter",
    );
    assert.equal(sim.eventRules().length, 0);
    await call(
      "CreateEventRule",
      rule({ ContactMethods: ["Webhook"], WebhookIds: [hook], Description: "磁盘错误，告警_x-1" }),
    );
    assert.equal(sim.eventRules().length, 1);
    assert.deepEqual(sim.eventRules()[0].MessageQueue, {}, "MessageQueue is an object");
  });

  it("refuses WebhookIds together with Endpoint", async () => {
    const hook = await createWebhook(settingsFor(sim), "n", "https://a.example");
    const err = await errorOf(() =>
      call(
        "CreateEventRule",
        rule({ ContactMethods: ["Webhook"], WebhookIds: [hook], Endpoint: "https://b.example" }),
      ),
    );
    assert.ok(err instanceof VolcengineApiError);
    assert.equal(err.code, "InvalidParameter");
    assert.match(err.message, /WebhookIds and Endpoint/);
  });

  it("keeps EventSource immutable, requires Status on update, and refuses deleting a callback in use", async () => {
    const hook = await createWebhook(settingsFor(sim), "n", "https://a.example");
    const created = (await call(
      "CreateEventRule",
      rule({ ContactMethods: ["Webhook"], WebhookIds: [hook] }),
    )) as {
      Data: { RuleId: string };
    };
    const id = created.Data.RuleId;
    assert.equal(
      await codeOf("UpdateEventRule", {
        RuleId: id,
        ...rule({ Status: "enable", EventSource: "rds" }),
      }),
      "400 InvalidParameter",
    );
    assert.equal(
      await codeOf("UpdateEventRule", { RuleId: id, ...rule() }),
      "400 MissingParameter",
    );
    assert.equal(
      await codeOf("UpdateEventRule", { RuleId: "404", ...rule({ Status: "enable" }) }),
      "400 InvalidParameter",
    );
    assert.equal(await codeOf("DeleteWebhooksByIds", { Ids: [hook] }), "400 InvalidParameter");
    const deleted = await call("DeleteEventRule", { RuleId: [id], EventBusName: "default" });
    assert.deepEqual(deleted.Data, { RuleId: [id] }, "documented shape Data {RuleId: [...]}");
    assert.equal(await codeOf("DeleteEventRule", { RuleId: [id] }), "400 InvalidParameter");
    sim.configure({ deleteMissing: "success" });
    try {
      assert.deepEqual((await call("DeleteEventRule", { RuleId: [id] })).Data, { RuleId: [] });
    } finally {
      sim.configure({ deleteMissing: undefined });
    }
    await call("DeleteWebhooksByIds", { Ids: [hook] });
    assert.equal(sim.webhooks().length, 0);
  });

  it("deletes a callback in use and detaches it from its rules when webhookInUse is detach", async () => {
    const hook = await createWebhook(settingsFor(sim), "n", "https://a.example");
    await call("CreateEventRule", rule({ ContactMethods: ["Webhook"], WebhookIds: [hook] }));
    sim.configure({ webhookInUse: "detach" });
    try {
      await call("DeleteWebhooksByIds", { Ids: [hook] });
    } finally {
      sim.configure({ webhookInUse: undefined });
    }
    assert.equal(sim.webhooks().length, 0);
    assert.deepEqual(sim.eventRules()[0].WebhookIds, []);
  });

  it("returns webhook times as RFC 3339 strings and ListWebhooksByIds without TotalCount", async () => {
    const hook = await createWebhook(settingsFor(sim), "n", "https://a.example");
    const listed = await call("ListWebhooksByIds", { Ids: [hook] });
    assert.equal("TotalCount" in listed, false);
    const [w] = listed.Data as Array<Record<string, unknown>>;
    assert.match(String(w.CreatedAt), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/);
    assert.match(String(w.UpdatedAt), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/);
  });

  it("orders ListEventRules by UpdatedAt descending by default and honours OrderBy, Asc, RuleName, Source", async () => {
    const hook = await createWebhook(settingsFor(sim), "n", "https://a.example");
    const make = async (name: string, source = "ecs") =>
      (
        (await call(
          "CreateEventRule",
          rule({
            RuleName: name,
            EventSource: source,
            FilterPattern: { Source: source, Type: [TYPE] },
            ContactMethods: ["Webhook"],
            WebhookIds: [hook],
          }),
        )) as { Data: { RuleId: string } }
      ).Data.RuleId;
    const a = await make("alpha");
    const b = await make("beta", "rds");
    const c = await make("alphabet");
    // Touch a: it becomes the most recently updated.
    await call("UpdateEventRule", {
      RuleId: a,
      ...rule({
        RuleName: "alpha",
        Status: "enable",
        ContactMethods: ["Webhook"],
        WebhookIds: [hook],
      }),
    });
    const ids = async (body: Record<string, unknown>) =>
      ((await call("ListEventRules", body)).Data as Array<{ RuleId: string }>).map((r) => r.RuleId);
    assert.deepEqual(await ids({}), [a, c, b], "UpdatedAt, newest first");
    assert.deepEqual(await ids({ OrderBy: "CreatedAt", Asc: true }), [a, b, c]);
    assert.deepEqual(await ids({ OrderBy: "CreatedAt" }), [c, b, a], "Asc defaults to false");
    assert.deepEqual(await ids({ OrderBy: "RuleName", Asc: true }), [a, c, b]);
    assert.deepEqual(await ids({ Source: ["rds"] }), [b]);
    assert.deepEqual((await ids({ RuleName: "alpha" })).sort(), [a, c].sort(), "substring");
    sim.configure({ ruleNameFilter: "exact" });
    try {
      assert.deepEqual(await ids({ RuleName: "alpha" }), [a]);
    } finally {
      sim.configure({ ruleNameFilter: undefined });
    }
    assert.deepEqual(await ids({ PageSize: 1, PageNumber: 2 }), [c]);
    assert.equal(await codeOf("ListEventRules", { OrderBy: "Name" }), "400 InvalidParameter");
  });

  it("pages ListEventRules (TotalCount, PageNumber, PageSize) and the client finds a rule on a later page", async function () {
    this.timeout(60_000);
    const hook = await createWebhook(settingsFor(sim), "n", "https://a.example");
    const ids: string[] = [];
    for (let i = 0; i < 135; i++) {
      const r = (await call(
        "CreateEventRule",
        rule({
          RuleName: `rule ${String(i).padStart(3, "0")}`,
          ContactMethods: ["Webhook"],
          WebhookIds: [hook],
        }),
      )) as { Data: { RuleId: string } };
      ids.push(r.Data.RuleId);
    }
    const page1 = (await call("ListEventRules", { PageNumber: 1, PageSize: 30 })) as {
      Data: unknown[];
      TotalCount: number;
    };
    const page2 = (await call("ListEventRules", { PageNumber: 2, PageSize: 30 })) as {
      Data: unknown[];
      TotalCount: number;
    };
    assert.deepEqual([page1.Data.length, page2.Data.length, page1.TotalCount], [30, 30, 135]);
    assert.equal(await codeOf("ListEventRules", { PageSize: 1000 }), "400 InvalidParameter");
    sim.requests.length = 0;
    // By name: one call.
    assert.equal((await findEventRule(settingsFor(sim), ids[133], "rule 133"))?.RuleId, ids[133]);
    assert.equal(sim.requests.length, 1, "one call when filtered by name");
    sim.requests.length = 0;
    // Without a name (or renamed): page 1 for the total, then the pages from the last back.
    const found = await findEventRule(settingsFor(sim), ids[133]);
    assert.equal(found?.RuleName, "rule 133");
    assert.equal(sim.requests.length, 2, "page 1, then the last page (2 of 100)");
    sim.requests.length = 0;
    assert.equal(await findEventRule(settingsFor(sim), "missing", "rule 1"), undefined);
    // Name filter (1 page: "rule 1", "rule 10x", "rule 1xx" > 100 → 2 pages + page 1 again),
    // then the full scan (page 1, page 2, page 1).
    assert.ok(sim.requests.every((r) => r.action === "ListEventRules"));
  });

  it("answers with the {ResponseMetadata, Result} envelope", async () => {
    const res = await fetch(`${sim.baseUrl}/?Action=ListEventRules&Version=2018-01-01`, {
      method: "POST",
      body: "{}",
    });
    const body = (await res.json()) as { ResponseMetadata: Record<string, unknown> };
    assert.equal(res.status, 401);
    assert.equal(body.ResponseMetadata.Action, "ListEventRules");
    assert.equal(body.ResponseMetadata.Version, "2018-01-01");
    assert.equal(body.ResponseMetadata.Service, "Volc_Observe");
    assert.deepEqual(Object.keys(body.ResponseMetadata.Error as object), ["Code", "Message"]);
  });
});

describe("volcengine simulator: fireEvent", () => {
  let sim: VolcengineSimulator;
  before(async () => {
    sim = await VolcengineSimulator.start({
      accountId: "2100000042",
      delivery: { retryDelayMs: 10, timeoutMs: 1000 },
    });
  });
  after(() => sim.stop());
  beforeEach(() => sim.reset());

  const call = (action: string, body: Record<string, unknown>) =>
    callVolcengine<{ Data: { RuleId: string } }>(settingsFor(sim), action, body, {
      idempotent: true,
    });
  const makeRule = async (name: string, hook: string, extra: Record<string, unknown>) =>
    (
      await call("CreateEventRule", {
        RuleName: name,
        EventBusName: "default",
        EventSource: "ecs",
        EventType: ["ecs:Disk:DiskError.Redeploy.Executing"],
        FilterPattern: { Source: "ecs", Type: ["ecs:Disk:DiskError.Redeploy.Executing"] },
        Level: "critical",
        ContactMethods: ["Webhook"],
        WebhookIds: [hook],
        ...extra,
      })
    ).Data.RuleId;

  it("delivers to the callbacks of enabled, matching rules only, with the documented body and headers", async () => {
    const listener = await startListener();
    const other = await startListener();
    try {
      const hook = await createWebhook(
        settingsFor(sim),
        "Flashduty_Event",
        `${listener.url}/push?integration_key=k1`,
      );
      const otherHook = await createWebhook(settingsFor(sim), "other", `${other.url}/x`);
      const exact = await makeRule("exact type", hook, {
        EventType: ["ecs:Disk:DiskError.Redeploy.Executing"],
      });
      const both = await makeRule("two types", hook, {
        EventType: ["ecs:Instance:Stopped", "ecs:Disk:DiskError.Redeploy.Executing"],
        Level: "notice",
      });
      await makeRule("disabled", otherHook, { Status: "disable" });
      await makeRule("other type", otherHook, { EventType: ["ecs:Instance:Stopped"] });
      await makeRule("other source", otherHook, { EventSource: "rds" });
      // "*" is not a documented wildcard: only a literal type would match it.
      await makeRule("star", otherHook, { EventType: ["*"], Level: "warning" });
      const otherExact = await makeRule("other exact", otherHook, { Level: "warning" });

      const deliveries = await sim.fireEvent({
        source: "ecs",
        eventType: "ecs:Disk:DiskError.Redeploy.Executing",
        level: "critical",
        resourceName: "i-abc",
        happenedAt: 1664332705,
      });
      assert.equal(deliveries.length, 2);
      assert.ok(deliveries.every((d) => d.ok && d.attempts === 1));
      assert.equal(listener.calls.length, 1);
      assert.equal(other.calls.length, 1);

      const call1 = listener.calls[0];
      assert.equal(call1.path, "/push?integration_key=k1");
      assert.match(String(call1.headers["x-volc-trace-id"]), /^[0-9a-f-]{36}$/);
      const body = call1.body as Record<string, unknown>;
      assert.equal(call1.headers["x-volc-event-id"], body.Id);
      assert.equal(call1.headers["content-type"], "application/json");
      assert.equal(body.Type, "Event");
      assert.equal(body.AccountId, "2100000042");
      assert.equal(body.Region, "cn-beijing");
      assert.equal(body.Source, "ecs");
      assert.equal(body.ProjectName, "default");
      assert.equal(body.EventType, "ecs:Disk:DiskError.Redeploy.Executing");
      assert.equal(typeof body.DescriptionCN, "string");
      assert.equal(typeof body.Description, "string");
      assert.equal(body.HappenedAt, 1664332705);
      const details = body.Details as Record<string, unknown>;
      for (const key of [
        "specversion",
        "id",
        "source",
        "type",
        "volcpublishtime",
        "volcregion",
        "volcaccountid",
        "volceventbusname",
        "volcresourcename",
        "subject",
        "time",
      ])
        assert.ok(key in details, `Details.${key}`);
      assert.equal(details.volcresourcename, "i-abc");
      assert.equal(details.type, "ecs:Disk:DiskError.Redeploy.Executing");
      assert.deepEqual(
        (body.Rules as Array<Record<string, string>>)
          .map((r) => [r.RuleId, r.RuleName, r.Level])
          .sort(),
        [
          [exact, "exact type", "critical"],
          [both, "two types", "notice"],
        ].sort(),
      );
      assert.deepEqual(
        (other.calls[0].body as { Rules: Array<{ RuleId: string }> }).Rules.map((r) => r.RuleId),
        [otherExact],
      );
    } finally {
      await listener.close();
      await other.close();
    }
  });

  it("retries a failing callback up to 3 times with the same trace id", async () => {
    const listener = await startListener([500, 502]);
    try {
      const hook = await createWebhook(settingsFor(sim), "n", `${listener.url}/push`);
      await makeRule("r", hook, {});
      const [delivery] = await sim.fireEvent({});
      assert.equal(delivery.ok, true);
      assert.equal(delivery.attempts, 3);
      assert.equal(listener.calls.length, 3);
      const traces = new Set(listener.calls.map((c) => c.headers["x-volc-trace-id"]));
      assert.equal(traces.size, 1);
    } finally {
      await listener.close();
    }
  });

  it("stops after 1 + 3 attempts and reports the failure", async () => {
    const listener = await startListener([500, 500, 500, 500, 500]);
    try {
      const hook = await createWebhook(
        settingsFor(sim),
        "n",
        `${listener.url}/push?integration_key=secret`,
      );
      await makeRule("r", hook, {});
      const [delivery] = await sim.fireEvent({});
      assert.equal(delivery.ok, false);
      assert.equal(delivery.attempts, 4);
      assert.equal(delivery.status, 500);
      assert.ok(!delivery.safeUrl.includes("secret"), "safeUrl drops the query");
    } finally {
      await listener.close();
    }
  });

  it("never posts to a non-loopback callback", async () => {
    const hook = await createWebhook(
      settingsFor(sim),
      "n",
      "https://api.flashcat.cloud/event/push/alert/x",
    );
    await makeRule("r", hook, {});
    const [delivery] = await sim.fireEvent({});
    assert.equal(delivery.ok, false);
    assert.equal(delivery.attempts, 0);
    assert.match(delivery.error ?? "", /non-loopback/);
  });
});

// The AlertAction dynamic provider (CloudMonitor 2.0 push channel) against the local CMS 2.0
// simulator: real HTTP, requests signed by @alicloud/openapi-core and verified by the simulator's
// independent ACS3 verifier.
import { strict as assert } from "node:assert";
import type * as pulumi from "@pulumi/pulumi";
import { AliyunCmsSimulator } from "../simulators/aliyun-cms";
import {
  AlertActionInputs,
  AlertActionOutputs,
  AlertActionProvider,
} from "../../components/aliyun/alertAction";
import {
  CmsConfigError,
  listAlertActions,
  resolveCmsSettings,
} from "../../components/aliyun/cmsClient";
import { UNKNOWN } from "../../components/common/unknown";

const PUSH_URL =
  "https://api.flashcat.cloud/event/push/alert/aliyun?integration_key=secretkey0123456789abcdef";
const SECRET_PART = "secretkey0123456789abcdef";

function configured(
  sim: AliyunCmsSimulator,
  overrides: Record<string, string | undefined> = {},
): AlertActionProvider {
  const provider = new AlertActionProvider();
  const values: Record<string, string | undefined> = {
    "alicloud:accessKey": sim.accessKeyId,
    "alicloud:secretKey": sim.accessKeySecret,
    "alicloud:region": "cn-hangzhou",
    "flashduty-wiring:aliyun": JSON.stringify({ cmsEndpoint: sim.endpoint }),
    ...overrides,
  };
  void provider.configure({
    config: { get: (k: string) => values[k] },
  } as unknown as pulumi.dynamic.ConfigureRequest);
  return provider;
}

const inputs = (over: Partial<AlertActionInputs> = {}): AlertActionInputs => ({
  name: "flashduty-dev",
  url: PUSH_URL,
  method: "POST",
  contentType: "JSON",
  ...over,
});

async function createVia(p: AlertActionProvider, i: AlertActionInputs) {
  const checked = await p.check(i, i);
  assert.equal(checked.failures, undefined, JSON.stringify(checked.failures));
  return p.create(checked.inputs as AlertActionInputs);
}

describe("aliyun AlertAction provider", () => {
  let sim: AliyunCmsSimulator;
  beforeEach(async () => {
    sim = await new AliyunCmsSimulator().start();
  });
  afterEach(() => sim.stop());

  it("creates a WEBHOOK alert action with the documented request and reads it back", async () => {
    const p = configured(sim);
    const created = await createVia(p, inputs({ headers: { "X-Token": "t0ken" } }));
    const stored = sim.alertActions.get(created.id);
    assert.ok(stored);
    assert.deepEqual(
      { name: stored.alertActionName, type: stored.type, w: stored.webhookParam },
      {
        name: "flashduty-dev",
        type: "WEBHOOK",
        w: { url: PUSH_URL, method: "POST", contentType: "JSON", headers: { "X-Token": "t0ken" } },
      },
    );
    const create = sim.requests.find((r) => r.action === "CreateAlertAction");
    assert.deepEqual([create?.method, create?.path, create?.status], ["POST", "/alertAction", 200]);
    assert.deepEqual(created.outs, {
      ...inputs({ headers: { "X-Token": "t0ken" } }),
      alertActionId: created.id,
      type: "WEBHOOK",
      region: "cn-hangzhou",
    });
    const read = await p.read(created.id, created.outs as AlertActionOutputs);
    assert.deepEqual(read.props, created.outs);
  });

  it("updates in place with PATCH /alertAction/{id} and shows drift made in the console", async () => {
    const p = configured(sim);
    const created = await createVia(p, inputs());
    const outs = created.outs as AlertActionOutputs;
    const news = inputs({ name: "flashduty-dev-2", contentType: "FORM" });
    const diff = await p.diff(created.id, outs, news);
    assert.deepEqual([diff.changes, diff.replaces], [true, []]);
    await p.update(created.id, outs, news);
    const patch = sim.requests.find((r) => r.action === "UpdateAlertAction");
    assert.deepEqual([patch?.method, patch?.path], ["PATCH", `/alertAction/${created.id}`]);
    assert.equal(sim.alertActions.get(created.id)?.webhookParam?.contentType, "FORM");

    // Someone edits the channel in the console: refresh reads the server's values.
    const obj = sim.alertActions.get(created.id);
    if (obj?.webhookParam) obj.webhookParam.url = "https://elsewhere.example/hook";
    const read = await p.read(created.id, outs);
    assert.equal((read.props as AlertActionOutputs).url, "https://elsewhere.example/hook");
    const drift = await p.diff(created.id, read.props as AlertActionOutputs, news);
    assert.ok(drift.changes);
  });

  it("deletes with DeleteAlertActions (ids as a JSON array) and treats a gone object as deleted", async () => {
    const p = configured(sim);
    const created = await createVia(p, inputs());
    await p.delete(created.id, created.outs as AlertActionOutputs);
    const del = sim.requests.find((r) => r.action === "DeleteAlertActions");
    assert.deepEqual(JSON.parse(del?.query.alertActionIds ?? ""), [created.id]);
    assert.equal(sim.alertActions.size, 0);
    // Deleted again (e.g. removed in the console first): no error, no second DELETE.
    await p.delete(created.id, created.outs as AlertActionOutputs);
    assert.equal(sim.requests.filter((r) => r.action === "DeleteAlertActions").length, 1);
    const read = await p.read(created.id, created.outs as AlertActionOutputs);
    assert.equal(read.id, "");
  });

  it("adopts an existing alert action by id and brings it to the declared values", async () => {
    const existing = sim.seed({
      alertActionName: "made-in-console",
      type: "WEBHOOK",
      webhookParam: { url: "https://old.example/x", method: "GET", contentType: "FORM" },
    });
    const p = configured(sim);
    const created = await createVia(p, inputs({ adoptId: existing.alertActionId }));
    assert.equal(created.id, existing.alertActionId);
    assert.equal(sim.requests.filter((r) => r.action === "CreateAlertAction").length, 0);
    assert.deepEqual(sim.alertActions.get(existing.alertActionId)?.webhookParam, {
      url: PUSH_URL,
      method: "POST",
      contentType: "JSON",
    });
    await assert.rejects(
      createVia(p, inputs({ adoptId: "aa-does-not-exist" })),
      /adoptId: alert action aa-does-not-exist does not exist/,
    );
    const mns = sim.seed({ alertActionName: "q", type: "MNS" });
    await assert.rejects(createVia(p, inputs({ adoptId: mns.alertActionId })), /type MNS/);
    // A different adoptId later means another object: replace.
    const diff = await p.diff(
      created.id,
      created.outs as AlertActionOutputs,
      inputs({ adoptId: "other" }),
    );
    assert.deepEqual(diff.replaces, ["adoptId"]);
  });

  it("finds its object beyond the first page of ListAlertActions", async () => {
    const small = await new AliyunCmsSimulator({
      maxPageSize: 3,
      accessKeyId: sim.accessKeyId,
      accessKeySecret: sim.accessKeySecret,
    }).start();
    try {
      for (let i = 0; i < 7; i++) small.seed({ alertActionName: `n${i}`, type: "WEBHOOK" });
      const p = configured(small);
      const all = await listAlertActions(p.settings(), {});
      assert.equal(all.length, 7);
      assert.equal(small.requests.filter((r) => r.action === "ListAlertActions").length, 3);
    } finally {
      await small.stop();
    }
  });

  it("reports API errors without the push URL, headers or keys", async () => {
    const p = configured(sim);
    sim.faults.push({
      action: "CreateAlertAction",
      status: 400,
      code: "InvalidParameter",
      message: `webhookParam.url ${PUSH_URL} is missing or invalid.`,
    });
    const err = await createVia(p, inputs({ headers: { Authorization: "Bearer hdrsecret" } })).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    assert.ok(err, "the create must fail");
    const text = `${err.message}\n${err.stack ?? ""}\n${JSON.stringify(err)}`;
    assert.match(err.message, /CreateAlertAction failed \(HTTP 400, InvalidParameter\)/);
    for (const secret of [SECRET_PART, "hdrsecret", sim.accessKeySecret])
      assert.ok(!text.includes(secret), `error text leaks ${secret.slice(0, 4)}…`);
  });

  it("retries throttling and idempotent 5xx, but never repeats a create the server may have applied", async () => {
    const p = configured(sim);
    sim.faults.push({
      action: "CreateAlertAction",
      status: 400,
      code: "Throttling.User",
      message: "Request was denied due to user flow control.",
    });
    sim.faults.push({
      action: "ListAlertActions",
      status: 503,
      code: "ServiceUnavailable",
      message: "busy",
    });
    const created = await createVia(p, inputs());
    assert.equal(sim.requests.filter((r) => r.action === "CreateAlertAction").length, 2);
    const read = await p.read(created.id, created.outs as AlertActionOutputs);
    assert.equal(read.id, created.id);
    assert.equal(sim.requests.filter((r) => r.action === "ListAlertActions").length, 2);

    sim.faults.push({
      action: "CreateAlertAction",
      status: 500,
      code: "InternalUnknownError",
      message: "x",
    });
    await assert.rejects(
      createVia(p, inputs({ name: "second" })),
      /HTTP 500, InternalUnknownError/,
    );
    assert.equal(sim.requests.filter((r) => r.action === "CreateAlertAction").length, 3);
    assert.equal(sim.alertActions.size, 1);
  });

  it("fails a forged request: the simulator really checks the signature", async () => {
    const p = configured(sim, { "alicloud:secretKey": "wrong-secret" });
    await assert.rejects(createVia(p, inputs()), /SignatureDoesNotMatch/);
  });

  it("checks inputs before calling the API, without echoing the URL", async () => {
    const p = configured(sim);
    const bad = await p.check(
      inputs(),
      inputs({
        name: "",
        url: "http://insecure.example/?integration_key=abc",
        method: "PUT" as never,
        contentType: "XML" as never,
      }),
    );
    const props = (bad.failures ?? []).map((f) => f.property).sort();
    assert.deepEqual(props, ["contentType", "method", "name", "url"]);
    assert.ok(!JSON.stringify(bad.failures).includes("integration_key"));
    // Preview unknowns are not judged.
    const unknown = await p.check(inputs(), inputs({ url: UNKNOWN }));
    assert.equal(unknown.failures, undefined);
    assert.equal(sim.requests.length, 0);
  });
});

describe("aliyun CMS 2.0 settings", () => {
  it("uses alicloud:* config, the regional endpoint, and lists every problem at once", () => {
    assert.deepEqual(
      resolveCmsSettings({ accessKeyId: "a", accessKeySecret: "b", region: "cn-shanghai" }, {}),
      {
        accessKeyId: "a",
        accessKeySecret: "b",
        region: "cn-shanghai",
        endpoint: "https://cms.cn-shanghai.aliyuncs.com",
      },
    );
    const env = {
      ALIBABA_CLOUD_ACCESS_KEY_ID: "ea",
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: "eb",
      ALICLOUD_REGION: "ap-southeast-1",
    };
    assert.equal(resolveCmsSettings({}, env).accessKeyId, "ea");
    assert.equal(resolveCmsSettings({}, env).endpoint, "https://cms.ap-southeast-1.aliyuncs.com");
    assert.equal(
      resolveCmsSettings(
        {},
        { ALICLOUD_ACCESS_KEY: "oa", ALICLOUD_SECRET_KEY: "ob", ALICLOUD_REGION: "cn-hangzhou" },
      ).accessKeySecret,
      "ob",
    );
    try {
      resolveCmsSettings({ accessKeyId: "a", endpoint: "http://cms.example.com" }, env);
      assert.fail("expected a CmsConfigError");
    } catch (e) {
      assert.ok(e instanceof CmsConfigError);
      const text = e.problems.join("\n");
      assert.match(text, /alicloud:secretKey: not set/);
      assert.match(text, /cmsEndpoint: must use https/);
      assert.equal(e.problems.length, 2, "the region comes from the environment");
    }
  });
});

// The CloudMonitor 2.0 simulator's own ACS3-HMAC-SHA256 verifier, checked against the signature
// example Alibaba Cloud publishes ("Request syntax and signature method V3": RunInstances on
// ecs.cn-shanghai, AccessKey YourAccessKeyId / YourAccessKeySecret, date 2023-10-26T10:22:32Z,
// nonce 3156853299f313e23d1673dc12e1703d), and the simulator's HTTP behaviour with raw requests
// signed by hand (never by the client's library).
import { strict as assert } from "node:assert";
import http from "node:http";
import { AliyunCmsSimulator } from "./aliyun-cms";
import {
  canonicalQuery,
  canonicalRequest,
  canonicalUri,
  sha256Hex,
  signature,
  stringToSign,
  verifyRequest,
} from "./aliyun-cms/signature";

const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const PUBLISHED = {
  method: "POST",
  path: "/",
  query: "ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai",
  headers: {
    host: "ecs.cn-shanghai.aliyuncs.com",
    "x-acs-action": "RunInstances",
    "x-acs-content-sha256": EMPTY_SHA256,
    "x-acs-date": "2023-10-26T10:22:32Z",
    "x-acs-signature-nonce": "3156853299f313e23d1673dc12e1703d",
    "x-acs-version": "2014-05-26",
  } as Record<string, string>,
  body: "",
};
const PUBLISHED_HASHED_CANONICAL =
  "7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259";
const PUBLISHED_SIGNATURE = "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0";
const PUBLISHED_AUTHORIZATION =
  "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;" +
  "x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=" +
  PUBLISHED_SIGNATURE;

describe("aliyun-cms simulator: ACS3-HMAC-SHA256 verifier", () => {
  it("reproduces Alibaba's published example step by step", () => {
    assert.equal(sha256Hex(""), EMPTY_SHA256);
    const { text, signedHeaders } = canonicalRequest(PUBLISHED);
    assert.equal(
      signedHeaders,
      "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version",
    );
    assert.equal(sha256Hex(text), PUBLISHED_HASHED_CANONICAL);
    assert.equal(stringToSign(text), `ACS3-HMAC-SHA256\n${PUBLISHED_HASHED_CANONICAL}`);
    assert.equal(signature("YourAccessKeySecret", stringToSign(text)), PUBLISHED_SIGNATURE);
  });

  it("accepts the published Authorization header and rejects any change to the request", () => {
    const secretOf = (id: string) => (id === "YourAccessKeyId" ? "YourAccessKeySecret" : undefined);
    const signed = { ...PUBLISHED.headers, authorization: PUBLISHED_AUTHORIZATION };
    assert.deepEqual(verifyRequest({ ...PUBLISHED, headers: signed }, secretOf), {
      ok: true,
      accessKeyId: "YourAccessKeyId",
    });
    const tampered = [
      { ...PUBLISHED, headers: signed, query: PUBLISHED.query.replace("shanghai", "beijing") },
      { ...PUBLISHED, headers: signed, method: "GET" },
      { ...PUBLISHED, headers: signed, path: "/alertAction" },
      { ...PUBLISHED, headers: { ...signed, "x-acs-action": "DeleteInstance" } },
      // An unsigned x-acs-* header is a mismatch: every qualifying header must be signed.
      { ...PUBLISHED, headers: { ...signed, "x-acs-extra": "1" } },
    ];
    for (const t of tampered)
      assert.equal((verifyRequest(t, secretOf) as { code?: string }).code, "SignatureDoesNotMatch");
    assert.equal(
      (verifyRequest({ ...PUBLISHED, headers: signed, body: "{}" }, secretOf) as { code?: string })
        .code,
      "IncompleteSignature",
      "a body that does not match x-acs-content-sha256",
    );
    assert.equal(
      (verifyRequest({ ...PUBLISHED, headers: signed }, () => undefined) as { code?: string }).code,
      "InvalidAccessKeyId.NotFound",
    );
  });

  it("encodes paths and queries as RFC 3986 prescribes", () => {
    assert.equal(canonicalUri("/alertAction/a%20b*c~d"), "/alertAction/a%20b%2Ac~d");
    assert.equal(
      canonicalQuery("pageSize=100&alertActionIds=%5B%22x%22%5D&pageNumber=1"),
      "alertActionIds=%5B%22x%22%5D&pageNumber=1&pageSize=100",
    );
    assert.equal(canonicalQuery(""), "");
  });
});

/** A raw request to the simulator, signed with the verifier's documented steps. */
async function signedRequest(
  sim: AliyunCmsSimulator,
  opts: {
    method: string;
    path: string;
    action: string;
    body?: unknown;
    nonce?: string;
    secret?: string;
  },
): Promise<{ status: number; body: Record<string, unknown> }> {
  const url = new URL(opts.path, sim.endpoint);
  const body = opts.body === undefined ? "" : JSON.stringify(opts.body);
  const headers: Record<string, string> = {
    host: url.host,
    "x-acs-action": opts.action,
    "x-acs-version": "2024-03-30",
    "x-acs-date": new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    "x-acs-signature-nonce": opts.nonce ?? Math.random().toString(16).slice(2),
    "x-acs-content-sha256": sha256Hex(body),
    ...(body ? { "content-type": "application/json; charset=utf-8" } : {}),
  };
  const { text, signedHeaders } = canonicalRequest({
    method: opts.method,
    path: url.pathname,
    query: url.search.slice(1),
    headers,
    body,
  });
  headers.authorization =
    `ACS3-HMAC-SHA256 Credential=${sim.accessKeyId},SignedHeaders=${signedHeaders},` +
    `Signature=${signature(opts.secret ?? sim.accessKeySecret, stringToSign(text))}`;
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          body: JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>,
        }),
      );
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("aliyun-cms simulator: API behaviour", () => {
  let sim: AliyunCmsSimulator;
  beforeEach(async () => {
    sim = await new AliyunCmsSimulator({ maxPageSize: 2 }).start();
  });
  afterEach(() => sim.stop());

  const create = (name: string) =>
    signedRequest(sim, {
      method: "POST",
      path: "/alertAction",
      action: "CreateAlertAction",
      body: {
        alertActionName: name,
        type: "WEBHOOK",
        webhookParam: { url: "https://x.example/p", method: "POST", contentType: "JSON" },
      },
    });

  it("creates, pages, updates and deletes with the documented shapes", async () => {
    const ids: string[] = [];
    for (const n of ["a", "b", "c"]) {
      const r = await create(n);
      assert.equal(r.status, 200);
      assert.equal(typeof r.body.requestId, "string");
      ids.push(r.body.alertActionId as string);
    }
    const page2 = await signedRequest(sim, {
      method: "GET",
      path: "/alertActions?pageNumber=2&pageSize=100",
      action: "ListAlertActions",
    });
    assert.equal(page2.body.total, 3);
    assert.equal(page2.body.pageSize, 2);
    assert.deepEqual(
      (page2.body.alertActions as { alertActionName: string }[]).map((a) => a.alertActionName),
      ["c"],
    );
    const upd = await signedRequest(sim, {
      method: "PATCH",
      path: `/alertAction/${ids[0]}`,
      action: "UpdateAlertAction",
      body: { alertActionName: "a2", webhookParam: { url: "https://y.example/p" } },
    });
    assert.equal(upd.status, 200);
    assert.equal(sim.alertActions.get(ids[0])?.alertActionName, "a2");
    const del = await signedRequest(sim, {
      method: "DELETE",
      path: `/alertActions?alertActionIds=${encodeURIComponent(JSON.stringify([ids[1]]))}`,
      action: "DeleteAlertActions",
    });
    assert.equal(del.status, 200);
    assert.equal(sim.alertActions.has(ids[1]), false);
  });

  it("answers missing objects, bad input, bad signatures and replays with the error envelope", async () => {
    const missing = await signedRequest(sim, {
      method: "PATCH",
      path: "/alertAction/nope",
      action: "UpdateAlertAction",
      body: { alertActionName: "x" },
    });
    assert.equal(missing.status, 404);
    assert.match(String(missing.body.code), /NotExist$/);
    assert.equal(typeof missing.body.message, "string");
    assert.equal(typeof missing.body.requestId, "string");
    const bad = await signedRequest(sim, {
      method: "POST",
      path: "/alertAction",
      action: "CreateAlertAction",
      body: { alertActionName: "x", type: "OPEN_API" },
    });
    assert.deepEqual([bad.status, bad.body.code], [400, "InvalidParameter"]);
    const forged = await signedRequest(sim, {
      method: "GET",
      path: "/alertActions",
      action: "ListAlertActions",
      secret: "not-the-secret",
    });
    assert.deepEqual([forged.status, forged.body.code], [400, "SignatureDoesNotMatch"]);
    await signedRequest(sim, {
      method: "GET",
      path: "/alertActions",
      action: "ListAlertActions",
      nonce: "n1",
    });
    const replay = await signedRequest(sim, {
      method: "GET",
      path: "/alertActions",
      action: "ListAlertActions",
      nonce: "n1",
    });
    assert.equal(replay.body.code, "SignatureNonceUsed");
    const wrongAction = await signedRequest(sim, {
      method: "GET",
      path: "/alertActions",
      action: "CreateAlertAction",
    });
    assert.equal(wrongAction.status, 404);
  });
});

// The simulator's signature verifier against (1) a signature computed by hand, step by step from
// the reference §3.5, for fixed inputs, and (2) the vendor signer's output; tampering is rejected.

import { strict as assert } from "node:assert";
import { createHash, createHmac } from "node:crypto";
import { Signer } from "@volcengine/openapi";
import {
  canonicalQuery,
  computeSignature,
  verifyRequest,
  VerifyRequest,
} from "../simulators/volcengine/signature";

const AK = "AKLTexampleAccessKey0001";
const SK = "ZXhhbXBsZVNlY3JldEtleQ==";
const REGION = "cn-beijing";
const SERVICE = "Volc_Observe";
const HOST = "127.0.0.1:40000";
const X_DATE = "20261123T050000Z";
const NOW = Date.UTC(2026, 10, 23, 5, 0, 0);
const BODY = '{"Name":"Flashduty_Event","Type":"custom","Url":"https://example.invalid/push?k=1"}';
const QUERY = "Version=2018-01-01&Action=CreateWebhook";

/** Every step of §3.5 spelled out literally, independent of the simulator's helper functions. */
function signByHand(
  secret: string,
  body: string,
  host: string,
): { signature: string; contentSha: string } {
  const hex = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");
  const mac = (key: string | Buffer, s: string) =>
    createHmac("sha256", key).update(s, "utf8").digest();
  const contentSha = hex(body);
  const canonicalRequest =
    "POST\n" +
    "/\n" +
    "Action=CreateWebhook&Version=2018-01-01\n" +
    `host:${host}\n` +
    `x-content-sha256:${contentSha}\n` +
    `x-date:${X_DATE}\n` +
    "\n" +
    "host;x-content-sha256;x-date\n" +
    contentSha;
  const scope = `20261123/${REGION}/${SERVICE}/request`;
  const stringToSign = `HMAC-SHA256\n${X_DATE}\n${scope}\n${hex(canonicalRequest)}`;
  const kDate = mac(secret, "20261123");
  const kRegion = mac(kDate, REGION);
  const kService = mac(kRegion, SERVICE);
  const kSigning = mac(kService, "request");
  return {
    signature: createHmac("sha256", kSigning).update(stringToSign).digest("hex"),
    contentSha,
  };
}

function handSignedRequest(
  overrides: Partial<{ body: string; host: string; secret: string }> = {},
): VerifyRequest {
  const body = overrides.body ?? BODY;
  const { signature, contentSha } = signByHand(
    overrides.secret ?? SK,
    body,
    overrides.host ?? HOST,
  );
  return {
    method: "POST",
    path: "/",
    rawQuery: QUERY,
    headers: {
      host: HOST,
      "x-date": X_DATE,
      "x-content-sha256": contentSha,
      "content-type": "application/json",
      authorization: `HMAC-SHA256 Credential=${AK}/20261123/${REGION}/${SERVICE}/request, SignedHeaders=host;x-content-sha256;x-date, Signature=${signature}`,
    },
    body: Buffer.from(BODY),
  };
}

const options = (now = NOW) => ({
  keys: new Map([[AK, SK]]),
  regions: new Set([REGION]),
  service: SERVICE,
  now,
});

describe("volcengine simulator: signature verification", () => {
  it("builds the canonical query sorted by name with RFC 3986 encoding", () => {
    assert.equal(
      canonicalQuery("Version=2018-01-01&Action=CreateWebhook"),
      "Action=CreateWebhook&Version=2018-01-01",
    );
    assert.equal(canonicalQuery("b=2&a=x%20y&a=1&c=%2A!"), "a=x%20y&a=1&b=2&c=%2A%21");
  });

  it("accepts a request signed by hand from the documented steps", () => {
    const req = handSignedRequest();
    assert.equal(verifyRequest(req, options()), undefined);
    // The simulator's signature function gives the same value as the hand computation.
    const sig = /Signature=([0-9a-f]+)/.exec(String(req.headers.authorization))![1];
    assert.equal(
      computeSignature(
        {
          method: "POST",
          path: "/",
          rawQuery: QUERY,
          headers: {
            host: HOST,
            "x-date": X_DATE,
            "x-content-sha256": String(req.headers["x-content-sha256"]),
          },
          signedHeaders: ["x-date", "host", "x-content-sha256"],
          body: BODY,
          xDate: X_DATE,
          credentialScope: `20261123/${REGION}/${SERVICE}/request`,
        },
        SK,
      ),
      sig,
    );
  });

  it("agrees with the vendor signer (@volcengine/openapi Signer) for the same fixed inputs", () => {
    const request = {
      region: REGION,
      method: "POST",
      pathname: "/",
      params: { Action: "CreateWebhook", Version: "2018-01-01" },
      headers: { Host: HOST, "Content-Type": "application/json" } as Record<string, string>,
      body: BODY,
    };
    const signer = new Signer(request, SERVICE);
    signer.addAuthorization({ accessKeyId: AK, secretKey: SK }, new Date(NOW));
    const headers = signer.request.headers as Record<string, string>;
    const vendorSig = /Signature=([0-9a-f]{64})/.exec(headers.Authorization)![1];
    assert.equal(vendorSig, signByHand(SK, BODY, HOST).signature);
    const lower: Record<string, string> = {};
    for (const [k, v] of Object.entries(headers)) lower[k.toLowerCase()] = v;
    assert.equal(
      verifyRequest(
        { method: "POST", path: "/", rawQuery: QUERY, headers: lower, body: Buffer.from(BODY) },
        options(),
      ),
      undefined,
    );
  });

  it("rejects a tampered body, a tampered signed header and a wrong secret", () => {
    const good = handSignedRequest();
    const tamperedBody = { ...good, body: Buffer.from(BODY.replace("custom", "wecom")) };
    assert.equal(verifyRequest(tamperedBody, options())?.code, "SignatureDoesNotMatch");
    // Body changed and X-Content-Sha256 recomputed to match: the signature still fails.
    const forged = BODY.replace("custom", "wecom");
    const forgedReq = {
      ...good,
      body: Buffer.from(forged),
      headers: {
        ...good.headers,
        "x-content-sha256": createHash("sha256").update(forged).digest("hex"),
      },
    };
    const v1 = verifyRequest(forgedReq, options());
    assert.equal(v1?.code, "SignatureDoesNotMatch");
    assert.equal(v1?.status, 401);
    const otherHost = { ...good, headers: { ...good.headers, host: "127.0.0.1:40001" } };
    assert.equal(verifyRequest(otherHost, options())?.code, "SignatureDoesNotMatch");
    const wrongSecret = handSignedRequest({ secret: "not-the-secret" });
    assert.equal(verifyRequest(wrongSecret, options())?.code, "SignatureDoesNotMatch");
  });

  it("rejects unknown keys (401), stale dates (400, or 403 as docs/6408/78947 says), foreign regions/services (400)", () => {
    const good = handSignedRequest();
    const auth = String(good.headers.authorization);
    const unknownKey = {
      ...good,
      headers: { ...good.headers, authorization: auth.replace(AK, "AKLTother") },
    };
    assert.deepEqual(
      [verifyRequest(unknownKey, options())?.code, verifyRequest(unknownKey, options())?.status],
      ["InvalidAccessKey", 401],
    );
    assert.equal(verifyRequest(good, options(NOW + 16 * 60_000))?.code, "InvalidTimestamp");
    assert.equal(verifyRequest(good, options(NOW - 16 * 60_000))?.code, "InvalidTimestamp");
    assert.equal(verifyRequest(good, options(NOW - 16 * 60_000))?.status, 400);
    assert.equal(
      verifyRequest(good, { ...options(NOW - 16 * 60_000), timestampStatus: 403 })?.status,
      403,
    );
    assert.equal(verifyRequest(good, options(NOW + 14 * 60_000)), undefined);
    const otherRegion = {
      ...good,
      headers: { ...good.headers, authorization: auth.replace(REGION, "cn-shanghai") },
    };
    assert.equal(verifyRequest(otherRegion, options())?.code, "InvalidCredential");
    assert.equal(verifyRequest(otherRegion, options())?.status, 400);
    const otherService = {
      ...good,
      headers: { ...good.headers, authorization: auth.replace(SERVICE, "iam") },
    };
    assert.equal(verifyRequest(otherService, options())?.code, "InvalidCredential");
    const { authorization: _a, ...noAuth } = good.headers;
    assert.equal(
      verifyRequest({ ...good, headers: noAuth }, options())?.code,
      "MissingAuthenticationToken",
    );
    const garbled = { ...good, headers: { ...good.headers, authorization: "Bearer abc" } };
    assert.equal(verifyRequest(garbled, options())?.code, "InvalidAuthorization");
    const unsignedHost = {
      ...good,
      headers: {
        ...good.headers,
        authorization: auth.replace("SignedHeaders=host;", "SignedHeaders="),
      },
    };
    assert.equal(verifyRequest(unsignedHost, options())?.code, "InvalidAuthorization");
  });
});

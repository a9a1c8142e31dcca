// The root hook of .mocharc.json keeps every test file on loopback: this file installs nothing
// itself, so it fails if the hook is not active.
import { strict as assert } from "node:assert";
import { connect } from "node:net";

describe("test runner: loopback-only guard", () => {
  it("refuses a connection to a non-loopback address before anything is sent", () => {
    // 192.0.2.1 is TEST-NET-1 (RFC 5737): never routed, and never reached here.
    assert.throws(() => connect({ host: "192.0.2.1", port: 9 }), /non-loopback host 192\.0\.2\.1/);
    assert.throws(
      () => connect({ host: "open.volcengineapi.com", port: 443 }),
      /non-loopback host open\.volcengineapi\.com/,
    );
  });

  it("also stops plain http and fetch, whose sockets connect with pre-normalized arguments", async () => {
    const { get } = await import("node:http");
    const viaHttp = await new Promise<string>((resolve) => {
      try {
        const req = get("http://192.0.2.1:9/", () => resolve("answered"));
        req.once("error", (err) => resolve(err.message));
      } catch (err) {
        resolve((err as Error).message);
      }
    });
    assert.match(viaHttp, /non-loopback host 192\.0\.2\.1/);
    const viaFetch = await fetch("http://192.0.2.1:8080/").then(
      () => "answered",
      (err: Error & { cause?: Error }) => `${err.message}: ${err.cause?.message}`,
    );
    assert.match(viaFetch, /non-loopback host 192\.0\.2\.1/);
  });

  it("lets loopback connections through", async () => {
    const socket = connect({ host: "127.0.0.1", port: 9 });
    // Nothing listens on port 9: the connection is refused, which proves it was attempted.
    const outcome = await new Promise<string>((resolve) => {
      socket.once("error", (err: NodeJS.ErrnoException) => resolve(err.code ?? "error"));
      socket.once("connect", () => resolve("connected"));
    });
    socket.destroy();
    assert.ok(["ECONNREFUSED", "connected"].includes(outcome), outcome);
  });
});

// Tests never reach a non-loopback address (team standard): while the suite runs, any TCP connect
// to another host throws before a DNS lookup or a packet. Installed for every test file as a mocha
// root hook (.mocharc.json `require`); suites may also install it themselves (guards nest).

const ALLOWED_HOSTS: ReadonlyArray<string | undefined> = [
  "127.0.0.1",
  "localhost",
  "::1",
  undefined,
];

/**
 * Makes any non-loopback TCP connection attempt from this process fail loudly. Returns the
 * function that removes the guard.
 */
export function guardLoopbackOnly(): () => void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const net = require("node:net") as typeof import("node:net");
  const original = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function guardedConnect(this: unknown, ...args: unknown[]) {
    // net.connect / net.createConnection (plain http.Agent, undici's fetch) pass their arguments
    // already normalized, as an array whose first element is the options object.
    const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
    let host: string | undefined;
    if (typeof first === "object" && first !== null) {
      const options = first as { host?: string; port?: unknown; path?: unknown };
      // A TCP connection has a port (HTTP(S) options also carry the request path); only a
      // port-less call with a path is a local IPC socket.
      host =
        options.port === undefined && typeof options.path === "string" ? "localhost" : options.host;
    } else if (typeof args[1] === "string") {
      host = args[1];
    }
    if (!ALLOWED_HOSTS.includes(host))
      throw new Error(`test tried to reach non-loopback host ${host}`);
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original;
  return () => {
    net.Socket.prototype.connect = original;
  };
}

let removeGuard: (() => void) | undefined;

export const mochaHooks = {
  beforeAll(): void {
    removeGuard = guardLoopbackOnly();
  },
  afterAll(): void {
    removeGuard?.();
  },
};

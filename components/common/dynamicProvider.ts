// The one way this project hands a provider to `pulumi.dynamic.Resource`: a small stub whose
// methods load the module that implements the provider when the dynamic-provider host first calls
// them. Pulumi serializes a dynamic resource's provider by value into the state (inputs and
// outputs of every resource); serializing the implementation itself put 27–44 KB per resource
// there, while this stub is a few kilobytes and the same for every resource of a type.
//
// What the host (`@pulumi/pulumi/cmd/dynamic-provider`) does and why the stub is written this way:
// - it evaluates the text with `require-from-string`, so a `require(...)` call inside a function
//   body stays a call (the closure serializer keeps it as text) and runs in the host;
// - it runs with the program's directory as its working directory, but as plain Node: the stub
//   registers ts-node (transpile only) before it requires a `.ts` implementation;
// - it cannot resolve this project's own package name, so the implementation is required by its
//   path relative to the working directory (portable across checkouts);
// - it keeps one deserialized provider per distinct text and calls `configure` on it once, but
//   variables captured by the stub are copies: state (`configure`'s settings) lives in the
//   required module, which Node caches for the life of the host;
// - it reports a thrown value's `message` only (gRPC status), so the stub turns anything that is
//   not an Error into one with a readable message; Errors pass unchanged (code, status, hint).
//
// Stacks written before the stub keep the whole serialized implementation in each resource's
// outputs (`__provider`), and a stub written before a module moved keeps its old path; `read` and
// `delete` run that stored text (the host takes the provider from the stored outputs), so only an
// update replaces it. `diff` therefore reports a change when the stored `__provider` differs from
// the new stub's, and `update` then returns the stored outputs without calling the vendor when the
// implementation sees no other difference: one `pulumi up` rewrites every resource's state
// (docs/operations.md, "Upgrading to the small provider state").
/* eslint-disable @typescript-eslint/no-require-imports -- the stub requires its implementation in the host */
import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";

/** Present in every stub's serialized text; a stored `__provider` without it is an old, full copy. */
export const PROVIDER_STUB_MARK = "flashduty-wiring:providerFromModule";

/**
 * A serializable provider that forwards every call to `require(moduleFile)[exportName]`.
 * `moduleFile` is the implementing module's own `__filename`; `exportName` names its exported
 * provider object (which must implement `check`, `diff`, `create`, `read`, `update` and `delete`).
 */
export function providerFromModule<Inputs = unknown, Outputs = unknown>(
  moduleFile: string,
  exportName: string,
): pulumi.dynamic.ResourceProvider<Inputs, Outputs> {
  // One stub object per provider: Pulumi caches a provider's serialized text by object identity.
  const key = `${moduleFile}\0${exportName}`;
  let stub = stubs.get(key);
  if (!stub) stubs.set(key, (stub = makeStub(moduleFile, exportName)));
  return stub as pulumi.dynamic.ResourceProvider<Inputs, Outputs>;
}

const stubs = new Map<string, unknown>();

function makeStub<Inputs, Outputs>(
  moduleFile: string,
  exportName: string,
): pulumi.dynamic.ResourceProvider<Inputs, Outputs> {
  // Plain strings: the only values the serialized stub captures (short names: they are serialized
  // with it). Never a secret.
  const rel = path.relative(process.cwd(), moduleFile);
  const name = exportName;
  const mark = PROVIDER_STUB_MARK;

  // The whole stub is this one function plus seven one-line methods; comments inside it would be
  // serialized too, so they are here. `call` requires the module by its path relative to the
  // working directory (the host runs in the program's directory, as the program does), registering
  // ts-node (found from there, like the program's tsconfig.json) for a .ts file. Then: `diff`
  // reports an update when nothing else changed but the stored outputs carry another provider text
  // (an old full copy, or a stub of a moved module); `update` of such a state with no other change returns the stored outputs without
  // calling the vendor (the host replaces their `__provider` with the stub's text); a thrown
  // non-Error becomes an Error with its message and string code (the host reports only message).
  type Method = (...a: unknown[]) => Promise<unknown>;
  const call = async (method: string, args: unknown[]): Promise<unknown> => {
    try {
      const file = (require("path") as typeof import("node:path")).resolve(rel);
      if (/\.[cm]?ts$/.test(file) && !(".ts" in require.extensions))
        (require("ts-node") as { register(o: object): void }).register({ transpileOnly: true });
      const p = (require(file) as Record<string, Record<string, Method> | undefined>)[name];
      if (!p) throw new Error(`${rel} exports no provider ${name}`);
      const olds = args[1] as { __provider?: unknown } | undefined;
      const news = args[2] as { __provider?: unknown } | undefined;
      const old =
        typeof olds?.__provider === "string" &&
        typeof news?.__provider === "string" &&
        news.__provider.includes(mark) &&
        olds.__provider !== news.__provider;
      if (method === "diff" || (method === "update" && old)) {
        const diff = (await p.diff(...args)) as pulumi.dynamic.DiffResult;
        if (method === "diff") return !diff.changes && old ? { ...diff, changes: true } : diff;
        if (!diff.changes) return { outs: olds };
      }
      return await p[method]?.(...args);
    } catch (e) {
      if ((e as { code?: unknown })?.code === "MODULE_NOT_FOUND")
        throw new Error(
          `${name}: ${(e as Error).message} (run pulumi from the project directory after npm ci)`,
        );
      if (e instanceof Error) throw e;
      const x = e as { message?: unknown; code?: unknown } | undefined;
      const text = typeof x?.message === "string" ? x.message : JSON.stringify(e);
      throw Object.assign(new Error(`${name}: ${text}`), { code: x?.code });
    }
  };

  type Stub = Required<pulumi.dynamic.ResourceProvider<Inputs, Outputs>>;
  const stub = {
    configure: (...a) => call("configure", a),
    check: (...a) => call("check", a),
    diff: (...a) => call("diff", a),
    create: (...a) => call("create", a),
    read: (...a) => call("read", a),
    update: (...a) => call("update", a),
    delete: (...a) => call("delete", a),
  } as Record<keyof Stub, (...a: unknown[]) => Promise<unknown>>;
  return stub as unknown as Stub;
}

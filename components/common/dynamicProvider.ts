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
// - it cannot resolve this project's own package name, so the implementation is required by path:
//   relative to the working directory (portable across checkouts), else the absolute path the
//   program saw;
// - it keeps one deserialized provider per distinct text and calls `configure` on it once, but
//   variables captured by the stub are copies: state (`configure`'s settings) lives in the
//   required module, which Node caches for the life of the host;
// - it reports a thrown value's `message` only (gRPC status), so the stub turns anything that is
//   not an Error into one with a readable message; Errors pass unchanged (code, status, hint).
//
// Stacks written before the stub keep the whole serialized implementation in each resource's
// outputs (`__provider`); `read` and `delete` run that old text (the host takes the provider from
// the stored outputs), so only an update replaces it. `diff` therefore reports a change when the
// stored `__provider` is not a stub, and `update` then returns the stored outputs without calling
// the vendor when the implementation sees no other difference: one `pulumi up` after the upgrade
// rewrites every resource's state small (docs/operations.md, "Upgrading to the small provider").
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
  // Plain strings: the only values the serialized stub captures. Never a secret.
  const relativeFile = path.relative(process.cwd(), moduleFile);
  const absoluteFile = moduleFile;
  const mark = PROVIDER_STUB_MARK;

  type Provider = Required<pulumi.dynamic.ResourceProvider<Inputs, Outputs>>;
  // Comments inside the stub's functions would be serialized with them: they are kept out here.
  // `implementation` loads the module (registering ts-node for a .ts file) and takes the export.
  const implementation = (): Provider => {
    const nodePath = require("path") as typeof import("node:path");
    const fs = require("fs") as typeof import("node:fs");
    const file = [nodePath.resolve(process.cwd(), relativeFile), absoluteFile].find((f) =>
      fs.existsSync(f),
    );
    if (!file)
      throw new Error(
        `flashduty-wiring: the dynamic provider module ${relativeFile} was not found from ${process.cwd()} ` +
          `(nor at ${absoluteFile}); run pulumi from the project directory of a checkout that has it.`,
      );
    if (/\.[cm]?ts$/.test(file) && !(".ts" in require.extensions)) {
      const tsNode = require(
        require.resolve("ts-node", { paths: [process.cwd(), nodePath.dirname(file)] }),
      ) as { register(options: object): void };
      tsNode.register({ transpileOnly: true, projectSearchDir: nodePath.dirname(file) });
    }
    const provider = (require(file) as Record<string, Provider | undefined>)[exportName];
    if (!provider)
      throw new Error(`flashduty-wiring: ${relativeFile} exports no provider "${exportName}".`);
    return provider;
  };

  // Runs a call of the implementation; a thrown non-Error becomes an Error with a message (and
  // its string `code`), since the host reports only `message`.
  const forward = async <T>(call: (provider: Provider) => Promise<T>): Promise<T> => {
    try {
      return await call(implementation());
    } catch (error) {
      if (error instanceof Error) throw error;
      const detail = error as { message?: unknown; code?: unknown } | undefined;
      const text = typeof detail?.message === "string" ? detail.message : JSON.stringify(error);
      const code = typeof detail?.code === "string" ? { code: detail.code } : {};
      throw Object.assign(new Error(`${exportName}: ${text}`), code);
    }
  };

  // Outputs stored by a provider serialized before the stub (its full code in `__provider`).
  const storedBeforeStub = (olds: unknown): boolean => {
    const stored = (olds as { __provider?: unknown } | undefined)?.__provider;
    return typeof stored === "string" && !stored.includes(mark);
  };

  // `diff`: no other change but an old full provider stored, so report an update; `update` then
  // returns the stored outputs without calling the vendor (the host stores the stub in place of
  // `__provider`) unless the implementation sees a real change.
  return {
    configure: (req) => forward(async (p) => (p.configure ? p.configure(req) : undefined)),
    check: (olds, news) => forward((p) => p.check(olds, news)),
    diff: (id, olds, news) =>
      forward(async (p) => {
        const result = await p.diff(id, olds, news);
        return !result.changes && storedBeforeStub(olds) ? { ...result, changes: true } : result;
      }),
    create: (inputs) => forward((p) => p.create(inputs)),
    read: (id, props) => forward((p) => p.read(id, props)),
    update: (id, olds, news) =>
      forward(async (p) => {
        if (!storedBeforeStub(olds) || (await p.diff(id, olds, news)).changes)
          return p.update(id, olds, news);
        const outs = { ...olds } as Record<string, unknown>;
        delete outs.__provider;
        return { outs: outs as Outputs };
      }),
    delete: (id, props) => forward((p) => p.delete(id, props)),
  };
}

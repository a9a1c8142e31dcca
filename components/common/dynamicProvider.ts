// The one way this project hands a provider to `pulumi.dynamic.Resource`: a small stub whose
// methods load the module that implements the provider when the dynamic-provider host first calls
// them. Pulumi serializes a dynamic resource's provider by value into the state (inputs and
// outputs of every resource); serializing the implementation itself put 27–44 KB per resource
// there, while this stub is a couple of kilobytes and the same for every resource of a type.
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
//   required module, which Node caches for the life of the host.
import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";

/**
 * A serializable provider that forwards every call to `require(moduleFile)[exportName]`.
 * `moduleFile` is the implementing module's own `__filename`; `exportName` names its exported
 * provider object (which must implement `check`, `diff`, `create`, `read`, `update` and `delete`).
 */
export function providerFromModule<Inputs = unknown, Outputs = unknown>(
  moduleFile: string,
  exportName: string,
): pulumi.dynamic.ResourceProvider<Inputs, Outputs> {
  // Plain strings: the only values the serialized stub captures. Never a secret.
  const relativeFile = path.relative(process.cwd(), moduleFile);
  const absoluteFile = moduleFile;

  type Provider = Required<pulumi.dynamic.ResourceProvider<Inputs, Outputs>>;
  const implementation = (): Provider => {
    /* eslint-disable @typescript-eslint/no-require-imports */
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
    /* eslint-enable @typescript-eslint/no-require-imports */
  };

  return {
    async configure(req) {
      const provider = implementation();
      if (provider.configure) await provider.configure(req);
    },
    check: (olds, news) => implementation().check(olds, news),
    diff: (id, olds, news) => implementation().diff(id, olds, news),
    create: (inputs) => implementation().create(inputs),
    read: (id, props) => implementation().read(id, props),
    update: (id, olds, news) => implementation().update(id, olds, news),
    delete: (id, props) => implementation().delete(id, props),
  };
}

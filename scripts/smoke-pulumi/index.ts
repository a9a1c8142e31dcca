// Program run by scripts/smoke-pulumi.sh against the real Pulumi engine: one dynamic resource
// whose provider implements every CRUD method and reads a secret in `configure`, so the CLI, the
// nodejs language host and the dynamic-provider plugin are all exercised end to end.
import * as pulumi from "@pulumi/pulumi";

interface SmokeFileInputs {
  /** Absolute path of the file the resource manages. */
  filePath: string;
  content: string;
}

interface SmokeFileOutputs extends SmokeFileInputs {
  /** HMAC-SHA256 of the content keyed with the secret `smoke:token`: proves configure saw it. */
  contentMac: string;
}

type SmokeFileProvider = pulumi.dynamic.ResourceProvider<SmokeFileInputs, SmokeFileOutputs> & {
  token?: string;
};

// Node modules are required inside the methods: the provider is serialized into state and run
// by the dynamic-provider plugin, which must not capture module instances.
const smokeFileProvider: SmokeFileProvider = {
  async configure(req) {
    const token = req.config.get("smoke:token");
    if (!token) {
      throw new Error(
        "smoke:token is not set; run `pulumi config set --secret smoke:token <value>`",
      );
    }
    this.token = token;
  },

  async check(_olds, news) {
    const failures: pulumi.dynamic.CheckFailure[] = [];
    const path = await import("node:path");
    if (typeof news.filePath !== "string" || !path.isAbsolute(news.filePath)) {
      failures.push({ property: "filePath", reason: "filePath must be an absolute path" });
    }
    if (typeof news.content !== "string") {
      failures.push({ property: "content", reason: "content must be a string" });
    }
    return { inputs: news, failures };
  },

  async diff(_id, olds, news) {
    const replaces = olds.filePath !== news.filePath ? ["filePath"] : [];
    const changes = replaces.length > 0 || olds.content !== news.content;
    return { changes, replaces, deleteBeforeReplace: true };
  },

  async create(inputs) {
    const fs = await import("node:fs/promises");
    await fs.writeFile(inputs.filePath, inputs.content, { flag: "wx" });
    return {
      id: inputs.filePath,
      outs: { ...inputs, contentMac: await mac(this.token, inputs.content) },
    };
  },

  async read(id, props) {
    const fs = await import("node:fs/promises");
    let content: string;
    try {
      content = await fs.readFile(id, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") {
        return {}; // deleted out of band: no id tells the engine it is gone
      }
      throw err;
    }
    const filePath = props?.filePath ?? id;
    return { id, props: { filePath, content, contentMac: await mac(this.token, content) } };
  },

  async update(_id, _olds, news) {
    const fs = await import("node:fs/promises");
    await fs.writeFile(news.filePath, news.content);
    return { outs: { ...news, contentMac: await mac(this.token, news.content) } };
  },

  async delete(id) {
    const fs = await import("node:fs/promises");
    await fs.rm(id, { force: true });
  },
};

async function mac(token: string | undefined, content: string): Promise<string> {
  if (!token) {
    throw new Error("configure did not run before a CRUD method: smoke:token was not read");
  }
  const crypto = await import("node:crypto");
  return crypto.createHmac("sha256", token).update(content).digest("hex");
}

class SmokeFile extends pulumi.dynamic.Resource {
  declare readonly filePath: pulumi.Output<string>;
  declare readonly content: pulumi.Output<string>;
  declare readonly contentMac: pulumi.Output<string>;

  constructor(
    name: string,
    args: { filePath: string; content: string },
    opts?: pulumi.CustomResourceOptions,
  ) {
    super(smokeFileProvider, name, { ...args, contentMac: undefined }, opts, "smoke", "SmokeFile");
  }
}

const config = new pulumi.Config("smoke");
const file = new SmokeFile("smoke-file", {
  filePath: config.require("filePath"),
  content: config.require("content"),
});

export const filePath = file.filePath;
export const contentMac = file.contentMac;

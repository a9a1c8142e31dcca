import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { PROVIDER, byType, installMocks, isSecretMarked, resolve } from "./support";

describe("aliyun/createAliyunProvider", () => {
  let aliyun: typeof import("../../components/aliyun");

  before(async () => {
    installMocks();
    aliyun = await import("../../components/aliyun");
  });
  beforeEach(() => installMocks());
  /**
   * A stand-in for `new pulumi.Config("alicloud")` holding `values` (keys without the namespace);
   * it behaves like Config for `get` / `getSecret` and leaves the process-wide config untouched.
   */
  function withConfig(values: Record<string, string>) {
    return {
      get: (key: string) => values[key],
      getSecret: (key: string) => (key in values ? pulumi.secret(values[key]) : undefined),
    } as Pick<pulumi.Config, "get" | "getSecret">;
  }

  async function providerInputs(p: import("@pulumi/alicloud").Provider) {
    await resolve(p.urn);
    const [rec] = byType(PROVIDER);
    assert.ok(rec, "no provider registered");
    return rec.inputs;
  }

  it("builds the provider from stack config, with both keys secret", async () => {
    const config = withConfig({
      region: "cn-hangzhou",
      accessKey: "LTAIconfigAccessKey",
      secretKey: "configSecretKeyValue",
    });
    const p = aliyun.createAliyunProvider("ali", undefined, { config, env: {} });
    const inputs = await providerInputs(p);
    assert.equal(inputs.region, "cn-hangzhou");
    assert.equal(isSecretMarked(inputs.accessKey), true);
    assert.equal(isSecretMarked(inputs.secretKey), true);
    assert.equal((inputs.secretKey as { value: string }).value, "configSecretKeyValue");
  });

  it("reads the alicloud:* stack config by default", async () => {
    const saved = pulumi.runtime.allConfig();
    pulumi.runtime.setAllConfig(
      {
        ...saved,
        "alicloud:region": "eu-central-1",
        "alicloud:accessKey": "LTAIstackAccessKey",
        "alicloud:secretKey": "stackSecretKeyValue",
      },
      ["alicloud:accessKey", "alicloud:secretKey"],
    );
    try {
      const inputs = await providerInputs(
        aliyun.createAliyunProvider("ali", undefined, { env: {} }),
      );
      assert.equal(inputs.region, "eu-central-1");
      assert.equal(isSecretMarked(inputs.accessKey), true);
      assert.equal((inputs.secretKey as { value: string }).value, "stackSecretKeyValue");
    } finally {
      pulumi.runtime.setAllConfig(saved, []);
    }
  });

  it("falls back to ALICLOUD_* environment variables, still as secrets", async () => {
    const p = aliyun.createAliyunProvider("ali", undefined, {
      config: withConfig({}),
      env: {
        ALICLOUD_REGION: "ap-southeast-1",
        ALICLOUD_ACCESS_KEY: "LTAIenvAccessKey",
        ALICLOUD_SECRET_KEY: "envSecretKeyValue",
      },
    });
    const inputs = await providerInputs(p);
    assert.equal(inputs.region, "ap-southeast-1");
    assert.equal(isSecretMarked(inputs.accessKey), true);
    assert.equal(isSecretMarked(inputs.secretKey), true);
    assert.equal((inputs.accessKey as { value: string }).value, "LTAIenvAccessKey");
  });

  it("prefers config over the environment and never mixes a pair from both", async () => {
    const config = withConfig({
      region: "cn-shanghai",
      accessKey: "LTAIconfigAccessKey",
      secretKey: "configSecretKeyValue",
    });
    const env = {
      ALICLOUD_REGION: "us-west-1",
      ALICLOUD_ACCESS_KEY: "LTAIenvAccessKey",
      ALICLOUD_SECRET_KEY: "envSecretKeyValue",
    };
    const inputs = await providerInputs(
      aliyun.createAliyunProvider("ali", undefined, { config, env }),
    );
    assert.equal(inputs.region, "cn-shanghai");
    assert.equal((inputs.accessKey as { value: string }).value, "LTAIconfigAccessKey");
    assert.equal((inputs.secretKey as { value: string }).value, "configSecretKeyValue");

    installMocks();
    const halfConfig = withConfig({
      region: "cn-shanghai",
      accessKey: "LTAIconfigAccessKey",
    });
    assert.throws(
      () => aliyun.createAliyunProvider("ali", undefined, { config: halfConfig, env }),
      /secretKey: alicloud:accessKey is set but alicloud:secretKey is not; run `pulumi config set --secret alicloud:secretKey/,
    );
  });

  it("leaves keys to the plugin's own credential chain when none are configured", async () => {
    const inputs = await providerInputs(
      aliyun.createAliyunProvider("ali", undefined, {
        config: withConfig({}),
        env: { ALICLOUD_REGION: "cn-beijing" },
      }),
    );
    assert.equal(inputs.region, "cn-beijing");
    assert.equal(inputs.accessKey, undefined);
    assert.equal(inputs.secretKey, undefined);
  });

  it("requires a region, naming the config key and the env var", () => {
    assert.throws(
      () => aliyun.createAliyunProvider("ali", undefined, { config: withConfig({}), env: {} }),
      (e: unknown) => {
        assert.ok(e instanceof aliyun.AliyunProviderConfigError);
        assert.match(
          e.message,
          /region: not set; run `pulumi config set alicloud:region <region-id>`/,
        );
        assert.match(e.message, /ALICLOUD_REGION/);
        return true;
      },
    );
    assert.equal(byType(PROVIDER).length, 0);
  });

  it("rejects a malformed region and a half key pair together, without echoing keys", () => {
    assert.throws(
      () =>
        aliyun.createAliyunProvider("ali", undefined, {
          config: withConfig({}),
          env: { ALICLOUD_REGION: "Hangzhou", ALICLOUD_SECRET_KEY: "lonelySecretValue" },
        }),
      (e: unknown) => {
        assert.ok(e instanceof aliyun.AliyunProviderConfigError);
        assert.match(e.message, /2 problem/);
        assert.match(e.message, /region: "Hangzhou" is not an Alibaba Cloud region id/);
        assert.match(e.message, /ALICLOUD_ACCESS_KEY: not set while its partner is/);
        assert.doesNotMatch(e.message, /lonelySecretValue/);
        return true;
      },
    );
    assert.throws(
      () =>
        aliyun.createAliyunProvider("ali", undefined, {
          config: withConfig({ region: "cn-hangzhou", secretKey: "x1" }),
          env: {},
        }),
      /accessKey: alicloud:secretKey is set but alicloud:accessKey is not/,
    );
  });
});

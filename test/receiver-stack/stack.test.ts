// The receiver stack (stacks/receiver) under Pulumi mocks: the Function Compute function and HTTP
// trigger it declares, secrets in the function's environment and in the outputs, the wiring-stack
// push URL, and the configuration errors.
import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { unzipSync } from "fflate";
import { parse as parseYaml } from "yaml";
import type * as ComponentModule from "../../components/aliyun/receiverFunction";
import type * as ConfigModule from "../../stacks/receiver/config";
import type * as DeployModule from "../../stacks/receiver/deploy";

const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const TOKEN = "0123456789abcdef0123456789abcdef0123456789abcdef";
const WIRING_PUSH_URL =
  "https://api.flashcat.cloud/event/push/alert/standard?integration_key=wiring0000000000000000000000000123";
const DIRECT_PUSH_URL =
  "https://api.flashcat.cloud/event/push/alert/standard?integration_key=direct0000000000000000000000000456";
const TRIGGER_URL = "https://flashduty-receiver-staging-abcdefgh.cn-shanghai.fcapp.run";

const FUNCTION = "alicloud:fc/v3Function:V3Function";
const TRIGGER = "alicloud:fc/v3Trigger:V3Trigger";
const CONCURRENCY = "alicloud:fc/v3ConcurrencyConfig:V3ConcurrencyConfig";

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  provider?: string;
}
const registered: Registered[] = [];
/** Answer httpTrigger as a one-item list instead of an object. */
let listShapedTrigger = false;

/** Wiring stacks the mock knows: their outputs. */
const WIRING_STACKS: Record<string, Record<string, unknown>> = {
  "organization/flashduty-wiring/staging": { receiverPushUrl: WIRING_PUSH_URL },
  "organization/flashduty-wiring/prod": { receiverPushUrl: WIRING_PUSH_URL },
  "organization/flashduty-wiring/direct-only": { environment: "direct-only" },
  "organization/flashduty-wiring/bad-url": {
    receiverPushUrl:
      "http://flashduty.example.com/event/push/alert/standard?integration_key=zzz999",
  },
};

function useMocks(stack = "staging"): void {
  void pulumi.runtime.setMocks(
    {
      newResource(args) {
        registered.push({
          type: args.type,
          name: args.name,
          inputs: args.inputs,
          provider: args.provider,
        });
        const state: Record<string, unknown> = { ...args.inputs };
        if (args.type === TRIGGER) {
          const t = { urlInternet: `${TRIGGER_URL}/`, urlIntranet: "https://internal" };
          state.httpTrigger = listShapedTrigger ? [t] : t;
        }
        if (args.type === "pulumi:pulumi:StackReference") {
          state.outputs = WIRING_STACKS[args.inputs.name as string] ?? {};
          state.secretOutputNames = ["receiverPushUrl"];
        }
        return { id: `${args.name}-id`, state };
      },
      call: (args) => args.inputs,
    },
    "flashduty-receiver",
    stack,
    false,
  );
}

/** Loads a stack file's config the way the CLI would, plus secrets set with --secret. */
function useStackFile(
  file: string,
  secrets: Record<string, string> = {},
  extra: Record<string, string> = {},
): void {
  const doc = parseYaml(
    fs.readFileSync(path.join(__dirname, "../../stacks/receiver", file), "utf8"),
  ) as { config: Record<string, unknown> };
  const flat: Record<string, string> = {};
  for (const [k, v] of Object.entries(doc.config))
    flat[k] = typeof v === "string" ? v : JSON.stringify(v);
  pulumi.runtime.setAllConfig({ ...flat, ...extra, ...secrets }, Object.keys(secrets));
}

function useConfig(values: Record<string, string>, secretKeys: string[]): void {
  pulumi.runtime.setAllConfig(values, secretKeys);
}

function unwrap<T>(o: pulumi.Input<T>): Promise<T> {
  return new Promise((resolve) => pulumi.output(o).apply((v) => resolve(v as T)));
}

/** An Output's failure, if its computation throws (apply would never run). */
async function failureOf(o: pulumi.Output<unknown>): Promise<Error> {
  const internal = o as unknown as { promise(): Promise<unknown> };
  try {
    await internal.promise();
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected the output to fail");
}

function isSecretInput(v: unknown): v is { value: unknown } {
  return typeof v === "object" && v !== null && SECRET_SIG in v;
}

const ofType = (type: string) => registered.filter((r) => r.type === type);

describe("receiver stack under mocks (stacks/receiver)", function () {
  this.timeout(60_000);
  let config: typeof ConfigModule;
  let deploy: typeof DeployModule;
  let component: typeof ComponentModule;

  before(async () => {
    useMocks();
    config = await import("../../stacks/receiver/config");
    deploy = await import("../../stacks/receiver/deploy");
    component = await import("../../components/aliyun/receiverFunction");
  });
  beforeEach(() => {
    useMocks();
    registered.length = 0;
  });

  async function deployStaging(extra: Record<string, string> = {}) {
    useStackFile("Pulumi.staging.yaml", { "flashduty-receiver:receiverToken": TOKEN }, extra);
    const stack = deploy.deployReceiver(config.loadReceiverStackConfig("staging"));
    await unwrap(stack.outputs.receiverUrl);
    await unwrap(stack.receiver.trigger.urn);
    return stack;
  }

  it("deploys a custom-runtime web function running the bundle with Node 20 on the configured port", async () => {
    await deployStaging();
    const [fn] = ofType(FUNCTION);
    assert.ok(fn, "a V3Function");
    const i = fn.inputs;
    assert.equal(i.runtime, "custom.debian10");
    assert.equal(i.functionName, "flashduty-receiver-staging");
    assert.deepEqual(i.customRuntimeConfig.commands, ["/var/fc/lang/nodejs20/bin/node"]);
    assert.deepEqual(i.customRuntimeConfig.args, ["/code/receiver.js"]);
    assert.equal(i.customRuntimeConfig.port, 9000);
    assert.equal(i.customRuntimeConfig.healthCheckConfig.httpGetUrl, "/healthz");
    assert.equal(i.internetAccess, true);
    assert.ok(i.timeout * 1000 > 3500, "function timeout above the sync deadline");
    assert.ok(isSecretInput(i.environmentVariables), "the environment is sent as a secret");
    const env = i.environmentVariables.value as Record<string, unknown>;
    assert.equal(env.DELIVERY, "sync");
    assert.equal(env.HOST, "0.0.0.0");
    assert.equal(env.PORT, "9000");
    assert.equal(env.SPOOL_DIR, "/tmp/spool");
    assert.equal(env.SYNC_TIMEOUT_MS, "3500");
    // The code package: a zip with receiver.js whose hash the environment carries.
    const files = unzipSync(Buffer.from(i.code.zipFile as string, "base64"));
    assert.deepEqual(Object.keys(files), ["receiver.js"]);
    const sha = createHash("sha256").update(files["receiver.js"]!).digest("hex");
    assert.equal(env.RECEIVER_BUNDLE_SHA256, sha);
    // Through the explicit provider built from alicloud:* config.
    const [provider] = ofType("pulumi:providers:alicloud");
    assert.equal(provider?.inputs.region, "cn-shanghai");
    assert.match(fn.provider ?? "", /pulumi:providers:alicloud::aliyun::/);
    assert.equal(ofType("flashduty-wiring:aliyun:ReceiverFunction").length, 1);
  });

  it("keeps the token and the push URL secret in the function's environment", async () => {
    const stack = await deployStaging();
    // The SDK sends the whole map as one secret once a value in it is secret: state and diffs
    // show [secret] for it, never the token or the push URL.
    const sent = ofType(FUNCTION)[0]!.inputs.environmentVariables;
    assert.ok(isSecretInput(sent), "the environment is sent as a secret");
    const env = sent.value as Record<string, unknown>;
    assert.equal(env.RECEIVER_TOKEN, TOKEN);
    assert.equal(env.FLASHDUTY_PUSH_URL, WIRING_PUSH_URL);
    assert.equal(await pulumi.isSecret(stack.receiver.function.environmentVariables), true);
    // Nothing secret leaks into other inputs (e.g. the description).
    const others = JSON.stringify({ ...ofType(FUNCTION)[0]!.inputs, environmentVariables: null });
    assert.ok(!others.includes(TOKEN) && !others.includes("integration_key"));
  });

  it("marks the function's environmentVariables output secret (additionalSecretOutputs)", async () => {
    useConfig({ "alicloud:region": "cn-shanghai" }, []);
    const seen: pulumi.ResourceTransformationArgs[] = [];
    const rf = new component.ReceiverFunction(
      "probe",
      {
        functionName: "probe",
        zipBase64: "UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==",
        bundleFile: "receiver.js",
        bundleSha256: "0".repeat(64),
        token: pulumi.secret(TOKEN),
        pushUrl: pulumi.secret(DIRECT_PUSH_URL),
      },
      {
        transformations: [
          (a) => {
            seen.push(a);
            return undefined;
          },
        ],
      },
    );
    await unwrap(rf.url);
    const fn = seen.find((a) => a.type === FUNCTION);
    assert.deepEqual((fn?.opts as pulumi.CustomResourceOptions).additionalSecretOutputs, [
      "environmentVariables",
    ]);
  });

  it("reads the trigger URL whether httpTrigger comes as an object or a one-item list", async () => {
    useConfig({ "alicloud:region": "cn-shanghai" }, []);
    listShapedTrigger = true;
    try {
      const rf = new component.ReceiverFunction("listy", {
        functionName: "listy",
        zipBase64: "UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==",
        bundleFile: "receiver.js",
        bundleSha256: "0".repeat(64),
        token: pulumi.secret(TOKEN),
        pushUrl: pulumi.secret(DIRECT_PUSH_URL),
      });
      assert.equal(await unwrap(rf.url), TRIGGER_URL);
    } finally {
      listShapedTrigger = false;
    }
  });

  it("adds an anonymous HTTP trigger for POST and GET on the function", async () => {
    await deployStaging();
    const [trigger] = ofType(TRIGGER);
    assert.ok(trigger);
    assert.equal(trigger.inputs.triggerType, "http");
    assert.equal(trigger.inputs.qualifier, "LATEST");
    assert.equal(trigger.inputs.functionName, "flashduty-receiver-staging");
    const tc = JSON.parse(trigger.inputs.triggerConfig as string);
    assert.equal(tc.authType, "anonymous"); // clouds cannot sign; the receiver checks its token
    assert.deepEqual([...tc.methods].sort(), ["GET", "POST"]);
    assert.equal(tc.disableURLInternet, false);
  });

  it("outputs receiverUrl (plain) and receiverToken (secret), as program/receiver.ts reads them", async () => {
    const { RECEIVER_STACK_OUTPUTS } = await import("../../program/receiver");
    const { outputs } = await deployStaging();
    const o = outputs as unknown as Record<string, pulumi.Output<string>>;
    assert.equal(await unwrap(o[RECEIVER_STACK_OUTPUTS.url]!), TRIGGER_URL);
    assert.equal(await pulumi.isSecret(o[RECEIVER_STACK_OUTPUTS.url]!), false);
    assert.equal(await unwrap(o[RECEIVER_STACK_OUTPUTS.token]!), TOKEN);
    assert.equal(await pulumi.isSecret(o[RECEIVER_STACK_OUTPUTS.token]!), true);
  });

  it("reads the push URL from the wiring stack as a secret", async () => {
    await deployStaging();
    const [ref] = ofType("pulumi:pulumi:StackReference");
    assert.equal(ref?.inputs.name, "organization/flashduty-wiring/staging");
    const url = deploy.pushUrlFromWiringStack("organization/flashduty-wiring/staging");
    assert.equal(await unwrap(url), WIRING_PUSH_URL);
    assert.equal(await pulumi.isSecret(url), true);
  });

  it("fails clearly when the wiring stack has no receiverPushUrl yet, or a bad one", async () => {
    const missing = await failureOf(
      deploy.pushUrlFromWiringStack("organization/flashduty-wiring/direct-only"),
    );
    assert.match(missing.message, /has no receiverPushUrl output/);
    assert.match(missing.message, /delivery: receiver/);
    assert.match(missing.message, /flashdutyPushUrl/);
    const bad = await failureOf(
      deploy.pushUrlFromWiringStack("organization/flashduty-wiring/bad-url"),
    );
    assert.match(bad.message, /must use https/);
    assert.ok(!bad.message.includes("zzz999"), "the key is not echoed");
  });

  it("takes a push URL given directly (flashdutyPushUrl) without a stack reference", async () => {
    useConfig(
      {
        "alicloud:region": "cn-hangzhou",
        "flashduty-receiver:receiverToken": TOKEN,
        "flashduty-receiver:flashdutyPushUrl": DIRECT_PUSH_URL,
      },
      ["flashduty-receiver:receiverToken", "flashduty-receiver:flashdutyPushUrl"],
    );
    const stack = deploy.deployReceiver(config.loadReceiverStackConfig("dev"));
    await unwrap(stack.receiver.url);
    assert.equal(ofType("pulumi:pulumi:StackReference").length, 0);
    const env = ofType(FUNCTION)[0]!.inputs.environmentVariables;
    assert.ok(isSecretInput(env));
    assert.equal((env.value as Record<string, unknown>).FLASHDUTY_PUSH_URL, DIRECT_PUSH_URL);
    assert.equal(ofType(FUNCTION)[0]!.inputs.functionName, "flashduty-receiver-dev");
  });

  describe("push rate across instances (Flashduty: 100/s and 1000/min per integration)", () => {
    const rateOf = () => {
      const env = ofType(FUNCTION)[0]!.inputs.environmentVariables.value as Record<string, string>;
      return {
        perSecond: Number(env.FORWARD_RATE_PER_SECOND),
        perMinute: Number(env.FORWARD_RATE_PER_MINUTE),
        maxInstances: ofType(CONCURRENCY)[0]?.inputs.reservedConcurrency as number,
      };
    };

    it("caps the function at one instance by default, which keeps the single-process rate", async () => {
      await deployStaging();
      const [cc] = ofType(CONCURRENCY);
      assert.ok(cc, "a V3ConcurrencyConfig");
      assert.equal(cc.inputs.functionName, "flashduty-receiver-staging");
      assert.deepEqual(rateOf(), { perSecond: 98, perMinute: 950, maxInstances: 1 });
      assert.match(cc.provider ?? "", /pulumi:providers:alicloud::aliyun::/);
    });

    it("splits the rate evenly when more instances are allowed, staying under the limit together", async () => {
      for (const n of [2, 3, 7, 50]) {
        registered.length = 0;
        await deployStaging({ "flashduty-receiver:maxInstances": String(n) });
        const r = rateOf();
        assert.equal(r.maxInstances, n);
        assert.ok(r.perSecond >= 1 && r.maxInstances * r.perSecond <= 100, JSON.stringify(r));
        assert.ok(r.perMinute >= 1 && r.maxInstances * r.perMinute <= 1000, JSON.stringify(r));
      }
      registered.length = 0;
      await deployStaging({ "flashduty-receiver:maxInstances": "4" });
      assert.deepEqual(rateOf(), { perSecond: 24, perMinute: 237, maxInstances: 4 });
    });

    it("takes explicit per-instance rates that fit", async () => {
      await deployStaging({
        "flashduty-receiver:maxInstances": "2",
        "flashduty-receiver:forwardRatePerSecond": "50",
        "flashduty-receiver:forwardRatePerMinute": "500",
      });
      assert.deepEqual(rateOf(), { perSecond: 50, perMinute: 500, maxInstances: 2 });
    });

    it("refuses a combination that could exceed the limit, naming the keys and the fix", () => {
      const attempt = (extra: Record<string, string>): Error => {
        useStackFile("Pulumi.staging.yaml", { "flashduty-receiver:receiverToken": TOKEN }, extra);
        try {
          config.loadReceiverStackConfig("staging");
        } catch (err) {
          assert.equal(registered.length, 0, "nothing was created");
          return err as Error;
        }
        throw new Error(`accepted ${JSON.stringify(extra)}`);
      };
      const perSecond = attempt({
        "flashduty-receiver:maxInstances": "3",
        "flashduty-receiver:forwardRatePerSecond": "40",
      });
      assert.ok(perSecond instanceof config.ReceiverStackConfigError);
      assert.match(
        perSecond.message,
        /flashduty-receiver:maxInstances \/ flashduty-receiver:forwardRatePerSecond: 3 instance\(s\) × 40 pushes\/s = 120\/s could exceed Flashduty's limit of 100 pushes\/s per integration/,
      );
      assert.match(
        perSecond.message,
        /lower flashduty-receiver:forwardRatePerSecond to at most 33 \(`pulumi config set forwardRatePerSecond 33`\)/,
      );
      const perMinute = attempt({
        "flashduty-receiver:maxInstances": "2",
        "flashduty-receiver:forwardRatePerMinute": "600",
      });
      assert.match(
        perMinute.message,
        /2 instance\(s\) × 600 pushes\/min = 1200\/min could exceed Flashduty's limit of 1000 pushes\/min/,
      );
      assert.match(perMinute.message, /at most 500/);
      // A single instance may not exceed the limit either; 0 (no per-minute window) is refused.
      assert.match(
        attempt({ "flashduty-receiver:forwardRatePerSecond": "120" }).message,
        /forwardRatePerSecond: "120" is not an integer from 1 to 100/,
      );
      assert.match(
        attempt({ "flashduty-receiver:forwardRatePerMinute": "0" }).message,
        /forwardRatePerMinute: "0" is not an integer from 1 to 1000/,
      );
      assert.match(
        attempt({ "flashduty-receiver:maxInstances": "0" }).message,
        /maxInstances: "0" is not an integer from 1 to 50/,
      );
    });
  });

  it("applies the prod example's sizes, SLS log config and role", async () => {
    useMocks("prod");
    useStackFile("Pulumi.prod.yaml", { "flashduty-receiver:receiverToken": TOKEN });
    const stack = deploy.deployReceiver(config.loadReceiverStackConfig("prod"));
    await unwrap(stack.receiver.url);
    const i = ofType(FUNCTION)[0]!.inputs;
    assert.equal(i.functionName, "flashduty-receiver-prod");
    assert.equal(i.memorySize, 1024);
    assert.equal(i.cpu, 0.5);
    assert.equal(i.instanceConcurrency, 50);
    assert.equal(ofType(CONCURRENCY)[0]!.inputs.reservedConcurrency, 2);
    assert.equal(i.environmentVariables.value.FORWARD_RATE_PER_SECOND, "49");
    assert.equal(i.environmentVariables.value.FORWARD_RATE_PER_MINUTE, "475");
    assert.equal(i.logConfig.project, "sre-prod-logs");
    assert.equal(i.logConfig.logstore, "flashduty-receiver");
    assert.equal(i.role, "acs:ram::123456789012:role/flashduty-receiver-logs");
  });

  it("index.ts exports the outputs of the running stack", async () => {
    useStackFile("Pulumi.staging.yaml", { "flashduty-receiver:receiverToken": TOKEN });
    const index = (await import("../../stacks/receiver/index")) as unknown as Record<
      string,
      pulumi.Output<string>
    >;
    assert.equal(await unwrap(index.receiverUrl!), TRIGGER_URL);
    assert.equal(await pulumi.isSecret(index.receiverToken!), true);
    assert.equal(await unwrap(index.delivery!), "sync");
  });

  describe("configuration errors (before any resource)", () => {
    const expectProblems = (patterns: RegExp[], forbidden: string[] = []) => {
      let error: Error | undefined;
      try {
        config.loadReceiverStackConfig("staging");
      } catch (err) {
        error = err as Error;
      }
      assert.ok(error instanceof config.ReceiverStackConfigError, String(error));
      for (const p of patterns) assert.match(error.message, p);
      for (const f of forbidden) assert.ok(!error.message.includes(f), `echoed ${f}`);
      assert.equal(registered.length, 0, "nothing was created");
    };

    it("a missing token says how to generate and store one", () => {
      useConfig({ "flashduty-receiver:wiringStack": "organization/flashduty-wiring/staging" }, []);
      expectProblems([
        /flashduty-receiver:receiverToken: missing/,
        /pulumi config set --secret receiverToken "\$\(openssl rand -hex 24\)"/,
      ]);
    });

    it("a missing push URL names both ways to give it", () => {
      useConfig({ "flashduty-receiver:receiverToken": TOKEN }, [
        "flashduty-receiver:receiverToken",
      ]);
      expectProblems([/flashdutyPushUrl/, /wiringStack/, /receiverPushUrl/]);
    });

    it("reports every problem at once without echoing secrets", () => {
      useConfig(
        {
          "flashduty-receiver:receiverToken": "short token",
          "flashduty-receiver:flashdutyPushUrl":
            "http://flashduty.example.com/event/push/alert/standard?integration_key=leak0000",
          "flashduty-receiver:wiringStack": "organization/flashduty-wiring/staging",
          "flashduty-receiver:memorySize": "100",
          "flashduty-receiver:cpu": "2",
          "flashduty-receiver:timeoutSeconds": "3",
          "flashduty-receiver:functionName": "9-bad name",
          "flashduty-receiver:logLevel": "loud",
          "flashduty-receiver:log": JSON.stringify({ project: "p" }),
          "flashduty-receiver:tokne": "x",
        },
        [], // stored in plain text
      );
      expectProblems(
        [
          /receiverToken: stored in plain text/,
          /receiverToken \(the function's RECEIVER_TOKEN\): RECEIVER_TOKEN must be at least 16 characters/,
          /flashdutyPushUrl: stored in plain text/,
          /flashdutyPushUrl \(the function's FLASHDUTY_PUSH_URL\): FLASHDUTY_PUSH_URL must use https/,
          /both are set; keep one/,
          /memorySize: "100" is not a memory size/,
          /cpu \/ flashduty-receiver:memorySize: Function Compute needs memory/,
          /timeoutSeconds: 3 s does not exceed syncTimeoutMs/,
          /functionName: "9-bad name" is not a Function Compute name/,
          /logLevel: "loud"/,
          /log: needs both project and logstore/,
          /flashduty-receiver:tokne: unknown key/,
        ],
        ["short token", "leak0000"],
      );
    });
  });
});

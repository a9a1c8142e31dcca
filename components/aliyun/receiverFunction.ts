// The bundled receiver as an Alibaba Cloud Function Compute 3.0 web function (custom runtime) with an
// anonymous HTTP trigger. The clouds cannot sign requests, so the receiver's own token (in the
// callback URL) is the authentication. The function's disk is not durable, so the receiver runs in
// DELIVERY=sync mode: it answers 202 only once Flashduty accepted an event, else non-2xx so that the
// calling cloud retries (docs/receiver.md, "Deploying"). Flashduty limits pushes per integration
// (100/s, 1000/min) and each instance limits its own pushes, so the function's instances are capped
// (FC reserved concurrency) and each gets its share of the rate (docs/receiver.md, "Push rate").
import * as alicloud from "@pulumi/alicloud";
import * as pulumi from "@pulumi/pulumi";

/** Node.js 20 that FC ships inside the custom.debian10 runtime. */
export const FC_RUNTIME = "custom.debian10";
export const FC_NODE = "/var/fc/lang/nodejs20/bin/node";
/** FC unpacks the code package here. */
export const FC_CODE_DIR = "/code";
/** The only writable place in a function instance; not durable. */
export const FC_SPOOL_DIR = "/tmp/spool";
export const RECEIVER_PORT = 9000;

export interface ReceiverFunctionArgs {
  /** Function name (letters, digits, `_`, `-`; starts with a letter or `_`; ≤128). */
  readonly functionName: pulumi.Input<string>;
  /** The receiver bundle as a base64 zip holding `bundleFile` at its root. */
  readonly zipBase64: pulumi.Input<string>;
  /** File name of the bundled receiver inside the zip. */
  readonly bundleFile: string;
  /** SHA-256 of the bundle; also forces an update whenever the code changes. */
  readonly bundleSha256: pulumi.Input<string>;
  /** RECEIVER_TOKEN; give a secret Output. */
  readonly token: pulumi.Input<string>;
  /** FLASHDUTY_PUSH_URL (standard alert push URL with its integration_key); give a secret Output. */
  readonly pushUrl: pulumi.Input<string>;
  readonly memorySize?: pulumi.Input<number>;
  readonly cpu?: pulumi.Input<number>;
  readonly instanceConcurrency?: pulumi.Input<number>;
  /**
   * Most instances at once (an FC 3.0 concurrency config's reserved concurrency, which FC counts in
   * instances; default 1). Keep maxInstances × ratePerSecond ≤ 100 and × ratePerMinute ≤ 1000.
   */
  readonly maxInstances?: pulumi.Input<number>;
  /** Each instance's FORWARD_RATE_PER_SECOND (default 98). */
  readonly ratePerSecond?: pulumi.Input<number>;
  /** Each instance's FORWARD_RATE_PER_MINUTE (default 950). */
  readonly ratePerMinute?: pulumi.Input<number>;
  /** Function timeout, seconds; must exceed syncTimeoutMs. */
  readonly timeoutSeconds?: pulumi.Input<number>;
  /** SYNC_TIMEOUT_MS of the receiver. */
  readonly syncTimeoutMs?: pulumi.Input<number>;
  readonly logLevel?: pulumi.Input<string>;
  /** Where FC writes the function's logs (SLS); the lasting record of rejected events. */
  readonly log?: pulumi.Input<{ project: pulumi.Input<string>; logstore: pulumi.Input<string> }>;
  /** RAM role the function assumes (e.g. one allowed to write to the Logstore). */
  readonly role?: pulumi.Input<string>;
}

export class ReceiverFunction extends pulumi.ComponentResource {
  public readonly function: alicloud.fc.V3Function;
  public readonly trigger: alicloud.fc.V3Trigger;
  /** Caps the function's instances, so that their rate limiters together stay under Flashduty's. */
  public readonly concurrency: alicloud.fc.V3ConcurrencyConfig;
  /** The trigger's internet URL, e.g. https://<name>-<id>.<region>.fcapp.run. */
  public readonly url: pulumi.Output<string>;
  public readonly functionName: pulumi.Output<string>;

  constructor(name: string, args: ReceiverFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
    super("flashduty-wiring:aliyun:ReceiverFunction", name, {}, opts);

    const environmentVariables: Record<string, pulumi.Input<string>> = {
      DELIVERY: "sync",
      HOST: "0.0.0.0",
      PORT: String(RECEIVER_PORT),
      SPOOL_DIR: FC_SPOOL_DIR,
      SYNC_TIMEOUT_MS: pulumi.output(args.syncTimeoutMs ?? 3500).apply(String),
      LOG_LEVEL: args.logLevel ?? "info",
      FORWARD_RATE_PER_SECOND: pulumi.output(args.ratePerSecond ?? 98).apply(String),
      FORWARD_RATE_PER_MINUTE: pulumi.output(args.ratePerMinute ?? 950).apply(String),
      RECEIVER_BUNDLE_SHA256: args.bundleSha256,
      // Secret Outputs, so the SDK sends the whole map as a secret: encrypted in Pulumi's state,
      // [secret] in diffs. FC itself keeps them in the function's configuration, in clear to
      // anyone allowed to read the function (docs/receiver.md).
      RECEIVER_TOKEN: pulumi.secret(args.token),
      FLASHDUTY_PUSH_URL: pulumi.secret(args.pushUrl),
    };

    this.function = new alicloud.fc.V3Function(
      `${name}-function`,
      {
        functionName: args.functionName,
        description: pulumi.interpolate`Flashduty receiver (flashduty-wiring), bundle ${pulumi
          .output(args.bundleSha256)
          .apply((s) => s.slice(0, 12))}`,
        runtime: FC_RUNTIME,
        // Required by the API; a custom runtime web function runs `customRuntimeConfig` instead.
        handler: "index.handler",
        code: { zipFile: args.zipBase64 },
        customRuntimeConfig: {
          commands: [FC_NODE],
          args: [`${FC_CODE_DIR}/${args.bundleFile}`],
          port: RECEIVER_PORT,
          healthCheckConfig: {
            httpGetUrl: "/healthz",
            initialDelaySeconds: 1,
            periodSeconds: 5,
            timeoutSeconds: 2,
            failureThreshold: 3,
            successThreshold: 1,
          },
        },
        environmentVariables,
        memorySize: args.memorySize ?? 512,
        cpu: args.cpu ?? 0.35,
        diskSize: 512,
        timeout: args.timeoutSeconds ?? 10,
        instanceConcurrency: args.instanceConcurrency ?? 20,
        internetAccess: true, // Flashduty is on the internet
        role: args.role,
        logConfig: args.log
          ? pulumi.output(args.log).apply((l) => ({
              project: l.project,
              logstore: l.logstore,
              logBeginRule: "DefaultRegex",
              enableRequestMetrics: true,
            }))
          : undefined,
      },
      // The provider echoes environmentVariables back as an output; keep that copy secret too.
      { parent: this, additionalSecretOutputs: ["environmentVariables"] },
    );

    // Reserved concurrency: "the total concurrency of provisioned and on-demand instances" of the
    // function (FC 3.0 PutConcurrencyConfig); FC's function quota is counted in instances. It also
    // reserves that many instances of the account's regional quota for this function.
    this.concurrency = new alicloud.fc.V3ConcurrencyConfig(
      `${name}-concurrency`,
      {
        functionName: this.function.functionName,
        reservedConcurrency: args.maxInstances ?? 1,
      },
      { parent: this },
    );

    this.trigger = new alicloud.fc.V3Trigger(
      `${name}-http`,
      {
        functionName: this.function.functionName,
        triggerName: "http",
        triggerType: "http",
        qualifier: "LATEST",
        description: "Alibaba Cloud and Volcengine monitoring callbacks (token in the URL)",
        // Anonymous: neither cloud can sign its callbacks; the receiver checks its token instead.
        triggerConfig: JSON.stringify({
          authType: "anonymous",
          methods: ["POST", "GET"],
          disableURLInternet: false,
        }),
      },
      { parent: this },
    );

    this.functionName = this.function.functionName;
    this.url = this.trigger.httpTrigger.apply((raw) => {
      // Typed as one object (the bridge flattens the one-item list); the provider docs' example
      // indexes [0], so accept either shape.
      const t = (Array.isArray(raw) ? raw[0] : raw) as { urlInternet?: string } | undefined;
      if (!t?.urlInternet)
        throw new Error(
          `ReceiverFunction ${name}: the HTTP trigger has no internet URL; check that the trigger allows internet access`,
        );
      return t.urlInternet.replace(/\/+$/, "");
    });
    this.registerOutputs({ functionName: this.functionName, url: this.url });
  }
}

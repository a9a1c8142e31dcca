// The receiver stack's program: bundle, provider, push URL (direct or from the wiring stack), the
// Function Compute web function, and the outputs the wiring stack reads (program/receiver.ts).
import * as pulumi from "@pulumi/pulumi";
import { ReceiverFunction, createAliyunProvider } from "../../components/aliyun";
import { BUNDLE_FILE, buildReceiverBundle } from "./bundle";
import { PROJECT, ReceiverStackConfig, checkPushUrl } from "./config";

/** The wiring stack's output holding the standard alert push URL (program/wiring.ts). */
export const WIRING_PUSH_URL_OUTPUT = "receiverPushUrl";

/** Reads `receiverPushUrl` from the wiring stack, failing clearly if it is not there (yet). */
export function pushUrlFromWiringStack(wiringStack: string): pulumi.Output<string> {
  const ref = new pulumi.StackReference("wiring", { name: wiringStack });
  return pulumi.secret(
    pulumi.output(ref.getOutputDetails(WIRING_PUSH_URL_OUTPUT)).apply((details) => {
      const value = details.secretValue ?? details.value;
      if (typeof value !== "string" || value === "")
        throw new pulumi.RunError(
          `${PROJECT}:wiringStack: stack ${wiringStack} has no ${WIRING_PUSH_URL_OUTPUT} output. ` +
            "It has one once a cloud there uses `delivery: receiver` and `pulumi up` ran; for the " +
            "first deployment follow the bootstrapping order in docs/receiver.md (Deploying), or " +
            "give the URL directly with `pulumi config set --secret flashdutyPushUrl '<push URL>'`",
        );
      checkPushUrl(value, `${wiringStack} output ${WIRING_PUSH_URL_OUTPUT}`);
      return value;
    }),
  );
}

export interface ReceiverStackOutputs {
  /** Base URL of the receiver (the HTTP trigger); not a credential, so not secret. */
  receiverUrl: pulumi.Output<string>;
  /** RECEIVER_TOKEN (secret): the wiring stack adds it to the callback URLs. */
  receiverToken: pulumi.Output<string>;
  functionName: pulumi.Output<string>;
  bundleSha256: string;
  delivery: "sync";
}

/** Builds every resource of the stack; index.ts exports `outputs` as the stack outputs. */
export function deployReceiver(cfg: ReceiverStackConfig): {
  receiver: ReceiverFunction;
  outputs: ReceiverStackOutputs;
} {
  const bundle = buildReceiverBundle();
  const pushUrl = cfg.pushUrl ?? pushUrlFromWiringStack(cfg.wiringStack as string);
  const provider = createAliyunProvider("aliyun");
  const receiver = new ReceiverFunction(
    "receiver",
    {
      functionName: cfg.functionName,
      zipBase64: bundle.zipBase64,
      bundleFile: BUNDLE_FILE,
      bundleSha256: bundle.sha256,
      token: cfg.token,
      pushUrl,
      memorySize: cfg.memorySize,
      cpu: cfg.cpu,
      instanceConcurrency: cfg.instanceConcurrency,
      maxInstances: cfg.maxInstances,
      ratePerSecond: cfg.forwardRatePerSecond,
      ratePerMinute: cfg.forwardRatePerMinute,
      timeoutSeconds: cfg.timeoutSeconds,
      syncTimeoutMs: cfg.syncTimeoutMs,
      logLevel: cfg.logLevel,
      log: cfg.log,
      role: cfg.role,
    },
    { providers: { alicloud: provider } },
  );
  return {
    receiver,
    outputs: {
      receiverUrl: receiver.url,
      receiverToken: pulumi.secret(cfg.token),
      functionName: receiver.functionName,
      bundleSha256: bundle.sha256,
      delivery: "sync",
    },
  };
}

// Builds the explicit `alicloud.Provider` a stack passes to AliyunEventPush (through `providers`).
// An explicit provider does not read the `alicloud:*` stack config by itself (only the default
// provider does), so we resolve region and keys here, from config first, then the provider's usual
// environment variables, and hand the keys over as Pulumi secrets so they are encrypted in state.
import * as alicloud from "@pulumi/alicloud";
import * as pulumi from "@pulumi/pulumi";
import { formatProblems } from "../common/problems";

/** Where credentials come from; tests inject these, programs use the defaults. */
export interface AliyunCredentialSources {
  /** Defaults to `new pulumi.Config("alicloud")` (keys `region`, `accessKey`, `secretKey`). */
  readonly config?: Pick<pulumi.Config, "get" | "getSecret">;
  /** Defaults to `process.env` (`ALICLOUD_REGION`, `ALICLOUD_ACCESS_KEY`, `ALICLOUD_SECRET_KEY`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Region ids look like cn-hangzhou, ap-southeast-1, us-west-1, cn-hongkong. */
const REGION_PATTERN = /^[a-z]{2,}(-[a-z0-9]+)+$/;

export class AliyunProviderConfigError extends pulumi.RunError {
  constructor(problems: readonly string[]) {
    super(
      formatProblems(
        `Alibaba Cloud provider configuration: ${problems.length} problem(s):`,
        problems,
      ),
    );
    this.name = "AliyunProviderConfigError";
  }
}

function envValue(
  env: Readonly<Record<string, string | undefined>>,
  key: string,
): string | undefined {
  const value = env[key]?.trim();
  return value ? value : undefined;
}

/**
 * Creates an `alicloud.Provider` named `name` from `alicloud:region` / `alicloud:accessKey` /
 * `alicloud:secretKey` (set the keys with `pulumi config set --secret`), falling back to
 * `ALICLOUD_REGION` / `ALICLOUD_ACCESS_KEY` / `ALICLOUD_SECRET_KEY`.
 *
 * - The region is required: a stack that silently fell back to the plugin's default region would
 *   create its alert rules somewhere nobody looks.
 * - The key pair is taken as a unit from config or else from the environment, never mixed, so an
 *   access key can't be paired with another account's secret. Both are wrapped in `pulumi.secret`.
 * - With no keys anywhere the plugin's own credential chain applies (e.g. the `aliyun configure`
 *   profile); with only one of the two keys we fail, naming the missing one.
 */
export function createAliyunProvider(
  name: string,
  opts?: pulumi.CustomResourceOptions,
  sources: AliyunCredentialSources = {},
): alicloud.Provider {
  const config = sources.config ?? new pulumi.Config("alicloud");
  const env = sources.env ?? process.env;
  const problems: string[] = [];

  const region = config.get("region") ?? envValue(env, "ALICLOUD_REGION");
  if (region === undefined)
    problems.push(
      "region: not set; run `pulumi config set alicloud:region <region-id>` (e.g. cn-hangzhou) " +
        "or export ALICLOUD_REGION",
    );
  else if (!REGION_PATTERN.test(region))
    problems.push(
      `region: "${region}" is not an Alibaba Cloud region id; use e.g. cn-hangzhou or ap-southeast-1`,
    );

  let accessKey: pulumi.Output<string> | undefined;
  let secretKey: pulumi.Output<string> | undefined;
  const configAccessKey = config.getSecret("accessKey");
  const configSecretKey = config.getSecret("secretKey");
  if (configAccessKey !== undefined || configSecretKey !== undefined) {
    if (configAccessKey === undefined)
      problems.push(
        "accessKey: alicloud:secretKey is set but alicloud:accessKey is not; run " +
          "`pulumi config set --secret alicloud:accessKey <id>`",
      );
    if (configSecretKey === undefined)
      problems.push(
        "secretKey: alicloud:accessKey is set but alicloud:secretKey is not; run " +
          "`pulumi config set --secret alicloud:secretKey <secret>`",
      );
    accessKey = configAccessKey;
    secretKey = configSecretKey;
  } else {
    const envAccessKey = envValue(env, "ALICLOUD_ACCESS_KEY");
    const envSecretKey = envValue(env, "ALICLOUD_SECRET_KEY");
    if ((envAccessKey === undefined) !== (envSecretKey === undefined))
      problems.push(
        `${envAccessKey === undefined ? "ALICLOUD_ACCESS_KEY" : "ALICLOUD_SECRET_KEY"}: not set ` +
          "while its partner is; export both, or set both alicloud:accessKey and " +
          "alicloud:secretKey with `pulumi config set --secret`",
      );
    if (envAccessKey !== undefined) accessKey = pulumi.secret(envAccessKey);
    if (envSecretKey !== undefined) secretKey = pulumi.secret(envSecretKey);
  }

  if (problems.length > 0) throw new AliyunProviderConfigError(problems);
  return new alicloud.Provider(name, { region, accessKey, secretKey }, opts);
}

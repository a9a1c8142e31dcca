// Convention: every name a cloud or Flashduty shows (integration, channel, callback, rule and
// alarm names) contains the environment name as a whole word, so that dev, staging and prod
// objects living in one account or one Flashduty tenant can be told apart and never collide.
//
// - The environment is the stack name (taken from the resource URN: `urn:pulumi:<stack>::...`),
//   or the policy config `environment` when stack names differ from environment names.
// - "Whole word": delimited by the start/end of the name or any character other than a letter or
//   a digit, case-insensitive. For stack `prod`: "fd-prod-ecs", "prod_ecs", "ECS events [PROD]"
//   pass; "production-ecs" and "ecsprod" do not.
// - Pulumi logical names are not checked: a stack already scopes them.
import { ResourceValidationPolicy } from "@pulumi/policy";
import {
  ALIYUN_ALARM,
  ALIYUN_ALERT_ACTION,
  ALIYUN_EVENT_RULE,
  ALIYUN_NOTIFY_POLICY,
  FLASHDUTY_CHANNEL,
  FLASHDUTY_INTEGRATION,
  VOLCENGINE_CALLBACK_URL,
  VOLCENGINE_EVENT_RULE,
} from "../lib/tokens";
import { UNKNOWN, get, parseUrn } from "../lib/values";

/** Per resource type, the property holding its visible name (first one set wins). */
export const NAME_PROPERTIES: Readonly<Record<string, readonly string[]>> = {
  [FLASHDUTY_INTEGRATION]: ["name"],
  [FLASHDUTY_CHANNEL]: ["name", "channelName"],
  [VOLCENGINE_CALLBACK_URL]: ["name"],
  [VOLCENGINE_EVENT_RULE]: ["ruleName"],
  [ALIYUN_EVENT_RULE]: ["ruleName"],
  [ALIYUN_ALARM]: ["name"],
  [ALIYUN_ALERT_ACTION]: ["name"],
  [ALIYUN_NOTIFY_POLICY]: ["name"],
};

export interface NamingConfig {
  environment?: string;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export function nameCarriesEnvironment(name: string, environment: string): boolean {
  const word = new RegExp(`(^|[^a-z0-9])${escapeRegExp(environment)}($|[^a-z0-9])`, "i");
  return word.test(name);
}

export function namingProblem(
  type: string,
  urn: string,
  props: unknown,
  config: NamingConfig,
): string | undefined {
  const fields = NAME_PROPERTIES[type];
  const environment = config.environment ?? parseUrn(urn)?.stack;
  if (fields === undefined || environment === undefined || environment === "") {
    return undefined;
  }
  for (const field of fields) {
    const value = get(props, field);
    if (value === UNKNOWN) {
      return undefined;
    }
    if (typeof value === "string" && value !== "") {
      return nameCarriesEnvironment(value, environment)
        ? undefined
        : `${field} "${value}" does not contain the environment name "${environment}" as a word; ` +
            `name it like "${environment}-<what>" (e.g. "${environment}-${value}")`;
    }
  }
  return `has no ${fields.join(" or ")}; set one containing the environment name "${environment}"`;
}

export const namesCarryEnvironment: ResourceValidationPolicy = {
  name: "names-carry-environment",
  description:
    "Visible names of Flashduty, Volcengine and Alibaba Cloud objects contain the environment (stack) name as a word.",
  enforcementLevel: "advisory",
  configSchema: {
    properties: {
      environment: { type: "string", description: "Environment name; defaults to the stack name." },
    },
  },
  validateResource: (args, reportViolation) => {
    const problem = namingProblem(args.type, args.urn, args.props, args.getConfig<NamingConfig>());
    if (problem !== undefined) {
      reportViolation(`${args.type} "${args.name}": ${problem}.`);
    }
  },
};

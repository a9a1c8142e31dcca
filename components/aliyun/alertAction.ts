// Dynamic resource for a CloudMonitor 2.0 alert action of type WEBHOOK (API 2024-03-30:
// CreateAlertAction / UpdateAlertAction / DeleteAlertActions / ListAlertActions). In the console we
// take it to be the Event Subscription "push channel" (an inference, see docs/aliyun.md).
//
// The provider object is exported and the resource hands `providerFromModule(__filename, ...)` to
// Pulumi, so only a small stub is serialized; settings from `configure` live on this module's
// provider object in the provider host.
import * as pulumi from "@pulumi/pulumi";
import {
  AlertActionRecord,
  CmsSettings,
  PartialCmsSettings,
  WEBHOOK_CONTENT_TYPES,
  WEBHOOK_METHODS,
  WebhookContentType,
  WebhookMethod,
  cmsSettingsFromConfig,
  createAlertAction,
  deleteAlertActions,
  getAlertAction,
  isNotFoundError,
  resolveCmsSettings,
  updateAlertAction,
} from "./cmsClient";
import { providerFromModule } from "../common/dynamicProvider";
import { containsUnknown, isUnknown } from "../common/unknown";

export const ALERT_ACTION_TYPE = "WEBHOOK";
/** Name length: not published; 1..64 is what we accept (conservative, like the rule names). */
export const ALERT_ACTION_NAME_MAX = 64;

export interface AlertActionInputs {
  name: string;
  url: string;
  method: WebhookMethod;
  contentType: WebhookContentType;
  headers?: Record<string, string>;
  adoptId?: string;
}

export interface AlertActionOutputs extends AlertActionInputs {
  /** The alert action's id (also the resource id): what notify policies reference. */
  alertActionId: string;
  /** Always WEBHOOK for the objects we manage. */
  type: string;
  /** Region the alert action lives in (from config when it was created). */
  region: string;
}

interface Failure {
  property: string;
  reason: string;
}

const LOOPBACK = /^(127\.|localhost$|\[::1\]$)/;

function checkInputs(i: AlertActionInputs): Failure[] {
  const f: Failure[] = [];
  const known = (v: unknown) => !containsUnknown(v);
  if (known(i.name)) {
    if (typeof i.name !== "string" || i.name.trim() === "")
      f.push({
        property: "name",
        reason: "is required; name the push channel, e.g. flashduty-prod",
      });
    else if (i.name.length > ALERT_ACTION_NAME_MAX || /[\u0000-\u001f]/.test(i.name))
      f.push({
        property: "name",
        reason: `use 1-${ALERT_ACTION_NAME_MAX} printable characters`,
      });
  }
  if (known(i.url)) {
    // Never echo the URL: it carries the integration key.
    let url: URL | undefined;
    try {
      url = typeof i.url === "string" ? new URL(i.url) : undefined;
    } catch {
      url = undefined;
    }
    if (!url) f.push({ property: "url", reason: "is not an absolute URL; use the https push URL" });
    else if (url.protocol !== "https:")
      f.push({
        property: "url",
        reason: "must use https: CloudMonitor pushes over the Internet and the URL carries the key",
      });
    else if (LOOPBACK.test(url.hostname))
      f.push({ property: "url", reason: "points at a loopback host CloudMonitor cannot reach" });
  }
  if (known(i.method) && !(WEBHOOK_METHODS as readonly string[]).includes(i.method))
    f.push({ property: "method", reason: `use one of ${WEBHOOK_METHODS.join(", ")}` });
  if (known(i.contentType) && !(WEBHOOK_CONTENT_TYPES as readonly string[]).includes(i.contentType))
    f.push({ property: "contentType", reason: `use one of ${WEBHOOK_CONTENT_TYPES.join(", ")}` });
  if (i.headers !== undefined && known(i.headers)) {
    if (i.headers === null || typeof i.headers !== "object" || Array.isArray(i.headers))
      f.push({ property: "headers", reason: "must be a map of header name to string value" });
    else
      for (const [k, v] of Object.entries(i.headers))
        if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(k) || typeof v !== "string")
          f.push({
            property: "headers",
            reason: `header "${k.replace(/[^\x20-\x7e]/g, "?")}" needs a token name and a string value`,
          });
  }
  if (
    i.adoptId !== undefined &&
    known(i.adoptId) &&
    (typeof i.adoptId !== "string" || i.adoptId.trim() === "")
  )
    f.push({
      property: "adoptId",
      reason: "must be the id of an existing alert action, or left out",
    });
  return f;
}

function sameHeaders(a?: Record<string, string>, b?: Record<string, string>): boolean {
  const ea = Object.entries(a ?? {}).sort(([x], [y]) => x.localeCompare(y));
  const eb = Object.entries(b ?? {}).sort(([x], [y]) => x.localeCompare(y));
  return JSON.stringify(ea) === JSON.stringify(eb);
}

/** Whether the server's object already is what the inputs declare. */
function matches(r: AlertActionRecord, i: AlertActionInputs): boolean {
  const w = r.webhookParam ?? {};
  return (
    r.type === ALERT_ACTION_TYPE &&
    r.alertActionName === i.name &&
    w.url === i.url &&
    (w.method ?? "POST") === i.method &&
    (w.contentType ?? "JSON") === i.contentType &&
    sameHeaders(w.headers, i.headers)
  );
}

function spec(i: AlertActionInputs) {
  return {
    name: i.name,
    url: i.url,
    method: i.method,
    contentType: i.contentType,
    ...(i.headers ? { headers: i.headers } : {}),
  };
}

export class AlertActionProvider implements pulumi.dynamic.ResourceProvider<
  AlertActionInputs,
  AlertActionOutputs
> {
  /** Stack config captured by `configure` in the provider host. */
  configured?: PartialCmsSettings;
  private configProblems: string[] = [];

  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    const { config, problems } = cmsSettingsFromConfig((key) => req.config.get(key));
    this.configured = config;
    this.configProblems = problems;
  }

  /** Settings for a call; `region` (where the object was created) overrides the configured one. */
  settings(region?: string): CmsSettings {
    const s = resolveCmsSettings(this.configured, process.env, this.configProblems);
    if (!region || region === s.region) return s;
    // The object lives elsewhere: use that region's endpoint unless one was configured.
    const overridden =
      this.configured?.endpoint !== undefined || process.env.ALIBABA_CLOUD_CMS_ENDPOINT;
    return {
      ...s,
      region,
      endpoint: overridden ? s.endpoint : `https://cms.${region}.aliyuncs.com`,
    };
  }

  async check(
    _olds: AlertActionInputs,
    news: AlertActionInputs,
  ): Promise<pulumi.dynamic.CheckResult<AlertActionInputs>> {
    const inputs: AlertActionInputs = {
      ...news,
      method: news.method ?? "POST",
      contentType: news.contentType ?? "JSON",
    };
    const failures = checkInputs(inputs);
    return failures.length > 0 ? { failures } : { inputs };
  }

  async diff(
    id: string,
    olds: AlertActionOutputs,
    news: AlertActionInputs,
  ): Promise<pulumi.dynamic.DiffResult> {
    const replaces: string[] = [];
    const changes: string[] = [];
    if (news.adoptId !== undefined && (isUnknown(news.adoptId) || news.adoptId !== id))
      replaces.push("adoptId");
    let configuredRegion: string | undefined;
    try {
      configuredRegion = this.settings().region;
    } catch {
      configuredRegion = undefined; // reported by the operation itself
    }
    if (configuredRegion && olds.region && configuredRegion !== olds.region)
      replaces.push("region");
    for (const key of ["name", "url", "method", "contentType"] as const)
      if (containsUnknown(news[key]) || news[key] !== olds[key]) changes.push(key);
    if (containsUnknown(news.headers) || !sameHeaders(news.headers, olds.headers))
      changes.push("headers");
    if (olds.type !== ALERT_ACTION_TYPE) changes.push("type");
    const all = [...new Set([...replaces, ...changes])];
    return { changes: all.length > 0, replaces, deleteBeforeReplace: false };
  }

  async create(
    inputs: AlertActionInputs,
  ): Promise<pulumi.dynamic.CreateResult<AlertActionOutputs>> {
    const s = this.settings();
    let id: string;
    if (inputs.adoptId) {
      const existing = await getAlertAction(s, inputs.adoptId);
      if (!existing)
        throw new Error(
          `adoptId: alert action ${inputs.adoptId} does not exist in region ${s.region}; check the id ` +
            "(CloudMonitor console, or ListAlertActions) or remove adoptId to create a new one.",
        );
      if (existing.type !== ALERT_ACTION_TYPE)
        throw new Error(
          `adoptId: alert action ${inputs.adoptId} is of type ${existing.type}, not ${ALERT_ACTION_TYPE}; ` +
            "adopt a webhook push channel, or remove adoptId to create one.",
        );
      id = existing.alertActionId;
      if (!matches(existing, inputs)) await updateAlertAction(s, id, spec(inputs));
    } else {
      id = await createAlertAction(s, spec(inputs));
    }
    return { id, outs: this.outputs(id, inputs, s.region) };
  }

  async read(
    id: string,
    props?: AlertActionOutputs,
  ): Promise<pulumi.dynamic.ReadResult<AlertActionOutputs>> {
    const s = this.settings(props?.region);
    const current = await getAlertAction(s, id);
    if (!current) return { id: "" };
    const w = current.webhookParam ?? {};
    const outs: AlertActionOutputs = {
      name: current.alertActionName,
      url: w.url ?? "",
      method: (w.method ?? "POST") as WebhookMethod,
      contentType: (w.contentType ?? "JSON") as WebhookContentType,
      ...(w.headers && Object.keys(w.headers).length > 0 ? { headers: w.headers } : {}),
      ...(props?.adoptId !== undefined ? { adoptId: props.adoptId } : {}),
      alertActionId: current.alertActionId,
      type: current.type,
      region: s.region,
    };
    return { id, props: outs };
  }

  async update(
    id: string,
    olds: AlertActionOutputs,
    news: AlertActionInputs,
  ): Promise<pulumi.dynamic.UpdateResult<AlertActionOutputs>> {
    const s = this.settings(olds.region);
    try {
      await updateAlertAction(s, id, spec(news));
    } catch (err) {
      if (isNotFoundError(err))
        throw new Error(
          `alert action ${id} no longer exists in region ${s.region}; run \`pulumi refresh\` so ` +
            "it is recreated on the next `pulumi up`.",
        );
      throw err;
    }
    return { outs: this.outputs(id, news, s.region) };
  }

  async delete(id: string, props: AlertActionOutputs): Promise<void> {
    const s = this.settings(props.region);
    if ((await getAlertAction(s, id)) === undefined) return;
    try {
      await deleteAlertActions(s, [id]);
    } catch (err) {
      if (!isNotFoundError(err)) throw err;
    }
  }

  private outputs(id: string, i: AlertActionInputs, region: string): AlertActionOutputs {
    return { ...i, alertActionId: id, type: ALERT_ACTION_TYPE, region };
  }
}

/** The one provider object for all AlertAction resources (its module holds the configuration). */
export const alertActionProvider = new AlertActionProvider();

export interface AlertActionArgs {
  /** Name shown in the console (alertActionName). */
  name: pulumi.Input<string>;
  /** Where CloudMonitor pushes: a Flashduty push URL or the receiver's. Always kept secret. */
  url: pulumi.Input<string>;
  /** Default POST. */
  method?: pulumi.Input<WebhookMethod>;
  /** Default JSON (the body the receiver and Flashduty's CM Event integration read). */
  contentType?: pulumi.Input<WebhookContentType>;
  /** Extra request headers; kept secret (they may carry a token). */
  headers?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Id of an existing WEBHOOK alert action to take over instead of creating one. */
  adoptId?: pulumi.Input<string>;
}

/** A CloudMonitor 2.0 WEBHOOK alert action: the push channel notify policies push to. */
export class AlertAction extends pulumi.dynamic.Resource {
  declare readonly name: pulumi.Output<string>;
  declare readonly url: pulumi.Output<string>;
  declare readonly method: pulumi.Output<string>;
  declare readonly contentType: pulumi.Output<string>;
  declare readonly headers: pulumi.Output<Record<string, string> | undefined>;
  declare readonly adoptId: pulumi.Output<string | undefined>;
  declare readonly alertActionId: pulumi.Output<string>;
  declare readonly type: pulumi.Output<string>;
  declare readonly region: pulumi.Output<string>;

  constructor(name: string, args: AlertActionArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      providerFromModule<AlertActionInputs, AlertActionOutputs>(__filename, "alertActionProvider"),
      name,
      {
        alertActionId: undefined,
        type: undefined,
        region: undefined,
        adoptId: undefined,
        name: args.name,
        // The URL embeds the integration key: secret in inputs, state and outputs.
        url: pulumi.secret(args.url),
        method: args.method ?? "POST",
        contentType: args.contentType ?? "JSON",
        ...(args.headers !== undefined ? { headers: pulumi.secret(args.headers) } : {}),
        ...(args.adoptId !== undefined ? { adoptId: args.adoptId } : {}),
      },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ["url", "headers"] }),
      "aliyun",
      "AlertAction",
    );
  }
}

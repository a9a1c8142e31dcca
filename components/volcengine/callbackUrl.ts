// Dynamic resource for a Cloud Monitor callback of type "custom" — the console's
// "Notification Groups → Callback → General Callback URL" (CreateWebhook / UpdateWebhook /
// DeleteWebhooksByIds / ListWebhooksByIds).

import * as pulumi from "@pulumi/pulumi";
import { createWebhook, deleteWebhooks, getWebhook, updateWebhook } from "./api";
import { VolcengineProviderBase } from "./providerBase";
import {
  DEFAULT_CALLBACK_NAME,
  Failure,
  checkAdoptId,
  checkCallbackName,
  checkCallbackUrl,
} from "./validation";
import { containsUnknown } from "../common/unknown";
import { providerFromModule } from "../common/dynamicProvider";

export const CALLBACK_TYPE = "custom";

export interface CallbackUrlInputs {
  name: string;
  url: string;
  adoptId?: string;
}

export interface CallbackUrlOutputs extends CallbackUrlInputs {
  /** Callback type on the server; always "custom" for resources we manage. */
  type: string;
  /** Region the callback lives in (from config when it was created). */
  region: string;
}

export class CallbackUrlProvider
  extends VolcengineProviderBase
  implements pulumi.dynamic.ResourceProvider<CallbackUrlInputs, CallbackUrlOutputs>
{
  async check(
    _olds: CallbackUrlInputs,
    news: CallbackUrlInputs,
  ): Promise<pulumi.dynamic.CheckResult<CallbackUrlInputs>> {
    const inputs: CallbackUrlInputs = { ...news, name: news.name ?? DEFAULT_CALLBACK_NAME };
    const failures: Failure[] = [
      ...checkCallbackName(inputs.name),
      ...checkCallbackUrl(inputs.url),
      ...checkAdoptId(inputs.adoptId),
    ];
    return failures.length > 0 ? { failures } : { inputs };
  }

  async diff(
    id: string,
    olds: CallbackUrlOutputs,
    news: CallbackUrlInputs,
  ): Promise<pulumi.dynamic.DiffResult> {
    const replaces: string[] = [];
    const changes: string[] = [];
    // Adopting a different object means managing a different callback.
    if (news.adoptId !== undefined && (containsUnknown(news.adoptId) || news.adoptId !== id))
      replaces.push("adoptId");
    replaces.push(...this.regionReplaces(olds.region));
    if (containsUnknown(news.name) || news.name !== olds.name) changes.push("name");
    if (containsUnknown(news.url) || news.url !== olds.url) changes.push("url");
    if (olds.type !== CALLBACK_TYPE) changes.push("type");
    const all = [...new Set([...replaces, ...changes])];
    return { changes: all.length > 0, replaces, deleteBeforeReplace: false };
  }

  async create(
    inputs: CallbackUrlInputs,
  ): Promise<pulumi.dynamic.CreateResult<CallbackUrlOutputs>> {
    const s = this.settings();
    let id: string;
    if (inputs.adoptId) {
      const existing = await getWebhook(s, inputs.adoptId);
      if (!existing)
        throw new Error(
          `adoptId: callback ${inputs.adoptId} does not exist in region ${s.region}; check the id in the console ` +
            "(Cloud Monitor → Notification Groups → Callback) or remove adoptId to create a new callback.",
        );
      id = existing.Id;
      if (
        existing.Name !== inputs.name ||
        existing.Url !== inputs.url ||
        existing.Type !== CALLBACK_TYPE
      )
        await updateWebhook(s, id, inputs.name, inputs.url);
    } else {
      id = await createWebhook(s, inputs.name, inputs.url);
    }
    return { id, outs: { ...inputs, type: CALLBACK_TYPE, region: s.region } };
  }

  async read(
    id: string,
    props?: CallbackUrlOutputs,
  ): Promise<pulumi.dynamic.ReadResult<CallbackUrlOutputs>> {
    const s = this.settings(props?.region);
    const current = await getWebhook(s, id);
    if (!current) return { id: "" };
    const outs: CallbackUrlOutputs = {
      name: current.Name,
      url: current.Url,
      type: current.Type,
      region: s.region,
      ...(props?.adoptId !== undefined ? { adoptId: props.adoptId } : {}),
    };
    return { id, props: outs };
  }

  async update(
    id: string,
    olds: CallbackUrlOutputs,
    news: CallbackUrlInputs,
  ): Promise<pulumi.dynamic.UpdateResult<CallbackUrlOutputs>> {
    const s = this.settings(olds.region);
    await updateWebhook(s, id, news.name, news.url);
    return { outs: { ...news, type: CALLBACK_TYPE, region: s.region } };
  }

  async delete(id: string, props: CallbackUrlOutputs): Promise<void> {
    const s = this.settings(props.region);
    await this.deleteOrConfirmGone(
      () => deleteWebhooks(s, [id]),
      async () => (await getWebhook(s, id)) !== undefined,
    );
  }
}

/** The one provider object for all CallbackUrl resources (the host loads it through providerFromModule). */
export const callbackUrlProvider = new CallbackUrlProvider();

export interface CallbackUrlArgs {
  /** Callback name shown in the console (1–512 bytes). Default "Flashduty_Event". */
  name?: pulumi.Input<string>;
  /** Where Volcengine posts events: a Flashduty push URL or receiver URL. Always kept secret. */
  url: pulumi.Input<string>;
  /** Id of an existing callback to take over instead of creating one (it is updated to match). */
  adoptId?: pulumi.Input<string>;
}

/** A Volcengine Cloud Monitor "General Callback URL" (webhook of type custom). */
export class CallbackUrl extends pulumi.dynamic.Resource {
  declare readonly name: pulumi.Output<string>;
  declare readonly url: pulumi.Output<string>;
  declare readonly type: pulumi.Output<string>;
  declare readonly region: pulumi.Output<string>;
  declare readonly adoptId: pulumi.Output<string | undefined>;

  constructor(name: string, args: CallbackUrlArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      providerFromModule(__filename, "callbackUrlProvider"),
      name,
      {
        type: undefined,
        region: undefined,
        adoptId: undefined,
        name: args.name ?? DEFAULT_CALLBACK_NAME,
        // The URL embeds a credential: secret in inputs, state and outputs whatever the caller passed.
        url: pulumi.secret(args.url),
        ...(args.adoptId !== undefined ? { adoptId: args.adoptId } : {}),
      },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ["url"] }),
      "volcengine",
      "CallbackUrl",
    );
  }
}

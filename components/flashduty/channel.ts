// Flashduty channel (collaboration space) as a dynamic resource, via /channel/create|info|update|delete.
// Optional: most stacks route to channels that already exist and pass their ids.
import * as pulumi from "@pulumi/pulumi";
import { FlashdutyClient } from "./client";
import { isNotFound } from "./errors";
import { Failures, ProviderContext, ProviderOptions, compact, parseId } from "./support";
import { containsUnknown, isUnknown } from "../common/unknown";
import { providerFromModule } from "../common/dynamicProvider";

export const AUTO_RESOLVE_MODES = ["trigger", "update"] as const;
export type AutoResolveMode = (typeof AUTO_RESOLVE_MODES)[number];

const NAME_MAX = 59;
const DESCRIPTION_MAX = 500;
const AUTO_RESOLVE_TIMEOUT_MAX = 2_592_000;

export interface ChannelInputs {
  teamId: number;
  name: string;
  description?: string;
  autoResolveTimeout?: number;
  autoResolveMode?: AutoResolveMode;
  isPrivate?: boolean;
  adoptId?: number;
}

export interface ChannelOutputs extends ChannelInputs {
  channelId: number;
}

interface ApiChannel {
  channel_id?: number;
  channel_name?: string;
  team_id?: number;
  description?: string;
  status?: string;
  auto_resolve_timeout?: number;
  auto_resolve_mode?: string;
  is_private?: boolean;
}

/** Input fields → API body; only what is declared (omitted = left to Flashduty). */
function toApiChannel(inputs: ChannelInputs): Record<string, unknown> {
  return compact({
    team_id: inputs.teamId,
    channel_name: inputs.name,
    description: inputs.description,
    auto_resolve_timeout: inputs.autoResolveTimeout,
    auto_resolve_mode: inputs.autoResolveMode,
    is_private: inputs.isPrivate,
  });
}

function fromApiChannel(channel: ApiChannel): Partial<ChannelOutputs> {
  return compact({
    teamId: channel.team_id,
    name: channel.channel_name,
    description: channel.description,
    autoResolveTimeout: channel.auto_resolve_timeout,
    autoResolveMode: channel.auto_resolve_mode as AutoResolveMode | undefined,
    isPrivate: channel.is_private,
  });
}

/** What a field left out of a channel record means: Flashduty emits one "only when populated". */
const UNPOPULATED: Partial<ChannelOutputs> = {
  description: "",
  autoResolveTimeout: 0,
  isPrivate: false,
  autoResolveMode: undefined,
};

/**
 * The state after a read: the server's fields, and for a field the state has but the record leaves
 * out (docs spec ChannelItem: fields are "emitted only when populated"), its empty value. So a
 * description cleared in the console reads as "", `is_private` turned off as false, a timeout of 0
 * as 0, instead of keeping the value the state had.
 */
function readState(props: ChannelOutputs, channel: ApiChannel, channelId: number): ChannelOutputs {
  const server = fromApiChannel(channel);
  const next: Record<string, unknown> = { ...props, ...server, channelId };
  for (const [key, empty] of Object.entries(UNPOPULATED))
    if (key in props && !(key in server)) next[key] = empty;
  return compact(next) as unknown as ChannelOutputs;
}

const MANAGED_FIELDS = [
  "teamId",
  "name",
  "description",
  "autoResolveTimeout",
  "autoResolveMode",
  "isPrivate",
] as const;

/** Declared fields whose value differs from `actual` (undeclared optional fields are not managed). */
function changedFields(
  declared: Partial<ChannelInputs>,
  actual: Partial<ChannelOutputs>,
): string[] {
  return MANAGED_FIELDS.filter(
    (key) => declared[key] !== undefined && declared[key] !== actual[key],
  );
}

export function checkChannelInputs(news: Record<string, unknown>): {
  inputs: Record<string, unknown>;
  failures: Failures;
} {
  const failures = new Failures();
  const inputs: Record<string, unknown> = { ...news };
  const { teamId, name, description, autoResolveTimeout, autoResolveMode, isPrivate, adoptId } =
    news;
  if (!isUnknown(teamId)) {
    const id = parseId(teamId);
    if (id === undefined)
      failures.add(
        "teamId",
        "set the id of the Flashduty team that owns the channel (a positive integer)",
      );
    else inputs.teamId = id;
  }
  if (!isUnknown(name) && (typeof name !== "string" || name.length < 1 || name.length > NAME_MAX))
    failures.add("name", `must be a string of 1–${NAME_MAX} characters`);
  if (description !== undefined && !isUnknown(description))
    if (typeof description !== "string" || description.length > DESCRIPTION_MAX)
      failures.add("description", `must be a string of at most ${DESCRIPTION_MAX} characters`);
  if (autoResolveTimeout !== undefined && !isUnknown(autoResolveTimeout))
    if (
      typeof autoResolveTimeout !== "number" ||
      !Number.isInteger(autoResolveTimeout) ||
      autoResolveTimeout < 0 ||
      autoResolveTimeout > AUTO_RESOLVE_TIMEOUT_MAX
    )
      failures.add(
        "autoResolveTimeout",
        `must be whole seconds from 0 to ${AUTO_RESOLVE_TIMEOUT_MAX} (30 days)`,
      );
  if (
    autoResolveMode !== undefined &&
    !isUnknown(autoResolveMode) &&
    !AUTO_RESOLVE_MODES.includes(autoResolveMode as AutoResolveMode)
  )
    failures.add("autoResolveMode", `must be one of ${AUTO_RESOLVE_MODES.join(", ")}`);
  if (isPrivate !== undefined && !isUnknown(isPrivate) && typeof isPrivate !== "boolean")
    failures.add("isPrivate", "must be true or false");
  if (adoptId !== undefined && !isUnknown(adoptId)) {
    const id = parseId(adoptId);
    if (id === undefined)
      failures.add("adoptId", "must be the numeric id of an existing Flashduty channel");
    else inputs.adoptId = id;
  }
  return { inputs, failures };
}

export interface ChannelProvider extends pulumi.dynamic.ResourceProvider {
  configure(req: pulumi.dynamic.ConfigureRequest): Promise<void>;
  check(olds: unknown, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult>;
  diff(id: string, olds: ChannelOutputs, news: ChannelInputs): Promise<pulumi.dynamic.DiffResult>;
  create(inputs: ChannelInputs): Promise<pulumi.dynamic.CreateResult<ChannelOutputs>>;
  read(id: string, props: ChannelOutputs): Promise<pulumi.dynamic.ReadResult<ChannelOutputs>>;
  update(
    id: string,
    olds: ChannelOutputs,
    news: ChannelInputs,
  ): Promise<pulumi.dynamic.UpdateResult<ChannelOutputs>>;
  delete(id: string, props: ChannelOutputs): Promise<void>;
}

export function makeChannelProvider(options: ProviderOptions = {}): ChannelProvider {
  const fdContext = new ProviderContext(options);

  /** The channel, or null when it is gone (400 ResourceNotFound, or status "deleted"). */
  async function fetchChannel(
    client: FlashdutyClient,
    channelId: number,
  ): Promise<ApiChannel | null> {
    try {
      const channel = await client.post<ApiChannel | null>("/channel/info", {
        channel_id: channelId,
      });
      if (!channel || channel.status === "deleted") return null;
      return channel;
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  function outputsOf(
    inputs: ChannelInputs,
    channelId: number,
    server: Partial<ChannelOutputs>,
  ): ChannelOutputs {
    return compact({ ...server, ...inputs, channelId }) as ChannelOutputs;
  }

  return {
    async configure(req) {
      fdContext.configure(req.config);
    },

    async check(_olds, news) {
      const { inputs, failures } = checkChannelInputs(news);
      return { inputs, failures: failures.list };
    },

    async diff(_id, olds, news) {
      const replaces: string[] = [];
      if (
        news.adoptId !== undefined &&
        (isUnknown(news.adoptId) || Number(news.adoptId) !== olds.channelId)
      )
        replaces.push("adoptId");
      const unknown = MANAGED_FIELDS.some((key) => containsUnknown(news[key]));
      const changed = unknown || changedFields(news, olds).length > 0;
      return { changes: replaces.length > 0 || changed, replaces, deleteBeforeReplace: false };
    },

    async create(inputs) {
      const client = fdContext.client();
      if (inputs.adoptId !== undefined) {
        const current = await fetchChannel(client, inputs.adoptId);
        if (!current)
          throw new Error(
            `adoptId ${inputs.adoptId}: no such Flashduty channel (or it is deleted). Fix adoptId or remove it to create a new channel.`,
          );
        const server = fromApiChannel(current);
        if (changedFields(inputs, server).length > 0)
          await client.post("/channel/update", {
            channel_id: inputs.adoptId,
            ...toApiChannel(inputs),
          });
        return { id: String(inputs.adoptId), outs: outputsOf(inputs, inputs.adoptId, server) };
      }
      const created = await client.post<{ channel_id: number }>(
        "/channel/create",
        toApiChannel(inputs),
        { idempotent: false },
      );
      if (!created || typeof created.channel_id !== "number")
        throw new Error("Flashduty /channel/create answered without channel_id.");
      return { id: String(created.channel_id), outs: outputsOf(inputs, created.channel_id, {}) };
    },

    async read(id, props) {
      const channel = await fetchChannel(fdContext.client(), Number(id));
      if (!channel) return { id: "", props: {} as ChannelOutputs };
      return { id, props: readState(props, channel, Number(id)) };
    },

    async update(id, olds, news) {
      if (changedFields(news, olds).length > 0)
        await fdContext
          .client()
          .post("/channel/update", { channel_id: Number(id), ...toApiChannel(news) });
      return { outs: outputsOf(news, Number(id), olds) };
    },

    async delete(id) {
      const client = fdContext.client();
      const channelId = Number(id);
      // Flashduty wants a channel disabled before deletion (as its Terraform provider does).
      try {
        await client.post("/channel/disable", { channel_id: channelId });
      } catch (error) {
        if (isNotFound(error)) return; // already gone
        throw error;
      }
      try {
        await client.post("/channel/delete", { channel_id: channelId });
      } catch (error) {
        if (isNotFound(error)) return;
        // Do not leave a disabled channel behind: routes pointing at it would stop delivering.
        try {
          await client.post("/channel/enable", { channel_id: channelId });
        } catch {
          fdContext.log(
            `Flashduty channel ${id} could not be re-enabled after a failed delete; enable it in the console.`,
          );
        }
        throw error;
      }
    },
  };
}

export const channelProvider: ChannelProvider = makeChannelProvider();

export interface ChannelArgs {
  /** Owning team id. */
  readonly teamId: pulumi.Input<number>;
  /** Channel name, 1–59 characters. */
  readonly name: pulumi.Input<string>;
  /** Up to 500 characters. Omitted = left as Flashduty has it. */
  readonly description?: pulumi.Input<string>;
  /** Seconds (0–2592000) after which an idle incident auto-resolves. */
  readonly autoResolveTimeout?: pulumi.Input<number>;
  /** "trigger" or "update": what restarts the auto-resolve clock. */
  readonly autoResolveMode?: pulumi.Input<AutoResolveMode>;
  readonly isPrivate?: pulumi.Input<boolean>;
  /** Id of an existing channel to adopt instead of creating one. */
  readonly adoptId?: pulumi.Input<number>;
}

/** A Flashduty channel. Token `pulumi-nodejs:dynamic/flashduty:Channel`. */
export class Channel extends pulumi.dynamic.Resource {
  declare readonly channelId: pulumi.Output<number>;
  declare readonly name: pulumi.Output<string>;

  constructor(name: string, args: ChannelArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      providerFromModule(__filename, "channelProvider"),
      name,
      { channelId: undefined, ...args },
      opts,
      "flashduty",
      "Channel",
    );
  }
}

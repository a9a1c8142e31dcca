// Flashduty shared (account-level) integration as a dynamic resource, via /integration/*.
// The integration key and the push URL built from it are secret outputs.
import * as pulumi from "@pulumi/pulumi";
import { FlashdutyClient } from "./client";
import { FlashdutyApiError, isNotFound } from "./errors";
import {
  Failures,
  ProviderContext,
  ProviderOptions,
  compact,
  declaredSubsetEqual,
  isPlainObject,
  parseId,
  parseNonNegativeId,
} from "./support";
import { containsUnknown, isUnknown } from "../common/unknown";
import { providerFromModule } from "../common/dynamicProvider";
import { buildPushUrl, pushPathProblem } from "./pushUrl";

export { buildPushUrl } from "./pushUrl";

/** Integration kinds this project wires; each resolves to a Flashduty `plugin_type` at run time. */
export const INTEGRATION_KINDS = [
  "standard-alert",
  "aliyun-cm-event",
  "aliyun-cm-metrics",
  "volcengine-cm-event",
  "volcengine-cm-metrics",
] as const;
export type IntegrationKind = (typeof INTEGRATION_KINDS)[number];

/** Console display names (English and Chinese) matched against `/integration/type/list`. */
export const KIND_DISPLAY_NAMES: Record<IntegrationKind, readonly string[]> = {
  "standard-alert": ["Standard Alert", "标准告警"],
  "aliyun-cm-event": ["Alibaba Cloud CM Event", "阿里云 CM 事件"],
  "aliyun-cm-metrics": ["Alibaba Cloud CM Metrics", "阿里云 CM 指标"],
  "volcengine-cm-event": ["Volcengine CM Event", "火山引擎CM 事件"],
  "volcengine-cm-metrics": ["Volcengine CM Metrics", "火山引擎CM 指标"],
};

/** Push path documented by Flashduty for `standard.alert`; other types use a [inference] default. */
const DOCUMENTED_PUSH_PATHS: Record<string, string> = { "standard.alert": "standard" };

const NAME_MIN = 2;
const NAME_MAX = 49;
const DESCRIPTION_MAX = 499;

/** Inputs as the provider sees them (after `check`). */
export interface IntegrationInputs {
  kind?: IntegrationKind;
  /** Explicit `plugin_type`; skips the lookup by display name. */
  pluginType?: string;
  name: string;
  description?: string;
  teamId?: number;
  settings?: Record<string, unknown>;
  pushPath?: string;
  adoptId?: number;
  /** Any string; setting it to a new value rotates the integration key on the next update. */
  keyRotation?: string;
}

export interface IntegrationOutputs extends Omit<IntegrationInputs, "pluginType"> {
  integrationId: number;
  /** Resolved (or given) `plugin_type`. */
  pluginType: string;
  /** Whether `pluginType` was given as an input (else it was resolved from `kind`). */
  pluginTypePinned: boolean;
  integrationKey: string;
  pushUrl: string;
}

interface IntegrationTypeItem {
  plugin_type?: string;
  plugin_type_name?: string;
  supports_api_create?: boolean;
  category?: string;
}

interface IntegrationDetail {
  integration_id: number;
  name?: string;
  description?: string;
  team_id?: number;
  plugin_type?: string;
  integration_key?: string;
  settings?: Record<string, unknown>;
  status?: string;
}

/** Normalizes a display name for tolerant matching: case, width and all whitespace ignored. */
export function normalizeTypeName(name: string): string {
  return name.normalize("NFKC").toLowerCase().replace(/\s+/g, "");
}

/** Push path for a plugin type: documented one, else the part before the first "." ([inference]). */
export function defaultPushPath(pluginType: string): string {
  return DOCUMENTED_PUSH_PATHS[pluginType] ?? pluginType.split(".")[0];
}

/** Resolves `kind` to a `plugin_type` through `/integration/type/list`, refusing unusable types. */
export async function resolvePluginType(
  client: FlashdutyClient,
  kind: IntegrationKind,
): Promise<string> {
  return resolvePluginTypeByNames(client, KIND_DISPLAY_NAMES[kind], `kind "${kind}"`);
}

/**
 * Finds the integration type whose display name matches one of `names` (case, width and whitespace
 * ignored) and returns its `plugin_type`; refuses types missing or not creatable through the API.
 */
export async function resolvePluginTypeByNames(
  client: FlashdutyClient,
  names: readonly string[],
  what: string,
): Promise<string> {
  const types = await client.paginate<IntegrationTypeItem>("/integration/type/list", {
    category: "event.alert",
  });
  const wanted = new Set(names.map(normalizeTypeName));
  const match = types.find(
    (t) =>
      typeof t.plugin_type_name === "string" && wanted.has(normalizeTypeName(t.plugin_type_name)),
  );
  if (!match || !match.plugin_type) {
    const found = types.map((t) => `"${t.plugin_type_name}" (${t.plugin_type})`).join(", ");
    throw new Error(
      `Flashduty offers no integration type named ${names.map((n) => `"${n}"`).join(" or ")} ` +
        `for ${what}. Types found: ${found || "none"}. Set \`pluginType\` to the right plugin_type to override.`,
    );
  }
  if (match.supports_api_create === false) {
    throw new Error(
      `Flashduty integration type "${match.plugin_type_name}" (${match.plugin_type}) for ${what} cannot be ` +
        "created through the Open API (supports_api_create=false). Create it in the Flashduty console and pass its id as `adoptId`.",
    );
  }
  return match.plugin_type;
}

/** The docs section on console-created integrations (the way out when the API is not offered). */
export const CONSOLE_MODE_DOCS = "docs/configuration.md#console-created-integrations";

/**
 * The error to show when the account answers `/integration/*` with 404 `RouteNotFound`: the
 * integration API is not offered (flashcatcloud/flashduty-cli `reference/channel.md`: integrations are
 * console-only), so the user creates the integration in the console and gives the stack its push URL.
 */
export function integrationApiAbsentError(
  error: FlashdutyApiError,
  kind: string | undefined,
): Error {
  const k = kind !== undefined && !isUnknown(kind) ? kind : "<kind>";
  return new Error(
    `Flashduty answered ${error.path} with 404 RouteNotFound: this account does not offer the ` +
      "integration API. Create the integration in the Flashduty console instead and give this " +
      `stack its push URL as a secret: \`pulumi config set --secret --path 'flashduty.kinds.${k}.pushUrl' '<push URL>'\`; ` +
      `for a shared integration whose routing rules this stack should manage, also \`pulumi config set --path 'flashduty.kinds.${k}.integrationId' <id>\`. ` +
      `Step by step: ${CONSOLE_MODE_DOCS}.` +
      (error.requestId ? ` [request_id ${error.requestId}]` : ""),
  );
}

function isIntegrationApiAbsent(error: unknown): error is FlashdutyApiError {
  return (
    error instanceof FlashdutyApiError &&
    error.isRouteNotFound &&
    error.path.startsWith("/integration/")
  );
}

function checkInputs(news: Record<string, unknown>): {
  inputs: Record<string, unknown>;
  failures: Failures;
} {
  const failures = new Failures();
  const inputs: Record<string, unknown> = { ...news };
  const { kind, pluginType, name, description, teamId, settings, pushPath, adoptId, keyRotation } =
    news;

  if (kind === undefined && pluginType === undefined)
    failures.add("kind", `set kind to one of ${INTEGRATION_KINDS.join(", ")} (or set pluginType)`);
  if (
    kind !== undefined &&
    !isUnknown(kind) &&
    !INTEGRATION_KINDS.includes(kind as IntegrationKind)
  )
    failures.add(
      "kind",
      `"${String(kind)}" is not a known kind; use one of ${INTEGRATION_KINDS.join(", ")}`,
    );
  if (
    pluginType !== undefined &&
    !isUnknown(pluginType) &&
    (typeof pluginType !== "string" || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(pluginType))
  )
    failures.add("pluginType", 'must be a Flashduty plugin_type such as "standard.alert"');
  if (!isUnknown(name)) {
    if (typeof name !== "string" || name.length < NAME_MIN || name.length > NAME_MAX)
      failures.add("name", `must be a string of ${NAME_MIN}–${NAME_MAX} characters`);
  }
  if (description !== undefined && !isUnknown(description)) {
    if (typeof description !== "string" || description.length > DESCRIPTION_MAX)
      failures.add("description", `must be a string of at most ${DESCRIPTION_MAX} characters`);
  }
  if (teamId !== undefined && !isUnknown(teamId)) {
    const parsed = parseNonNegativeId(teamId);
    if (parsed === undefined)
      failures.add("teamId", "must be a Flashduty team id (a positive integer), or 0 for no team");
    else inputs.teamId = parsed;
  }
  if (settings !== undefined && !containsUnknown(settings) && !isPlainObject(settings))
    failures.add("settings", "must be an object of type-specific settings");
  if (pushPath !== undefined && !isUnknown(pushPath)) {
    const problem = pushPathProblem(pushPath);
    if (problem) failures.add("pushPath", problem);
  }
  if (adoptId !== undefined && !isUnknown(adoptId)) {
    const parsed = parseId(adoptId);
    if (parsed === undefined)
      failures.add("adoptId", "must be the numeric id of an existing Flashduty integration");
    else inputs.adoptId = parsed;
  }
  if (keyRotation !== undefined && !isUnknown(keyRotation) && typeof keyRotation !== "string")
    failures.add(
      "keyRotation",
      'must be a string (e.g. "2026-11-23"); set it to a new value to rotate the integration key',
    );
  return { inputs, failures };
}

/** The Integration provider; `makeIntegrationProvider()` gives an independent one (tests). */
export interface IntegrationProvider extends pulumi.dynamic.ResourceProvider {
  configure(req: pulumi.dynamic.ConfigureRequest): Promise<void>;
  check(olds: unknown, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult>;
  diff(
    id: string,
    olds: IntegrationOutputs,
    news: IntegrationInputs,
  ): Promise<pulumi.dynamic.DiffResult>;
  create(inputs: IntegrationInputs): Promise<pulumi.dynamic.CreateResult<IntegrationOutputs>>;
  read(
    id: string,
    props: IntegrationOutputs,
  ): Promise<pulumi.dynamic.ReadResult<IntegrationOutputs>>;
  update(
    id: string,
    olds: IntegrationOutputs,
    news: IntegrationInputs,
  ): Promise<pulumi.dynamic.UpdateResult<IntegrationOutputs>>;
  delete(id: string, props: IntegrationOutputs): Promise<void>;
}

export function makeIntegrationProvider(options: ProviderOptions = {}): IntegrationProvider {
  const fdContext = new ProviderContext(options);

  function pushUrlFor(pushPath: string | undefined, pluginType: string, key: string): string {
    const path = pushPath ?? defaultPushPath(pluginType);
    return buildPushUrl(fdContext.settings().pushBaseUrl, path, key);
  }

  /** Fields sent to create/update: only what the user declared (omitted = left to Flashduty). */
  function apiFields(inputs: IntegrationInputs): Record<string, unknown> {
    return compact({
      name: inputs.name,
      description: inputs.description,
      team_id: inputs.teamId,
      settings: inputs.settings,
    });
  }

  /** Whether the server's (or stored) values differ from the declared ones. */
  function declaredDiffers(
    declared: IntegrationInputs,
    actual: Partial<IntegrationOutputs>,
  ): string[] {
    const changed: string[] = [];
    if (declared.name !== actual.name) changed.push("name");
    if (declared.description !== undefined && declared.description !== (actual.description ?? ""))
      changed.push("description");
    if (declared.teamId !== undefined && declared.teamId !== (actual.teamId ?? 0))
      changed.push("teamId");
    if (declared.settings !== undefined && !declaredSubsetEqual(declared.settings, actual.settings))
      changed.push("settings");
    return changed;
  }

  function outputsOf(
    inputs: IntegrationInputs,
    integrationId: number,
    pluginType: string,
    integrationKey: string,
    server?: IntegrationDetail,
  ): IntegrationOutputs {
    return compact({
      kind: inputs.kind,
      name: server?.name ?? inputs.name,
      description: server?.description ?? inputs.description ?? "",
      teamId: server?.team_id ?? inputs.teamId ?? 0,
      settings: inputs.settings === undefined ? undefined : (server?.settings ?? inputs.settings),
      pushPath: inputs.pushPath,
      adoptId: inputs.adoptId,
      keyRotation: inputs.keyRotation,
      integrationId,
      pluginType,
      pluginTypePinned: inputs.pluginType !== undefined,
      integrationKey,
      pushUrl: pushUrlFor(inputs.pushPath, pluginType, integrationKey),
    });
  }

  /** A new (defined) keyRotation value asks for a new key; removing it rotates nothing. */
  function wantsRotation(news: IntegrationInputs, olds: IntegrationOutputs): boolean {
    return news.keyRotation !== undefined && news.keyRotation !== olds.keyRotation;
  }

  const provider: IntegrationProvider = {
    async configure(req) {
      fdContext.configure(req.config);
    },

    async check(_olds, news) {
      const { inputs, failures } = checkInputs(news);
      return { inputs, failures: failures.list };
    },

    async diff(_id, olds, news) {
      const replaces: string[] = [];
      const changes: string[] = [];
      if (news.adoptId !== undefined) {
        // Dropping adoptId after adoption is a no-op (like removing `import`); a different id replaces.
        if (isUnknown(news.adoptId) || Number(news.adoptId) !== olds.integrationId)
          replaces.push("adoptId");
      }
      if (news.pluginType !== undefined) {
        if (isUnknown(news.pluginType) || news.pluginType !== olds.pluginType)
          replaces.push("pluginType");
      } else if (isUnknown(news.kind) || news.kind !== olds.kind) {
        replaces.push("kind");
      } else if (olds.pluginTypePinned && news.kind !== undefined) {
        // The pin was removed: only a lookup tells whether the kind resolves to the same type.
        const resolved = await resolvePluginType(fdContext.client(), news.kind);
        if (resolved !== olds.pluginType) replaces.push("pluginType");
      }
      for (const key of ["name", "description", "teamId", "settings", "pushPath"] as const) {
        if (containsUnknown(news[key])) changes.push(key);
      }
      const known = Object.fromEntries(
        Object.entries(news).filter(([, v]) => !containsUnknown(v)),
      ) as unknown as IntegrationInputs;
      if (!isUnknown(news.name)) changes.push(...declaredDiffers(known, olds));
      if (!containsUnknown(news.pushPath) && news.pushPath !== olds.pushPath)
        changes.push("pushPath");
      // A new value rotates the key in place (update); a removed one is only recorded.
      if (isUnknown(news.keyRotation) || news.keyRotation !== olds.keyRotation)
        changes.push("keyRotation");
      // A changed flashduty:pushBaseUrl shows up here (update recomputes the URL, no API write).
      const base = fdContext.pushBaseUrl();
      if (
        base !== undefined &&
        !containsUnknown(news.pushPath) &&
        olds.integrationKey &&
        buildPushUrl(
          base,
          news.pushPath ?? defaultPushPath(olds.pluginType),
          olds.integrationKey,
        ) !== olds.pushUrl
      )
        changes.push("pushUrl");
      return {
        changes: replaces.length > 0 || changes.length > 0,
        replaces,
        deleteBeforeReplace: false,
      };
    },

    async create(inputs) {
      const client = fdContext.client();
      const pluginType =
        inputs.pluginType ?? (await resolvePluginType(client, inputs.kind as IntegrationKind));
      if (inputs.adoptId !== undefined) {
        let current: IntegrationDetail;
        try {
          current = await client.post<IntegrationDetail>("/integration/info", {
            integration_id: inputs.adoptId,
          });
        } catch (error) {
          if (isNotFound(error))
            throw new Error(
              `adoptId ${inputs.adoptId}: no such Flashduty integration (or it is channel-owned, which the Open API cannot manage). Fix adoptId or remove it to create a new integration.`,
            );
          throw error;
        }
        if (current.plugin_type !== pluginType)
          throw new Error(
            `adoptId ${inputs.adoptId}: integration is of type ${current.plugin_type}, but this resource declares ${pluginType}. Adopt an integration of the declared kind.`,
          );
        const declared = { ...inputs, pluginType };
        const serverView = {
          name: current.name,
          description: current.description,
          teamId: current.team_id,
          settings: current.settings,
        };
        let server: IntegrationDetail = current;
        if (declaredDiffers(declared, serverView).length > 0) {
          const updated = await client.post<IntegrationDetail | null>("/integration/update", {
            integration_id: inputs.adoptId,
            ...apiFields(inputs),
          });
          server = { ...current, ...apiFields(inputs), ...(updated ?? {}) } as IntegrationDetail;
        }
        const key = server.integration_key ?? current.integration_key;
        if (!key)
          throw new Error(
            `adoptId ${inputs.adoptId}: Flashduty returned no integration_key for it.`,
          );
        return {
          id: String(inputs.adoptId),
          outs: outputsOf(inputs, inputs.adoptId, pluginType, key, {
            ...server,
            name: inputs.name,
            description: inputs.description ?? server.description,
            team_id: inputs.teamId ?? server.team_id,
          }),
        };
      }
      const created = await client.post<{ integration_id: number; integration_key: string }>(
        "/integration/create",
        { plugin_type: pluginType, ...apiFields(inputs) },
        { idempotent: false },
      );
      if (!created || typeof created.integration_id !== "number" || !created.integration_key)
        throw new Error(
          "Flashduty /integration/create answered without integration_id/integration_key.",
        );
      return {
        id: String(created.integration_id),
        outs: outputsOf(inputs, created.integration_id, pluginType, created.integration_key),
      };
    },

    async read(id, props) {
      const client = fdContext.client();
      let server: IntegrationDetail;
      try {
        server = await client.post<IntegrationDetail>("/integration/info", {
          integration_id: Number(id),
        });
      } catch (error) {
        if (isNotFound(error)) return { id: "", props: {} as IntegrationOutputs };
        throw error;
      }
      if (!server) return { id: "", props: {} as IntegrationOutputs };
      const pluginType = server.plugin_type ?? props.pluginType;
      const key = server.integration_key ?? props.integrationKey;
      return {
        id,
        props: compact({
          ...props,
          name: server.name ?? props.name,
          description: server.description ?? props.description,
          teamId: server.team_id ?? props.teamId,
          settings: props.settings === undefined ? undefined : server.settings,
          integrationId: Number(id),
          pluginType,
          integrationKey: key,
          pushUrl: pushUrlFor(props.pushPath, pluginType, key),
        }),
      };
    },

    async update(id, olds, news) {
      const integrationId = Number(id);
      if (declaredDiffers(news, olds).length > 0) {
        await fdContext
          .client()
          .post("/integration/update", { integration_id: integrationId, ...apiFields(news) });
      }
      let integrationKey = olds.integrationKey;
      if (wantsRotation(news, olds)) {
        // Flashduty invalidates the old key at once; the new key flows into the push URL, and
        // from there into every cloud resource that takes the URL as input, in this same update.
        const rotated = await fdContext
          .client()
          .post<{ integration_key?: string } | null>("/integration/key/rotate", {
            integration_id: integrationId,
          });
        if (!rotated || typeof rotated.integration_key !== "string" || !rotated.integration_key)
          throw new Error(
            `Flashduty /integration/key/rotate answered without integration_key for integration ${id}; the old key may already be invalid: run \`pulumi refresh\` to read the current key, then \`pulumi up\`.`,
          );
        integrationKey = rotated.integration_key;
      }
      const outs = outputsOf(news, integrationId, olds.pluginType, integrationKey);
      return {
        outs: {
          ...outs,
          // Undeclared fields keep the values last seen.
          description: news.description ?? olds.description,
          teamId: news.teamId ?? olds.teamId,
        },
      };
    },

    async delete(id) {
      try {
        await fdContext.client().post("/integration/delete", { integration_id: Number(id) });
      } catch (error) {
        if (isNotFound(error)) return; // already gone
        if (error instanceof FlashdutyApiError && error.code === "ReferenceExist")
          throw new Error(
            `Flashduty integration ${id} cannot be deleted while it is referenced: ${error.message}`,
          );
        throw error;
      }
    },
  };

  /** Runs a provider method, turning "the integration API is not offered" into the way out. */
  async function explained<T>(kind: string | undefined, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (isIntegrationApiAbsent(error)) throw integrationApiAbsentError(error, kind);
      throw error;
    }
  }
  return {
    ...provider,
    diff: (id, olds, news) =>
      explained(news.kind ?? olds.kind, () => provider.diff(id, olds, news)),
    create: (inputs) => explained(inputs.kind, () => provider.create(inputs)),
    read: (id, props) => explained(props.kind, () => provider.read(id, props)),
    update: (id, olds, news) =>
      explained(news.kind ?? olds.kind, () => provider.update(id, olds, news)),
    delete: (id, props) => explained(props.kind, () => provider.delete(id, props)),
  };
}

/** The provider every Integration resource uses, loaded in the host through providerFromModule. */
export const integrationProvider: IntegrationProvider = makeIntegrationProvider();

export interface IntegrationArgs {
  /** Integration kind, resolved to a `plugin_type` by display name. Changing it replaces the integration. */
  readonly kind?: pulumi.Input<IntegrationKind>;
  /** Explicit `plugin_type` (overrides `kind`'s lookup). Changing it replaces the integration. */
  readonly pluginType?: pulumi.Input<string>;
  /** Display name, 2–49 characters. */
  readonly name: pulumi.Input<string>;
  /** Up to 499 characters. Omitted = left as Flashduty has it. */
  readonly description?: pulumi.Input<string>;
  /** Owning team id (0 = none). Omitted = left as Flashduty has it. */
  readonly teamId?: pulumi.Input<number>;
  /** Type-specific settings map (replaces the whole map when given). */
  readonly settings?: pulumi.Input<Record<string, unknown>>;
  /** Push URL path segment (`/event/push/alert/<pushPath>`); default from the plugin type. */
  readonly pushPath?: pulumi.Input<string>;
  /** Id of an existing shared integration to adopt instead of creating one. */
  readonly adoptId?: pulumi.Input<number>;
  /**
   * Any string (e.g. a date). Setting it to a new value rotates the integration key in place on
   * the next update (`/integration/key/rotate`); `integrationKey` and `pushUrl` follow. The old
   * key stops working at once. Ignored at create and adoption; removing it rotates nothing.
   */
  readonly keyRotation?: pulumi.Input<string>;
}

export const INTEGRATION_SECRET_OUTPUTS = ["integrationKey", "pushUrl"];

/** A Flashduty shared integration. Token `pulumi-nodejs:dynamic/flashduty:Integration`. */
export class Integration extends pulumi.dynamic.Resource {
  declare readonly integrationId: pulumi.Output<number>;
  declare readonly pluginType: pulumi.Output<string>;
  /** Secret. */
  declare readonly integrationKey: pulumi.Output<string>;
  /** Secret: `<push base>/event/push/alert/<path>?integration_key=<key>`. */
  declare readonly pushUrl: pulumi.Output<string>;
  declare readonly name: pulumi.Output<string>;

  constructor(name: string, args: IntegrationArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      providerFromModule(__filename, "integrationProvider"),
      name,
      {
        integrationId: undefined,
        integrationKey: undefined,
        pushUrl: undefined,
        pluginTypePinned: undefined,
        ...args,
        pluginType: args.pluginType,
      },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: INTEGRATION_SECRET_OUTPUTS }),
      "flashduty",
      "Integration",
    );
  }
}

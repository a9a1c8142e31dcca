// Flashduty connection settings: stack config (read by a dynamic provider's `configure`) first,
// environment variables second. The app key is never a resource input, so it never lands in state.
import { CLIENT_ERROR_CODES, FlashdutyApiError } from "./errors";

export const DEFAULT_BASE_URL = "https://api.flashcat.cloud";

export interface FlashdutySettings {
  readonly appKey: string;
  /** Open API base, no trailing slash. */
  readonly baseUrl: string;
  /** Base of integration push URLs, no trailing slash (defaults to `baseUrl`). */
  readonly pushBaseUrl: string;
}

/** What a config source must offer: Pulumi's dynamic-provider `Config` has this shape. */
export interface ConfigSource {
  get(key: string): string | undefined;
}

/** Raw values as found (config or env); resolved into {@link FlashdutySettings} at call time. */
export interface RawFlashdutySettings {
  appKey?: string;
  baseUrl?: string;
  pushBaseUrl?: string;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

/** Reads `flashduty:appKey`, `flashduty:baseUrl`, `flashduty:pushBaseUrl` from stack config. */
export function settingsFromConfig(config: ConfigSource | undefined): RawFlashdutySettings {
  if (!config) return {};
  return {
    appKey: nonEmpty(config.get("flashduty:appKey")),
    baseUrl: nonEmpty(config.get("flashduty:baseUrl")),
    pushBaseUrl: nonEmpty(config.get("flashduty:pushBaseUrl")),
  };
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}

function checkUrl(url: string, key: string, env: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw configurationError(
      `${key} (or ${env}) is not a URL: "${url}". Use e.g. ${DEFAULT_BASE_URL}.`,
    );
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:")
    throw configurationError(`${key} (or ${env}) must be an http(s) URL, got "${url}".`);
  return trimSlash(url);
}

function configurationError(message: string): FlashdutyApiError {
  return new FlashdutyApiError({
    code: CLIENT_ERROR_CODES.configuration,
    apiMessage: message,
    path: "(configuration)",
    attempts: 0,
    hint: "Fix the provider configuration as described.",
  });
}

/**
 * Resolves settings: stack config wins over the environment. Throws a clear error naming both ways
 * to set the app key when it is missing.
 */
export function resolveSettings(
  fromConfig: RawFlashdutySettings,
  env: NodeJS.ProcessEnv = process.env,
): FlashdutySettings {
  const appKey = fromConfig.appKey ?? nonEmpty(env.FLASHDUTY_APP_KEY);
  if (!appKey) {
    throw configurationError(
      "No Flashduty app key: set it with `pulumi config set --secret flashduty:appKey <key>` " +
        "or the FLASHDUTY_APP_KEY environment variable",
    );
  }
  const baseUrl = checkUrl(
    fromConfig.baseUrl ?? nonEmpty(env.FLASHDUTY_BASE_URL) ?? DEFAULT_BASE_URL,
    "flashduty:baseUrl",
    "FLASHDUTY_BASE_URL",
  );
  const pushBaseUrl = checkUrl(
    fromConfig.pushBaseUrl ?? nonEmpty(env.FLASHDUTY_PUSH_BASE_URL) ?? baseUrl,
    "flashduty:pushBaseUrl",
    "FLASHDUTY_PUSH_BASE_URL",
  );
  return { appKey, baseUrl, pushBaseUrl };
}

// Flashduty push URLs: `<push base>/event/push/alert/<push path>?integration_key=<key>`.
// Built for integrations this stack creates through the API; checked for integrations created in the
// Flashduty console, whose push URL the user copies into the stack config (as a secret).
// Nothing here ever puts a URL or a key into a message: both are secrets.

export const PUSH_URL_PREFIX = "/event/push/alert/";

/**
 * One push path segment: letters, digits, ".", "_", "-", not "." or "..". Documented paths have one
 * segment (`standard`, `n9e`) or two (`aws/cloudwatch`, Flashduty knowledge base "Customizing
 * Incidents"); nothing documents more, but nothing forbids it either.
 */
const SEGMENT = /^[A-Za-z0-9._-]+$/;

/**
 * The integration key as documented: 35 characters (flashduty-api.md §3.1: "35 chars ending in account ID
 * mod 1000, zero-padded to 3 digits"); generated keys are 32 lowercase hex + 3 digits (the docs'
 * examples `0123456789abcdef0123456789abcdef100`, `18c7f1551df55fa28a1a87f0846d9d1e131`). The character
 * set of user-chosen keys is not documented: letters and digits are accepted.
 */
export const INTEGRATION_KEY_PATTERN = /^[A-Za-z0-9]{32}[0-9]{3}$/;

/** Why `path` is not a usable push path, or undefined when it is. */
export function pushPathProblem(path: unknown): string | undefined {
  if (typeof path !== "string" || path === "")
    return 'must be the push path after /event/push/alert/, e.g. "standard" or "aws/cloudwatch"';
  const segments = path.split("/");
  for (const s of segments) {
    if (s === "")
      return 'has an empty segment (a leading, trailing or double "/"); write e.g. "aws/cloudwatch"';
    if (s === "." || s === "..") return 'must not contain "." or ".." segments';
    if (!SEGMENT.test(s))
      return 'segments may hold only letters, digits, ".", "_" and "-" (e.g. "aws/cloudwatch")';
  }
  return undefined;
}

/** `<base>/event/push/alert/<path>?integration_key=<key>`; each segment encoded, `/` kept. */
export function buildPushUrl(pushBaseUrl: string, path: string, integrationKey: string): string {
  const encodedPath = path.split("/").map(encodeURIComponent).join("/");
  return `${pushBaseUrl.replace(/\/+$/, "")}${PUSH_URL_PREFIX}${encodedPath}?integration_key=${encodeURIComponent(integrationKey)}`;
}

export interface ParsedPushUrl {
  /** Scheme, host and port, e.g. `https://api.flashcat.cloud`. */
  readonly origin: string;
  /** What follows `/event/push/alert/`, e.g. `standard` or `aws/cloudwatch`. */
  readonly pushPath: string;
  readonly integrationKey: string;
}

export interface PushUrlCheck {
  readonly parsed?: ParsedPushUrl;
  /** Each says what is wrong and how to fix it, without the URL or the key. */
  readonly problems: string[];
}

/**
 * Checks a push URL copied from the Flashduty console. `expectedBase` is the push base the stack is
 * configured with (`flashduty:pushBaseUrl`, default `https://api.flashcat.cloud`): the URL must be on
 * that host, and use https unless the configured base itself is plain http (a local simulator).
 * Without `expectedBase`, only the shape is checked (https or http, path, key).
 */
export function checkPushUrl(value: unknown, expectedBase?: string): PushUrlCheck {
  const copyHint =
    "copy the whole Push URL from the integration's card in the Flashduty console (see docs/configuration.md, 'Console-created integrations')";
  if (typeof value !== "string" || value.trim() === "")
    return { problems: [`is empty or not a string: ${copyHint}`] };
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return { problems: [`is not a URL: ${copyHint}`] };
  }
  const problems: string[] = [];
  let expected: URL | undefined;
  try {
    expected = expectedBase === undefined ? undefined : new URL(expectedBase);
  } catch {
    expected = undefined;
  }
  const plainHttpAllowed = expected === undefined || expected.protocol === "http:";
  if (url.protocol !== "https:" && !(url.protocol === "http:" && plainHttpAllowed))
    problems.push(
      `must start with https:// (Flashduty's push host serves HTTPS only): ${copyHint}`,
    );
  if (expected !== undefined && url.host !== expected.host)
    problems.push(
      `must be on the Flashduty push host ${expected.host}; if your account pushes to another host, ` +
        "set it with `pulumi config set flashduty:pushBaseUrl https://<host>`",
    );
  if (url.username !== "" || url.password !== "")
    problems.push(`must not carry a user name or password: ${copyHint}`);
  if (url.hash !== "") problems.push(`must not have a #fragment: ${copyHint}`);
  let pushPath = "";
  if (!url.pathname.startsWith(PUSH_URL_PREFIX)) {
    problems.push(
      `must have a path starting with ${PUSH_URL_PREFIX} (e.g. ${PUSH_URL_PREFIX}standard); ` +
        `this does not look like an integration's Push URL: ${copyHint}`,
    );
  } else {
    let raw = url.pathname.slice(PUSH_URL_PREFIX.length);
    try {
      raw = decodeURIComponent(raw);
    } catch {
      // left encoded; the segment check below reports it
    }
    const problem = pushPathProblem(raw);
    if (problem) problems.push(`path after ${PUSH_URL_PREFIX} ${problem}`);
    else pushPath = raw;
  }
  const keys = url.searchParams.getAll("integration_key");
  let integrationKey = "";
  if (keys.length !== 1) {
    problems.push(
      `must have exactly one integration_key query parameter (found ${keys.length}): ${copyHint}`,
    );
  } else if (!INTEGRATION_KEY_PATTERN.test(keys[0])) {
    problems.push(
      `has an integration_key of the wrong shape (Flashduty keys are 35 letters and digits, ` +
        `the last 3 digits; this one has ${keys[0].length} characters): ${copyHint}`,
    );
  } else integrationKey = keys[0];
  if (problems.length > 0) return { problems };
  return { problems, parsed: { origin: url.origin, pushPath, integrationKey } };
}

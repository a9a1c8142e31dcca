// Event push: POST /event/push/alert/<slug>?integration_key=<key> (flashduty-api.md §5).
// Authenticated by the integration key only. The standard alert body is validated and truncated as
// documented; other integration types' bodies are stored as received.

import { randomBytes } from "node:crypto";
import { pushSlug } from "../catalogue";
import { ApiError, invalidParameter } from "../errors";
import { IntegrationRecord, SimState } from "../state";
import { charLength, describe, isObject, JsonObject, truncate } from "../validation";

export const PUSH_PREFIX = "/event/push/alert/";

const EVENT_STATUSES = ["Critical", "Warning", "Info", "Ok"];
const TITLE_MAX = 512;
const ALERT_KEY_MAX = 255;
const DESCRIPTION_MAX = 2048;
const LABELS_MAX = 50;
const LABEL_KEY_MAX = 128;
const LABEL_VALUE_MAX = 2048;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/; // Prometheus label naming
const IMAGE_ALT_MAX = 128;
const IMAGE_SRC_MAX = 256;
const IMAGE_HREF_MAX = 256;

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** 22 base62 characters, like the documented "9qJ798NJoXS4UMVB5SHsNj". */
export function newAlertKey(): string {
  return [...randomBytes(22)].map((b) => BASE62[b % 62]).join("");
}

const INVALID_KEY = () => new ApiError("InvalidParameter", "integration_key is not a valid one");

/**
 * Resolves the integration a push is for, or throws as Flashduty would: unknown (or rotated)
 * key, key of another type than the URL's slug, disabled integration, no route configured.
 */
export function resolvePushTarget(
  state: SimState,
  slug: string,
  key: string | undefined,
): IntegrationRecord {
  if (!key) throw INVALID_KEY();
  const integration = state.integrationByKey(key);
  if (!integration) throw INVALID_KEY();
  // [inference] a key pushed to another type's URL is not accepted for that type.
  if (pushSlug(integration.plugin_type) !== slug) throw INVALID_KEY();
  // [inference] a disabled integration does not accept events.
  if (integration.status !== "enabled") {
    throw new ApiError(
      "BadRequest",
      `integration ${integration.integration_id} is disabled; enable it to accept events`,
    );
  }
  // Docs: without routes "the system will directly reject new pushes" (code and status: [inference]).
  // That applies to shared integrations; a private one delivers to its own channel (integrate-data.mdx).
  if (!isChannelOwned(integration) && !state.routes.has(integration.integration_id)) {
    throw new ApiError(
      "BadRequest",
      `integration ${integration.integration_id} has no routing rule; configure a route (/route/upsert) before pushing`,
    );
  }
  return integration;
}

/** A private integration, made inside a channel in the console (`ref_id` c_<channel id>, §3.1). */
export function isChannelOwned(integration: IntegrationRecord): boolean {
  return integration.ref_id.startsWith("c_");
}

export interface AcceptedStandardAlert {
  body: JsonObject;
  alertKey: string;
}

/** Validates a standard alert body and returns it as Flashduty keeps it (truncated, defaults applied). */
export function acceptStandardAlert(raw: unknown): AcceptedStandardAlert {
  if (!isObject(raw)) throw invalidParameter("body", `must be a JSON object, got ${describe(raw)}`);

  const status = raw.event_status;
  if (status === undefined || status === null || status === "")
    throw invalidParameter("event_status", "is required");
  if (typeof status !== "string" || !EVENT_STATUSES.includes(status)) {
    throw invalidParameter(
      "event_status",
      `must be one of ${EVENT_STATUSES.join("|")} (case-sensitive), got ${describe(status)}`,
    );
  }

  const title = raw.title_rule;
  if (title === undefined || title === null || title === "")
    throw invalidParameter("title_rule", "is required");
  if (typeof title !== "string")
    throw invalidParameter("title_rule", `must be a string, got ${describe(title)}`);

  let alertKey = raw.alert_key;
  if (alertKey === null || alertKey === "") alertKey = undefined;
  if (alertKey !== undefined) {
    if (typeof alertKey !== "string")
      throw invalidParameter("alert_key", `must be a string, got ${describe(alertKey)}`);
    if (charLength(alertKey) > ALERT_KEY_MAX) {
      throw invalidParameter(
        "alert_key",
        `must be at most ${ALERT_KEY_MAX} characters, got ${charLength(alertKey)}`,
      );
    }
  } else if (status === "Ok") {
    throw invalidParameter(
      "alert_key",
      "is required when event_status is Ok (recovery needs the alert's key)",
    );
  }

  const body: JsonObject = {
    event_status: status,
    title_rule: truncate(title, TITLE_MAX),
    alert_key: (alertKey as string | undefined) ?? newAlertKey(),
  };

  const description = raw.description;
  if (description !== undefined && description !== null) {
    if (typeof description !== "string")
      throw invalidParameter("description", `must be a string, got ${describe(description)}`);
    body.description = truncate(description, DESCRIPTION_MAX);
  }

  const labels = raw.labels;
  if (labels !== undefined && labels !== null) {
    if (!isObject(labels))
      throw invalidParameter(
        "labels",
        `must be an object of string values, got ${describe(labels)}`,
      );
    const entries = Object.entries(labels);
    if (entries.length > LABELS_MAX) {
      throw invalidParameter(
        "labels",
        `at most ${LABELS_MAX} labels are allowed, got ${entries.length}`,
      );
    }
    const kept: Record<string, string> = {};
    for (const [key, value] of entries) {
      if (charLength(key) > LABEL_KEY_MAX) {
        throw invalidParameter(
          `labels.${key.slice(0, 40)}…`,
          `label names must be at most ${LABEL_KEY_MAX} characters, got ${charLength(key)}`,
        );
      }
      if (!LABEL_NAME.test(key)) {
        throw invalidParameter(
          `labels.${key}`,
          "label names must match [a-zA-Z_][a-zA-Z0-9_]* (Prometheus naming)",
        );
      }
      if (typeof value !== "string")
        throw invalidParameter(`labels.${key}`, `must be a string, got ${describe(value)}`);
      kept[key] = truncate(value, LABEL_VALUE_MAX);
    }
    body.labels = kept;
  }

  const images = raw.images;
  if (images !== undefined && images !== null) {
    if (!Array.isArray(images))
      throw invalidParameter("images", `must be an array, got ${describe(images)}`);
    body.images = acceptImages(images);
  }

  // Older docs add an optional event_time (int64 seconds); keep it when well-formed.
  const eventTime = raw.event_time;
  if (eventTime !== undefined && eventTime !== null) {
    if (typeof eventTime !== "number" || !Number.isSafeInteger(eventTime)) {
      throw invalidParameter(
        "event_time",
        `must be an integer (seconds), got ${describe(eventTime)}`,
      );
    }
    body.event_time = eventTime;
  }

  return { body, alertKey: body.alert_key as string };
}

function acceptImages(images: unknown[]): JsonObject[] {
  // Merged by `alt`: a later image with the same alt replaces an earlier one [inference].
  const byAlt = new Map<string, JsonObject>();
  images.forEach((raw, i) => {
    const path = `images[${i}]`;
    if (!isObject(raw)) throw invalidParameter(path, `must be an object, got ${describe(raw)}`);
    const src = raw.src;
    if (typeof src !== "string" || src === "")
      throw invalidParameter(`${path}.src`, "is required (an http(s) URL or an image_key)");
    for (const field of ["alt", "href"]) {
      const v = raw[field];
      if (v !== undefined && v !== null && typeof v !== "string") {
        throw invalidParameter(`${path}.${field}`, `must be a string, got ${describe(v)}`);
      }
    }
    if (charLength(src) > IMAGE_SRC_MAX) return; // documented: dropped if longer
    const image: JsonObject = { src };
    const alt = typeof raw.alt === "string" ? truncate(raw.alt, IMAGE_ALT_MAX) : "";
    if (alt) image.alt = alt;
    if (typeof raw.href === "string" && raw.href !== "" && charLength(raw.href) <= IMAGE_HREF_MAX)
      image.href = raw.href;
    byAlt.set(alt || `\u0000${i}`, image);
  });
  return [...byAlt.values()];
}

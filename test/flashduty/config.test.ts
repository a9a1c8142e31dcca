// Flashduty settings resolution: stack config over environment, defaults, URL checks, clear errors.
import { strict as assert } from "node:assert";
import {
  DEFAULT_BASE_URL,
  resolveSettings,
  settingsFromConfig,
} from "../../components/flashduty/config";
import { FlashdutyApiError } from "../../components/flashduty/errors";
import { configFor } from "./helpers";

describe("flashduty/config", () => {
  it("defaults the base URL to Flashduty's and the push base to the base URL", () => {
    const settings = resolveSettings({}, { FLASHDUTY_APP_KEY: "k".repeat(32) });
    assert.equal(settings.baseUrl, DEFAULT_BASE_URL);
    assert.equal(DEFAULT_BASE_URL, "https://api.flashcat.cloud");
    assert.equal(settings.pushBaseUrl, DEFAULT_BASE_URL);
  });

  it("reads flashduty:* stack config, trims trailing slashes, and prefers it over the environment", () => {
    const raw = settingsFromConfig(
      configFor({
        "flashduty:appKey": "from-config-key",
        "flashduty:baseUrl": "http://127.0.0.1:1234/",
        "flashduty:pushBaseUrl": "https://push.example.test//",
      }),
    );
    const settings = resolveSettings(raw, {
      FLASHDUTY_APP_KEY: "from-env",
      FLASHDUTY_BASE_URL: "http://127.0.0.1:9",
      FLASHDUTY_PUSH_BASE_URL: "http://127.0.0.1:8",
    });
    assert.deepEqual(settings, {
      appKey: "from-config-key",
      baseUrl: "http://127.0.0.1:1234",
      pushBaseUrl: "https://push.example.test",
    });
  });

  it("uses the environment when config has nothing (blank values count as nothing)", () => {
    const raw = settingsFromConfig(configFor({ "flashduty:appKey": "  " }));
    const settings = resolveSettings(raw, {
      FLASHDUTY_APP_KEY: "env-key",
      FLASHDUTY_BASE_URL: "http://127.0.0.1:7",
      FLASHDUTY_PUSH_BASE_URL: "http://127.0.0.1:6",
    });
    assert.deepEqual(settings, {
      appKey: "env-key",
      baseUrl: "http://127.0.0.1:7",
      pushBaseUrl: "http://127.0.0.1:6",
    });
  });

  it("a missing app key names both ways to set it", () => {
    assert.throws(
      () => resolveSettings({}, {}),
      (e: unknown) =>
        e instanceof FlashdutyApiError &&
        /pulumi config set --secret flashduty:appKey/.test(e.message) &&
        /FLASHDUTY_APP_KEY/.test(e.message),
    );
  });

  it("a base URL that is not an http(s) URL is refused with the key to fix", () => {
    assert.throws(
      () => resolveSettings({ appKey: "k", baseUrl: "api.flashcat.cloud" }, {}),
      /flashduty:baseUrl \(or FLASHDUTY_BASE_URL\) is not a URL/,
    );
    assert.throws(
      () => resolveSettings({ appKey: "k", pushBaseUrl: "ftp://x" }, {}),
      /flashduty:pushBaseUrl \(or FLASHDUTY_PUSH_BASE_URL\) must be an http\(s\) URL/,
    );
  });
});

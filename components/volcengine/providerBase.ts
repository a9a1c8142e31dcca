// What the Volcengine dynamic providers share: credentials from `configure` (stack config, then the
// environment), settings pinned to the region an object lives in, the region-change replacement,
// and a delete that succeeds when the object is already gone. Serialized by value with each
// provider: it holds nothing until `configure` runs in the provider host.
import * as pulumi from "@pulumi/pulumi";
import {
  PartialVolcengineSettings,
  VolcengineSettings,
  isNotFoundError,
  resolveRegion,
  resolveSettings,
  settingsFromConfig,
} from "./client";

export abstract class VolcengineProviderBase {
  /** Stack config captured by `configure`; never serialized (set only in the provider process). */
  configured?: PartialVolcengineSettings;

  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    this.configured = settingsFromConfig((key) => req.config.get(key));
  }

  /** Settings for a call; `region` (where the object was created) overrides the configured one. */
  protected settings(region?: string): VolcengineSettings {
    const s = resolveSettings(this.configured);
    return region ? { ...s, region } : s;
  }

  /** ["region"] when the configured region differs from the object's: objects cannot move. */
  protected regionReplaces(objectRegion: string | undefined): string[] {
    const region = resolveRegion(this.configured);
    return region && objectRegion && region !== objectRegion ? ["region"] : [];
  }

  /** Deletes unless already gone: looks first, and accepts a NotFound race. */
  protected async deleteIfPresent(
    exists: () => Promise<boolean>,
    remove: () => Promise<void>,
  ): Promise<void> {
    if (!(await exists())) return;
    try {
      await remove();
    } catch (err) {
      if (!isNotFoundError(err)) throw err;
    }
  }
}

// What the Volcengine dynamic providers share: credentials from `configure` (stack config, then the
// environment), settings pinned to the region an object lives in, the region-change replacement,
// and a delete that succeeds when the object is already gone. Serialized by value with each
// provider: it holds nothing until `configure` runs in the provider host.
import * as pulumi from "@pulumi/pulumi";
import {
  PartialVolcengineSettings,
  VolcengineApiError,
  VolcengineSettings,
  isNotFoundError,
  isThrottleAnswer,
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

  /**
   * Deletes directly (no lookup first, so a listing that shifts under concurrent deletes cannot make
   * us skip a delete). A success means gone — including a server that answers success for an id
   * that no longer exists. An error answer that is not about credentials, permissions or
   * throttling may be the server's way of saying "no such id" (no source documents which code it
   * uses), so we look the object up once: absent means gone; present means the error stands.
   */
  protected async deleteOrConfirmGone(
    remove: () => Promise<unknown>,
    exists: () => Promise<boolean>,
    confirmed: (answer: unknown) => boolean = () => true,
  ): Promise<void> {
    let answer: unknown;
    try {
      answer = await remove();
    } catch (err) {
      if (!mayMeanMissing(err) || (await exists())) throw err;
      return;
    }
    // A success that does not name the object deleted nothing it can vouch for: dropping it from
    // the state while it still exists would leave it alerting with no stack to remove it.
    if (!confirmed(answer) && (await exists()))
      throw new Error(
        "the delete was answered with success but the object still exists; check it in the console " +
          "and run `pulumi destroy` (or `pulumi up`) again.",
      );
  }
}

/** An error answer that could mean "no such object": a 4xx other than 401, 403 and 429. */
export function mayMeanMissing(err: unknown): boolean {
  if (!(err instanceof VolcengineApiError)) return false;
  if (isNotFoundError(err)) return true;
  const status = err.httpStatus;
  return (
    status >= 400 &&
    status < 500 &&
    status !== 401 &&
    status !== 403 &&
    !isThrottleAnswer(err.code, status)
  );
}

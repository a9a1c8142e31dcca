import { SimState } from "./state";
import { JsonObject } from "./validation";

/** Behaviours the sources disagree on or leave open; tests switch them (see README.md). */
export interface SimSwitches {
  /** false: every /integration/* path answers 404 RouteNotFound, as an account without that API. */
  integrationApi: boolean;
  /** "enforce": /route/upsert refuses a `version` other than the stored one; "ignore": accepted. */
  routeVersion: "ignore" | "enforce";
  /** What /route/upsert answers in `data`: `{}` (docs site example) or null (the spec's schema). */
  routeUpsertData: "empty-object" | "null";
}

export interface ApiContext {
  state: SimState;
  locale: "en" | "zh";
  switches: SimSwitches;
}

/** An Open API operation: validated body in, `data` out (or an ApiError thrown). */
export type Handler = (body: JsonObject, ctx: ApiContext) => unknown;

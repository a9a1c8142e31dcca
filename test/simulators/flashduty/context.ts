import { SimState } from "./state";
import { JsonObject } from "./validation";

export interface ApiContext {
  state: SimState;
  locale: "en" | "zh";
}

/** An Open API operation: validated body in, `data` out (or an ApiError thrown). */
export type Handler = (body: JsonObject, ctx: ApiContext) => unknown;

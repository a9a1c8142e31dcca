// Page-number pagination (flashduty-api.md §1, DOCS `en/openapi/pagination.mdx`): `p` from 1,
// `limit` at most 100 (default 20; /channel/list 100), `p × limit ≤ 10000` else 400,
// `total` capped at 1000, `has_next_page` is the reliable end-of-list signal.

import { invalidParameter } from "./errors";
import { JsonObject, optionalInt } from "./validation";

export const MAX_LIMIT = 100;
export const MAX_WINDOW = 10_000;
export const TOTAL_CAP = 1000;

export interface Page {
  p: number;
  limit: number;
}

export function readPage(body: JsonObject, defaultLimit = 20): Page {
  const p = optionalInt(body, "p", { min: 1 }) ?? 1;
  // limit 0 is what a zero-valued Go struct sends; the API treats it as "use the default".
  const rawLimit = optionalInt(body, "limit", { min: 0, max: MAX_LIMIT });
  const limit = rawLimit === undefined || rawLimit === 0 ? defaultLimit : rawLimit;
  if (p * limit > MAX_WINDOW) {
    throw invalidParameter(
      "p",
      `p × limit must be <= ${MAX_WINDOW} (got ${p} × ${limit}); narrow the query instead`,
    );
  }
  return { p, limit };
}

export interface PageResult<T> {
  p: number;
  limit: number;
  total: number;
  has_next_page: boolean;
  items: T[];
}

export function paginate<T>(all: readonly T[], page: Page): PageResult<T> {
  const start = (page.p - 1) * page.limit;
  return {
    p: page.p,
    limit: page.limit,
    total: Math.min(all.length, TOTAL_CAP),
    has_next_page: start + page.limit < all.length,
    items: all.slice(start, start + page.limit),
  };
}

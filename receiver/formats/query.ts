// GET callbacks carry the event in the query string: Alibaba's push channel documents GET JSON (the
// body object in a `data` parameter) and GET FORM (the form fields as query parameters). This turns
// such a query into the same ParsedBody a POST would give, so the format parsers need not know.
import { HttpError, setField } from "../body";
import type { ParsedBody } from "../model";

/** The receiver's own parameter: the token, never part of the event. */
const RESERVED = new Set(["token"]);

export function parseQueryBody(params: URLSearchParams): ParsedBody {
  const fields: Record<string, string> = {};
  for (const [name, value] of params) {
    if (name === "" || RESERVED.has(name) || Object.prototype.hasOwnProperty.call(fields, name))
      continue;
    setField(fields, name, value);
  }
  const names = Object.keys(fields);
  if (names.length === 0)
    throw new HttpError(
      400,
      "empty_query",
      "a GET callback carries its event in the query string (data=<JSON object>, or the form fields); this one has none",
    );
  // GET JSON: the event is `data`; other parameters (one a user added to the push URL, say) are
  // not part of it. The push body itself has no top-level field named `data`.
  const data = fields.data;
  if (data !== undefined) {
    const trimmed = data.trimStart();
    if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
      try {
        return { kind: "json", value: JSON.parse(data) as unknown };
      } catch (err) {
        throw new HttpError(
          400,
          "invalid_json",
          `the data query parameter is not valid JSON (${(err as Error).message.slice(0, 120)})`,
        );
      }
    }
  }
  return { kind: "form", fields };
}

// Lists every configuration key the program understands, as dotted paths, from the schema itself,
// so the configuration reference (docs/configuration.md) can be checked against the code.
import { z } from "zod";
import { PROJECT, wiringConfigSchema } from "./config";

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  additionalProperties?: JsonSchema | boolean;
  propertyNames?: JsonSchema;
};

/** Subtrees documented once under another name: the docs say "same keys as …". */
const SAME_AS: Record<string, string> = {
  "flashduty.kinds.<kind>.routing": "flashduty.routing",
};

/** Names the placeholder segments the way the docs write them. */
function normalise(path: string): string {
  return path
    .replace(/^flashduty\.kinds\.<name>/, "flashduty.kinds.<kind>")
    .replace(/\.escalations\.(critical|warn|info)\./, ".escalations.<level>.")
    .replace(/\.dimensions\[\]\.<name>$/, ".dimensions[].<dimension>");
}

function walk(schema: JsonSchema, rawPath: string, out: Set<string>): void {
  const path = normalise(rawPath);
  if (SAME_AS[path] !== undefined) return;
  if (schema.anyOf) for (const s of schema.anyOf) walk(s, path, out);
  if (schema.properties) {
    for (const [key, sub] of Object.entries(schema.properties)) {
      const p = path === "" ? key : `${path}.${key}`;
      out.add(normalise(p));
      walk(sub, p, out);
    }
  }
  if (schema.items) walk(schema.items, `${path}[]`, out);
  if (schema.propertyNames && typeof schema.additionalProperties === "object") {
    const p = `${path}.<name>`;
    out.add(normalise(p));
    walk(schema.additionalProperties, p, out);
  }
}

/** Every key under the project namespace, e.g. `flashduty-wiring:flashduty.routing.style`. */
export function projectConfigKeys(): string[] {
  const out = new Set<string>(["receiverToken"]);
  const schema = z.toJSONSchema(wiringConfigSchema, { io: "input", unrepresentable: "any" });
  walk(schema as JsonSchema, "", out);
  return [...out].map((k) => `${PROJECT}:${k}`).sort();
}

/**
 * A validator for the subset of JSON Schema our emitter produces (type,
 * properties, required, additionalProperties, items, enum, anyOf, $ref into
 * $defs). Tests use it to check real command output against the emitted
 * schemas in out/schema/, so a drift between the two fails a test.
 */
import { readFileSync } from "node:fs";
import { projectRoot } from "./shells.js";

type Schema = Record<string, unknown>;

export function loadSchema(name: string): Schema {
  return JSON.parse(readFileSync(`${projectRoot}out/schema/${name}.schema.json`, "utf8")) as Schema;
}

/** Returns a list of problems ("" path = the document itself); empty means valid. */
export function validate(value: unknown, schema: Schema, root: Schema = schema, path = "$"): string[] {
  if (typeof schema.$ref === "string") {
    const name = schema.$ref.replace("#/$defs/", "");
    const target = (root.$defs as Record<string, Schema> | undefined)?.[name];
    if (!target) return [`${path}: unresolvable $ref ${schema.$ref}`];
    return validate(value, target, root, path);
  }
  if (Array.isArray(schema.anyOf)) {
    const results = (schema.anyOf as Schema[]).map((s) => validate(value, s, root, path));
    return results.some((r) => r.length === 0) ? [] : [`${path}: matches no alternative (${results.map((r) => r[0]).join("; ")})`];
  }
  const type = schema.type as string | undefined;
  const actual = value === null ? "null" : Array.isArray(value) ? "array" : Number.isInteger(value) ? "integer" : typeof value;
  if (type) {
    const ok = type === actual || (type === "number" && (actual === "integer" || actual === "number"));
    if (!ok) return [`${path}: expected ${type}, got ${actual}`];
  }
  const problems: string[] = [];
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) problems.push(`${path}: ${JSON.stringify(value)} not in ${JSON.stringify(schema.enum)}`);
  if (type === "array" && schema.items) (value as unknown[]).forEach((v, i) => problems.push(...validate(v, schema.items as Schema, root, `${path}[${i}]`)));
  if (type === "object") {
    const object = value as Record<string, unknown>;
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    for (const key of (schema.required ?? []) as string[]) if (!(key in object)) problems.push(`${path}: missing ${key}`);
    for (const [key, v] of Object.entries(object)) {
      if (properties[key]) problems.push(...validate(v, properties[key], root, `${path}.${key}`));
      else if (schema.additionalProperties === false) problems.push(`${path}: unexpected key ${key}`);
      else if (typeof schema.additionalProperties === "object") problems.push(...validate(v, schema.additionalProperties as Schema, root, `${path}.${key}`));
    }
  }
  return problems;
}

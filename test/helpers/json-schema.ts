/**
 * The tests check real command output against the emitted schemas in
 * out/schema/ with the generator's own validator (generator/json-schema.ts),
 * the one that also checks provenance.yaml: a drift between output and
 * schema, or a validator bug, fails a test.
 */
import { readFileSync } from "node:fs";
import { formatPath, validate as validateProblems, type SchemaDocument } from "../../generator/json-schema.js";
import { projectRoot } from "./shells.js";

export function loadSchema(name: string): SchemaDocument {
  return JSON.parse(readFileSync(`${projectRoot}out/schema/${name}.schema.json`, "utf8")) as SchemaDocument;
}

/** Every problem as one line (`$.key: expected …`); empty means valid. */
export function validate(value: unknown, schema: SchemaDocument): string[] {
  return validateProblems(value, schema).map((p) => {
    const where = `$${p.path.length && typeof p.path[0] === "string" ? "." : ""}${formatPath(p.path)}`;
    if (p.keyword === "additionalProperties") return `${where}: unexpected key ${String(p.got?.value)}`;
    return `${where}: expected ${p.expected}${p.got ? `, got ${JSON.stringify(p.got.value)}` : ""}`;
  });
}

/**
 * The JSON type rule for generations (generator/schema/json-types.ts,
 * documented in out/doc/commands.md), checked against every JSON Schema the
 * generator wrote to out/schema: the seed's keys of nixos-generation-info
 * --json are strings, every other `generation` / `…Generation` key is an
 * integer or null (or the nixos-generation-info document), `generations` is
 * an array of integers, and what the user gave is a string.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readdirSync, readFileSync } from "node:fs";
import { projectRoot } from "./helpers/shells.js";
import { seedGenerationKeys, givenGenerationKeys, generationDocument, pendingGenerationKeys, generationRuleMarkdown } from "../generator/schema/json-types.js";

type Schema = { type?: string; properties?: Record<string, Schema>; items?: Schema; anyOf?: Schema[]; $ref?: string; $defs?: Record<string, Schema>; then?: Schema; allOf?: Schema[]; [k: string]: unknown };

const isGenerationKey = (key: string) => key === "generation" || key.endsWith("Generation");

/** Is S the integer-or-null a generation number is? */
function isNumber(s: Schema): boolean {
  if (s.type === "integer") return true;
  if (s.anyOf) return s.anyOf.length === 2 && s.anyOf.some((x) => x.type === "integer") && s.anyOf.some((x) => x.type === "null");
  return false;
}

/** Is S the nixos-generation-info document (or it or null)? */
function isDocument(s: Schema): boolean {
  const ref = (x: Schema) => x.$ref === `#/$defs/${generationDocument}`;
  if (ref(s)) return true;
  return Boolean(s.anyOf && s.anyOf.length === 2 && s.anyOf.some(ref) && s.anyOf.some((x) => x.type === "null"));
}

/** Every violation of the rule in one JSON Schema document (FILE names its root shape). */
export function violations(file: string, doc: Schema): string[] {
  const out: string[] = [];
  const visit = (shape: string, node: Schema, path: string) => {
    for (const [key, value] of Object.entries(node.properties ?? {})) {
      const where = `${file} ${shape}.${key} (${path})`;
      const pending = pendingGenerationKeys.find((p) => p.shape === shape && p.key === key);
      if (shape === seedGenerationKeys.shape && [...seedGenerationKeys.labels, ...seedGenerationKeys.raw].includes(key)) {
        if (value.type !== "string") out.push(`${where}: a seed key, must be a string`);
      } else if (key.endsWith("GenerationRaw") || key === "generationRaw") {
        out.push(`${where}: …Raw keys are the seed's only`);
      } else if (pending) {
        if (value.type !== "string") out.push(`${where}: listed as pending (${pending.is}) but is no longer a string: remove it from pendingGenerationKeys`);
      } else if (isGenerationKey(key)) {
        if (!isNumber(value) && !isDocument(value)) out.push(`${where}: must be an integer or null (or the ${generationDocument} document)`);
      } else if (key === "generations") {
        if (!(value.type === "array" && value.items?.type === "integer")) out.push(`${where}: must be an array of integers`);
      } else if (givenGenerationKeys[shape]?.includes(key)) {
        if (value.type !== "string") out.push(`${where}: a generation as given, must be a string`);
      }
      visit(shape, value, `${path}.${key}`);
    }
    for (const sub of ["items", "then"] as const) if (node[sub]) visit(shape, node[sub] as Schema, `${path}/${sub}`);
    for (const sub of ["anyOf", "allOf"] as const) (node[sub] as Schema[] | undefined)?.forEach((x, i) => visit(shape, x, `${path}/${sub}${i}`));
  };
  visit(file.replace(/\.schema\.json$/, ""), doc, "");
  for (const [name, def] of Object.entries(doc.$defs ?? {})) visit(name, def, `$defs/${name}`);
  return out;
}

const schemaDir = `${projectRoot}out/schema`;
const files = readdirSync(schemaDir).filter((f) => f.endsWith(".schema.json"));

test("the checker catches each kind of breach (given a schema, want the violations)", () => {
  const cases: [string, Schema, number][] = [
    ["GenerationList.schema.json", { type: "array", items: { type: "object", properties: { generation: { type: "string" } } } }, 1],
    ["GenerationList.schema.json", { type: "array", items: { type: "object", properties: { generation: { type: "integer" } } } }, 0],
    ["X.schema.json", { type: "object", properties: { fooGeneration: { anyOf: [{ type: "integer" }, { type: "null" }] } } }, 0],
    ["X.schema.json", { type: "object", properties: { fooGeneration: { anyOf: [{ type: "string" }, { type: "null" }] } } }, 1],
    ["X.schema.json", { type: "object", properties: { generations: { type: "array", items: { type: "string" } } } }, 1],
    ["X.schema.json", { type: "object", properties: { latestGenerationRaw: { type: "string" } } }, 1],
    ["GenerationInfo.schema.json", { type: "object", properties: { latestGeneration: { type: "integer" } } }, 1],
    ["GenerationInfo.schema.json", { type: "object", properties: { latestGeneration: { type: "string" }, latestGenerationRaw: { type: "string" } } }, 0],
    ["GenerationDiff.schema.json", { type: "object", properties: { from: { type: "integer" } } }, 1],
    ["BuildStatus.schema.json", { type: "object", properties: { generation: { anyOf: [{ $ref: "#/$defs/GenerationInfo" }, { type: "null" }] } } }, 0],
    ["Y.schema.json", { type: "object", properties: {}, $defs: { Z: { type: "object", properties: { bootGeneration: { type: "string" } } } } }, 1],
  ];
  for (const [file, doc, count] of cases) assert.is(violations(file, doc).length, count, `${file} ${JSON.stringify(doc)}`);
});

test("every JSON Schema in out/schema follows the generation rule", () => {
  assert.ok(files.length > 10, "out/schema holds the schemas");
  const all = files.flatMap((f) => violations(f, JSON.parse(readFileSync(`${schemaDir}/${f}`, "utf8")) as Schema));
  assert.equal(all, []);
});

test("the rule's cases from issue 8 are what the schemas declare", () => {
  const load = (name: string) => JSON.parse(readFileSync(`${schemaDir}/${name}.schema.json`, "utf8")) as Schema;
  assert.is(load("GenerationInfo").properties!.generationRaw!.type, "string");
  assert.is(load("GenerationList").items!.properties!.generation!.type, "integer");
  assert.is(load("NixpkgsAudit").items!.properties!.generations!.items!.type, "integer");
  assert.is(load("GenerationDiff").properties!.from!.type, "string");
  assert.is(load("GenerationDiff").properties!.to!.type, "string");
  assert.ok(isNumber(load("GenerationVerify").properties!.generation!));
  assert.is(load("GenerationVerify").properties!.given!.type, "string");
});

test("out/doc/commands.md states the rule, as generated", () => {
  const doc = readFileSync(`${projectRoot}out/doc/commands.md`, "utf8");
  assert.ok(doc.includes(generationRuleMarkdown()), "commands.md holds the JSON types section");
  for (const p of pendingGenerationKeys) assert.ok(doc.includes(`${p.shape} \`${p.key}\``), `the pending ${p.shape}.${p.key} is said`);
});

test.run();

/**
 * JSON Schema (2020-12) for the generator: the typed shapes of schema/types.ts
 * turned into schema documents, and one small validator for exactly the subset
 * those documents use. The generator checks provenance.yaml/.toml with it
 * against the same document it publishes as out/schema/ProvenanceConfig.schema.json,
 * and the tests check real command output against out/schema/*.schema.json.
 *
 * Supported keywords: $ref (into #/$defs), type, enum, const, pattern, minimum,
 * maximum, items, uniqueItems, properties, required, additionalProperties,
 * dependentRequired, anyOf, oneOf, allOf, if/then, and errorMessage (the
 * VS Code / yaml-language-server extension: what was expected, in words).
 * Anything else in a schema is refused, so a keyword the validator would
 * silently ignore cannot creep into an emitted document.
 */
import type { JsonShape, JsonShapeSpec } from "./schema/types.js";

export type SchemaDocument = Record<string, unknown>;

export const schemaBase = "https://nixos-provenance.invalid/schema/";

/** The JSON Schema of one shape (refs stay `#/$defs/<Name>`). */
export function toJsonSchema(shape: JsonShape): SchemaDocument {
  const doc: SchemaDocument = {};
  if (shape.description) doc.description = shape.description;
  if (shape.expected) doc.errorMessage = shape.expected;
  let out: SchemaDocument;
  switch (shape.type) {
    case "ref":
      out = { $ref: `#/$defs/${shape.ref}`, ...doc };
      break;
    case "anyOf":
      out = { ...doc, anyOf: shape.anyOf.map(toJsonSchema) };
      break;
    case "array":
      out = { type: "array", ...doc, items: toJsonSchema(shape.items), ...(shape.uniqueItems ? { uniqueItems: true } : {}) };
      break;
    case "object": {
      out = { type: "object", ...doc, properties: Object.fromEntries(Object.entries(shape.properties).map(([k, v]) => [k, toJsonSchema(v)])), required: shape.required };
      if (shape.additionalProperties !== undefined) out.additionalProperties = typeof shape.additionalProperties === "boolean" ? shape.additionalProperties : toJsonSchema(shape.additionalProperties);
      if (shape.exactlyOne) out.oneOf = shape.exactlyOne.map((key) => ({ required: [key] }));
      if (shape.dependentRequired) out.dependentRequired = shape.dependentRequired;
      break;
    }
    case "string":
      out = { type: "string", ...doc, ...(shape.enum ? { enum: shape.enum } : {}), ...(shape.format ? { format: shape.format } : {}), ...(shape.pattern !== undefined ? { pattern: shape.pattern } : {}) };
      break;
    case "integer":
      out = { type: "integer", ...doc, ...(shape.minimum !== undefined ? { minimum: shape.minimum } : {}), ...(shape.maximum !== undefined ? { maximum: shape.maximum } : {}) };
      break;
    case "boolean":
      out = { type: "boolean", ...doc, ...(shape.const !== undefined ? { const: shape.const } : {}) };
      break;
    default:
      out = { type: shape.type, ...doc };
  }
  const allOf: SchemaDocument[] = (shape.allOf ?? []).map(toJsonSchema);
  if (shape.type === "object") {
    for (const rule of shape.when ?? []) {
      allOf.push({
        if: { properties: { [rule.key]: { const: rule.equals } }, required: [rule.key] },
        then: { properties: Object.fromEntries(Object.entries(rule.then).map(([k, v]) => [k, toJsonSchema(v)])) },
      });
    }
  }
  if (allOf.length) out.allOf = allOf;
  return out;
}

/** Names of every shape a shape refers to, transitively. */
function refsOf(shape: JsonShape, all: Map<string, JsonShapeSpec>, seen = new Set<string>()): Set<string> {
  const visit = (s: JsonShape) => {
    if (s.type === "ref") {
      if (!seen.has(s.ref)) {
        const target = all.get(s.ref);
        if (!target) throw new Error(`JSON shape refers to unknown shape ${s.ref}`);
        seen.add(s.ref);
        visit(target.shape);
      }
    } else if (s.type === "anyOf") s.anyOf.forEach(visit);
    else if (s.type === "array") visit(s.items);
    else if (s.type === "object") Object.values(s.properties).forEach(visit);
    s.allOf?.forEach(visit);
  };
  visit(shape);
  return seen;
}

/** The whole document of one named shape, with every shape it refers to under $defs. */
export function schemaDocument(spec: JsonShapeSpec, shapes: readonly JsonShapeSpec[]): SchemaDocument {
  const all = new Map([...shapes, spec].map((s) => [s.name, s]));
  const defs = [...refsOf(spec.shape, all)].filter((n) => n !== spec.name).sort();
  const doc: SchemaDocument = {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: `${schemaBase}${spec.name}.schema.json`,
    title: spec.name,
    ...toJsonSchema({ ...spec.shape, description: spec.description }),
  };
  if (defs.length) doc.$defs = Object.fromEntries(defs.map((n) => [n, toJsonSchema(all.get(n)!.shape)]));
  return doc;
}

// ---------------------------------------------------------------------------
// Validation

/** One thing wrong with a value: where, what was expected, what was there. */
export interface SchemaProblem {
  /** Keys and indexes from the document's root to the offending value. */
  path: (string | number)[];
  /** The keyword that failed (`type`, `required`, `additionalProperties`, …). */
  keyword: string;
  /** What should have been there, as a noun phrase ("a whole number from 1 to 100000"). */
  expected: string;
  /** What was there; absent when nothing was (a missing key). */
  got?: { value: unknown };
}

const knownKeywords = new Set([
  "$schema", "$id", "$ref", "$defs", "title", "description", "errorMessage", "format",
  "type", "enum", "const", "pattern", "minimum", "maximum", "items", "uniqueItems",
  "properties", "required", "additionalProperties", "dependentRequired", "anyOf", "oneOf", "allOf", "if", "then",
]);

const typeWords: Record<string, string> = {
  string: "a string", integer: "a whole number", number: "a number", boolean: "true or false",
  null: "null", array: "a list", object: "a table",
};

/** JSON type of a value as JSON Schema names it (`integer` for whole numbers). */
export function jsonTypeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "bigint") return "integer";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Deep equality of JSON values (for enum, const and uniqueItems). */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

const patternCache = new Map<string, RegExp>();
function regex(pattern: string): RegExp {
  let re = patternCache.get(pattern);
  if (!re) {
    // JSON Schema patterns are ECMA-262 regexes, unanchored; `u` for code-point semantics.
    re = new RegExp(pattern, "u");
    patternCache.set(pattern, re);
  }
  return re;
}

function list(words: string[]): string {
  return words.length <= 1 ? (words[0] ?? "") : `${words.slice(0, -1).join(", ")} or ${words[words.length - 1]}`;
}

/**
 * Every problem of `value` against `schema` (a document, or a part of `root`).
 * Empty means valid. Problems are reported where they are: a wrong type stops
 * the checks of that value, but siblings and other keys are all checked.
 */
export function validate(value: unknown, schema: SchemaDocument, root: SchemaDocument = schema, path: (string | number)[] = []): SchemaProblem[] {
  for (const key of Object.keys(schema)) {
    if (!knownKeywords.has(key)) throw new Error(`JSON Schema keyword ${JSON.stringify(key)} (at ${path.join(".") || "the root"}) is not supported by generator/json-schema.ts`);
  }
  const problems: SchemaProblem[] = [];
  const message = typeof schema.errorMessage === "string" ? schema.errorMessage : undefined;
  const fail = (keyword: string, expected: string, at = path, got: { value: unknown } | undefined = { value }) =>
    problems.push({ path: at, keyword, expected: message ?? expected, ...(got ? { got } : {}) });

  if (typeof schema.$ref === "string") {
    const name = schema.$ref.startsWith("#/$defs/") ? schema.$ref.slice("#/$defs/".length) : undefined;
    const target = name === undefined ? undefined : (root.$defs as Record<string, SchemaDocument> | undefined)?.[name];
    if (!target) throw new Error(`unresolvable $ref ${schema.$ref}`);
    problems.push(...validate(value, target, root, path));
  }

  const type = schema.type as string | undefined;
  if (type !== undefined) {
    const actual = jsonTypeOf(value);
    if (!(type === actual || (type === "number" && actual === "integer"))) {
      fail("type", typeWords[type] ?? type);
      return problems;
    }
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => jsonEqual(e, value))) fail("enum", `one of ${list(schema.enum.map((e) => JSON.stringify(e)))}`);
  if ("const" in schema && !jsonEqual(schema.const, value)) fail("const", JSON.stringify(schema.const));
  if (typeof value === "string" && typeof schema.pattern === "string" && !regex(schema.pattern).test(value)) fail("pattern", `a string matching /${schema.pattern}/`);
  if (typeof value === "number" || typeof value === "bigint") {
    if (typeof schema.minimum === "number" && value < schema.minimum) fail("minimum", `a number of at least ${schema.minimum}`);
    if (typeof schema.maximum === "number" && value > schema.maximum) fail("maximum", `a number of at most ${schema.maximum}`);
  }

  if (Array.isArray(value)) {
    if (isPlainObject(schema.items)) value.forEach((item, i) => problems.push(...validate(item, schema.items as SchemaDocument, root, [...path, i])));
    if (schema.uniqueItems === true) {
      value.forEach((item, i) => {
        if (value.slice(0, i).some((earlier) => jsonEqual(earlier, item))) problems.push({ path: [...path, i], keyword: "uniqueItems", expected: "each item listed once", got: { value: item } });
      });
    }
  }

  if (isPlainObject(value)) {
    const properties = (isPlainObject(schema.properties) ? schema.properties : {}) as Record<string, SchemaDocument>;
    for (const key of (Array.isArray(schema.required) ? schema.required : []) as string[]) {
      if (!Object.hasOwn(value, key)) {
        const wanted = properties[key];
        const expected = typeof wanted?.errorMessage === "string" ? wanted.errorMessage : typeof wanted?.type === "string" ? (typeWords[wanted.type] ?? "a value") : "a value";
        problems.push({ path: [...path, key], keyword: "required", expected });
      }
    }
    for (const [key, item] of Object.entries(value)) {
      const own = properties[key];
      if (own && Object.hasOwn(properties, key)) problems.push(...validate(item, own, root, [...path, key]));
      else if (schema.additionalProperties === false) {
        problems.push({ path: [...path, key], keyword: "additionalProperties", expected: `one of the known keys (${Object.keys(properties).join(", ")})`, got: { value: key } });
      } else if (isPlainObject(schema.additionalProperties)) problems.push(...validate(item, schema.additionalProperties, root, [...path, key]));
    }
    if (isPlainObject(schema.dependentRequired)) {
      for (const [key, needs] of Object.entries(schema.dependentRequired as Record<string, string[]>)) {
        if (Object.hasOwn(value, key) && needs.some((n) => !Object.hasOwn(value, n))) {
          problems.push({ path: [...path, key], keyword: "dependentRequired", expected: `${key} only together with ${list(needs)}`, got: { value: value[key] } });
        }
      }
    }
  }

  const alternatives = (key: "anyOf" | "oneOf") => (Array.isArray(schema[key]) ? (schema[key] as SchemaDocument[]) : undefined);
  const anyOf = alternatives("anyOf");
  if (anyOf) {
    const results = anyOf.map((s) => validate(value, s, root, path));
    if (!results.some((r) => r.length === 0)) fail("anyOf", list(results.map((r) => r[0]?.expected ?? "")));
  }
  const oneOf = alternatives("oneOf");
  if (oneOf) {
    const matching = oneOf.filter((s) => validate(value, s, root, path).length === 0).length;
    if (matching !== 1) {
      // Alternatives that only require a key mean "exactly one of these keys": show which were given.
      const keys = oneOf.map((s) => (Array.isArray(s.required) && s.required.length === 1 && Object.keys(s).length === 1 ? String(s.required[0]) : undefined));
      if (keys.every((k) => k !== undefined) && isPlainObject(value)) {
        // (errorMessage describes the value's type; this is a different mistake, so its own words.)
        const present = keys.filter((k) => Object.hasOwn(value, k!)) as string[];
        problems.push({ path, keyword: "oneOf", expected: `exactly one of ${list(keys as string[])}`, ...(present.length ? { got: { value: present.join(" and ") } } : {}) });
      } else fail("oneOf", matching === 0 ? "a value matching one of the alternatives" : "a value matching only one of the alternatives");
    }
  }
  for (const part of (Array.isArray(schema.allOf) ? schema.allOf : []) as SchemaDocument[]) problems.push(...validate(value, part, root, path));
  if (isPlainObject(schema.if) && validate(value, schema.if, root, path).length === 0 && isPlainObject(schema.then)) {
    problems.push(...validate(value, schema.then, root, path));
  }
  return problems;
}

/** `fields[0].shellVar`; keys that are not plain names are quoted (`["a b"]`). */
export function formatPath(path: readonly (string | number)[]): string {
  return path
    .map((part, i) => (typeof part === "number" ? `[${part}]` : /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(part) ? `${i === 0 ? "" : "."}${part}` : `[${JSON.stringify(part)}]`))
    .join("");
}

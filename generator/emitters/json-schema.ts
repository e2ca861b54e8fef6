/** out/schema/<Name>.schema.json: one JSON Schema (2020-12) per JSON shape, refs inlined as $defs. */
import type { Emitter } from "./types.js";
import type { JsonShape, JsonShapeSpec } from "../schema/types.js";
import { jsonDocument } from "../escape/json.js";

const schemaBase = "https://nixos-provenance.invalid/schema/";

export function toJsonSchema(shape: JsonShape): Record<string, unknown> {
  const doc: Record<string, unknown> = {};
  if (shape.description) doc.description = shape.description;
  switch (shape.type) {
    case "ref":
      return { $ref: `#/$defs/${shape.ref}`, ...doc };
    case "anyOf":
      return { ...doc, anyOf: shape.anyOf.map(toJsonSchema) };
    case "array":
      return { type: "array", ...doc, items: toJsonSchema(shape.items) };
    case "object": {
      const out: Record<string, unknown> = { type: "object", ...doc, properties: Object.fromEntries(Object.entries(shape.properties).map(([k, v]) => [k, toJsonSchema(v)])), required: shape.required };
      if (shape.additionalProperties !== undefined) out.additionalProperties = typeof shape.additionalProperties === "boolean" ? shape.additionalProperties : toJsonSchema(shape.additionalProperties);
      return out;
    }
    case "string":
      return { type: "string", ...doc, ...(shape.enum ? { enum: shape.enum } : {}), ...(shape.format ? { format: shape.format } : {}) };
    default:
      return { type: shape.type, ...doc };
  }
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
  };
  visit(shape);
  return seen;
}

export const emitJsonSchemas: Emitter = (model) => {
  const all = new Map(model.jsonShapes.map((s) => [s.name, s]));
  return model.jsonShapes.map((spec) => {
    const defs = [...refsOf(spec.shape, all)].filter((n) => n !== spec.name).sort();
    const doc: Record<string, unknown> = {
      $schema: "https://json-schema.org/draft/2020-12/schema",
      $id: `${schemaBase}${spec.name}.schema.json`,
      title: spec.name,
      ...toJsonSchema({ ...spec.shape, description: spec.description }),
    };
    if (defs.length) doc.$defs = Object.fromEntries(defs.map((n) => [n, toJsonSchema(all.get(n)!.shape)]));
    return { path: `out/schema/${spec.name}.schema.json`, content: jsonDocument(doc) };
  });
};

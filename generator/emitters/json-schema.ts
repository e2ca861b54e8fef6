/**
 * out/schema/<Name>.schema.json: one JSON Schema (2020-12) per JSON shape, refs
 * inlined as $defs, and ProvenanceConfig.schema.json for provenance.yaml/.toml
 * (the document the generator itself validates the config against).
 */
import type { Emitter } from "./types.js";
import { jsonDocument } from "../escape/json.js";
import { schemaDocument } from "../json-schema.js";

export const emitJsonSchemas: Emitter = (model) => [
  ...model.jsonShapes.map((spec) => ({ path: `out/schema/${spec.name}.schema.json`, content: jsonDocument(schemaDocument(spec, model.jsonShapes)) })),
  { path: `out/schema/${model.configShape.name}.schema.json`, content: jsonDocument(schemaDocument(model.configShape, [])) },
];

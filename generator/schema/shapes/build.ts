import type { JsonShape } from "../types.js";

/** Small constructors that keep the shape tables readable. */
export const str = (description: string, extra: { enum?: string[]; format?: "date-time" } = {}): JsonShape => ({ type: "string", description, ...extra });
export const int = (description: string): JsonShape => ({ type: "integer", description });
export const bool = (description: string): JsonShape => ({ type: "boolean", description });
export const nullable = (shape: JsonShape): JsonShape => ({ type: "anyOf", anyOf: [shape, { type: "null" }], ...(shape.description ? { description: shape.description } : {}) });
export const obj = (description: string, properties: Record<string, JsonShape>, optional: string[] = []): JsonShape => ({
  type: "object",
  description,
  properties,
  required: Object.keys(properties).filter((k) => !optional.includes(k)),
  additionalProperties: false,
});
export const ref = (name: string, description?: string): JsonShape => ({ type: "ref", ref: name, ...(description ? { description } : {}) });


/**
 * The one place that turns a value into TypeScript source text (the emitted
 * .d.ts): string literal types and quoted property names are JSON strings
 * (valid TypeScript), and documentation goes into JSDoc comments, which only
 * `*` `/` can end.
 */
import { jsonString } from "./json.js";

/** A string literal type or a quoted property name. */
export function tsString(value: string): string {
  return jsonString(value);
}

const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A property name: bare when it is an identifier, else a string literal. */
export function tsPropertyName(name: string): string {
  return identifier.test(name) ? name : tsString(name);
}

/**
 * Text inside a JSDoc comment: `*\/` would end the comment (and let the rest
 * become code), so it is written `*\\/`; line breaks of every kind continue
 * the comment on a new ` * ` line when `indent` is given.
 */
export function tsDocText(value: string, indent?: string): string {
  const text = value.replace(/\*\//g, "*\\/");
  return indent === undefined ? text : text.replace(/\r\n|\r|\n|\u2028|\u2029/g, `\n${indent} * `);
}

/**
 * The one place that turns a value into JSON text. JSON.stringify already
 * escapes quotes, backslashes and control characters; lone surrogates are
 * escaped too (ES2019 well-formed stringify), so output is valid UTF-8.
 */
export function jsonString(value: string): string {
  return JSON.stringify(value);
}

/** Stable, 2-space-indented JSON document with a trailing newline. */
export function jsonDocument(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/**
 * Escaping for the two completion languages that are not POSIX shell words:
 * fish's quoted strings and the spec strings of zsh's `_arguments`.
 * (Bash completion files use shellQuote from ./shell.ts.)
 */

/** A fish single-quoted string: only `\` and `'` are special inside. */
export function fishQuote(value: string): string {
  if (value.includes("\0")) throw new Error(`cannot fish-quote a value containing NUL: ${JSON.stringify(value)}`);
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/**
 * Text inside one part of an `_arguments` spec (a `[description]`, a message
 * or a `(choice list)`): `\`, `[`, `]`, `:`, `(` and `)` are backslash-quoted
 * so they cannot end the part. The whole spec is then shell-quoted.
 */
export function zshSpecText(value: string): string {
  if (/[\n\r\0]/.test(value)) throw new Error(`an _arguments spec cannot hold a line break or NUL: ${JSON.stringify(value)}`);
  return value.replace(/[\\[\]:()]/g, "\\$&");
}

/** Display text of a schema description in a completion menu: code spans lose their backticks. */
export function plainDescription(value: string): string {
  return value.replace(/`/g, "").replace(/\s+/g, " ").trim();
}

/**
 * The one place that turns a value into roff (man page) text.
 *
 * Backslash starts an escape, so it becomes `\e`; a line starting with `.` or
 * `'` would be a request, so such lines are guarded with the zero-width `\&`;
 * ASCII `-` is written `\-` (a real minus, so options can be copied and
 * searched). Markdown-style `code` spans of the schema become bold.
 * Every line break (`\n`, `\r\n`, a lone `\r`) starts a new, guarded line, and
 * other control characters, which roff has no meaning for, are shown as their
 * Unicode control pictures (`\[u241B]` for ESC) instead of going raw into
 * the page, and every non-ASCII character is written `\[uXXXX]`, so the page
 * is ASCII and reads the same in groff with or without preconv, and in mandoc.
 */
export function roffText(value: string): string {
  if (value.includes("\0")) throw new Error(`cannot write roff text containing NUL: ${JSON.stringify(value)}`);
  const escaped = value
    .replace(/\r\n?/g, "\n")
    .replace(/\\/g, "\\e")
    .replace(/-/g, "\\-")
    .replace(/`([^`]*)`/g, "\\fB$1\\fR")
    .replace(/[\u0001-\u0008\u000b-\u001f\u007f]/g, (c) => `\\[u${controlPicture(c)}]`)
    // Non-ASCII as \[uXXXX]: roff input is bytes, and groff without preconv reads UTF-8 as Latin-1.
    .replace(/[^\u0000-\u007f]/gu, (c) => `\\[u${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}]`);
  return escaped
    .split("\n")
    .map((line) => (/^[.']/.test(line) ? `\\&${line}` : line))
    .join("\n");
}

/** U+2400 + code for C0 controls, U+2421 for DEL: the hex digits for `\[uXXXX]`. */
function controlPicture(c: string): string {
  const code = c.charCodeAt(0);
  return (code === 0x7f ? 0x2421 : 0x2400 + code).toString(16).toUpperCase();
}

/** An argument of a roff request such as `.TH`: double-quoted, quotes doubled. */
export function roffArg(value: string): string {
  if (/[\n\r]/.test(value)) throw new Error(`a roff request argument cannot hold a line break: ${JSON.stringify(value)}`);
  return `"${roffText(value).replace(/"/g, '""')}"`;
}

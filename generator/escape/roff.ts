/**
 * The one place that turns a value into roff (man page) text.
 *
 * Backslash starts an escape, so it becomes `\e`; a line starting with `.` or
 * `'` would be a request, so such lines are guarded with the zero-width `\&`;
 * ASCII `-` is written `\-` (a real minus, so options can be copied and
 * searched). Markdown-style `code` spans of the schema become bold.
 */
export function roffText(value: string): string {
  if (value.includes("\0")) throw new Error(`cannot write roff text containing NUL: ${JSON.stringify(value)}`);
  const escaped = value
    .replace(/\\/g, "\\e")
    .replace(/-/g, "\\-")
    .replace(/`([^`]*)`/g, "\\fB$1\\fR");
  return escaped
    .split("\n")
    .map((line) => (/^[.']/.test(line) ? `\\&${line}` : line))
    .join("\n");
}

/** An argument of a roff request such as `.TH`: double-quoted, quotes doubled. */
export function roffArg(value: string): string {
  if (/[\n\r]/.test(value)) throw new Error(`a roff request argument cannot hold a line break: ${JSON.stringify(value)}`);
  return `"${roffText(value).replace(/"/g, '""')}"`;
}

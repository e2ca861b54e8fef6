/**
 * The one place that turns a value into Markdown text: table cells, inline
 * code and fenced code blocks.
 *
 * CommonMark ends a line at `\n`, `\r\n` and a lone `\r` alike, so all three
 * are handled as line breaks; other control characters are shown as their
 * Unicode control pictures (ESC → ␛) rather than written raw.
 */
const lineBreak = /\r\n|\r|\n/g;
const control = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

/** U+2400 + code for C0 controls, U+2421 for DEL. */
function controlPicture(c: string): string {
  const code = c.charCodeAt(0);
  return String.fromCharCode(code === 0x7f ? 0x2421 : 0x2400 + code);
}

/** Text in a table cell: `\` and `|` escaped, every line break a `<br>`. */
export function markdownCell(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(lineBreak, "<br>").replace(control, controlPicture);
}

/**
 * Inline code that survives backticks in the value (CommonMark: a longer
 * fence). Inside code spans backslashes are literal, so only `|` is escaped
 * (GFM tables honour `\|` there too); a line break would end the table row,
 * so it is shown as ␤ (or ␍ for a lone CR).
 */
export function markdownCode(value: string): string {
  const longest = Math.max(0, ...(value.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  const body = value.replace(/\|/g, "\\|").replace(/\r\n|\n/g, "\u2424").replace(control, controlPicture);
  const pad = body.startsWith("`") || body.endsWith("`") ? " " : "";
  return `${fence}${pad}${body}${pad}${fence}`;
}

/**
 * A fenced code block whose content cannot close it: the fence is longer than
 * any run of backticks in the content (CommonMark closes only on a fence at
 * least as long). Lone `\r` and `\r\n` become `\n`; the block ends with a newline.
 */
export function markdownFence(info: string, content: string): string {
  if (/[`\r\n]/.test(info)) throw new Error(`a code fence's info string cannot hold a backtick or line break: ${JSON.stringify(info)}`);
  const body = content.replace(lineBreak, "\n").replace(control, controlPicture);
  const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${body}${body.endsWith("\n") || body === "" ? "" : "\n"}${fence}\n`;
}

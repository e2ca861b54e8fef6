/**
 * The one place that turns a value into POSIX shell text.
 *
 * Single quotes make every byte literal except `'` itself, which is closed,
 * escaped and reopened (`'\''`). NUL cannot be represented in a shell word,
 * so it is refused rather than silently truncated.
 */
export function shellQuote(value: string): string {
  if (value.includes("\0")) throw new Error(`cannot shell-quote a value containing NUL: ${JSON.stringify(value)}`);
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Names that may stand unquoted as shell variables or function names. */
export function shellIdentifier(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`not a shell identifier: ${JSON.stringify(name)}`);
  return name;
}

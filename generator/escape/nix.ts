/**
 * The one place that turns a value into Nix source text.
 *
 * Double-quoted Nix strings interpret `\`, `"` and `${`; `$${` would also be
 * fine but `\${` is the form every Nix version parses the same way. Control
 * characters other than \n \r \t cannot be written as escapes in Nix, and
 * appear literally inside the string, which Nix accepts.
 */
export function nixString(value: string): string {
  if (value.includes("\0")) throw new Error(`cannot write a Nix string containing NUL: ${JSON.stringify(value)}`);
  const body = value
    .replace(/\\/g, "\\\\")
    .replace(/"/g, '\\"')
    .replace(/\$\{/g, "\\${")
    .replace(/\n/g, "\\n")
    .replace(/\r/g, "\\r")
    .replace(/\t/g, "\\t");
  return `"${body}"`;
}

/** An attribute name: bare when it is a plain identifier, else a quoted string. */
export function nixAttrName(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_'-]*$/.test(name) && !nixKeywords.has(name) ? name : nixString(name);
}

const nixKeywords = new Set(["if", "then", "else", "assert", "with", "let", "in", "rec", "inherit", "or"]);

/** A Nix list of strings. */
export function nixStringList(values: readonly string[]): string {
  return `[ ${values.map(nixString).join(" ")} ]`;
}

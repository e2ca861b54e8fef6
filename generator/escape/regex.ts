/** POSIX extended regular expressions (Nix's builtins.match): a literal string. */
export function regexLiteral(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

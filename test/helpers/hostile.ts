/**
 * Values that would run code, break quoting or lose bytes if anything on
 * their way were unescaped. Every escaping test feeds all of them.
 */
export const hostileValues: string[] = [
  "$(touch PWNED)",
  "`touch PWNED`",
  "it's",
  "'\\''",
  '"double" \\back\\slash',
  "line1\nline2\n",
  "${HOME} ''${x} ''",
  "a; touch PWNED; b",
  "ctl\u0001\u001b[31m\t\rend",
  "unicode ✓ ⚠ é",
  "trailing newline\n",
  "",
];

import { test } from "uvu";
import * as assert from "uvu/assert";
import { shellQuote } from "../generator/escape/shell.js";
import { nixString } from "../generator/escape/nix.js";
import { jsonString } from "../generator/escape/json.js";

// given/want tables: one row per hostile or ordinary value.
const shellCases: [string, string][] = [
  ["plain", "'plain'"],
  ["", "''"],
  ["it's", `'it'\\''s'`],
  ["$(id)", "'$(id)'"],
  ["`id`", "'`id`'"],
  ["a\nb", "'a\nb'"],
  ["${HOME}", "'${HOME}'"],
];
for (const [given, want] of shellCases) {
  test(`shellQuote ${JSON.stringify(given)}`, () => assert.is(shellQuote(given), want));
}

const nixCases: [string, string][] = [
  ["plain", '"plain"'],
  ["${x}", '"\\${x}"'],
  ['a"b', '"a\\"b"'],
  ["back\\slash", '"back\\\\slash"'],
  ["l1\nl2\t", '"l1\\nl2\\t"'],
  ["''", `"''"`],
  ["$${x}", '"$\\${x}"'],
];
for (const [given, want] of nixCases) {
  test(`nixString ${JSON.stringify(given)}`, () => assert.is(nixString(given), want));
}

test("jsonString escapes control characters and lone surrogates", () => {
  assert.is(jsonString("a\u0001\"\\"), '"a\\u0001\\"\\\\"');
  assert.is(jsonString("\ud800"), '"\\ud800"');
});

test("escapers refuse NUL", () => {
  assert.throws(() => shellQuote("a\0b"));
  assert.throws(() => nixString("a\0b"));
});

test.run();

import { test } from "uvu";
import * as assert from "uvu/assert";
import { shellQuote } from "../generator/escape/shell.js";
import { nixString } from "../generator/escape/nix.js";
import { jsonString } from "../generator/escape/json.js";
import { spawnSync } from "node:child_process";
import { roffArg, roffText } from "../generator/escape/roff.js";
import { markdownCell, markdownCode, markdownFence } from "../generator/escape/markdown.js";
import { hostileValues } from "./helpers/hostile.js";
import { readdirSync, readFileSync } from "node:fs";
import ts from "typescript";
import { Code } from "../generator/escape/code.js";
import { tsDocText, tsPropertyName, tsString } from "../generator/escape/typescript.js";
import { emitTypeDeclarations } from "../generator/emitters/typescript.js";
import { resolveModel } from "../generator/model.js";
import { defaultSchema } from "../generator/schema/index.js";
import { parseConfigText } from "../generator/config.js";
import { projectRoot } from "./helpers/shells.js";

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


// --- roff (man pages) -------------------------------------------------------------------------

// given text → want roff source: no line of it may start a request
const roffCases: [string, string][] = [
  ["plain", "plain"],
  ["a-b \\x", "a\\-b \\ex"],
  ["use `--json`", "use \\fB\\-\\-json\\fR"],
  [".SH INJECTED", "\\&.SH INJECTED"],
  ["line\n.SH INJECTED", "line\n\\&.SH INJECTED"],
  ["line\r.SH INJECTED", "line\n\\&.SH INJECTED"],
  ["line\r\n'br", "line\n\\&'br"],
  ["esc\u001b[31m bel\u0007 del\u007f", "esc\\[u241B][31m bel\\[u2407] del\\[u2421]"],
  ["tab\tkept", "tab\tkept"],
  ["✓ é 😀", "\\[u2713] \\[u00E9] \\[u1F600]"],
];
for (const [given, want] of roffCases) {
  test(`roffText ${JSON.stringify(given)}`, () => assert.is(roffText(given), want));
}

test("roffArg quotes, and refuses line breaks of every kind", () => {
  assert.is(roffArg('say "hi"'), '"say ""hi"""');
  assert.throws(() => roffArg("a\nb"));
  assert.throws(() => roffArg("a\rb"));
  assert.throws(() => roffText("a\0b"));
});

test("groff reads hostile roffText as text: no request, no section, no warning", () => {
  const hostile = [...hostileValues, ".SH INJECTED", "x\n.SH INJECTED", "x\r.SH INJECTED", "x\r\n'SH INJECTED", "\\fB\\n[.T]\\*(XX"];
  const page = [".TH T 1", ".SH ONE", ...hostile.map((v) => `${roffText(v)}\n.PP`), ".SH TWO", "end", ""].join("\n");
  const r = spawnSync("groff", ["-man", "-Tutf8", "-ww"], { input: page, encoding: "utf8" });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stderr, "", "groff warnings");
  // grotty marks bold by overstriking (`O\bO`): drop that before reading the text.
  const headings = r.stdout.replace(/.\u0008/g, "").split("\n").filter((line) => /^\S/.test(line) && !/^T\(1\)/.test(line));
  assert.equal(headings, ["ONE", "TWO"]);
  assert.match(r.stdout, ".SH INJECTED");
});

// --- Markdown ---------------------------------------------------------------------------------
const cellCases: [string, string][] = [
  ["a|b", "a\\|b"],
  ["back\\slash", "back\\\\slash"],
  ["l1\nl2", "l1<br>l2"],
  ["l1\r\nl2", "l1<br>l2"],
  ["l1\rl2", "l1<br>l2"],
  ["esc\u001b[31m\u0007", "esc\u241b[31m\u2407"],
];
for (const [given, want] of cellCases) {
  test(`markdownCell ${JSON.stringify(given)}`, () => assert.is(markdownCell(given), want));
}

const codeCases: [string, string][] = [
  ["x", "`x`"],
  ["a`b", "``a`b``"],
  ["`x", "`` `x ``"],
  ["a|b", "`a\\|b`"],
  ["back\\slash", "`back\\slash`"],
  ["l1\nl2\rl3", "`l1\u2424l2\u240dl3`"],
];
for (const [given, want] of codeCases) {
  test(`markdownCode ${JSON.stringify(given)}`, () => assert.is(markdownCode(given), want));
}

/** The CommonMark rule for the end of a backtick fence: a line of at least as many backticks. */
function fenceEnd(block: string): number {
  const lines = block.split(/\r\n|\r|\n/);
  const open = /^(`{3,})/.exec(lines[0]!)![1]!;
  return lines.findIndex((line, i) => i > 0 && new RegExp(`^ {0,3}\`{${open.length},}\\s*$`).test(line));
}

test("markdownFence: no content closes the block early; lone CR is no line of its own", () => {
  for (const content of [...hostileValues, "x\n```\ninjected\n", "x\r```\r", "````\n`````", "", "no newline"]) {
    const block = markdownFence("sh", content);
    const lines = block.split(/\r\n|\r|\n/);
    assert.is(fenceEnd(block), lines.length - 2, JSON.stringify(content));
    assert.not.match(block, /\r/);
    assert.ok(block.endsWith("\n"));
  }
  assert.is(markdownFence("sh", "a\n"), "```sh\na\n```\n");
  assert.is(markdownFence("sh", "a\n```\n"), "````sh\na\n```\n````\n");
  assert.throws(() => markdownFence("s`h", "x"));
});

// --- Code: only escapers turn values into code ---------------------------------------------
test("Code.of joins literal text with escaped pieces and integers", () => {
  const name = "it's ${x}";
  assert.is(Code.of`inputAttr ${Code.nix(name)} ${Code.nixAttr("a b")} ${3}`.text, 'inputAttr "it\'s \\${x}" "a b" 3');
  assert.is(Code.of`for w in ${Code.join([Code.sh("a b"), Code.sh("it's")], " ")}`.text, `for w in 'a b' 'it'\\''s'`);
  assert.is(Code.nixList(["a", "${b}"]).text, '[ "a" "\\${b}" ]');
  assert.is(Code.json('a"b').text, '"a\\"b"');
  assert.is(Code.ident("prov_x").text, "prov_x");
});

test("Code.of cannot turn an arbitrary string into code", () => {
  const value = "$(touch PWNED)" as string;
  // @ts-expect-error a plain string is not a Code piece (compile time) ...
  assert.throws(() => Code.of`x ${value}`, /not the string "\$\(touch PWNED\)"/); // ... nor at run time
  // @ts-expect-error not a template literal
  assert.throws(() => Code.of([value]), /template tag/);
  assert.throws(() => Code.of(Object.assign([value], { raw: [value] }) as unknown as TemplateStringsArray), /template tag/);
  assert.throws(() => Code.of`x ${1.5}`, /integers/);
  assert.throws(() => Code.ident("a;b"));
  assert.throws(() => Code.join([Code.sh("a")], "; rm -rf /; "), /separates with/);
});

// --- TypeScript declarations -----------------------------------------------------------------
const tsDocCases: [string, string | undefined, string][] = [
  ["plain", undefined, "plain"],
  ["ends */ here", undefined, "ends *\\/ here"],
  ["a\nb\r\nc\rd\u2028e", "  ", "a\n   * b\n   * c\n   * d\n   * e"],
];
for (const [given, indent, want] of tsDocCases) {
  test(`tsDocText ${JSON.stringify(given)}`, () => assert.is(tsDocText(given, indent), want));
}

test("tsPropertyName and tsString", () => {
  assert.is(tsPropertyName("schemaVersion"), "schemaVersion");
  assert.is(tsPropertyName("a-b"), '"a-b"');
  assert.is(tsString("x\"y"), '"x\\"y"');
});

test("a hostile description cannot end the doc comment of the emitted .d.ts", () => {
  const description = "Ends */ export declare const pwned: 1; /* here.\nSecond line */ export type X = 1;";
  const model = resolveModel(defaultSchema, parseConfigText("p.yaml", `fields: [${JSON.stringify({ shellVar: "CANARY", jsonKey: "canary", description, value: "v" })}]\n`));
  const [file] = emitTypeDeclarations(model);
  const source = ts.createSourceFile("x.d.ts", file!.content, ts.ScriptTarget.ES2022, true);
  const declared = source.statements.map((st) => (ts.isTypeAliasDeclaration(st) ? st.name.text : ts.SyntaxKind[st.kind]));
  assert.equal(declared, [...model.jsonShapes.map((s) => s.name), "MetadataShellVariable"]);
  const metadata = source.statements.find((st): st is ts.TypeAliasDeclaration => ts.isTypeAliasDeclaration(st) && st.name.text === "NixosMetadata")!;
  const members = (metadata.type as ts.TypeLiteralNode).members.map((m) => (m.name as ts.Identifier).text);
  assert.equal(members, ["schemaVersion", ...model.fields.map((f) => f.jsonKey)]);
});

// --- Layering: emitters read the model, escape through escape/, render through render.ts ------
test("every emitter imports only model types, escape/ and render (and the shared JSON Schema builder)", () => {
  const emitters = readdirSync(`${projectRoot}generator/emitters`).filter((f) => f.endsWith(".ts") && f !== "index.ts" && f !== "types.ts");
  assert.ok(emitters.length >= 10, emitters.join(", "));
  for (const file of emitters) {
    const emitter = file.replace(/\.ts$/, "");
    const text = readFileSync(`${projectRoot}generator/emitters/${file}`, "utf8");
    for (const [, typeOnly, from] of text.matchAll(/^import (type )?[^;]*? from "([^"]+)";$/gms)) {
      // generator/json-schema.ts turns a shape into a JSON Schema document; the config check uses the same one.
      const ok = from!.startsWith("../escape/") || from === "../render.js" || from!.startsWith("node:") || from === "../json-schema.js" || from === "../model.js" || ((from === "./types.js" || from!.startsWith("../schema/")) && typeOnly === "type ") || from === "ts-morph";
      assert.ok(ok, `${emitter}.ts imports ${typeOnly ?? ""}${from}`);
    }
  }
});

test("the version comes from package.json, written nowhere else", () => {
  const { version } = JSON.parse(readFileSync(`${projectRoot}package.json`, "utf8")) as { version: string };
  const model = resolveModel(defaultSchema);
  assert.is(model.packageVersion, version);
  const man = readFileSync(`${projectRoot}out/share/man/man1/nixos-metadata.1`, "utf8");
  assert.match(man, `"nixos\\-provenance ${version}"`);
  assert.match(readFileSync(`${projectRoot}modules/package.nix`, "utf8"), `version = "${version}";`);
  const grep = spawnSync("grep", ["-rlF", `"${version}"`, `${projectRoot}generator`], { encoding: "utf8" });
  assert.is(grep.stdout, "", "a copy of the version in the generator's sources");
});

test.run();

/**
 * provenance.yaml / provenance.toml: the JSON Schema validator (given/want per
 * keyword), config validation against the published ProvenanceConfig schema
 * (every error reported, file + key + expected + got), hostile YAML/TOML, the
 * shell names the metadata file may not set, and reading only regular files.
 */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseConfigText, loadConfig, ConfigError, describe, maxConfigBytes, provenanceConfigSchema, reservedShellVars } from "../generator/config.js";
import { formatPath, validate, type SchemaDocument } from "../generator/json-schema.js";
import { resolveModel } from "../generator/model.js";
import { defaultSchema } from "../generator/schema/index.js";
import { projectRoot } from "./helpers/shells.js";
import { loadSchema } from "./helpers/json-schema.js";

/** The problems of a config text, one line each (empty: valid). */
function problemsOf(file: string, text: string): string[] {
  try {
    resolveModel(defaultSchema, parseConfigText(file, text));
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.lines;
  }
}

// ---------------------------------------------------------------------------
const validator = suite("json-schema validator");

const s = (doc: SchemaDocument) => doc;
// given schema + value → want the problems as `path keyword expected [got]`
const validatorCases: [string, SchemaDocument, unknown, string[]][] = [
  ["type ok", s({ type: "string" }), "x", []],
  ["type wrong", s({ type: "string" }), 1, ["(root) type a string got 1"]],
  ["integer is a number", s({ type: "number" }), 2, []],
  ["2.5 is no integer", s({ type: "integer" }), 2.5, ["(root) type a whole number got 2.5"]],
  ["errorMessage replaces the words", s({ type: "integer", minimum: 1, errorMessage: "a count" }), 0, ["(root) minimum a count got 0"]],
  ["maximum", s({ type: "integer", maximum: 3 }), 4, ["(root) maximum a number of at most 3 got 4"]],
  ["enum", s({ enum: ["a", "b"] }), "c", ['(root) enum one of "a" or "b" got "c"']],
  ["const", s({ const: true }), false, ["(root) const true got false"]],
  ["pattern", s({ type: "string", pattern: "^a+$" }), "ab", ['(root) pattern a string matching /^a+$/ got "ab"']],
  ["pattern is unanchored by default", s({ type: "string", pattern: "b" }), "abc", []],
  ["items, every one", s({ type: "array", items: { type: "integer" } }), [1, "x", "y"], ['[1] type a whole number got "x"', '[2] type a whole number got "y"']],
  ["uniqueItems", s({ type: "array", uniqueItems: true }), ["a", "b", "a", "a"], ['[2] uniqueItems each item listed once got "a"', '[3] uniqueItems each item listed once got "a"']],
  ["required: all missing keys", s({ type: "object", properties: { a: { type: "string", errorMessage: "an a" } }, required: ["a", "b"] }), {}, ["a required an a", "b required a value"]],
  ["additionalProperties false", s({ type: "object", properties: { a: {} }, additionalProperties: false }), { a: 1, b: 2, c: 3 }, ['b additionalProperties one of the known keys (a) got "b"', 'c additionalProperties one of the known keys (a) got "c"']],
  ["additionalProperties schema", s({ type: "object", additionalProperties: { type: "string" } }), { a: 1 }, ["a type a string got 1"]],
  ["dependentRequired", s({ type: "object", dependentRequired: { attr: ["input"] } }), { attr: "rev" }, ['attr dependentRequired attr only together with input got "rev"']],
  ["anyOf none", s({ anyOf: [{ type: "string" }, { type: "null" }] }), 1, ["(root) anyOf a string or null got 1"]],
  ["anyOf one", s({ anyOf: [{ type: "string" }, { type: "null" }] }), null, []],
  ["oneOf of required: two given", s({ type: "object", oneOf: [{ required: ["a"] }, { required: ["b"] }] }), { a: 1, b: 1 }, ['(root) oneOf exactly one of a or b got "a and b"']],
  ["oneOf of required: none given", s({ type: "object", oneOf: [{ required: ["a"] }, { required: ["b"] }] }), {}, ["(root) oneOf exactly one of a or b"]],
  ["allOf: every part", s({ allOf: [{ type: "string", pattern: "^a" }, { type: "string", pattern: "b$" }] }), "x", ['(root) pattern a string matching /^a/ got "x"', '(root) pattern a string matching /b$/ got "x"']],
  ["if/then applies", s({ type: "object", if: { properties: { t: { const: "b" } }, required: ["t"] }, then: { properties: { v: { enum: ["true"] } } } }), { t: "b", v: "maybe" }, ['v enum one of "true" got "maybe"']],
  ["if/then skipped", s({ type: "object", if: { properties: { t: { const: "b" } }, required: ["t"] }, then: { properties: { v: { enum: ["true"] } } } }), { t: "s", v: "maybe" }, []],
  ["$ref into $defs", s({ $defs: { N: { type: "integer" } }, type: "object", properties: { n: { $ref: "#/$defs/N" } } }), { n: "1" }, ['n type a whole number got "1"']],
  ["a key named like a prototype member is data", s({ type: "object", properties: { a: {} }, additionalProperties: false }), JSON.parse('{"__proto__": 1, "constructor": 2}'), ['__proto__ additionalProperties one of the known keys (a) got "__proto__"', 'constructor additionalProperties one of the known keys (a) got "constructor"']],
];
for (const [name, schema, value, want] of validatorCases) {
  validator(name, () => {
    const got = validate(value, schema).map((p) => `${formatPath(p.path) || "(root)"} ${p.keyword} ${p.expected}${p.got ? ` got ${JSON.stringify(p.got.value)}` : ""}`);
    assert.equal(got, want);
  });
}

validator("a keyword it does not implement is refused, not ignored", () => {
  assert.throws(() => validate("x", { type: "string", maxLength: 3 }), /keyword "maxLength" .* not supported/);
  assert.throws(() => validate(1, { $ref: "#/$defs/Missing" }), /unresolvable \$ref/);
});

validator("paths: plain keys dotted, others quoted", () => {
  assert.is(formatPath(["fields", 0, "shellVar"]), "fields[0].shellVar");
  assert.is(formatPath(["a b", "c\u001b"]), '["a b"]["c\\u001b"]');
});

validator.run();

// ---------------------------------------------------------------------------
const config = suite("config validation");

// given file name + text → want every problem line (regexes, in order; [] = valid)
const configCases: [string, string, RegExp[]][] = [
  ["p.yaml", "", []],
  ["p.yaml", "# yaml-language-server: $schema=../out/schema/ProvenanceConfig.schema.json\ntrackedInputs: [sops-nix, disko]\nruntime: { logDir: /var/log/builds/, historyLength: 5 }\n", []],
  ["p.toml", 'trackedInputs = ["sops-nix"]\n[runtime]\nhistoryLength = 7\n', []],
  ["p.yaml", "trackedinputs: []\n", [/^p\.yaml: trackedinputs: expected one of the known keys \(trackedInputs, .*\), got "trackedinputs"$/]],
  ["p.yaml", "trackedInputs: sops-nix\n", [/^p\.yaml: trackedInputs: expected a list of flake input names, got "sops-nix"$/]],
  ["p.yaml", "trackedInputs: [a, a]\n", [/^p\.yaml: trackedInputs\[1\]: expected each item listed once, got "a"$/]],
  ["p.yaml", "trackedInputs: ['$(x)']\n", [/trackedInputs\[0\]: expected a flake input name .*, got "\$\(x\)"$/]],
  ["p.yaml", "runtime: { historyLength: 0 }\n", [/runtime\.historyLength: expected a whole number from 1 to 100000, got number 0$/]],
  ["p.yaml", "runtime: { historyLength: 2.5 }\n", [/runtime\.historyLength: expected a whole number from 1 to 100000, got number 2.5$/]],
  ["p.yaml", "runtime: { logDir: relative/dir }\n", [/runtime\.logDir: expected an absolute directory path on one line, got "relative\/dir"$/]],
  ["p.yaml", "runtime: { logDir: \"/a\\nb\" }\n", [/runtime\.logDir: expected an absolute directory path on one line, got "\/a\\nb"$/]],
  ["p.yaml", "runtime: [1]\n", [/^p\.yaml: runtime: expected a table with logDir and\/or historyLength, got a list$/]],
  ["p.yaml", "sourceUrlTemplate: 'https://x/{sha}'\n", [/sourceUrlTemplate: expected placeholders among .*got "\{sha\}"$/]],
  ["p.yaml", "sourceUrlTemplate: 3\n", [/sourceUrlTemplate: expected a one-line URL template, or null, got number 3$/]],
  ["p.yaml", "sourceUrlTemplate: ~\nflakeUrlTemplate: 'git+https://x?rev={commit}'\n", []],
  ["p.yaml", "fields: [{ shellVar: deploy_env, jsonKey: deployEnv, description: d, value: x }]\n", [/fields\[0\]\.shellVar: expected an UPPER_SNAKE_CASE shell variable name .*, got "deploy_env"$/]],
  ["p.yaml", "fields: [{ shellVar: DEPLOY, jsonKey: Deploy, description: d, value: x }]\n", [/fields\[0\]\.jsonKey: expected a camelCase JSON key/]],
  ["p.yaml", "fields: [{ shellVar: DEPLOY, jsonKey: deploy, description: d }]\n", [/^p\.yaml: fields\[0\]: expected exactly one of value, option or input$/]],
  ["p.yaml", "fields: [{ shellVar: DEPLOY, jsonKey: deploy, description: d, value: x, option: true }]\n", [/fields\[0\]: expected exactly one of value, option or input, got "value and option"$/]],
  ["p.yaml", "fields: [{ shellVar: DEPLOY, jsonKey: deploy, description: d, value: x, colour: red }]\n", [/fields\[0\]\.colour: expected one of the known keys/]],
  ["p.yaml", "fields: [{ shellVar: DEPLOY, jsonKey: deploy, description: d, input: disko, attr: owner }]\n", [/fields\[0\]\.attr: expected one of rev, shortRev, narHash, lastModifiedDate, got "owner"$/]],
  ["p.yaml", "fields: [{ shellVar: DEPLOY, jsonKey: deploy, description: d, value: x, attr: rev }]\n", [/fields\[0\]\.attr: expected attr only together with input, got "rev"$/]],
  ["p.yaml", "fields: [{ shellVar: DEPLOY, jsonKey: deploy, description: d, option: yes }]\n", [/fields\[0\]\.option: expected true, got "yes"$/]],
  ["p.yaml", "fields: [{ shellVar: DEPLOY, jsonKey: deploy, description: \"a\\0b\", value: x }]\n", [/fields\[0\]\.description: expected a one-sentence description, got "a\\u0000b"$/]],
  // every problem of one file, not only the first
  ["p.yaml", "trackedInputs: sops-nix\nruntime: { historyLength: 0, logDir: rel, colour: 1 }\nfields: [{ shellVar: x }, 3]\n", [
    /^p\.yaml: trackedInputs: expected a list/,
    /^p\.yaml: runtime\.historyLength: expected a whole number/,
    /^p\.yaml: runtime\.logDir: expected an absolute/,
    /^p\.yaml: runtime\.colour: expected one of the known keys/,
    /^p\.yaml: fields\[0\]\.jsonKey: expected a camelCase JSON key/,
    /^p\.yaml: fields\[0\]\.description: expected a one-sentence description$/,
    /^p\.yaml: fields\[0\]\.shellVar: expected an UPPER_SNAKE_CASE/,
    /^p\.yaml: fields\[0\]: expected exactly one of value, option or input$/,
    /^p\.yaml: fields\[1\]: expected a table with shellVar, .*, got number 3$/,
  ]],
  // YAML: syntax errors say where, in full, with no dangling colon; every one is listed
  ["p.yaml", "a: [\n", [/^p\.yaml: \(top level\): expected valid YAML \(line 2, column 1: Flow sequence .* end with a \]\)$/]],
  ["p.yaml", "a: 1\na: 2\n", [/^p\.yaml: \(top level\): expected valid YAML \(line 2, column 1: Map keys must be unique\)$/]],
  ["p.yaml", "a: 1\na: 2\nb: [\n", [/Map keys must be unique\)$/, /end with a \]\)$/]],
  // YAML: only the core schema; a tag naming code or a type is refused, not read as a string
  ["p.yaml", "fields: [{ shellVar: F, jsonKey: f, description: !!js/function 'function(){}', value: x }]\n", [/^p\.yaml: \(top level\): expected YAML with core tags only \(line 1, column 64: the value tagged !!js\/function\)$/]],
  ["p.yaml", "trackedInputs: !!set { a }\n", [/expected YAML with core tags only \(line 1, column 22: the value tagged !!set\)$/]],
  ["p.yaml", "trackedInputs: !custom [a]\n", [/expected YAML with core tags only \(line 1, column 24: the value tagged !custom\)$/]],
  ["p.yaml", "trackedInputs: [!!str a]\nruntime: !!map { historyLength: !!int 3 }\n", []],
  ["p.yaml", "trackedInputs: [!!binary aGk=, !!timestamp 2001-12-14]\n", [/the value tagged !!binary\)$/, /the value tagged !!timestamp\)$/]],
  ["p.yaml", "a: &x [1]\nb: *x\n", [/^p\.yaml: a: expected one of the known keys/, /^p\.yaml: b: expected one of the known keys/]],
  ["p.yaml", "runtime: { historyLength: .nan }\n", [/runtime\.historyLength: expected a whole number from 1 to 100000, got number NaN$/]],
  ["p.yaml", "- 1\n", [/\(top level\): expected a table of settings, got a list$/]],
  ["p.yaml", "\"a\\eb\": 1\n", [/^p\.yaml: \["a\\u001bb"\]: expected one of the known keys .*, got "a\\u001bb"$/]],
  // TOML
  ["p.toml", "x = \n", [/^p\.toml: \(top level\): expected valid TOML \(line 1, column 6: Unexpected character, expecting string, number, datetime, boolean, inline array or inline table\)$/]],
  ["p.toml", "[[fields]]\nshellVar = \"WHEN\"\njsonKey = \"when\"\ndescription = \"d\"\nvalue = 1979-05-27\n", [/fields\[0\]\.value: expected a string without NUL bytes, got a date$/]],
  ["p.toml", "[runtime]\nhistoryLength = 9223372036854775807\n", [/runtime\.historyLength: expected a whole number from 1 to 100000, got number 9223372036854775807$/]],
  ["p.toml", "[runtime]\nhistoryLength = nan\n", [/got number NaN$/]],
  ["p.json", "{}", [/^p\.json: \(top level\): expected a file ending in \.yaml, \.yml or \.toml, got "p\.json"$/]],
];
for (const [file, text, want] of configCases) {
  config(`${file} ${JSON.stringify(text)}`, () => {
    const got = problemsOf(file, text);
    assert.is(got.length, want.length, `problems:\n${got.join("\n")}`);
    want.forEach((re, i) => assert.match(got[i]!, re));
    for (const line of got) assert.not.match(line, /[:(]$/, `cut-off message: ${line}`);
  });
}

config("a boolean field holds true or false, nothing else", () => {
  const field = (extra: string) => `fields: [{ shellVar: CANARY, jsonKey: canary, description: d, type: boolean, ${extra} }]\n`;
  assert.equal(problemsOf("p.yaml", field('value: "true"')), []);
  assert.equal(problemsOf("p.yaml", field('value: "false", example: "unknown"')), []);
  assert.equal(problemsOf("p.yaml", field("option: true")), []);
  assert.match(problemsOf("p.yaml", field("value: maybe")).join("\n"), /^p\.yaml: fields\[0\]\.value: expected "true" or "false" \(quoted; the field's type is boolean\), got "maybe"$/);
  assert.match(problemsOf("p.yaml", field("value: true")).join("\n"), /^p\.yaml: fields\[0\]\.value: expected "true" or "false" \(quoted; the field's type is boolean\), got boolean true$/);
  assert.match(problemsOf("p.yaml", field('option: true, example: "yes"')).join("\n"), /fields\[0\]\.example: expected "true", "false" or "unknown" .*, got "yes"$/);
  // a string field may hold anything
  assert.equal(problemsOf("p.yaml", "fields: [{ shellVar: CANARY, jsonKey: canary, description: d, value: maybe }]\n"), []);
});

const shellNames = [
  "PROMPT_COMMAND", "PS0", "PS1", "PS2", "PS3", "PS4", "PROMPT", "RPROMPT", "BASH_XTRACEFD", "BASH_ENV", "UID", "EUID", "PPID",
  "SHELLOPTS", "BASHOPTS", "HISTFILE", "TMOUT", "MAILPATH", "GLOBIGNORE", "POSIXLY_CORRECT", "TZ", "LC_ALL", "LC_TIME", "LANGUAGE",
  "ZDOTDIR", "FPATH", "IFS", "PATH", "ENV", "NIXOS_PROVENANCE_LOG_DIR", "NIXOS_PROVENANCE_X", "XDG_CONFIG_HOME", "XDG_X",
  "NIXOS_VERSION", "KERNEL_VERSION", "METADATA_SCHEMA_VERSION", "LD_PRELOAD", "HOME", "YASH_PS1",
];
config("names the shells give meaning to are refused as field names", () => {
  for (const name of shellNames) {
    const lines = problemsOf("p.yaml", `fields: [{ shellVar: ${name}, jsonKey: canary, description: d, value: x }]\n`);
    assert.is(lines.length, 1, `${name}: ${lines.join("; ")}`);
    assert.match(lines[0]!, new RegExp(`^p\\.yaml: fields\\[0\\]\\.shellVar: expected a shell variable name the metadata file may set \\(.*\\), got "${name}"$`), name);
  }
  for (const name of ["DEPLOY_ENV", "PSU_RACK", "PS", "PATHS_X", "HOMEPAGE", "UIDS", "TZ_NAME", "XDG", "LCD"]) {
    assert.equal(problemsOf("p.yaml", `fields: [{ shellVar: ${name}, jsonKey: canary, description: d, value: x }]\n`), [], name);
  }
  // The list the schema publishes is the list the model enforces.
  for (const name of reservedShellVars) assert.ok(shellNames.includes(name) || ["SHELL", "USER", "LOGNAME", "PWD", "OLDPWD", "LANG", "TERM", "TMPDIR", "OPTIND", "OPTARG", "CDPATH", "MAIL", "MAILCHECK", "COMMAND_NOT_FOUND_HANDLER", "POST_PROMPT_COMMAND", "LD_LIBRARY_PATH"].includes(name), name);
});

config("a tracked input whose derived name is reserved is refused by the model, naming the input", () => {
  assert.equal(problemsOf("p.yaml", "trackedInputs: [xdg-utils, lc]\n"), [
    'p.yaml: trackedInputs[0]: expected a shell variable name the metadata file may set (not one the shells give meaning to), got "XDG_UTILS_REV"',
    'p.yaml: trackedInputs[1]: expected a shell variable name the metadata file may set (not one the shells give meaning to), got "LC_REV"',
  ]);
  assert.equal(problemsOf("p.yaml", "trackedInputs: [lcd, ps, xdgx]\n"), []);
});

config("name collisions: every one is reported, with the key that caused it", () => {
  assert.equal(problemsOf("p.yaml", [
    "trackedInputs: [sops-nix, sops_nix]",
    "fields:",
    "  - { shellVar: GIT_COMMIT, jsonKey: other, description: d, value: x }",
    "  - { shellVar: OTHER, jsonKey: commit, description: d, value: x }",
  ].join("\n")), [
    'p.yaml: trackedInputs[1]: expected a shell variable name not already used by trackedInputs[0], got "SOPS_NIX_REV"',
    'p.yaml: trackedInputs[1]: expected a JSON key not already used by trackedInputs[0], got "sopsNixRev"',
    'p.yaml: fields[0]: expected a shell variable name not already used by built-in field GIT_COMMIT, got "GIT_COMMIT"',
    'p.yaml: fields[1]: expected a JSON key not already used by built-in field GIT_COMMIT, got "commit"',
  ]);
});

config("YAML and TOML with the same settings resolve to the same model", () => {
  const yaml = resolveModel(defaultSchema, parseConfigText("p.yaml", "trackedInputs: [sops-nix]\nfields:\n  - { shellVar: DEPLOY_ENV, jsonKey: deployEnv, description: Env., value: prod }\n"));
  const toml = resolveModel(defaultSchema, parseConfigText("p.toml", 'trackedInputs = ["sops-nix"]\n[[fields]]\nshellVar = "DEPLOY_ENV"\njsonKey = "deployEnv"\ndescription = "Env."\nvalue = "prod"\n'));
  assert.equal(yaml.fields, toml.fields);
});

config("values in messages stay short and on one line", () => {
  assert.is(describe("x".repeat(1000)), `"${"x".repeat(60)}"… (1000 characters)`);
  assert.is(describe("a\nb\u001b"), '"a\\nb\\u001b"');
  const [line] = problemsOf("p.yaml", `runtime: { logDir: "${"r".repeat(5000)}" }\n`);
  assert.ok(line!.length < 200, line);
});

config.run();

// ---------------------------------------------------------------------------
const published = suite("published schema");

published("out/schema/ProvenanceConfig.schema.json is the schema the generator checks with", () => {
  assert.equal(loadSchema("ProvenanceConfig"), JSON.parse(JSON.stringify(provenanceConfigSchema)));
});

published("examples/provenance.yaml validates against the published schema, and names it for editors", async () => {
  const { parse } = await import("yaml");
  const text = readFileSync(`${projectRoot}examples/provenance.yaml`, "utf8");
  assert.equal(validate(parse(text), loadSchema("ProvenanceConfig")), []);
  assert.match(text, /^# yaml-language-server: \$schema=\.\.\/out\/schema\/ProvenanceConfig\.schema\.json$/m);
});

published.run();

// ---------------------------------------------------------------------------
const reading = suite("reading the config file");

const dir = mkdtempSync(join(tmpdir(), "nixprov-config-"));

reading("a directory, an oversized file and invalid UTF-8 are refused with their reason", () => {
  const cases: [string, (path: string) => void, RegExp][] = [
    ["d.yaml", (p) => mkdirSync(p), /: \(top level\): expected a regular file \(this is a directory\)$/],
    ["big.yaml", (p) => writeFileSync(p, `# ${"x".repeat(maxConfigBytes)}\n`), /expected a file of at most 1048576 bytes \(1 MiB\)$/],
    ["latin1.yaml", (p) => writeFileSync(p, Buffer.from("fields: [{ shellVar: A, jsonKey: a, description: caf\xe9, value: x }]\n", "latin1")), /expected UTF-8 text \(the file has invalid UTF-8 bytes\)$/],
    ["missing.yaml", () => undefined, /expected a readable file \(ENOENT\)$/],
  ];
  for (const [name, make, want] of cases) {
    const path = join(dir, name);
    make(path);
    assert.throws(() => loadConfig(path), (e: Error) => e instanceof ConfigError && want.test(e.message), name);
  }
  writeFileSync(join(dir, "ok.yaml"), "\ufefftrackedInputs: [a]\n");
  assert.equal(loadConfig(join(dir, "ok.yaml")).trackedInputs, ["a"]);
});

reading("a FIFO or /dev/zero as the config does not block: refused at once", () => {
  const fifo = join(dir, "fifo.yaml");
  assert.is(spawnSync("mkfifo", [fifo]).status, 0);
  // In a child with a time limit: a regression would block the test runner forever.
  const configModule = fileURLToPath(new URL("../generator/config.js", import.meta.url));
  const script = `import(${JSON.stringify(configModule)}).then((m) => { for (const f of process.argv.slice(1)) { try { m.loadConfig(f); } catch (e) { console.log(e.message); } } })`;
  const r = spawnSync(process.execPath, ["-e", script, fifo, "/dev/zero"], { encoding: "utf8", timeout: 20_000 });
  assert.is(r.signal, null, "loadConfig blocked");
  assert.equal(r.stdout.trim().split("\n"), [
    `${fifo}: (top level): expected a regular file (this is a FIFO)`,
    "/dev/zero: (top level): expected a regular file (this is a character device)",
  ]);
});

reading.after(() => rmSync(dir, { recursive: true, force: true }));
reading.run();

/**
 * The generator: config validation (given/want table), the model, the CLI's
 * exit codes and all-or-nothing writes, reproducibility and the staleness
 * check, and the lint that keeps templates printing only through escapers.
 */
import { test, suite } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, writeFileSync, readFileSync, readdirSync, statSync, existsSync, rmSync, appendFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import Handlebars from "handlebars";
import { parseConfigText, ConfigError } from "../generator/config.js";
import { resolveModel, inputFieldNames, upperSnake } from "../generator/model.js";
import { defaultSchema } from "../generator/schema/index.js";
import { generateFiles } from "../generator/generate.js";
import { diffOutput } from "../generator/output.js";
import { printingHelpers, templatesDir } from "../generator/render.js";
import { projectRoot, runArgv } from "./helpers/shells.js";
import { nixEvalJson } from "./helpers/nix.js";

/** The CLI compiled alongside this test (whatever tsc outDir was used). */
const generatorCli = fileURLToPath(new URL("../generator/cli.js", import.meta.url));

function tmp(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    if (!existsSync(d)) return;
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else out[relative(dir, full)] = readFileSync(full, "utf8");
    }
  };
  walk(dir);
  return out;
}

const config = suite("config validation");

// given file name + text → want the error naming file, key and expectation (or null = valid)
const configCases: [string, string, RegExp | null][] = [
  ["p.yaml", "", null],
  ["p.yaml", "trackedInputs: [sops-nix, disko]\nruntime: { logDir: /var/log/builds/, historyLength: 5 }\n", null],
  ["p.toml", 'trackedInputs = ["sops-nix"]\n[runtime]\nhistoryLength = 7\n', null],
  ["p.yaml", "trackedinputs: []\n", /^p\.yaml: trackedinputs: expected one of the known keys/],
  ["p.yaml", "trackedInputs: sops-nix\n", /^p\.yaml: trackedInputs: expected a list of flake input names, got "sops-nix"/],
  ["p.yaml", "trackedInputs: [a, a]\n", /trackedInputs\[1\]: expected each input listed once/],
  ["p.yaml", "trackedInputs: ['$(x)']\n", /trackedInputs\[0\]: expected a flake input name/],
  ["p.yaml", "runtime: { historyLength: 0 }\n", /runtime\.historyLength: expected a whole number from 1 to 100000, got number 0/],
  ["p.yaml", "runtime: { historyLength: 2.5 }\n", /runtime\.historyLength: expected a whole number/],
  ["p.yaml", "runtime: { logDir: relative/dir }\n", /runtime\.logDir: expected an absolute directory path/],
  ["p.yaml", "runtime: { logDir: \"/a\\nb\" }\n", /runtime\.logDir: expected an absolute directory path on one line/],
  ["p.yaml", "sourceUrlTemplate: 'https://x/{sha}'\n", /sourceUrlTemplate: expected placeholders among .*got "\{sha\}"/],
  ["p.yaml", "fields: [{ shellVar: deploy_env, jsonKey: deployEnv, description: d, value: x }]\n", /fields\[0\]\.shellVar: expected an UPPER_SNAKE_CASE/],
  ["p.yaml", "fields: [{ shellVar: DEPLOY, jsonKey: Deploy, description: d, value: x }]\n", /fields\[0\]\.jsonKey: expected a camelCase JSON key/],
  ["p.yaml", "fields: [{ shellVar: DEPLOY, jsonKey: deploy, description: d }]\n", /fields\[0\]: expected exactly one of value/],
  ["p.yaml", "fields: [{ shellVar: DEPLOY, jsonKey: deploy, description: d, value: x, option: true }]\n", /fields\[0\]: expected exactly one of .* got "value and option"/],
  ["p.yaml", "fields: [{ shellVar: DEPLOY, jsonKey: deploy, description: d, value: x, colour: red }]\n", /fields\[0\]\.colour: expected one of the known keys/],
  ["p.yaml", "fields: [{ shellVar: DEPLOY, jsonKey: deploy, description: d, input: disko, attr: owner }]\n", /fields\[0\]\.attr: expected one of rev, shortRev, narHash, lastModifiedDate/],
  ["p.yaml", "a: [\n", /^p\.yaml: \(top level\): expected valid YAML/],
  ["p.yaml", "a: 1\na: 2\n", /expected valid YAML/],
  ["p.toml", "x = \n", /^p\.toml: \(top level\): expected valid TOML/],
  ["p.json", "{}", /^p\.json: \(top level\): expected a file ending in \.yaml, \.yml or \.toml/],
  ["p.yaml", "- 1\n", /\(top level\): expected a table of settings, got a list/],
];
for (const [file, text, want] of configCases) {
  config(`${file} ${JSON.stringify(text)}`, () => {
    if (want === null) {
      parseConfigText(file, text);
      return;
    }
    try {
      parseConfigText(file, text);
      assert.unreachable("should have failed");
    } catch (error) {
      assert.instance(error, ConfigError);
      assert.match((error as Error).message, want);
    }
  });
}

config("YAML and TOML with the same settings resolve to the same model", () => {
  const yaml = resolveModel(defaultSchema, parseConfigText("p.yaml", "trackedInputs: [sops-nix]\nfields:\n  - { shellVar: DEPLOY_ENV, jsonKey: deployEnv, description: Env., value: prod }\n"));
  const toml = resolveModel(defaultSchema, parseConfigText("p.toml", 'trackedInputs = ["sops-nix"]\n[[fields]]\nshellVar = "DEPLOY_ENV"\njsonKey = "deployEnv"\ndescription = "Env."\nvalue = "prod"\n'));
  assert.equal(yaml.fields, toml.fields);
});

config("name collisions and reserved names are refused with the key that caused them", () => {
  const cases: [string, RegExp][] = [
    ["fields: [{ shellVar: GIT_COMMIT, jsonKey: other, description: d, value: x }]", /fields\[0\]: expected a shell variable name not already used by built-in field GIT_COMMIT/],
    ["fields: [{ shellVar: OTHER, jsonKey: commit, description: d, value: x }]", /fields\[0\]: expected a JSON key not already used/],
    ["fields: [{ shellVar: PATH, jsonKey: path, description: d, value: x }]", /fields\[0\]: expected a shell variable name the metadata file may set/],
    ["trackedInputs: [sops-nix, sops_nix]", /trackedInputs\[1\]: expected a shell variable name not already used by trackedInputs\[0\], got "SOPS_NIX_REV"/],
  ];
  for (const [text, want] of cases) {
    assert.throws(() => resolveModel(defaultSchema, parseConfigText("p.yaml", text)), (e: Error) => want.test(e.message));
  }
});

config.run();

const model = suite("model");

model("derived names", () => {
  assert.equal(inputFieldNames("sops-nix"), { shellVar: "SOPS_NIX_REV", jsonKey: "sopsNixRev" });
  assert.equal(inputFieldNames("nixos_hardware"), { shellVar: "NIXOS_HARDWARE_REV", jsonKey: "nixosHardwareRev" });
  assert.is(upperSnake("homeManagerGenerationRaw"), "HOME_MANAGER_GENERATION_RAW");
});

model("defaults: the seed's twelve fields in the seed's order", () => {
  const m = resolveModel(defaultSchema);
  assert.equal(m.fields.map((f) => f.shellVar), [
    "GIT_COMMIT", "GIT_SHORT_COMMIT", "GIT_DIRTY", "GIT_LAST_MODIFIED", "GIT_SOURCE_URL",
    "NIXPKGS_REV", "NIXPKGS_NARHASH", "HOME_MANAGER_REV", "HOSTNAME", "SYSTEM", "BUILD_DATE", "FLAKE_URL",
  ]);
  assert.is(m.runtime.logDir, "/var/log/nixos-builds");
  assert.is(m.runtime.historyLength, 100);
});

model("tracked inputs and custom fields are appended; nixpkgs is not tracked twice", () => {
  const m = resolveModel(defaultSchema, parseConfigText("p.yaml", "trackedInputs: [nixpkgs, sops-nix]\nfields: [{ shellVar: RACK, jsonKey: rack, description: Rack., option: true }]\n"));
  assert.equal(m.fields.slice(12).map((f) => f.shellVar), ["SOPS_NIX_REV", "RACK"]);
  assert.equal(m.optionFields.map((f) => f.shellVar), ["RACK"]);
});

model.run();

const generation = suite("generation");

generation("the committed modules/ and out/ are what the generator produces", () => {
  const problems = diffOutput(projectRoot, generateFiles());
  assert.equal(problems, [], "run npm run generate and commit");
});

generation("generating twice gives byte-identical trees", () => {
  const a = tmp("nixprov-gen-a-");
  const b = tmp("nixprov-gen-b-");
  for (const dir of [a, b]) assert.is(runArgv(["node", generatorCli, "--out", dir]).status, 0);
  assert.equal(snapshot(a), snapshot(b));
  rmSync(a, { recursive: true });
  rmSync(b, { recursive: true });
});

generation("--check fails on stale, missing and extra files, and names them", () => {
  const dir = tmp("nixprov-check-");
  assert.is(runArgv(["node", generatorCli, "--out", dir]).status, 0);
  assert.is(runArgv(["node", generatorCli, "--out", dir, "--check"]).status, 0);
  appendFileSync(join(dir, "modules/nixos.nix"), "# edited\n");
  writeFileSync(join(dir, "out/bin/stray"), "");
  rmSync(join(dir, "out/lib/build-status.sh"));
  const r = runArgv(["node", generatorCli, "--out", dir, "--check"]);
  assert.is(r.status, 1);
  assert.match(r.stderr, "stale: modules/nixos.nix");
  assert.match(r.stderr, "extra: out/bin/stray");
  assert.match(r.stderr, "missing: out/lib/build-status.sh");
  rmSync(dir, { recursive: true });
});

generation("an invalid config exits 3, names file and key, and leaves the output untouched", () => {
  const dir = tmp("nixprov-bad-");
  assert.is(runArgv(["node", generatorCli, "--out", dir]).status, 0);
  const before = snapshot(dir);
  const bad = join(dir, "provenance.yaml");
  writeFileSync(bad, "runtime:\n  historyLength: many\n");
  const r = runArgv(["node", generatorCli, "--out", dir, "--config", bad]);
  assert.is(r.status, 3);
  assert.match(r.stderr, `${bad}: runtime.historyLength: expected a whole number from 1 to 100000, got "many"`);
  assert.match(r.stderr, "Nothing was written.");
  rmSync(bad);
  assert.equal(snapshot(dir), before);
  rmSync(dir, { recursive: true });
});

generation("a missing config file and bad arguments are reported with their own exit codes", () => {
  const missing = runArgv(["node", generatorCli, "--out", tmp("nixprov-x-"), "--config", "/nonexistent/p.yaml"]);
  assert.is(missing.status, 3);
  assert.match(missing.stderr, "/nonexistent/p.yaml: (top level): expected a readable file (ENOENT)");
  const bad = runArgv(["node", generatorCli, "--frobnicate"]);
  assert.is(bad.status, 2);
  assert.match(bad.stderr, 'unknown argument "--frobnicate"');
  assert.match(bad.stderr, "Usage:");
});

generation("hostile values in a user's config reach the metadata unchanged and unexecuted", async () => {
  const { hostileValues } = await import("./helpers/hostile.js");
  const dir = tmp("nixprov-hostile-");
  const fields = hostileValues
    .filter((v) => !/[\u0000-\u0008\u000b-\u001f]/.test(v)) // YAML cannot carry raw control characters; the escaper tests cover them
    .map((v, i) => ({ shellVar: `HOSTILE_${i}`, jsonKey: `hostile${i}`, description: `Hostile ${JSON.stringify(v)}.`, value: v, example: v }));
  const file = join(dir, "provenance.yaml");
  // `${commit}`: the emitted Nix string must escape `${`, or Nix would interpolate.
  writeFileSync(file, `fields: ${JSON.stringify(fields)}\nsourceUrlTemplate: "https://x/'\\"\${commit}"\n`);
  const r = runArgv(["node", generatorCli, "--out", dir, "--config", file]);
  assert.is(r.status, 0, r.stderr);
  const m = nixEvalJson(`(import ${dir}/modules/metadata.nix { self = { rev = "r"; }; }).values`) as Record<string, string>;
  fields.forEach((f) => assert.is(m[f.shellVar], f.value === "" ? "unknown" : f.value, f.shellVar));
  assert.is(m.GIT_SOURCE_URL, `https://x/'"$r`);
  rmSync(dir, { recursive: true });
});

generation.run();

const lint = suite("template lint");

function templateFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? templateFiles(full) : full.endsWith(".hbs") ? [full] : [];
  });
}

lint("templates print only through escaping helpers", () => {
  const allowedBlocks = new Set(["each", "if", "unless", "with"]);
  const problems: string[] = [];
  for (const file of templateFiles(templatesDir)) {
    const ast = Handlebars.parse(readFileSync(file, "utf8"));
    const visit = (node: hbs.AST.Node) => {
      if (node.type === "MustacheStatement") {
        const m = node as hbs.AST.MustacheStatement;
        const name = m.path.type === "PathExpression" ? (m.path as hbs.AST.PathExpression).original : "?";
        if (!(printingHelpers as readonly string[]).includes(name) || m.params.length === 0) {
          problems.push(`${relative(templatesDir, file)}:${m.loc.start.line}: {{${name}${m.params.length ? " …" : ""}}} prints without an escaping helper`);
        }
        if (!m.escaped) problems.push(`${relative(templatesDir, file)}:${m.loc.start.line}: triple-stash {{{…}}} is not allowed`);
      } else if (node.type === "BlockStatement") {
        const b = node as hbs.AST.BlockStatement;
        const name = (b.path as hbs.AST.PathExpression).original;
        if (!allowedBlocks.has(name)) problems.push(`${relative(templatesDir, file)}:${b.loc.start.line}: unknown block {{#${name}}}`);
        if (b.program) b.program.body.forEach(visit);
        if (b.inverse) b.inverse.body.forEach(visit);
      }
    };
    ast.body.forEach(visit);
  }
  assert.equal(problems, []);
});

lint("the lint itself catches a bare value", () => {
  const ast = Handlebars.parse("x={{value}}");
  const node = ast.body[1] as hbs.AST.MustacheStatement;
  assert.is((node.path as hbs.AST.PathExpression).original, "value");
  assert.not.ok((printingHelpers as readonly string[]).includes("value"));
});

lint.run();

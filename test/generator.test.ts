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
import { spawnSync } from "node:child_process";
import Handlebars from "handlebars";
import { parseConfigText, reservedShellVarPrefixes, reservedShellVars } from "../generator/config.js";
import { runGenerator } from "../generator/cli.js";
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

// Config validation (every key, every error, hostile YAML/TOML, reading the file): test/config.test.ts.

const model = suite("model");

model("derived names", () => {
  assert.equal(inputFieldNames("sops-nix"), { shellVar: "SOPS_NIX_REV", jsonKey: "sopsNixRev" });
  assert.equal(inputFieldNames("nixos_hardware"), { shellVar: "NIXOS_HARDWARE_REV", jsonKey: "nixosHardwareRev" });
  assert.is(upperSnake("homeManagerGenerationRaw"), "HOME_MANAGER_GENERATION_RAW");
});

model("defaults: the seed's twelve fields, in the seed's order (a field the schema adds comes on top)", () => {
  const m = resolveModel(defaultSchema);
  const seed = [
    "GIT_COMMIT", "GIT_SHORT_COMMIT", "GIT_DIRTY", "GIT_LAST_MODIFIED", "GIT_SOURCE_URL",
    "NIXPKGS_REV", "NIXPKGS_NARHASH", "HOME_MANAGER_REV", "HOSTNAME", "SYSTEM", "BUILD_DATE", "FLAKE_URL",
  ];
  assert.equal(m.fields.map((f) => f.shellVar).filter((n) => seed.includes(n)), seed);
  assert.equal(m.fields.map((f) => f.shellVar), defaultSchema.fields.map((f) => f.shellVar));
  assert.is(m.runtime.logDir, "/var/log/nixos-builds");
  assert.is(m.runtime.historyLength, 100);
});

model("tracked inputs and custom fields are appended; nixpkgs is not tracked twice", () => {
  const m = resolveModel(defaultSchema, parseConfigText("p.yaml", "trackedInputs: [nixpkgs, sops-nix]\nfields: [{ shellVar: RACK, jsonKey: rack, description: Rack., option: true }]\n"));
  assert.equal(m.fields.slice(defaultSchema.fields.length).map((f) => f.shellVar), ["SOPS_NIX_REV", "RACK"]);
  assert.equal(m.optionFields.map((f) => f.shellVar), ["RACK"]);
});

model.run();

const generation = suite("generation");

/** The CLI in-process (no node start, no second ts-morph load): status and what it printed. */
async function generate(...argv: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const status = await runGenerator(argv, { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } });
  return { status, stdout, stderr };
}

generation("the committed modules/ and out/ are what the generator produces", () => {
  const problems = diffOutput(projectRoot, generateFiles());
  assert.equal(problems, [], "run npm run generate and commit");
});

generation("generating twice gives byte-identical trees (once through the real CLI, once in-process)", async () => {
  const a = tmp("nixprov-gen-a-");
  const b = tmp("nixprov-gen-b-");
  const real = runArgv(["node", generatorCli, "--out", a]);
  assert.is(real.status, 0, real.stderr);
  assert.match(real.stdout, `files into ${a}`);
  assert.is((await generate("--out", b)).status, 0);
  assert.equal(snapshot(a), snapshot(b));
  rmSync(a, { recursive: true });
  rmSync(b, { recursive: true });
});

generation("--check fails on stale, missing and extra files, and names them", async () => {
  const dir = tmp("nixprov-check-");
  assert.is((await generate("--out", dir)).status, 0);
  assert.is((await generate("--out", dir, "--check")).status, 0);
  appendFileSync(join(dir, "modules/nixos.nix"), "# edited\n");
  writeFileSync(join(dir, "out/bin/stray"), "");
  rmSync(join(dir, "out/lib/build-status.sh"));
  const r = await generate("--out", dir, "--check");
  assert.is(r.status, 1);
  assert.match(r.stderr, "stale: modules/nixos.nix");
  assert.match(r.stderr, "extra: out/bin/stray");
  assert.match(r.stderr, "missing: out/lib/build-status.sh");
  rmSync(dir, { recursive: true });
});

generation("an invalid config exits 3, lists every problem with file and key, and leaves the output untouched", async () => {
  const dir = tmp("nixprov-bad-");
  assert.is((await generate("--out", dir)).status, 0);
  const before = snapshot(dir);
  const bad = join(dir, "provenance.yaml");
  writeFileSync(bad, "runtime:\n  historyLength: many\nfields: [{ shellVar: PROMPT_COMMAND, jsonKey: p, description: d, value: x }]\n");
  const r = await generate("--out", dir, "--config", bad);
  assert.is(r.status, 3);
  assert.equal(r.stderr.split("\n"), [
    `generate: invalid config: ${bad}: runtime.historyLength: expected a whole number from 1 to 100000, got "many"`,
    `generate: invalid config: ${bad}: fields[0].shellVar: expected a shell variable name the metadata file may set (not one the shells give meaning to: ${reservedShellVars.join(", ")}, or starting with ${reservedShellVarPrefixes.map((p) => (p === "PS" ? "PS<digit>" : `${p}*`)).join(", ")}), got "PROMPT_COMMAND"`,
    "Nothing was written.",
    "",
  ]);
  rmSync(bad);
  assert.equal(snapshot(dir), before);
  rmSync(dir, { recursive: true });
});

generation("a YAML syntax error is one complete line, not cut off at a colon", async () => {
  const dir = tmp("nixprov-yaml-");
  const bad = join(dir, "p.yaml");
  writeFileSync(bad, "a: [\n");
  const r = await generate("--out", dir, "--config", bad);
  assert.is(r.status, 3);
  assert.equal(r.stderr, `generate: invalid config: ${bad}: (top level): expected valid YAML (line 2, column 1: Flow sequence in block collection must be sufficiently indented and end with a ])\nNothing was written.\n`);
  rmSync(dir, { recursive: true });
});

generation("a missing config file and bad arguments are reported with their own exit codes", async () => {
  const out = tmp("nixprov-x-");
  const missing = await generate("--out", out, "--config", "/nonexistent/p.yaml");
  assert.is(missing.status, 3);
  assert.match(missing.stderr, "/nonexistent/p.yaml: (top level): expected a readable file (ENOENT)");
  // given arguments → want the message (exit 2, usage follows)
  const cases: [string[], string][] = [
    [["--frobnicate"], 'unknown argument "--frobnicate"'],
    [["-x"], 'unknown argument "-x"'],
    [["stray"], 'unexpected argument "stray"'],
    [["--config"], "--config needs a value"],
    [["--config="], "--config needs a value"],
    [["--config", "--out", "x"], '--config needs a value (got the option "--out"; write --config=--out for a file of that name)'],
    [["--check=yes"], '--check takes no value (got "yes")'],
    [["--out", "a", "--out", "b"], "--out given twice"],
  ];
  for (const [argv, want] of cases) {
    const r = await generate(...argv);
    assert.is(r.status, 2, argv.join(" "));
    assert.is(r.stderr.split("\n")[0], `generate: ${want}`, argv.join(" "));
    assert.match(r.stderr, "Usage:");
  }
  const help = await generate("--help");
  assert.is(help.status, 0);
  assert.match(help.stdout, /^Usage: /);
  assert.match(help.stdout, "5 the output directory cannot be written");
  rmSync(out, { recursive: true });
});

generation("--out that cannot be a directory: one line, exit 5, nothing written (real CLI: must not hang)", async () => {
  const dir = tmp("nixprov-out-");
  const file = join(dir, "a-file");
  writeFileSync(file, "keep\n");
  const cases: [string, RegExp][] = [
    ["/proc/nixprov-test", /^generate: cannot write into \/proc\/nixprov-test: ENOENT: no such file or directory, mkdir '\/proc\/nixprov-test' \(nothing was written\)\n$/],
    [file, new RegExp(`^generate: cannot write into ${file}: ${file} is not a directory \\(nothing was written\\)\n$`)],
    [join(file, "sub"), new RegExp(`^generate: cannot write into ${file}/sub: ENOTDIR: not a directory, stat '${file}/sub' \\(nothing was written\\)\n$`)],
  ];
  // /proc/… made mkdir -p spin forever: through the real CLI, under a time limit.
  const real = runArgv(["node", generatorCli, "--out", cases[0]![0]], { timeout: 30_000 });
  assert.is(real.signal, null, "the generator hung");
  assert.is(real.status, 5);
  assert.match(real.stderr, cases[0]![1]);
  for (const [out, want] of cases.slice(1)) {
    const r = await generate("--out", out);
    assert.is(r.status, 5, out);
    assert.match(r.stderr, want);
  }
  assert.is(readFileSync(file, "utf8"), "keep\n");
  assert.equal(readdirSync(dir), ["a-file"]);
  rmSync(dir, { recursive: true });
});

generation("a new --out directory is created with its missing parents", async () => {
  const dir = tmp("nixprov-new-");
  const out = join(dir, "a", "b");
  assert.is((await generate("--out", out)).status, 0);
  assert.ok(existsSync(join(out, "modules/nixos.nix")));
  assert.equal(readdirSync(out).sort(), ["modules", "out"]);
  rmSync(dir, { recursive: true });
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
  const r = await generate("--out", dir, "--config", file);
  assert.is(r.status, 0, r.stderr);
  const m = nixEvalJson(`(import ${dir}/modules/metadata.nix { self = { rev = "r"; }; }).values`) as Record<string, string>;
  fields.forEach((f) => assert.is(m[f.shellVar], f.value === "" ? "unknown" : f.value, f.shellVar));
  assert.is(m.GIT_SOURCE_URL, `https://x/'"$r`);
  rmSync(dir, { recursive: true });
});

generation("a user's description and example stay text in the man page and in metadata.md", async () => {
  const dir = tmp("nixprov-docs-");
  const file = join(dir, "provenance.yaml");
  const description = "First line.\n.SH INJECTED\r.SH ALSO INJECTED\r\n'br";
  const example = "a\n```\n# outside the fence\rb";
  writeFileSync(file, `fields: [${JSON.stringify({ shellVar: "CANARY", jsonKey: "canary", description, value: "v", example })}]\n`);
  const r = await generate("--out", dir, "--config", file);
  assert.is(r.status, 0, r.stderr);
  // man: groff sees the same sections as without the field, and no warning
  const page = spawnSync("groff", ["-man", "-Tutf8", "-ww", join(dir, "out/share/man/man1/nixos-metadata.1")], { encoding: "utf8" });
  assert.is(page.stderr, "");
  const sections = page.stdout.replace(/.\u0008/g, "").split("\n").filter((line) => /^[A-Z][A-Z ]+$/.test(line));
  assert.not.ok(sections.some((s) => s.includes("INJECTED")), sections.join(", "));
  assert.match(page.stdout.replace(/.\u0008/g, ""), /\.SH INJECTED/);
  // metadata.md: the example file's fence ends after the last field, no raw CR anywhere
  const md = readFileSync(join(dir, "out/doc/metadata.md"), "utf8");
  assert.not.match(md, /\r/);
  const lines = md.split("\n");
  const open = lines.findIndex((line) => /^`{3,}sh$/.test(line));
  const fence = /^(`+)/.exec(lines[open]!)![1]!;
  const close = lines.findIndex((line, i) => i > open && new RegExp(`^\`{${fence.length},}$`).test(line));
  assert.ok(lines.slice(open, close).some((line) => line.startsWith("# outside the fence")), "the example is inside the block");
  assert.match(lines[close - 1]!, /^b'$/, "the block closes right after the last field");
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

/** Problems of one template: anything printed without an escaping helper, triple-stashes, unknown blocks. */
function lintTemplate(source: string, name: string): string[] {
  const allowedBlocks = new Set(["each", "if", "unless", "with"]);
  const problems: string[] = [];
  const visit = (node: hbs.AST.Node) => {
    if (node.type === "MustacheStatement") {
      const m = node as hbs.AST.MustacheStatement;
      const helper = m.path.type === "PathExpression" ? (m.path as hbs.AST.PathExpression).original : "?";
      if (!(printingHelpers as readonly string[]).includes(helper) || m.params.length === 0) {
        problems.push(`${name}:${m.loc.start.line}: {{${helper}${m.params.length ? " …" : ""}}} prints without an escaping helper`);
      }
      if (!m.escaped) problems.push(`${name}:${m.loc.start.line}: triple-stash {{{…}}} is not allowed`);
    } else if (node.type === "BlockStatement") {
      const b = node as hbs.AST.BlockStatement;
      const helper = (b.path as hbs.AST.PathExpression).original;
      if (!allowedBlocks.has(helper)) problems.push(`${name}:${b.loc.start.line}: unknown block {{#${helper}}}`);
      if (b.program) b.program.body.forEach(visit);
      if (b.inverse) b.inverse.body.forEach(visit);
    }
  };
  Handlebars.parse(source).body.forEach(visit);
  return problems;
}

lint("templates print only through escaping helpers", () => {
  const problems = templateFiles(templatesDir).flatMap((file) => lintTemplate(readFileSync(file, "utf8"), relative(templatesDir, file)));
  assert.equal(problems, []);
});

lint("the lint itself catches a bare value, a helper without argument, a triple-stash and an unknown block", () => {
  // given template → want the lint's problems
  const cases: [string, string[]][] = [
    ["x={{sh value}}", []],
    ["x={{value}}", ["t:1: {{value}} prints without an escaping helper"]],
    ["x={{sh}}", ["t:1: {{sh}} prints without an escaping helper"]],
    ["x={{{sh value}}}", ["t:1: triple-stash {{{…}}} is not allowed"]],
    ["{{#each xs}}\n{{this}}\n{{/each}}", ["t:2: {{this}} prints without an escaping helper"]],
    ["{{#raw}}x{{/raw}}", ["t:1: unknown block {{#raw}}"]],
    ["{{#if a}}{{else}}{{b}}{{/if}}", ["t:1: {{b}} prints without an escaping helper"]],
  ];
  for (const [source, want] of cases) assert.equal(lintTemplate(source, "t"), want, source);
});

lint.run();

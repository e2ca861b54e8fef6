/**
 * The options table (generator/schema/options.ts) and what is made of it:
 * the modules' declarations, the README and docs tables (spliced between
 * marker comments), and the validate rule on the metadata JSON the modules
 * write. Given/want on tiny tables; the real modules are evaluated with the
 * real lib and Home Manager in eco-nix.test.ts.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveModel, type Model } from "../generator/model.js";
import { defaultSchema } from "../generator/schema/index.js";
import type { OptionSpec } from "../generator/schema/options.js";
import { nixOptionDeclarations, templatesDir } from "../generator/render.js";
import { emitNixosModule } from "../generator/emitters/nixos-module.js";
import { emitHomeManagerModule } from "../generator/emitters/home-manager-module.js";
import { emitMetadataNix } from "../generator/emitters/metadata-nix.js";
import { emitOptionDocs, referenceTable, summaryTable } from "../generator/emitters/options-docs.js";
import { spliceBlocks, SpliceError } from "../generator/splice.js";
import { diffOutput, OutputError, writeOutput } from "../generator/output.js";
import { nixEvalReal, vendorMissing } from "./helpers/nix.js";
import { projectRoot } from "./helpers/shells.js";
import { hostileValues } from "./helpers/hostile.js";

const real = vendorMissing() === null ? test : test.skip;
const scratch = mkdtempSync(join(tmpdir(), "nixprov-options-"));
test.after(() => rmSync(scratch, { recursive: true, force: true }));

/** Lines of Nix that declare an option by hand. */
function handWrittenDeclarations(text: string): string[] {
  return text.split("\n").filter((line) => /\b(mkOption|mkEnableOption|mkPackageOption)\b/.test(line));
}

test("no Nix template declares an option by hand (mkOption, mkEnableOption, mkPackageOption)", () => {
  const dir = join(templatesDir, "nix");
  const hits = readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith(".hbs"))
    .flatMap((f) => handWrittenDeclarations(readFileSync(join(dir, f), "utf8")).map((line) => `templates/nix/${f}: ${line.trim()}`));
  assert.equal(hits, []);
  // The scan itself finds each of the three.
  assert.is(handWrittenDeclarations("  a = mkOption {\n  b = lib.mkEnableOption \"x\";\n  c = lib.mkPackageOption pkgs \"hello\" { };\n  d = 1;\n").length, 3);
});

const two: OptionSpec[] = [
  {
    name: "logDir", modules: ["nixos"],
    type: { type: "nullOr", of: { type: "strMatching", pattern: "/[a-z]+" } },
    default: { value: "/var/log/x" },
    example: { value: "/srv/x" },
    description: "Where.\nReally.\n",
    summary: "Where.",
  },
  { name: "bars.top.enable", modules: ["nixos"], enable: true, type: { type: "bool" }, description: "a `top` bar", summary: "The top bar." },
];

test("declarations: two options → the Nix text", () => {
  assert.fixture(
    nixOptionDeclarations(two, 1).text,
    [
      "  logDir = lib.mkOption {",
      '    type = lib.types.nullOr (lib.types.strMatching "/[a-z]+");',
      '    default = "/var/log/x";',
      '    example = "/srv/x";',
      "    description =",
      '      "Where.\\n"',
      '      + "Really.\\n";',
      "  };",
      "",
      "  bars = {",
      "    top = {",
      '      enable = lib.mkEnableOption "a `top` bar";',
      "    };",
      "  };",
    ].join("\n"),
  );
});

test("declarations: references, defaultText, literalExpression examples, read-only, submodules", () => {
  const options: OptionSpec[] = [
    { name: "host", modules: ["nixos"], type: { type: "str" }, default: { ref: "config.networking.hostName" }, defaultText: "config.networking.hostName", example: { expression: "self" }, description: "H.", summary: "H." },
    { name: "extra", modules: ["nixos"], readOnly: true, type: { type: "submodule", options: [{ name: "A-B", modules: ["nixos"], type: { type: "enum", values: ["x", "y"] }, default: { value: "x" }, description: "A.", summary: "A." }] }, default: { value: {} }, description: "E.", summary: "E." },
  ];
  assert.fixture(
    nixOptionDeclarations(options, 0).text,
    [
      "host = lib.mkOption {",
      "  type = lib.types.str;",
      "  default = config.networking.hostName;",
      '  defaultText = lib.literalExpression "config.networking.hostName";',
      '  example = lib.literalExpression "self";',
      '  description = "H.";',
      "};",
      "",
      "extra = lib.mkOption {",
      "  type = lib.types.submodule {",
      "    options = {",
      "      A-B = lib.mkOption {",
      '        type = lib.types.enum [ "x" "y" ];',
      '        default = "x";',
      '        description = "A.";',
      "      };",
      "    };",
      "  };",
      "  readOnly = true;",
      "  default = { };",
      '  description = "E.";',
      "};",
    ].join("\n"),
  );
  assert.throws(() => nixOptionDeclarations([{ ...options[0]!, default: { ref: "a b" } }], 0), /not an attribute path/);
  assert.throws(() => nixOptionDeclarations([two[0]!, { ...two[0]!, name: "logDir.inner" }], 0), /inside the option logDir/);
});

real("declarations: hostile descriptions, examples and defaults arrive in the real lib's option docs unchanged", () => {
  const options: OptionSpec[] = hostileValues.map((value, i) => ({
    name: `o${i}`, modules: ["nixos"], type: { type: "str" }, default: { value }, example: { value }, description: value, summary: "x",
  }));
  const block = nixOptionDeclarations(options, 0).text;
  const r = nixEvalReal(`let e = lib.evalModules { modules = [ { options = { ${block} }; } ]; }; in { config = builtins.removeAttrs e.config [ "_module" ]; docs = map (o: { inherit (o) name description; default = o.default.text; example = o.example.text; }) (builtins.filter (o: !(lib.hasPrefix "_module" o.name)) (lib.optionAttrSetToDocList e.options)); }`);
  assert.ok(r.ok, r.ok ? "" : r.stderr);
  if (!r.ok) return;
  const { docs, config } = r.value as { config: Record<string, string>; docs: { name: string; description: string; default: string; example: string }[] };
  assert.equal(config, Object.fromEntries(hostileValues.map((v, i) => [`o${i}`, v])), "every default is the value itself");
  assert.is(docs.length, hostileValues.length);
  for (const d of docs) {
    const value = hostileValues[Number(d.name.slice(1))]!;
    assert.is(d.description, value, d.name);
    // The manual renders literal defaults and examples back as Nix source: they read back as the value.
    assert.is(d.default, d.example);
  }
});

/** The model with its options replaced by `options`. */
const withOptions = (options: OptionSpec[]): Model => ({ ...resolveModel(defaultSchema), options });

/** The text between `start` and the next line that closes it (two-space `};`). */
function block(text: string, start: string): string {
  const from = text.indexOf(start);
  assert.ok(from >= 0, `${start} in the module`);
  const body = text.slice(from + start.length);
  return body.slice(0, body.indexOf("\n  };\n"));
}

test("NixOS module emitter: a shared option goes to common.nix, a NixOS one to nixos.nix", () => {
  const shared: OptionSpec = { name: "flake", modules: ["nixos", "home-manager"], type: { type: "bool" }, default: { value: false }, description: "F.", summary: "F." };
  const files = Object.fromEntries(emitNixosModule(withOptions([shared, two[0]!])).map((f) => [f.path, f.content]));
  assert.fixture(block(files["modules/common.nix"]!, "  options = {\n"), ["    flake = lib.mkOption {", "      type = lib.types.bool;", "      default = false;", '      description = "F.";', "    };"].join("\n"));
  assert.fixture(
    block(files["modules/nixos.nix"]!, "  options.system.provenance = common.options // {\n"),
    ["    logDir = lib.mkOption {", '      type = lib.types.nullOr (lib.types.strMatching "/[a-z]+");', '      default = "/var/log/x";', '      example = "/srv/x";', "      description =", '        "Where.\\n"', '        + "Really.\\n";', "    };"].join("\n"),
  );
  const home = emitHomeManagerModule(withOptions([shared, two[0]!]))[0]!.content;
  assert.fixture(block(home, "  options.home.provenance = common.options // {\n"), "", "neither option is Home Manager's own");
});

test("Home Manager module emitter: its own options, nested by name", () => {
  const options: OptionSpec[] = [
    { name: "prompt.mode", modules: ["home-manager"], type: { type: "enum", values: ["warning", "short"] }, default: { value: "warning" }, description: "M.", summary: "M." },
    { name: "prompt.bash.enable", modules: ["home-manager"], enable: true, type: { type: "bool" }, description: "bash", summary: "B." },
  ];
  const home = emitHomeManagerModule(withOptions(options))[0]!.content;
  assert.fixture(
    block(home, "  options.home.provenance = common.options // {\n"),
    [
      "    prompt = {",
      "      mode = lib.mkOption {",
      '        type = lib.types.enum [ "warning" "short" ];',
      '        default = "warning";',
      '        description = "M.";',
      "      };",
      "",
      "      bash = {",
      '        enable = lib.mkEnableOption "bash";',
      "      };",
      "    };",
    ].join("\n"),
  );
});

test("validate: an option declared twice in one module (common.nix's `//` would drop one) fails generation", () => {
  const clash: OptionSpec = { ...two[0]!, modules: ["nixos", "home-manager"] };
  assert.equal(emitNixosModule.validate!(withOptions([two[0]!, clash])), ["modules/nixos.nix: option logDir is declared twice in generator/schema/options.ts"]);
  assert.equal(emitNixosModule.validate!(resolveModel(defaultSchema)), []);
  assert.equal(emitHomeManagerModule.validate!(resolveModel(defaultSchema)), []);
});

test("docs: two options → the README and reference tables", () => {
  const model = withOptions(two);
  assert.fixture(
    summaryTable(model, "nixos"),
    "| Option | Type | Default | What it does |\n| --- | --- | --- | --- |\n" +
      '| `logDir` | null or string matching /[a-z]+ | `"/var/log/x"` | Where. |\n' +
      "| `bars.top.enable` | bool | `false` | The top bar. |\n",
  );
  assert.fixture(
    referenceTable(model, "nixos"),
    "| Option | Type | Default | Description |\n| --- | --- | --- | --- |\n" +
      '| `logDir` | null or string matching /[a-z]+ | `"/var/log/x"` | Where. Really. Example: `"/srv/x"`. |\n' +
      "| `bars.top.enable` | bool | `false` | Whether to enable a `top` bar. |\n",
  );
  assert.fixture(referenceTable(model, "home-manager"), "| Option | Type | Default | Description |\n| --- | --- | --- | --- |\n");
});

test("docs: the committed README and docs/integration.md hold the tables of the current table", () => {
  const model = resolveModel(defaultSchema);
  const [readme, integration] = emitOptionDocs(model);
  assert.is(readme!.path, "README.md");
  assert.is(integration!.path, "docs/integration.md");
  for (const file of [readme!, integration!]) {
    const text = readFileSync(join(projectRoot, file.path), "utf8");
    assert.is(spliceBlocks(file.path, text, file.blocks!), text, `${file.path} is up to date (npm run generate)`);
  }
  assert.match(readme!.blocks!["nixos-options"]!, "| `prometheus.user` |");
  assert.match(integration!.blocks!["home-manager-options"]!, "| `bars.waybar.bar` |");
});

test("splice: only the marked block changes; bad markers are refused", () => {
  const text = "# T\n\nbefore\n<!-- BEGIN generated: a -->\nold\nlines\n<!-- END generated: a -->\nafter\n";
  assert.is(spliceBlocks("T.md", text, { a: "new\n" }), "# T\n\nbefore\n<!-- BEGIN generated: a -->\nnew\n<!-- END generated: a -->\nafter\n");
  assert.is(spliceBlocks("T.md", spliceBlocks("T.md", text, { a: "new" }), { a: "new" }), spliceBlocks("T.md", text, { a: "new" }), "idempotent");
  assert.is(spliceBlocks("T.md", text, { a: "" }), "# T\n\nbefore\n<!-- BEGIN generated: a -->\n<!-- END generated: a -->\nafter\n");
  const refused = (t: string, blocks: Record<string, string>, why: RegExp) => {
    try {
      spliceBlocks("T.md", t, blocks);
      assert.unreachable(`accepted: ${JSON.stringify(t)}`);
    } catch (error) {
      assert.instance(error, SpliceError);
      assert.match((error as Error).message, why);
    }
  };
  refused(text, { b: "x" }, /^T\.md: no <!-- BEGIN generated: b --> line$/);
  refused(text + "<!-- END generated: a -->\n", { a: "x" }, /appears twice/);
  refused("<!-- END generated: a -->\n<!-- BEGIN generated: a -->\n", { a: "x" }, /comes before/);
  refused("x <!-- BEGIN generated: a -->\n<!-- END generated: a -->\n", { a: "x" }, /a line of its own/);
  refused(text, { a: "<!-- END generated: a -->\n" }, /holds its own marker/);
});

test("output: a partly generated file is spliced in place, reported stale by --check, and skipped where absent", () => {
  const dir = mkdtempSync(join(scratch, "out-"));
  writeFileSync(join(dir, "README.md"), "intro\n<!-- BEGIN generated: t -->\nold\n<!-- END generated: t -->\noutro\n");
  writeFileSync(join(dir, "NOTES.md"), "mine\n");
  const files = [
    { path: "README.md", content: "", blocks: { t: "new\n" } },
    { path: "docs/absent.md", content: "", blocks: { t: "x\n" } },
    { path: "modules/x.nix", content: "{ }\n" },
  ];
  assert.equal(diffOutput(dir, files), ["stale: README.md", "missing: modules/x.nix"]);
  writeOutput(dir, files);
  assert.is(readFileSync(join(dir, "README.md"), "utf8"), "intro\n<!-- BEGIN generated: t -->\nnew\n<!-- END generated: t -->\noutro\n");
  assert.is(readFileSync(join(dir, "NOTES.md"), "utf8"), "mine\n");
  assert.not.ok(existsSync(join(dir, "docs")), "an absent partly generated file is not created");
  assert.equal(readdirSync(dir).sort(), ["NOTES.md", "README.md", "modules"], "no temporary file left");
  assert.equal(diffOutput(dir, files), []);

  // A marker gone: one-line error, nothing written (the whole file either).
  writeFileSync(join(dir, "README.md"), "intro\n");
  const next = [{ ...files[0]! }, { path: "modules/x.nix", content: "{ a = 1; }\n" }];
  assert.equal(diffOutput(dir, next), ["stale: README.md: no <!-- BEGIN generated: t --> line", "stale: modules/x.nix"]);
  assert.throws(() => writeOutput(dir, next), (error: unknown) => error instanceof OutputError && /README\.md: no <!-- BEGIN generated: t --> line/.test(error.message));
  assert.is(readFileSync(join(dir, "modules/x.nix"), "utf8"), "{ }\n");
  assert.is(readFileSync(join(dir, "README.md"), "utf8"), "intro\n");
});

test("validate: a key the Home Manager module writes that HomeManagerMetadata.schema.json does not allow fails generation", () => {
  const model = resolveModel(defaultSchema);
  assert.equal(emitHomeManagerModule.validate!(model), []);
  assert.equal(emitMetadataNix.validate!(model), []);
  // The shape as it was before HomeManagerMetadata: NixosMetadata's, which has no homeManagerUser.
  const nixosShape = model.shapes.NixosMetadata!;
  const shapes = { ...model.shapes, HomeManagerMetadata: { ...nixosShape, name: "HomeManagerMetadata" } };
  const stale: Model = { ...model, shapes, jsonShapes: model.jsonShapes.map((s) => (s.name === "HomeManagerMetadata" ? shapes.HomeManagerMetadata : s)) };
  assert.equal(emitHomeManagerModule.validate!(stale), [
    "modules/home-manager.nix: writes the generation's nixos-metadata.json (home-metadata.json), which out/schema/HomeManagerMetadata.schema.json rejects: the key homeManagerUser is not allowed",
  ]);
  // A field metadata.nix writes that the NixOS shape lacks; and a shape that is gone.
  const extra = { ...model.fields[0]!, shellVar: "RACK", jsonKey: "rack" };
  assert.equal(emitMetadataNix.validate!({ ...model, fields: [...model.fields, extra] }), [
    "modules/metadata.nix: writes /etc/nixos-metadata.json, which out/schema/NixosMetadata.schema.json rejects: the key rack is not allowed",
  ]);
  const { HomeManagerMetadata: _gone, ...rest } = model.shapes;
  assert.equal(emitHomeManagerModule.validate!({ ...model, shapes: rest }), [
    "modules/home-manager.nix: writes the generation's nixos-metadata.json (home-metadata.json), but the schema has no JSON shape HomeManagerMetadata",
  ]);
});

test("the Nix emitters import no other emitter: only ./types.js, the model, escape/, render.js (and schema types)", () => {
  for (const name of ["nixos-module", "home-manager-module", "metadata-nix", "options-docs"]) {
    const source = readFileSync(join(projectRoot, "generator/emitters", `${name}.ts`), "utf8");
    const imports = [...source.matchAll(/^import (type )?[^;]*? from "([^"]+)";/gm)].map((m) => ({ typeOnly: Boolean(m[1]), from: m[2]! }));
    assert.ok(imports.length > 0, name);
    for (const { typeOnly, from } of imports) {
      const allowed = from === "./types.js" || from === "../model.js" || from === "../render.js" || from.startsWith("../escape/") || (typeOnly && from.startsWith("../schema/"));
      assert.ok(allowed, `${name}.ts imports ${from}`);
    }
  }
});

test.run();

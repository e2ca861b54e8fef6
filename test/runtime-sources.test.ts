/**
 * The shell runtime is driven by the schema: the validate step that keeps
 * the schema and templates/sh/ in agreement (given/want: each kind of
 * disagreement is reported, naming the file, command and flag or shape),
 * no JSON key typed by hand in the runtime sources, and no code pasted
 * twice, neither in the emitted runtime nor in its sources.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { resolveModel, type Model } from "../generator/model.js";
import { defaultSchema } from "../generator/schema/index.js";
import type { Schema } from "../generator/schema/types.js";
import { emitShellRuntime } from "../generator/emitters/shell.js";
import { emitAll } from "../generator/emitters/index.js";
import { SchemaValidationError } from "../generator/emitters/types.js";
import { projectRoot } from "./helpers/shells.js";

/** The default schema with one change, resolved. */
function modelWith(change: (schema: Schema) => void): Model {
  const schema = structuredClone(defaultSchema) as Schema;
  change(schema);
  return resolveModel(schema);
}
const command = (schema: Schema, name: string) => schema.commands.find((c) => c.name === name)!;
const problems = (model: Model) => emitShellRuntime.validate!(model);

test("the default schema and the runtime sources agree", () => {
  assert.equal(problems(resolveModel(defaultSchema)), []);
});

const cases: [string, (schema: Schema) => void, RegExp][] = [
  [
    "a mode flag without a handler",
    (s) => command(s, "nixos-generation-info").flags.push({ long: "--tmux", group: "mode", description: "tmux status line." }),
    /templates\/sh\/bin\/nixos-generation-info\.sh: nixos-generation-info: no handler prov_gi_mode_tmux\(\) for the schema's mode "tmux"/,
  ],
  [
    "a plain flag the source never reads",
    (s) => command(s, "nixos-build-status").flags.push({ long: "--quiet", description: "Say less." }),
    /nixos-build-status: flag --quiet is never read \(the source must use \$prov_opt_quiet\)/,
  ],
  [
    "a handler without a flag",
    (s) => {
      const gi = command(s, "nixos-generation-info");
      gi.flags = gi.flags.filter((f) => f.long !== "--waybar");
    },
    /nixos-generation-info: handler prov_gi_mode_waybar\(\) has no flag in the schema/,
  ],
  [
    "a flag variable the schema does not have",
    (s) => {
      const st = command(s, "nixos-build-status");
      st.flags = st.flags.filter((f) => f.long !== "--no-boot");
    },
    /nixos-build-status: prov_opt_no_boot is read but the schema has no such flag or argument/,
  ],
  [
    "a shape a command prints, without a writer",
    (s) => {
      const shape = s.jsonShapes.find((x) => x.name === "BuildRecord")!;
      delete shape.writer;
    },
    /shape BuildRecord is printed by a command but has no writer/,
  ],
  [
    "a writer call for a shape the schema does not have",
    (s) => {
      s.jsonShapes = s.jsonShapes.filter((x) => x.name !== "WaybarModule");
    },
    /runtime source calls prov_json_WaybarModule, but the schema has no shape WaybarModule with a writer/,
  ],
  [
    "a writer that no source calls",
    (s) => {
      s.jsonShapes.push({ name: "Unused", description: "Nobody prints it.", writer: { prefix: "un" }, shape: { type: "object", properties: { a: { type: "string" } }, required: ["a"] } });
    },
    /shape Unused has a writer that no runtime source calls/,
  ],
  [
    "an exit code the schema does not declare",
    (s) => {
      const md = command(s, "nixos-metadata");
      md.exitCodes = md.exitCodes.filter((e) => e.name !== "notFound");
    },
    /nixos-metadata: exit code notFound is not in the schema's exit codes/,
  ],
];

for (const [what, change, want] of cases) {
  test(`validate: ${what}`, () => {
    const found = problems(modelWith(change));
    assert.ok(found.some((p) => want.test(p)), `want ${want}, got:\n${found.join("\n")}`);
  });
}

test("a validation problem stops the whole run before any file is made", () => {
  const model = modelWith((s) => command(s, "nixos-generation-info").flags.push({ long: "--tmux", group: "mode", description: "x" }));
  try {
    emitAll(model);
    assert.unreachable("emitAll must refuse");
  } catch (error) {
    assert.instance(error, SchemaValidationError);
    assert.match((error as Error).message, "prov_gi_mode_tmux");
  }
});

test("a metadata field added to the schema alone reaches every output that lists fields", () => {
  const model = modelWith((s) =>
    s.fields.push({
      shellVar: "SITE_CODE", jsonKey: "siteCode", type: "string", group: "system",
      description: "Deployment ring of the host.", example: "canary", source: { kind: "literal", value: "canary" },
    }),
  );
  const files = new Map(emitAll(model).map((f) => [f.path, f.content]));
  for (const path of [
    "modules/metadata.nix",
    "out/lib/nixos-provenance/schema.sh",
    "out/schema/NixosMetadata.schema.json",
    "out/types/nixos-provenance.d.ts",
    "out/doc/metadata.md",
  ]) {
    assert.ok(files.has(path), `${path} is emitted`);
    assert.ok(/SITE_CODE|siteCode/.test(files.get(path)!), `${path} lists the new field`);
  }
  // The runtime reads, prints, exports and diffs it: every field table has it.
  const schemaPart = files.get("out/lib/nixos-provenance/schema.sh")!;
  for (const fn of ["prov_meta_set", "prov_md_from_meta", "prov_md_print_fields", "prov_md_export", "prov_md_field_value", "prov_md_each_field", "prov_json_NixosMetadata"]) {
    const body = schemaPart.slice(schemaPart.indexOf(`${fn}() {`), schemaPart.indexOf("\n}", schemaPart.indexOf(`${fn}() {`)));
    assert.match(body, /SITE_CODE/, `${fn} handles the new field`);
  }
});

const runtimeSources = (): { file: string; text: string }[] => {
  const root = join(projectRoot, "templates/sh");
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".sh"))
    .map((e) => join(e.parentPath, e.name))
    .map((file) => ({ file: file.slice(projectRoot.length), text: readFileSync(file, "utf8") }));
};

/** Readers of foreign formats (Nix's internal-json log lines) may name their keys; they say so on the line. */
const foreignReader = /# json-reader:/;

test("no JSON key is typed by hand in the runtime sources", () => {
  const hits: string[] = [];
  for (const { file, text } of runtimeSources()) {
    text.split("\n").forEach((line, i) => {
      if (/^\s*#/.test(line) || foreignReader.test(line)) return;
      if (/\\?"[A-Za-z][A-Za-z0-9_]*\\?":/.test(line)) hits.push(`${file}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.equal(hits, []);
});

/** Windows of six consecutive significant lines (blank, comment and lone-punctuation lines skipped). */
function windows(text: string): string[] {
  const lines = text
    .split("\n")
    .map((l) => l.trim().replace(/\s+/g, " "))
    .filter((l) => l !== "" && !l.startsWith("#") && !/^(;;|esac|fi|done|\}|\{|then|do|else|'|")$/.test(l));
  const out: string[] = [];
  for (let i = 0; i + 6 <= lines.length; i++) out.push(lines.slice(i, i + 6).join("\n"));
  return out;
}

function repeatedBlocks(files: { file: string; text: string }[], withinFile: boolean): string[] {
  const seen = new Map<string, string>();
  const found: string[] = [];
  for (const { file, text } of files) {
    const mine = new Set<string>();
    for (const w of windows(text)) {
      const other = seen.get(w);
      if (other && (other !== file || (withinFile && mine.has(w)))) found.push(`${other} ~ ${file}:\n${w}`);
      seen.set(w, file);
      mine.add(w);
    }
  }
  return found;
}

test("no block of six identical lines stands in two emitted runtime files", () => {
  const emitted = [
    ...readdirSync(join(projectRoot, "out/bin")).map((f) => `out/bin/${f}`),
    "out/lib/build-status.sh",
    ...readdirSync(join(projectRoot, "out/lib/nixos-provenance")).filter((f) => f.endsWith(".sh")).map((f) => `out/lib/nixos-provenance/${f}`),
  ].map((file) => ({ file, text: readFileSync(join(projectRoot, file), "utf8") }));
  // Within one generated part (schema.sh) the field tables are data, one line per field.
  const found = repeatedBlocks(emitted, false);
  assert.equal(found.slice(0, 3), [], `${found.length} repeated blocks`);
});

test("no function is defined in two emitted files, but each command's own entry points", () => {
  // Every command has its own usage text, flag table, dispatch and main.
  const perCommand = new Set(["prov_broken", "prov_parse", "prov_parse_option", "prov_dispatch", "prov_main"]);
  const owner = new Map<string, string>();
  const twice: string[] = [];
  const files = [
    ...readdirSync(join(projectRoot, "out/bin")).map((f) => `out/bin/${f}`),
    "out/lib/build-status.sh",
    ...readdirSync(join(projectRoot, "out/lib/nixos-provenance")).filter((f) => f.endsWith(".sh")).map((f) => `out/lib/nixos-provenance/${f}`),
  ];
  for (const file of files) {
    for (const m of readFileSync(join(projectRoot, file), "utf8").matchAll(/^([A-Za-z_][A-Za-z0-9_]*)\s*\(\)/gm)) {
      const name = m[1]!;
      if (perCommand.has(name)) continue;
      const other = owner.get(name);
      if (other && other !== file) twice.push(`${name}: ${other} and ${file}`);
      owner.set(name, file);
    }
  }
  assert.equal(twice, []);
});

test("no block of six identical lines stands twice in the runtime sources", () => {
  const found = repeatedBlocks(runtimeSources(), true);
  assert.equal(found.slice(0, 3), [], `${found.length} repeated blocks`);
});

test.run();

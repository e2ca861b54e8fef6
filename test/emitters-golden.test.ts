/**
 * Each emitter on its own, given a small model (the default schema cut down
 * to two metadata fields), against checked-in goldens under
 * test/golden/two-fields/. A golden is the emitter's whole output for that
 * model: a change in what an emitter writes shows up here as a diff to
 * review, file by file. `UPDATE_GOLDENS=1 node build/test/run.js emitters-golden`
 * rewrites them (then read the diff before committing).
 *
 * The full default output is the other golden: the committed modules/ and
 * out/, checked by generator.test.ts.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { resolveModel } from "../generator/model.js";
import { defaultSchema } from "../generator/schema/index.js";
import type { Schema } from "../generator/schema/types.js";
import { emitters } from "../generator/emitters/index.js";
import { projectRoot } from "./helpers/shells.js";

const goldenDir = join(projectRoot, "test/golden/two-fields");
const update = process.env.UPDATE_GOLDENS === "1";

function twoFieldModel() {
  const schema = structuredClone(defaultSchema) as Schema;
  schema.fields = schema.fields.filter((f) => f.shellVar === "GIT_COMMIT" || f.shellVar === "HOSTNAME");
  return resolveModel(schema);
}

/** The emitters whose output depends on the metadata fields, and the files of theirs kept as goldens. */
const goldenFiles: Record<string, string[]> = {
  "metadata.nix (builtins-only provenance)": ["modules/metadata.nix"],
  "shell runtime": ["out/lib/nixos-provenance/schema.sh"],
  "JSON Schemas": ["out/schema/NixosMetadata.schema.json"],
  "TypeScript declarations": ["out/types/nixos-provenance.d.ts"],
  "reference docs": ["out/doc/metadata.md"],
};

const model = twoFieldModel();

test("the two-field model keeps exactly its two fields", () => {
  assert.equal(model.fields.map((f) => f.shellVar), ["GIT_COMMIT", "HOSTNAME"]);
});

for (const [name, paths] of Object.entries(goldenFiles)) {
  test(`${name}: the two-field model's output is the golden`, () => {
    const emitter = emitters[name];
    assert.ok(emitter, `no emitter named ${name}`);
    // The runtime's sources use the seed's fields by name (GIT_DIRTY, FLAKE_URL…),
    // so its validate step rightly refuses a model without them; the emitter
    // itself still shows what the field tables become.
    if (name !== "shell runtime") assert.equal(emitter!.validate?.(model) ?? [], [], "validates");
    const files = new Map(emitter!(model).map((f) => [f.path, f.content]));
    for (const path of paths) {
      const got = files.get(path);
      assert.ok(got !== undefined, `${name} emits ${path}`);
      const file = join(goldenDir, path);
      if (update) {
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, got!);
      }
      assert.ok(existsSync(file), `${file} exists (UPDATE_GOLDENS=1 to write it)`);
      assert.fixture(got!, readFileSync(file, "utf8"), path);
      // Nothing of the fields the model does not have leaks in.
      assert.not.match(got!, /NIXPKGS_NARHASH|nixpkgsNarHash/, `${path} has only the model's fields`);
    }
  });
}

test("no stale golden: every file under test/golden/two-fields is one an emitter writes", () => {
  const want = new Set(Object.values(goldenFiles).flat());
  const walk = (dir: string, prefix = ""): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]));
  const have = existsSync(goldenDir) ? walk(goldenDir) : [];
  if (update) for (const f of have) if (!want.has(f)) rmSync(join(goldenDir, f));
  assert.equal(have.filter((f) => !want.has(f)), []);
});

test.run();

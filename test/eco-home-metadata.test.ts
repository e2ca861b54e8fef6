/**
 * The Home Manager module writes each generation's metadata where
 * `nixos-metadata --home` reads it (issue 9, section 5). The REAL Home
 * Manager (release-25.05) and nixpkgs lib evaluate modules/home-manager.nix;
 * the generation's own build script (home.activationPackage, Home Manager's
 * runCommand "home-manager-generation", which runs home.extraBuilderCommands)
 * is taken as evaluated, and its lines that link our metadata into $out are
 * run by dash into a fixture generation, with the metadata text Home Manager
 * computed in place of the (unbuilt) store file. The runtime then reads it
 * back under the five shells.
 *
 * Without the vendor trees every test here is skipped; under CI=true that is
 * a failure (test/helpers/nix.ts).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdirSync, readlinkSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { nixEvalReal, vendorMissing } from "./helpers/nix.js";
import { projectRoot } from "./helpers/shells.js";
import { Machine } from "./helpers/fixture.js";
import { runMatrix } from "./helpers/matrix.js";
import { loadSchema, validate } from "./helpers/json-schema.js";

const missing = vendorMissing();
const it = missing === null ? test : test.skip;
if (missing !== null) console.log(`  (skipped: the real-module tests need ${missing})`);

const rev = "0123456789abcdef0123456789abcdef01234567";
const nixpkgsRev = "1111111111111111111111111111111111111111";

it("the generation's build script links the metadata to $out/nixos-metadata, which nixos-metadata --home reads", () => {
  const r = nixEvalReal(`let h = import (hm + "/modules") { pkgs = import (eco + "/pkgs.nix") { inherit lib; }; configuration = {
      imports = [ ${projectRoot}modules/home-manager.nix ];
      home.username = "alice"; home.homeDirectory = "/home/alice"; home.stateVersion = "25.05"; manual.manpages.enable = false;
      home.provenance = { enable = true; flake = { rev = "${rev}"; shortRev = "0123456"; lastModifiedDate = "20250101000000"; };
        inputs = { nixpkgs = { rev = "${nixpkgsRev}"; narHash = "sha256-x"; }; }; };
    }; }; c = h.config; shell = c.xdg.dataFile."nixos-provenance/home-metadata".source; json = c.xdg.dataFile."nixos-provenance/home-metadata.json".source; in {
      buildCommand = h.activationPackage.buildCommand;
      shellPath = shell.outPath; shellText = shell.text;
      jsonPath = json.outPath; jsonText = json.text;
    }`);
  assert.ok(r.ok, r.ok ? "" : r.stderr);
  if (!r.ok) return;
  const v = r.value as { buildCommand: string; shellPath: string; shellText: string; jsonPath: string; jsonText: string };

  // The lines of Home Manager's generation builder that place our files.
  const ours = v.buildCommand
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.includes(v.shellPath) || l.includes(v.jsonPath));
  assert.equal(ours, [`ln -s ${v.shellPath} $out/nixos-metadata`, `ln -s ${v.jsonPath} $out/nixos-metadata.json`]);

  // Run them into a fixture generation (the store files under the fixture root).
  const m = new Machine({ rootName: "nixprov eco home " });
  try {
    m.switchTo(1);
    const generation = m.addHome(1, { metadataText: null });
    for (const [path, text] of [[v.shellPath, v.shellText], [v.jsonPath, v.jsonText]] as const) {
      mkdirSync(dirname(m.root + path), { recursive: true });
      writeFileSync(m.root + path, text);
    }
    const script = ours.map((l) => l.replace(v.shellPath, '"$root$shellPath"').replace(v.jsonPath, '"$root$jsonPath"').replace("$out/", '"$out"/')).join("\n");
    const run = spawnSync("dash", ["-ec", script], { encoding: "utf8", env: { PATH: "/usr/bin:/bin", out: generation, root: m.root, shellPath: v.shellPath, jsonPath: v.jsonPath } });
    assert.is(run.status, 0, run.stderr);
    assert.is(readlinkSync(join(generation, "nixos-metadata")), m.root + v.shellPath);

    const env = { NO_COLOR: "1" };
    const commit = runMatrix(m, "nixos-metadata", ["--home", "--field", "GIT_COMMIT"], { env });
    assert.is(commit.status, 0, commit.stderr);
    assert.is(commit.stdout, `${rev}\n`);
    const shown = runMatrix(m, "nixos-metadata", ["--home", "--json"], { env });
    assert.is(shown.status, 0, shown.stderr);
    const doc = JSON.parse(shown.stdout) as Record<string, unknown>;
    assert.equal(validate(doc, loadSchema("NixosMetadata")), []);
    assert.equal([doc.commit, doc.nixpkgsRev, doc.dirty], [rev, nixpkgsRev, false]);
    // What the runtime shows is what Home Manager wrote as JSON (every key it shares).
    const written = JSON.parse(v.jsonText) as Record<string, unknown>;
    for (const [key, value] of Object.entries(doc)) assert.equal(value, written[key], key);
    const list = runMatrix(m, "nixos-metadata", ["list", "--home", "--json"], { env });
    assert.equal((JSON.parse(list.stdout) as { commit: string; hasMetadata: boolean; current: boolean }[]).map((g) => [g.commit, g.hasMetadata, g.current]), [[rev, true, true]]);
  } finally {
    m.cleanup();
  }
});

test.run();

/**
 * `npm run demo` (demo/demo.sh) and bench/make-fixture.sh: the demo builds
 * its fake machine, runs every command it announces, and the way it says to
 * keep exploring really points the commands at that machine.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cpSync, mkdirSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { outBin, projectRoot, runArgv } from "./helpers/shells.js";
import { vendorTrees } from "./helpers/nix.js";

const scratch = mkdtempSync(join(tmpdir(), "eco-demo-"));
test.after(() => rmSync(scratch, { recursive: true, force: true }));
const env = { PATH: process.env.PATH!, LC_ALL: "C.UTF-8", HOME: scratch };

test("the demo builds its machine and shows each command with its output", () => {
  const dir = join(scratch, "machine");
  const r = runArgv(["sh", join(projectRoot, "demo/demo.sh"), dir], { env });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stderr, "");
  const shown = [...r.stdout.matchAll(/^\$ (.*)$/gm)].map((m) => m[1]);
  assert.equal(shown, [
    "nixos-generation-info", "nixos-generation-info --short", "nixos-generation-info --waybar", "nixos-metadata", "nixos-metadata list",
    "nixos-metadata diff 11 12", "nixos-metadata audit", "nixos-metadata reproduce 11", "nixos-build-status", "nixos-build-status --prometheus",
  ]);
  // What the demo promises is what the commands found.
  assert.match(r.stdout, /\$ nixos-generation-info --short\ng12@[0-9a-f]{7}\* hm2⚠\n/);
  assert.match(r.stdout, "Booted:        g10 (reboot needed");
  assert.match(r.stdout, "Home Manager:  hm2 (latest hm3, out-of-sync)");
  assert.match(r.stdout.slice(r.stdout.indexOf("$ nixos-metadata list")), /^12 .*gaming/m);
  const section = (command: string) => r.stdout.slice(r.stdout.indexOf(`$ ${command}\n`)).split("\n$ ")[0]!;
  assert.match(section("nixos-metadata diff 11 12"), /dirty/i, "the diff shows the dirty tree");
  assert.match(r.stdout, "nixos_provenance_last_build_success 1\n");
  const history = JSON.parse(readFileSync(join(dir, "var/log/nixos-builds/build-history.json"), "utf8")) as { success: boolean }[];
  assert.equal(history.map((b) => b.success), [false, true], "a failed, then a successful recorded build");
  const list = r.stdout.slice(r.stdout.indexOf("$ nixos-metadata list"), r.stdout.indexOf("$ nixos-metadata diff"));
  const commits = [...list.matchAll(/^\d+ .*? ([0-9a-f]{7})\*? /gm)].map((m) => m[1]);
  assert.is(commits.length, 12);
  assert.is(new Set(commits).size, 12, "every generation has its own commit");
  // The "keep exploring" line, run as printed.
  const exportLine = /^  (export .*)$/m.exec(r.stdout)![1]!;
  const again = runArgv(["sh", "-c", `${exportLine}; "$1" --short`, "sh", outBin("nixos-generation-info")], { env });
  assert.is(again.stdout, /\$ nixos-generation-info --short\n(.*\n)/.exec(r.stdout)![1]);
  // A directory in use is refused, and nothing in it is touched.
  const before = readdirSync(dir).sort();
  const refused = runArgv(["sh", join(projectRoot, "demo/demo.sh"), dir], { env });
  assert.is(refused.status, 73);
  assert.match(refused.stderr, "is not empty");
  assert.equal(readdirSync(dir).sort(), before);
});

test("bench/make-fixture.sh: a usage line without arguments, a commit per generation", () => {
  const script = join(projectRoot, "bench/make-fixture.sh");
  for (const args of [[], [join(scratch, "x")], [join(scratch, "y"), "ten"], [join(scratch, "z"), "0"]]) {
    const r = runArgv(["dash", script, ...args], { env });
    assert.is(r.status, 64, args.join(" "));
    assert.match(r.stderr, /^(usage: sh bench\/make-fixture\.sh ROOT N|make-fixture: N must be a number)/);
    assert.not.match(r.stderr, "parameter not set");
  }
  const root = join(scratch, "fixture");
  const r = runArgv(["dash", script, root, "30"], { env });
  assert.is(r.status, 0, r.stderr);
  const list = runArgv(["dash", outBin("nixos-metadata"), "list", "--json"], { env: { ...env, NIXOS_PROVENANCE_ROOT: root } });
  const generations = JSON.parse(list.stdout) as { commit: string; nixpkgsRev: string }[];
  assert.is(generations.length, 30);
  assert.is(new Set(generations.map((g) => g.commit.slice(0, 7))).size, 30);
  assert.is(new Set(generations.map((g) => g.nixpkgsRev)).size, 11);
});

test("nix run .#demo: the flake's app evaluates purely on this Nix, to a program in the store", () => {
  const trees = vendorTrees();
  if (!trees) return; // counted as passed; eco-nix reports the missing vendor trees (and fails under CI=true)
  const src = join(scratch, "flake-src");
  const nixpkgs = join(scratch, "flake-nixpkgs");
  mkdirSync(src);
  mkdirSync(nixpkgs);
  for (const name of ["flake.nix", "package.json", "package-lock.json", "tsconfig.json", "generator", "templates", "test", "modules", "out", "examples", "demo", "bench"]) {
    cpSync(join(projectRoot, name), join(src, name), { recursive: true });
  }
  cpSync(join(trees.nixpkgsLib, "lib"), join(nixpkgs, "lib"), { recursive: true });
  cpSync(join(projectRoot, "test/eco"), join(nixpkgs, "eco"), { recursive: true });
  writeFileSync(join(nixpkgs, "flake.nix"), `{
  outputs = { self }:
    let lib = import ./lib; in {
      inherit lib;
      legacyPackages = lib.genAttrs [ "x86_64-linux" "aarch64-linux" ] (system: import ./eco/pkgs.nix { inherit lib system; });
    };
}
`);
  const r = spawnSync("nix", ["--extra-experimental-features", "nix-command flakes", "eval", "--raw", "--no-write-lock-file", "--override-input", "nixpkgs", `path:${nixpkgs}`, `path:${src}#apps.x86_64-linux.demo.program`], {
    encoding: "utf8", env: { ...process.env, NIX_REMOTE: "" }, timeout: 300_000,
  });
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /^\/nix\/store\/[^/]+-nixos-provenance-demo\/bin\/nixos-provenance-demo$/);
});

test.run();

/**
 * nixos-metadata --home (issue 9, section 5): show, list, diff and audit of
 * the user's Home Manager generations, read from each generation's
 * nixos-metadata (what modules/home-manager.nix links there; the fixture
 * writes it the same way), under the whole shell matrix. The XDG and the
 * legacy per-user profile, current = current-home, -N counted in the
 * Home Manager profile, JSON against the emitted schemas, a machine without
 * NixOS (standalone Home Manager), and the refusals.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Machine, homeMetadata } from "./helpers/fixture.js";
import { evalExport, runMatrix, type MatrixOptions } from "./helpers/matrix.js";
import { loadSchema, validate } from "./helpers/json-schema.js";
import { buildPath, toolDir } from "./helpers/build-env.js";
import type { RunResult } from "./helpers/shells.js";

const CMD = "nixos-metadata";
const withNix = buildPath(toolDir(["nix"]));
const scratch = mkdtempSync(join(tmpdir(), "md-home-"));
test.after(() => rmSync(scratch, { recursive: true, force: true }));

const dirtyNixpkgs = "9a52096" + "0".repeat(33);

/**
 * A NixOS machine (system generations 1, 2) whose user has Home Manager
 * generations 1 (built before the module: no metadata), 2, 3 (dirty, a new
 * nixpkgs, activated) and 4 (built, not activated).
 */
function machine(layout: "xdg" | "legacy" = "xdg", options: { nixos?: boolean } = {}): Machine {
  const m = new Machine({ rootName: "nixprov md home " });
  if (options.nixos ?? true) {
    m.switchTo(1);
    m.switchTo(2, { specialisations: ["gaming"] });
    m.boot(2);
  }
  m.addHome(1, { layout, metadataText: null, activate: false });
  m.addHome(2, { layout, activate: false });
  m.addHome(3, { layout, metadata: home3, activate: false });
  m.addHome(4, { layout, activate: false });
  m.activateHome(3, layout);
  return m;
}
const home3 = homeMetadata(3, { GIT_DIRTY: "true", NIXPKGS_REV: dirtyNixpkgs });
const home = (n: number) => (n === 3 ? home3 : homeMetadata(n));

function md(m: Machine, args: string[], options: MatrixOptions = {}): RunResult {
  return runMatrix(m, CMD, args, { ...options, env: { NO_COLOR: "1", ...options.env } });
}
function ok(m: Machine, args: string[], status = 0, options: MatrixOptions = {}): string {
  const r = md(m, args, options);
  assert.is(r.status, status, `${args.join(" ")}: ${r.stderr}`);
  assert.is(r.stderr, "", args.join(" "));
  return r.stdout;
}
function json(m: Machine, args: string[], shape: string, status = 0, options: MatrixOptions = {}): any {
  const doc = JSON.parse(ok(m, args, status, options)) as unknown;
  assert.equal(validate(doc, loadSchema(shape)), [], `${args.join(" ")}: ${shape} schema`);
  return doc;
}
function fail(m: Machine, args: string[], status: number, message: string, options: MatrixOptions = {}): void {
  const r = md(m, args, options);
  assert.is(r.status, status, `${args.join(" ")}: ${r.stderr}`);
  assert.is(r.stdout, "", args.join(" "));
  assert.match(r.stderr, message, args.join(" "));
}

test("list --home: every Home Manager generation with its commit and nixpkgs, current and latest marked; list alone stays the system's", () => {
  for (const layout of ["xdg", "legacy"] as const) {
    const m = machine(layout);
    try {
      const lines = ok(m, ["list", "--home"]).split("\n");
      assert.match(lines[0]!, /^GEN +DATE +ACTIVATED +COMMIT +NIXPKGS +NIXOS +KERNEL +FLAGS$/);
      const row = (n: number): string => lines.find((l) => l.startsWith(`${n} `)) ?? "";
      assert.match(row(1), /unknown +unknown .*no-metadata$/, layout);
      assert.match(row(2), ` ${home(2).GIT_SHORT_COMMIT}   ${home(2).NIXPKGS_REV!.slice(0, 7)} `);
      assert.match(row(3), ` ${home(3).GIT_SHORT_COMMIT}*  9a52096 `);
      assert.match(row(3), / current$/);
      assert.match(row(4), / latest$/);
      assert.is(lines.length, 6, "header, four generations, final newline");

      const doc = json(m, ["list", "--home", "--json"], "GenerationList");
      assert.equal(
        doc.map((g: any) => [g.generation, g.commit, g.dirty, g.nixpkgsRev, g.current, g.latest, g.booted, g.hasMetadata, g.activated]),
        [
          [1, "unknown", null, "unknown", false, false, false, false, null],
          [2, home(2).GIT_COMMIT, false, home(2).NIXPKGS_REV, false, false, false, true, null],
          [3, home(3).GIT_COMMIT, true, dirtyNixpkgs, true, false, false, true, null],
          [4, home(4).GIT_COMMIT, false, home(4).NIXPKGS_REV, false, true, false, true, null],
        ],
      );
      // Without --home: the two system generations, the specialisation of 2.
      const system = json(m, ["list", "--json"], "GenerationList");
      assert.equal(system.map((g: any) => [g.generation, g.specialisations]), [[1, []], [2, ["gaming"]]]);
      const audit = ok(m, ["audit", "--home"]);
      assert.match(audit, `${dirtyNixpkgs} 3\n`);
    } finally {
      m.cleanup();
    }
  }
});

test("--home N: show in every format (current = current-home, latest, -N in the Home Manager profile, no metadata)", () => {
  const m = machine();
  try {
    const current = ok(m, ["--home"]);
    assert.match(current, /^current \(Home Manager generation 3\)\n/);
    assert.match(current, `  GIT_COMMIT         ${home(3).GIT_COMMIT}\n`);
    assert.match(current, "  GIT_DIRTY          true\n");
    assert.not.match(current, "NixOS version", "a Home Manager generation has no NixOS version or kernel");
    const two = json(m, ["--home", "2", "--json"], "NixosMetadata");
    assert.is(two.commit, home(2).GIT_COMMIT);
    assert.is(two.flakeUrl, home(2).FLAKE_URL);
    assert.is(ok(m, ["--home", "-1", "--field", "GIT_COMMIT"]), `${home(2).GIT_COMMIT}\n`, "-1: the one below the activated 3");
    assert.is(ok(m, ["--home", "latest", "--field", "commit"]), `${home(4).GIT_COMMIT}\n`);
    assert.match(ok(m, ["--home", "-2"]), /^-2 \(Home Manager generation 1\)\n  No nixos-metadata in the generation: built before nixos-provenance was enabled\.\n/);
    const exported = md(m, ["--home", "4", "--export"]);
    assert.is(exported.status, 0, exported.stderr);
    assert.equal(evalExport(exported.stdoutBytes, ["GIT_COMMIT", "NIXPKGS_REV"]).map(String), [home(4).GIT_COMMIT, home(4).NIXPKGS_REV]);
    // The system is still what the command shows without --home.
    assert.match(ok(m, []), /^current \(generation 2\)\n/);
  } finally {
    m.cleanup();
  }
});

test("diff --home: commit once with its compare link, nixpkgs, exit 0/1/2; packages of the two Home Manager generations", () => {
  const m = machine();
  try {
    const doc = json(m, ["diff", "--home", "2", "4", "--json", "--no-closure"], "GenerationDiff", 1);
    assert.equal([doc.from, doc.to, doc.fromGeneration, doc.toGeneration, doc.identical, doc.closure], ["2", "4", 2, 4, false, "skipped"]);
    assert.is(doc.fromPath, m.hmStore(2));
    assert.is(doc.toPath, m.hmStore(4));
    assert.equal(doc.commit, {
      from: home(2).GIT_COMMIT,
      to: home(4).GIT_COMMIT,
      fromShort: home(2).GIT_SHORT_COMMIT,
      toShort: home(4).GIT_SHORT_COMMIT,
      fromDirty: false,
      toDirty: false,
      compareUrl: `https://github.com/owner/home-config/compare/${home(2).GIT_COMMIT}...${home(4).GIT_COMMIT}`,
    });
    assert.equal(doc.inputs.map((i: any) => [i.input, i.from, i.to]), [["nixpkgs", home(2).NIXPKGS_REV, home(4).NIXPKGS_REV]]);
    assert.equal([doc.nixosVersion, doc.kernelVersion, doc.specialisationsAdded, doc.changes], [null, null, [], []]);

    // One argument: against the activated generation (3, dirty).
    const human = ok(m, ["diff", "--home", "2", "--no-closure"], 1);
    assert.match(human, /^Home Manager generation 2 → current \(Home Manager generation 3\)\n/);
    assert.match(human, `  commit           ${home(2).GIT_SHORT_COMMIT} → ${home(3).GIT_SHORT_COMMIT} (dirty)  https://github.com/owner/home-config/compare/`);
    assert.match(human, `  nixpkgs          ${home(2).NIXPKGS_REV!.slice(0, 7)} → 9a52096`);
    assert.match(ok(m, ["diff", "--home", "3", "current"]), "the same store path: identical\n");
    fail(m, ["diff", "--home", "2", "9"], 2, "no such Home Manager generation: 9");

    // Packages: nix store diff-closures of the two Home Manager store paths.
    const out = join(scratch, "closures.txt");
    writeFileSync(out, "ripgrep: 14.1.0 → 14.1.1, +8.1 KiB\n");
    const log = join(scratch, "nix.log");
    rmSync(log, { force: true });
    const withPackages = json(m, ["diff", "--home", "2", "4", "--json"], "GenerationDiff", 1, { env: { PATH: withNix, NIX_STORE_DIR: `${m.root}/nix/store`, FAKE_NIX_DIFF_OUT: out, FAKE_NIX_LOG: log } });
    assert.equal(withPackages.packages, [{ name: "ripgrep", from: ["14.1.0"], to: ["14.1.1"], sizeDelta: 8294 }]);
    const call = readFileSync(log, "utf8").trim().split("\n")[0]!.split("\t");
    assert.equal(call, ["--extra-experimental-features", "nix-command", "store", "diff-closures", "--", join(m.hmProfiles(), "home-manager-2-link"), join(m.hmProfiles(), "home-manager-4-link")]);
  } finally {
    m.cleanup();
  }
});

test("--home on a machine without NixOS (standalone Home Manager): it reads; without --home: not NixOS (69)", () => {
  const m = machine("xdg", { nixos: false });
  try {
    assert.match(ok(m, ["--home"]), /^current \(Home Manager generation 3\)\n/);
    json(m, ["list", "--home", "--json"], "GenerationList");
    fail(m, ["list"], 69, "not a NixOS system");
  } finally {
    m.cleanup();
  }
});

test("--home refusals: a user name with /, booted, the system-only subcommands, no Home Manager, Home Manager as a NixOS module", () => {
  const m = machine();
  try {
    for (const user of ["../bob", "a/b", "..", "."]) fail(m, ["list", "--home"], 1, `--home: the user name '${user}' holds a / (or is . or ..)`, { env: { USER: user } });
    fail(m, ["diff", "--home", "1", "2"], 2, "--home: the user name 'x/y' holds a /", { env: { USER: "x/y" } });
    fail(m, ["--home", "booted"], 1, "booted: Home Manager generations are activated, not booted");
    for (const args of [["verify"], ["history"], ["previous"], ["reproduce", "2"]]) {
      fail(m, [...args, "--home"], 64, `--home: ${args[0]} is for system generations only`);
    }
    const bob = { USER: "bob", HOME: join(m.root, "home/bob") };
    fail(m, ["--home"], 1, "--home: no Home Manager generations of bob", { env: bob });
    fail(m, ["diff", "--home", "1"], 2, "--home: no Home Manager generations of bob", { env: bob });
  } finally {
    m.cleanup();
  }
  const n = new Machine({ rootName: "nixprov md home " });
  try {
    n.switchTo(1);
    n.homeManagerAsNixosModule();
    fail(n, ["list", "--home"], 1, "runs as a NixOS module: its generations are the system's");
  } finally {
    n.cleanup();
  }
});

test("--home: hostile recorded values stay data (JSON exact, control characters shown as ? in the human views)", () => {
  const m = new Machine({ rootName: "nixprov md home " });
  try {
    const hostile = "$(touch pwned)`id`'\"\u001b]0;title\u0007\nline";
    m.addHome(1, { metadata: homeMetadata(1, { HOSTNAME: hostile }) });
    const doc = json(m, ["--home", "--json"], "NixosMetadata");
    assert.is(doc.hostname, hostile);
    const shown = ok(m, ["--home"]);
    assert.match(shown, "  HOSTNAME           $(touch pwned)`id`'\"?]0;title??line\n");
    assert.not.match(shown, "\u001b");
  } finally {
    m.cleanup();
  }
});

test.run();

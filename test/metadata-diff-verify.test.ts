/**
 * nixos-metadata diff and verify (issue 9) on fixture machines with varied
 * commits, inputs, a dirty generation, a kernel change and a specialisation,
 * under the whole shell matrix. `nix` is test/fakes/nix (its output chosen
 * per test), or absent.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Machine, defaultMetadata } from "./helpers/fixture.js";
import { runMatrix, type MatrixOptions } from "./helpers/matrix.js";
import { loadSchema, validate } from "./helpers/json-schema.js";
import { buildPath, toolDir } from "./helpers/build-env.js";
import type { RunResult } from "./helpers/shells.js";

const CMD = "nixos-metadata";
const withNix = buildPath(toolDir(["nix"]));
const withoutNix = buildPath(toolDir([]));
const scratch = mkdtempSync(join(tmpdir(), "nixprov diff "));
process.on("exit", () => rmSync(scratch, { recursive: true, force: true }));

/**
 * 1: the first build; 2: nixpkgs and home-manager updated; 3: dirty, kernel
 * 6.12.1, specialisation `gaming`; 4: `gaming` replaced by `work`, host
 * renamed; 5: the same store path as 4 (a rebuild of the same config).
 */
function machine(): Machine {
  const m = new Machine({ rootName: "nixprov diff " });
  const rev = (c: string) => c.repeat(40);
  m.switchTo(1, { time: 1736400000, metadata: defaultMetadata(1, { NIXPKGS_REV: rev("a"), HOME_MANAGER_REV: rev("b") }) });
  m.switchTo(2, { time: 1736403600, metadata: defaultMetadata(2, { NIXPKGS_REV: rev("c"), HOME_MANAGER_REV: rev("d") }) });
  m.switchTo(3, { time: 1736407200, kernel: "6.12.1", specialisations: ["gaming"], metadata: defaultMetadata(3, { GIT_DIRTY: "true", NIXPKGS_REV: rev("c"), HOME_MANAGER_REV: rev("d") }) });
  m.switchTo(4, { time: 1736410800, kernel: "6.12.1", specialisations: ["work"], metadata: defaultMetadata(4, { HOSTNAME: "newhost", NIXPKGS_REV: rev("c"), HOME_MANAGER_REV: rev("d") }) });
  m.switchTo(5, { sameAs: 4, time: 1736414400 });
  m.boot(2);
  return m;
}

function md(m: Machine, args: string[], options: MatrixOptions = {}): RunResult {
  return runMatrix(m, CMD, args, { ...options, env: { PATH: withoutNix, ...options.env } });
}

function diffJson(m: Machine, args: string[], status: number, options: MatrixOptions = {}): Record<string, unknown> {
  const r = md(m, ["diff", ...args, "--json"], options);
  assert.is(r.status, status, `diff ${args.join(" ")}: ${r.stderr}`);
  const doc = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.equal(validate(doc, loadSchema("GenerationDiff")), [], "GenerationDiff schema");
  return doc;
}

test("diff: the commit once with its compare link, inputs with theirs, no repeated fields", () => {
  const m = machine();
  try {
    const a = defaultMetadata(1);
    const b = defaultMetadata(2);
    const doc = diffJson(m, ["1", "2", "--no-closure"], 1);
    assert.equal(doc.commit, {
      from: a.GIT_COMMIT, to: b.GIT_COMMIT, fromShort: a.GIT_SHORT_COMMIT, toShort: b.GIT_SHORT_COMMIT, fromDirty: false, toDirty: false,
      compareUrl: `https://github.com/owner/nixos-config/compare/${a.GIT_COMMIT}...${b.GIT_COMMIT}`,
    });
    assert.equal(doc.inputs, [
      { input: "nixpkgs", field: "NIXPKGS_REV", from: "a".repeat(40), to: "c".repeat(40), compareUrl: `https://github.com/NixOS/nixpkgs/compare/${"a".repeat(40)}...${"c".repeat(40)}` },
      { input: "home-manager", field: "HOME_MANAGER_REV", from: "b".repeat(40), to: "d".repeat(40), compareUrl: `https://github.com/nix-community/home-manager/compare/${"b".repeat(40)}...${"d".repeat(40)}` },
    ]);
    assert.equal(doc.changes, [], "GIT_SHORT_COMMIT, GIT_SOURCE_URL, FLAKE_URL, NIXPKGS_NARHASH are not repeated");
    assert.equal(doc.nixosVersion, { from: "24.05.20240101.abcdef1", to: "24.05.20240101.abcdef2" });
    assert.is(doc.kernelVersion, null);
    assert.is(doc.closure, "skipped");
    assert.equal([doc.from, doc.to, doc.fromGeneration, doc.toGeneration, doc.identical], ["1", "2", 1, 2, false]);
    assert.is(doc.fromPath, m.systemStorePath(1));
    assert.is(doc.toPath, m.systemStorePath(2));

    const text = md(m, ["diff", "1", "2", "--no-closure"]);
    assert.is(text.status, 1);
    assert.is(
      text.stdout,
      "generation 1 → generation 2\n" +
        `  commit           ${a.GIT_SHORT_COMMIT} → ${b.GIT_SHORT_COMMIT}  https://github.com/owner/nixos-config/compare/${a.GIT_COMMIT}...${b.GIT_COMMIT}\n` +
        `  nixpkgs          aaaaaaa → ccccccc  https://github.com/NixOS/nixpkgs/compare/${"a".repeat(40)}...${"c".repeat(40)}\n` +
        `  home-manager     bbbbbbb → ddddddd  https://github.com/nix-community/home-manager/compare/${"b".repeat(40)}...${"d".repeat(40)}\n` +
        "  NixOS            24.05.20240101.abcdef1 → 24.05.20240101.abcdef2\n",
    );
  } finally {
    m.cleanup();
  }
});

test("diff: dirty mark, kernel, specialisations added and removed, another field", () => {
  const m = machine();
  try {
    const three = diffJson(m, ["2", "3", "--no-closure"], 1);
    assert.equal((three.commit as Record<string, unknown>).toDirty, true);
    assert.equal(three.kernelVersion, { from: "6.6.30", to: "6.12.1" });
    assert.equal([three.specialisationsAdded, three.specialisationsRemoved], [["gaming"], []]);
    assert.equal(three.inputs, []);
    const four = diffJson(m, ["3", "4", "--no-closure"], 1);
    assert.equal([four.specialisationsAdded, four.specialisationsRemoved], [["work"], ["gaming"]]);
    assert.equal(four.changes, [{ field: "HOSTNAME", key: "hostname", from: "testhost", to: "newhost" }]);
    assert.is(four.kernelVersion, null);
    const text = md(m, ["diff", "3", "4", "--no-closure"]).stdout;
    assert.match(text, `  commit           ${defaultMetadata(3).GIT_SHORT_COMMIT} (dirty) → ${defaultMetadata(4).GIT_SHORT_COMMIT}  https://`);
    assert.match(text, "  specialisation   + work\n  specialisation   - gaming\n  HOSTNAME         testhost → newhost\n");
  } finally {
    m.cleanup();
  }
});

test("diff: exit 0 for the same store path, 1 for a difference, 2 for an error; current, booted, latest, -N, one argument", () => {
  const m = machine();
  try {
    const same = diffJson(m, ["4", "5"], 0, { env: { PATH: withNix, NIX_STORE_DIR: `${m.root}/nix/store` } });
    assert.equal([same.identical, same.closure, same.packages, same.commit], [true, "compared", [], null]);
    assert.is(md(m, ["diff", "4", "latest"]).stdout, "generation 4 → latest (generation 5)\n  the same store path: identical\n");
    // current is 5; -1 is 4 (the same store path); -2 is 3.
    assert.equal(diffJson(m, ["-1"], 0).to, "current");
    const back = diffJson(m, ["-2", "--no-closure"], 1);
    assert.equal([back.from, back.fromGeneration, back.to, back.toGeneration], ["-2", 3, "current", 5]);
    assert.equal([diffJson(m, ["booted", "2", "--no-closure"], 0).fromGeneration], [2]);
    // Gaps left by collected generations are skipped.
    m.removeStorePath(2);
    rmSync(join(m.profiles, "system-2-link"));
    const gap = diffJson(m, ["-3", "-2", "--no-closure"], 1);
    assert.equal([gap.fromGeneration, gap.toGeneration], [1, 3]);
    for (const [args, message] of [
      [["diff", "9", "1"], "no such generation: 9"],
      [["diff", "x"], "not a generation: 'x'"],
      [["diff", "-9"], "no generation -9: only 3 generations exist below the current one (5)"],
      [["diff", "booted", "1"], "no booted system"],
    ] as [string[], string][]) {
      if (args[1] === "booted") m.removeRun("booted-system");
      const r = md(m, args);
      assert.is(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.is(r.stdout, "");
      assert.match(r.stderr, message);
    }
  } finally {
    m.cleanup();
  }
});

test("diff: packages from nix store diff-closures, parsed (colour, ∅, ε, sizes)", () => {
  const m = machine();
  try {
    const out = join(scratch, "closures.txt");
    const esc = "\u001b";
    writeFileSync(
      out,
      [
        "acpi-call: 2020-04-07-5.8.16 → 2020-04-07-5.8.18",
        `bluez-qt: ${esc}[31;1m+12.6 KiB${esc}[0m`,
        `dolphin: 20.08.1 → 20.08.2, ${esc}[31;1m+13.9 KiB${esc}[0m`,
        `kdeconnect: 20.08.2 → ∅, ${esc}[32;1m-6597.8 KiB${esc}[0m`,
        "linux: 6.6.30, 6.6.30-modules → 6.12.1, +2.5 MiB",
        "nixos-system-testhost: ε → 24.05",
        "zlib: ∅ → 1.3.1",
        "",
      ].join("\n"),
    );
    const log = join(scratch, "nix.log");
    const env = { PATH: withNix, NIX_STORE_DIR: `${m.root}/nix/store`, FAKE_NIX_DIFF_OUT: out, FAKE_NIX_LOG: log };
    const doc = diffJson(m, ["1", "2"], 1, { env });
    assert.is(doc.closure, "compared");
    assert.equal(doc.packages, [
      { name: "acpi-call", from: ["2020-04-07-5.8.16"], to: ["2020-04-07-5.8.18"], sizeDelta: null },
      { name: "bluez-qt", from: [], to: [], sizeDelta: 12902 },
      { name: "dolphin", from: ["20.08.1"], to: ["20.08.2"], sizeDelta: 14234 },
      { name: "kdeconnect", from: ["20.08.2"], to: [], sizeDelta: -6756147 },
      { name: "linux", from: ["6.6.30", "6.6.30-modules"], to: ["6.12.1"], sizeDelta: 2621440 },
      { name: "nixos-system-testhost", from: [""], to: ["24.05"], sizeDelta: null },
      { name: "zlib", from: [], to: ["1.3.1"], sizeDelta: null },
    ]);
    // nix was given the two generations and the experimental feature.
    const call = readFileSync(log, "utf8").trim().split("\n")[0]!.split("\t");
    assert.equal(call, ["--extra-experimental-features", "nix-command", "store", "diff-closures", "--", join(m.profiles, "system-1-link"), join(m.profiles, "system-2-link")]);
    const text = md(m, ["diff", "1", "2"], { env }).stdout;
    assert.match(text, "\nPackages\n  acpi-call                2020-04-07-5.8.16 → 2020-04-07-5.8.18\n  bluez-qt                 +12.6 KiB\n");
    assert.match(text, "  kdeconnect               20.08.2 → ∅, -6597.8 KiB\n");
    assert.not.match(text, esc, "no colour when stdout is no terminal");
    writeFileSync(out, "");
    assert.match(md(m, ["diff", "1", "2"], { env }).stdout, "\nPackages\n  no package changes\n");
  } finally {
    m.cleanup();
  }
});

test("diff: nix missing or failing is one line; the rest is printed, exit 1", () => {
  const m = machine();
  try {
    const none = md(m, ["diff", "1", "2"]);
    assert.is(none.status, 1);
    assert.ok(none.stdout.endsWith("  NixOS            24.05.20240101.abcdef1 → 24.05.20240101.abcdef2\nPackages not compared: nix is not on PATH\n"), none.stdout);
    const failing = diffJson(m, ["1", "2"], 1, { env: { PATH: withNix, NIX_STORE_DIR: `${m.root}/nix/store`, FAKE_NIX_DIFF: "fail" } });
    assert.equal([failing.closure, failing.closureError, failing.packages], ["unavailable", "error: path '/nix/store/x' is not valid", []]);
    assert.match(md(m, ["diff", "1", "2"], { env: { PATH: withNix, NIX_STORE_DIR: `${m.root}/nix/store`, FAKE_NIX_DIFF: "fail" } }).stdout, "Packages not compared: error: path '/nix/store/x' is not valid\n");
    // Below a root whose store is not nix's (NIX_STORE_DIR unset), nix is never asked.
    const log = join(scratch, "nix-unasked.log");
    rmSync(log, { force: true });
    const rooted = diffJson(m, ["1", "2"], 1, { env: { PATH: withNix, FAKE_NIX_LOG: log } });
    assert.equal([rooted.closure, rooted.closureError], ["unavailable", `the generations are below NIXOS_PROVENANCE_ROOT, outside nix's store (NIX_STORE_DIR is not ${m.root}/nix/store)`]);
    assert.not.ok(existsSync(log), "nix was not run");
  } finally {
    m.cleanup();
  }
});

test("diff: hostile recorded values stay data (JSON exact, control characters shown as ?)", () => {
  const m = new Machine({ rootName: "nixprov diff " });
  try {
    m.switchTo(1, { metadata: defaultMetadata(1, { HOSTNAME: "a" }) });
    m.switchTo(2, { metadata: defaultMetadata(2, { HOSTNAME: "$(touch PWNED)\u001b[31m\nx'\"", GIT_COMMIT: "`id`" }) });
    const doc = diffJson(m, ["1", "2", "--no-closure"], 1);
    assert.equal((doc.changes as Record<string, string>[])[0]!.to, "$(touch PWNED)\u001b[31m\nx'\"");
    assert.equal((doc.commit as Record<string, unknown>).to, "`id`");
    assert.is((doc.commit as Record<string, unknown>).compareUrl, null);
    const text = md(m, ["diff", "1", "2", "--no-closure"]).stdout;
    assert.match(text, "  HOSTNAME         a → $(touch PWNED)?[31m?x'\"\n");
  } finally {
    m.cleanup();
  }
});

function verify(m: Machine, args: string[], status: number, env: Record<string, string> = {}): { doc: Record<string, unknown>; text: RunResult } {
  const r = md(m, ["verify", ...args, "--json"], { env: { PATH: withNix, ...env } });
  assert.is(r.status, status, `verify ${args.join(" ")}: ${r.stderr}`);
  const doc = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.equal(validate(doc, loadSchema("GenerationVerify")), [], "GenerationVerify schema");
  const text = md(m, ["verify", ...args], { env: { PATH: withNix, ...env } });
  assert.is(text.status, status, `verify ${args.join(" ")} (text)`);
  return { doc, text };
}

test("verify: reproducible (0), differs (1), evaluation error (3), with the flake reference nix got", () => {
  const m = machine();
  try {
    const log = join(scratch, "verify.log");
    rmSync(log, { force: true });
    const meta = defaultMetadata(2);
    const attr = 'nixosConfigurations."testhost".config.system.build.toplevel.outPath';
    const ok = verify(m, ["2"], 0, { FAKE_NIX_EVAL_OUT: m.systemStorePath(2), FAKE_NIX_LOG: log });
    assert.equal(ok.doc, {
      given: "2", generation: 2, result: "reproducible", storePath: m.systemStorePath(2), evaluatedPath: m.systemStorePath(2),
      flakeRef: meta.FLAKE_URL, attribute: attr, reason: null, error: null,
    });
    assert.is(ok.text.stdout, `generation 2: reproducible\n  store path ${m.systemStorePath(2)}\n  source     ${meta.FLAKE_URL}#${attr}\n`);
    assert.equal(readFileSync(log, "utf8").trim().split("\n")[0]!.split("\t"), ["--extra-experimental-features", "nix-command flakes", "eval", "--raw", "--", `${meta.FLAKE_URL}#${attr}`]);

    const other = "/nix/store/00000000000000000000000000000000-nixos-system-testhost-24.05";
    const differs = verify(m, ["current"], 1, { FAKE_NIX_EVAL_OUT: other });
    assert.equal([differs.doc.result, differs.doc.generation, differs.doc.evaluatedPath, differs.doc.storePath], ["differs", 5, other, m.systemStorePath(5)]);
    assert.match(differs.text.stdout, `  generation ${m.systemStorePath(5)}\n  evaluated  ${other}\n`);

    const failed = verify(m, ["1"], 3, { FAKE_NIX_EVAL: "fail" });
    assert.equal([failed.doc.result, failed.doc.error, failed.doc.evaluatedPath], ["error", "error: The option `services.foo' does not exist.", null]);
    assert.is(failed.text.stdout, "");
    assert.match(failed.text.stderr, "nixos-metadata: evaluation of ");
    const missing = md(m, ["verify", "1", "--json"]);
    assert.is(missing.status, 3);
    assert.is((JSON.parse(missing.stdout) as Record<string, unknown>).error, "nix is not on PATH");
  } finally {
    m.cleanup();
  }
});

test("verify: unverifiable (2) says why: dirty tree, no commit, no flake URL, no such generation", () => {
  const m = machine();
  try {
    m.switchTo(6, { metadata: defaultMetadata(6, { FLAKE_URL: "unknown" }) });
    m.switchTo(7, { metadataText: null, configurationRevision: "f".repeat(40) });
    m.switchTo(8, { metadataText: null });
    const cases: [string, string][] = [
      ["3", "generation 3 was built from a dirty tree: its uncommitted changes are not recorded"],
      ["6", "generation 6 records no flake URL (give a checkout with --flake PATH)"],
      ["7", "generation 7 has no /etc/nixos-metadata (no flake URL or host name recorded)"],
      ["8", "generation 8 records no commit"],
    ];
    for (const [gen, reason] of cases) {
      const { doc, text } = verify(m, [gen], 2, { FAKE_NIX_EVAL: "fail" });
      assert.equal([doc.result, doc.reason, doc.flakeRef, doc.evaluatedPath], ["unverifiable", reason, null, null]);
      assert.is(text.stderr, `nixos-metadata: cannot verify: ${reason}\n`);
      assert.is(text.stdout, "");
    }
    const r = md(m, ["verify", "42"]);
    assert.is(r.status, 2);
    assert.match(r.stderr, "no such generation: 42");
  } finally {
    m.cleanup();
  }
});

test("verify --flake: a local checkout is evaluated at the recorded commit", () => {
  const m = machine();
  try {
    const checkout = join(scratch, "my config");
    mkdirSync(checkout, { recursive: true });
    const log = join(scratch, "flake.log");
    rmSync(log, { force: true });
    const meta = defaultMetadata(6);
    m.switchTo(6, { metadata: defaultMetadata(6, { FLAKE_URL: "unknown" }) });
    const { doc } = verify(m, ["6", "--flake", checkout], 0, { FAKE_NIX_EVAL_OUT: m.systemStorePath(6), FAKE_NIX_LOG: log });
    const ref = `git+file://${checkout.replace(/ /g, "%20")}?rev=${meta.GIT_COMMIT}`;
    assert.is(doc.flakeRef, ref);
    assert.match(readFileSync(log, "utf8"), `--\t${ref}#nixosConfigurations."testhost"`);
    const given = verify(m, ["6", "--flake", "github:me/cfg/abc"], 0, { FAKE_NIX_EVAL_OUT: m.systemStorePath(6) });
    assert.is(given.doc.flakeRef, "github:me/cfg/abc", "a flake reference is used as given");
    const nodir = verify(m, ["6", "--flake", join(scratch, "nope")], 2);
    assert.match(String(nodir.doc.reason), "no such directory");
  } finally {
    m.cleanup();
  }
});

test.run();

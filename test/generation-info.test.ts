/**
 * nixos-generation-info (issue 3): every mode against fixture machines for
 * each situation a status bar meets, under the whole shell matrix (outputs
 * must be identical). Fixture roots contain a space on purpose.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { userInfo, tmpdir } from "node:os";
import { writeFileSync, mkdtempSync, symlinkSync, rmSync, existsSync } from "node:fs";
import { join } from "node:path";
import { Machine, defaultMetadata, renderMetadata } from "./helpers/fixture.js";
import { evalExport, runMatrix, type MatrixOptions } from "./helpers/matrix.js";
import { loadSchema, validate } from "./helpers/json-schema.js";
import type { RunResult } from "./helpers/shells.js";

const CMD = "nixos-generation-info";
const short = (n: number) => defaultMetadata(n).GIT_SHORT_COMMIT!;
const schema = loadSchema("GenerationInfo");

interface Info {
  [key: string]: string | number | boolean | null;
}

/** The seed's export names that do not follow from the key in UPPER_SNAKE. */
const exportOverrides: Record<string, string> = {
  latestGeneration: "LATEST", latestGenerationRaw: "LATEST_RAW",
  homeManagerLatestGeneration: "HOME_MANAGER_LATEST", homeManagerLatestGenerationRaw: "HOME_MANAGER_LATEST_RAW",
};

function machine(user?: string): Machine {
  return new Machine({ rootName: "nixprov gi ", ...(user ? { user } : {}) });
}

/** A machine switched to generations 1..n, booted into n, Home Manager 1..hm activated at hm. */
function inSync(n = 3, hm = 2): Machine {
  const m = machine();
  for (let i = 1; i <= n; i++) m.switchTo(i);
  m.boot(n);
  for (let i = 1; i <= hm; i++) m.addHome(i);
  return m;
}

function gi(m: Machine, args: string[], options: MatrixOptions = {}): RunResult {
  return runMatrix(m, CMD, args, options);
}

/** --json parsed, checked against the emitted JSON Schema. */
function info(m: Machine, options: MatrixOptions = {}): Info {
  const r = gi(m, ["--json"], options);
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stderr, "");
  const doc = JSON.parse(r.stdout) as Info;
  assert.equal(validate(doc, schema), [], "GenerationInfo schema");
  return doc;
}

function out(m: Machine, args: string[], options: MatrixOptions = {}): string {
  const r = gi(m, args, options);
  assert.is(r.status, 0, `${args.join(" ")}: ${r.stderr}`);
  assert.is(r.stderr, "");
  return r.stdout;
}

/** The --export output, evaluated by every shell, equals --json key for key. */
function assertExportMatchesJson(m: Machine, options: MatrixOptions = {}): void {
  const doc = info(m, options);
  const exported = gi(m, ["--export"], options);
  assert.is(exported.status, 0);
  const keys = Object.keys(doc);
  const names = keys.map((k) => `NIXOS_GENERATION_INFO_${exportOverrides[k] ?? k.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase()}`);
  const values = evalExport(exported.stdoutBytes, names, options.skip);
  keys.forEach((key, i) => {
    const v = doc[key];
    const want = v === null ? "unknown" : String(v);
    assert.is(values[i]!.toString("utf8"), want, `${names[i]}`);
  });
}

test("in sync: every mode", () => {
  const m = inSync();
  try {
    const doc = info(m);
    const md = defaultMetadata(3);
    assert.equal(doc, {
      generation: "g3", generationRaw: "3", latestGeneration: "g3", latestGenerationRaw: "3",
      status: "in-sync", outOfSync: 0, commit: md.GIT_COMMIT, shortCommit: short(3), dirty: 0, metadata: 1,
      buildDate: md.BUILD_DATE, sourceUrl: md.GIT_SOURCE_URL, nixpkgsRev: md.NIXPKGS_REV, homeManagerRev: md.HOME_MANAGER_REV,
      homeManagerUser: "alice", homeManagerGeneration: "hm2", homeManagerGenerationRaw: "2", homeManagerLatestGeneration: "hm2",
      homeManagerLatestGenerationRaw: "2", homeManagerOutOfSync: 0, homeManagerStatus: "in-sync", short: `g3@${short(3)} hm2`, warning: "",
      warningParts: "", systemStatus: "in-sync", bootedGeneration: 3, isDirty: false, homeManagerShort: "hm2", booted: true, needsReboot: false, rebootReasons: [],
    });
    assert.is(out(m, ["--short"]), `g3@${short(3)} hm2\n`);
    assert.is(out(m, ["--status"]), "in-sync\n");
    const warning = gi(m, ["--warning"]);
    assert.is(warning.status, 1, "nothing to warn: exit 1");
    assert.is(warning.stdout, "");
    assert.is(out(m, ["--i3blocks"]), "g3 hm2\ng3 hm2\n");
    const bar = JSON.parse(out(m, ["--waybar"]));
    assert.equal(bar, { text: "g3 hm2", tooltip: `System: g3 (latest g3, in-sync), commit ${short(3)}\nHome Manager: hm2 (latest hm2, in-sync)`, class: "in-sync", alt: "in-sync" });
    assert.equal(JSON.parse(out(m, ["--i3status-rs"])), { icon: "", state: "Idle", text: "g3 hm2" });
    assert.is(
      out(m, []),
      `System:        g3 (latest g3, in-sync)\nCommit:        ${short(3)}\nBooted:        g3 (running)\nHome Manager:  hm2 (latest hm2, in-sync) for alice\nStatus:        in-sync\n`,
    );
    assertExportMatchesJson(m);
    const exported = out(m, ["--export"]);
    for (const name of ["SHORT", "HOME_MANAGER_SHORT", "STATUS", "WARNING_PARTS", "GENERATION_RAW", "HOME_MANAGER_GENERATION_RAW"]) {
      assert.ok(exported.includes(`\nNIXOS_GENERATION_INFO_${name}=`), `exports ${name} (read by existing consumers)`);
    }
  } finally {
    m.cleanup();
  }
});

test("built but not activated (nixos-rebuild boot): out of sync", () => {
  const m = inSync();
  try {
    m.addSystem(4);
    m.setProfile(4);
    const doc = info(m);
    assert.is(doc.generation, "g3");
    assert.is(doc.latestGeneration, "g4");
    assert.is(doc.status, "out-of-sync");
    assert.is(doc.systemStatus, "out-of-sync");
    assert.is(doc.warningParts, "g4");
    assert.is(out(m, ["--short"]), `g3@${short(3)} hm2⚠\n`);
    assert.is(out(m, ["--status"]), "out-of-sync\n");
    assert.is(out(m, ["--warning"]), "⚠ g4\n");
    assert.match(out(m, []), "Warning:       system runs g3, latest is g4\n");
    assert.is(out(m, ["--i3blocks"]), "g3 hm2 ⚠\ng3 hm2 ⚠\n#FF5555\n");
    const bar = JSON.parse(out(m, ["--waybar"]));
    assert.is(bar.class, "out-of-sync");
    assert.is(bar.text, "g3 hm2 ⚠");
    assert.is(JSON.parse(out(m, ["--i3status-rs"])).state, "Critical");
    assertExportMatchesJson(m);
  } finally {
    m.cleanup();
  }
});

test("rolled back: current older than latest", () => {
  const m = inSync(5);
  try {
    m.setProfile(4);
    m.activate(4);
    const doc = info(m);
    assert.is(doc.generation, "g4");
    assert.is(doc.latestGeneration, "g5");
    assert.is(doc.status, "out-of-sync");
    assert.is(doc.shortCommit, short(4));
    assert.is(doc.commit, defaultMetadata(4).GIT_COMMIT);
    assert.is(out(m, ["--short"]), `g4@${short(4)} hm2⚠\n`);
  } finally {
    m.cleanup();
  }
});

test("two generations share a store path: the newest one is reported", () => {
  const m = inSync(3);
  try {
    // Rollback to 2, then a rebuild of the same configuration: 4 = 2's store path.
    m.addSystem(4, { sameAs: 2 });
    m.setProfile(4);
    m.activate(4);
    let doc = info(m);
    assert.is(doc.generation, "g4");
    assert.is(doc.status, "in-sync");
    // A newer generation 5 built but not activated: still g4, never the older twin g2.
    m.addSystem(5);
    m.setProfile(5);
    doc = info(m);
    assert.is(doc.generation, "g4");
    assert.is(doc.latestGeneration, "g5");
    assert.is(doc.status, "out-of-sync");
  } finally {
    m.cleanup();
  }
});

test("generation numbers: gaps, several digit counts, odd names ignored", () => {
  const m = machine();
  try {
    for (const n of [7, 95, 1000, 1002]) m.switchTo(n);
    m.boot(1002);
    m.write("nix/var/nix/profiles/system-1003x-link", "");
    m.write("nix/var/nix/profiles/system-abcd-link", "");
    m.write("nix/var/nix/profiles/system--link", "");
    let doc = info(m);
    assert.is(doc.generation, "g1002");
    assert.is(doc.status, "in-sync");
    m.activate(95);
    doc = info(m);
    assert.is(doc.generation, "g95");
    assert.is(doc.latestGeneration, "g1002");
    assert.is(doc.homeManagerStatus, "absent");
  } finally {
    m.cleanup();
  }
});

test("many four-digit generations and odd long names", () => {
  const m = machine();
  try {
    for (let n = 990; n <= 1070; n++) m.addSystem(n);
    m.setProfile(1070);
    m.activate(1070);
    m.write("nix/var/nix/profiles/system-99999x-link", "");
    let doc = info(m);
    assert.is(doc.generation, "g1070");
    assert.is(doc.status, "in-sync");
    m.addSystem(12345);
    doc = info(m);
    assert.is(doc.latestGeneration, "g12345");
    assert.is(doc.generation, "g1070");
    m.activate(995);
    assert.is(info(m).generation, "g995");
  } finally {
    m.cleanup();
  }
});

test("booted differs from current: same kernel, then a new kernel", () => {
  const m = inSync(3);
  try {
    m.boot(2);
    let doc = info(m);
    assert.is(doc.booted, false);
    assert.is(doc.bootedGeneration, 2);
    assert.is(doc.needsReboot, false, "same kernel, initrd and modules");
    assert.is(doc.status, "in-sync");
    m.switchTo(4, { kernel: "6.7.1" });
    doc = info(m);
    assert.is(doc.needsReboot, true);
    assert.is(doc.warningParts, "", "a pending reboot is no side behind");
    assert.is(doc.status, "in-sync");
    assert.is(out(m, ["--short"]), `g4@${short(4)} hm2\n`, "a pending reboot is not out of sync");
    const warning = gi(m, ["--warning"]);
    assert.is(warning.status, 1, "--warning: only sides behind (it goes into prompts)");
    assert.is(warning.stdout, "");
    assert.match(out(m, []), "Warning:       reboot needed (booted g2");
    assert.match(JSON.parse(out(m, ["--waybar"])).tooltip, "Reboot needed (booted g2)");
    assert.is(JSON.parse(out(m, ["--i3status-rs"])).state, "Warning");
    assert.match(out(m, []), "Booted:        g2 (reboot needed: kernel, initrd, kernel-modules changed)\n");
    m.switchTo(5, { kernel: "6.6.30", initrd: "other" });
    assert.is(info(m).needsReboot, true, "a different initrd needs a reboot too");
  } finally {
    m.cleanup();
  }
});

test("Home Manager behind, legacy layout, absent, NixOS module", () => {
  const m = inSync(3, 1);
  try {
    m.addHome(2, { activate: false });
    let doc = info(m);
    assert.is(doc.homeManagerStatus, "out-of-sync");
    assert.is(doc.homeManagerGeneration, "hm1");
    assert.is(doc.homeManagerLatestGeneration, "hm2");
    assert.is(doc.systemStatus, "in-sync");
    assert.is(doc.status, "out-of-sync", "status is overall");
    assert.is(doc.warningParts, "hm2");
    assert.is(out(m, ["--short"]), `g3@${short(3)} hm1⚠\n`);
    assert.is(out(m, ["--warning"]), "⚠ hm2\n");
    assertExportMatchesJson(m);
  } finally {
    m.cleanup();
  }

  const legacy = inSync(2, 0);
  try {
    legacy.addHome(1, { layout: "legacy" });
    legacy.addHome(2, { layout: "legacy" });
    const doc = info(legacy);
    assert.is(doc.homeManagerStatus, "in-sync");
    assert.is(doc.homeManagerGeneration, "hm2");
  } finally {
    legacy.cleanup();
  }

  const absent = inSync(2, 0);
  try {
    const doc = info(absent);
    assert.is(doc.homeManagerStatus, "absent");
    assert.is(doc.homeManagerGeneration, "none");
    assert.is(doc.homeManagerShort, "");
    assert.is(out(absent, ["--short"]), `g2@${short(2)}\n`);
    assert.is(out(absent, ["--i3blocks"]), "g2\ng2\n");
    assert.match(out(absent, []), "Home Manager:  none (no profile for alice)\n");
    absent.homeManagerAsNixosModule();
    const mod = info(absent);
    assert.is(mod.homeManagerStatus, "nixos-module");
    assert.is(mod.status, "in-sync");
    assert.match(out(absent, []), "Home Manager:  NixOS module (no per-user profile for alice)\n");
  } finally {
    absent.cleanup();
  }
});

test("Home Manager: no activation root, profile link gone: unknown, not a failure", () => {
  const m = inSync(2, 0);
  try {
    m.addHome(1, { activate: false });
    assert.is(info(m).homeManagerGeneration, "hm1", "the profile link stands in for the root");
    rmSync(join(m.hmProfiles(), "home-manager"));
    const doc = info(m);
    assert.is(doc.homeManagerStatus, "unknown");
    assert.is(doc.homeManagerGeneration, "unknown");
    assert.is(doc.status, "in-sync");
  } finally {
    m.cleanup();
  }
});

test("USER unset: the effective user's Home Manager is still read", () => {
  const me = userInfo().username;
  const m = new Machine({ rootName: "nixprov gi ", user: me });
  try {
    m.switchTo(1);
    m.addHome(1);
    m.addHome(2, { activate: false });
    const doc = info(m, { env: { USER: undefined } });
    assert.is(doc.homeManagerUser, me);
    assert.is(doc.homeManagerStatus, "out-of-sync");
  } finally {
    m.cleanup();
  }
});

test("HOME that does not exist, XDG_STATE_HOME elsewhere", () => {
  const m = inSync(2, 2);
  try {
    const doc = info(m, { env: { HOME: `${m.root}/no such home` } });
    assert.is(doc.homeManagerStatus, "absent");
    assert.is(doc.status, "in-sync");
    const xdg = info(m, { env: { HOME: `${m.root}/no such home`, XDG_STATE_HOME: `${m.home}/.local/state` } });
    assert.is(xdg.homeManagerStatus, "in-sync");
    const unset = info(m, { env: { HOME: undefined } });
    assert.is(unset.homeManagerStatus, "absent");
  } finally {
    m.cleanup();
  }
});

test("no metadata file: commit from configuration-revision, or unknown", () => {
  const m = machine();
  try {
    m.switchTo(1, { metadataText: null, configurationRevision: "0123456789abcdef0123456789abcdef01234567-dirty" });
    m.boot(1);
    let doc = info(m);
    assert.is(doc.commit, "0123456789abcdef0123456789abcdef01234567");
    assert.is(doc.shortCommit, "0123456");
    assert.is(doc.isDirty, true);
    assert.is(doc.dirty, 1);
    assert.is(doc.metadata, 0);
    assert.is(doc.sourceUrl, "unknown");
    assert.is(out(m, ["--short"]), "g1@0123456*\n");
    m.switchTo(2, { metadataText: null });
    doc = info(m);
    assert.is(doc.commit, "unknown");
    assert.is(doc.isDirty, null);
    assert.is(doc.dirty, 0);
    assert.is(out(m, ["--short"]), "g2\n");
    assertExportMatchesJson(m);
    assert.match(out(m, ["--export"]), "NIXOS_GENERATION_INFO_IS_DIRTY='unknown'\n");
    assert.match(out(m, ["--export"]), "NIXOS_GENERATION_INFO_DIRTY='0'\n");
  } finally {
    m.cleanup();
  }
});

test("older metadata format (unquoted, no schema version) and missing fields", () => {
  const m = machine();
  try {
    m.switchTo(1, { metadataText: "# Git Information\nGIT_COMMIT=8bebe8d5f1c1a3f0e0e5d7f3f2b6c4a1d9e8f7a6\nGIT_DIRTY=true\n" });
    const doc = info(m);
    assert.is(doc.commit, "8bebe8d5f1c1a3f0e0e5d7f3f2b6c4a1d9e8f7a6");
    assert.is(doc.shortCommit, "8bebe8d");
    assert.is(doc.isDirty, true);
    assert.is(doc.buildDate, "unknown", "a field the file lacks");
    assert.is(doc.short, "g1@8bebe8d*");
  } finally {
    m.cleanup();
  }
});

test("missing /run/current-system (container, chroot): unknown, exit 0", () => {
  const m = inSync(2, 1);
  try {
    m.removeRun("current-system");
    m.removeRun("booted-system");
    const doc = info(m);
    assert.is(doc.generation, "unknown");
    assert.is(doc.latestGeneration, "g2");
    assert.is(doc.status, "unknown");
    assert.is(doc.systemStatus, "unknown");
    assert.is(doc.booted, false);
    assert.is(doc.bootedGeneration, null);
    assert.is(out(m, ["--short"]), "g? hm1\n");
    assert.is(out(m, ["--status"]), "unknown\n");
    assert.is(gi(m, ["--warning"]).status, 1);
    assert.match(out(m, []), "Booted:        unknown (no /run/booted-system)\n");
  } finally {
    m.cleanup();
  }
});

test("dangling links: a collected old generation, a dangling current-system", () => {
  const m = inSync(3, 1);
  try {
    m.removeStorePath(1);
    assert.is(info(m).status, "in-sync");
    m.activate(2);
    m.removeStorePath(2);
    const doc = info(m);
    assert.is(doc.generation, "unknown");
    assert.is(doc.status, "unknown");
  } finally {
    m.cleanup();
  }
});

test("no generation and no running system: not NixOS, exit 69", () => {
  const m = machine();
  try {
    const r = gi(m, ["--short"]);
    assert.is(r.status, 69);
    assert.is(r.stdout, "");
    assert.match(r.stderr, /^nixos-generation-info: not a NixOS system: .*\/run\/current-system is missing\n$/);
  } finally {
    m.cleanup();
  }
});

// Hostile and non-UTF-8 commit strings reach --json and --export intact.
const hostile = ["$(touch PWNED)", "`touch PWNED`", "it's '\\''", '"q" \\b', "l1\nl2\n", "${HOME}", "ctl\u0001\u001b[31m\t\rend", "✓ ⚠ é"];
for (const value of hostile) {
  test(`hostile short commit ${JSON.stringify(value)}: --json and --export exact`, () => {
    const m = machine();
    try {
      m.switchTo(1, { metadata: defaultMetadata(1, { GIT_SHORT_COMMIT: value }) });
      const doc = info(m);
      assert.is(doc.shortCommit, value);
      assert.is(doc.short, `g1@${value}`);
      assertExportMatchesJson(m);
      const r = gi(m, ["--waybar"]);
      // The tooltip is shown by the bar: control characters as `?` (issue 13).
      assert.is(JSON.parse(r.stdout).tooltip, `System: g1 (latest g1, in-sync), commit ${value.replace(/[\u0000-\u001f\u007f]/g, "?")}`);
    } finally {
      m.cleanup();
    }
  });
}

test("non-UTF-8 bytes in a value: valid JSON (U+FFFD), exact bytes in --export", () => {
  // yash cannot hold bytes that are invalid in the locale in a variable
  // ("cannot convert ... into a wide character string"): skipped here only.
  const skip = ["yash"];
  const m = machine();
  try {
    const [before, after] = renderMetadata(defaultMetadata(1, { GIT_SHORT_COMMIT: "@@" })).split("@@");
    const text = Buffer.concat([Buffer.from(`${before}ab`), Buffer.from([0xff, 0xfe]), Buffer.from(`cd${after}`)]);
    m.switchTo(1);
    writeFileSync(`${m.storePath(1)}/etc/nixos-metadata`, text);
    const r = gi(m, ["--json"], { skip });
    const doc = JSON.parse(r.stdout) as Info;
    assert.is(doc.shortCommit, "ab\ufffd\ufffdcd");
    const exported = gi(m, ["--export"], { skip });
    const [commit] = evalExport(exported.stdoutBytes, ["NIXOS_GENERATION_INFO_SHORT_COMMIT"], skip);
    assert.ok(commit!.equals(Buffer.concat([Buffer.from("ab"), Buffer.from([0xff, 0xfe]), Buffer.from("cd")])), "bytes kept");
  } finally {
    m.cleanup();
  }
});

test("bad arguments: usage on stderr, exit 64 (EX_USAGE)", () => {
  const m = inSync(1, 0);
  try {
    for (const args of [["--bogus"], ["extra"], ["--short", "--json"], ["-x"]]) {
      const r = gi(m, args);
      assert.is(r.status, 64, args.join(" "));
      assert.is(r.stdout, "");
      assert.match(r.stderr, /^nixos-generation-info: /);
      if (args[0] !== "--short") assert.match(r.stderr, "Usage: nixos-generation-info");
    }
    const help = gi(m, ["--help"]);
    assert.is(help.status, 0);
    assert.match(help.stdout, "Usage: nixos-generation-info");
  } finally {
    m.cleanup();
  }
});


test("status modes run no external command: only the shells (and printf, external in mksh) on PATH", () => {
  const m = inSync(40, 3);
  const dir = mkdtempSync(join(tmpdir(), "nixprov bare path "));
  try {
    for (const tool of ["dash", "bash", "busybox", "mksh", "yash", "printf"]) symlinkSync(executable(tool), join(dir, tool));
    m.addSystem(41);
    m.setProfile(41);
    m.boot(38);
    for (const mode of ["--short", "--status", "--export", "--warning", "--i3blocks", "--waybar", "--i3status-rs", "--json"]) {
      const bare = gi(m, [mode], { env: { PATH: dir } });
      const full = gi(m, [mode]);
      assert.is(bare.stderr, "", `${mode}: ${bare.stderr}`);
      assert.is(bare.stdout, full.stdout, mode);
      assert.is(bare.status, full.status, mode);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    m.cleanup();
  }
});

/** The executable file on PATH (not a shell builtin of the same name). */
function executable(name: string): string {
  const found = (process.env.PATH ?? "/usr/bin:/bin").split(":").map((d) => join(d, name)).find((f) => existsSync(f));
  if (!found) throw new Error(`${name} not on PATH`);
  return found;
}

test.run();

/**
 * nixos-metadata (issue 3): show (human, --json, --export, --field), list,
 * diff, audit and reproduce against fixture machines under the whole shell
 * matrix (outputs must be identical). Fixture roots contain a space.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { writeFileSync, readFileSync, existsSync, symlinkSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Machine, defaultMetadata, renderMetadata } from "./helpers/fixture.js";
import { evalExport, runMatrix, type MatrixOptions } from "./helpers/matrix.js";
import { loadSchema, validate } from "./helpers/json-schema.js";
import { defaultFields } from "../generator/schema/fields.js";
import type { RunResult } from "./helpers/shells.js";

const CMD = "nixos-metadata";

function machine(): Machine {
  return new Machine({ rootName: "nixprov md " });
}

/** Generations 1..n switched to, booted into n. */
function machineWith(n: number): Machine {
  const m = machine();
  for (let i = 1; i <= n; i++) m.switchTo(i, { time: 1736400000 + i * 3600 });
  m.boot(n);
  return m;
}

function md(m: Machine, args: string[], options: MatrixOptions = {}): RunResult {
  return runMatrix(m, CMD, args, options);
}

function ok(m: Machine, args: string[], options: MatrixOptions = {}): string {
  const r = md(m, args, options);
  assert.is(r.status, 0, `${args.join(" ")}: ${r.stderr}`);
  assert.is(r.stderr, "", args.join(" "));
  return r.stdout;
}

function json(m: Machine, args: string[], shape: string, options: MatrixOptions = {}): unknown {
  const doc = JSON.parse(ok(m, args, options)) as unknown;
  assert.equal(validate(doc, loadSchema(shape)), [], `${args.join(" ")}: ${shape} schema`);
  return doc;
}

function fail(m: Machine, args: string[], status: number, message: RegExp | string): RunResult {
  const r = md(m, args);
  assert.is(r.status, status, `${args.join(" ")}: ${r.stderr}`);
  assert.is(r.stdout, "", args.join(" "));
  assert.match(r.stderr, message);
  return r;
}

test("show: current, booted and N, as text", () => {
  const m = machineWith(3);
  try {
    m.boot(2);
    const meta = defaultMetadata(3);
    const text = ok(m, []);
    assert.ok(text.startsWith("current (generation 3)\n  NixOS version      24.05.20240101.abcdef3\n  Kernel             6.6.30\n  Specialisations    none\n\nGit Information\n"), text);
    assert.match(text, `  GIT_COMMIT         ${meta.GIT_COMMIT}\n`);
    assert.match(text, `\nSystem Information\n  HOSTNAME           testhost\n`);
    assert.is(ok(m, ["current"]), text);
    assert.ok(ok(m, ["booted"]).startsWith("booted (generation 2)\n"));
    assert.ok(ok(m, ["1"]).startsWith("generation 1\n"));
  } finally {
    m.cleanup();
  }
});

test("show --json: every schema field, booleans as booleans", () => {
  const m = machineWith(2);
  try {
    const doc = json(m, ["2", "--json"], "NixosMetadata") as Record<string, unknown>;
    const meta = defaultMetadata(2);
    const want: Record<string, unknown> = { schemaVersion: 1 };
    // A field the fixture does not write (one the schema added) is `unknown` (null for a boolean).
    for (const f of defaultFields) want[f.jsonKey] = f.type === "boolean" ? (f.shellVar in meta ? meta[f.shellVar] === "true" : null) : (meta[f.shellVar] ?? "unknown");
    assert.equal(doc, want);
  } finally {
    m.cleanup();
  }
});

test("show --field: shell name or JSON key; unknown field; no metadata", () => {
  const m = machineWith(2);
  try {
    const meta = defaultMetadata(2);
    assert.is(ok(m, ["--field", "GIT_COMMIT"]), `${meta.GIT_COMMIT}\n`);
    assert.is(ok(m, ["2", "--field", "nixpkgsRev"]), `${meta.NIXPKGS_REV}\n`);
    assert.is(ok(m, ["--field=HOSTNAME", "1"]), "testhost\n");
    assert.is(ok(m, ["--field", "kernelVersion"]), "6.6.30\n");
    const bad = md(m, ["--field", "NOPE"]);
    assert.is(bad.status, 64);
    assert.match(bad.stderr, "unknown field: NOPE");
    m.switchTo(3, { metadataText: null, configurationRevision: "abcdef0123456789abcdef0123456789abcdef01" });
    assert.is(ok(m, ["--field", "GIT_COMMIT"]), "abcdef0123456789abcdef0123456789abcdef01\n", "from configuration-revision");
    fail(m, ["--field", "NIXPKGS_REV"], 1, "generation 3) has no /etc/nixos-metadata, so NIXPKGS_REV is unknown");
  } finally {
    m.cleanup();
  }
});

const hostile = ["$(touch PWNED)", "`touch PWNED`", "it's", "'\\''", '"double" \\back\\slash', "line1\nline2\n", "${HOME} ''${x} ''", "a; touch PWNED; b", "ctl\u0001\u001b[31m\t\rend", "unicode ✓ ⚠ é", "trailing newline\n", ""];

test("hostile values: --json exact, --export evaluates back byte for byte", () => {
  const m = machine();
  try {
    const values: Record<string, string> = {};
    defaultFields.forEach((f, i) => (values[f.shellVar] = hostile[i % hostile.length]!));
    m.switchTo(1, { metadata: values });
    const doc = json(m, ["--json"], "NixosMetadata") as Record<string, unknown>;
    for (const f of defaultFields) {
      const v = values[f.shellVar]!;
      if (f.type === "boolean") assert.is(doc[f.jsonKey], null, `${f.jsonKey}: not true/false → null`);
      else assert.is(doc[f.jsonKey], v === "" ? "unknown" : v, f.jsonKey);
    }
    const exported = md(m, ["--export"]);
    assert.is(exported.status, 0);
    const got = evalExport(exported.stdoutBytes, ["METADATA_SCHEMA_VERSION", ...defaultFields.map((f) => f.shellVar)]);
    assert.is(got[0]!.toString(), "1");
    defaultFields.forEach((f, i) => {
      const v = values[f.shellVar]!;
      assert.is(got[i + 1]!.toString("utf8"), v === "" ? "unknown" : v, f.shellVar);
    });
    // --field prints the value itself, whatever it holds.
    assert.is(ok(m, ["--field", "GIT_COMMIT"]), `${values.GIT_COMMIT}\n`);
  } finally {
    m.cleanup();
  }
});

test("non-UTF-8 bytes: JSON stays valid, --export keeps the bytes", () => {
  // yash cannot hold bytes that are invalid in the locale in a variable: skipped for this case only.
  const skip = ["yash"];
  const m = machine();
  try {
    m.switchTo(1);
    const [before, after] = renderMetadata(defaultMetadata(1, { HOSTNAME: "@@" })).split("@@");
    writeFileSync(`${m.storePath(1)}/etc/nixos-metadata`, Buffer.concat([Buffer.from(`${before}h`), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from(`x${after}`)]));
    const doc = JSON.parse(md(m, ["--json"], { skip }).stdout) as Record<string, unknown>;
    assert.is(doc.hostname, "h\ufffd(\ufffdx");
    const list = JSON.parse(md(m, ["list", "--json"], { skip }).stdout) as unknown[];
    assert.is(list.length, 1);
    const [host] = evalExport(md(m, ["--export"], { skip }).stdoutBytes, ["HOSTNAME"], skip);
    assert.ok(host!.equals(Buffer.from([0x68, 0xc3, 0x28, 0xff, 0x78])));
  } finally {
    m.cleanup();
  }
});

test("older metadata (unquoted, no schema version, missing fields) and no metadata", () => {
  const m = machine();
  try {
    m.switchTo(1, { metadataText: "# Git Information\nGIT_COMMIT=8bebe8d5f1c1a3f0e0e5d7f3f2b6c4a1d9e8f7a6\nGIT_SHORT_COMMIT=8bebe8d\nGIT_DIRTY=false\nNIXPKGS_REV=abc123\n" });
    m.switchTo(2, { metadataText: null, configurationRevision: "0123456789abcdef0123456789abcdef01234567-dirty", specialisations: ["gaming", "work"] });
    const old = json(m, ["1", "--json"], "NixosMetadata") as Record<string, unknown>;
    assert.is(old.schemaVersion, 0);
    assert.is(old.commit, "8bebe8d5f1c1a3f0e0e5d7f3f2b6c4a1d9e8f7a6");
    assert.is(old.nixpkgsRev, "abc123");
    assert.is(old.hostname, "unknown");
    const none = json(m, ["2", "--json"], "NixosMetadata") as Record<string, unknown>;
    assert.is(none.commit, "0123456789abcdef0123456789abcdef01234567");
    assert.is(none.dirty, true);
    assert.is(none.flakeUrl, "unknown");
    const text = ok(m, ["2"]);
    assert.match(text, "  Specialisations    gaming work\n");
    assert.match(text, "No /etc/nixos-metadata: built before nixos-provenance was enabled.\n");
    assert.match(text, "  Commit             0123456789abcdef0123456789abcdef01234567\n  Dirty              true\n");
  } finally {
    m.cleanup();
  }
});

test("bad generation arguments: exit 1, no path built from them", () => {
  const m = machineWith(2);
  try {
    fail(m, ["7"], 1, "nixos-metadata: no such generation: 7\n");
    fail(m, ["x"], 1, "not a generation: 'x' (expected current, booted, latest, -N or a generation number)");
    fail(m, ["../../../etc"], 1, "not a generation");
    fail(m, ["1/../2"], 1, "not a generation");
    fail(m, [""], 1, "not a generation: ''");
    fail(m, ["diff", "1", "x"], 2, "not a generation: 'x'");
    fail(m, ["-5"], 1, "no generation -5: only 1 generations exist below the current one (2)");
    fail(m, ["reproduce", "9"], 1, "no such generation: 9");
    m.removeStorePath(1);
    fail(m, ["1"], 1, "generation 1 is a dangling link (its store path is gone)");
    m.removeRun("current-system");
    m.removeRun("booted-system");
    fail(m, [], 1, "no running system:");
    fail(m, ["booted"], 1, "no booted system:");
  } finally {
    m.cleanup();
  }
});

test("bad options: usage on stderr, exit 64 (EX_USAGE)", () => {
  const m = machineWith(1);
  try {
    for (const args of [["--bogus"], ["-x"], ["--json", "--export"], ["--field"], ["list", "1"], ["list", "--export"], ["diff"], ["diff", "1", "2", "3"], ["history", "--field", "X"], ["history", "-n", "0"], ["history", "-n", "x"], ["previous", "--json"], ["reproduce"], ["reproduce", "1", "--json"], ["1", "2"], ["audit", "--field", "X"]]) {
      const r = md(m, args);
      assert.is(r.status, 64, args.join(" "));
      assert.is(r.stdout, "");
      assert.match(r.stderr, /^nixos-metadata: .*\nUsage: nixos-metadata/);
    }
    assert.match(ok(m, ["--help"]), "Usage: nixos-metadata");
  } finally {
    m.cleanup();
  }
});

test("list --json: every generation, current/booted, old ones, dates, specialisations", () => {
  const m = machine();
  try {
    m.switchTo(1, { metadataText: null, configurationRevision: "1111111111111111111111111111111111111111", time: 1736400000, kernel: "6.1.0" });
    m.switchTo(2, { time: 1736403600, specialisations: ["gaming", "work"] });
    m.switchTo(10, { time: 1736407200, metadata: defaultMetadata(10, { GIT_DIRTY: "true" }) });
    m.switchTo(11, { time: 1736410800 });
    m.boot(10);
    m.activate(10);
    m.write("nix/var/nix/profiles/system-12x-link", "");
    m.write("nix/var/nix/profiles/system-0013-link", "");
    const list = json(m, ["list", "--json"], "GenerationList") as Record<string, unknown>[];
    assert.equal(list.map((g) => g.generation), [1, 2, 10, 11]);
    assert.equal(list[0], {
      generation: 1, date: "2025-01-09 05:20:00", activated: null, latest: false, nixosVersion: "24.05.20240101.abcdef1", kernelVersion: "6.1.0",
      configurationRevision: "1111111111111111111111111111111111111111", specialisations: [], current: false, booted: false,
      commit: "1111111111111111111111111111111111111111", dirty: null, nixpkgsRev: "unknown", hasMetadata: false,
    });
    const ten = defaultMetadata(10);
    assert.equal(list[2], {
      generation: 10, date: "2025-01-09 07:20:00", activated: null, latest: false, nixosVersion: "24.05.20240101.abcdef0", kernelVersion: "6.6.30",
      configurationRevision: ten.GIT_COMMIT, specialisations: [], current: true, booted: true,
      commit: ten.GIT_COMMIT, dirty: true, nixpkgsRev: ten.NIXPKGS_REV, hasMetadata: true,
    });
    assert.equal(list[1]!.specialisations, ["gaming", "work"]);
    assert.is(list[3]!.current, false);
    assert.is(list[3]!.latest, true);
  } finally {
    m.cleanup();
  }
});

test("list: text table", () => {
  const m = machineWith(2);
  try {
    m.switchTo(3, { metadataText: null, time: 1736400000 + 3 * 3600 });
    const text = ok(m, ["list"]);
    const c = (n: number) => defaultMetadata(n).GIT_SHORT_COMMIT;
    const n = (i: number) => defaultMetadata(i).NIXPKGS_REV!.slice(0, 7);
    const row = (...cols: string[]) => `${cols[0]!.padEnd(6)} ${cols[1]!.padEnd(19)} ${cols[2]!.padEnd(19)} ${cols[3]!.padEnd(9)} ${cols[4]!.padEnd(8)} ${cols[5]!.padEnd(28)} ${cols[6]!.padEnd(10)} ${cols[7]}\n`;
    assert.is(
      text,
      row("GEN", "DATE", "ACTIVATED", "COMMIT", "NIXPKGS", "NIXOS", "KERNEL", "FLAGS") +
        row("1", "2025-01-09 06:20:00", "-", c(1)!, n(1), "24.05.20240101.abcdef1", "6.6.30", "") +
        row("2", "2025-01-09 07:20:00", "-", c(2)!, n(2), "24.05.20240101.abcdef2", "6.6.30", "booted") +
        row("3", "2025-01-09 08:20:00", "-", "unknown", "unknown", "24.05.20240101.abcdef3", "6.6.30", "current,latest,no-metadata"),
    );
  } finally {
    m.cleanup();
  }
});

/** A PATH with only the shells, awk, id and printf (mksh has no printf builtin), plus `stat` from busybox when asked. */
function minimalPath(stat: "busybox" | "none"): { path: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), "nixprov path "));
  // The executable file, not a shell builtin of the same name.
  const which = (name: string) => {
    const found = (process.env.PATH ?? "/usr/bin:/bin").split(":").map((d) => join(d, name)).find((f) => existsSync(f));
    if (!found) throw new Error(`${name} not on PATH`);
    return found;
  };
  for (const tool of ["dash", "bash", "busybox", "mksh", "yash", "awk", "id", "printf"]) symlinkSync(which(tool), join(dir, tool));
  if (stat === "busybox") {
    writeFileSync(join(dir, "stat"), `#!${which("dash")}\nexec ${which("busybox")} stat "$@"\n`, { mode: 0o755 });
  }
  return { path: dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

test("list dates: busybox stat gives the same dates; without stat they are unknown", () => {
  const m = machineWith(2);
  const bb = minimalPath("busybox");
  const none = minimalPath("none");
  try {
    const gnu = ok(m, ["list", "--json"]);
    assert.is(ok(m, ["list", "--json"], { env: { PATH: bb.path } }), gnu);
    const list = JSON.parse(ok(m, ["list", "--json"], { env: { PATH: none.path } })) as Record<string, unknown>[];
    assert.equal(list.map((g) => g.date), ["unknown", "unknown"]);
    assert.equal(list.map((g) => g.commit), (JSON.parse(gnu) as Record<string, unknown>[]).map((g) => g.commit));
  } finally {
    bb.cleanup();
    none.cleanup();
    m.cleanup();
  }
});

test("list with no generation; list --json of dangling links", () => {
  const m = machine();
  try {
    // A NixOS machine whose profile has no generation link (without
    // /run/current-system too it is no NixOS: test/not-nixos.test.ts).
    symlinkSync(join(m.root, "nix/store/none-nixos-system"), join(m.root, "run/current-system"));
    assert.is(ok(m, ["list"]), "no system generations\n");
    assert.equal(json(m, ["list", "--json"], "GenerationList"), []);
    m.switchTo(1);
    m.switchTo(2);
    m.removeStorePath(1);
    const list = json(m, ["list", "--json"], "GenerationList") as Record<string, unknown>[];
    assert.equal(list.map((g) => [g.generation, g.hasMetadata, g.commit]), [[1, false, "unknown"], [2, true, defaultMetadata(2).GIT_COMMIT]]);
  } finally {
    m.cleanup();
  }
});

test("audit: nixpkgs revisions and the generations that used each", () => {
  const m = machineWith(7);
  try {
    m.switchTo(8, { metadataText: null });
    const rev = (n: number) => defaultMetadata(n).NIXPKGS_REV!;
    // defaultMetadata shares a nixpkgs revision between generations 1-3, 4-6, 7-9.
    assert.equal(json(m, ["audit", "--json"], "NixpkgsAudit"), [
      { nixpkgsRev: rev(1), generations: [1, 2, 3] },
      { nixpkgsRev: rev(4), generations: [4, 5, 6] },
      { nixpkgsRev: rev(7), generations: [7] },
      { nixpkgsRev: "unknown", generations: [8] },
    ]);
    assert.is(
      ok(m, ["audit"]),
      `${"NIXPKGS REVISION".padEnd(40)} GENERATIONS\n${rev(1)} 1-3\n${rev(4)} 4-6\n${rev(7)} 7\n${"unknown".padEnd(40)} 8\n`,
    );
  } finally {
    m.cleanup();
  }
});

test("diff: the commit once, with a compare link from the forge table", () => {
  const m = machineWith(2);
  try {
    const a = defaultMetadata(1);
    const b = defaultMetadata(2);
    const r = md(m, ["diff", "1", "current", "--json", "--no-closure"]);
    assert.is(r.status, 1, "the generations differ");
    const doc = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.equal(validate(doc, loadSchema("GenerationDiff")), []);
    assert.is(doc.from, "1");
    assert.is(doc.to, "current");
    assert.is((doc.commit as Record<string, unknown>).compareUrl, `https://github.com/owner/nixos-config/compare/${a.GIT_COMMIT}...${b.GIT_COMMIT}`);
    const text = md(m, ["diff", "1", "2", "--no-closure"]).stdout;
    assert.ok(text.startsWith(`generation 1 → generation 2\n  commit           ${a.GIT_SHORT_COMMIT} → ${b.GIT_SHORT_COMMIT}  https://github.com/owner/nixos-config/compare/${a.GIT_COMMIT}...${b.GIT_COMMIT}\n`), text);
    assert.is(ok(m, ["diff", "2", "2"]), "generation 2 → generation 2\n  the same store path: identical\n");
  } finally {
    m.cleanup();
  }
});

test("diff: GitLab, unknown forge, hostile URL", () => {
  const m = machine();
  try {
    const c1 = "1".repeat(40);
    const c2 = "2".repeat(40);
    m.switchTo(1, { metadata: defaultMetadata(1, { GIT_COMMIT: c1, FLAKE_URL: `gitlab:group/repo.git/${c1}`, GIT_SOURCE_URL: "unknown" }) });
    m.switchTo(2, { metadata: defaultMetadata(2, { GIT_COMMIT: c2, FLAKE_URL: `gitlab:group/repo.git/${c2}`, GIT_SOURCE_URL: "unknown" }) });
    m.switchTo(3, { metadata: defaultMetadata(3, { GIT_COMMIT: "3".repeat(40), FLAKE_URL: "git+https://example.org/x.git", GIT_SOURCE_URL: "unknown" }) });
    m.switchTo(4, { metadata: defaultMetadata(4, { GIT_COMMIT: "$(touch PWNED)", FLAKE_URL: "github:o/r/$(x)", GIT_SOURCE_URL: "unknown" }) });
    const diff = (a: string, b: string) => {
      const r = md(m, ["diff", a, b, "--json", "--no-closure"]);
      assert.is(r.status, 1, r.stderr);
      const doc = JSON.parse(r.stdout) as Record<string, unknown>;
      assert.equal(validate(doc, loadSchema("GenerationDiff")), []);
      return doc.commit as Record<string, unknown>;
    };
    assert.is(diff("1", "2").compareUrl, `https://gitlab.com/group/repo/-/compare/${c1}...${c2}`);
    assert.is(diff("2", "3").compareUrl, `https://gitlab.com/group/repo/-/compare/${c2}...${"3".repeat(40)}`, "falls back to the first generation's forge");
    const bad = diff("3", "4");
    assert.is(bad.compareUrl, null, "a commit that is not hex gets no link");
    assert.is(bad.to, "$(touch PWNED)");
  } finally {
    m.cleanup();
  }
});

test("reproduce: exact commands, quoted; dirty warning; no commit → exit 1", () => {
  const m = machineWith(2);
  try {
    const meta = defaultMetadata(2);
    assert.is(
      ok(m, ["reproduce", "2"]),
      `# generation 2: commit ${meta.GIT_COMMIT}, nixpkgs ${meta.NIXPKGS_REV}\n\n# From a checkout of the configuration:\ngit checkout '${meta.GIT_COMMIT}'\nsudo nixos-rebuild switch --flake '.#testhost'\n\n# Or straight from the recorded flake reference:\nsudo nixos-rebuild switch --flake '${meta.FLAKE_URL}#testhost'\n`,
    );
    m.switchTo(3, { metadata: defaultMetadata(3, { GIT_DIRTY: "true", HOSTNAME: "it's", FLAKE_URL: "unknown" }) });
    const text = ok(m, ["reproduce", "current"]);
    assert.match(text, "# Warning: built from a dirty tree; its uncommitted changes are not recorded, so the result may differ.\n");
    assert.match(text, "sudo nixos-rebuild switch --flake '.#it'\\''s'\n");
    assert.not.match(text, "Or straight from");
    m.switchTo(4, { metadataText: null });
    fail(m, ["reproduce", "4"], 1, "generation 4 records no commit");
  } finally {
    m.cleanup();
  }
});

test("list and audit: the same number of processes for 5 and 60 generations", () => {
  const counts: number[] = [];
  for (const n of [5, 60]) {
    const m = machineWith(n);
    const dir = mkdtempSync(join(tmpdir(), "nixprov counting path "));
    try {
      const log = join(dir, "log");
      const real = (name: string) => (process.env.PATH ?? "/usr/bin:/bin").split(":").map((d) => join(d, name)).find((f) => existsSync(f))!;
      // Every external command the list may run, logged.
      for (const tool of ["stat", "awk", "id", "printf", "cat", "sed", "readlink", "ls", "date", "find", "sort"]) {
        writeFileSync(join(dir, tool), `#!${real("dash")}\nprintf '%s\\n' ${tool} >>'${log}'\nexec ${real(tool)} "$@"\n`, { mode: 0o755 });
      }
      for (const shell of ["dash", "bash", "busybox", "mksh", "yash"]) symlinkSync(real(shell), join(dir, shell));
      // mksh runs printf as an external command: leave it out of the count.
      const r = md(m, ["list", "--json"], { env: { PATH: dir }, skip: ["mksh"] });
      assert.is(r.status, 0, r.stderr);
      assert.is((JSON.parse(r.stdout) as unknown[]).length, n);
      const lines = readFileSync(log, "utf8").trim().split("\n");
      assert.equal([...new Set(lines)].sort(), ["awk", "stat"], "only stat and awk");
      counts.push(lines.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      m.cleanup();
    }
  }
  assert.is(counts[0], counts[1], "independent of the number of generations");
  // Two stats: the links' dates, and (stat -L) what each generation's three
  // files are and how large, so that no FIFO or device is opened (issue 13).
  assert.is(counts[0], 12, "two stats and one awk per shell (four shells)");
});

test.run();

/**
 * The activation history (issue 9): nixos-provenance-activate run the way
 * the activation script runs it (switch, test, boot, dry-activate) against
 * a fixture root, under each shell; then `nixos-metadata history`,
 * `previous` and `list` reading it, under the whole matrix. Also the
 * failure cases: a corrupt history kept aside, a read-only directory, no
 * directory at boot, the cap on its length.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Machine, defaultMetadata } from "./helpers/fixture.js";
import { runMatrix } from "./helpers/matrix.js";
import { loadSchema, validate } from "./helpers/json-schema.js";
import { runCommand, shells, type RunResult, type Shell } from "./helpers/shells.js";
import { toolDir } from "./helpers/build-env.js";

const stateDir = (m: Machine) => join(m.root, "var/lib/nixos-provenance");
const historyFile = (m: Machine) => join(stateDir(m), "activation-history.json");

function machine(): Machine {
  const m = new Machine({ rootName: "nixprov act " });
  m.switchTo(1, { time: 1736400000 });
  m.switchTo(2, { time: 1736403600, metadata: defaultMetadata(2, { GIT_DIRTY: "true" }) });
  m.addSystem(3, { time: 1736407200 });
  m.setProfile(3);
  m.boot(1);
  m.activate(2);
  return m;
}

/** What the activation script does: run the command with NIXOS_ACTION set (or not) and $systemConfig. */
function activate(shell: Shell, m: Machine, n: number, action: string | undefined, extra: Record<string, string> = {}): RunResult {
  return runCommand(shell, "nixos-provenance-activate", ["--system", m.storePath(n)], { env: m.env({ NIXOS_ACTION: action, ...extra }) });
}

function records(m: Machine): Record<string, unknown>[] {
  const lines = readFileSync(historyFile(m), "utf8").split("\n");
  assert.is(lines[0], "[");
  assert.is(lines.at(-2), "]");
  const docs = JSON.parse(lines.join("\n")) as Record<string, unknown>[];
  for (const doc of docs) assert.equal(validate(doc, loadSchema("ActivationRecord")), [], "ActivationRecord schema");
  return docs;
}

for (const shell of shells) {
  test(`activate (${shell.name}): switch, test, dry-activate, boot; each record from the fixture's links`, () => {
    const m = machine();
    try {
      mkdirSync(stateDir(m), { recursive: true });
      // switch to 3 while 2 runs (the activation script points /run/current-system at 3 after the snippets).
      let r = activate(shell, m, 3, "switch");
      assert.is(r.status, 0, r.stderr);
      assert.is(r.stderr, "");
      m.activate(3);
      r = activate(shell, m, 2, "test");
      assert.is(r.status, 0, r.stderr);
      m.activate(2);
      r = activate(shell, m, 3, "dry-activate");
      assert.equal([r.status, r.stdout, r.stderr], [0, "", ""]);
      // A reboot into 3: /run is empty again when stage 2 runs the activation.
      m.removeRun("current-system");
      m.removeRun("booted-system");
      r = activate(shell, m, 3, undefined);
      assert.is(r.status, 0, r.stderr);
      const got = records(m);
      assert.equal(got.map((x) => [x.action, x.generation, x.storePath, x.bootedGeneration, x.previousGeneration, x.previousStorePath]), [
        ["switch", 3, m.systemStorePath(3), 1, 2, m.systemStorePath(2)],
        ["test", 2, m.systemStorePath(2), 1, 3, m.systemStorePath(3)],
        ["boot", 3, m.systemStorePath(3), 3, 2, m.systemStorePath(2)],
      ]);
      assert.equal([got[1]!.commit, got[1]!.dirty], [defaultMetadata(2).GIT_COMMIT, true]);
      assert.ok((got[0]!.timestamp as number) <= (got[2]!.timestamp as number));
      assert.equal(readdirSync(stateDir(m)), ["activation-history.json"], "no temporary file left");
    } finally {
      m.cleanup();
    }
  });
}

test("activate: never writes outside its directory; every failure is one line and exit 1", () => {
  const [dash] = shells;
  const m = machine();
  try {
    // At boot the directory is not made (/var may not be mounted yet).
    let r = activate(dash!, m, 2, undefined);
    assert.equal([r.status, r.stderr], [1, `nixos-provenance-activate: not recorded: ${stateDir(m)} does not exist (yet); the first switch makes it\n`]);
    assert.not.ok(existsSync(stateDir(m)));
    // A switch makes it.
    assert.is(activate(dash!, m, 2, "switch").status, 0);
    // A corrupt history is moved aside, never overwritten.
    writeFileSync(historyFile(m), "{ not json\n");
    r = activate(dash!, m, 2, "switch");
    assert.is(r.status, 0);
    assert.match(r.stderr, /was not a valid history; moved to .*activation-history\.json\.corrupt-/);
    const aside = readdirSync(stateDir(m)).filter((f) => f.includes(".corrupt-"));
    assert.is(aside.length, 1);
    assert.is(readFileSync(join(stateDir(m), aside[0]!), "utf8"), "{ not json\n");
    assert.is(records(m).length, 1);
    // Lines are checked as JSON, not by shape: one that starts with { and
    // ends with } but is no object is not kept (the build history's reader).
    const shaped = `[\n{"time":"2025-01-09T05:20:00Z"}"}\n]\n`;
    writeFileSync(historyFile(m), shaped);
    r = activate(dash!, m, 2, "switch");
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stderr, "was not a valid history; moved to");
    assert.ok(readdirSync(stateDir(m)).some((f) => f.includes(".corrupt-") && readFileSync(join(stateDir(m), f), "utf8") === shaped), "the shaped line is kept aside, whole");
    assert.is(records(m).length, 1);
    // A read-only directory (as a non-root user would see it; root ignores modes, so only when not root).
    if (process.getuid?.() !== 0) {
      chmodSync(stateDir(m), 0o555);
      r = activate(dash!, m, 2, "switch");
      assert.is(r.status, 1);
      chmodSync(stateDir(m), 0o755);
    }
    // A history that is a symlink is replaced, not followed.
    const elsewhere = join(m.root, "elsewhere.json");
    writeFileSync(elsewhere, "[\n]\n");
    rmSync(historyFile(m));
    symlinkSync(elsewhere, historyFile(m));
    r = activate(dash!, m, 2, "switch");
    assert.is(r.status, 0);
    assert.is(readFileSync(elsewhere, "utf8"), "[\n]\n", "the link's target is untouched");
    // A state directory that is a symlink is refused.
    const real = join(m.root, "var/lib/real");
    rmSync(stateDir(m), { recursive: true });
    mkdirSync(real);
    symlinkSync(real, stateDir(m));
    r = activate(dash!, m, 2, "switch");
    assert.equal([r.status, readdirSync(real)], [1, []]);
    assert.match(r.stderr, "is a symbolic link (not followed)");
    // A system that is no directory, an unknown action.
    rmSync(stateDir(m));
    r = runCommand(dash!, "nixos-provenance-activate", ["--system", join(m.root, "nope")], { env: m.env({ NIXOS_ACTION: "switch" }) });
    assert.equal([r.status, r.stderr], [1, `nixos-provenance-activate: not recorded: ${join(m.root, "nope")} is no system\n`]);
    r = runCommand(dash!, "nixos-provenance-activate", ["--system", m.storePath(2), "--action", "reboot"], { env: m.env() });
    assert.is(r.status, 64);
  } finally {
    m.cleanup();
  }
});

test("activate: the history keeps the last NIXOS_PROVENANCE_HISTORY_LENGTH records", () => {
  const [dash] = shells;
  const m = machine();
  try {
    mkdirSync(stateDir(m), { recursive: true });
    for (const n of [1, 2, 3, 1, 2]) assert.is(activate(dash!, m, n, "switch", { NIXOS_PROVENANCE_HISTORY_LENGTH: "3" }).status, 0);
    assert.equal(records(m).map((r) => r.generation), [3, 1, 2]);
  } finally {
    m.cleanup();
  }
});

/** A history written by hand in the record's form: generation, time (seconds), action, previous. */
function writeHistory(m: Machine, entries: [number | null, number, string, number | null][]): void {
  mkdirSync(stateDir(m), { recursive: true });
  const line = ([g, t, action, prev]: [number | null, number, string, number | null]) => {
    const time = new Date(t * 1000).toISOString().replace(/\.000Z$/, "Z");
    const path = g === null ? "/nix/store/x-test" : m.systemStorePath(g);
    return JSON.stringify({ time, timestamp: t, action, generation: g, storePath: path, commit: g === null ? "unknown" : defaultMetadata(g).GIT_COMMIT, dirty: g === 2, bootedGeneration: 1, previousGeneration: prev, previousStorePath: prev === null ? null : m.systemStorePath(prev) });
  };
  writeFileSync(historyFile(m), `[\n${entries.map(line).join(",\n")}\n]\n`);
}

/**
 * date(1) with its clock stopped for `date +%s` (how long the newest
 * activation has run is "now" minus its time): the shells of the matrix run
 * one after the other, and a second ticking between two of them made their
 * outputs differ. Any other use goes to the real date.
 */
const stoppedClock = toolDir([], { date: `#!/bin/sh\nif [ "$#" = 1 ] && [ "$1" = +%s ]; then printf '%s\\n' "$FAKE_NOW"; exit 0; fi\nexec /usr/bin/date "$@"\n` });

test("history, previous and list read the history (newest first, how long each ran, activated dates)", () => {
  const m = machine();
  try {
    const env = { env: { TZ: "UTC", PATH: `${stoppedClock}:${process.env.PATH ?? "/usr/bin:/bin"}`, FAKE_NOW: "1736420000" } };
    assert.is(runMatrix(m, "nixos-metadata", ["history"], env).stdout, "no activations recorded\n");
    assert.is(runMatrix(m, "nixos-metadata", ["previous"], env).status, 1);
    writeHistory(m, [[1, 1736400000, "boot", null], [2, 1736403600, "switch", 1], [null, 1736407200, "test", 2], [3, 1736410800, "switch", null], [2, 1736414400, "switch", 3]]);
    const docs = JSON.parse(runMatrix(m, "nixos-metadata", ["history", "--json"], env).stdout) as Record<string, unknown>[];
    assert.equal(validate(docs, loadSchema("ActivationHistory")), []);
    assert.equal(docs.map((d) => [d.generation, d.action, d.previousGeneration, d.current]), [[2, "switch", 3, true], [3, "switch", null, false], [null, "test", 2, false], [2, "switch", 1, false], [1, "boot", null, false]]);
    assert.equal(docs.slice(1).map((d) => d.ranSeconds), [3600, 3600, 3600, 3600]);
    assert.is(docs[0]!.ranSeconds, 1736420000 - 1736414400, "the newest runs until now");
    const text = runMatrix(m, "nixos-metadata", ["history", "-n", "2"], env).stdout.split("\n");
    assert.equal(text.length, 4);
    assert.is(text[0], `${"ACTIVATED (UTC)".padEnd(20)} ${"GEN".padEnd(6)} ${"ACTION".padEnd(7)} ${"COMMIT".padEnd(9)} ${"RAN".padEnd(9)} ${"BEFORE".padEnd(8)} FLAGS`);
    assert.is(text[2], `${"2025-01-09 08:20:00".padEnd(20)} ${"3".padEnd(6)} ${"switch".padEnd(7)} ${defaultMetadata(3).GIT_SHORT_COMMIT!.padEnd(9)} ${"1h 0m".padEnd(9)} ${"-".padEnd(8)} `);
    assert.match(text[1]!, `${defaultMetadata(2).GIT_SHORT_COMMIT}* `);
    // previous: the newest record that is not the running system (2) and names a generation.
    assert.is(runMatrix(m, "nixos-metadata", ["previous"], env).stdout, "3\n");
    const list = JSON.parse(runMatrix(m, "nixos-metadata", ["list", "--json"], env).stdout) as Record<string, unknown>[];
    assert.equal(validate(list, loadSchema("GenerationList")), []);
    assert.equal(list.map((g) => [g.generation, g.activated, g.latest]), [[1, "2025-01-09 05:20:00", false], [2, "2025-01-09 09:20:00", false], [3, "2025-01-09 08:20:00", true]]);
    // A file that is no history is reported, and left as it is.
    writeFileSync(historyFile(m), "garbage\n");
    const bad = runMatrix(m, "nixos-metadata", ["history"], env);
    assert.equal([bad.status, bad.stdout], [1, ""]);
    assert.match(bad.stderr, "is not an activation history (it was kept as it is)");
    assert.is(readFileSync(historyFile(m), "utf8"), "garbage\n");
  } finally {
    m.cleanup();
  }
});

test.run();

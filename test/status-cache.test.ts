/**
 * nixos-generation-info's status cache (a poll answered from
 * $NIXOS_PROVENANCE_CACHE_DIR): in every shell, each answer is the one the
 * uncached computation gives, right after links change, even within the
 * same second as the previous call; a cached answer is served without
 * computing; nothing is cached where it cannot be trusted.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Machine, defaultMetadata } from "./helpers/fixture.js";
import { runCommand, shells, type Shell } from "./helpers/shells.js";

const polls = ["--short", "--status", "--warning", "--export", "--json", "--waybar", "--i3blocks", "--i3status-rs"];

function gi(shell: Shell, m: Machine, args: string[], env: Record<string, string>) {
  return runCommand(shell, "nixos-generation-info", args, { env: m.env({ TZ: "UTC", ...env }) });
}

for (const shell of shells) {
  test(`${shell.name}: every poll answers like the uncached command, before and after links change`, () => {
    const m = new Machine();
    const cache = mkdtempSync(join(tmpdir(), "nixprov-cache-"));
    try {
      for (let i = 1; i <= 3; i++) m.switchTo(i);
      m.boot(3);
      m.addHome(1);
      // Every mode under dash; under the other shells the three whose
      // answers differ most in shape (one line, an exit status, JSON).
      const modes = shell.name === "dash" ? polls : ["--short", "--warning", "--json"];
      const check = (label: string) => {
        for (const mode of modes) {
          const cached = gi(shell, m, [mode], { NIXOS_PROVENANCE_CACHE_DIR: cache });
          const again = gi(shell, m, [mode], { NIXOS_PROVENANCE_CACHE_DIR: cache });
          const plain = gi(shell, m, [mode], { NIXOS_PROVENANCE_NO_CACHE: "1" });
          assert.is(cached.stdout, plain.stdout, `${label} ${mode}: first call`);
          assert.is(again.stdout, plain.stdout, `${label} ${mode}: second call`);
          assert.is(cached.status, plain.status, `${label} ${mode}: status`);
          assert.is(again.status, plain.status, `${label} ${mode}: status, second call`);
          assert.is(again.stderr, "", `${label} ${mode}: stderr`);
        }
      };
      // Each change follows the previous calls at once: within the same
      // second, which a coarse clock cannot tell apart.
      check("in sync");
      m.addSystem(4);
      m.setProfile(4);
      check("built, not activated");
      m.activate(4);
      check("switched");
      m.addHome(2, { activate: false });
      check("Home Manager behind");
      m.activateHome(2);
      check("Home Manager switched");
      m.activate(2);
      check("rolled back");
      m.boot(1);
      check("booted differs");
    } finally {
      rmSync(cache, { recursive: true, force: true });
      m.cleanup();
    }
  });
}

test("a cached answer is served without computing, and only while nothing changed", () => {
  const m = new Machine();
  const cache = mkdtempSync(join(tmpdir(), "nixprov-cache-"));
  const dash = shells[0]!;
  try {
    m.switchTo(1, { time: 1700000000 });
    m.addHome(1);
    // Make every watched directory older than the next call's stamp.
    const env = { NIXOS_PROVENANCE_CACHE_DIR: cache };
    const wait = () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1100);
    wait();
    assert.is(gi(dash, m, ["--short"], env).stdout, gi(dash, m, ["--short"], { NIXOS_PROVENANCE_NO_CACHE: "1" }).stdout);
    const file = join(cache, "generation-info-3--short");
    assert.ok(existsSync(file), `the answer is kept: ${readdirSync(cache).join(", ")}`);
    // Mark the kept answer: a hit prints the mark, a computation would not.
    writeFileSync(file, readFileSync(file, "utf8").replace(/^prov_gi_hit_out='[^']*'$/m, "prov_gi_hit_out='served from the cache\n'"));
    assert.is(gi(dash, m, ["--short"], env).stdout, "served from the cache\n");
    assert.is(gi(shells[1]!, m, ["--short"], env).stdout, "served from the cache\n", "the cache is shared by the shells");
    // Another user, root or home: another key, not this answer.
    assert.is.not(gi(dash, m, ["--short"], { ...env, USER: "bob" }).stdout, "served from the cache\n");
    // A new generation changes the profile directory: computed again.
    m.switchTo(2);
    assert.match(gi(dash, m, ["--short"], env).stdout, /^g2@/);
    // A file of another format is never sourced, whatever it holds.
    writeFileSync(file, `touch ${join(cache, "PWNED")}\n`);
    assert.match(gi(dash, m, ["--short"], env).stdout, /^g2@/);
    assert.not.ok(existsSync(join(cache, "PWNED")), "a foreign cache file is not run");
    // A truncated file is never served.
    wait();
    gi(dash, m, ["--short"], env);
    assert.match(readFileSync(file, "utf8"), /prov_gi_hit_code=0\n$/, "kept again once nothing changes");
    writeFileSync(file, readFileSync(file, "utf8").replace(/prov_gi_hit_code=\d+\n$/, ""));
    assert.match(gi(dash, m, ["--short"], env).stdout, /^g2@/);
    assert.not.ok(readdirSync(cache).some((f) => f.startsWith(".")), "no temporary files are left");
  } finally {
    rmSync(cache, { recursive: true, force: true });
    m.cleanup();
  }
});

test("no cache where it cannot be trusted: unset, relative, or a directory that is not the user's own", () => {
  const m = new Machine();
  const dash = shells[0]!;
  const shared = mkdtempSync(join(tmpdir(), "nixprov-cache-shared-"));
  try {
    m.switchTo(1);
    const want = gi(dash, m, ["--short"], { NIXOS_PROVENANCE_NO_CACHE: "1" }).stdout;
    assert.is(gi(dash, m, ["--short"], { NIXOS_PROVENANCE_CACHE_DIR: "relative/dir" }).stdout, want);
    assert.not.ok(existsSync("relative"), "a relative cache directory is not made");
    chmodSync(shared, 0o1777);
    // Owned by root here; the check is [ -O ]: run as another owner it would refuse. As root it is ours.
    assert.is(gi(dash, m, ["--short"], { NIXOS_PROVENANCE_CACHE_DIR: join(shared, "sub") }).stdout, want);
    assert.is(gi(dash, m, ["--short"], { NIXOS_PROVENANCE_CACHE_DIR: "", XDG_RUNTIME_DIR: shared }).stdout, want);
    assert.not.ok(existsSync(join(shared, "nixos-provenance")), "an empty NIXOS_PROVENANCE_CACHE_DIR turns the cache off");
    void defaultMetadata;
  } finally {
    rmSync(shared, { recursive: true, force: true });
    m.cleanup();
  }
});

test.run();

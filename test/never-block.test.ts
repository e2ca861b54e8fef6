/**
 * Issue 13, section 2: the status path never blocks and stays fast on
 * garbage. Every run here is under timeout(1) (which kills the whole
 * process group, so a reader stuck on a FIFO cannot hold the test), under
 * each shell of the matrix, on fixture machines: FIFOs and /dev/zero where
 * metadata should be, files over the size and line limits, hung systemctl,
 * journalctl and nix, killed polls, an oversized build record, stat's
 * argument limit, invalid UTF-8 under yash, hostile USER values and
 * generation numbers beyond the shells' integer range.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Machine, defaultMetadata, renderMetadata } from "./helpers/fixture.js";
import { outBin, outLib, runArgv, shells, type RunResult, type Shell } from "./helpers/shells.js";
import { buildPath, toolDir } from "./helpers/build-env.js";

/** Seconds a command may take here before it counts as hung (each normally takes milliseconds). */
const LIMIT = "10";

function bounded(shell: Shell, command: string, args: string[], env: Record<string, string>): RunResult {
  return runArgv(["timeout", "-k", "2", LIMIT, ...shell.argv, outBin(command), ...args], { env });
}

/** Run under every shell; none may time out; all must agree (stdout, status); returns dash's. */
function everyShell(command: string, args: string[], env: Record<string, string>, skip: string[] = []): RunResult {
  let first: RunResult | undefined;
  for (const shell of shells) {
    if (skip.includes(shell.name)) continue;
    const r = bounded(shell, command, args, env);
    const what = `${shell.name} ${command} ${args.join(" ")}`;
    assert.is.not(r.status, 124, `${what} hung (killed after ${LIMIT}s)`);
    assert.is.not(r.status, 137, `${what} hung (killed after ${LIMIT}s)`);
    if (!first) first = r;
    else {
      assert.is(r.status, first.status, `${what}: exit status (stderr: ${r.stderr})`);
      assert.is(r.stdout, first.stdout, `${what}: stdout`);
    }
  }
  return first!;
}

const statusModes = ["--short", "--json", "--waybar", "--export", "--status", "--i3blocks"];

function mkfifo(path: string): void {
  const r = spawnSync("mkfifo", [path]);
  assert.is(r.status, 0, `mkfifo ${path}`);
}

/** Three generations: 1 with /dev/zero files, 2 with FIFOs, 3 (running) with FIFOs too. */
function hostileFiles(): Machine {
  const m = new Machine();
  for (const n of [1, 2, 3]) m.addSystem(n, { metadataText: null });
  m.setProfile(3);
  m.activate(3);
  m.boot(3);
  for (const name of ["etc/nixos-metadata", "nixos-version", "configuration-revision"]) {
    rmSync(join(m.storePath(1), name), { force: true });
    symlinkSync("/dev/zero", join(m.storePath(1), name));
    for (const n of [2, 3]) {
      rmSync(join(m.storePath(n), name), { force: true });
      mkfifo(join(m.storePath(n), name));
    }
  }
  return m;
}

test("a FIFO or /dev/zero at etc/nixos-metadata, nixos-version, configuration-revision: list, audit, show and every status mode answer", () => {
  const m = hostileFiles();
  const env = m.env({ TZ: "UTC" });
  const list = everyShell("nixos-metadata", ["list"], env);
  assert.is(list.status, 0, list.stderr);
  assert.match(list.stdout, /^1 .* no-metadata/m);
  assert.match(list.stdout, /^3 .* current/m);
  const json = JSON.parse(everyShell("nixos-metadata", ["list", "--json"], env).stdout);
  assert.equal(json.map((g: { hasMetadata: boolean }) => g.hasMetadata), [false, false, false]);
  assert.equal(json.map((g: { nixosVersion: string }) => g.nixosVersion), ["unknown", "unknown", "unknown"]);
  assert.is(everyShell("nixos-metadata", ["audit"], env).status, 0);
  assert.is(everyShell("nixos-metadata", ["audit", "--json"], env).status, 0);
  for (const gen of ["1", "2", "current"]) {
    const r = everyShell("nixos-metadata", [gen], env);
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stdout, "not valid metadata");
    assert.match(r.stdout, /NixOS version +unknown/);
  }
  for (const mode of statusModes) {
    const r = everyShell("nixos-generation-info", [mode], env);
    assert.is(r.status, 0, `${mode}: ${r.stderr}`);
  }
  assert.is(everyShell("nixos-generation-info", ["--short"], env).stdout, "g3\n");
  m.cleanup();
});

function oneGeneration(metadataText: string | null, configurationRevision?: string): Machine {
  const m = new Machine();
  m.switchTo(1, { metadataText, ...(configurationRevision !== undefined ? { configurationRevision } : {}) });
  return m;
}

test("metadata over 64 KiB, over 512 lines or with a quote left open is invalid: the commit comes from configuration-revision", () => {
  const rev = "0123456789abcdef0123456789abcdef01234567";
  const header = "METADATA_SCHEMA_VERSION='1'\n";
  const cases: Record<string, string> = {
    "a 100 KiB first value": `GIT_SHORT_COMMIT='${"A".repeat(100 * 1024)}'\n`,
    "600 lines before the fields": `${"# filler\n".repeat(600)}${header}GIT_SHORT_COMMIT='bad0000'\n`,
    "a quote left open over 10,000 lines": `${header}GIT_SHORT_COMMIT='bad${"\nxx".repeat(10000)}\n`,
  };
  for (const [what, text] of Object.entries(cases)) {
    const m = oneGeneration(text, rev);
    const env = m.env();
    const short = everyShell("nixos-generation-info", ["--short"], env);
    assert.is(short.stdout, "g1@0123456\n", what);
    const j = JSON.parse(everyShell("nixos-metadata", ["list", "--json"], env).stdout);
    assert.is(j[0].hasMetadata, false, `${what}: list --json`);
    assert.is(j[0].commit, rev, `${what}: list --json commit`);
    const show = everyShell("nixos-metadata", ["1"], env);
    assert.match(show.stdout, "not valid metadata", what);
    m.cleanup();
  }
  // Within the limits the same file is read (the limits are not "anything large").
  const m = oneGeneration(`${"# filler\n".repeat(400)}${header}GIT_SHORT_COMMIT='good000'\n`, rev);
  assert.is(everyShell("nixos-generation-info", ["--short"], m.env()).stdout, "g1@good000\n");
  m.cleanup();
});

test("a 100 KiB configuration-revision is not a revision: commit unknown", () => {
  const m = oneGeneration(null, "f".repeat(100 * 1024));
  const env = m.env();
  assert.is(everyShell("nixos-generation-info", ["--short"], env).stdout, "g1\n");
  assert.is(JSON.parse(everyShell("nixos-metadata", ["list", "--json"], env).stdout)[0].configurationRevision, "unknown");
  m.cleanup();
});

test("yash and invalid UTF-8 in a metadata value: every status mode ends (no read loop), in any locale", () => {
  const m = oneGeneration("placeholder\n");
  // The raw byte 0xff (not its UTF-8 form) in the short commit.
  const text = renderMetadata(defaultMetadata(1, { GIT_SHORT_COMMIT: "ab\u00ffc" }));
  writeFileSync(join(m.storePath(1), "etc/nixos-metadata"), Buffer.from(text, "latin1"));
  // The C locale is the ASCII test's (yash cannot read a non-ASCII script there).
  for (const locale of ["C.UTF-8"]) {
    for (const mode of [...statusModes, "--warning"]) {
      for (const shell of shells) {
        const r = bounded(shell, "nixos-generation-info", [mode], m.env({ LC_ALL: locale }));
        assert.ok(r.status !== 124 && r.status !== 137, `${shell.name} ${mode} (${locale}) hung`);
        assert.ok(r.status === 0 || (mode === "--warning" && r.status === 1), `${shell.name} ${mode} (${locale}): ${r.status} ${r.stderr}`);
      }
    }
  }
  m.cleanup();
});

test("USER with a slash is no user name: nothing outside per-user/ is read", () => {
  const m = oneGeneration(renderMetadata(defaultMetadata(1)));
  // What USER=../../etc would reach: nix/var/nix/profiles/per-user/../../etc/home-manager-1-link.
  const outside = join(m.root, "nix/var/nix/etc");
  mkdirSync(outside, { recursive: true });
  const store = join(m.root, "nix/store", "hm-outside");
  mkdirSync(store, { recursive: true });
  symlinkSync(store, join(outside, "home-manager-1-link"));
  for (const user of ["../../etc", "a/b", "..", "."]) {
    const env = m.env({ USER: user, HOME: undefined });
    const r = everyShell("nixos-generation-info", ["--json"], env);
    const j = JSON.parse(r.stdout);
    assert.is.not(j.homeManagerStatus, "in-sync", user);
    assert.is.not(j.homeManagerStatus, "unknown", `${user}: a profile was found outside per-user/`);
    assert.not.match(JSON.stringify(j), "../", user);
  }
  m.cleanup();
});

test("generation numbers beyond the shells' integer range are ignored; nixos-metadata 0, 007 and 20 digits are refused", () => {
  const m = oneGeneration(renderMetadata(defaultMetadata(1)));
  m.addSystem(2);
  m.setProfile(2);
  m.activate(2);
  symlinkSync(m.storePath(1), join(m.profiles, "system-99999999999999999999-link"));
  symlinkSync(m.storePath(1), join(m.profiles, "system-9999999999-link"));
  symlinkSync(m.storePath(1), join(m.profiles, "system-007-link"));
  const env = m.env();
  for (const mode of statusModes) {
    const r = everyShell("nixos-generation-info", [mode], env);
    assert.is(r.stderr, "", `${mode}: nothing on stderr (no "Illegal number")`);
    assert.is(r.status, 0, mode);
  }
  assert.is(everyShell("nixos-generation-info", ["--status"], env).stdout, "in-sync\n");
  const list = everyShell("nixos-metadata", ["list", "--json"], env);
  assert.is(list.stderr, "");
  assert.equal(JSON.parse(list.stdout).map((g: { generation: number }) => g.generation), [1, 2]);
  for (const arg of ["0", "007", "99999999999999999999", "9999999999"]) {
    const r = everyShell("nixos-metadata", [arg], env);
    assert.is(r.status, 1, arg);
    assert.match(r.stderr, `not a generation number: '${arg}'`);
    assert.not.match(r.stderr, "Illegal");
  }
  m.cleanup();
});

test("list: stat runs in batches (an argument limit never turns every date into unknown)", () => {
  const m = oneGeneration(renderMetadata(defaultMetadata(1)));
  for (let n = 2; n <= 1500; n++) symlinkSync(m.storePath(1), join(m.profiles, `system-${n}-link`));
  // A stat that refuses more than 1,000 operands, like the kernel refuses an
  // argument list over ARG_MAX (100,000 links), and logs every call.
  const log = join(m.root, "stat.log");
  const realStat = spawnSync("sh", ["-c", "command -v stat"], { encoding: "utf8" }).stdout.trim();
  const tools = toolDir([], {
    stat: `#!/bin/sh\nprintf '%s\\n' "$#" >>'${log}'\n[ "$#" -le 1004 ] || { echo 'stat: Argument list too long' >&2; exit 126; }\nexec ${realStat} "$@"\n`,
  });
  const env = m.env({ PATH: buildPath(tools, false), TZ: "UTC" });
  const j = JSON.parse(everyShell("nixos-metadata", ["list", "--json"], env).stdout);
  assert.is(j.length, 1500);
  assert.is(j.filter((g: { date: string }) => g.date === "unknown").length, 0, "every date known");
  const calls = readFileSync(log, "utf8").trim().split("\n").map(Number);
  assert.ok(calls.every((n) => n <= 1004), `stat calls: ${calls.join(" ")}`);
  m.cleanup();
});

// ---- nixos-build-status ----

function statusSetup(extraTools: Record<string, string>, extraEnv: Record<string, string> = {}): { machine: Machine; env: Record<string, string>; tmp: string } {
  const machine = new Machine();
  machine.switchTo(41);
  machine.write("etc/nixos/flake.nix", "{ outputs = _: { }; }\n");
  const tmp = mkdtempSync(join(tmpdir(), "nixprov-tmpdir-"));
  // A tool given in extraTools replaces its fake (never written through the fake's link).
  const fakes = (["systemctl", "journalctl", "nix"] as const).filter((t) => !(t in extraTools));
  const env = machine.env({ PATH: buildPath(toolDir(fakes, extraTools)), TMPDIR: tmp, ...extraEnv });
  return { machine, env, tmp };
}

test("nixos-build-status: a systemctl and a journalctl that never answer are cut off (NIXOS_PROVENANCE_CHECK_TIMEOUT)", () => {
  const hang = "#!/bin/sh\nexec sleep 600\n";
  const s = statusSetup({ systemctl: hang, journalctl: hang }, { NIXOS_PROVENANCE_CHECK_TIMEOUT: "0.3" });
  for (const shell of shells) {
    const human = runArgv(["timeout", "-k", "2", LIMIT, ...shell.argv, outBin("nixos-build-status")], { env: s.env });
    assert.ok(human.status !== 124 && human.status !== 137, `${shell.name}: the status hung`);
    assert.match(human.stdout, "journalctl did not answer within 0.3s", shell.name);
    assert.match(human.stdout, "systemctl did not answer within 0.3s", shell.name);
  }
  const r = runArgv(["timeout", "-k", "2", LIMIT, "dash", outBin("nixos-build-status"), "--json"], { env: s.env });
  assert.is(JSON.parse(r.stdout).bootStatus.checked, "unavailable");
  assert.equal(readdirSync(s.tmp), [], "nothing left in TMPDIR");
  s.machine.cleanup();
  rmSync(s.tmp, { recursive: true, force: true });
});

/** PIDs of running processes whose command line contains MARK. */
function processesWith(mark: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, "utf8").includes(mark)) pids.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

async function killedPoll(shell: Shell, signal: NodeJS.Signals): Promise<void> {
  const mark = `${600000 + Math.floor(Math.random() * 399999)}`;
  const s = statusSetup({ nix: `#!/bin/sh\nexec sleep ${mark}\n` });
  const child = spawn(shell.argv[0]!, [...shell.argv.slice(1), outBin("nixos-build-status"), "--json"], { env: s.env, stdio: "ignore" });
  // Wait until nix runs (its sleep is up), then kill the poll.
  for (let i = 0; i < 100 && processesWith(`sleep\u0000${mark}`).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(processesWith(`sleep\u0000${mark}`).length > 0, `${shell.name}: the flake check started`);
  child.kill(signal);
  await new Promise((r) => child.once("exit", r));
  let left: number[] = [];
  // Up to 10 s: the loop ends as soon as they are gone; a loaded machine (the
  // suite runs 4 files at once on 2 CPUs) can take seconds to reap them.
  for (let i = 0; i < 200; i++) {
    left = processesWith(`sleep\u0000${mark}`);
    if (left.length === 0) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  for (const pid of left) process.kill(pid, "SIGKILL");
  assert.equal(left, [], `${shell.name} killed with ${signal}: nix flake metadata left running`);
  assert.equal(readdirSync(s.tmp), [], `${shell.name} killed with ${signal}: files left in TMPDIR`);
  s.machine.cleanup();
  rmSync(s.tmp, { recursive: true, force: true });
}

test("nixos-build-status killed while nix flake metadata runs (TERM, INT, HUP): no child left, nothing in TMPDIR", async () => {
  for (const shell of shells) await killedPoll(shell, "SIGTERM");
  await killedPoll(shells[0]!, "SIGINT");
  await killedPoll(shells[0]!, "SIGHUP");
});

test("an 8 MiB last-build.json is not a record: the status and get_last_build_exit_code answer without it", () => {
  const s = statusSetup({});
  const logDir = join(s.machine.root, "var/log/nixos-builds");
  mkdirSync(logDir, { recursive: true });
  writeFileSync(join(logDir, "last-build.json"), `{"exitCode":0,"target":"${"x".repeat(8 * 1024 * 1024)}"}\n`);
  const env = { ...s.env, NIXOS_PROVENANCE_LOG_DIR: logDir };
  for (const shell of shells) {
    const r = runArgv(["timeout", "-k", "2", LIMIT, ...shell.argv, outBin("nixos-build-status"), "--json"], { env });
    assert.ok(r.status !== 124 && r.status !== 137, `${shell.name}: status hung`);
    assert.equal(JSON.parse(r.stdout).lastBuild, {}, shell.name);
    const lib = runArgv(["timeout", "-k", "2", LIMIT, ...shell.argv, "-c", `. '${outLib}'; get_last_build_exit_code '${logDir}'`], { env });
    assert.is(lib.stdout, "999\n", shell.name);
  }
  s.machine.cleanup();
  rmSync(s.tmp, { recursive: true, force: true });
});

test("the runtime is ASCII, so that yash reads it in the C locale: every command answers --help under LC_ALL=C", () => {
  const files = [
    ...readdirSync(outBin("").slice(0, -1)).map((f) => outBin(f)),
    ...readdirSync(join(outLib, "../nixos-provenance")).filter((f) => f.endsWith(".sh")).map((f) => join(outLib, "../nixos-provenance", f)),
  ];
  const offending: string[] = [];
  for (const file of files) {
    const bytes = readFileSync(file);
    const lines = bytes.toString("latin1").split("\n");
    lines.forEach((line, i) => {
      if (/[^\x00-\x7f]/.test(line)) offending.push(`${file.replace(/.*\/out\//, "out/")}:${i + 1}`);
    });
  }
  assert.equal(offending, [], "non-ASCII bytes (write them as printf octal escapes)");
  for (const file of readdirSync(outBin("").slice(0, -1))) {
    const r = runArgv(["timeout", LIMIT, "yash", outBin(file), "--help"], { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LC_ALL: "C" } });
    assert.is(r.status, 0, `yash ${file} --help under LC_ALL=C: ${r.stderr}`);
  }
});

test.run();

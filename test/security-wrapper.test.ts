/**
 * nixos-build-wrapper against a hostile neighbour and an unlucky machine
 * (issue 13, section 1): a member of the log group who is not root
 * (uid 65534 with the log directory's group, through setpriv) swapping
 * links in the shared 2770 directory, racing builds and holding locks; a
 * user-owned or symlinked parent; corrupt histories; relative paths with
 * `=`; bad settings; the caller's environment. Runs as root (skipped, and
 * counted, otherwise; CI=true makes it fail instead).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync, copyFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Machine } from "./helpers/fixture.js";
import { shells, outBin, runArgv, type Shell } from "./helpers/shells.js";
import { toolDir, buildPath, sysbin } from "./helpers/build-env.js";

const isRoot = process.getuid?.() === 0;
const inCI = /^(true|1)$/i.test(process.env.CI ?? "");
const rootTest = isRoot || inCI ? test : test.skip;
if (!isRoot) console.log(inCI ? "  (not root; CI=true: the security tests run and fail)" : "  (not root: the security tests, which need a second user, are skipped)");

/** The member of the log group: not root, in the directory's group. */
const MEMBER_UID = 65534;
const GROUP = 4242;
const asMember = (argv: string[]): string[] => ["setpriv", `--reuid=${MEMBER_UID}`, `--regid=${MEMBER_UID}`, `--groups=${GROUP}`, "--", ...argv];
const dash = shells[0]!;

/** Let the member reach a path: every directory from / down made traversable. */
function openUp(path: string): void {
  for (let p = path; p !== "/" && p !== "."; p = dirname(p)) {
    try {
      const st = lstatSync(p);
      if (st.isDirectory() && (st.mode & 0o005) !== 0o005) chmodSync(p, (st.mode & 0o7777) | 0o755);
    } catch {
      /* not there yet */
    }
  }
}

interface Shared {
  machine: Machine;
  logDir: string;
  env: Record<string, string>;
}

/** A machine whose log directory is the NixOS module's shared layout: root:GROUP, 2770. */
function shared(extra: Record<string, string> = {}, tools = toolDir(["nixos-rebuild"])): Shared {
  const machine = new Machine();
  machine.switchTo(41);
  const logDir = join(machine.root, "logs");
  mkdirSync(logDir);
  chownSync(logDir, 0, GROUP);
  chmodSync(logDir, 0o2770);
  for (const p of [machine.root, tools, sysbin(), dirname(sysbin())]) openUp(p);
  const env = machine.env({ PATH: buildPath(tools), NIXOS_PROVENANCE_LOG_DIR: logDir, ...extra });
  return { machine, logDir, env };
}

function history(logDir: string): any[] {
  const text = readFileSync(join(logDir, "build-history.json"), "utf8");
  const parsed = JSON.parse(text);
  assert.ok(Array.isArray(parsed));
  assert.is(text.split("\n").length - 3, parsed.length, "one record per line");
  return parsed;
}

function spawnWrapper(argv: string[], env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

rootTest("TOCTOU: a member swapping symlinks in at every temporary name never makes a root build write through them", async () => {
  const s = shared();
  const victim = join(s.machine.root, "passwd-copy");
  copyFileSync("/etc/passwd", victim);
  const before = readFileSync(victim, "utf8");
  // The member's loop: every .nixos-build.* name (and the records) replaced by a link to the victim.
  const attack = `while :; do for f in "$1"/.nixos-build.* "$1"/last-build.log "$1"/last-build.json "$1"/build-history.json; do [ -L "$f" ] && continue; rm -f "$f" 2>/dev/null && ln -s "$2" "$f" 2>/dev/null; done; done`;
  const attacker = spawn(asMember(["dash", "-c", attack, "sh", s.logDir, victim])[0]!, asMember(["dash", "-c", attack, "sh", s.logDir, victim]).slice(1), { stdio: "ignore" });
  try {
    for (let i = 0; i < 15; i++) {
      const r = runArgv([...dash.argv, outBin("nixos-build-wrapper"), "os", "build", "--json"], { env: { ...s.env, FAKE_BUILD: i % 2 ? "fail" : "success" }, timeout: 20_000 });
      assert.ok(r.status === 0 || r.status === 1, `build ${i}: ${r.status} ${r.stderr}`);
      assert.is(readFileSync(victim, "utf8"), before, `build ${i}: the victim is untouched`);
    }
  } finally {
    attacker.kill("SIGKILL");
  }
  assert.is(readFileSync(victim, "utf8"), before);
  assert.is(lstatSync(victim).uid, 0);
  s.machine.cleanup();
});

rootTest("TOCTOU: a log directory below a member-owned or symlinked parent is refused; the build runs", () => {
  const s = shared();
  for (const shell of shells) {
    // A parent the member owns: they could swap the directory under us.
    const parent = join(s.machine.root, `member-${shell.name}`);
    mkdirSync(parent);
    chownSync(parent, MEMBER_UID, MEMBER_UID);
    const logDir = join(parent, "logs");
    mkdirSync(logDir);
    let r = runArgv([...shell.argv, outBin("nixos-build-wrapper"), "os", "build", "--json", "--log-dir", logDir], { env: s.env });
    assert.is(r.status, 0, `${shell.name}: ${r.stderr}`);
    assert.match(r.stderr, `refusing to keep build records: ${parent} (above the log directory) belongs to another user (uid ${MEMBER_UID})`, shell.name);
    assert.is(JSON.parse(r.stdout).buildLogPath, "", shell.name);
    assert.equal(readdirSync(logDir), [], shell.name);
    // A symlink anywhere on the way.
    const real = join(s.machine.root, `real-${shell.name}`);
    mkdirSync(join(real, "logs"), { recursive: true });
    const link = join(s.machine.root, `link-${shell.name}`);
    symlinkSync(real, link);
    r = runArgv([...shell.argv, outBin("nixos-build-wrapper"), "os", "build", "--log-dir", join(link, "logs")], { env: s.env });
    assert.is(r.status, 0, shell.name);
    assert.match(r.stderr, `${link} is a symbolic link`, shell.name);
    assert.equal(readdirSync(join(real, "logs")), [], shell.name);
  }
  s.machine.cleanup();
});

async function mixedBuilds(extra: Record<string, string>): Promise<void> {
  const s = shared(extra);
  const runs: Promise<{ code: number | null; stderr: string }>[] = [];
  for (let i = 0; i < 20; i++) {
    const argv = [...dash.argv, outBin("nixos-build-wrapper"), "os", "build", "--json", "--", `--run=${i}`];
    runs.push(spawnWrapper(i % 2 ? asMember(argv) : argv, { ...s.env, FAKE_LINES: "100" }));
  }
  const results = await Promise.all(runs);
  results.forEach((r, i) => assert.is(r.code, 0, `run ${i}: ${r.stderr}`));
  const h = history(s.logDir);
  assert.equal(h.map((r) => r.argv[r.argv.length - 1]).sort(), Array.from({ length: 20 }, (_, i) => `--run=${i}`).sort(), "every build of both users has its entry");
  assert.equal(readdirSync(s.logDir).filter((f) => f.startsWith(".nixos-build.")), []);
  s.machine.cleanup();
}

rootTest("10 root and 10 member builds at once (mkdir-free symlink lock, NIXOS_PROVENANCE_NO_FLOCK=1): 20 entries", () => mixedBuilds({ NIXOS_PROVENANCE_NO_FLOCK: "1" }));
rootTest("10 root and 10 member builds at once (flock): 20 entries", () => mixedBuilds({}));

rootTest("a member's build finishing while a root build runs never deletes the root build's log (kill -0 EPERM is alive)", async () => {
  const builder = `#!/bin/sh
printf 'hello> Running phase: buildPhase\\nmarker %s\\n' "$MARK"
if [ -n "\${WAIT_FILE-}" ]; then : >"$READY_FILE"; while ! [ -e "$WAIT_FILE" ]; do sleep 0.05; done; fi
printf 'error: failed for %s\\n' "$MARK"
exit 1
`;
  for (const extra of [{}, { NIXOS_PROVENANCE_NO_FLOCK: "1" }] as Record<string, string>[]) {
    const s = shared(extra, toolDir([], { "nixos-rebuild": builder }));
    const ready = join(s.machine.root, "ready");
    const go = join(s.machine.root, "go");
    const rootRun = spawnWrapper([...dash.argv, outBin("nixos-build-wrapper"), "os", "build"], { ...s.env, MARK: "root", WAIT_FILE: go, READY_FILE: ready });
    for (let i = 0; i < 200 && !existsSync(ready); i++) await new Promise((r) => setTimeout(r, 25));
    assert.ok(existsSync(ready), "the root build is running");
    const member = await spawnWrapper(asMember([...dash.argv, outBin("nixos-build-wrapper"), "os", "build"]), { ...s.env, MARK: "member" });
    assert.is(member.code, 1, member.stderr);
    writeFileSync(go, "");
    const root = await rootRun;
    assert.is(root.code, 1, root.stderr);
    assert.not.match(root.stderr, "cannot", "the root build kept its records");
    const rec = JSON.parse(readFileSync(join(s.logDir, "last-build.json"), "utf8"));
    assert.match(rec.errors, "error: failed for root", "its errors were extracted from its own log");
    assert.match(readFileSync(join(s.logDir, "last-build.log"), "utf8"), "marker root");
    assert.is(history(s.logDir).length, 2);
    s.machine.cleanup();
  }
});

rootTest("kill -9 of a member's build mid-write: the records stay whole, the next root build sweeps its leftovers (flock and NIXOS_PROVENANCE_NO_FLOCK)", async () => {
  for (const extra of [{}, { NIXOS_PROVENANCE_NO_FLOCK: "1" }] as Record<string, string>[]) {
    const s = shared(extra);
    const build = (env: Record<string, string>) => spawnSync(dash.argv[0]!, [...dash.argv.slice(1), outBin("nixos-build-wrapper"), "os", "build"], { env, encoding: "utf8", timeout: 30_000 });
    const first = build(s.env);
    assert.is(first.status, 0, first.stderr);
    const records = () => ["last-build.json", "last-build.log", "build-history.json"].map((f) => readFileSync(join(s.logDir, f), "utf8"));
    const before = records();
    const leftovers = () => readdirSync(s.logDir).filter((f) => f.startsWith(".nixos-build."));
    // Hold the history lock (the flock, or the symlink lock naming a live
    // process): the member's wrapper writes its temporaries, then waits.
    const holder = extra.NIXOS_PROVENANCE_NO_FLOCK
      ? spawn("sleep", ["30"], { stdio: "ignore", detached: true })
      : spawn("flock", ["--no-fork", join(s.logDir, ".build-history.lock"), "sleep", "30"], { stdio: "ignore", detached: true });
    const holderGone = new Promise((r) => holder.on("exit", r));
    if (extra.NIXOS_PROVENANCE_NO_FLOCK) symlinkSync(String(holder.pid), join(s.logDir, ".build-history.lock.pid"));
    else for (let i = 0; i < 400 && spawnSync("flock", ["--nonblock", join(s.logDir, ".build-history.lock"), "true"]).status === 0; i++) await new Promise((r) => setTimeout(r, 10));
    const argv = asMember([...dash.argv, outBin("nixos-build-wrapper"), "os", "build"]);
    const child = spawn(argv[0]!, argv.slice(1), { env: { ...s.env, NIXOS_PROVENANCE_LOCK_TIMEOUT: "20" }, stdio: "ignore" });
    const gone = new Promise((r) => child.on("exit", r));
    for (let i = 0; i < 400 && !leftovers().some((f) => f.endsWith(".json")); i++) await new Promise((r) => setTimeout(r, 25));
    assert.ok(leftovers().some((f) => f.endsWith(".json")), "the member's wrapper is in the middle of writing its record");
    child.kill("SIGKILL");
    await gone;
    process.kill(-holder.pid!, "SIGKILL");
    await holderGone;
    assert.equal(records(), before, "the previous records are whole");
    const next = build(s.env);
    assert.is(next.status, 0, next.stderr);
    assert.equal(leftovers(), [], "the dead member's temporary files are swept by root's next build");
    assert.is(history(s.logDir).length, 2);
    s.machine.cleanup();
  }
});

rootTest("lock: a user who can only read the log directory cannot stall a build; a writer holding it is named and the wait is bounded", async () => {
  const machine = new Machine();
  machine.switchTo(41);
  const logDir = join(machine.root, "logs");
  mkdirSync(logDir, { mode: 0o755 });
  chmodSync(logDir, 0o755);
  const tools = toolDir(["nixos-rebuild"]);
  for (const p of [machine.root, tools, sysbin(), dirname(sysbin())]) openUp(p);
  const env = machine.env({ PATH: buildPath(tools), NIXOS_PROVENANCE_LOG_DIR: logDir });
  assert.is(runArgv([...dash.argv, outBin("nixos-build-wrapper"), "os", "build"], { env }).status, 0);
  // The reader takes every lock it can open: the directory, and the lock file if it could.
  const reader = spawn("setpriv", [`--reuid=${MEMBER_UID}`, `--regid=${MEMBER_UID}`, "--clear-groups", "--", "sh", "-c", 'flock -s "$1" sleep 30 & flock -s "$1/.build-history.lock" sleep 30 & wait', "sh", logDir], { stdio: "ignore", detached: true });
  await new Promise((r) => setTimeout(r, 300));
  try {
    const started = Date.now();
    const r = runArgv([...dash.argv, outBin("nixos-build-wrapper"), "os", "build"], { env: { ...env, NIXOS_PROVENANCE_LOCK_TIMEOUT: "5" }, timeout: 20_000 });
    assert.is(r.status, 0, r.stderr);
    assert.ok(Date.now() - started < 4000, "not held up by the reader");
    assert.is(history(logDir).length, 2);
  } finally {
    process.kill(-reader.pid!, "SIGKILL");
  }
  // A writer (root here) holding the lock: the wait ends, the holder is named, the build's status is kept.
  const holder = spawn("flock", ["--no-fork", join(logDir, ".build-history.lock"), "sleep", "30"], { stdio: "ignore", detached: true });
  await new Promise((r) => setTimeout(r, 200));
  try {
    for (const shell of shells) {
      const r = runArgv([...shell.argv, outBin("nixos-build-wrapper"), "os", "build", "--json"], { env: { ...env, NIXOS_PROVENANCE_LOCK_TIMEOUT: "1", FAKE_BUILD: "fail", FAKE_EXIT: "6" }, timeout: 20_000 });
      assert.is(r.status, 6, shell.name);
      assert.match(r.stderr, `cannot lock ${logDir}/build-history.json (held by process ${holder.pid} (user root) for more than 1 s); this build is not recorded`, shell.name);
      assert.is(JSON.parse(r.stdout).buildLogPath, "", shell.name);
    }
    assert.is(history(logDir).length, 2);
  } finally {
    process.kill(-holder.pid!, "SIGKILL");
  }
  // The symlink lock of a live process of another user: named too.
  symlinkSync(String(process.pid), join(logDir, ".build-history.lock.pid"));
  const r = runArgv([...dash.argv, outBin("nixos-build-wrapper"), "os", "build"], { env: { ...env, NIXOS_PROVENANCE_LOCK_TIMEOUT: "1", NIXOS_PROVENANCE_NO_FLOCK: "1" } });
  assert.is(r.status, 0);
  assert.match(r.stderr, `held by process ${process.pid} (user root) for more than 1 s`);
  assert.is(readlinkSync(join(logDir, ".build-history.lock.pid")), String(process.pid), "a live holder's lock is left as it is");
  machine.cleanup();
});

test("corrupt history: lines are checked as JSON, not by shape; an invalid one is moved aside, never overwritten", () => {
  const bad = [
    '[\n{"a":{"b":1}\n]\n', // truncated after an inner }
    '[\n{"a":1}\n{"b":2}\n]\n', // a missing comma
    '[\n{"a":1},\n]\n', // a trailing comma
    '[\n{"a":"\\x"}\n]\n', // a bad escape
    '[\n{"a":01}\n]\n',
    '[\n{"a":tru}\n]\n',
  ];
  for (const shell of shells) {
    const m = new Machine();
    m.switchTo(41);
    const logDir = join(m.root, "logs");
    mkdirSync(logDir);
    const env = m.env({ PATH: buildPath(toolDir(["nixos-rebuild"])), NIXOS_PROVENANCE_LOG_DIR: logDir });
    for (const text of bad) {
      writeFileSync(join(logDir, "build-history.json"), text);
      const r = runArgv([...shell.argv, outBin("nixos-build-wrapper"), "os", "build"], { env });
      assert.is(r.status, 0);
      assert.match(r.stderr, "was not a valid history; moved to", `${shell.name}: ${JSON.stringify(text)}`);
      const aside = readdirSync(logDir).filter((f) => f.startsWith("build-history.json.corrupt-")).sort();
      assert.is(readFileSync(join(logDir, aside[aside.length - 1]!), "utf8"), text);
      for (const f of aside) spawnSync("rm", ["-f", join(logDir, f)]);
      assert.is(history(logDir).length, 1);
    }
    // Valid JSON in our layout, with nesting, escapes and numbers of every form: kept.
    const good = '[\n{"a":{"b":[1,-2.5e3,0.1,true,false,null,{}],"c":"q\\"\\\\\\u00e9\\n"}},\n{"x":[]}\n]\n';
    writeFileSync(join(logDir, "build-history.json"), good);
    const r = runArgv([...shell.argv, outBin("nixos-build-wrapper"), "os", "build"], { env });
    assert.is(r.stderr, "", shell.name);
    const h = history(logDir);
    assert.is(h.length, 3, shell.name);
    assert.equal(h[0], JSON.parse(good)[0]);
    m.cleanup();
  }
});

test("--log-dir 'a=b' (relative, with =) and a relative TMPDIR: no hang, records kept under the working directory", () => {
  for (const shell of shells) {
    const m = new Machine();
    m.switchTo(41);
    const env = m.env({ PATH: buildPath(toolDir(["nixos-rebuild"])), TMPDIR: "t=mp" });
    const r = runArgv([...shell.argv, outBin("nixos-build-wrapper"), "os", "build", "--log-dir", "a=b"], { env: { ...env, FAKE_BUILD: "fail" }, cwd: m.root, timeout: 10_000, input: "" });
    assert.is(r.signal, null, `${shell.name}: hung`);
    assert.is(r.status, 1, `${shell.name}: ${r.stderr}`);
    assert.match(r.stdout, "error: builder for", `${shell.name}: the summary read the log`);
    const rec = JSON.parse(readFileSync(join(m.root, "a=b/last-build.json"), "utf8"));
    assert.is(rec.buildLogPath, join(m.root, "a=b/last-build.log"));
    assert.is(rec.errorBlocks.length, 2);
    m.cleanup();
  }
});

test("a relative XDG_STATE_HOME is ignored; HISTORY_LENGTH beyond the shell's integers is refused and clamped before the build", () => {
  for (const shell of shells) {
    const m = new Machine();
    m.switchTo(41);
    writeFileSync(join(m.root, "file"), "");
    const env = m.env({ PATH: buildPath(toolDir(["nixos-rebuild"])), NIXOS_PROVENANCE_LOG_DIR: join(m.root, "file/logs"), XDG_STATE_HOME: "state" });
    let r = runArgv([...shell.argv, outBin("nixos-build-wrapper"), "os", "build"], { env, cwd: m.root });
    assert.is(r.status, 0, r.stderr);
    assert.not.ok(existsSync(join(m.root, "state")), `${shell.name}: nothing under the working directory`);
    assert.match(r.stderr, `build records go to ${m.home}/.local/state/nixos-builds`);
    const dir = join(m.home, ".local/state/nixos-builds");
    for (const [value, warning] of [
      ["99999999999999999999", "NIXOS_PROVENANCE_HISTORY_LENGTH is more than 10000; using 10000"],
      ["9223372036854775808", "NIXOS_PROVENANCE_HISTORY_LENGTH is more than 10000; using 10000"],
      ["12abc", "NIXOS_PROVENANCE_HISTORY_LENGTH must be a positive integer"],
    ] as const) {
      r = runArgv([...shell.argv, outBin("nixos-build-wrapper"), "os", "build", "--json"], { env: { ...env, NIXOS_PROVENANCE_HISTORY_LENGTH: value, FAKE_BUILD: "fail", FAKE_EXIT: "5" }, cwd: m.root });
      assert.is(r.status, 5, `${shell.name} ${value}: the builder's status (${r.stderr})`);
      const at = r.stderr.indexOf(warning);
      assert.ok(at >= 0, `${shell.name} ${value}: ${r.stderr}`);
      assert.ok(at < r.stderr.indexOf("hello>"), `${shell.name} ${value}: warned before the build`);
      assert.not.match(r.stderr, "Illegal number");
      assert.is(JSON.parse(readFileSync(join(dir, "last-build.json"), "utf8")).exitCode, 5);
    }
    assert.is(history(dir).length, 4);
    m.cleanup();
  }
});

test("the builder sees the caller's environment unchanged; inherited prov_* names do nothing", () => {
  const dump = `#!/bin/sh\nenv >"$ENV_DUMP"\n`;
  for (const shell of shells) {
    const m = new Machine();
    m.switchTo(41);
    const victim = join(m.root, "victim");
    const victimDir = join(m.root, "victim-dir");
    writeFileSync(victim, "keep\n");
    mkdirSync(victimDir);
    writeFileSync(join(victimDir, "f"), "keep\n");
    const tools = toolDir([], { "nixos-rebuild": dump });
    const envDump = join(m.root, "env");
    const env = m.env({
      PATH: buildPath(tools), NIXOS_PROVENANCE_LOG_DIR: join(m.root, "logs"), ENV_DUMP: envDump,
      SHELL: "/bin/caller-shell", CDPATH: "/somewhere", NIXOS_PROVENANCE_NO_PTY: "1",
    });
    const hostile = { prov_bw_conv: victim, prov_bw_tmpdir: victimDir, prov_bw_tmplog: victim, prov_bw_tmpjson: victim, prov_bw_tmphist: victim, prov_bw_old: victim };
    // What the shell itself hands a child (the baseline), then through the wrapper.
    // (`; :` so bash does not exec the command directly, which lowers SHLVL.)
    runArgv([...shell.argv, "-c", '"$@"; :', "sh", join(tools, "nixos-rebuild")], { env });
    const baseline = readFileSync(envDump, "utf8");
    const r = runArgv([...shell.argv, outBin("nixos-build-wrapper"), "os", "build"], { env: { ...env, ...hostile } });
    assert.is(r.status, 0, r.stderr);
    const seen = readFileSync(envDump, "utf8");
    const lines = (t: string) => t.split("\n").filter((l) => l && !l.startsWith("_=")).sort();
    assert.equal(lines(seen), lines(baseline), `${shell.name}: same environment (inherited prov_* names are not passed on)`);
    assert.match(seen, "SHELL=/bin/caller-shell\n");
    assert.match(seen, "CDPATH=/somewhere\n");
    assert.is(readFileSync(victim, "utf8"), "keep\n", shell.name);
    assert.is(readFileSync(join(victimDir, "f"), "utf8"), "keep\n", shell.name);
    assert.is(JSON.parse(readFileSync(join(m.root, "logs/last-build.json"), "utf8")).exitCode, 0);
    m.cleanup();
  }
});

test.run();

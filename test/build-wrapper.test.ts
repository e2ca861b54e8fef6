/**
 * nixos-build-wrapper against fake builders (test/fakes) on a fixture
 * machine: records, exit codes, the history, and everything that can go
 * wrong (interrupts, concurrency, kill -9, a full disk, hostile output,
 * unsafe or unwritable log directories, planted symlinks). The per-shell
 * tests run under posh too: the wrapper needs no `test -ef` (shells.ts).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, lstatSync, readFileSync, readdirSync, readlinkSync, writeFileSync, mkdirSync, symlinkSync, chmodSync, chownSync, rmSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Machine } from "./helpers/fixture.js";
import { shells, shellsWithPosh, outBin, runArgv, projectRoot, type Shell, type RunResult } from "./helpers/shells.js";
import { toolDir, buildPath, type FakeTool } from "./helpers/build-env.js";

interface Setup {
  machine: Machine;
  logDir: string;
  env: Record<string, string>;
}

/** A machine at generation 41 (running, in sync), fakes on PATH, records in <root>/logs. */
function setup(tools: FakeTool[] = ["nixos-rebuild"], extraEnv: Record<string, string> = {}): Setup {
  const machine = new Machine();
  machine.switchTo(41);
  const logDir = join(machine.root, "logs");
  const env = machine.env({ PATH: buildPath(toolDir(tools)), NIXOS_PROVENANCE_LOG_DIR: logDir, ...extraEnv });
  return { machine, logDir, env };
}

function wrap(shell: Shell, s: Setup, args: string[], env: Record<string, string> = {}): RunResult {
  return runArgv([...shell.argv, outBin("nixos-build-wrapper"), ...args], { env: { ...s.env, ...env } });
}

const dash = shells[0]!;

function readJson(path: string): any {
  return JSON.parse(readFileSync(path, "utf8"));
}

/** The history parses, and keeps the one-record-per-line layout the wrapper appends to. */
function history(logDir: string): any[] {
  const text = readFileSync(join(logDir, "build-history.json"), "utf8");
  const parsed = JSON.parse(text);
  assert.ok(Array.isArray(parsed));
  const lines = text.split("\n");
  assert.is(lines[0], "[");
  assert.is(lines[lines.length - 2], "]");
  assert.is(lines.length - 3, parsed.length, "one record per line");
  return parsed;
}

function tempFiles(logDir: string): string[] {
  return readdirSync(logDir).filter((f) => f.startsWith(".nixos-build."));
}

const recordKeys = [
  "buildStart", "buildEnd", "buildDuration", "target", "action", "tool", "flakePath", "exitCode", "success", "interrupted",
  "hostname", "user", "command", "argv", "generationBefore", "generationAfter", "generationChange", "buildLogPath",
  "errors", "errorBlocks", "failedDerivations", "lastPhase", "preGeneration", "postGeneration",
];

for (const shell of shellsWithPosh) {
  test(`${shell.name}: a successful switch records g41 → g42 and exits 0`, () => {
    const s = setup(["nixos-rebuild"]);
    const r = wrap(shell, s, ["os", "switch"]);
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stdout, "hello> Running phase: installPhase", "the build's output is shown");
    assert.match(r.stdout, "✓ os switch succeeded");
    const rec = readJson(join(s.logDir, "last-build.json"));
    assert.equal(Object.keys(rec), recordKeys);
    assert.is(rec.exitCode, 0);
    assert.is(rec.success, true);
    assert.is(rec.interrupted, false);
    assert.is(rec.tool, "nixos-rebuild");
    assert.is(rec.target, "os");
    assert.is(rec.action, "switch");
    assert.is(rec.generationChange, "g41 → g42");
    assert.is(rec.preGeneration.generation, "g41");
    assert.is(rec.postGeneration.generation, "g42");
    assert.is(rec.flakePath, join(s.machine.root, "etc/nixos"));
    assert.is(rec.buildLogPath, join(s.logDir, "last-build.log"));
    assert.is(rec.lastPhase, "hello: installPhase");
    assert.equal(rec.argv, ["nixos-rebuild", "switch", "--flake", join(s.machine.root, "etc/nixos")]);
    assert.match(rec.buildStart, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
    assert.match(readFileSync(join(s.logDir, "last-build.log"), "utf8"), "Running phase: installPhase");
    assert.equal(history(s.logDir), [rec]);
    assert.equal(tempFiles(s.logDir), []);
    s.machine.cleanup();
  });

  test(`${shell.name}: a failed build keeps its exit code and records the error blocks`, () => {
    const s = setup(["nixos-rebuild"]);
    const r = wrap(shell, s, ["os", "switch"], { FAKE_BUILD: "fail", FAKE_EXIT: "42" });
    assert.is(r.status, 42, r.stderr);
    assert.match(r.stdout, "✗ os switch failed (exit 42)");
    const rec = readJson(join(s.logDir, "last-build.json"));
    assert.is(rec.exitCode, 42);
    assert.is(rec.success, false);
    assert.is(rec.generationChange, "g41 (unchanged)");
    assert.is(rec.errorBlocks.length, 2);
    assert.match(rec.errorBlocks[0], "hello> make: *** [Makefile:8: all] Error 1\nerror: builder for '/nix/store/");
    assert.match(rec.errorBlocks[0], "       For full logs, run 'nix log");
    assert.match(rec.errors, "failed to build");
    assert.equal(rec.failedDerivations, ["/nix/store/0123456789abcdfghijklmnpqrsvwxyz-hello-2.12.1.drv"]);
    assert.is(rec.lastPhase, "hello: buildPhase");
    s.machine.cleanup();
  });

  test(`${shell.name}: hostile build output and arguments still give valid JSON`, () => {
    const s = setup(["nixos-rebuild"]);
    const flake = join(s.machine.root, `we"ird\\flake dir`);
    const extras = ["--option", "a b", `it's`, "$(id)", "back\\slash", "new\nline", `"quoted"`, "ünïcode"];
    const argsFile = join(s.machine.root, "args");
    const r = wrap(shell, s, ["os", "build", "--json", "--flake", flake, "--", ...extras], { FAKE_BUILD: "hostile", FAKE_ARGS_FILE: argsFile });
    assert.is(r.status, 3, r.stderr);
    const printed = JSON.parse(r.stdout);
    const rec = readJson(join(s.logDir, "last-build.json"));
    assert.equal(printed, rec, "--json prints exactly the record");
    const argv = ["build", "--flake", flake, ...extras];
    assert.equal(readFileSync(argsFile, "utf8").split("\0").slice(0, -1), argv, "extra arguments reach the builder untouched");
    assert.equal(rec.argv, ["nixos-rebuild", ...argv]);
    assert.is(rec.flakePath, flake);
    // The display string, run by a shell, gives back the same argv.
    const back = spawnSync("sh", ["-c", `eval "set -- $1"; printf '%s\\0' "$@"`, "sh", rec.command], { encoding: "utf8" });
    assert.equal(back.stdout.split("\0").slice(0, -1), rec.argv);
    assert.ok(rec.command.startsWith("nixos-rebuild build --flake "));
    assert.ok(rec.errorBlocks.length >= 2);
    assert.match(rec.errors, 'error: hostile "quoted" \\ path /tmp/a b/c\u0001 \ufffd');
    assert.match(rec.errors, "ctl:\u0001\u0002red\tTab \\back");
    assert.ok(rec.errors.includes(" [...]"), "a 3 MB line is cut");
    assert.ok(readFileSync(join(s.logDir, "last-build.json")).length < 200_000, "records stay small");
    history(s.logDir);
    s.machine.cleanup();
  });
}

test("extra arguments, flake and tool: nh with NH_OS_FLAKE, --no-nh, nom, home-manager", () => {
  const s = setup(["nh", "nixos-rebuild", "nom", "home-manager"], { NH_OS_FLAKE: "/cfg/os", NH_HOME_FLAKE: "/cfg/home" });
  const argsFile = join(s.machine.root, "args");
  const args = () => readFileSync(argsFile, "utf8").split("\0").slice(0, -1);
  let r = wrap(dash, s, ["os", "switch", "--", "--show-trace"], { FAKE_ARGS_FILE: argsFile });
  assert.is(r.status, 0, r.stderr);
  assert.equal(args(), ["os", "switch", "/cfg/os", "--", "--show-trace"]);
  let rec = readJson(join(s.logDir, "last-build.json"));
  assert.is(rec.tool, "nh");
  assert.is(rec.flakePath, "/cfg/os");
  assert.is(rec.command, "nh os switch /cfg/os -- --show-trace");

  r = wrap(dash, s, ["os", "dry-build", "--flake", "/x"], { FAKE_ARGS_FILE: argsFile });
  assert.equal(args(), ["os", "build", "--dry", "/x"]);

  r = wrap(dash, s, ["os", "boot", "--no-nh"], { FAKE_ARGS_FILE: argsFile });
  assert.is(r.status, 0, r.stderr);
  assert.equal(args(), ["boot", "--flake", "/cfg/os", "--log-format", "internal-json", "-v"]);
  rec = readJson(join(s.logDir, "last-build.json"));
  assert.is(rec.tool, "nixos-rebuild");
  assert.match(rec.command, / 2>&1 \| nom --json$/);
  assert.is(rec.generationChange, "g42 → g43", "boot adds a generation");
  assert.is(rec.lastPhase, "hello: installPhase", "phases are read from nix's internal-json");
  assert.match(r.stdout, "hello> Running phase: installPhase", "nom's display reaches the terminal");

  // The build's exit status, not nom's, in both directions.
  r = wrap(dash, s, ["os", "switch", "--no-nh"], { FAKE_BUILD: "fail", FAKE_EXIT: "7", FAKE_NOM_EXIT: "0" });
  assert.is(r.status, 7);
  rec = readJson(join(s.logDir, "last-build.json"));
  assert.equal(rec.failedDerivations, ["/nix/store/0123456789abcdfghijklmnpqrsvwxyz-hello-2.12.1.drv"], "errors are decoded from internal-json");
  assert.match(rec.errorBlocks[0], "error: builder for");
  r = wrap(dash, s, ["os", "switch", "--no-nh"], { FAKE_NOM_EXIT: "5" });
  assert.is(r.status, 0);

  r = wrap(dash, s, ["home", "switch", "--no-nh"], { FAKE_ARGS_FILE: argsFile });
  assert.is(r.status, 0, r.stderr);
  assert.equal(args(), ["switch", "--flake", "/cfg/home"]);
  rec = readJson(join(s.logDir, "last-build.json"));
  assert.is(rec.tool, "home-manager");
  assert.is(rec.generationChange, "unknown → hm1");
  r = wrap(dash, s, ["home", "switch"], { FAKE_ARGS_FILE: argsFile });
  assert.equal(args(), ["home", "switch", "/cfg/home"]);
  assert.is(readJson(join(s.logDir, "last-build.json")).generationChange, "hm1 → hm2");
  assert.is(history(s.logDir).length, 7);
  s.machine.cleanup();
});

test("under writeShellApplication's bash -euo pipefail: same exit codes and records", () => {
  const strict: Shell = { name: "bash -euo pipefail", argv: ["bash", "-euo", "pipefail"] };
  const s = setup(["nixos-rebuild", "nom"]);
  assert.is(wrap(strict, s, ["os", "switch", "--no-nh"]).status, 0);
  assert.is(wrap(strict, s, ["os", "switch", "--no-nh"], { FAKE_BUILD: "fail", FAKE_EXIT: "3" }).status, 3);
  assert.is(wrap(strict, s, ["os", "build", "--json"], { FAKE_BUILD: "hostile" }).status, 3);
  assert.is(history(s.logDir).length, 3);
  const st = runArgv([...strict.argv, outBin("nixos-build-status"), "--json"], { env: s.env });
  assert.is(st.status, 2, st.stderr);
  assert.is(JSON.parse(st.stdout).lastBuild.exitCode, 3);
  s.machine.cleanup();
});

test("--json keeps stdout for the record alone; the build's output goes to stderr", () => {
  const s = setup(["nixos-rebuild"]);
  const r = wrap(dash, s, ["os", "build", "--json"]);
  assert.is(r.status, 0);
  assert.is(JSON.parse(r.stdout).action, "build");
  assert.match(r.stderr, "hello> compiling src/file1.c");
  assert.not.match(r.stdout, "compiling");
  s.machine.cleanup();
});

test("bad arguments exit 64 and build nothing", () => {
  const s = setup(["nixos-rebuild"]);
  for (const args of [["os", "frobnicate"], ["--bogus"], ["home", "boot"], ["os", "home"], ["switch", "build"], ["--flake"], ["--log-dir", ""]]) {
    const r = wrap(dash, s, args);
    assert.is(r.status, 64, `${args.join(" ")}: ${r.stderr}`);
    assert.ok(r.stderr.length > 0);
  }
  assert.not.ok(existsSync(s.logDir));
  const help = wrap(dash, s, ["--help"]);
  assert.is(help.status, 0);
  assert.match(help.stdout, "Usage: nixos-build-wrapper");
  s.machine.cleanup();
});

test("the library is found at @libdir@ once substituted (as the Nix package does), else next to bin/; missing → exit 70", () => {
  const s = setup(["nixos-rebuild"]);
  const bin = join(s.machine.root, "pkg/bin");
  mkdirSync(bin, { recursive: true });
  for (const cmd of ["nixos-build-wrapper", "nixos-build-status"]) {
    const text = readFileSync(outBin(cmd), "utf8");
    writeFileSync(join(bin, cmd), text.replaceAll("@libdir@", join(projectRoot, "out/lib")));
    writeFileSync(join(bin, `${cmd}-unsubstituted`), text);
  }
  let r = runArgv(["dash", join(bin, "nixos-build-wrapper"), "os", "build"], { env: s.env });
  assert.is(r.status, 0, r.stderr);
  r = runArgv(["dash", join(bin, "nixos-build-status"), "--json"], { env: s.env });
  assert.is(JSON.parse(r.stdout).lastBuild.exitCode, 0);
  for (const cmd of ["nixos-build-wrapper", "nixos-build-status"]) {
    r = runArgv(["dash", join(bin, `${cmd}-unsubstituted`), "--help"], { env: s.env });
    assert.is(r.status, 70, cmd);
    assert.match(r.stderr, `cannot read ${bin}/../lib/nixos-provenance/core.sh (the nixos-provenance library)`);
  }
  s.machine.cleanup();
});

test("a missing builder: refused before starting, one line naming it, exit 127, nothing recorded", () => {
  const s = setup([]);
  for (const shell of shells) {
    const r = wrap(shell, s, ["os", "build"]);
    assert.is(r.status, 127, shell.name);
    assert.is(r.stderr, "nixos-build-wrapper: nixos-rebuild is not installed (it comes with NixOS; or install nh); nothing was built\n", shell.name);
    assert.is(r.stdout, "", shell.name);
    const h = wrap(shell, s, ["home", "switch"]);
    assert.is(h.status, 127, shell.name);
    assert.is(h.stderr, "nixos-build-wrapper: home-manager is not installed (Home Manager provides it: programs.home-manager.enable = true; or install nh); nothing was built\n", shell.name);
  }
  assert.not.ok(existsSync(join(s.logDir, "last-build.json")), "no record of a build that never started");
  s.machine.cleanup();
});

test("history: capped at NIXOS_PROVENANCE_HISTORY_LENGTH, oldest dropped, seed jq queries work", () => {
  const s = setup(["nixos-rebuild"]);
  for (let i = 1; i <= 5; i++) {
    const r = wrap(dash, s, ["os", "build", "--", `--marker=${i}`], { NIXOS_PROVENANCE_HISTORY_LENGTH: "3", FAKE_BUILD: i === 4 ? "fail" : "success" });
    assert.is(r.status, i === 4 ? 1 : 0);
  }
  const h = history(s.logDir);
  assert.equal(h.map((r) => r.argv[r.argv.length - 1]), ["--marker=3", "--marker=4", "--marker=5"]);
  const file = join(s.logDir, "build-history.json");
  const jq = (...args: string[]) => spawnSync("jq", [...args, file], { encoding: "utf8" });
  assert.is(JSON.parse(jq(".[-10:]").stdout).length, 3);
  const failed = jq("-c", ".[] | select(.success == false)").stdout.trim().split("\n");
  assert.is(failed.length, 1);
  assert.is(JSON.parse(failed[0]!).exitCode, 1);
  assert.match(jq("[.[] | .buildDuration] | add / length").stdout.trim(), /^\d+(\.\d+)?$/);
  const byDate = jq("-c", ".[] | {date: .buildStart, exitCode: .exitCode}").stdout.trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(byDate.map((b) => b.exitCode), [0, 1, 0]);
  // A bad length falls back to the configured default with a warning.
  const r = wrap(dash, s, ["os", "build"], { NIXOS_PROVENANCE_HISTORY_LENGTH: "lots" });
  assert.match(r.stderr, "NIXOS_PROVENANCE_HISTORY_LENGTH must be a positive integer");
  assert.is(history(s.logDir).length, 4);
  s.machine.cleanup();
});

test("a corrupt history is moved aside with a warning, never overwritten; a pretty-printed one is converted", () => {
  const s = setup(["nixos-rebuild"]);
  mkdirSync(s.logDir, { recursive: true });
  const file = join(s.logDir, "build-history.json");
  writeFileSync(file, "[\n{\"half\": \n");
  let r = wrap(dash, s, ["os", "build"]);
  assert.is(r.status, 0);
  assert.match(r.stderr, "was not a valid history; moved to");
  const aside = readdirSync(s.logDir).filter((f) => f.startsWith("build-history.json.corrupt-"));
  assert.is(aside.length, 1);
  assert.is(readFileSync(join(s.logDir, aside[0]!), "utf8"), "[\n{\"half\": \n");
  assert.is(history(s.logDir).length, 1);

  // Valid JSON in another layout (as jq would write it): kept, converted.
  const old = [{ buildStart: "2025-01-01T00:00:00+00:00", exitCode: 0, success: true, buildDuration: 5 }, { buildStart: "2025-01-02T00:00:00+00:00", exitCode: 1, success: false, buildDuration: 7 }];
  writeFileSync(file, JSON.stringify(old, null, 2) + "\n");
  r = wrap(dash, s, ["os", "build"]);
  assert.is(r.status, 0);
  const h = history(s.logDir);
  assert.is(h.length, 3);
  assert.equal(h.slice(0, 2), old);
  s.machine.cleanup();
});

test("interrupt: SIGINT to the process group stops the build, records it as interrupted, exits 130", async () => {
  for (const shell of shellsWithPosh) {
    const s = setup(["nixos-rebuild", "nom"]);
    const ready = join(s.machine.root, "ready");
    const child = spawn(shell.argv[0]!, [...shell.argv.slice(1), outBin("nixos-build-wrapper"), "os", "switch"], {
      env: { ...s.env, FAKE_BUILD: "hang", FAKE_READY_FILE: ready },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout!.on("data", (d) => (out += d));
    child.stderr!.on("data", (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    for (let i = 0; i < 200 && !existsSync(ready); i++) await new Promise((r) => setTimeout(r, 25));
    assert.ok(existsSync(ready), `${shell.name}: the build started`);
    await new Promise((r) => setTimeout(r, 100));
    process.kill(-child.pid!, "SIGINT");
    const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r("timeout"), 10_000))]);
    if (code === "timeout") process.kill(-child.pid!, "SIGKILL");
    assert.is(code, 130, `${shell.name}: ${out}`);
    const rec = readJson(join(s.logDir, "last-build.json"));
    assert.is(rec.interrupted, true, shell.name);
    assert.is(rec.exitCode, 130);
    assert.is(rec.success, false);
    assert.match(readFileSync(join(s.logDir, "last-build.log"), "utf8"), "Running phase: buildPhase", "the log has what was printed before Ctrl-C");
    assert.is(history(s.logDir).length, 1);
    s.machine.cleanup();
  }
});

test("on a terminal the builder gets one too (colours, nh/nom display); Ctrl-C there stops it and is recorded", async () => {
  const s = setup(["nixos-rebuild"]);
  const ttyFile = join(s.machine.root, "tty");
  const viaTerminal = (args: string, env: Record<string, string>) =>
    spawnSync("script", ["-qec", `dash ${outBin("nixos-build-wrapper")} ${args}`, "/dev/null"], { env: { ...s.env, FAKE_TTY_FILE: ttyFile, ...env }, encoding: "utf8" });
  let r = viaTerminal("os build", { FAKE_BUILD: "fail", FAKE_EXIT: "6" });
  assert.is(r.status, 6);
  assert.is(readFileSync(ttyFile, "utf8"), "tty\n");
  const rec = readJson(join(s.logDir, "last-build.json"));
  assert.is(rec.exitCode, 6);
  assert.equal(rec.argv, ["nixos-rebuild", "build", "--flake", join(s.machine.root, "etc/nixos")], "the record names the builder, not script(1)");
  assert.is(rec.errorBlocks.length, 2, "errors are found in the terminal's \\r\\n lines");
  r = viaTerminal("os build", { NIXOS_PROVENANCE_NO_PTY: "1" });
  assert.is(r.status, 0);
  assert.is(readFileSync(ttyFile, "utf8"), "pipe\n");
  assert.is(wrap(dash, s, ["os", "build"], { FAKE_TTY_FILE: ttyFile }).status, 0);
  assert.is(readFileSync(ttyFile, "utf8"), "pipe\n", "no terminal, no pseudo-terminal");

  // Ctrl-C typed on the terminal: a byte the pseudo-terminal turns into SIGINT for the builder.
  const ready = join(s.machine.root, "ready");
  const child = spawn("script", ["-qec", `dash ${outBin("nixos-build-wrapper")} os switch`, "/dev/null"], { env: { ...s.env, FAKE_BUILD: "hang", FAKE_READY_FILE: ready }, stdio: ["pipe", "ignore", "ignore"] });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  for (let i = 0; i < 200 && !existsSync(ready); i++) await new Promise((res) => setTimeout(res, 25));
  await new Promise((res) => setTimeout(res, 200));
  child.stdin!.write("\x03");
  const code = await Promise.race([exited, new Promise<string>((res) => setTimeout(() => res("timeout"), 10_000))]);
  if (code === "timeout") child.kill("SIGKILL");
  assert.is(code, 130);
  const last = readJson(join(s.logDir, "last-build.json"));
  assert.is(last.interrupted, true);
  assert.is(last.exitCode, 130);
  s.machine.cleanup();
});

async function parallel(n: number, extraEnv: Record<string, string>, shell: Shell = dash): Promise<void> {
  const s = setup(["nixos-rebuild"]);
  const warnings: string[] = [];
  const runs = Array.from({ length: n }, (_, i) =>
    new Promise<number | null>((resolve) => {
      const child = spawn(shell.argv[0]!, [...shell.argv.slice(1), outBin("nixos-build-wrapper"), "os", "build", "--json", "--", `--run=${i}`], { env: { ...s.env, FAKE_LINES: "200", ...extraEnv }, stdio: ["ignore", "ignore", "pipe"] });
      let stderr = "";
      child.stderr!.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
      child.on("close", (code) => {
        const said = stderr.split("\n").filter((l) => /^nixos-build-wrapper: (error|warning)/.test(l));
        if (said.length) warnings.push(`run ${i}: ${said.join(" / ")}`);
        resolve(code);
      });
    }),
  );
  const codes = await Promise.all(runs);
  assert.equal(codes, Array(n).fill(0));
  const h = history(s.logDir);
  // What a wrapper that kept no entry said (a lock it waited for, a lost lock) is the diagnosis.
  assert.is(h.length, n, `every build has its entry\n${warnings.join("\n")}`);
  assert.equal(h.map((r) => r.argv[r.argv.length - 1]).sort(), Array.from({ length: n }, (_, i) => `--run=${i}`).sort());
  readJson(join(s.logDir, "last-build.json"));
  assert.equal(tempFiles(s.logDir), []);
  s.machine.cleanup();
}

for (const shell of shellsWithPosh) {
  test(`${shell.name}: 20 wrappers at once (flock): 20 valid history entries`, () => parallel(20, {}, shell));
}
test("20 wrappers at once (mkdir lock): 20 valid history entries", () => parallel(20, { NIXOS_PROVENANCE_NO_FLOCK: "1" }));

test("kill -9 mid-write leaves the previous files whole; the next run sweeps the leftovers", async () => {
  const s = setup(["nixos-rebuild"]);
  assert.is(wrap(dash, s, ["os", "build"]).status, 0);
  const before = {
    json: readFileSync(join(s.logDir, "last-build.json"), "utf8"),
    log: readFileSync(join(s.logDir, "last-build.log"), "utf8"),
    hist: readFileSync(join(s.logDir, "build-history.json"), "utf8"),
  };
  // Hold the history lock: the wrapper writes its temporary record, then waits.
  // --no-fork: the lock's holder is the process we kill, not a forked `sleep`
  // that would keep the lock (and the next build waiting) for its 30 s.
  const lockFile = join(s.logDir, ".build-history.lock");
  assert.ok(lstatSync(lockFile).isFile(), "the lock is a file in the log directory");
  assert.is(lstatSync(lockFile).mode & 0o777, 0o600, "only the writers of the records can open it");
  const holder = spawn("flock", ["--no-fork", lockFile, "sleep", "30"], { stdio: "ignore", detached: true });
  const holderGone = new Promise((r) => holder.on("exit", r));
  const lockFree = () => spawnSync("flock", ["--nonblock", lockFile, "true"]).status === 0;
  for (let i = 0; i < 400 && lockFree(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.not.ok(lockFree(), "the holder has the lock");
  const child = spawn("dash", [outBin("nixos-build-wrapper"), "os", "switch"], { env: s.env, stdio: "ignore" });
  const exited = new Promise((r) => child.on("exit", r));
  let pending: string[] = [];
  for (let i = 0; i < 400 && !pending.some((f) => f.endsWith(".json")); i++) {
    await new Promise((r) => setTimeout(r, 25));
    pending = tempFiles(s.logDir);
  }
  assert.ok(pending.some((f) => f.endsWith(".json")), "the wrapper is in the middle of writing");
  child.kill("SIGKILL");
  await exited;
  process.kill(-holder.pid!, "SIGKILL");
  await holderGone;
  assert.is(readFileSync(join(s.logDir, "last-build.json"), "utf8"), before.json);
  assert.is(readFileSync(join(s.logDir, "last-build.log"), "utf8"), before.log);
  assert.is(readFileSync(join(s.logDir, "build-history.json"), "utf8"), before.hist);
  assert.ok(tempFiles(s.logDir).length > 0);
  assert.is(wrap(dash, s, ["os", "build"]).status, 0);
  assert.equal(tempFiles(s.logDir), [], "leftovers of the dead wrapper are removed");
  assert.is(history(s.logDir).length, 2);

  // Killed at arbitrary moments: whatever is there is always valid.
  for (let i = 0; i < 12; i++) {
    const c = spawn("dash", [outBin("nixos-build-wrapper"), "os", "build"], { env: { ...s.env, FAKE_LINES: "3000" }, stdio: "ignore" });
    const done = new Promise((r) => c.on("exit", r));
    await new Promise((r) => setTimeout(r, 20 + i * 15));
    c.kill("SIGKILL");
    await done;
    readJson(join(s.logDir, "last-build.json"));
    history(s.logDir);
  }
  // A stale symlink lock (NIXOS_PROVENANCE_NO_FLOCK) of a dead process does not block the next build.
  symlinkSync("999999", join(s.logDir, ".build-history.lock.pid"));
  const n = history(s.logDir).length;
  const r = wrap(dash, s, ["os", "build"], { NIXOS_PROVENANCE_NO_FLOCK: "1" });
  assert.is(r.status, 0, r.stderr);
  assert.is(history(s.logDir).length, n + 1);
  assert.not.ok(existsSync(join(s.logDir, ".build-history.lock.pid")) || readdirSync(s.logDir).some((f) => f.startsWith(".build-history.lock.pid")));

  // Taking over a stale lock is itself locked (.takeover): while a live
  // waiter holds that, nobody else touches the lock; a gone one's is removed.
  const lockLinks = () => readdirSync(s.logDir).filter((f) => f.startsWith(".build-history.lock.pid")).sort();
  symlinkSync("999999", join(s.logDir, ".build-history.lock.pid"));
  symlinkSync(String(process.pid), join(s.logDir, ".build-history.lock.pid.takeover"));
  const blocked = wrap(dash, s, ["os", "build"], { NIXOS_PROVENANCE_NO_FLOCK: "1", NIXOS_PROVENANCE_LOCK_TIMEOUT: "1", FAKE_BUILD: "fail", FAKE_EXIT: "5" });
  assert.is(blocked.status, 5, "the build's status is kept");
  assert.match(blocked.stderr, "held by process 999999");
  assert.is(history(s.logDir).length, n + 1, "not recorded while another waiter takes over");
  assert.equal(lockLinks(), [".build-history.lock.pid", ".build-history.lock.pid.takeover"], "both links left as they were");
  assert.is(readlinkSync(join(s.logDir, ".build-history.lock.pid.takeover")), String(process.pid));
  rmSync(join(s.logDir, ".build-history.lock.pid.takeover"));
  symlinkSync("999998", join(s.logDir, ".build-history.lock.pid.takeover"));
  const freed = wrap(dash, s, ["os", "build"], { NIXOS_PROVENANCE_NO_FLOCK: "1" });
  assert.is(freed.status, 0, freed.stderr);
  assert.is(history(s.logDir).length, n + 2, "the gone waiter's takeover and the gone holder's lock are both cleared");
  assert.equal(lockLinks(), []);
  s.machine.cleanup();
});

function tryMount(dir: string, options: string): boolean {
  mkdirSync(dir, { recursive: true });
  return spawnSync("mount", ["-t", "tmpfs", "-o", options, "tmpfs", dir]).status === 0;
}

/**
 * The disk-full and read-only tests need a tmpfs (root, and a kernel that
 * lets us mount). Where none can be mounted they are skipped, and counted as
 * skipped; under CI=true they run anyway and fail, since CI must run them.
 */
const canMountTmpfs = (() => {
  const dir = mkdtempSync(join(tmpdir(), "nixprov-mount-probe-"));
  try {
    const ok = tryMount(dir, "size=64k");
    if (ok) spawnSync("umount", [dir]);
    return ok;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
})();
const inCI = /^(true|1)$/i.test(process.env.CI ?? "");
const tmpfsTest = canMountTmpfs || inCI ? test : test.skip;
if (!canMountTmpfs) console.log(inCI ? "  (cannot mount a tmpfs here; CI=true: the tmpfs tests run and fail)" : "  (cannot mount a tmpfs here, needs root: the disk-full and read-only tests are skipped)");
const mountFailure = "cannot mount a tmpfs (needs root); under CI=true this test must run";

tmpfsTest("disk full: the build's exit code is kept and the previous records stay whole", () => {
  const s = setup(["nixos-rebuild"]);
  const mnt = join(s.machine.root, "small");
  if (!tryMount(mnt, "size=64k,mode=755")) {
    s.machine.cleanup();
    assert.unreachable(mountFailure);
  }
  try {
    const env = { NIXOS_PROVENANCE_LOG_DIR: mnt };
    assert.is(wrap(dash, s, ["os", "build"], env).status, 0);
    const before = readFileSync(join(mnt, "last-build.json"), "utf8");
    const hist = readFileSync(join(mnt, "build-history.json"), "utf8");
    const r = wrap(dash, s, ["os", "switch"], { ...env, FAKE_LINES: "20000" });
    assert.is(r.status, 0, "the build's status, not the log's");
    assert.match(r.stderr, "disk full");
    assert.is(readFileSync(join(mnt, "last-build.json"), "utf8"), before);
    assert.is(readFileSync(join(mnt, "build-history.json"), "utf8"), hist);
    assert.equal(tempFiles(mnt), []);
    assert.match(r.stdout, "log: not kept", "the summary says the record was not kept");
    assert.not.match(r.stdout, `log: ${mnt}/last-build.log`);
    const failed = wrap(dash, s, ["os", "switch"], { ...env, FAKE_LINES: "20000", FAKE_BUILD: "fail", FAKE_EXIT: "9" });
    assert.is(failed.status, 9);
    assert.match(failed.stdout, "error: builder for", "the errors are still shown, from the log that could not be kept");
    // The printed record does not point at the previous build's log.
    for (const shell of shells) {
      const j = wrap(shell, s, ["os", "build", "--json"], { ...env, FAKE_LINES: "20000" });
      assert.is(j.status, 0, shell.name);
      assert.match(j.stderr, "this build is not recorded", shell.name);
      assert.is(JSON.parse(j.stdout).buildLogPath, "", shell.name);
    }
    assert.is(readFileSync(join(mnt, "last-build.json"), "utf8"), before);
    assert.is(readFileSync(join(mnt, "build-history.json"), "utf8"), hist);
    assert.equal(tempFiles(mnt), []);
  } finally {
    spawnSync("umount", [mnt]);
    s.machine.cleanup();
  }
});

test("unwritable log dir: falls back to $XDG_STATE_HOME/nixos-builds with a notice", () => {
  const s = setup(["nixos-rebuild"]);
  writeFileSync(join(s.machine.root, "file"), "");
  const state = join(s.machine.home, "state");
  const r = wrap(dash, s, ["os", "build"], { NIXOS_PROVENANCE_LOG_DIR: join(s.machine.root, "file/nixos-builds"), XDG_STATE_HOME: state });
  assert.is(r.status, 0);
  assert.match(r.stderr, `is not writable; build records go to ${state}/nixos-builds`);
  assert.is(readJson(join(state, "nixos-builds/last-build.json")).exitCode, 0);
  s.machine.cleanup();
});

tmpfsTest("read-only log dir, no XDG_STATE_HOME: falls back to ~/.local/state/nixos-builds", () => {
  const s = setup(["nixos-rebuild"]);
  const ro = join(s.machine.root, "ro");
  if (!tryMount(ro, "ro,size=64k,mode=755")) {
    s.machine.cleanup();
    assert.unreachable(mountFailure);
  }
  try {
    const r = wrap(dash, s, ["os", "build"], { NIXOS_PROVENANCE_LOG_DIR: ro });
    assert.is(r.status, 0);
    assert.match(r.stderr, "is not writable");
    assert.is(history(join(s.machine.home, ".local/state/nixos-builds")).length, 1);
  } finally {
    spawnSync("umount", [ro]);
    s.machine.cleanup();
  }
});

test("unsafe log dir (world-writable, another user's): refused, the build still runs", () => {
  const s = setup(["nixos-rebuild"]);
  mkdirSync(s.logDir);
  chmodSync(s.logDir, 0o777);
  let r = wrap(dash, s, ["os", "build", "--json"], { FAKE_BUILD: "fail", FAKE_EXIT: "4" });
  assert.is(r.status, 4);
  assert.match(r.stderr, "refusing to keep build records");
  assert.match(r.stderr, "writable by every user");
  assert.equal(readdirSync(s.logDir), []);
  const rec = JSON.parse(r.stdout);
  assert.is(rec.buildLogPath, "");
  assert.is(rec.errorBlocks.length, 2, "errors are still extracted for the printed record");
  // Group-writable: refused, unless it is the shared layout the NixOS module creates (root-owned, setgid).
  chmodSync(s.logDir, 0o775);
  r = wrap(dash, s, ["os", "build"]);
  assert.is(r.status, 0);
  assert.match(r.stderr, "writable by its group");
  assert.equal(readdirSync(s.logDir), []);
  s.machine.cleanup();
});

// Root-owned directories and chown need root: skipped (and counted) otherwise, except under CI=true.
const rootTest = process.getuid?.() === 0 || inCI ? test : test.skip;

rootTest("log dir of the NixOS module's shared layout (root-owned, setgid, group-writable) is used; another user's is refused", () => {
  assert.is(process.getuid?.(), 0, "needs root; under CI=true this test must run");
  const s = setup(["nixos-rebuild"]);
  mkdirSync(s.logDir);
  chmodSync(s.logDir, 0o2770);
  let r = wrap(dash, s, ["os", "build"]);
  assert.is(r.status, 0);
  assert.is(r.stderr, "");
  assert.is(history(s.logDir).length, 1);
  rmSync(s.logDir, { recursive: true });
  mkdirSync(s.logDir);
  chmodSync(s.logDir, 0o755);
  chownSync(s.logDir, 65534, 65534);
  r = wrap(dash, s, ["os", "build"]);
  assert.is(r.status, 0);
  assert.match(r.stderr, "belongs to another user");
  assert.equal(readdirSync(s.logDir), []);
  s.machine.cleanup();
});

test("a symlink planted at last-build.log (or the others) is replaced, never followed", () => {
  const s = setup(["nixos-rebuild"]);
  mkdirSync(s.logDir);
  const victim = join(s.machine.root, "victim");
  writeFileSync(victim, "precious\n");
  for (const name of ["last-build.log", "last-build.json", "build-history.json", ".build-history.lock"]) symlinkSync(victim, join(s.logDir, name));
  const r = wrap(dash, s, ["os", "build"]);
  assert.is(r.status, 0);
  assert.is(readFileSync(victim, "utf8"), "precious\n");
  for (const name of ["last-build.log", "last-build.json", "build-history.json"]) assert.ok(lstatSync(join(s.logDir, name)).isFile(), name);
  assert.match(r.stderr, "last-build.log was a symbolic link");
  assert.is(history(s.logDir).length, 1);
  // A symlink as the log directory itself is refused.
  const other = join(s.machine.root, "logs2");
  symlinkSync(s.logDir, other);
  const r2 = wrap(dash, s, ["os", "build"], { NIXOS_PROVENANCE_LOG_DIR: other });
  assert.match(r2.stderr, "is a symbolic link");
  assert.is(history(s.logDir).length, 1);
  s.machine.cleanup();
});

test("memory and time: a 200k-line build is streamed (log complete, record small)", () => {
  const s = setup(["nixos-rebuild"]);
  const r = wrap(dash, s, ["os", "build"], { FAKE_LINES: "200000" });
  assert.is(r.status, 0);
  const log = readFileSync(join(s.logDir, "last-build.log"), "utf8");
  assert.ok(log.includes("src/file200000.c"));
  assert.ok(readFileSync(join(s.logDir, "last-build.json")).length < 5000);
  s.machine.cleanup();
});

test.run();

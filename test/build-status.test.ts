/**
 * nixos-build-status on fixture machines with fake systemctl, journalctl and
 * nix: exit codes 0/1/2/3, the JSON keys, `unavailable` checks, the flake
 * timeout, colour rules, and the seed's automation examples run verbatim
 * (only the absolute paths /var/log/nixos-builds, /etc/nixos and /tmp are
 * re-rooted into the fixture).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync, mkdirSync, existsSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { Machine } from "./helpers/fixture.js";
import { shells, outBin, outLib, runArgv, type Shell, type RunResult } from "./helpers/shells.js";
import { toolDir, buildPath, type FakeTool } from "./helpers/build-env.js";

const all: FakeTool[] = ["nixos-rebuild", "systemctl", "journalctl", "nix"];

interface Setup {
  machine: Machine;
  logDir: string;
  env: Record<string, string>;
}

function setup(tools: FakeTool[] = all, extraEnv: Record<string, string> = {}, extraTools: Record<string, string> = {}): Setup {
  const machine = new Machine();
  machine.switchTo(41);
  machine.write("etc/nixos/flake.nix", "{ outputs = _: { }; }\n");
  const logDir = join(machine.root, "var/log/nixos-builds");
  const env = machine.env({ PATH: buildPath(toolDir(tools, extraTools)), ...extraEnv });
  return { machine, logDir, env };
}

function status(shell: Shell, s: Setup, args: string[], env: Record<string, string> = {}): RunResult {
  return runArgv([...shell.argv, outBin("nixos-build-status"), ...args], { env: { ...s.env, ...env } });
}

function build(s: Setup, args: string[], env: Record<string, string> = {}): RunResult {
  return runArgv(["dash", outBin("nixos-build-wrapper"), ...args], { env: { ...s.env, ...env } });
}

const dash = shells[0]!;
const statusKeys = ["timestamp", "hostname", "generation", "buildErrors", "bootStatus", "buildability", "lastBuild", "overallStatus", "exitCode", "recordsDir", "advice", "notChecked"];

for (const shell of shells) {
  test(`${shell.name}: healthy and in sync → exit 0, seed keys, success`, () => {
    const s = setup();
    assert.is(build(s, ["os", "switch"]).status, 0);
    const r = status(shell, s, ["--json"]);
    assert.is(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(Object.keys(j), statusKeys);
    assert.is(j.overallStatus, "success");
    assert.is(j.exitCode, 0);
    assert.is(j.generation.generation, "g42");
    assert.is(j.generation.status, "in-sync");
    assert.equal(j.buildErrors, { errorCount: 0, errors: [], journal: "ok", why: "" });
    assert.equal(j.bootStatus, { bootFailed: false, failedUnits: "", checked: "ok", why: "" });
    assert.equal(j.buildability, { canBuild: true, buildError: "", checked: "ok", why: "" });
    assert.equal([j.advice, j.notChecked, j.recordsDir], [[], "", s.logDir]);
    assert.is(j.lastBuild.generationChange, "g41 → g42");
    const h = status(shell, s, []);
    assert.is(h.status, 0);
    assert.match(h.stdout, "=== NixOS Build Status ===");
    assert.match(h.stdout, "Current generation: g42");
    assert.match(h.stdout, "✓ System is healthy");
    assert.not.match(h.stdout, "\u001b[", "no colour without a terminal");
    s.machine.cleanup();
  });

  test(`${shell.name}: out of sync → exit 1; errors → exit 2 (units, flake, failed build)`, () => {
    const s = setup();
    s.machine.addSystem(42);
    s.machine.setProfile(42);
    let r = status(shell, s, ["--json"]);
    assert.is(r.status, 1);
    assert.is(JSON.parse(r.stdout).overallStatus, "out-of-sync");

    r = status(shell, s, ["--json"], { FAKE_FAILED_UNITS: "nginx.service foo@bar.service" });
    assert.is(r.status, 2);
    let j = JSON.parse(r.stdout);
    assert.equal(j.bootStatus, { bootFailed: true, failedUnits: "nginx.service foo@bar.service", checked: "ok", why: "" });
    assert.is(j.overallStatus, "error");
    assert.is(status(shell, s, ["--json", "--no-boot"], { FAKE_FAILED_UNITS: "nginx.service" }).status, 1, "--no-boot skips the unit check");

    r = status(shell, s, ["--json"], { FAKE_NIX: "fail" });
    assert.is(r.status, 2);
    j = JSON.parse(r.stdout);
    assert.is(j.buildability.canBuild, false);
    assert.match(j.buildability.buildError, "error: syntax error, unexpected '}'");
    s.machine.cleanup();
  });
}

test("a failed last build is an error; its error lines are reported", () => {
  const s = setup();
  assert.is(build(s, ["os", "switch"], { FAKE_BUILD: "fail" }).status, 1);
  const r = status(dash, s, ["--json"]);
  assert.is(r.status, 2);
  const j = JSON.parse(r.stdout);
  assert.is(j.buildErrors.errorCount, 2);
  assert.match(j.buildErrors.errors[0], "error: builder for '/nix/store/");
  assert.is(j.lastBuild.exitCode, 1);
  const v = status(dash, s, ["--verbose"]);
  assert.match(v.stdout, "✗ os switch failed with exit code 1");
  assert.match(v.stdout, "    error: builder for");
  assert.match(v.stdout, /\n  Last phase: +hello: buildPhase\n/);
  // An interrupted build is not an error.
  writeFileSync(join(s.logDir, "last-build.json"), readFileSync(join(s.logDir, "last-build.json"), "utf8").replace('"exitCode":1,"success":false,"interrupted":false', '"exitCode":130,"success":false,"interrupted":true'));
  assert.is(status(dash, s, ["--json"]).status, 0);
  s.machine.cleanup();
});

test("--log-dir reads the records of another directory", () => {
  const s = setup();
  const other = join(s.machine.root, "other-logs");
  assert.is(build(s, ["os", "build", "--log-dir", other], { FAKE_BUILD: "fail" }).status, 1);
  assert.is(status(dash, s, ["--json"]).status, 0, "the default directory has no failed build");
  for (const args of [["--log-dir", other], [`--log-dir=${other}`]]) {
    const r = status(dash, s, ["--json", ...args]);
    assert.is(r.status, 2);
    assert.is(JSON.parse(r.stdout).lastBuild.exitCode, 1);
  }
  s.machine.cleanup();
});

test("missing tools and a stopped systemd are `unavailable`, not errors; nothing checked is `unchecked`, exit 4, never healthy", () => {
  const s = setup(["nixos-rebuild"]);
  let r = status(dash, s, ["--json"]);
  assert.is(r.status, 4, r.stderr);
  let j = JSON.parse(r.stdout);
  assert.is(j.overallStatus, "unchecked");
  assert.is(j.exitCode, 4);
  assert.equal(j.bootStatus, { bootFailed: false, failedUnits: "", checked: "unavailable", why: "systemctl not found" });
  assert.equal([j.buildability.checked, j.buildability.why], ["unavailable", "nix not found"]);
  assert.equal([j.buildErrors.journal, j.buildErrors.why], ["unavailable", "journalctl not found"]);
  assert.is(j.notChecked, "systemd units (systemctl not found); flake (nix not found); journal (journalctl not found)");
  assert.equal(j.lastBuild, {});
  const h = status(dash, s, []);
  assert.is(h.status, 4);
  assert.match(h.stdout, "unavailable (systemctl not found)");
  assert.match(h.stdout, "unavailable (nix not found)");
  assert.match(h.stdout, "no build recorded in");
  assert.match(h.stdout, "=== Summary ===\n⚠ Health unknown: no check of units, flake or journal could run\n- Not checked: systemd units (systemctl not found); flake (nix not found); journal (journalctl not found)\n");
  assert.not.match(h.stdout, "healthy");
  // One check that ran and passed is enough; the others are still listed.
  const one = setup(["nixos-rebuild", "nix"]);
  r = status(dash, one, []);
  assert.is(r.status, 0, r.stdout);
  assert.match(r.stdout, "✓ System is healthy\n- Not checked: systemd units (systemctl not found); journal (journalctl not found)\n");
  one.machine.cleanup();

  const t = setup(all, { FAKE_SYSTEMCTL: "offline" });
  r = status(dash, t, ["--json"]);
  assert.is(r.status, 0);
  assert.is(JSON.parse(r.stdout).bootStatus.checked, "unavailable");
  s.machine.cleanup();
  t.machine.cleanup();
});

test("not a NixOS system: one line on stderr, exit 69, in every mode (never `healthy`)", () => {
  const machine = new Machine();
  const s: Setup = { machine, logDir: join(machine.root, "var/log/nixos-builds"), env: machine.env({ PATH: buildPath(toolDir(all)) }) };
  for (const shell of shells) {
    for (const args of [[], ["--json"], ["--prometheus"], ["--verbose"]]) {
      const r = status(shell, s, args);
      assert.is(r.status, 69, `${shell.name} ${args.join(" ")}`);
      assert.is(r.stdout, "", `${shell.name} ${args.join(" ")}`);
      assert.is(r.stderr, `nixos-build-status: not a NixOS system: ${machine.root}/run/current-system is missing\n`);
    }
  }
  assert.is(status(dash, s, ["--help"]).status, 0);
  machine.cleanup();
});

test("advice names the side that is behind and the command that fixes it", () => {
  // System behind: os switch.
  const s = setup();
  s.machine.addSystem(42);
  s.machine.setProfile(42);
  let r = status(dash, s, []);
  assert.is(r.status, 1);
  assert.match(r.stdout, "=== Summary ===\n⚠ System is out of sync: running g41, latest g42 (run nixos-build-wrapper os switch)\n");
  assert.not.match(r.stdout, "Home Manager is out of sync");
  assert.equal(JSON.parse(status(dash, s, ["--json"]).stdout).advice, ["nixos-build-wrapper os switch"]);
  s.machine.cleanup();

  // Only standalone Home Manager behind: home switch, and no word of the system.
  const h = setup();
  h.machine.addHome(1);
  h.machine.addHome(2, { activate: false });
  h.machine.activateHome(1);
  r = status(dash, h, []);
  assert.is(r.status, 1);
  assert.match(r.stdout, "=== Summary ===\n⚠ Home Manager is out of sync: hm1 active, latest hm2 (run nixos-build-wrapper home switch)\n");
  assert.not.match(r.stdout, "System is out of sync");
  assert.not.match(r.stdout, "os switch");
  let j = JSON.parse(status(dash, h, ["--json"]).stdout);
  assert.equal([j.overallStatus, j.advice], ["out-of-sync", ["nixos-build-wrapper home switch"]]);
  // Home Manager run by the NixOS module (home-manager-<user>.service): a system switch activates it.
  h.machine.write("etc/systemd/system/home-manager-alice.service", "[Service]\n");
  r = status(dash, h, []);
  assert.match(r.stdout, "⚠ Home Manager is out of sync: hm1 active, latest hm2 (run nixos-build-wrapper os switch; Home Manager runs as a NixOS module)\n");
  j = JSON.parse(status(dash, h, ["--json"]).stdout);
  assert.equal(j.advice, ["nixos-build-wrapper os switch"]);
  // Both behind, module: one command.
  h.machine.addSystem(42);
  h.machine.setProfile(42);
  j = JSON.parse(status(dash, h, ["--json"]).stdout);
  assert.equal(j.advice, ["nixos-build-wrapper os switch"]);
  h.machine.cleanup();
});

test("the real error in the summary: an evaluation error's message, not `error:` alone (plain log and nom's internal-json)", () => {
  for (const tools of [["nixos-rebuild", "systemctl", "journalctl", "nix"], ["nixos-rebuild", "nom", "systemctl", "journalctl", "nix"]] as FakeTool[][]) {
    const s = setup(tools);
    assert.is(build(s, ["os", "switch"], { FAKE_BUILD: "eval-error" }).status, 1);
    const message = "error: The option `services.foo' does not exist. Definition values: - In `/nix/store/zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz-source/configuration.nix'";
    const j = JSON.parse(status(dash, s, ["--json"]).stdout);
    assert.equal(j.buildErrors.errors, [message], tools.join(","));
    const v = status(dash, s, ["--verbose"]);
    assert.match(v.stdout, `1 build error line(s) detected\n    ${message}\n`);
    assert.match(v.stdout, `✗ System has errors: ${message}\n`);
    // A failed build: the builder's message, with the failing derivation.
    assert.is(build(s, ["os", "switch"], { FAKE_BUILD: "fail" }).status, 1);
    const f = JSON.parse(status(dash, s, ["--json"]).stdout);
    assert.equal(f.buildErrors.errors, [
      "error: builder for '/nix/store/0123456789abcdfghijklmnpqrsvwxyz-hello-2.12.1.drv' failed with exit code 2;",
      "error: 1 dependencies of derivation '/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-nixos-system-testhost.drv' failed to build",
    ], tools.join(","));
    s.machine.cleanup();
  }
});

test("internal-json: errors come from level-0 msg entries, not from build log lines that say error:", () => {
  const s = setup(["nixos-rebuild", "nom", "systemctl", "journalctl", "nix"]);
  mkdirSync(s.logDir, { recursive: true });
  assert.is(build(s, ["os", "switch"], { FAKE_BUILD: "fail" }).status, 1);
  const log = join(s.logDir, "last-build.log");
  const text = readFileSync(log, "utf8");
  assert.match(text, '"level":0,"msg":"error: builder for');
  // A builder's own output line reading "error: ..." and a level-1 warning: neither is an error of Nix.
  writeFileSync(log, '@nix {"action":"result","fields":["error: this line is the builder talking"],"id":42,"type":101}\n@nix {"action":"msg","level":1,"msg":"error: not an error (level 1)"}\n' + text);
  const j = JSON.parse(status(dash, s, ["--json"]).stdout);
  assert.equal(j.buildErrors.errors, [
    "error: builder for '/nix/store/0123456789abcdfghijklmnpqrsvwxyz-hello-2.12.1.drv' failed with exit code 2;",
    "error: 1 dependencies of derivation '/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-nixos-system-testhost.drv' failed to build",
  ]);
  s.machine.cleanup();
});

test("a user's own records (the wrapper's fallback) are shown when newer than the system's, and the report says so", () => {
  const s = setup();
  const own = join(s.machine.home, ".local/state/nixos-builds");
  // root's older build in the system directory, then the user's own, newer and failed.
  assert.is(build(s, ["os", "build"], { NIXOS_PROVENANCE_LOG_DIR: s.logDir }).status, 0);
  const old = Date.now() / 1000 - 3600;
  utimesSync(join(s.logDir, "last-build.json"), old, old);
  assert.is(build(s, ["os", "build"], { NIXOS_PROVENANCE_LOG_DIR: own, FAKE_BUILD: "fail" }).status, 1);
  let j = JSON.parse(status(dash, s, ["--json"]).stdout);
  assert.is(j.recordsDir, own);
  assert.is(j.lastBuild.exitCode, 1);
  let h = status(dash, s, []);
  assert.match(h.stdout, `Last Build:\n- from ${own} (your own records: newer than those in ${s.logDir})\n✗ os build failed`);
  // The system's record newer again: it wins, and the report says so.
  const later = Date.now() / 1000 + 60;
  utimesSync(join(s.logDir, "last-build.json"), later, later);
  j = JSON.parse(status(dash, s, ["--json"]).stdout);
  assert.is(j.recordsDir, s.logDir);
  assert.is(j.lastBuild.exitCode, 0);
  h = status(dash, s, []);
  assert.match(h.stdout, `- from ${s.logDir} (newer than your own records in ${own})\n✓ os build succeeded`);
  // --log-dir is taken as given.
  assert.is(JSON.parse(status(dash, s, ["--json", "--log-dir", own]).stdout).recordsDir, own);
  s.machine.cleanup();
});

test("a hung flake check times out instead of hanging the status", () => {
  const s = setup(all, { FAKE_NIX: "hang", NIXOS_PROVENANCE_FLAKE_TIMEOUT: "1" });
  const start = Date.now();
  const r = status(dash, s, ["--json"]);
  assert.ok(Date.now() - start < 8000);
  assert.is(r.status, 0);
  const j = JSON.parse(r.stdout);
  assert.is(j.buildability.checked, "unavailable");
  assert.match(status(dash, s, []).stdout, "timed out after 1s");
  s.machine.cleanup();
});

test("bad arguments exit 3", () => {
  const s = setup();
  for (const args of [["--bogus"], ["extra"], ["--json", "--prometheus"], ["--log-dir"]]) {
    const r = status(dash, s, args);
    assert.is(r.status, 3, args.join(" "));
    assert.match(r.stderr, "nixos-build-status:");
  }
  s.machine.cleanup();
});

test("journal errors count; data is printed as is (\\c, \\n, %s), control characters neutralised", () => {
  const s = setup();
  const journal = join(s.machine.root, "journal");
  writeFileSync(journal, "switch-to-configuration: error: \\c stop \\n here %s\u001b[31m\n");
  const r = status(dash, s, ["--verbose"], { FAKE_JOURNAL: journal });
  assert.is(r.status, 2);
  assert.match(r.stdout, "    switch-to-configuration: error: \\c stop \\n here %s?[31m");
  const j = JSON.parse(status(dash, s, ["--json"], { FAKE_JOURNAL: journal }).stdout);
  assert.equal(j.buildErrors.errors, ["switch-to-configuration: error: \\c stop \\n here %s?[31m"]);
  s.machine.cleanup();
});

test("colour only on a terminal, and never with NO_COLOR", () => {
  const s = setup();
  const tty = (env: Record<string, string>) =>
    spawnSync("script", ["-qec", `dash ${outBin("nixos-build-status")}`, "/dev/null"], { env: { ...s.env, ...env }, encoding: "utf8" }).stdout;
  assert.match(tty({}), "\u001b[32m✓\u001b[0m System is healthy");
  assert.not.match(tty({ NO_COLOR: "1" }), "\u001b[");
  s.machine.cleanup();
});

test("--prometheus is served by prov_prometheus_report with the records dir", () => {
  const s = setup();
  build(s, ["os", "switch"]);
  const r = status(dash, s, ["--prometheus"]);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, "nixos_provenance_current_generation 42");
  assert.match(r.stdout, "nixos_provenance_last_build_exit_code 0");
  s.machine.cleanup();
});

/** The seed's scripts, with its absolute paths moved into the fixture. */
function seedScript(s: Setup, text: string): string {
  return text
    .replaceAll("/var/log/nixos-builds", s.logDir)
    .replaceAll("/etc/nixos/lib/build-status.sh", outLib)
    .replaceAll("/etc/nixos", join(s.machine.root, "etc/nixos"))
    .replaceAll("/tmp/build-check.json", join(s.machine.root, "build-check.json"));
}

function runBash(s: Setup, script: string, env: Record<string, string> = {}): RunResult {
  const file = join(s.machine.root, "script.sh");
  writeFileSync(file, seedScript(s, script));
  return runArgv(["bash", file], { env: { ...s.env, ...env }, cwd: s.machine.root });
}

const ciScript = `#!/usr/bin/env bash
# CI/CD build verification script

set -euo pipefail

echo "Building NixOS configuration..."
if nixos-build-wrapper os build --json > build-result.json; then
  echo "✓ Build succeeded"

  # Check if everything is healthy
  if nixos-build-status --json | jq -e '.overallStatus == "success"'; then
    echo "✓ System is healthy"
    exit 0
  else
    echo "✗ System has issues"
    nixos-build-status --verbose
    exit 1
  fi
else
  echo "✗ Build failed"

  # Extract errors
  jq -r '.errors' build-result.json

  # Show error details
  cat /var/log/nixos-builds/last-build.log

  exit 2
fi
`;

test("seed example: CI/CD pipeline (success and failure)", () => {
  const s = setup();
  let r = runBash(s, ciScript);
  assert.is(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, "✓ Build succeeded\ntrue\n✓ System is healthy");
  r = runBash(s, ciScript, { FAKE_BUILD: "fail" });
  assert.is(r.status, 2, r.stderr);
  assert.match(r.stdout, "✗ Build failed\nhello> Running phase: buildPhase");
  assert.match(r.stdout, "error: builder for '/nix/store/0123456789abcdfghijklmnpqrsvwxyz-hello-2.12.1.drv' failed with exit code 2;");
  s.machine.cleanup();
});

test("seed example: pre-push hook", () => {
  const s = setup();
  const hook = `#!/usr/bin/env bash
# .git/hooks/pre-push

echo "Verifying NixOS configuration builds..."
if ! nixos-build-wrapper os dry-build --json > /tmp/build-check.json; then
  echo "Configuration doesn't build! Aborting push."
  jq -r '.errors' /tmp/build-check.json
  exit 1
fi
`;
  assert.is(runBash(s, hook).status, 0);
  const r = runBash(s, hook, { FAKE_BUILD: "eval-error" });
  assert.is(r.status, 1);
  assert.match(r.stdout, "Aborting push.\n");
  assert.match(r.stdout, "hello> Running phase: buildPhase\nerror:\n       … while evaluating the attribute 'config.system.build.toplevel'\n\n       error: The option");
  assert.match(r.stdout, "error: The option `services.foo' does not exist.");
  s.machine.cleanup();
});

test("seed example: monitoring (cron) posts the JSON report", () => {
  const curl = `#!/bin/sh\ncat > "$CURL_BODY"\nprintf '%s\\n' "$*" > "$CURL_BODY.args"\n`;
  const s = setup(all, {}, { curl });
  const body = join(s.machine.root, "posted.json");
  const script = `#!/usr/bin/env bash
# /etc/cron.hourly/nixos-health-check

# Check system health and alert if issues
if ! nixos-build-status --json | jq -e '.overallStatus == "success"' > /dev/null; then
  # Send alert (email, webhook, etc.)
  nixos-build-status --json | \\
    curl -X POST https://monitoring.example.com/alerts \\
      -H "Content-Type: application/json" \\
      -d @-
fi
`;
  assert.is(runBash(s, script, { CURL_BODY: body }).status, 0);
  assert.not.ok(existsSync(body), "healthy: no alert");
  const r = runBash(s, script, { CURL_BODY: body, FAKE_FAILED_UNITS: "nginx.service" });
  assert.is(r.status, 0, r.stderr);
  assert.is(JSON.parse(readFileSync(body, "utf8")).bootStatus.failedUnits, "nginx.service");
  s.machine.cleanup();
});

test("seed example: automated debugging workflow", () => {
  const s = setup();
  const script = `#!/usr/bin/env bash
# Auto-debug build failures and send to LLM

source /etc/nixos/lib/build-status.sh

# Run build
if ! nixos-build-wrapper os switch --json > build.json; then
  echo "Build failed, collecting diagnostics..."

  # Collect comprehensive error context
  {
    echo "=== Build Status ==="
    create_status_report json

    echo "=== Build Log ==="
    cat /var/log/nixos-builds/last-build.log

    echo "=== Nix Errors ==="
    extract_nix_errors /var/log/nixos-builds/last-build.log

    echo "=== Failed Units ==="
    check_failed_units

    echo "=== Recent Journal Errors ==="
    journalctl -p err --since "1 hour ago" --no-pager

  } > debug-context.txt

  # Send to LLM for analysis (example)
  # claude-code debug debug-context.txt

  exit 1
fi
`;
  const r = runBash(s, script, { FAKE_BUILD: "fail", FAKE_FAILED_UNITS: "a.service" });
  assert.is(r.status, 1, r.stderr);
  const text = readFileSync(join(s.machine.root, "debug-context.txt"), "utf8");
  const report = text.split("=== Build Status ===\n")[1]!.split("=== Build Log ===")[0]!;
  assert.is(JSON.parse(report).overallStatus, "error");
  const errors = text.split("=== Nix Errors ===\n")[1]!.split("=== Failed Units ===")[0]!;
  assert.is(JSON.parse(errors).length, 2);
  assert.match(text, '=== Failed Units ===\n["a.service"]\n');
  s.machine.cleanup();
});

test("seed example: test framework", () => {
  const s = setup(["nixos-rebuild", "home-manager", "systemctl", "journalctl", "nix"]);
  const script = `#!/usr/bin/env bash
# NixOS configuration test suite

source /etc/nixos/lib/build-status.sh

run_test() {
  local test_name="$1"
  shift
  local test_cmd=("$@")

  echo "Running test: $test_name"
  if "\${test_cmd[@]}"; then
    echo "✓ $test_name passed"
    return 0
  else
    echo "✗ $test_name failed"
    return 1
  fi
}

# Test 1: Configuration builds
run_test "Configuration builds" \\
  nixos-build-wrapper os build --no-nh

# Test 2: System is in sync
run_test "System in sync" \\
  is_generation_in_sync

# Test 3: No failed systemd units
run_test "No failed systemd units" \\
  bash -c '[[ $(check_failed_units | jq "length") -eq 0 ]]'

# Test 4: Flake evaluates
run_test "Flake evaluates" \\
  nix flake show /etc/nixos --no-write-lock-file

# Test 5: Home Manager builds
run_test "Home Manager builds" \\
  nixos-build-wrapper home build

echo "All tests passed!"
`;
  const r = runBash(s, script);
  for (const name of ["Configuration builds", "System in sync", "No failed systemd units", "Flake evaluates", "Home Manager builds"]) {
    assert.match(r.stdout, `✓ ${name} passed`);
  }
  assert.match(r.stdout, "All tests passed!");
  s.machine.addSystem(42);
  s.machine.setProfile(42);
  assert.match(runBash(s, script).stdout, "✗ System in sync failed");
  s.machine.cleanup();
});

test("seed example: custom status report", () => {
  const s = setup();
  build(s, ["os", "switch"]);
  const script = `# Source the library
source /etc/nixos/lib/build-status.sh

# Create custom report
{
  echo "=== Custom NixOS Status ==="
  echo "Generation: $(get_generation_short)"
  echo "Commit: $(get_current_commit)"
  echo "In Sync: $(is_generation_in_sync && echo 'Yes' || echo 'No')"
  echo "Last Build: $(was_last_build_successful && echo 'Success' || echo 'Failed')"
  echo "Failed Units: $(check_failed_units | jq 'length')"
} > custom-status.txt
`;
  const r = runBash(s, script, { FAKE_FAILED_UNITS: "x.service y.service" });
  assert.is(r.status, 0, r.stderr);
  const text = readFileSync(join(s.machine.root, "custom-status.txt"), "utf8");
  assert.match(text, /^=== Custom NixOS Status ===\nGeneration: g42@0{7}/);
  assert.match(text, `Commit: ${"0".repeat(38)}42\nIn Sync: Yes\nLast Build: Success\nFailed Units: 2\n`);
  s.machine.cleanup();
});

test.run();

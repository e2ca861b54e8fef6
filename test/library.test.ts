/**
 * lib/build-status.sh: every seed function called in every shell of the
 * matrix, plus zsh and bash in its default (non-POSIX) mode, sourced twice
 * under `set -u`; the answers are the same everywhere and right for the
 * fixture machine. Sourcing and calling leave the caller's shell alone: no
 * output, the same options and IFS, no new global names but prov_*, and no
 * functions but the seed's beyond prov_*.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync, writeFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { Machine, defaultMetadata } from "./helpers/fixture.js";
import { shells, outBin, outLib, runArgv, type Shell } from "./helpers/shells.js";
import { toolDir, buildPath } from "./helpers/build-env.js";

const libShells: Shell[] = [...shells, { name: "zsh", argv: ["zsh"] }, { name: "bash (default mode)", argv: ["bash"] }];

const seedFunctions = [
  "json_escape", "json_bool", "get_current_generation", "get_current_generation_json", "get_generation_short", "is_generation_in_sync",
  "get_last_build_status", "get_last_build_exit_code", "was_last_build_successful", "get_build_history", "get_build_history_summary",
  "extract_nix_errors", "extract_build_phase", "check_failed_units", "check_journal_errors", "get_current_commit", "get_current_nixpkgs_rev",
  "get_home_manager_generation", "create_status_report",
];

/** `name|args...` calls; each prints `== call`, its output, `rc=N`. */
const calls: string[][] = [
  ["json_escape", `a"b\\c\nd\tü\u0001`],
  ["json_bool", "true"], ["json_bool", "YES"], ["json_bool", "1"], ["json_bool", "no"], ["json_bool"],
  ["get_current_generation"], ["get_current_generation_json"], ["get_generation_short"], ["is_generation_in_sync"],
  ["get_last_build_status"], ["get_last_build_exit_code"], ["was_last_build_successful"], ["get_build_history"],
  ["get_build_history_summary", "", "1"], ["get_build_history_summary"],
  ["get_last_build_exit_code", "/nonexistent"], ["was_last_build_successful", "/nonexistent"], ["get_last_build_status", "/nonexistent"], ["get_build_history", "/nonexistent"],
  ["extract_nix_errors", "@LOG"], ["extract_build_phase", "@LOG"], ["extract_nix_errors", "/nonexistent"],
  ["check_failed_units"], ["check_journal_errors"], ["check_journal_errors", "2 hours ago"],
  ["get_current_commit"], ["get_current_nixpkgs_rev"], ["get_home_manager_generation"],
  ["create_status_report", "json"], ["create_status_report", "bogus"],
];

function script(): string {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const lines = [
    "set -u",
    "prov_t_names() { set | LC_ALL=C awk -F= '/^[A-Za-z_][A-Za-z0-9_]*=/ { print $1 }' | LC_ALL=C sort -u; }",
    "prov_t_opts0=$(set +o)",
    "prov_t_ifs0=$IFS",
    "prov_t_names0=$(prov_t_names)",
    '. "$LIB" >"$OUT.source" 2>&1',
    '. "$LIB" >>"$OUT.source" 2>&1',
    '[ "$(set +o)" = "$prov_t_opts0" ] || echo "options changed by sourcing"',
  ];
  for (const call of calls) {
    const args = call.slice(1).map((a) => (a === "@LOG" ? '"$LOGFILE"' : q(a))).join(" ");
    lines.push(`printf '== %s\\n' ${q(call.join(" ").replace(/\n/g, "\\n"))}`);
    lines.push(`${call[0]} ${args}; printf 'rc=%s\\n' "$?"`);
  }
  lines.push(
    '[ "$(set +o)" = "$prov_t_opts0" ] || echo "options changed by a call"',
    '[ "$IFS" = "$prov_t_ifs0" ] || echo "IFS changed"',
    'prov_t_names1=$(prov_t_names)',
    // New global names: only prov_* (and the shells' own bookkeeping).
    'printf "%s\\n" "$prov_t_names1" | while IFS= read -r n; do case $n in prov_* | _ | LINENO | RANDOM | SECONDS | OPTIND | OPTARG | PIPESTATUS | BASH_* | FUNCNAME | ZSH_* | funcfiletrace | funcsourcetrace | funcstack | functrace | zsh_eval_context | KSH_MATCH | LINES | COLUMNS | TTYIDLE | ERRNO | EPOCHREALTIME | EPOCHSECONDS | SRANDOM | BASHPID | HISTCMD | COMP_WORDBREAKS) continue ;; esac; printf "%s\\n" "$prov_t_names0" | grep -qx "$n" || echo "new global: $n"; done',
  );
  return lines.join("\n") + "\n";
}

function machine(): { m: Machine; env: Record<string, string>; log: string } {
  const m = new Machine();
  m.switchTo(41);
  m.switchTo(42);
  m.addHome(2);
  m.addHome(3);
  const logDir = join(m.root, "var/log/nixos-builds");
  const journal = join(m.root, "journal");
  writeFileSync(journal, "one\ntwo\nthree\n");
  const tools = toolDir(["nixos-rebuild", "systemctl", "journalctl", "nix"]);
  const env = m.env({ PATH: buildPath(tools), FAKE_FAILED_UNITS: "a.service b@c.service", FAKE_JOURNAL: journal });
  // One failed and one successful build in the records (neither changes the generation).
  runArgv(["dash", outBin("nixos-build-wrapper"), "os", "build"], { env: { ...env, FAKE_BUILD: "fail" } });
  runArgv(["dash", outBin("nixos-build-wrapper"), "os", "build"], { env });
  const log = join(m.root, "failed.log");
  writeFileSync(log, "building '/nix/store/0123456789abcdfghijklmnpqrsvwxyz-hello-2.12.1.drv'...\nhello> Running phase: buildPhase\nhello> cc: error\nerror: builder for '/nix/store/0123456789abcdfghijklmnpqrsvwxyz-hello-2.12.1.drv' failed with exit code 1;\n       last 1 log lines:\n       > cc: error\nerror: 1 dependencies failed\n");
  void logDir;
  return { m, env, log };
}

function sections(out: string): Map<string, string> {
  const map = new Map<string, string>();
  const parts = out.split(/^== /m).slice(1);
  for (const part of parts) {
    const nl = part.indexOf("\n");
    map.set(part.slice(0, nl), part.slice(nl + 1));
  }
  return map;
}

test("every seed function, in every shell (sourced twice, set -u): same answers, right answers, caller untouched", () => {
  const { m, env, log } = machine();
  const text = script();
  const results = new Map<string, string>();
  for (const shell of libShells) {
    const outBase = join(m.root, `out-${shell.name.replace(/\W/g, "")}`);
    const r = runArgv([...shell.argv, "-c", text], { env: { ...env, LIB: outLib, OUT: outBase, LOGFILE: log }, cwd: m.root });
    assert.is(
      r.stderr,
      "nixos-provenance: extract_nix_errors: cannot read /nonexistent\nnixos-provenance: create_status_report: format must be json or human, not bogus\n",
      `${shell.name}: only the two expected complaints on stderr`,
    );
    assert.not.match(r.stdout, /options changed|IFS changed|new global/, `${shell.name}: ${r.stdout.split("\n").filter((l) => /changed|new global/.test(l)).join(", ")}`);
    // The report's timestamp is the only answer that depends on the clock.
    results.set(shell.name, r.stdout.replace(/"timestamp": ?"[^"]*",( ?)"hostname"/g, '"timestamp": "T",$1"hostname"'));
    assert.is(readFileSync(`${outBase}.source`, "utf8"), "", `${shell.name}: sourcing prints nothing`);
  }
  const reference = results.get("dash")!;
  for (const [name, out] of results) assert.is(out, reference, `${name} answers like dash`);

  const s = sections(reference);
  const get = (k: string): string => {
    const v = s.get(k);
    if (v === undefined) throw new Error(`no section ${k}`);
    return v;
  };
  assert.is(get(`json_escape a"b\\c\\nd\tü\u0001`), 'a\\"b\\\\c\\nd\\tü\\u0001\nrc=0\n');
  assert.is(get("json_bool true"), "true\nrc=0\n");
  assert.is(get("json_bool YES"), "true\nrc=0\n");
  assert.is(get("json_bool 1"), "true\nrc=0\n");
  assert.is(get("json_bool no"), "false\nrc=0\n");
  assert.is(get("json_bool"), "false\nrc=0\n");
  assert.is(get("get_current_generation"), "42\nrc=0\n");
  const genJson = get("get_current_generation_json");
  assert.is(JSON.parse(genJson.replace(/rc=0\n$/, "")).generation, "g42");
  const short = runArgv(["dash", outBin("nixos-generation-info"), "--short"], { env }).stdout;
  assert.is(get("get_generation_short"), `${short}rc=0\n`);
  assert.is(get("is_generation_in_sync"), "rc=0\n");
  const last = JSON.parse(get("get_last_build_status").replace(/rc=0\n$/, ""));
  assert.is(last.exitCode, 0);
  assert.is(get("get_last_build_exit_code"), "0\nrc=0\n");
  assert.is(get("was_last_build_successful"), "rc=0\n");
  const hist = JSON.parse(get("get_build_history").replace(/rc=0\n$/, ""));
  assert.equal(hist.map((h: { exitCode: number }) => h.exitCode), [1, 0]);
  const sum1 = JSON.parse(get("get_build_history_summary  1").replace(/rc=0\n$/, ""));
  assert.equal(Object.keys(sum1[0]), ["timestamp", "target", "action", "exitCode", "success", "duration", "generation"]);
  assert.is(sum1.length, 1);
  assert.is(sum1[0].generation, "g42");
  assert.is(sum1[0].timestamp, hist[1].buildStart);
  assert.equal(JSON.parse(get("get_build_history_summary").replace(/rc=0\n$/, "")).map((x: { exitCode: number }) => x.exitCode), [1, 0]);
  assert.is(get("get_last_build_exit_code /nonexistent"), "999\nrc=0\n");
  assert.is(get("was_last_build_successful /nonexistent"), "rc=1\n");
  assert.is(get("get_last_build_status /nonexistent"), "{}\nrc=0\n");
  assert.is(get("get_build_history /nonexistent"), "[]\nrc=0\n");
  const blocks = JSON.parse(get("extract_nix_errors @LOG").replace(/rc=0\n$/, ""));
  assert.equal(blocks, [
    "building '/nix/store/0123456789abcdfghijklmnpqrsvwxyz-hello-2.12.1.drv'...\nhello> Running phase: buildPhase\nhello> cc: error\nerror: builder for '/nix/store/0123456789abcdfghijklmnpqrsvwxyz-hello-2.12.1.drv' failed with exit code 1;\n       last 1 log lines:\n       > cc: error",
    "error: 1 dependencies failed",
  ]);
  assert.is(get("extract_build_phase @LOG"), "hello: buildPhase\nrc=0\n");
  assert.is(get("extract_nix_errors /nonexistent"), "[]\nrc=1\n");
  assert.is(get("check_failed_units"), '["a.service","b@c.service"]\nrc=0\n');
  assert.is(get("check_journal_errors"), "3\nrc=0\n");
  assert.is(get("get_current_commit"), `${defaultMetadata(42).GIT_COMMIT}\nrc=0\n`);
  assert.is(get("get_current_nixpkgs_rev"), `${defaultMetadata(42).NIXPKGS_REV}\nrc=0\n`);
  assert.is(get("get_home_manager_generation"), "3\nrc=0\n");
  const report = JSON.parse(get("create_status_report json").replace(/rc=0\n$/, ""));
  assert.is(report.overallStatus, "error", "failed units make it an error");
  assert.is(get("create_status_report bogus"), "rc=2\n");
  m.cleanup();
});

test("only the seed's public names (and prov_*) are defined: bash and zsh", () => {
  const list: Record<string, string[]> = {
    bash: ["bash", "-c", 'declare -F | awk \'{ print $3 }\' >"$OUT"; . "$LIB"; declare -F | awk \'{ print $3 }\' | grep -vxFf "$OUT"'],
    zsh: ["zsh", "-c", 'print -l ${(k)functions} >"$OUT"; . "$LIB"; print -l ${(k)functions} | grep -vxFf "$OUT"'],
  };
  for (const [name, argv] of Object.entries(list)) {
    const out = join(tmpdir(), `nixprov-fns-${process.pid}`);
    const r = runArgv(argv, { env: { PATH: process.env.PATH!, LIB: outLib, OUT: out } });
    rmSync(out, { force: true });
    const publicNames = r.stdout.split("\n").filter((f) => f && !f.startsWith("prov_")).sort();
    assert.equal(publicNames, [...seedFunctions].sort(), name);
  }
});

test("without the tools: check_failed_units is [], check_journal_errors 0, generation JSON {} with status 1", () => {
  const m = new Machine();
  m.switchTo(7);
  const env = m.env({ PATH: buildPath(toolDir([]), false) });
  for (const shell of [...shells, libShells[5]!]) {
    const r = runArgv([...shell.argv, "-c", '. "$LIB"; check_failed_units; check_journal_errors; get_current_generation_json; echo "rc=$?"; get_current_generation; is_generation_in_sync && echo in-sync; get_home_manager_generation'], { env: { ...env, LIB: outLib } });
    assert.is(r.stdout, "[]\n0\n{}\nrc=1\n7\nin-sync\nnone\n", shell.name);
  }
  m.cleanup();
});

test.run();

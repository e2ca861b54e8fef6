/**
 * lib/build-status.sh in any caller (issue 13, section 4): the same answers
 * whatever the caller did before sourcing it — set -f, set -e (also inside
 * $(...)), set -a, a changed IFS, functions and aliases named like the
 * tools it calls, sourced inside a function, an inherited prov_bindir —
 * under every shell of the matrix, compared with a plain caller's answers.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Machine } from "./helpers/fixture.js";
import { shells, outBin, outLib, runArgv } from "./helpers/shells.js";
import { toolDir, buildPath } from "./helpers/build-env.js";

/** Calls whose answers are compared; each prints `== call`, the output and `rc=N`. */
const calls = [
  `json_escape 'a"b\\c'`, "json_bool yes", "get_current_generation", "get_generation_short", "is_generation_in_sync",
  "get_last_build_exit_code", "was_last_build_successful", "get_build_history_summary '' 5", "get_last_build_status",
  'extract_nix_errors "$LOGFILE"', 'extract_build_phase "$LOGFILE"', "extract_nix_errors a=b/last-build.log",
  "get_current_commit", "get_current_nixpkgs_rev", "get_home_manager_generation", "check_failed_units", "check_journal_errors",
  "create_status_report json",
];

function body(): string {
  return calls.map((c) => `command printf '== %s\\n' '${c.replace(/'/g, `'\\''`)}'; ${c}; command printf 'rc=%s\\n' "$?"`).join("\n");
}

/** Caller preludes: what the caller did before sourcing the library. */
const hostile = `
awk() { echo HIJACKED-awk; }
cat() { echo HIJACKED-cat; }
printf() { command printf 'HIJACKED-printf'; }
tr() { echo HIJACKED-tr; }
sed() { echo HIJACKED-sed; }
id() { echo 0; }
date() { echo HIJACKED-date; }
`;
const aliases = `alias awk='echo HIJACKED-awk' cat='echo HIJACKED-cat' tr='echo HIJACKED-tr' sed='echo HIJACKED-sed' id='echo 0' date='echo HIJACKED-date' head='echo HIJACKED-head' wc='echo HIJACKED-wc'
`;
const callers: Record<string, string> = {
  plain: `. "$LIB"\n${body()}`,
  "set -f": `set -f\n. "$LIB"\n${body()}`,
  "set -a": `set -a\n. "$LIB"\n${body()}\nenv | grep '^prov_' && echo EXPORTED; :`,
  "IFS=:": `IFS=:\n. "$LIB"\n${body()}`,
  "IFS unset": `unset IFS\n. "$LIB"\n${body()}`,
  "functions named like the tools": `${hostile}\n. "$LIB"\n${body()}`,
  aliases: `${aliases}. "$LIB"\n${body()}`,
  "sourced inside a function": `load() { . "$LIB"; }\nload\n${body()}`,
  "set -e": `set -e\n. "$LIB"\n${body().replace(/; command printf 'rc=%s\\n' "\$\?"/g, ` && command printf 'rc=0\\n' || command printf 'rc=%s\\n' "$?"`)}`,
};

function machine(): { m: Machine; env: Record<string, string>; log: string } {
  const m = new Machine();
  m.switchTo(41);
  m.switchTo(42);
  m.addHome(3);
  // The system is out of sync (a newer generation than the running one): the report says so, exit 1 inside.
  m.addSystem(43);
  const tools = toolDir(["nixos-rebuild", "systemctl", "journalctl", "nix"]);
  const journal = join(m.root, "journal");
  writeFileSync(journal, "one\n");
  const env = m.env({ PATH: buildPath(tools), FAKE_FAILED_UNITS: "a.service", FAKE_JOURNAL: journal });
  runArgv(["dash", outBin("nixos-build-wrapper"), "os", "build"], { env: { ...env, FAKE_BUILD: "fail" } });
  const log = join(m.root, "failed.log");
  writeFileSync(log, "hello> Running phase: buildPhase\nerror: builder for '/nix/store/0123456789abcdfghijklmnpqrsvwxyz-hello-2.12.1.drv' failed\n");
  // a=b/last-build.log, relative to the working directory, with = in its name.
  mkdirSync(join(m.root, "a=b"));
  writeFileSync(join(m.root, "a=b/last-build.log"), "error: relative\n");
  return { m, env, log };
}

const normalise = (out: string) => out.replace(/"timestamp": ?"[^"]*"/g, '"timestamp":"T"');

test("the library answers the same whatever the caller did before sourcing it (five shells)", () => {
  const { m, env, log } = machine();
  const wrong: string[] = [];
  for (const shell of shells) {
    const run = (script: string) =>
      runArgv([...shell.argv, "-c", script], { env: { ...env, LIB: outLib, LOGFILE: log, SHLVL: "1" }, cwd: m.root, timeout: 20_000, input: "" });
    const reference = run(callers.plain!);
    assert.is(reference.status, 0, `${shell.name}: ${reference.stderr}`);
    assert.match(reference.stdout, "== get_current_generation\n42\nrc=0\n");
    assert.match(reference.stdout, "== is_generation_in_sync\nrc=1\n");
    if (!reference.stdout.includes('== extract_nix_errors a=b/last-build.log\n[\n"error: relative"\n]\nrc=0\n')) wrong.push(`${shell.name}: extract_nix_errors a=b/last-build.log`);
    for (const [name, script] of Object.entries(callers)) {
      if (name === "plain") continue;
      const r = run(script);
      const why = r.signal ? "hung" : r.status !== 0 ? `the caller ended (${r.status})` : /HIJACKED/.test(r.stdout) ? "used the caller's functions or aliases" : /EXPORTED/.test(r.stdout) ? "exported prov_* variables" : normalise(r.stdout) !== normalise(reference.stdout) ? "different answers" : "";
      if (why) wrong.push(`${shell.name} / ${name}: ${why}`);
    }
  }
  assert.equal(wrong, []);
  m.cleanup();
});

test("set -e callers: $(...) and plain calls go on unless the function reports failure (dash, mksh, yash, bash --posix, busybox)", () => {
  const { m, env } = machine();
  const script = `set -e
. "$LIB"
report=$(create_status_report json)
printf 'report:%s\\n' "\${report%%"\${report#?}"}"
create_status_report human >/dev/null
n=$(get_last_build_exit_code)
printf 'code:%s\\n' "$n"
gen=$(get_current_generation)
printf 'gen:%s\\n' "$gen"
h=$(get_home_manager_generation)
printf 'hm:%s\\n' "$h"
printf 'end\\n'
is_generation_in_sync
printf 'not reached\\n'
`;
  for (const shell of shells) {
    const r = runArgv([...shell.argv, "-c", script], { env: { ...env, LIB: outLib }, cwd: m.root });
    assert.is(r.stdout, "report:{\ncode:1\ngen:42\nhm:3\nend\n", `${shell.name}: ${r.stderr}`);
    assert.is(r.status, 1, `${shell.name}: only the function that reports failure (out of sync) ends it`);
  }
  m.cleanup();
});

test("an inherited prov_bindir does not redirect the library; its options and IFS are the caller's afterwards", () => {
  const { m, env } = machine();
  const evil = join(m.root, "evil");
  mkdirSync(evil);
  for (const cmd of ["nixos-generation-info", "nixos-build-status"]) {
    writeFileSync(join(evil, cmd), "#!/bin/sh\necho EVIL\n");
    chmodSync(join(evil, cmd), 0o755);
  }
  for (const shell of shells) {
    const r = runArgv([...shell.argv, "-c", '. "$LIB"; get_generation_short; create_status_report json | head -c 1; echo; set -f; IFS=,; get_current_generation; case $- in *f*) echo noglob-kept ;; esac; [ "$IFS" = , ] && echo ifs-kept'], {
      env: { ...env, LIB: outLib, prov_bindir: evil, prov_bw_conv: join(m.root, "victim") },
      cwd: m.root,
    });
    assert.not.match(r.stdout, "EVIL", shell.name);
    assert.match(r.stdout, /^g42.*\n\{\n42\nnoglob-kept\nifs-kept\n$/, `${shell.name}: ${r.stdout} ${r.stderr}`);
  }
  m.cleanup();
});

test.run();

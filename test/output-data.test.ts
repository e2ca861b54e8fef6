/**
 * Issue 13, section 3: output that is data, not code or control. Metadata
 * values planted with shell code and terminal controls, under the five
 * shells on fixture machines: `nixos-metadata reproduce N | sh` runs only
 * the commands it means to (git and sudo are recording fakes), and no human,
 * bar or prompt output carries ESC, BEL, CR or a newline from a value.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Machine, defaultMetadata, renderMetadata } from "./helpers/fixture.js";
import { runMatrix } from "./helpers/matrix.js";
import { outBin, runArgv, shells } from "./helpers/shells.js";
import { buildPath, toolDir } from "./helpers/build-env.js";

const control = /[\u0000-\u0008\u000b-\u001f\u007f]/;

function machineWith(overrides: Record<string, string>): Machine {
  const m = new Machine();
  m.switchTo(1, { metadata: defaultMetadata(1, overrides) });
  return m;
}

/** Run reproduce's output with sh in an empty directory, git and sudo recording their arguments. */
function reproduceThroughSh(m: Machine, shellName: string): { calls: string; pwned: boolean; status: number | null; script: string } {
  const shell = shells.find((s) => s.name === shellName)!;
  const out = runArgv([...shell.argv, outBin("nixos-metadata"), "reproduce", "1"], { env: m.env() });
  const dir = mkdtempSync(join(tmpdir(), "nixprov-reproduce-"));
  const log = join(dir, "calls");
  const record = `#!/bin/sh\nprintf '%s' "\${0##*/}" >>'${log}'\nfor a; do printf ' [%s]' "$a" >>'${log}'; done\nprintf '\\n' >>'${log}'\n`;
  const tools = toolDir([], { git: record, sudo: record });
  const r = runArgv(["sh"], { input: out.stdoutBytes, cwd: dir, env: { PATH: buildPath(tools, false) } });
  const calls = existsSync(log) ? readFileSync(log, "utf8") : "";
  const pwned = existsSync(join(dir, "PWNED"));
  rmSync(dir, { recursive: true, force: true });
  return { calls, pwned, status: out.status, script: out.stdout };
}

test("reproduce | sh: a newline and code planted in GIT_COMMIT is refused, nothing runs", () => {
  const m = machineWith({ GIT_COMMIT: "0123456789abcdef0123456789abcdef01234567\ntouch PWNED" });
  for (const shell of shells) {
    const r = reproduceThroughSh(m, shell.name);
    assert.is(r.status, 1, shell.name);
    assert.not.ok(r.pwned, `${shell.name}: planted code ran`);
    assert.is(r.calls, "", shell.name);
  }
  const refused = runMatrix(m, "nixos-metadata", ["reproduce", "1"]);
  assert.match(refused.stderr, "records a commit that is not a git revision");
  m.cleanup();
});

test("reproduce | sh: code in NIXPKGS_REV, HOSTNAME and FLAKE_URL stays data; the commands get exactly the recorded values", () => {
  const commit = "0123456789abcdef0123456789abcdef01234567";
  const m = machineWith({
    GIT_COMMIT: commit,
    NIXPKGS_REV: "abc\ntouch PWNED\n# ",
    HOSTNAME: "host$(touch PWNED)",
    // (a host name with shell syntax is still one quoted word)
    FLAKE_URL: "github:o/r';touch PWNED;'",
  });
  const script = runMatrix(m, "nixos-metadata", ["reproduce", "1"]).stdout;
  assert.ok(script.split("\n").every((line) => line === "" || line.startsWith("#") || /^(git|sudo) /.test(line)), script);
  for (const shell of shells) {
    const r = reproduceThroughSh(m, shell.name);
    assert.is(r.status, 0, shell.name);
    assert.not.ok(r.pwned, `${shell.name}: planted code ran:\n${r.script}`);
    assert.is(
      r.calls,
      `git [checkout] [${commit}]\nsudo [nixos-rebuild] [switch] [--flake] [.#host$(touch PWNED)]\nsudo [nixos-rebuild] [switch] [--flake] [github:o/r';touch PWNED;'#host$(touch PWNED)]\n`,
      shell.name,
    );
  }
  m.cleanup();
});

test("reproduce: a flake reference with control characters is not printed", () => {
  const m = machineWith({ GIT_COMMIT: "0123456789abcdef0123456789abcdef01234567", FLAKE_URL: "github:o/r\u001b]0;title\u0007" });
  const r = runMatrix(m, "nixos-metadata", ["reproduce", "1"]);
  assert.is(r.status, 0);
  assert.not.match(r.stdout, control);
  assert.match(r.stdout, "flake reference holds control characters");
  m.cleanup();
});

const hostileCommit = "ab\u001b]0;title\u0007\u001b[31m\r\nsecond";

test("a commit with ESC, BEL, CR and a newline never reaches a bar, a prompt or a terminal raw", () => {
  const m = machineWith({ GIT_SHORT_COMMIT: hostileCommit, GIT_COMMIT: hostileCommit, NIXPKGS_REV: hostileCommit, HOSTNAME: hostileCommit });
  const env = { TZ: "UTC" };
  const short = runMatrix(m, "nixos-generation-info", ["--short"], { env });
  assert.is(short.stdout, "g1@ab?]0;title??[31m??second\n");
  const human = runMatrix(m, "nixos-generation-info", [], { env });
  assert.not.match(human.stdout, control);
  assert.match(human.stdout, "Commit:        ab?]0;title??[31m??second");
  const waybar = JSON.parse(runMatrix(m, "nixos-generation-info", ["--waybar"], { env }).stdout);
  assert.not.match(waybar.text, control);
  assert.not.match(waybar.tooltip.replace(/\n/g, " "), control);
  assert.not.match(waybar.tooltip, "second\n");
  for (const args of [["1"], ["current"], ["list"], ["audit"]]) {
    const r = runMatrix(m, "nixos-metadata", args, { env });
    assert.is(r.status, 0, args.join(" "));
    assert.not.match(r.stdout, control, `nixos-metadata ${args.join(" ")}`);
    assert.ok(r.stdout.split("\n").every((line) => !line.startsWith("second")), `nixos-metadata ${args.join(" ")}: a value added a line`);
  }
  // JSON and --export keep the exact value (escaped for their reader).
  const json = JSON.parse(runMatrix(m, "nixos-metadata", ["1", "--json"], { env }).stdout);
  assert.is(json.commit ?? json.GIT_COMMIT ?? json.gitCommit, hostileCommit);
  m.cleanup();
});

test("nixos-build-status: the commit and the Home Manager user are shown plain", () => {
  const m = machineWith({ GIT_SHORT_COMMIT: hostileCommit });
  m.write("etc/nixos/flake.nix", "{ outputs = _: { }; }\n");
  const env = m.env({ PATH: buildPath(toolDir(["systemctl", "journalctl", "nix"])), USER: "bob\u001b[2J" });
  for (const shell of shells) {
    const r = runArgv([...shell.argv, outBin("nixos-build-status"), "--verbose"], { env });
    assert.not.match(r.stdout, control, shell.name);
    assert.match(r.stdout, "ab?]0;title??[31m??second", shell.name);
  }
  m.cleanup();
});

test.run();

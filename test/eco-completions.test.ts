/**
 * Completions and man pages generated from the command specs: bash completion
 * behaviour (COMP_WORDS/COMP_CWORD → COMPREPLY), zsh/fish syntax, and man(1)
 * rendering every page without a single groff warning.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { projectRoot } from "./helpers/shells.js";
import { defaultSchema } from "../generator/schema/index.js";

const share = `${projectRoot}out/share`;
const commands = defaultSchema.commands;

/** Source the bash completion of COMMAND, complete WORDS (the last is being typed), return COMPREPLY. */
function complete(command: string, words: string[], cwd?: string): string[] {
  const fn = `_nixos_provenance_${command.replace(/-/g, "_")}`;
  const script = `. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); ${fn}; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const result = spawnSync("bash", ["-c", script, "bash", `${share}/bash-completion/completions/${command}`, command, ...words], { encoding: "utf8", cwd, timeout: 10_000 });
  assert.is(result.stderr, "", `bash stderr for ${command} ${words.join(" ")}`);
  assert.is(result.status, 0);
  return result.stdout.split("\n").filter(Boolean).sort();
}

test("bash: nixos-build-wrapper o<TAB> gives os", () => {
  assert.equal(complete("nixos-build-wrapper", ["o"]), ["os"]);
});

test("bash: wrapper positionals and flags follow the schema", () => {
  assert.equal(complete("nixos-build-wrapper", [""]), ["home", "os"]);
  assert.equal(complete("nixos-build-wrapper", ["os", "dry"]), ["dry-activate", "dry-build"]);
  // A flag's value is skipped when counting positionals.
  assert.equal(complete("nixos-build-wrapper", ["--flake", "/tmp", "ho"]), ["home"]);
  assert.equal(complete("nixos-build-wrapper", ["--no"]), ["--no-nh"]);
  // Nothing is completed after `--` (extra arguments for the build tool).
  assert.equal(complete("nixos-build-wrapper", ["os", "switch", "--", "o"]), []);
});

test("bash: --log-dir completes directories, --field completes field names", () => {
  const dir = mkdtempSync(join(tmpdir(), "eco-compl-"));
  try {
    writeFileSync(join(dir, "afile"), "");
    spawnSync("mkdir", [join(dir, "adir")]);
    assert.equal(complete("nixos-build-status", ["--log-dir", "a"], dir), ["adir"]);
    assert.equal(complete("nixos-build-wrapper", ["--flake", "a"], dir), ["adir", "afile"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(complete("nixos-metadata", ["--field", "GIT_C"]), ["GIT_COMMIT"]);
  assert.equal(complete("nixos-metadata", ["--field", "nixpkgs"]), ["nixpkgsNarHash", "nixpkgsRev"]);
  assert.equal(complete("nixos-metadata", ["re"]), ["reproduce"]);
});

test("bash: every flag of every command is offered", () => {
  for (const command of commands) {
    const offered = complete(command.name, ["-"]);
    const wanted = command.flags.flatMap((f) => (f.short ? [f.long, f.short] : [f.long])).sort();
    assert.equal(offered, wanted, command.name);
  }
});

test("zsh and fish completions parse (zsh -n, fish -n) and name every flag", () => {
  for (const command of commands) {
    const zshFile = `${share}/zsh/site-functions/_${command.name}`;
    const fishFile = `${share}/fish/vendor_completions.d/${command.name}.fish`;
    for (const [shell, file] of [["zsh", zshFile], ["fish", fishFile]] as const) {
      const result = spawnSync(shell, ["-n", file], { encoding: "utf8", timeout: 10_000 });
      assert.is(result.status, 0, `${shell} -n ${file}: ${result.stderr}`);
    }
    const zsh = spawnSync("cat", [zshFile], { encoding: "utf8" }).stdout;
    const fish = spawnSync("cat", [fishFile], { encoding: "utf8" }).stdout;
    assert.ok(zsh.startsWith(`#compdef ${command.name}\n`));
    for (const flag of command.flags) {
      assert.ok(zsh.includes(`${flag.long}[`), `zsh ${command.name} ${flag.long}`);
      assert.ok(fish.includes(`-l '${flag.long.slice(2)}'`), `fish ${command.name} ${flag.long}`);
    }
  }
});

/** Render a man page, returning groff's warnings (stderr). */
function manWarnings(file: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync("man", ["--warnings", "-l", file], { encoding: "utf8", env: { ...process.env, MANWIDTH: "80", MANPAGER: "cat", PAGER: "cat", LC_ALL: "C.UTF-8" }, timeout: 20_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test("man: the warning check itself catches a broken page", () => {
  const dir = mkdtempSync(join(tmpdir(), "eco-man-"));
  try {
    const bad = join(dir, "bad.1");
    writeFileSync(bad, '.TH BAD 1 "" "x" "y"\n.SH NAME\nbad \\- page\n.FOOBAR\n\\*[nosuchstring]\n');
    assert.is.not(manWarnings(bad).stderr, "");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("man: every command page and the library page render without warnings", () => {
  const pages = [...commands.map((c) => `${share}/man/man1/${c.name}.1`), `${share}/man/man7/nixos-provenance-library.7`];
  for (const page of pages) {
    const result = manWarnings(page);
    assert.is(result.stderr, "", page);
    assert.is(result.status, 0, page);
  }
  const wrapper = manWarnings(`${share}/man/man1/nixos-build-wrapper.1`).stdout;
  for (const want of ["SYNOPSIS", "--no-nh", "EXIT STATUS", "130", "nixos-build-wrapper os switch -- --show-trace"]) {
    assert.ok(wrapper.includes(want), `wrapper page shows ${want}`);
  }
  const library = manWarnings(`${share}/man/man7/nixos-provenance-library.7`).stdout;
  for (const fn of defaultSchema.library) assert.ok(library.includes(fn.name), `library page documents ${fn.name}`);
});

test.run();

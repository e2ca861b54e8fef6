/**
 * Completions and man pages generated from the command specs: bash completion
 * behaviour (COMP_WORDS/COMP_CWORD → COMPREPLY), zsh/fish syntax, and man(1)
 * rendering every page without a single groff warning.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, writeFileSync, rmSync, mkdirSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { projectRoot } from "./helpers/shells.js";
import { defaultSchema } from "../generator/schema/index.js";

const share = `${projectRoot}out/share`;
const commands = defaultSchema.commands;

/** Source the bash completion of COMMAND, complete WORDS (the last is being typed), return COMPREPLY. */
function complete(command: string, words: string[], cwd?: string, env: Record<string, string> = {}): string[] {
  const fn = `_nixos_provenance_${command.replace(/-/g, "_")}`;
  const script = `. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); ${fn}; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const result = spawnSync("bash", ["-c", script, "bash", `${share}/bash-completion/completions/${command}`, command, ...words], { encoding: "utf8", cwd, timeout: 10_000, env: { ...process.env, ...env } });
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

/** fish's completions of LINE (`complete -C`), with every command's completion file loaded. */
function fishComplete(line: string, env: Record<string, string> = {}): string[] {
  const files = commands.map((c) => `source ${share}/fish/vendor_completions.d/${c.name}.fish`).join("; ");
  const result = spawnSync("fish", ["--no-config", "-c", `${files}; complete -C $argv[1]`, line], { encoding: "utf8", timeout: 10_000, env: { ...process.env, ...env } });
  assert.is(result.stderr, "", `fish stderr for ${line}`);
  assert.is(result.status, 0);
  return result.stdout.split("\n").filter(Boolean).map((l) => l.split("\t")[0]!).sort();
}

/** A root with system generations 3, 12 and 14 (links into nowhere: completion only reads their names). */
function profileRoot(): string {
  const root = mkdtempSync(join(tmpdir(), "eco-compl-root-"));
  const profiles = join(root, "nix/var/nix/profiles");
  mkdirSync(profiles, { recursive: true });
  for (const n of [3, 12, 14]) symlinkSync(`/nix/store/x-nixos-system-${n}`, join(profiles, `system-${n}-link`));
  symlinkSync("system-14-link", join(profiles, "system"));
  // Not generations: another profile's links and a stray name.
  symlinkSync("/nix/store/x", join(profiles, "per-user-7-link"));
  writeFileSync(join(profiles, "system-x-link"), "");
  return root;
}

const wrapper = defaultSchema.commands.find((c) => c.name === "nixos-build-wrapper")!;
const metadata = defaultSchema.commands.find((c) => c.name === "nixos-metadata")!;
const homeActions = wrapper.positionals[1]!.choicesAfter!.home!;
const refusedHomeActions = wrapper.positionals[1]!.choices!.filter((a) => !homeActions.includes(a));

test("the wrapper refuses exactly the home actions the schema leaves out", () => {
  assert.equal(refusedHomeActions.sort(), ["boot", "test"]);
  for (const action of refusedHomeActions) {
    const result = spawnSync(`${projectRoot}out/bin/nixos-build-wrapper`, ["home", action], { encoding: "utf8", timeout: 10_000 });
    assert.is(result.status, 64, `home ${action}: ${result.stderr}`);
    assert.match(result.stderr, `home has no '${action}' action`);
  }
});

test("bash and fish: home offers no boot or test; os offers every action", () => {
  assert.equal(complete("nixos-build-wrapper", ["home", ""]), [...homeActions].sort());
  assert.equal(complete("nixos-build-wrapper", ["--no-nh", "home", "b"]), ["build"]);
  assert.equal(complete("nixos-build-wrapper", ["os", "b"]), ["boot", "build"]);
  assert.equal(fishComplete("nixos-build-wrapper home "), [...homeActions].sort());
  assert.equal(fishComplete("nixos-build-wrapper os t"), ["test"]);
});

test("nixos-metadata: after a subcommand only the mode flags the parser accepts (bash, fish), and the parser refuses the rest", () => {
  const modeFlags = metadata.flags.filter((f) => f.group === "mode");
  const plainFlags = metadata.flags.filter((f) => f.group !== "mode").flatMap((f) => (f.short ? [f.long, f.short] : [f.long]));
  for (const sub of metadata.subcommands!) {
    const lead = sub.default ? ["12"] : [sub.name, ...sub.args.filter((a) => !a.optional).map(() => "12")];
    const accepted = modeFlags.filter((f) => sub.modes.includes(f.long.slice(2))).map((f) => f.long);
    assert.equal(complete("nixos-metadata", [...lead, "-"]), [...accepted, ...plainFlags].sort(), `bash ${sub.name}`);
    const fishLong = fishComplete(`nixos-metadata ${lead.join(" ")} --`);
    assert.equal(fishLong, [...accepted, ...plainFlags.filter((f) => f.startsWith("--"))].sort(), `fish ${sub.name}`);
    for (const refused of modeFlags.filter((f) => !sub.modes.includes(f.long.slice(2)))) {
      const args = [...lead, refused.long, ...(refused.value ? ["commit"] : [])];
      const result = spawnSync(`${projectRoot}out/bin/nixos-metadata`, args, { encoding: "utf8", timeout: 10_000 });
      assert.is(result.status, 64, `nixos-metadata ${args.join(" ")}: ${result.stderr}`);
    }
  }
  assert.not.ok(complete("nixos-metadata", ["list", "--"]).includes("--export"));
});

test("bash and fish: generation numbers from the profile (under NIXOS_PROVENANCE_ROOT) after diff, reproduce, verify and as the generation", () => {
  const root = profileRoot();
  const env = { NIXOS_PROVENANCE_ROOT: root };
  try {
    const words = ["current", "booted", "latest", ...metadata.subcommands!.filter((s) => !s.default).map((s) => s.name)];
    for (const [line, want] of [
      [["diff", ""], ["12", "14", "3"]],
      [["diff", "3", "1"], ["12", "14"]],
      [["reproduce", ""], ["12", "14", "3"]],
      [["verify", "1"], ["12", "14"]],
      [["1"], ["12", "14"]],
      [[""], [...words, "12", "14", "3"].sort()],
      [["list", ""], []],
      [["history", ""], []],
      [["reproduce", "3", ""], []],
      [["diff", "3", "12", ""], []],
    ] as [string[], string[]][]) {
      assert.equal(complete("nixos-metadata", line, undefined, env), want, `bash ${line.join(" ")}`);
      assert.equal(fishComplete(`nixos-metadata ${line.join(" ")}`, env), want, `fish ${line.join(" ")}`);
    }
    // Another root, other numbers: read when completing, not when generating.
    rmSync(join(root, "nix/var/nix/profiles/system-12-link"));
    assert.equal(complete("nixos-metadata", ["diff", ""], undefined, env), ["14", "3"]);
    assert.equal(complete("nixos-metadata", ["diff", ""], undefined, { NIXOS_PROVENANCE_ROOT: join(root, "none") }), []);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

/**
 * zsh's completion listing of LINE (Tab in an interactive `zsh -f` on a
 * pseudo-terminal, zsh/zpty, with compinit and our site-functions), as the
 * words listed (the first word of a described line, else every word).
 */
function zshComplete(line: string, env: Record<string, string> = {}): string[] {
  const script = [
    "zmodload zsh/zpty",
    "zpty z zsh -f -i",
    `zpty -w z "PS1='zq> ' ; fpath=(\${(q)1} \\$fpath); autoload -Uz compinit; compinit -u -D -d /tmp/nixprov-zcompdump-unused; zstyle ':completion:*' list-prompt ''; bindkey '^I' complete-word; print RE''ADY"`,
    // `RE''ADY` in what is typed, READY once it ran, then zle's prompt: compinit is done and zle reads.
    "zpty -r -m z junk '*READY*zq> *'",
    "zpty -n -w z \"$2\"$'\\t'",
    // The listing: the line, a line break, the words, the line drawn again.
    "zpty -r -m z out \"*${(b)2}*\"$'\\n'\"*${(b)${2% }}*\"",
    "print -r -- \"$out\"",
    "zpty -d z",
  ].join("\n");
  // zle sometimes draws the typed line in pieces, and then the pattern never
  // matches: such a run is cut at 5 s and tried again (at most three times).
  let r = spawnSync("true", { encoding: "utf8" });
  for (let attempt = 0; attempt < 3; attempt++) {
    r = spawnSync("zsh", ["-f", "-c", script, "zsh", `${share}/zsh/site-functions`, line], { encoding: "utf8", timeout: 5_000, env: { ...process.env, TERM: "dumb", COLUMNS: "200", ...env } });
    if (r.status !== null) break;
  }
  assert.is(r.status, 0, `zsh completion of ${line}: ${r.stderr}`);
  const text = r.stdout.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "").replace(/[\r\x07]/g, "");
  // The line as zle drew it, the listing, the line drawn again.
  const start = text.indexOf(line);
  const end = text.lastIndexOf(line.trimEnd());
  assert.ok(start >= 0 && end > start, `zsh drew ${JSON.stringify(line)} and a listing: ${JSON.stringify(text)}`);
  const body = text.slice(start + line.length, end);
  const words = body.split("\n").filter((l) => !/^#\s/.test(l)).flatMap((l) => (l.includes(" -- ") ? [l.trim().split(/\s+/)[0]!] : l.trim().split(/\s+/)));
  // Less the prompt (zq>) drawn again before the line.
  return words.filter((w) => w && w !== "zq>").sort();
}

test("zsh: home offers no boot or test; after list only its flags; generation numbers after diff", () => {
  const root = profileRoot();
  const env = { NIXOS_PROVENANCE_ROOT: root };
  try {
    assert.equal(zshComplete("nixos-build-wrapper home "), [...homeActions].sort(), "zsh home");
    assert.equal(zshComplete("nixos-build-wrapper os "), [...wrapper.positionals[1]!.choices!].sort());
    const listFlags = zshComplete("nixos-metadata list --");
    assert.ok(listFlags.includes("--json") && !listFlags.includes("--export") && !listFlags.includes("--field"), listFlags.join(" "));
    assert.equal(zshComplete("nixos-metadata diff ", env), ["12", "14", "3"]);
    assert.equal(zshComplete("nixos-metadata diff 3 ", env), ["12", "14", "3"]);
    const first = zshComplete("nixos-metadata ", env);
    for (const want of ["12", "14", "3", "diff", "list", "current"]) assert.ok(first.includes(want), `${want} in ${first.join(" ")}`);
  } finally {
    rmSync(root, { recursive: true, force: true });
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

/**
 * The shell matrix: every runtime test runs under each of these, and the
 * outputs must be identical. A shell missing from the machine fails the run
 * (CI installs them all) instead of silently shrinking the matrix.
 */
import { spawnSync, type SpawnSyncOptions } from "node:child_process";
import { fileURLToPath } from "node:url";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Shell {
  name: string;
  /** argv prefix that runs a script file: [...argv, script, ...args] */
  argv: string[];
}

export const shells: Shell[] = [
  { name: "dash", argv: ["dash"] },
  { name: "bash", argv: ["bash", "--posix"] },
  { name: "busybox-ash", argv: ["busybox", "sh"] },
  { name: "mksh", argv: ["mksh"] },
  { name: "yash", argv: ["yash"] },
];

/**
 * posh, Debian's policy-compliant shell, is not in the matrix: it has no
 * `test -ef` (`posh -c '[ / -ef / ]'` prints "[: -ef: unexpected
 * operator/operand" and exits 2), and the generation detection compares
 * profile links with `[ A -ef B ]` to stay fork-free; under posh every such
 * comparison fails, so nixos-generation-info, nixos-metadata,
 * nixos-build-status and the library report wrong generations. It runs
 * where `-ef` is not needed: `posh -n` on every emitted file, and
 * nixos-build-wrapper, while the wrapper leaves generation detection to
 * nixos-generation-info (run as a command, under /bin/sh).
 */
export const posh: Shell = { name: "posh", argv: ["posh"] };
/** The matrix plus posh, for the tests named above. */
export const shellsWithPosh: Shell[] = [...shells, posh];

export const projectRoot = fileURLToPath(new URL("../../../", import.meta.url));
export const outBin = (command: string) => `${projectRoot}out/bin/${command}`;
/**
 * The library as the Nix package installs it: out/lib copied with the
 * @libdir@ token replaced by the copy's own path (a sourced file cannot find
 * its parts by itself in POSIX sh). Made once per test process.
 */
function installLibrary(): string {
  const dir = mkdtempSync(join(tmpdir(), "nixprov-lib-"));
  cpSync(`${projectRoot}out/lib`, dir, { recursive: true });
  const facade = join(dir, "build-status.sh");
  writeFileSync(facade, readFileSync(facade, "utf8").replaceAll("@libdir@", dir));
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  return facade;
}
export const outLib = installLibrary();

export interface RunResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout as raw bytes, for byte-exact comparisons. */
  stdoutBytes: Buffer;
}

/** Run a generated command under one shell. */
export function runCommand(shell: Shell, command: string, args: string[], options: SpawnSyncOptions = {}): RunResult {
  return runArgv([...shell.argv, outBin(command), ...args], options);
}

/** Run `-c SCRIPT` under one shell (for the library: `. lib; fn args`). */
export function runScript(shell: Shell, script: string, args: string[] = [], options: SpawnSyncOptions = {}): RunResult {
  return runArgv([...shell.argv, "-c", script, "sh", ...args], options);
}

export function runArgv(argv: string[], options: SpawnSyncOptions = {}): RunResult {
  const [file, ...rest] = argv;
  const result = spawnSync(file!, rest, { encoding: "buffer", maxBuffer: 256 * 1024 * 1024, timeout: 60_000, ...options });
  if (result.error) throw result.error;
  const stdoutBytes = result.stdout as Buffer;
  return {
    status: result.status,
    signal: result.signal,
    stdout: stdoutBytes.toString("utf8"),
    stderr: (result.stderr as Buffer).toString("utf8"),
    stdoutBytes,
  };
}

/** Run under every shell and return the results by shell name. */
export function acrossShells(fn: (shell: Shell) => RunResult): Map<string, RunResult> {
  return new Map(shells.map((shell) => [shell.name, fn(shell)]));
}

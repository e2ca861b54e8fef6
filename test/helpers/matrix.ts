/**
 * Run a generated command under every shell of the matrix against a fixture
 * machine and insist that all shells agree byte for byte (stdout, stderr and
 * exit status). Used by the runtime tests of nixos-metadata and
 * nixos-generation-info.
 */
import * as assert from "uvu/assert";
import type { Machine } from "./fixture.js";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { outBin, projectRoot as projectRootForStrict, runArgv, runCommand, shells, type RunResult, type Shell } from "./shells.js";

export interface MatrixOptions {
  /** Extra environment (undefined removes a variable). */
  env?: Record<string, string | undefined>;
  /** Shells to leave out, each with the reason in the caller's comment. */
  skip?: string[];
  input?: string | Buffer;
}

export function matrixShells(skip: string[] = []): Shell[] {
  return shells.filter((s) => !skip.includes(s.name));
}

/** Run `command args` under every shell; assert identical results; return dash's. */
export function runMatrix(machine: Machine, command: string, args: string[], options: MatrixOptions = {}): RunResult {
  const env = machine.env({ TZ: "UTC", ...options.env });
  let first: RunResult | undefined;
  let firstName = "";
  for (const shell of matrixShells(options.skip)) {
    const result = runCommand(shell, command, args, { env, ...(options.input !== undefined ? { input: options.input } : {}) });
    if (!first) {
      first = result;
      firstName = shell.name;
      continue;
    }
    const what = `${command} ${args.join(" ")}: ${shell.name} vs ${firstName}`;
    assert.is(result.status, first.status, `${what}: exit status (stderr: ${result.stderr})`);
    assert.ok(result.stdoutBytes.equals(first.stdoutBytes), `${what}: stdout differs\n${result.stdout}\n---\n${first.stdout}`);
    assert.is(result.stderr, first.stderr, `${what}: stderr`);
  }
  return first!;
}

/**
 * Evaluate shell assignments (an --export output) in each shell and print
 * the named variables NUL-separated; returns the values as byte buffers so
 * callers can compare byte for byte.
 */
export function evalExport(exported: Buffer, names: string[], skip: string[] = []): Buffer[] {
  // SHLVL=1: Debian's bash sources ~/.bashrc for `-c` when stdin is a socket (as node's pipes are) at shell level 1.
  const script = `eval "$(cat)"; ${names.map((n) => `printf '%s\\0' "$${n}"`).join("; ")}`;
  let first: Buffer | undefined;
  for (const shell of matrixShells(skip)) {
    const result = runArgv([...shell.argv, "-c", script], { input: exported, env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LC_ALL: "C.UTF-8", SHLVL: "1" } });
    assert.is(result.status, 0, `eval under ${shell.name}: ${result.stderr}`);
    if (first) assert.ok(result.stdoutBytes.equals(first), `eval under ${shell.name} differs`);
    else first = result.stdoutBytes;
  }
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < first!.length; i++) {
    if (first![i] === 0) {
      parts.push(first!.subarray(start, i));
      start = i + 1;
    }
  }
  return parts;
}

const strictCopies = new Map<string, string>();

/**
 * Run a command the way Nix's writeShellApplication would: under bash with
 * `set -o errexit -o nounset -o pipefail` before the script's first line.
 */
export function runStrict(machine: Machine, command: string, args: string[], options: MatrixOptions = {}): RunResult {
  let file = strictCopies.get(command);
  if (!file) {
    const dir = mkdtempSync(join(tmpdir(), "nixprov strict "));
    file = join(dir, command);
    // As the Nix package installs it: the library's path written in for @libdir@.
    const text = readFileSync(outBin(command), "utf8").replaceAll("@libdir@", `${projectRootForStrict}out/lib`);
    writeFileSync(file, `set -o errexit -o nounset -o pipefail\n${text}`);
    strictCopies.set(command, file);
    process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  }
  return runArgv(["bash", file, ...args], { env: machine.env({ TZ: "UTC", ...options.env }) });
}

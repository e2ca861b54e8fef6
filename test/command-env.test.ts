/**
 * Each command documents exactly the NIXOS_PROVENANCE_* variables it reads
 * (issue 8): the schema's `env` list is compared with what its runtime source
 * (templates/sh/bin/<command>.sh) and the parts it sources read, and the man
 * page and --help show that list and no other variable.
 *
 * "Reads" is followed through functions: a part's variable counts when it is
 * at the part's top level or in a function the command reaches (so
 * nixos-build-status, which sources records.sh, is not said to read
 * NIXOS_PROVENANCE_HISTORY_LENGTH unless it calls what reads it).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { projectRoot, outBin, runArgv } from "./helpers/shells.js";
import { defaultSchema } from "../generator/schema/index.js";

const variablePattern = /\bNIXOS_PROVENANCE_[A-Z0-9_]+/g;

/** Shell text without comment lines (a variable named in a comment is not read). */
const code = (text: string) => text.split("\n").filter((line) => !/^\s*#/.test(line)).join("\n");

interface Unit { name: string | null; body: string }

/** A sourced file cut into its functions (`name() {` … `}` in column 0) and its top-level code (name null). */
function units(text: string): Unit[] {
  const out: Unit[] = [];
  let current: Unit | null = null;
  const top: string[] = [];
  for (const line of code(text).split("\n")) {
    const start = /^([A-Za-z_][A-Za-z0-9_]*)\s*\(\)\s*\{/.exec(line);
    if (!current && start) {
      current = { name: start[1]!, body: `${line}\n` };
      if (/\}\s*$/.test(line.slice(start[0].length))) {
        out.push(current);
        current = null;
      }
      continue;
    }
    if (current) {
      current.body += `${line}\n`;
      if (/^\}/.test(line)) {
        out.push(current);
        current = null;
      }
    } else top.push(line);
  }
  out.push({ name: null, body: top.join("\n") });
  return out;
}

/** The parts out/bin/<command> sources, from its generated loading loop. */
function sourcedParts(command: string): string[] {
  const loop = /^for prov_l in ((?:'[a-z-]+' ?)+); do$/m.exec(readFileSync(outBin(command), "utf8"));
  assert.ok(loop, `${command}: the part-loading loop`);
  return [...loop[1]!.matchAll(/'([a-z-]+)'/g)].map((m) => m[1]!);
}

function partText(part: string): string {
  // The schema part is generated (field tables); the others are copied from templates/sh/parts.
  return readFileSync(part === "schema" ? `${projectRoot}out/lib/nixos-provenance/schema.sh` : `${projectRoot}templates/sh/parts/${part}.sh`, "utf8");
}

/** The variables COMMAND reads: its source, its parts' top levels, and the part functions it reaches. */
export function variablesRead(command: string): string[] {
  const source = code(readFileSync(`${projectRoot}templates/sh/bin/${command}.sh`, "utf8"));
  const functions = new Map<string, string>();
  const found = new Set<string>();
  const pending: string[] = [source];
  for (const part of sourcedParts(command)) {
    for (const unit of units(partText(part))) {
      if (unit.name === null) pending.push(unit.body);
      else if (!functions.has(unit.name)) functions.set(unit.name, unit.body);
    }
  }
  const reached = new Set<string>();
  while (pending.length) {
    const text = pending.pop()!;
    for (const m of text.matchAll(variablePattern)) found.add(m[0]);
    for (const m of text.matchAll(/\b[A-Za-z_][A-Za-z0-9_]*\b/g)) {
      const body = functions.get(m[0]);
      if (body !== undefined && !reached.has(m[0])) {
        reached.add(m[0]);
        pending.push(body);
      }
    }
  }
  return [...found].sort();
}

test("the reading scan follows functions: a variable only in an unreached function is not read", () => {
  const parts = units("prov_a() {\n\tprintf '%s' \"$NIXOS_PROVENANCE_A\"\n}\nprov_b() { : \"$NIXOS_PROVENANCE_B\"; }\n# NIXOS_PROVENANCE_C in a comment\nprov_top=${NIXOS_PROVENANCE_D-}\n");
  assert.equal(parts.map((u) => u.name), ["prov_a", "prov_b", null]);
  assert.match(parts[0]!.body, "NIXOS_PROVENANCE_A");
  assert.not.match(parts[2]!.body, "NIXOS_PROVENANCE_C");
  assert.match(parts[2]!.body, "NIXOS_PROVENANCE_D");
});

for (const command of defaultSchema.commands) {
  test(`${command.name}: the schema's env list is exactly what it reads; man page and --help show that list`, () => {
    const listed = (command.env ?? []).map((e) => e.name).sort();
    assert.ok(command.env, `${command.name} has an env list in its schema`);
    assert.equal(listed, variablesRead(command.name), `${command.name}: schema env vs the runtime's reads`);
    const page = readFileSync(`${projectRoot}out/share/man/man1/${command.name}.1`, "utf8");
    const environment = /^\.SH ENVIRONMENT\n([\s\S]*?)(?=^\.SH )/m.exec(page)?.[1] ?? "";
    const onPage = [...environment.replace(/\\-/g, "-").matchAll(variablePattern)].map((m) => m[0]);
    assert.equal([...new Set(onPage)].sort(), listed, `${command.name}(1) ENVIRONMENT`);
    const help = runArgv(["dash", outBin(command.name), "--help"], { env: { PATH: process.env.PATH ?? "/usr/bin:/bin" } }).stdout;
    const environmentHelp = help.slice(help.indexOf("\nEnvironment:\n"));
    assert.ok(help.includes("\nEnvironment:\n"), `${command.name} --help has an Environment section`);
    assert.equal([...new Set(environmentHelp.match(variablePattern) ?? [])].sort(), listed, `${command.name} --help Environment`);
  });
}

test("the issue's cases: nixos-metadata does not list LOG_DIR; the wrapper lists NO_PTY, HISTORY_LENGTH, NO_FLOCK", () => {
  const env = (name: string) => (defaultSchema.commands.find((c) => c.name === name)?.env ?? []).map((e) => e.name);
  assert.not.ok(env("nixos-metadata").includes("NIXOS_PROVENANCE_LOG_DIR"));
  for (const name of ["NIXOS_PROVENANCE_NO_PTY", "NIXOS_PROVENANCE_HISTORY_LENGTH", "NIXOS_PROVENANCE_NO_FLOCK"]) assert.ok(env("nixos-build-wrapper").includes(name), name);
});

test.run();

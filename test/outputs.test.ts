/**
 * Every emitted output checked by its own tool: shellcheck -s sh and `sh -n`
 * (under the whole shell matrix) for shell, tsc for the .d.ts, and the JSON
 * Schemas checked against what Nix really writes.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readdirSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot, runArgv, shellsWithPosh } from "./helpers/shells.js";
import { loadSchema, validate } from "./helpers/json-schema.js";
import { nixEvalJson } from "./helpers/nix.js";

const shellcheckBin = process.env.SHELLCHECKJS_BIN ?? "/usr/bin/shellcheck";

/** Every emitted shell file: out/bin/* and every *.sh under out/lib (the library and its parts). */
function shellFiles(): string[] {
  const bin = readdirSync(`${projectRoot}out/bin`).map((f) => `${projectRoot}out/bin/${f}`);
  const lib = (readdirSync(`${projectRoot}out/lib`, { recursive: true }) as string[]).filter((f) => f.endsWith(".sh")).map((f) => `${projectRoot}out/lib/${f}`);
  return [...bin, ...lib];
}

/** shellcheck -s sh -f gcc through the npm shellcheck package (pointed at the system binary), as the check runs it. */
function shellcheckViaNpm(files: string[]): { status: number | null; output: string } {
  const npmShellcheck = `${projectRoot}node_modules/shellcheck/bin/shellcheck.js`;
  const r = runArgv(["node", npmShellcheck, "-s", "sh", "-f", "gcc", ...files], { env: { ...process.env, SHELLCHECKJS_BIN: shellcheckBin } });
  return { status: r.status, output: r.stdout + r.stderr.replace(/^npm warn.*\n/gm, "") };
}

test("shellcheck -s sh reports nothing on any emitted shell file (through the npm shellcheck package)", () => {
  const files = shellFiles();
  assert.ok(files.length >= 5, "expected the four commands and the library");
  const r = shellcheckViaNpm(files);
  assert.is(r.output, "");
  assert.is(r.status, 0);
});

test("shellcheck finds a real problem when there is one (the check can fail), through the same npm package", () => {
  const dir = mkdtempSync(join(tmpdir(), "nixprov-sc-"));
  const bad = join(dir, "bad.sh");
  writeFileSync(bad, "#!/bin/sh\nx=[[ $1 ]]\necho $x\n");
  const r = shellcheckViaNpm([bad]);
  rmSync(dir, { recursive: true });
  assert.is.not(r.status, 0);
  assert.ok(r.output.includes(`${bad}:3:6: `) && r.output.includes("[SC2086]"), `the unquoted $x is reported (SC2086):\n${r.output}`);
});

test("every emitted shell file parses under every shell of the matrix, and posh", () => {
  for (const file of shellFiles()) {
    for (const shell of shellsWithPosh) {
      const r = runArgv([...shell.argv, "-n", file]);
      assert.is(r.status, 0, `${shell.name} -n ${file}: ${r.stderr}`);
    }
  }
});

test("commands are executable and start with a POSIX sh shebang; the library has none", () => {
  for (const name of readdirSync(`${projectRoot}out/bin`)) {
    const text = readFileSync(`${projectRoot}out/bin/${name}`, "utf8");
    assert.ok(text.startsWith("#!/bin/sh\n"), name);
  }
  assert.ok(readFileSync(`${projectRoot}out/lib/build-status.sh`, "utf8").startsWith("# shellcheck shell=sh"));
});

test("the emitted TypeScript declarations compile with tsc --noEmit --strict", () => {
  const dir = mkdtempSync(join(tmpdir(), "nixprov-dts-"));
  writeFileSync(
    join(dir, "use.ts"),
    `import type { NixosMetadata, GenerationInfo, BuildRecord, BuildStatus, GenerationList } from ${JSON.stringify(`${projectRoot}out/types/nixos-provenance.js`)};
const m: NixosMetadata = JSON.parse("{}");
const dirty: boolean | null = m.dirty;
const commit: string = m.commit;
export type All = [NixosMetadata, GenerationInfo, BuildRecord, BuildStatus, GenerationList, typeof dirty, typeof commit];
`,
  );
  // Only what a consumer's own project would see: the ES library and our
  // declarations, checked (skipLibCheck false); not @types/node, which
  // would otherwise come in from the project's node_modules and triple
  // tsc's time. skipDefaultLibCheck skips only TypeScript's own lib.*.d.ts.
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        noEmit: true, strict: true, module: "NodeNext", moduleResolution: "NodeNext", target: "ES2022",
        lib: ["ES2022"], types: [], skipLibCheck: false, skipDefaultLibCheck: true, listFiles: true,
      },
      files: ["use.ts"],
    }),
  );
  const tsc = `${projectRoot}node_modules/typescript/bin/tsc`;
  const r = runArgv(["node", tsc, "-p", join(dir, "tsconfig.json")]);
  const listed = r.stdout.split("\n").filter((line) => /^\/\S*\.ts$/.test(line));
  const diagnostics = r.stdout.split("\n").filter((line) => line !== "" && !listed.includes(line)).join("\n");
  assert.is(diagnostics + r.stderr, "");
  assert.is(r.status, 0);
  assert.ok(listed.includes(`${projectRoot}out/types/nixos-provenance.d.ts`), `tsc read the emitted declarations:\n${listed.join("\n")}`);
  assert.not.ok(listed.some((f) => f.includes("/@types/")), "no @types package is loaded");
  rmSync(dir, { recursive: true });
});

test("the JSON Schema of nixos-metadata.json accepts what Nix writes and rejects drift", () => {
  const schema = loadSchema("NixosMetadata");
  for (const self of [`{ rev = "abc"; lastModifiedDate = "20250101000000"; }`, `{ dirtyRev = "abc-dirty"; }`, `{ }`]) {
    const json = JSON.parse((nixEvalJson(`(import ${projectRoot}modules/metadata.nix { self = ${self}; }).jsonText`) as string));
    assert.equal(validate(json, schema), [], self);
  }
  assert.ok(validate({ schemaVersion: 1 }, schema).length > 0, "missing keys must be reported");
  const full = JSON.parse((nixEvalJson(`(import ${projectRoot}modules/metadata.nix { }).jsonText`) as string));
  assert.ok(validate({ ...full, surprise: 1 }, schema).some((p) => p.includes("unexpected key surprise")));
  assert.ok(validate({ ...full, dirty: "unknown" }, schema).length > 0, "dirty is boolean or null, never a string");
});

test("every JSON Schema is a JSON document with a title, an $id and resolvable refs", () => {
  for (const file of readdirSync(`${projectRoot}out/schema`)) {
    const doc = JSON.parse(readFileSync(`${projectRoot}out/schema/${file}`, "utf8")) as Record<string, unknown>;
    assert.is(`${doc.title}.schema.json`, file);
    assert.type(doc.$id, "string");
    const refs = JSON.stringify(doc).match(/#\/\$defs\/[A-Za-z]+/g) ?? [];
    for (const ref of refs) assert.ok((doc.$defs as Record<string, unknown>)[ref.slice(8)], `${file}: ${ref}`);
  }
});

test.run();

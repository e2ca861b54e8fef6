/**
 * modules/metadata.nix, evaluated offline with nix-instantiate against fake
 * `self`/`inputs` attrsets for every state a flake can be in, and hostile
 * values round-tripped through the Nix string, the sourceable file and JSON.
 */
import { test, suite } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, writeFileSync, readdirSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nixString } from "../generator/escape/nix.js";
import { nixEvalJson, nixInstantiate } from "./helpers/nix.js";
import { outLib, projectRoot, runArgv, shells } from "./helpers/shells.js";
import { hostileValues } from "./helpers/hostile.js";
import { defaultFields } from "../generator/schema/fields.js";

/** The seed's twelve fields (seeds 000 and 001), the format it documents. */
const seedFields = ["GIT_COMMIT", "GIT_SHORT_COMMIT", "GIT_DIRTY", "GIT_LAST_MODIFIED", "GIT_SOURCE_URL", "NIXPKGS_REV", "NIXPKGS_NARHASH", "HOME_MANAGER_REV", "HOSTNAME", "SYSTEM", "BUILD_DATE", "FLAKE_URL"];

const metadataNix = `${projectRoot}modules/metadata.nix`;
const rev = "8bebe8d5f1c1a3f0e0e5d7f3f2b6c4a1d9e8f7a6";
const nixpkgsRev = "abc1234def5678abc1234def5678abc1234def56";
const hmRev = "def4567abc8901def4567abc8901def4567abc89";

interface Evaluated {
  shellText: string;
  jsonText: string;
  values: Record<string, string>;
  configurationRevision: string | null;
}

/** Evaluate metadata.nix with Nix source text for its arguments. */
function evaluate(args: string): Evaluated {
  return nixEvalJson(`let m = import ${metadataNix} ${args}; in { inherit (m) shellText jsonText values configurationRevision; }`) as Evaluated;
}

const inputs = `{
  nixpkgs = { rev = "${nixpkgsRev}"; narHash = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="; };
  home-manager = { rev = "${hmRev}"; };
}`;

const states = suite("flake states");

states("clean tree: the seed's file format, every value quoted", () => {
  const m = evaluate(`{
    self = { rev = "${rev}"; shortRev = "8bebe8d"; lastModifiedDate = "20250109143000"; };
    inputs = ${inputs};
    hostName = "nixos-hetzner"; system = "x86_64-linux"; repository = "github:vpittamp/nixos-config";
  }`);
  // The seed's format to the letter; a field the schema adds beyond the
  // seed's twelve gets its own line in its group, set aside here.
  const beyondSeed = defaultFields.filter((f) => !seedFields.includes(f.shellVar));
  const seedLines = m.shellText.split("\n").filter((line) => !beyondSeed.some((f) => line.startsWith(`${f.shellVar}=`))).join("\n");
  for (const f of beyondSeed) assert.match(m.shellText, new RegExp(`^${f.shellVar}='`, "m"), `${f.shellVar} has its line`);
  assert.fixture(
    seedLines,
    `# /etc/nixos-metadata: provenance of this NixOS generation (nixos-provenance, schema 1).
# Shell-sourceable: every value is single-quoted, so sourcing it never runs anything.
METADATA_SCHEMA_VERSION='1'

# Git Information
GIT_COMMIT='${rev}'
GIT_SHORT_COMMIT='8bebe8d'
GIT_DIRTY='false'
GIT_LAST_MODIFIED='20250109'
GIT_SOURCE_URL='https://github.com/vpittamp/nixos-config/tree/${rev}'

# Flake Input Revisions
NIXPKGS_REV='${nixpkgsRev}'
NIXPKGS_NARHASH='sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='
HOME_MANAGER_REV='${hmRev}'

# System Information
HOSTNAME='nixos-hetzner'
SYSTEM='x86_64-linux'
BUILD_DATE='20250109'
FLAKE_URL='github:vpittamp/nixos-config/${rev}'
`,
  );
  assert.is(m.configurationRevision, rev);
  const json = JSON.parse(m.jsonText) as Record<string, unknown>;
  for (const f of beyondSeed) delete json[f.jsonKey];
  assert.equal(json, {
    schemaVersion: 1,
    commit: rev,
    shortCommit: "8bebe8d",
    dirty: false,
    lastModified: "20250109",
    sourceUrl: `https://github.com/vpittamp/nixos-config/tree/${rev}`,
    nixpkgsRev,
    nixpkgsNarHash: "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    homeManagerRev: hmRev,
    hostname: "nixos-hetzner",
    system: "x86_64-linux",
    buildDate: "20250109",
    flakeUrl: `github:vpittamp/nixos-config/${rev}`,
  });
});

states("dirty tree: the base commit and GIT_DIRTY=true, never '…-dirty' as the commit", () => {
  const m = evaluate(`{
    self = { dirtyRev = "${rev}-dirty"; dirtyShortRev = "8bebe8d-dirty"; lastModifiedDate = "20250110080000"; };
    inputs = ${inputs}; repository = "github:o/r";
  }`);
  assert.is(m.values.GIT_COMMIT, rev);
  assert.is(m.values.GIT_SHORT_COMMIT, "8bebe8d");
  assert.is(m.values.GIT_DIRTY, "true");
  assert.is(m.values.GIT_LAST_MODIFIED, "20250110");
  assert.is(JSON.parse(m.jsonText).dirty, true);
  // NixOS's own convention for configurationRevision keeps the -dirty marker.
  assert.is(m.configurationRevision, `${rev}-dirty`);
});

states("no git at all (path flake): commit, dirty and URLs say unknown", () => {
  const m = evaluate(`{ self = { lastModifiedDate = "20250111000000"; narHash = "sha256-x"; }; inputs = ${inputs}; repository = "github:o/r"; }`);
  for (const name of ["GIT_COMMIT", "GIT_SHORT_COMMIT", "GIT_DIRTY", "GIT_SOURCE_URL", "FLAKE_URL"]) assert.is(m.values[name], "unknown", name);
  assert.is(m.values.GIT_LAST_MODIFIED, "20250111");
  assert.is(JSON.parse(m.jsonText).dirty, null);
  assert.is(m.configurationRevision, null);
});

states("missing inputs and path inputs without rev: unknown, never empty", () => {
  const none = evaluate(`{ self = { rev = "${rev}"; }; }`);
  for (const [name, value] of Object.entries(none.values)) assert.ok(value !== "", `${name} is empty`);
  for (const name of ["NIXPKGS_REV", "NIXPKGS_NARHASH", "HOME_MANAGER_REV", "HOSTNAME", "SYSTEM", "GIT_SOURCE_URL", "FLAKE_URL", "BUILD_DATE"]) {
    assert.is(none.values[name], "unknown", name);
  }
  const pathInput = evaluate(`{ self = { rev = "${rev}"; }; inputs = { nixpkgs = { narHash = "sha256-p"; outPath = "/nix/store/x"; }; home-manager = { rev = ""; }; }; }`);
  assert.is(pathInput.values.NIXPKGS_REV, "unknown");
  assert.is(pathInput.values.NIXPKGS_NARHASH, "sha256-p");
  assert.is(pathInput.values.HOME_MANAGER_REV, "unknown");
});

// given repository (and templates) → want source URL and flake URL
const urlCases: [string, string, string][] = [
  [`repository = "gitlab:group/cfg";`, `https://gitlab.com/group/cfg/-/tree/${rev}`, `gitlab:group/cfg/${rev}`],
  [`repository = "git+https://github.com/o/r.git?ref=main";`, `https://github.com/o/r/tree/${rev}`, `github:o/r/${rev}`],
  [`repository = "git+ssh://git@github.com/o/r";`, `https://github.com/o/r/tree/${rev}`, `github:o/r/${rev}`],
  [`repository = "git+https://git.example.org/me/cfg";`, "unknown", `git+https://git.example.org/me/cfg?rev=${rev}`],
  [`repository = "git+https://git.example.org/me/cfg?ref=main";`, "unknown", `git+https://git.example.org/me/cfg?ref=main&rev=${rev}`],
  [`repository = null;`, "unknown", "unknown"],
  [
    `sourceUrlTemplate = "https://git.example.org/{hostName}/commit/{commit}"; flakeUrlTemplate = "git+https://git.example.org/cfg?rev={shortCommit}"; hostName = "h1";`,
    `https://git.example.org/h1/commit/${rev}`,
    "git+https://git.example.org/cfg?rev=8bebe8d",
  ],
  [`sourceUrlTemplate = "https://x/{owner}/{commit}";`, "unknown", "unknown"],
];
for (const [args, sourceUrl, flakeUrl] of urlCases) {
  states(`URLs for ${args}`, () => {
    const m = evaluate(`{ self = { rev = "${rev}"; }; ${args} }`);
    assert.is(m.values.GIT_SOURCE_URL, sourceUrl);
    assert.is(m.values.FLAKE_URL, flakeUrl);
  });
}

states.run();

const hostile = suite("hostile values");


const canaryDir = mkdtempSync(join(tmpdir(), "nixprov-canary-"));

function sourceAndPrint(shellArgv: string[], file: string, names: string[]): Buffer {
  // Print each value between markers so empty values and newlines are visible.
  const script = `. "$1" && for n in ${names.join(" ")}; do eval "v=\\$$n"; printf '<%s>' "$v"; done`;
  const r = runArgv([...shellArgv, "-c", script, "sh", file], { cwd: canaryDir });
  assert.is(r.status, 0, r.stderr);
  return r.stdoutBytes;
}

function parseAndPrint(shellArgv: string[], file: string, names: string[]): Buffer {
  const core = outLib;
  const script = `. "$1" && prov_meta_read "$2" && for n in ${names.join(" ")}; do eval "v=\\$prov_meta_$n"; printf '<%s>' "$v"; done`;
  const r = runArgv([...shellArgv, "-c", script, "sh", core, file], { cwd: canaryDir });
  assert.is(r.status, 0, r.stderr);
  return r.stdoutBytes;
}

for (const value of hostileValues) {
  hostile(`round trip ${JSON.stringify(value)}`, () => {
    const v = nixString(value);
    const m = evaluate(`{ self = { rev = ${v}; }; hostName = ${v}; system = ${v}; inputs = { nixpkgs = { rev = ${v}; narHash = ${v}; }; }; }`);
    const expected = value === "" ? "unknown" : value;
    for (const name of ["GIT_COMMIT", "HOSTNAME", "SYSTEM", "NIXPKGS_REV", "NIXPKGS_NARHASH"]) assert.is(m.values[name], expected, name);

    const json = JSON.parse(m.jsonText);
    assert.is(json.hostname, expected);
    assert.is(json.nixpkgsNarHash, expected);

    const dir = mkdtempSync(join(tmpdir(), "nixprov-meta-"));
    const file = join(dir, "nixos-metadata");
    writeFileSync(file, m.shellText);
    const names = ["GIT_COMMIT", "HOSTNAME", "SYSTEM", "NIXPKGS_REV", "NIXPKGS_NARHASH"];
    const want = Buffer.from(names.map(() => `<${expected}>`).join(""), "utf8");
    for (const shell of shells) {
      assert.equal(sourceAndPrint(shell.argv, file, names), want, `sourced in ${shell.name}`);
      assert.equal(parseAndPrint(shell.argv, file, names), want, `prov_meta_read in ${shell.name}`);
    }
    assert.equal(readdirSync(canaryDir), [], "sourcing must never run anything");
    rmSync(dir, { recursive: true, force: true });
  });
}

hostile("invalid UTF-8 bytes survive the sourceable file byte for byte (dash, bash)", () => {
  // Nix strings hold bytes; the expression is written to a file so the raw bytes reach Nix.
  const dir = mkdtempSync(join(tmpdir(), "nixprov-bytes-"));
  const bytes = Buffer.from([0x78, 0xff, 0xfe, 0x27, 0x24, 0x28, 0x79, 0x29, 0x0a, 0xc3]);
  const expr = Buffer.concat([
    Buffer.from(`(import ${metadataNix} { hostName = "`),
    bytes,
    Buffer.from(`"; }).shellText`),
  ]);
  // No quote, backslash or ${ among the bytes, so they can stand inside a Nix string as they are.
  writeFileSync(join(dir, "expr.nix"), expr);
  const result = nixInstantiate(["--eval", "--strict", "--raw", join(dir, "expr.nix")]);
  let text: Buffer;
  if (result.status === 0) {
    text = Buffer.from(result.stdout, "latin1");
  } else {
    // Nix 2.8 has no --raw: print the string as Nix source and unescape it.
    const r = runArgv(["nix-instantiate", "--eval", "--strict", join(dir, "expr.nix")], { env: { ...process.env, NIX_REMOTE: "" } });
    assert.is(r.status, 0, r.stderr);
    text = unescapeNixString(r.stdoutBytes);
  }
  const file = join(dir, "nixos-metadata");
  writeFileSync(file, text);
  for (const shell of shells.filter((s) => s.name === "dash" || s.name === "bash")) {
    const printed = sourceAndPrint(shell.argv, file, ["HOSTNAME"]);
    assert.equal(printed, Buffer.concat([Buffer.from("<"), bytes, Buffer.from(">")]), shell.name);
  }
  rmSync(dir, { recursive: true, force: true });
});

hostile.run();

/** Undo Nix's printing of a string value ("..." with \\ \" \n \r \t \$ escapes), byte-wise. */
function unescapeNixString(printed: Buffer): Buffer {
  const out: number[] = [];
  let i = printed.indexOf(0x22) + 1;
  const end = printed.lastIndexOf(0x22);
  for (; i < end; i++) {
    const b = printed[i]!;
    if (b !== 0x5c) {
      out.push(b);
      continue;
    }
    const next = printed[++i]!;
    out.push(next === 0x6e ? 0x0a : next === 0x72 ? 0x0d : next === 0x74 ? 0x09 : next);
  }
  return Buffer.from(out);
}

test("every emitted .nix file parses", () => {
  const dir = `${projectRoot}modules`;
  const files = readdirSync(dir).filter((f) => f.endsWith(".nix"));
  assert.ok(files.length >= 3);
  for (const file of files) {
    const r = nixInstantiate(["--parse", join(dir, file)]);
    assert.is(r.status, 0, `${file}: ${r.stderr}`);
  }
  if (existsSync(`${projectRoot}flake.nix`)) assert.is(nixInstantiate(["--parse", `${projectRoot}flake.nix`]).status, 0, "flake.nix");
});

test.run();

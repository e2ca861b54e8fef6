/**
 * The seed's machine contract of nixos-generation-info (issue 8): for each of
 * six situations, the WHOLE --json object and the WHOLE --export output, and
 * --short / --status / --warning, under every shell of the matrix (runMatrix
 * insists the five agree byte for byte).
 *
 * The wanted values are written out here, from the seed (the original
 * tool's --json of a machine in sync at g10, Home Manager at hm5 for root)
 * and its export names, listed literally: they are the contract, not
 * something derived from our schema.
 */
import { test } from "uvu";
import { rmSync, symlinkSync } from "node:fs";
import * as assert from "uvu/assert";
import { Machine, defaultMetadata } from "./helpers/fixture.js";
import { evalExport, runMatrix } from "./helpers/matrix.js";
import { loadSchema, validate } from "./helpers/json-schema.js";

const CMD = "nixos-generation-info";
const schema = loadSchema("GenerationInfo");

const C10 = "303086333e283f4801e556a8cd306530f356ba9b";
const C9 = "48809b8c2f0e4d9a7b1c3e5f60718293a4b5c6d7";
const NIXPKGS = "0f425dd7dbeb6acb60f863d2fcc0a7f3efe8ce6c";
const HM_REV = "9a520961b4b6df1e85f03e34c4e91acf11a1abf7";

function meta(commit: string, dirty = false) {
  return defaultMetadata(0, {
    GIT_COMMIT: commit,
    GIT_SHORT_COMMIT: commit.slice(0, 7),
    GIT_DIRTY: dirty ? "true" : "false",
    GIT_SOURCE_URL: `https://github.com/example/nixos-config/tree/${commit}`,
    NIXPKGS_REV: NIXPKGS,
    HOME_MANAGER_REV: HM_REV,
    BUILD_DATE: "20250103",
  });
}

interface Given {
  /** Running system generation (10 = the newest). */
  running: 9 | 10;
  dirty?: boolean;
  /** Activated Home Manager generation (5 = the newest); null = no Home Manager. */
  hm: 4 | 5 | null;
}

/** A machine with system generations 9 and 10 and Home Manager 4 and 5, for root. */
function given(g: Given): Machine {
  const m = new Machine({ rootName: "nixprov contract ", user: "root" });
  m.addSystem(9, { metadata: meta(C9) });
  m.addSystem(10, { metadata: meta(C10, g.dirty) });
  m.setProfile(10);
  m.activate(g.running);
  m.boot(g.running);
  if (g.hm !== null) {
    m.addHome(4);
    m.addHome(5, { activate: false });
    m.activateHome(g.hm);
  }
  return m;
}

/** The seed's --json of the example machine; each situation changes a few keys. */
const seedInSync = {
  generation: "g10", generationRaw: "10", latestGeneration: "g10", latestGenerationRaw: "10",
  status: "in-sync", outOfSync: 0, commit: C10, shortCommit: "3030863",
  dirty: 0, metadata: 1, buildDate: "20250103",
  sourceUrl: `https://github.com/example/nixos-config/tree/${C10}`,
  nixpkgsRev: NIXPKGS, homeManagerRev: HM_REV,
  homeManagerUser: "root", homeManagerGeneration: "hm5", homeManagerGenerationRaw: "5",
  homeManagerLatestGeneration: "hm5", homeManagerLatestGenerationRaw: "5", homeManagerOutOfSync: 0,
  homeManagerStatus: "in-sync", short: "g10@3030863 hm5", warning: "",
};
/** Our keys beyond the seed's, for the example machine. */
const oursInSync = {
  warningParts: "", systemStatus: "in-sync", bootedGeneration: 10, isDirty: false,
  homeManagerShort: "hm5", booted: true, needsReboot: false, rebootReasons: [],
};

const g9 = {
  generation: "g9", generationRaw: "9", commit: C9, shortCommit: "48809b8",
  sourceUrl: `https://github.com/example/nixos-config/tree/${C9}`,
};
const hm4 = { homeManagerGeneration: "hm4", homeManagerGenerationRaw: "4", homeManagerOutOfSync: 1, homeManagerStatus: "out-of-sync" };
const noHm = {
  homeManagerGeneration: "none", homeManagerGenerationRaw: "none", homeManagerLatestGeneration: "none",
  homeManagerLatestGenerationRaw: "none", homeManagerStatus: "absent",
};

interface Want {
  json: Record<string, unknown>;
  short: string;
  status: string;
  /** --warning's stdout; "" = exit 1 and nothing printed. */
  warning: string;
}

const situations: [string, Given, Want][] = [
  ["in sync", { running: 10, hm: 5 }, {
    json: { ...seedInSync, ...oursInSync },
    short: "g10@3030863 hm5", status: "in-sync", warning: "",
  }],
  ["system behind", { running: 9, hm: 5 }, {
    json: { ...seedInSync, ...g9, status: "out-of-sync", outOfSync: 1, short: "g9@48809b8 hm5⚠", warning: "g10",
      ...oursInSync, warningParts: "g10", systemStatus: "out-of-sync", bootedGeneration: 9 },
    short: "g9@48809b8 hm5⚠", status: "out-of-sync", warning: "⚠ g10",
  }],
  ["Home Manager behind", { running: 10, hm: 4 }, {
    json: { ...seedInSync, status: "out-of-sync", outOfSync: 1, ...hm4, short: "g10@3030863 hm4⚠", warning: "hm5",
      ...oursInSync, warningParts: "hm5", homeManagerShort: "hm4" },
    short: "g10@3030863 hm4⚠", status: "out-of-sync", warning: "⚠ hm5",
  }],
  ["both behind", { running: 9, hm: 4 }, {
    json: { ...seedInSync, ...g9, status: "out-of-sync", outOfSync: 1, ...hm4, short: "g9@48809b8 hm4⚠", warning: "g10 hm5",
      ...oursInSync, warningParts: "g10 hm5", systemStatus: "out-of-sync", bootedGeneration: 9, homeManagerShort: "hm4" },
    short: "g9@48809b8 hm4⚠", status: "out-of-sync", warning: "⚠ g10 hm5",
  }],
  ["dirty", { running: 10, dirty: true, hm: 5 }, {
    json: { ...seedInSync, dirty: 1, short: "g10@3030863* hm5", ...oursInSync, isDirty: true },
    short: "g10@3030863* hm5", status: "in-sync", warning: "",
  }],
  ["no Home Manager", { running: 10, hm: null }, {
    json: { ...seedInSync, ...noHm, short: "g10@3030863", ...oursInSync, homeManagerShort: "" },
    short: "g10@3030863", status: "in-sync", warning: "",
  }],
];

/** The seed's --export names (NIXOS_GENERATION_INFO_ + these) and the JSON key each carries. */
const seedExportNames: [string, string][] = [
  ["GENERATION", "generation"], ["GENERATION_RAW", "generationRaw"], ["LATEST", "latestGeneration"], ["LATEST_RAW", "latestGenerationRaw"],
  ["STATUS", "status"], ["OUT_OF_SYNC", "outOfSync"], ["SHORT", "short"], ["WARNING_PARTS", "warningParts"],
  ["COMMIT", "commit"], ["SHORT_COMMIT", "shortCommit"], ["BUILD_DATE", "buildDate"], ["DIRTY", "dirty"], ["METADATA", "metadata"],
  ["SOURCE_URL", "sourceUrl"], ["NIXPKGS_REV", "nixpkgsRev"], ["HOME_MANAGER_REV", "homeManagerRev"], ["HOME_MANAGER_USER", "homeManagerUser"],
  ["HOME_MANAGER_GENERATION", "homeManagerGeneration"], ["HOME_MANAGER_GENERATION_RAW", "homeManagerGenerationRaw"],
  ["HOME_MANAGER_LATEST", "homeManagerLatestGeneration"], ["HOME_MANAGER_LATEST_RAW", "homeManagerLatestGenerationRaw"],
  ["HOME_MANAGER_OUT_OF_SYNC", "homeManagerOutOfSync"], ["HOME_MANAGER_STATUS", "homeManagerStatus"], ["HOME_MANAGER_SHORT", "homeManagerShort"],
];
/** Ours, in the JSON's order after the seed's names. */
const ourExportNames: [string, string][] = [
  ["WARNING", "warning"], ["SYSTEM_STATUS", "systemStatus"], ["BOOTED_GENERATION", "bootedGeneration"], ["IS_DIRTY", "isDirty"],
  ["BOOTED", "booted"], ["NEEDS_REBOOT", "needsReboot"], ["REBOOT_REASONS", "rebootReasons"],
];

/** The whole --export output: one NAME='value' line per key, in the JSON's key order. */
function wantExport(json: Record<string, unknown>): string {
  const byKey = new Map([...seedExportNames, ...ourExportNames].map(([name, key]) => [key, name]));
  return Object.entries(json)
    .map(([key, value]) => {
      const name = byKey.get(key);
      if (!name) throw new Error(`test table: no export name for ${key}`);
      return `NIXOS_GENERATION_INFO_${name}='${value === null ? "unknown" : String(value)}'\n`;
    })
    .join("");
}

for (const [name, g, want] of situations) {
  test(`contract, ${name}: whole --json, whole --export, --short, --status, --warning`, () => {
    const m = given(g);
    try {
      const json = runMatrix(m, CMD, ["--json"]);
      assert.is(json.stderr, "");
      assert.is(json.status, 0);
      const doc = JSON.parse(json.stdout) as Record<string, unknown>;
      assert.equal(doc, want.json);
      assert.equal(Object.keys(doc), Object.keys(want.json), "key order: the seed's first");
      assert.equal(validate(doc, schema), [], "GenerationInfo schema");

      const exported = runMatrix(m, CMD, ["--export"]);
      assert.is(exported.status, 0);
      assert.is(exported.stdout, wantExport(want.json));
      // Every seed name, evaluated by every shell, holds the seed's value.
      const values = evalExport(exported.stdoutBytes, seedExportNames.map(([n]) => `NIXOS_GENERATION_INFO_${n}`));
      seedExportNames.forEach(([n, key], i) => assert.is(values[i]!.toString("utf8"), String(want.json[key]), n));

      const short = runMatrix(m, CMD, ["--short"]);
      assert.is(short.stdout, `${want.short}\n`);
      assert.is(doc.short, want.short, "short = what --short prints");
      assert.is(runMatrix(m, CMD, ["--status"]).stdout, `${want.status}\n`);
      assert.is(doc.status, want.status, "status = what --status prints");

      const warning = runMatrix(m, CMD, ["--warning"]);
      assert.is(warning.stderr, "");
      if (want.warning) {
        assert.is(warning.status, 0);
        assert.is(warning.stdout, `${want.warning}\n`);
        assert.is(`⚠ ${doc.warning}`, want.warning, "warning = --warning without the sign");
      } else {
        assert.is(warning.status, 1, "nothing behind: exit 1");
        assert.is(warning.stdout, "");
      }
    } finally {
      m.cleanup();
    }
  });
}

test("USER unset: homeManagerUser is the effective user", () => {
  const m = given({ running: 10, hm: 5 });
  try {
    const doc = JSON.parse(runMatrix(m, CMD, ["--json"], { env: { USER: undefined } }).stdout) as Record<string, unknown>;
    assert.is(doc.homeManagerUser, "root");
    assert.is(doc.homeManagerStatus, "in-sync");
  } finally {
    m.cleanup();
  }
});

test("Home Manager without an activation root: the profile link's generation, not unknown", () => {
  for (const layout of ["xdg", "legacy"] as const) {
    const m = new Machine({ rootName: "nixprov contract ", user: "root" });
    try {
      m.switchTo(1);
      m.addHome(1, { layout, activate: false });
      m.addHome(2, { layout, activate: false });
      let doc = JSON.parse(runMatrix(m, CMD, ["--json"]).stdout) as Record<string, unknown>;
      assert.is(doc.homeManagerGeneration, "hm2", layout);
      assert.is(doc.homeManagerStatus, "in-sync", layout);
      // The profile link rolled back (home-manager switch --rollback of old): hm1 of hm2.
      rmSync(`${m.hmProfiles(layout)}/home-manager`);
      symlinkSync("home-manager-1-link", `${m.hmProfiles(layout)}/home-manager`);
      doc = JSON.parse(runMatrix(m, CMD, ["--json"]).stdout) as Record<string, unknown>;
      assert.is(doc.homeManagerGeneration, "hm1", layout);
      assert.is(doc.homeManagerStatus, "out-of-sync", layout);
      assert.is(doc.warning, "hm2", layout);
    } finally {
      m.cleanup();
    }
  }
});

test("not a NixOS system: one line on stderr, exit 69, for every mode", () => {
  const m = new Machine({ rootName: "nixprov contract ", user: "root" });
  try {
    m.addHome(1);
    for (const args of [[], ["--short"], ["--json"], ["--export"], ["--status"], ["--warning"], ["--waybar"], ["--i3blocks"], ["--i3status-rs"]]) {
      const r = runMatrix(m, CMD, args);
      assert.is(r.status, 69, args.join(" "));
      assert.is(r.stdout, "", args.join(" "));
      assert.is(r.stderr, `nixos-generation-info: not a NixOS system: ${m.root}/run/current-system is missing\n`, args.join(" "));
    }
    // --help and usage errors still answer.
    assert.is(runMatrix(m, CMD, ["--help"]).status, 0);
    assert.is(runMatrix(m, CMD, ["--bogus"]).status, 64);
    // A system profile without a running system (a chroot, an image) is NixOS: unknown, exit 0.
    m.addSystem(1);
    m.setProfile(1);
    const r = runMatrix(m, CMD, ["--status"]);
    assert.is(r.status, 0);
    assert.is(r.stdout, "unknown\n");
  } finally {
    m.cleanup();
  }
});

test.run();

/**
 * Every mode of nixos-generation-info and nixos-metadata against each
 * situation of issue 3 (in sync; built but not activated; rolled back;
 * booted != current; Home Manager in sync / behind / absent / NixOS module;
 * no metadata file), under the whole shell matrix. The modes must agree
 * with each other: --status, --short and the bar modes with --json, list's
 * current/booted markers with the generation numbers.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Machine } from "./helpers/fixture.js";
import { evalExport, runMatrix, runStrict } from "./helpers/matrix.js";
import type { RunResult } from "./helpers/shells.js";
import { loadSchema, validate } from "./helpers/json-schema.js";

interface Scenario {
  name: string;
  build(m: Machine): void;
  want: { generation: string; latest: string; booted: string; status: string; hm: string; sync: string };
}

const base = (m: Machine, n: number) => {
  for (let i = 1; i <= n; i++) m.switchTo(i, { time: 1736400000 + i * 60 });
  m.boot(n);
};

const scenarios: Scenario[] = [
  { name: "in sync", build: (m) => { base(m, 3); m.addHome(1); m.addHome(2); }, want: { generation: "3", latest: "3", booted: "3", status: "in-sync", hm: "in-sync", sync: "in-sync" } },
  { name: "built, not activated", build: (m) => { base(m, 3); m.addSystem(4); m.setProfile(4); m.addHome(1); }, want: { generation: "3", latest: "4", booted: "3", status: "out-of-sync", hm: "in-sync", sync: "out-of-sync" } },
  { name: "rolled back", build: (m) => { base(m, 3); m.setProfile(2); m.activate(2); m.addHome(1); }, want: { generation: "2", latest: "3", booted: "3", status: "out-of-sync", hm: "in-sync", sync: "out-of-sync" } },
  { name: "booted != current", build: (m) => { base(m, 3); m.boot(1); m.addHome(1); }, want: { generation: "3", latest: "3", booted: "1", status: "in-sync", hm: "in-sync", sync: "in-sync" } },
  { name: "Home Manager behind", build: (m) => { base(m, 2); m.addHome(1); m.addHome(2, { activate: false }); }, want: { generation: "2", latest: "2", booted: "2", status: "in-sync", hm: "out-of-sync", sync: "out-of-sync" } },
  { name: "Home Manager absent", build: (m) => base(m, 2), want: { generation: "2", latest: "2", booted: "2", status: "in-sync", hm: "absent", sync: "in-sync" } },
  { name: "Home Manager as NixOS module", build: (m) => { base(m, 2); m.homeManagerAsNixosModule(); }, want: { generation: "2", latest: "2", booted: "2", status: "in-sync", hm: "nixos-module", sync: "in-sync" } },
  { name: "no metadata file", build: (m) => { m.switchTo(1); m.switchTo(2, { metadataText: null }); m.boot(2); m.addHome(1); }, want: { generation: "2", latest: "2", booted: "2", status: "in-sync", hm: "in-sync", sync: "in-sync" } },
];

const giModes = ["--short", "--status", "--export", "--warning", "--i3blocks", "--waybar", "--i3status-rs"];

for (const scenario of scenarios) {
  test(`${scenario.name}: every mode of both commands`, () => {
    const m = new Machine({ rootName: "nixprov sc " });
    try {
      scenario.build(m);
      // The machine does not change within a scenario, so each command line
      // runs once under the matrix (which asserts that all shells agree)
      // and every later use, the strict-mode comparison included, reuses it.
      const ran = new Map<string, RunResult>();
      const matrix = (command: string, args: string[]): RunResult => {
        const key = [command, ...args].join("\0");
        let r = ran.get(key);
        if (!r) ran.set(key, (r = runMatrix(m, command, args)));
        return r;
      };
      const gi = (args: string[]) => matrix("nixos-generation-info", args);
      const md = (args: string[]) => matrix("nixos-metadata", args);

      const jr = gi(["--json"]);
      assert.is(jr.status, 0, jr.stderr);
      const info = JSON.parse(jr.stdout) as Record<string, string | boolean | null>;
      assert.equal(validate(info, loadSchema("GenerationInfo")), []);
      const w = scenario.want;
      assert.equal(
        [info.generationRaw, info.latestGenerationRaw, info.bootedGeneration, info.systemStatus, info.homeManagerStatus, info.status],
        [w.generation, w.latest, Number(w.booted), w.status, w.hm, w.sync],
      );

      const results = new Map(giModes.map((mode) => [mode, gi([mode])]));
      for (const [mode, r] of results) {
        assert.is(r.stderr, "", mode);
        assert.is(r.status, mode === "--warning" && info.warning === "" ? 1 : 0, mode);
      }
      const warn = info.status === "out-of-sync" ? " ⚠" : "";
      const hm = info.homeManagerShort ? ` ${info.homeManagerShort}` : "";
      assert.is(results.get("--status")!.stdout, `${info.status}\n`);
      assert.is(results.get("--short")!.stdout, `${info.short}\n`);
      assert.ok(String(info.short).endsWith(`${hm}${warn.trim()}`), `short ends with the Home Manager part and the sign: ${info.short}`);
      if (info.warning) assert.is(results.get("--warning")!.stdout, `⚠ ${info.warning}\n`);
      const bar = `g${info.generationRaw}${hm}${warn}`;
      assert.is(results.get("--i3blocks")!.stdout.split("\n")[0], bar);
      const waybar = JSON.parse(results.get("--waybar")!.stdout);
      assert.is(waybar.text, bar);
      assert.is(waybar.class, info.status);
      assert.is(JSON.parse(results.get("--i3status-rs")!.stdout).text, bar);
      const [short, status] = evalExport(results.get("--export")!.stdoutBytes, ["NIXOS_GENERATION_INFO_SHORT", "NIXOS_GENERATION_INFO_STATUS"]);
      assert.is(short!.toString(), info.short);
      assert.is(status!.toString(), info.status);
      assert.is(gi([]).status, 0);

      for (const args of [[], ["current"], ["booted"], ["1"], ["--export"], ["list"], ["audit"], ["diff", "1", "current"], ["reproduce", "1"]]) {
        const r = md(args);
        // diff answers like diff(1): 0 identical, 1 different.
        const want = args[0] === "diff" && w.generation !== "1" ? 1 : 0;
        assert.is(r.status, want, `nixos-metadata ${args.join(" ")}: ${r.stderr}`);
        assert.is(r.stderr, "");
      }
      for (const [args, shape] of [[["--json"], "NixosMetadata"], [["booted", "--json"], "NixosMetadata"], [["list", "--json"], "GenerationList"], [["audit", "--json"], "NixpkgsAudit"], [["diff", "1", "current", "--json"], "GenerationDiff"]] as [string[], string][]) {
        const r = md(args);
        assert.is(r.status, args[0] === "diff" && w.generation !== "1" ? 1 : 0, `nixos-metadata ${args.join(" ")}: ${r.stderr}`);
        assert.equal(validate(JSON.parse(r.stdout), loadSchema(shape)), [], `${args.join(" ")}`);
      }
      // Under writeShellApplication's bash -euo pipefail: the same results.
      const strictCases: [string, string[]][] = [
        ...[[], ...giModes.map((mode) => [mode]), ["--json"], ["--bogus"]].map((a): [string, string[]] => ["nixos-generation-info", a]),
        ...[[], ["booted"], ["1"], ["--json"], ["--export"], ["--field", "GIT_COMMIT"], ["list"], ["list", "--json"], ["audit"], ["audit", "--json"], ["diff", "1", "current"], ["diff", "1", "2", "--json"], ["reproduce", "1"], ["x"], ["9"]]
          .map((a): [string, string[]] => ["nixos-metadata", a]),
      ];
      for (const [command, args] of strictCases) {
        const plain = matrix(command, args);
        const strict = runStrict(m, command, args);
        const what = `${command} ${args.join(" ")} under bash -euo pipefail`;
        assert.is(strict.status, plain.status, `${what}: ${strict.stderr}`);
        assert.is(strict.stdout, plain.stdout, what);
        assert.is(strict.stderr, plain.stderr, what);
      }

      const list = JSON.parse(md(["list", "--json"]).stdout) as { generation: number; current: boolean; booted: boolean }[];
      assert.equal(list.filter((g) => g.current).map((g) => String(g.generation)), [w.generation]);
      assert.equal(list.filter((g) => g.booted).map((g) => String(g.generation)), [w.booted]);
      assert.is(String(list[list.length - 1]!.generation), w.latest);
    } finally {
      m.cleanup();
    }
  });
}

test.run();

/**
 * nixos-metadata and nixos-build-wrapper on a machine that is not NixOS (no
 * /run/current-system, no system profile; issue 8 §2): one line on stderr
 * naming what is missing, exit 69 (notNixos in their schemas), under the
 * five shells. The wrapper refuses only `os`: `home` builds with standalone
 * Home Manager are what such a machine runs.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Machine } from "./helpers/fixture.js";
import { shells, outBin, runArgv } from "./helpers/shells.js";
import { toolDir, buildPath } from "./helpers/build-env.js";
import { defaultSchema } from "../generator/schema/index.js";

const exitOf = (command: string) => defaultSchema.commands.find((c) => c.name === command)!.exitCodes.find((e) => e.name === "notNixos")?.code;

test("the schemas document the code: 69 for both, like the other commands", () => {
  assert.is(exitOf("nixos-metadata"), 69);
  assert.is(exitOf("nixos-build-wrapper"), 69);
  assert.is(exitOf("nixos-generation-info"), 69);
});

const metadataForms = [[], ["current"], ["42", "--field", "GIT_COMMIT"], ["--json"], ["--export"], ["list"], ["list", "--json"], ["diff", "1", "2"], ["diff", "-1", "--json"], ["verify"], ["history"], ["previous"], ["audit", "--json"], ["reproduce", "3"]];

test("nixos-metadata: every form says not NixOS in one line, exit 69, under every shell", () => {
  const m = new Machine();
  try {
    for (const shell of shells) {
      for (const args of metadataForms) {
        const r = runArgv([...shell.argv, outBin("nixos-metadata"), ...args], { env: m.env() });
        assert.is(r.status, 69, `${shell.name} ${args.join(" ")}: ${r.stderr}`);
        assert.is(r.stdout, "", `${shell.name} ${args.join(" ")}`);
        assert.is(r.stderr, `nixos-metadata: not a NixOS system: ${m.root}/run/current-system is missing\n`, `${shell.name} ${args.join(" ")}`);
      }
    }
    // A usage error is still a usage error, and --help still helps.
    assert.is(runArgv(["dash", outBin("nixos-metadata"), "list", "--export"], { env: m.env() }).status, 64);
    assert.is(runArgv(["dash", outBin("nixos-metadata"), "--help"], { env: m.env() }).status, 0);
  } finally {
    rmSync(m.root, { recursive: true, force: true });
  }
});

test("nixos-metadata: a system profile alone (no /run/current-system) is NixOS", () => {
  const m = new Machine();
  try {
    m.addSystem(1);
    const r = runArgv(["dash", outBin("nixos-metadata"), "list", "--json"], { env: m.env() });
    assert.is.not(r.status, 69, r.stderr);
    assert.not.match(r.stderr, "not a NixOS system");
  } finally {
    rmSync(m.root, { recursive: true, force: true });
  }
});

test("nixos-build-wrapper os: refused before the builder runs, nothing recorded, exit 69, under every shell", () => {
  for (const shell of shells) {
    const m = new Machine();
    try {
      const args = join(m.root, "builder-args");
      const logDir = join(m.root, "logs");
      const env = m.env({ PATH: buildPath(toolDir(["nixos-rebuild"])), NIXOS_PROVENANCE_LOG_DIR: logDir, FAKE_ARGS_FILE: args });
      for (const action of [[], ["os"], ["os", "switch"], ["os", "build", "--json"], ["boot"]]) {
        const r = runArgv([...shell.argv, outBin("nixos-build-wrapper"), ...action], { env });
        assert.is(r.status, 69, `${shell.name} ${action.join(" ")}: ${r.stderr}`);
        assert.is(r.stderr, `nixos-build-wrapper: not a NixOS system: ${m.root}/run/current-system is missing\n`, `${shell.name} ${action.join(" ")}`);
        assert.is(r.stdout, "");
      }
      assert.not.ok(existsSync(args), `${shell.name}: the builder never ran`);
      assert.not.ok(existsSync(logDir), `${shell.name}: nothing recorded`);
    } finally {
      rmSync(m.root, { recursive: true, force: true });
    }
  }
});

test("nixos-build-wrapper home: builds on a machine without NixOS (standalone Home Manager), and records it", () => {
  for (const shell of shells) {
    const m = new Machine();
    try {
      const args = join(m.root, "builder-args");
      const logDir = join(m.root, "logs");
      const env = m.env({ PATH: buildPath(toolDir(["home-manager"])), NIXOS_PROVENANCE_LOG_DIR: logDir, FAKE_ARGS_FILE: args });
      const r = runArgv([...shell.argv, outBin("nixos-build-wrapper"), "home", "build"], { env });
      assert.is(r.status, 0, `${shell.name}: ${r.stderr}`);
      assert.not.match(r.stderr, "not a NixOS system");
      assert.equal(readFileSync(args, "utf8").split("\0").slice(0, 1), ["build"], `${shell.name}: home-manager ran`);
      const record = JSON.parse(readFileSync(join(logDir, "last-build.json"), "utf8"));
      assert.equal([record.target, record.action, record.success], ["home", "build", true]);
    } finally {
      rmSync(m.root, { recursive: true, force: true });
    }
  }
});

test.run();

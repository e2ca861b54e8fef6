/**
 * system.provenance.prometheus.alertRules in the real module system (nixpkgs
 * 25.05's lib, the faithful services.prometheus.ruleFiles declaration): off
 * by default; on, one rule file whose rules are the shipped ones with this
 * host's thresholds; a threshold that is no Prometheus duration is refused by
 * the option's type. The file promtool reads is checked by promtool.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { nixEvalReal, vendorMissing } from "./helpers/nix.js";
import { projectRoot } from "./helpers/shells.js";
import { defaultThresholds, ruleGroups } from "../generator/emitters/metrics.js";
import { resolveModel } from "../generator/model.js";
import { defaultSchema } from "../generator/schema/index.js";
const monitoring = resolveModel(defaultSchema).monitoring;

const missing = vendorMissing();
const it = missing === null ? test : test.skip;
const scratch = mkdtempSync(join(tmpdir(), "eco-prom-module-"));
test.after(() => rmSync(scratch, { recursive: true, force: true }));

function ruleFiles(alertRules: string, enable = false): { ok: true; value: any } | { ok: false; stderr: string } {
  const config = `{ networking.hostName = "prom"; system.provenance = { enable = ${enable}; prometheus.alertRules = ${alertRules}; }; }`;
  return nixEvalReal(`map (f: f.text) (import (eco + "/nixos-system.nix") { inherit lib; modules = [ ${projectRoot}modules/nixos.nix (${config}) ]; }).config.services.prometheus.ruleFiles`);
}

it("alertRules off (the default): no rule file", () => {
  const r = ruleFiles("{ }");
  assert.ok(r.ok, r.ok ? "" : r.stderr);
  assert.equal(r.ok && r.value, []);
});

it("alertRules on, without system.provenance.enable (the Prometheus host): the shipped rules at this host's thresholds, accepted by promtool", () => {
  const r = ruleFiles(`{ enable = true; outOfSyncFor = "2h"; staleAfter = "30m"; fleetLabel = "fleet"; buildFailedFor = "5m"; }`);
  assert.ok(r.ok, r.ok ? "" : r.stderr);
  const files = (r as { value: string[] }).value;
  assert.is(files.length, 1);
  const want = ruleGroups(monitoring, { ...defaultThresholds(monitoring), outOfSyncFor: "2h", staleAfter: "30m", fleetLabel: "fleet", buildFailedFor: "5m" });
  assert.equal(JSON.parse(files[0]!), want);
  assert.match(files[0]!, "> 1800");
  assert.match(files[0]!, "count by (fleet) (count by (fleet, commit)");
  const file = join(scratch, "rules.yml");
  writeFileSync(file, files[0]!);
  const check = spawnSync("promtool", ["check", "rules", file], { encoding: "utf8", timeout: 30_000 });
  assert.is(check.status, 0, check.stdout + check.stderr);
  // The defaults give exactly the shipped file.
  const defaults = ruleFiles("{ enable = true; }");
  assert.equal(JSON.parse((defaults as { value: string[] }).value[0]!), ruleGroups(monitoring));
});

it("a threshold that is no Prometheus duration, or a fleet label that is no label name, is refused by its type", () => {
  for (const bad of [`outOfSyncFor = "1 hour"`, `staleAfter = "15"`, `dirtyFor = "1h; rm -rf /"`, `fleetLabel = "job\\") or vector(1"`]) {
    const r = ruleFiles(`{ enable = true; ${bad}; }`);
    assert.not.ok(r.ok, bad);
    assert.match(r.ok ? "" : r.stderr, "is not of type", bad);
  }
});

test.run();

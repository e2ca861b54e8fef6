/**
 * The alert rules (out/share/nixos-provenance/prometheus/alerts.yml, generated
 * from generator/schema/metrics.ts) under the real promtool: `check rules`,
 * and `test rules` with series on which every alert fires and series on which
 * it does not, at the shipped default thresholds. Expected annotations are
 * the rule's own templates filled in here, so a broken template fails too.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { parse } from "yaml";
import { alertRules, alertThresholds, rebootReasons } from "../generator/schema/metrics.js";
import { alertsPath, ruleGroups } from "../generator/emitters/metrics.js";
import { projectRoot } from "./helpers/shells.js";
import { resolveModel } from "../generator/model.js";
import { defaultSchema } from "../generator/schema/index.js";
const monitoring = resolveModel(defaultSchema).monitoring;

const rulesFile = join(projectRoot, alertsPath);
const dir = mkdtempSync(join(tmpdir(), "eco-rules-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

type Labels = Record<string, string>;
interface Rule { alert: string; expr: string; for: string; labels: Labels; annotations: Labels }
const shipped = (parse(readFileSync(rulesFile, "utf8")) as { groups: { rules: Rule[] }[] }).groups[0]!.rules;
const rule = (name: string) => shipped.find((r) => r.alert === name)!;

/** Go's text/template as our annotations use it: $labels.x, $value, $value | humanizeDuration. */
function render(text: string, labels: Labels, value: string, humanized = ""): string {
  return text
    .replace(/\{\{ \$labels\.([a-z_]+) \}\}/g, (_, k: string) => labels[k] ?? "")
    .replace(/\{\{ \$value \| humanizeDuration \}\}/g, humanized)
    .replace(/\{\{ \$value \}\}/g, value);
}

function expected(name: string, labels: Labels, value: string, humanized = "") {
  const r = rule(name);
  const all = { ...labels, ...r.labels };
  return {
    exp_labels: all,
    exp_annotations: Object.fromEntries(Object.entries(r.annotations).map(([k, v]) => [k, render(v, { ...labels, ...r.labels }, value, humanized)])),
  };
}

const series = (name: string, labels: Labels) => `${name}{${Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(",")}}`;
const host = (instance: string, job = "node") => ({ instance, job });
const info = (instance: string, commit: string, dirty: string, job = "node"): Labels => ({
  ...host(instance, job), host: `host-${instance}`, system: "x86_64-linux", commit, short_commit: commit.slice(0, 7), dirty,
  source_url: `https://github.com/o/r/tree/${commit}`, nixos_version: "25.05.20250601.abcdef0", nixpkgs_rev: "a".repeat(40), home_manager_rev: "b".repeat(40),
});
const c1 = "1".repeat(40);
const c2 = "2".repeat(40);

interface Case { alert: string; /** Sample step: at most Prometheus' 5m lookback, or a series goes stale between samples. */
  interval: string; input: { series: string; values: string }[]; checks: { at: string; alerts: ReturnType<typeof expected>[] }[] }

/** One case per alert: hosts on which it must fire, hosts on which it must not, before and after its `for`. */
const cases: Case[] = [
  {
    alert: "NixosProvenanceOutOfSync", interval: "1m",
    input: [
      { series: series("nixos_provenance_in_sync", host("behind")), values: "0x90" },
      { series: series("nixos_provenance_in_sync", host("current")), values: "1x90" },
      { series: series("nixos_provenance_in_sync", host("caught-up")), values: "0x30 1x60" },
    ],
    checks: [
      { at: "59m", alerts: [] },
      { at: "61m", alerts: [expected("NixosProvenanceOutOfSync", host("behind"), "0")] },
    ],
  },
  {
    alert: "NixosProvenanceRebootPending", interval: "1m",
    input: [
      { series: series("nixos_provenance_needs_reboot", host("waiting")), values: "1x1500" },
      { series: series("nixos_provenance_needs_reboot", host("rebooted")), values: "0x1500" },
    ],
    checks: [
      { at: "23h50m", alerts: [] },
      { at: "24h10m", alerts: [expected("NixosProvenanceRebootPending", host("waiting"), "1")] },
    ],
  },
  {
    alert: "NixosProvenanceDirty", interval: "1m",
    input: [
      { series: series("nixos_provenance_info", info("dirty", c1, "true")), values: "1x90" },
      { series: series("nixos_provenance_info", info("clean", c1, "false")), values: "1x90" },
    ],
    checks: [
      { at: "59m", alerts: [] },
      { at: "61m", alerts: [expected("NixosProvenanceDirty", info("dirty", c1, "true"), "1")] },
    ],
  },
  {
    alert: "NixosProvenanceBuildFailed", interval: "1m",
    input: [
      { series: series("nixos_provenance_last_build_success", host("failed")), values: "1 1 0x10" },
      { series: series("nixos_provenance_last_build_success", host("ok")), values: "1x12" },
    ],
    checks: [
      { at: "1m", alerts: [] },
      { at: "3m", alerts: [expected("NixosProvenanceBuildFailed", host("failed"), "0")] },
    ],
  },
  {
    alert: "NixosProvenanceMetricsStale", interval: "1m",
    input: [
      // Written once at t=0 and never again; the other is rewritten every minute (its value is the time).
      { series: series("nixos_provenance_report_timestamp_seconds", host("stopped")), values: "0x30" },
      { series: series("nixos_provenance_report_timestamp_seconds", host("running")), values: "0+60x30" },
    ],
    checks: [
      { at: "14m", alerts: [] },
      { at: "16m", alerts: [expected("NixosProvenanceMetricsStale", host("stopped"), "960", "16m 0s")] },
    ],
  },
  {
    alert: "NixosProvenanceFleetDiverged", interval: "1m",
    input: [
      { series: series("nixos_provenance_info", info("a", c1, "false")), values: "1x140" },
      { series: series("nixos_provenance_info", info("b", c2, "false")), values: "1x140" },
      // Another fleet (job) whose hosts agree.
      { series: series("nixos_provenance_info", info("c", c1, "false", "lab")), values: "1x140" },
      { series: series("nixos_provenance_info", info("d", c1, "false", "lab")), values: "1x140" },
    ],
    checks: [
      { at: "1h50m", alerts: [] },
      { at: "2h10m", alerts: [expected("NixosProvenanceFleetDiverged", { job: "node" }, "2")] },
    ],
  },
];

function promtool(args: string[]) {
  return spawnSync("promtool", args, { encoding: "utf8", timeout: 60_000, cwd: dir });
}

function testFile(list: Case[]): string {
  const file = join(dir, `rules-test-${Math.random().toString(36).slice(2)}.yml`);
  const doc = {
    rule_files: [rulesFile],
    evaluation_interval: "1m",
    tests: list.map((c) => ({
      interval: c.interval,
      input_series: c.input,
      alert_rule_test: c.checks.map((k) => ({ eval_time: k.at, alertname: c.alert, exp_alerts: k.alerts })),
    })),
  };
  writeFileSync(file, JSON.stringify(doc, null, 2)); // JSON is YAML
  return file;
}

test("the shipped file is the generated one, and promtool check rules accepts it", () => {
  assert.equal(parse(readFileSync(rulesFile, "utf8")), ruleGroups(monitoring));
  const r = promtool(["check", "rules", rulesFile]);
  assert.is(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, `SUCCESS: ${alertRules.length} rules found`);
});

test("every alert has a case here, and every threshold is an option of some alert", () => {
  assert.equal(cases.map((c) => c.alert).sort(), alertRules.map((a) => a.name).sort());
  for (const c of cases) assert.ok(c.checks.some((k) => k.alerts.length) && c.checks.some((k) => !k.alerts.length), `${c.alert} fires and does not fire`);
  const used = new Set([...alertRules.flatMap((a) => ("option" in a.for ? [a.for.option] : [])), ...alertRules.flatMap((a) => (a.expr.includes("{staleAfterSeconds}") ? ["staleAfter"] : []))]);
  assert.equal([...used].sort(), alertThresholds.map((t) => t.option).sort());
});

test("promtool test rules: each alert fires on its series and not on the others", () => {
  const r = promtool(["test", "rules", testFile(cases)]);
  assert.is(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, "SUCCESS");
});

test("promtool test rules can fail: a wrong expectation is reported", () => {
  for (const c of cases) {
    // Claim the alert is silent where it fires.
    const wrong: Case = { ...c, checks: c.checks.map((k) => ({ ...k, alerts: [] })) };
    const r = promtool(["test", "rules", testFile([wrong])]);
    assert.is.not(r.status, 0, `${c.alert}: promtool noticed\n${r.stdout}`);
    assert.match(r.stdout + r.stderr, c.alert);
  }
});


test("the reboot alert names every reboot reason the metrics report (the table's label values)", () => {
  const description = rule("NixosProvenanceRebootPending").annotations.description!;
  assert.match(description, rebootReasons.join(", "));
});

test.run();

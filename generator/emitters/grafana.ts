/**
 * The Grafana dashboard (out/share/nixos-provenance/grafana/dashboard.json),
 * built from the metric table: every expression names metrics through
 * metric(), so a renamed metric fails generation instead of leaving a blank
 * panel. `$job` is the dashboard's job variable (all jobs by default).
 */
import type { Monitoring } from "../model.js";
import type { Emitter } from "./types.js";
import { jsonDocument } from "../escape/json.js";

/** The model's metric table, for the dashboard being built. */
let mon: Monitoring;

/** A metric's full name, checked against the table: a renamed metric fails generation. */
function metric(short: string): string {
  const name = `${mon.metricPrefix}${short}`;
  if (!mon.metrics.some((m) => m.name === name)) throw new Error(`the dashboard names ${name}, which is not in the metric table`);
  return name;
}

/** What an expression returns on a scraped fleet; the integration test checks each against Prometheus. */
export type QueryShape = "per-host" | "single" | "per-reboot-reason";

export interface DashboardQuery {
  panel: string;
  expr: string;
  shape: QueryShape;
}

const sel = '{job=~"$job"}';
const m = (short: string) => `${metric(short)}${sel}`;

interface Target {
  expr: string;
  legend?: string;
  shape: QueryShape;
  /** Column name in the fleet table. */
  column?: string;
}

const fleetTargets = (): Target[] => [
  { expr: m("info"), shape: "per-host" },
  { expr: m("current_generation"), shape: "per-host", column: "Generation" },
  { expr: m("latest_generation"), shape: "per-host", column: "Newest" },
  { expr: m("booted_generation"), shape: "per-host", column: "Booted" },
  { expr: m("in_sync"), shape: "per-host", column: "In sync" },
  { expr: m("needs_reboot"), shape: "per-host", column: "Needs reboot" },
  { expr: m("last_build_success"), shape: "per-host", column: "Last build ok" },
  { expr: m("last_build_exit_code"), shape: "per-host", column: "Exit code" },
  { expr: `time() - ${m("last_build_timestamp_seconds")}`, shape: "per-host", column: "Last build age" },
  { expr: `time() - ${m("report_timestamp_seconds")}`, shape: "per-host", column: "Metrics age" },
];

const refId = (i: number) => String.fromCharCode(65 + i);
const datasource = { type: "prometheus", uid: "${datasource}" };

function targets(list: Target[], instant: boolean) {
  return list.map((t, i) => ({
    datasource, refId: refId(i), expr: t.expr, instant, range: !instant,
    ...(instant ? { format: "table" } : { legendFormat: t.legend ?? "{{instance}}" }),
  }));
}

let nextId = 1;
let collected: DashboardQuery[] = [];
function panel(type: string, title: string, gridPos: { x: number; y: number; w: number; h: number }, list: Target[], extra: Record<string, unknown> = {}) {
  for (const t of list) collected.push({ panel: title, expr: t.expr, shape: t.shape });
  return { id: nextId++, type, title, datasource, gridPos, targets: targets(list, type === "table" || type === "stat"), ...extra };
}

const boolMapping = (yes: string, no: string) => [{ type: "value", options: { "1": { text: yes, color: "green", index: 0 }, "0": { text: no, color: "red", index: 1 } } }];

function fleetTable() {
  const valueNames = fleetTargets().map((t, i) => [`Value #${refId(i)}`, t.column] as const).filter(([, c]) => c);
  const renameByName: Record<string, string> = Object.fromEntries([
    ...valueNames.map(([value, column]) => [value, column!]),
    ["host", "Host"], ["short_commit", "Commit"], ["dirty", "Dirty"], ["nixos_version", "NixOS"], ["instance", "Instance"],
  ]);
  const override = (name: string, properties: { id: string; value: unknown }[]) => ({ matcher: { id: "byName", options: name }, properties });
  return panel("table", "Fleet", { x: 0, y: 0, w: 24, h: 9 }, fleetTargets(), {
    description: "One row per host: what it runs, whether that is its newest generation, reboot and last build. The commit links to the forge.",
    transformations: [
      { id: "merge", options: {} },
      {
        id: "organize",
        options: {
          excludeByName: { Time: true, "Value #A": true, __name__: true, commit: true, source_url: true, job: true },
          renameByName,
          indexByName: { host: 0, instance: 1, short_commit: 2, dirty: 3 },
        },
      },
    ],
    fieldConfig: {
      defaults: {},
      overrides: [
        override("Commit", [{ id: "links", value: [{ title: "The commit on its forge", url: "${__data.fields.source_url}", targetBlank: true }] }]),
        override("In sync", [{ id: "mappings", value: boolMapping("yes", "no") }, { id: "custom.cellOptions", value: { type: "color-text" } }]),
        override("Needs reboot", [{ id: "mappings", value: boolMapping("yes", "no") }]),
        override("Last build ok", [{ id: "mappings", value: boolMapping("ok", "failed") }, { id: "custom.cellOptions", value: { type: "color-text" } }]),
        override("Last build age", [{ id: "unit", value: "s" }]),
        override("Metrics age", [{ id: "unit", value: "s" }]),
      ],
    },
  });
}

/** The panels and their queries, in order. */
function panels() {
  nextId = 1;
  collected = [];
  return [
    fleetTable(),
    panel("table", "Reboot reasons", { x: 0, y: 9, w: 8, h: 6 }, [{ expr: `max by (instance, job, reason) (${metric("needs_reboot_reason")}${sel} == 1)`, shape: "per-reboot-reason" }], {
      description: "What differs between the booted and the running system, per host that needs a reboot.",
      transformations: [{ id: "organize", options: { excludeByName: { Time: true, Value: true, job: true } } }],
    }),
    panel("stat", "Commits in the fleet", { x: 8, y: 9, w: 4, h: 6 }, [{ expr: `count(count by (commit) (${m("info")}))`, shape: "single" }]),
    panel("stat", "Hosts out of sync", { x: 12, y: 9, w: 4, h: 6 }, [{ expr: `count(${m("in_sync")} == 0) or vector(0)`, shape: "single" }]),
    panel("stat", "Dirty hosts", { x: 16, y: 9, w: 4, h: 6 }, [{ expr: `count(${metric("info")}{job=~"$job",dirty="true"}) or vector(0)`, shape: "single" }]),
    panel("stat", "Failed last builds", { x: 20, y: 9, w: 4, h: 6 }, [{ expr: `count(${m("last_build_success")} == 0) or vector(0)`, shape: "single" }]),
    panel("timeseries", "Running generation", { x: 0, y: 15, w: 12, h: 8 }, [{ expr: m("current_generation"), shape: "per-host" }]),
    panel("timeseries", "In sync", { x: 12, y: 15, w: 12, h: 8 }, [{ expr: m("in_sync"), shape: "per-host" }], { fieldConfig: { defaults: { min: 0, max: 1 }, overrides: [] } }),
    panel("timeseries", "Last build duration", { x: 0, y: 23, w: 12, h: 8 }, [{ expr: m("last_build_duration_seconds"), shape: "per-host" }], { fieldConfig: { defaults: { unit: "s" }, overrides: [] } }),
    panel("timeseries", "Last build result", { x: 12, y: 23, w: 12, h: 8 }, [{ expr: m("last_build_success"), shape: "per-host" }], { fieldConfig: { defaults: { min: 0, max: 1 }, overrides: [] } }),
    panel("timeseries", "Home Manager in sync", { x: 0, y: 31, w: 12, h: 8 }, [{ expr: m("home_manager_in_sync"), legend: "{{instance}} {{user}}", shape: "per-host" }], { fieldConfig: { defaults: { min: 0, max: 1 }, overrides: [] } }),
    panel("timeseries", "Age of the metrics", { x: 12, y: 31, w: 12, h: 8 }, [{ expr: `time() - ${m("report_timestamp_seconds")}`, shape: "per-host" }], { fieldConfig: { defaults: { unit: "s" }, overrides: [] } }),
  ];
}

/** Every query of the dashboard with what it should return (for the integration test). */
export function dashboardQueries(monitoring: Monitoring): DashboardQuery[] {
  mon = monitoring;
  panels();
  return collected;
}

export function dashboard(monitoring: Monitoring) {
  mon = monitoring;
  const metrics = monitoring.metrics;
  return {
    title: "NixOS provenance",
    uid: "nixos-provenance",
    description: `Which commit runs where: the ${metrics.length} nixos_provenance_* metrics of every host (nixos-provenance).`,
    tags: ["nixos", "nixos-provenance"],
    editable: true,
    schemaVersion: 39,
    version: 1,
    time: { from: "now-7d", to: "now" },
    refresh: "1m",
    templating: {
      list: [
        { name: "datasource", label: "Data source", type: "datasource", query: "prometheus", current: {}, hide: 0 },
        {
          name: "job", label: "Job", type: "query", datasource,
          query: { query: `label_values(${metric("info")}, job)`, refId: "job" },
          definition: `label_values(${metric("info")}, job)`,
          includeAll: true, multi: true, allValue: ".+", current: { text: "All", value: "$__all" }, refresh: 2, hide: 0,
        },
      ],
    },
    annotations: { list: [] },
    panels: panels(),
  };
}

/** out/share/nixos-provenance/grafana/dashboard.json, from the model's metric table. */
export const emitDashboard: Emitter = (model) => [{ path: "out/share/nixos-provenance/grafana/dashboard.json", content: jsonDocument(dashboard(model.monitoring)) }];

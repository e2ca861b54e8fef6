/**
 * The metrics of `nixos-build-status --prometheus` and the alert rules built
 * on them: one table, from which out/doc/metrics.md, the alert rules
 * (out/share/nixos-provenance/prometheus/alerts.yml and the NixOS module's
 * `prometheus.alertRules`) and the Grafana dashboard are generated. The
 * runtime (templates/sh/parts/prometheus.sh) prints exactly these metrics;
 * the generator's validate step and test/eco-prometheus.test.ts hold it to
 * the table.
 *
 * Naming follows https://prometheus.io/docs/practices/naming/: one prefix,
 * base units in the name (`_seconds`, `_timestamp_seconds` for Unix times),
 * `_info` for a constant 1 whose labels carry text. Labels are bounded: a
 * value is a revision, a host, a platform, a user or one of a fixed set of
 * words, never a time or free text.
 */
import type { MetadataFieldSpec } from "./types.js";

export interface MetricLabelSpec {
  name: string;
  description: string;
  /** The only values the label takes (bounded by construction). */
  values?: readonly string[];
}

export interface MetricSpec {
  /** Full metric name. */
  name: string;
  type: "gauge";
  /** The HELP line, word for word. */
  help: string;
  labels: MetricLabelSpec[];
  /** When the sample is left out (absent, never 0). */
  absentWhen: string;
}

export const metricPrefix = "nixos_provenance_";

/**
 * Reasons a reboot is needed: booted and running system differ in these
 * entries of the toplevel, in the runtime's order (prov_system_boot_detect's
 * prov_sys_reboot_reasons). The metric reports exactly these label values;
 * test/eco-prometheus.test.ts holds the runtime to the list.
 */
export const rebootReasons = ["kernel", "initrd", "kernel-modules", "kernel-params", "systemd", "firmware"] as const;

const userLabel: MetricLabelSpec = { name: "user", description: "The user whose Home Manager profile was read (the metrics unit's `prometheus.user`)." };

/** The info metric's fixed labels; input revisions are added per schema (see resolveMetrics). */
const infoLabels: MetricLabelSpec[] = [
  { name: "host", description: "HOSTNAME of the running generation's metadata (`unknown` without metadata)." },
  { name: "system", description: "SYSTEM: the platform, e.g. `x86_64-linux`." },
  { name: "commit", description: "GIT_COMMIT, the full configuration commit (`unknown` when not recorded)." },
  { name: "short_commit", description: "Its first 7 characters." },
  { name: "dirty", description: "GIT_DIRTY.", values: ["true", "false", "unknown"] },
  { name: "source_url", description: "GIT_SOURCE_URL, the forge link of the commit (`unknown` when there is none)." },
  { name: "nixos_version", description: "The running system's `nixos-version` (e.g. `25.05.20250601.abcdef0`)." },
];

export const baseMetrics: MetricSpec[] = [
  {
    name: "nixos_provenance_info", type: "gauge", labels: infoLabels,
    help: "Provenance of the running system: configuration commit, dirty flag, host, platform and every tracked input revision; always 1.",
    absentWhen: "never (labels are `unknown` when a value is not recorded)",
  },
  {
    name: "nixos_provenance_current_generation", type: "gauge", labels: [],
    help: "Running NixOS system generation (/run/current-system).",
    absentWhen: "no system is running from the profile (no /run/current-system, or it is no generation of the profile)",
  },
  {
    name: "nixos_provenance_latest_generation", type: "gauge", labels: [],
    help: "Newest NixOS system generation in the system profile.",
    absentWhen: "the profile has no generation",
  },
  {
    name: "nixos_provenance_booted_generation", type: "gauge", labels: [],
    help: "NixOS system generation the machine booted (/run/booted-system).",
    absentWhen: "the booted system is unknown or no generation of the profile",
  },
  {
    name: "nixos_provenance_in_sync", type: "gauge", labels: [],
    help: "1 when the running system is the newest generation, 0 when not.",
    absentWhen: "no system is running or the profile is empty",
  },
  {
    name: "nixos_provenance_needs_reboot", type: "gauge", labels: [],
    help: "1 when the booted system differs from the running one in anything a reboot would change (see nixos_provenance_needs_reboot_reason).",
    absentWhen: "the booted or the running system is unknown",
  },
  {
    name: "nixos_provenance_needs_reboot_reason", type: "gauge",
    labels: [{ name: "reason", description: "What differs between the booted and the running system: `kernel`, `initrd`, `kernel-modules`, `kernel-params` (the kernel command line), `systemd` or `firmware`.", values: rebootReasons }],
    help: "1 for each reason a reboot is needed (booted and running system differ in it), 0 for the others.",
    absentWhen: "the booted or the running system is unknown",
  },
  {
    name: "nixos_provenance_activated_timestamp_seconds", type: "gauge", labels: [],
    help: "When the running generation was activated: the newest record of its store path in the activation history, else the time of /run/current-system (which every activation replaces); in seconds since the epoch.",
    absentWhen: "no system is running, or the activation history has no record of it and stat(1) cannot tell",
  },
  {
    name: "nixos_provenance_home_manager_generation", type: "gauge", labels: [userLabel],
    help: "Activated Home Manager generation of the reporting user.",
    absentWhen: "the user has no per-user Home Manager profile, or none of its generations is activated",
  },
  {
    name: "nixos_provenance_home_manager_latest_generation", type: "gauge", labels: [userLabel],
    help: "Newest Home Manager generation of the reporting user.",
    absentWhen: "the user has no per-user Home Manager profile",
  },
  {
    name: "nixos_provenance_home_manager_in_sync", type: "gauge", labels: [userLabel],
    help: "1 when Home Manager is activated at its newest generation, 0 when not.",
    absentWhen: "the user has no per-user Home Manager profile (absent, or Home Manager as a NixOS module)",
  },
  {
    name: "nixos_provenance_last_build_success", type: "gauge", labels: [],
    help: "1 when the last nixos-build-wrapper run succeeded, 0 when it failed.",
    absentWhen: "there is no readable last-build.json",
  },
  {
    name: "nixos_provenance_last_build_exit_code", type: "gauge", labels: [],
    help: "Exit code of the last nixos-build-wrapper run.",
    absentWhen: "there is no readable last-build.json",
  },
  {
    name: "nixos_provenance_last_build_duration_seconds", type: "gauge", labels: [],
    help: "Duration of the last nixos-build-wrapper run.",
    absentWhen: "there is no readable last-build.json",
  },
  {
    name: "nixos_provenance_last_build_timestamp_seconds", type: "gauge", labels: [],
    help: "When the last nixos-build-wrapper run ended, in seconds since the epoch.",
    absentWhen: "there is no readable last-build.json or its buildEnd is no ISO 8601 time",
  },
  {
    name: "nixos_provenance_report_timestamp_seconds", type: "gauge", labels: [],
    help: "When these metrics were written, in seconds since the epoch (stale metrics: the writer stopped).",
    absentWhen: "date(1) cannot tell",
  },
];

/**
 * Metadata fields that become labels of the info metric: the revision of
 * every tracked flake input (nixpkgs, home-manager and the schema's
 * trackedInputs), named as the runtime names them: the shell name in lower
 * case (`SOPS_NIX_REV` → `sops_nix_rev`). The runtime takes every field
 * whose shell name ends in `_REV`, which is how tracked inputs are named.
 */
export function inputRevisionFields(fields: readonly MetadataFieldSpec[]): MetadataFieldSpec[] {
  return fields.filter((f) => /_REV$/.test(f.shellVar));
}

/** The metric table for a model's fields: the info metric gains one label per input revision. */
export function resolveMetrics(fields: readonly MetadataFieldSpec[]): MetricSpec[] {
  const inputs = inputRevisionFields(fields).map((f): MetricLabelSpec => ({ name: f.shellVar.toLowerCase(), description: `${f.shellVar}: ${f.description}` }));
  return baseMetrics.map((m) => (m.name === "nixos_provenance_info" ? { ...m, labels: [...m.labels, ...inputs] } : m));
}

/** A metric's full name, checked against the table (alert rules and panels use only known names). */
export function metric(short: string): string {
  const name = `${metricPrefix}${short}`;
  if (!baseMetrics.some((m) => m.name === name)) throw new Error(`no metric ${name} in generator/schema/metrics.ts`);
  return name;
}

// ---------------------------------------------------------------- alert rules

/** A threshold of the alert rules: a NixOS option under prometheus.alertRules, a Prometheus duration. */
export interface AlertThresholdSpec {
  option: string;
  default: string;
  description: string;
}

export const alertThresholds: AlertThresholdSpec[] = [
  { option: "outOfSyncFor", default: "1h", description: "How long a host may run an older generation than its newest before NixosProvenanceOutOfSync fires." },
  { option: "rebootPendingFor", default: "24h", description: "How long a host may wait for a reboot (booted kernel, initrd, modules, kernel parameters, systemd or firmware differ from the running system's) before NixosProvenanceRebootPending fires." },
  { option: "dirtyFor", default: "1h", description: "How long a host may run a generation built from a dirty tree before NixosProvenanceDirty fires." },
  { option: "buildFailedFor", default: "0m", description: "How long the last build may stay failed before NixosProvenanceBuildFailed fires (0m: at once)." },
  { option: "staleAfter", default: "15m", description: "Age of the metrics (report_timestamp_seconds) after which NixosProvenanceMetricsStale fires: the metrics timer stopped." },
  { option: "commitsDifferFor", default: "2h", description: "How long the hosts of one fleet may run different commits before NixosProvenanceFleetDiverged fires." },
];

/** The label that groups hosts into one fleet (NixosProvenanceFleetDiverged); an option too. */
export const fleetLabelDefault = "job";
/** A Prometheus label name. */
export const labelNamePattern = "[a-zA-Z_][a-zA-Z0-9_]*";

export interface AlertSpec {
  name: string;
  /** PromQL; `{staleAfterSeconds}` and `{fleetLabel}` are filled in from the thresholds. */
  expr: string;
  /** Threshold option giving `for`, or a fixed duration. */
  for: { option: string } | { fixed: string };
  severity: "warning" | "info";
  summary: string;
  description: string;
}

const info = metric("info");
export const alertRules: AlertSpec[] = [
  {
    name: "NixosProvenanceOutOfSync",
    expr: `${metric("in_sync")} == 0`,
    for: { option: "outOfSyncFor" }, severity: "warning",
    summary: "{{ $labels.instance }} is not running its newest generation",
    description: "{{ $labels.instance }} runs an older generation than the newest in its system profile (a `nixos-rebuild boot`, or a rollback).",
  },
  {
    name: "NixosProvenanceRebootPending",
    expr: `${metric("needs_reboot")} == 1`,
    for: { option: "rebootPendingFor" }, severity: "warning",
    summary: "{{ $labels.instance }} waits for a reboot",
    description: `The booted system of {{ $labels.instance }} differs from the running one in what a reboot would change (one or more of ${rebootReasons.join(", ")}: see nixos_provenance_needs_reboot_reason).`,
  },
  {
    name: "NixosProvenanceDirty",
    expr: `${info}{dirty="true"}`,
    for: { option: "dirtyFor" }, severity: "warning",
    summary: "{{ $labels.instance }} runs a generation built from a dirty tree",
    description: "{{ $labels.host }} ({{ $labels.instance }}) runs commit {{ $labels.short_commit }} with uncommitted changes: its source cannot be reproduced.",
  },
  {
    name: "NixosProvenanceBuildFailed",
    expr: `${metric("last_build_success")} == 0`,
    for: { option: "buildFailedFor" }, severity: "warning",
    summary: "The last build on {{ $labels.instance }} failed",
    description: "The last nixos-build-wrapper run on {{ $labels.instance }} failed (exit code: nixos_provenance_last_build_exit_code); see its log.",
  },
  {
    name: "NixosProvenanceMetricsStale",
    expr: `time() - ${metric("report_timestamp_seconds")} > {staleAfterSeconds}`,
    for: { fixed: "0m" }, severity: "warning",
    summary: "The provenance metrics of {{ $labels.instance }} are stale",
    description: "{{ $labels.instance }} last wrote its provenance metrics {{ $value | humanizeDuration }} ago: the nixos-provenance-metrics timer stopped.",
  },
  {
    name: "NixosProvenanceFleetDiverged",
    expr: `count by ({fleetLabel}) (count by ({fleetLabel}, commit) (${info})) > 1`,
    for: { option: "commitsDifferFor" }, severity: "info",
    summary: "The hosts of {{ $labels.{fleetLabel} }} run {{ $value }} different commits",
    description: "The hosts of {{ $labels.{fleetLabel} }} run {{ $value }} different configuration commits; `nixos-fleet-status` shows which host runs which.",
  },
];

/** Durations the thresholds accept (whole string): one number and one Prometheus unit, seconds to weeks. */
export const durationPattern = "(0|[1-9][0-9]*)(s|m|h|d|w)";

/** Seconds per unit; the NixOS module's rule file (modules/prometheus-alerts.nix) has the same table. */
export const unitSeconds: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** `15m` → 900. */
export function durationSeconds(duration: string): number {
  const m = /^(0|[1-9][0-9]*)(s|m|h|d|w)$/.exec(duration); // durationPattern
  if (!m) throw new Error(`not a Prometheus duration: ${duration}`);
  return Number(m[1]) * unitSeconds[m[2]!]!;
}

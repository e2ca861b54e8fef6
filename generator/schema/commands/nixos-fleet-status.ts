import type { CommandSpec, JsonShapeSpec } from "../types.js";
import { str, int, bool, nullable, obj, ref } from "../shapes/build.js";
import { envList } from "../env.js";

export const nixosFleetStatus: CommandSpec = {
  name: "nixos-fleet-status",
  summary: "Which commit runs where: one row per host from the metrics in Prometheus, grouped by commit.",
  synopsis: ["--prometheus URL [--json] [--selector MATCHERS] [--timeout SECONDS]"],
  positionals: [],
  flags: [
    { long: "--prometheus", value: "URL", description: "Base URL of the Prometheus server, e.g. `http://prometheus:9090` (default: $NIXOS_PROVENANCE_PROMETHEUS)." },
    { long: "--json", group: "mode", description: "One JSON document (FleetStatus) instead of the table." },
    { long: "--selector", value: "MATCHERS", description: "PromQL label matchers that pick the hosts, e.g. `job=\"node\"` or `instance=~\"web.*\"`." },
    { long: "--timeout", value: "SECONDS", description: "Give up on Prometheus after SECONDS (default 10; connecting and the whole request)." },
    { long: "--help", short: "-h", description: "Show this help and exit." },
  ],
  exitCodes: [
    { name: "ok", code: 0, description: "Every host runs its newest generation, from a clean tree, and its last build succeeded." },
    { name: "attention", code: 1, description: "At least one host is behind (not running its newest generation), dirty, or its last build failed." },
    { name: "noHosts", code: 2, description: "Prometheus answered, but no host matches: no nixos_provenance_* series (check --selector and the scrape)." },
    { name: "unreachable", code: 3, description: "Prometheus could not be reached in time, answered with an error, or its answer is no Prometheus API response." },
    { name: "usage", code: 64, description: "Invalid arguments (64 = EX_USAGE)." },
    { name: "software", code: 70, description: "The installation is broken: a library part cannot be read (70 = EX_SOFTWARE)." },
  ],
  jsonOutputs: ["FleetStatus"],
  prefix: "fl",
  env: envList("NIXOS_PROVENANCE_ROOT", "NIXOS_PROVENANCE_PROMETHEUS", "NIXOS_PROVENANCE_HTTP_CLIENT"),
  defaultMode: "human",
  examples: [
    { command: "nixos-fleet-status --prometheus http://prometheus:9090", description: "The fleet table." },
    { command: "nixos-fleet-status --prometheus http://prometheus:9090 --selector 'job=\"node\"' --json", description: "The hosts of one job, as JSON." },
    { command: "nixos-fleet-status --prometheus http://prometheus:9090 >/dev/null || echo 'a host needs attention'", description: "For cron and CI: the exit status says whether any host is behind, dirty or failing." },
  ],
};

const nullableBool = (d: string) => nullable(bool(d));
const nullableInt = (d: string) => nullable(int(d));

/** One host (one Prometheus target) of nixos-fleet-status --json. */
export const fleetHostShape: JsonShapeSpec = {
  name: "FleetHost",
  description: "One host of the fleet, as its nixos_provenance_* metrics in Prometheus say.",
  writer: { prefix: "fh", awkOnly: true },
  shape: obj("One host.", {
    instance: str("The target's `instance` label."),
    job: str("The target's `job` label (empty when it has none)."),
    host: str("HOSTNAME from the running generation's metadata, or `unknown`."),
    commit: str("Configuration commit of the running generation, or `unknown`."),
    shortCommit: str("Its first 7 characters, or `unknown`."),
    dirty: nullableBool("Built from a dirty tree; null when unknown."),
    sourceUrl: str("Forge link of the commit, or `unknown`."),
    nixosVersion: str("NixOS version of the running system, or `unknown`."),
    generation: nullableInt("Running generation."),
    latestGeneration: nullableInt("Newest generation in the system profile."),
    bootedGeneration: nullableInt("Booted generation."),
    inSync: nullableBool("Running the newest generation."),
    needsReboot: nullableBool("The booted kernel, initrd or kernel modules differ from the running system's."),
    rebootReasons: { type: "array", items: str("What differs: `kernel`, `initrd`, `kernel-modules`, `kernel-params`, `systemd`, `firmware` (in this order), then any other reason a host reports."), description: "Why a reboot is needed (empty when none is)." },
    homeManagerInSync: nullableBool("Home Manager of the reporting user activated at its newest generation."),
    lastBuildSuccess: nullableBool("The last nixos-build-wrapper run succeeded."),
    lastBuildExitCode: nullableInt("Its exit code."),
    lastBuildAgeSeconds: nullable({ type: "number", description: "Seconds since the last build ended." }),
    metricsAgeSeconds: nullable({ type: "number", description: "Seconds since the host last wrote its metrics." }),
    attention: { type: "array", items: str("A reason.", { enum: ["behind", "dirty", "build-failed"] }), description: "Why this host makes the exit status 1 (empty when it does not)." },
  }),
};

/** nixos-fleet-status --json. */
export const fleetStatusShape: JsonShapeSpec = {
  name: "FleetStatus",
  description: "The fleet as Prometheus sees it: every host with its provenance metrics, grouped by nothing (sort by commit to group).",
  writer: { prefix: "fs", awkOnly: true },
  shape: obj("The fleet.", {
    prometheus: str("The Prometheus URL queried."),
    selector: str("The label matchers given with --selector (empty for all)."),
    evaluatedAt: { type: "number", description: "Evaluation time of the query, in seconds since the epoch." },
    commits: int("How many different commits the hosts run."),
    behind: int("Hosts not running their newest generation."),
    dirty: int("Hosts running a generation built from a dirty tree."),
    failing: int("Hosts whose last build failed."),
    hosts: { type: "array", items: ref("FleetHost"), description: "One entry per host, grouped by commit (most hosts first), then by host." },
  }),
};

import type { CommandSpec } from "../types.js";

export const nixosBuildStatus: CommandSpec = {
  name: "nixos-build-status",
  summary: "Report whether the system is in sync, healthy and buildable.",
  synopsis: ["[--json|--prometheus] [--verbose] [--no-boot] [--log-dir DIR]"],
  positionals: [],
  flags: [
    { long: "--json", group: "mode", description: "JSON report for automation." },
    { long: "--verbose", short: "-v", description: "Show details (error lines, failed units, last build)." },
    { long: "--no-boot", description: "Skip the systemd unit check." },
    { long: "--log-dir", value: "DIR", description: "Where the wrapper's build records are." },
    { long: "--prometheus", group: "mode", description: "Metrics in the Prometheus text exposition format." },
    { long: "--help", short: "-h", description: "Show this help and exit." },
  ],
  exitCodes: [
    { name: "ok", code: 0, description: "In sync, no issues." },
    { name: "outOfSync", code: 1, description: "Out of sync (system or Home Manager)." },
    { name: "buildErrors", code: 2, description: "Build errors detected." },
    { name: "usage", code: 3, description: "Invalid arguments." },
    { name: "software", code: 70, description: "The installation is broken: lib/build-status.sh cannot be read (70 = EX_SOFTWARE)." },
  ],
  jsonOutputs: ["BuildStatus"],
  prefix: "st",
  defaultMode: "human",
  examples: [
    { command: "nixos-build-status", description: "Human-readable report." },
    { command: "nixos-build-status --json | jq -e '.overallStatus == \"success\"'", description: "Health check for scripts." },
  ],
};

import type { CommandSpec } from "../types.js";
import { envList } from "../env.js";

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
    { name: "unchecked", code: 4, description: "Nothing found wrong, but no health check could run (no systemctl, nix or journalctl, or each timed out): `overallStatus` is `unchecked`, and the report says which check did not run and why. Exit 0 needs a check that ran and passed." },
    { name: "notNixos", code: 69, description: "Not a NixOS system: neither /run/current-system nor a system profile exists (69 = EX_UNAVAILABLE); one line on stderr says so." },
    { name: "software", code: 70, description: "The installation is broken: lib/build-status.sh cannot be read (70 = EX_SOFTWARE)." },
  ],
  jsonOutputs: ["BuildStatus"],
  prefix: "st",
  env: envList("NIXOS_PROVENANCE_ROOT", "NIXOS_PROVENANCE_LOG_DIR", "NIXOS_PROVENANCE_STATE_DIR", "NIXOS_PROVENANCE_CHECK_TIMEOUT", "NIXOS_PROVENANCE_FLAKE_TIMEOUT"),
  defaultMode: "human",
  examples: [
    { command: "nixos-build-status", description: "Human-readable report." },
    { command: "nixos-build-status --json | jq -e '.overallStatus == \"success\"'", description: "Health check for scripts." },
  ],
};

import type { JsonShapeSpec } from "../types.js";
import { str, int, bool, obj, ref, nullable } from "./build.js";

/** `nixos-build-status --json`: the seed's keys plus lastBuild. */
export const buildStatusShape: JsonShapeSpec = {
  name: "BuildStatus",
  description: "Sync, health and buildability of the system.",
  writer: { prefix: "sr", raw: ["generation", "lastBuild", "buildErrors.errors"] },
  shape: obj("A status report.", {
    timestamp: str("When the report was made, ISO 8601.", { format: "date-time" }),
    hostname: str("Host name."),
    generation: nullable(ref("GenerationInfo", "`nixos-generation-info --json`; null when it cannot be run.")),
    buildErrors: obj("Recent build errors: the first line of each error block of the last wrapper build when it failed (or `the last build failed with exit code N`), then the last hour's journal errors of nixos-rebuild-switch-to-configuration.service.", { errorCount: int("Number of error lines."), errors: { type: "array", items: str("Error line: the message of each error of the last build (an `error:` line alone is followed by its message, a trace by its innermost error), control characters shown as `?`, cut at 500 bytes."), description: "Error lines." }, journal: str("`ok`, or `unavailable` when the journal could not be read.", { enum: ["ok", "unavailable"] }), why: str("Why the journal was not read (empty when it was).") }),
    bootStatus: obj("Systemd units.", { bootFailed: bool("Whether any unit failed."), failedUnits: str("Failed units, space-separated."), checked: str("`ok`, `skipped` (--no-boot) or `unavailable` (no systemctl, or systemd not running).", { enum: ["ok", "skipped", "unavailable"] }), why: str("Why the units were not checked (empty when they were).") }),
    buildability: obj("Whether `nix flake metadata` succeeds on the configuration flake (NH_OS_FLAKE, NH_FLAKE, else /etc/nixos).", { canBuild: bool("False only when the check ran and failed."), buildError: str("First error line, if any."), checked: str("`ok`, or `unavailable` (no nix, no flake.nix, or timed out).", { enum: ["ok", "skipped", "unavailable"] }), why: str("Why the flake was not checked (empty when it was).") }),
    lastBuild: { type: "anyOf", anyOf: [ref("BuildRecord"), obj("No build recorded yet.", {})], description: "The last wrapper build, or {}." },
    overallStatus: str("Summary: `error` when a check that ran found a problem; else `out-of-sync` when the system or Home Manager is behind; else `unchecked` when no health check (systemd units, flake, journal) could run; else `success`. Unchecked is never healthy.", { enum: ["success", "out-of-sync", "unchecked", "error"] }),
    exitCode: int("The command's exit code."),
    recordsDir: str("Where the build records shown were read: --log-dir, else the newer of the system's (NIXOS_PROVENANCE_LOG_DIR or the configured directory) and the user's own fallback (~/.local/state/nixos-builds)."),
    advice: { type: "array", items: str("A command that brings a side up to date: `nixos-build-wrapper os switch`, or `nixos-build-wrapper home switch` for standalone Home Manager."), description: "What to run, one per side that is behind (empty when none is)." },
    notChecked: str("The checks that could not run and why, `; `-separated (empty when all ran)."),
  }),
};


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
    buildErrors: obj("Recent build errors: the first line of each error block of the last wrapper build when it failed (or `the last build failed with exit code N`), then the last hour's journal errors of nixos-rebuild-switch-to-configuration.service.", { errorCount: int("Number of error lines."), errors: { type: "array", items: str("Error line (control characters shown as `?`, cut at 500 bytes)."), description: "Error lines." } }),
    bootStatus: obj("Systemd units.", { bootFailed: bool("Whether any unit failed."), failedUnits: str("Failed units, space-separated."), checked: str("`ok`, `skipped` (--no-boot) or `unavailable` (no systemctl, or systemd not running).", { enum: ["ok", "skipped", "unavailable"] }) }),
    buildability: obj("Whether `nix flake metadata` succeeds on the configuration flake (NH_OS_FLAKE, NH_FLAKE, else /etc/nixos).", { canBuild: bool("False only when the check ran and failed."), buildError: str("First error line, if any."), checked: str("`ok`, or `unavailable` (no nix, no flake.nix, or timed out).", { enum: ["ok", "skipped", "unavailable"] }) }),
    lastBuild: { type: "anyOf", anyOf: [ref("BuildRecord"), obj("No build recorded yet.", {})], description: "The last wrapper build, or {}." },
    overallStatus: str("Summary.", { enum: ["success", "out-of-sync", "error"] }),
    exitCode: int("The command's exit code."),
  }),
};


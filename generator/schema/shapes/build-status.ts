import type { JsonShapeSpec } from "../types.js";
import { str, int, bool, obj, ref } from "./build.js";

/** `nixos-build-status --json`: the seed's keys plus lastBuild. */
export const buildStatusShape: JsonShapeSpec = {
  name: "BuildStatus",
  description: "Sync, health and buildability of the system.",
  shape: obj("A status report.", {
    timestamp: str("When the report was made, ISO 8601.", { format: "date-time" }),
    hostname: str("Host name."),
    generation: ref("GenerationInfo"),
    buildErrors: obj("Recent build errors.", { errorCount: int("Number of error lines."), errors: { type: "array", items: str("Error line."), description: "Error lines." } }),
    bootStatus: obj("Systemd units.", { bootFailed: bool("Whether any unit failed."), failedUnits: str("Failed units, space-separated."), checked: str("`ok`, `skipped` or `unavailable`.") }),
    buildability: obj("Whether the flake evaluates.", { canBuild: bool("Whether the flake evaluates."), buildError: str("First error line, if any."), checked: str("`ok`, `skipped` or `unavailable`.") }),
    lastBuild: { type: "anyOf", anyOf: [ref("BuildRecord"), obj("No build recorded yet.", {})], description: "The last wrapper build, or {}." },
    overallStatus: str("Summary.", { enum: ["success", "out-of-sync", "error"] }),
    exitCode: int("The command's exit code."),
  }),
};


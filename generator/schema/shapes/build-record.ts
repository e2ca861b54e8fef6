import type { JsonShapeSpec } from "../types.js";
import { str, int, bool, obj, ref, nullable } from "./build.js";

/** `nixos-generation-info --json` at that moment; null when it could not be had. */
const generationSnapshot = nullable(ref("GenerationInfo", "Generation info at that moment (`nixos-generation-info --json`); null when it could not be had."));

/** `last-build.json` and each entry of `build-history.json` (one line each, in this key order). */
export const buildRecordShape: JsonShapeSpec = {
  name: "BuildRecord",
  description: "One run of nixos-build-wrapper.",
  writer: { prefix: "br", raw: ["argv", "errors", "errorBlocks", "failedDerivations", "lastPhase", "preGeneration", "postGeneration"] },
  shape: obj("A build record.", {
    buildStart: str("Start time, ISO 8601.", { format: "date-time" }),
    buildEnd: str("End time, ISO 8601.", { format: "date-time" }),
    buildDuration: int("Seconds."),
    target: str("`os` or `home`.", { enum: ["os", "home"] }),
    action: str("Rebuild action.", { enum: ["switch", "boot", "test", "build", "dry-build", "dry-activate"] }),
    tool: str("What ran the build.", { enum: ["nh", "nixos-rebuild", "home-manager"] }),
    flakePath: str("Flake that was built."),
    exitCode: int("The build's exit code (130 when interrupted)."),
    success: bool("exitCode == 0."),
    interrupted: bool("Whether the build was stopped by a signal."),
    hostname: str("Host that ran the build."),
    user: str("User that ran the build."),
    command: str("The command, as one display string (arguments shell-quoted where needed)."),
    argv: { type: "array", items: str("Argument."), description: "The command, as an argument vector." },
    generationBefore: str("Newest generation of the profile the build changes (`g41`, `hm12`) before the build, or `unknown`."),
    generationAfter: str("The same after the build."),
    generationChange: str("`g41 → g42`, or `g42 (unchanged)`."),
    buildLogPath: str("Path of the full log; empty when the records could not be kept."),
    errors: str("The `error:` blocks of the log with their context lines, separated by blank lines (at most 10 blocks of 40 lines, lines cut at 500 bytes)."),
    errorBlocks: { type: "array", items: str("One error block."), description: "The `error:` blocks, one string each." },
    failedDerivations: { type: "array", items: str("Derivation path."), description: "Derivations that failed to build." },
    lastPhase: str("Last build phase (`hello: buildPhase`) or derivation (`building hello-2.12`) seen in the log, or `unknown`."),
    preGeneration: generationSnapshot,
    postGeneration: generationSnapshot,
  }),
};


/** get_build_history_summary (lib/build-status.sh): the seed's short form of the last builds. */
export const buildHistorySummaryShape: JsonShapeSpec = {
  name: "BuildHistorySummary",
  description: "The last builds, short form (get_build_history_summary).",
  writer: { prefix: "bh", awkOnly: true },
  shape: {
    type: "array",
    description: "Oldest first.",
    items: obj("One build.", {
      timestamp: str("buildStart of the record."),
      target: str("`os` or `home`."),
      action: str("Rebuild action."),
      exitCode: int("The build's exit code."),
      success: bool("exitCode == 0."),
      duration: int("buildDuration of the record, seconds."),
      generation: str("generationAfter of the record."),
    }),
  },
};

import type { JsonShapeSpec } from "../types.js";
import { str, int, bool, obj, ref } from "./build.js";

const generationSnapshot = ref("GenerationInfo", "Generation info at that moment.");

/** `last-build.json` and each entry of `build-history.json` (seed keys first). */
export const buildRecordShape: JsonShapeSpec = {
  name: "BuildRecord",
  description: "One run of nixos-build-wrapper.",
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
    command: str("The command, as one display string (shell-quoted)."),
    argv: { type: "array", items: str("Argument."), description: "The command, as an argument vector." },
    preGeneration: generationSnapshot,
    postGeneration: generationSnapshot,
    generationChange: str("`g41 → g42`, or `g42 (unchanged)`."),
    buildLogPath: str("Path of the full log."),
    errors: str("The `error:` blocks of the log with their context lines, joined by newlines."),
    errorBlocks: { type: "array", items: str("One error block."), description: "The `error:` blocks, one string each." },
    failedDerivations: { type: "array", items: str("Derivation path."), description: "Derivations that failed to build." },
    lastPhase: str("Last build phase or derivation seen in the log, or `unknown`."),
  }),
};


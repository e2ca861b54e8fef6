import type { JsonShape, JsonShapeSpec } from "./types.js";

// Small constructors keep the shape tables readable.
const str = (description: string, extra: { enum?: string[]; format?: "date-time" } = {}): JsonShape => ({ type: "string", description, ...extra });
const int = (description: string): JsonShape => ({ type: "integer", description });
const bool = (description: string): JsonShape => ({ type: "boolean", description });
const nullable = (shape: JsonShape): JsonShape => ({ type: "anyOf", anyOf: [shape, { type: "null" }], ...(shape.description ? { description: shape.description } : {}) });
const obj = (description: string, properties: Record<string, JsonShape>, optional: string[] = []): JsonShape => ({
  type: "object",
  description,
  properties,
  required: Object.keys(properties).filter((k) => !optional.includes(k)),
  additionalProperties: false,
});
const ref = (name: string, description?: string): JsonShape => ({ type: "ref", ref: name, ...(description ? { description } : {}) });

const syncStatus = (what: string) => str(`Whether ${what} is the latest generation.`, { enum: ["in-sync", "out-of-sync", "unknown"] });

/**
 * JSON printed by `nixos-generation-info --json`. Keys are the seed's; each key
 * `fooBar` is also exported by `--export` as `NIXOS_GENERATION_INFO_FOO_BAR`.
 */
export const generationInfoShape: JsonShapeSpec = {
  name: "GenerationInfo",
  description: "Which system and Home Manager generations are running, and whether they are the latest.",
  shape: obj("Generation info.", {
    generation: str("Running system generation, `g42` (or `unknown`)."),
    generationRaw: str("Running system generation number, `42` (or `unknown`)."),
    latestGeneration: str("Newest system generation, `g43`."),
    latestGenerationRaw: str("Newest system generation number."),
    bootedGeneration: str("Generation the machine booted, `g41` (or `unknown`)."),
    status: syncStatus("the running system"),
    commit: str("Short configuration commit of the running system (or `unknown`)."),
    dirty: nullable(bool("Whether the running system was built from a dirty tree; null when unknown.")),
    short: str("`g42@abc1234*`: generation, short commit, `*` when dirty."),
    homeManagerGeneration: str("Active Home Manager generation, `hm12`; `none` when there is no per-user profile."),
    homeManagerGenerationRaw: str("Active Home Manager generation number."),
    homeManagerLatestGeneration: str("Newest Home Manager generation, `hm13`."),
    homeManagerStatus: str("Whether Home Manager is activated at its newest generation.", { enum: ["in-sync", "out-of-sync", "absent", "nixos-module", "unknown"] }),
    homeManagerShort: str("`hm12`, or empty when Home Manager is absent."),
    user: str("User whose Home Manager profile was read."),
    booted: bool("Whether the booted system is the running one."),
    needsReboot: bool("Whether the booted kernel, initrd or system differs from the running one."),
    warningParts: str("Space-separated reasons for a warning: `system`, `home-manager`, `reboot`."),
  }),
};

/** One entry of `nixos-metadata list --json`; names follow `nixos-rebuild list-generations --json`. */
export const generationListShape: JsonShapeSpec = {
  name: "GenerationList",
  description: "Every system generation with what can be known of its provenance.",
  shape: {
    type: "array",
    description: "Generations, oldest first.",
    items: obj("One generation.", {
      generation: int("Generation number."),
      date: str("When the generation was created (the profile link's time), `YYYY-MM-DD HH:MM:SS`."),
      nixosVersion: str("NixOS label."),
      kernelVersion: str("Kernel version."),
      configurationRevision: str("`system.configurationRevision`, or `unknown`."),
      specialisations: { type: "array", items: str("Specialisation name."), description: "Specialisations of this generation." },
      current: bool("Whether this is the running generation."),
      booted: bool("Whether this is the booted generation."),
      commit: str("Configuration commit, or `unknown`."),
      dirty: nullable(bool("Built from a dirty tree; null when unknown.")),
      nixpkgsRev: str("nixpkgs revision, or `unknown`."),
      hasMetadata: bool("Whether the generation carries /etc/nixos-metadata."),
    }),
  },
};

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

export const defaultJsonShapes: JsonShapeSpec[] = [generationInfoShape, generationListShape, buildRecordShape, buildStatusShape];

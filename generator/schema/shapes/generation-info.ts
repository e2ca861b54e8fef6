import type { JsonShapeSpec } from "../types.js";
import { str, bool, nullable, obj } from "./build.js";

export const syncStatus = (what: string) => str(`Whether ${what} is the latest generation.`, { enum: ["in-sync", "out-of-sync", "unknown"] });

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


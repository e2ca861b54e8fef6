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
  writer: { prefix: "gi" },
  shape: obj("Generation info.", {
    generation: str("Running system generation, `g42` (or `unknown`)."),
    generationRaw: str("Running system generation number, `42` (or `unknown`)."),
    latestGeneration: str("Newest system generation, `g43`."),
    latestGenerationRaw: str("Newest system generation number."),
    bootedGeneration: str("Generation the machine booted, `g41` (or `unknown`)."),
    status: syncStatus("the running system"),
    syncStatus: syncStatus("everything (system and Home Manager)"),
    commit: str("Short configuration commit of the running system (or `unknown`)."),
    dirty: nullable(bool("Whether the running system was built from a dirty tree; null when unknown.")),
    short: str("`g42@abc1234*`: generation, short commit, `*` when dirty (`g?` when the running generation is unknown)."),
    homeManagerGeneration: str("Active Home Manager generation, `hm12`; `none` when there is no per-user profile, `unknown` when none is activated."),
    homeManagerGenerationRaw: str("Active Home Manager generation number, `12` (or `none`, `unknown`)."),
    homeManagerLatestGeneration: str("Newest Home Manager generation, `hm13` (or `none`)."),
    homeManagerStatus: str("Whether Home Manager is activated at its newest generation; `absent` without Home Manager, `nixos-module` when it runs as a NixOS module without a per-user profile, `unknown` when no generation is activated.", { enum: ["in-sync", "out-of-sync", "absent", "nixos-module", "unknown"] }),
    homeManagerShort: str("`hm12`, or empty when Home Manager is absent."),
    user: str("User whose Home Manager profile was read."),
    booted: bool("Whether the booted system is the running one (false when /run/booted-system is missing)."),
    needsReboot: bool("Whether the booted kernel, initrd or kernel modules differ from the running system's."),
    warningParts: str("Space-separated reasons for a warning: `system`, `home-manager`, `reboot`."),
  }),
};


/** `nixos-generation-info --waybar`: a Waybar custom module's return-type json. */
export const waybarShape: JsonShapeSpec = {
  name: "WaybarModule",
  description: "Output of nixos-generation-info --waybar (Waybar custom module, return-type json).",
  writer: { prefix: "wb", verbatim: ["text", "class", "alt"], raw: ["tooltip"] },
  shape: obj("A Waybar module update.", {
    text: str("`g42 hm12`, with ` ⚠` when out of sync."),
    tooltip: str("What runs and what is newest, one line per side."),
    class: syncStatus("everything"),
    alt: syncStatus("everything"),
  }),
};

/** `nixos-generation-info --i3status-rs`: an i3status-rust custom block's json. */
export const i3statusRsShape: JsonShapeSpec = {
  name: "I3statusRsBlock",
  description: "Output of nixos-generation-info --i3status-rs (i3status-rust custom block, json = true).",
  writer: { prefix: "ib", verbatim: ["icon", "state", "text"] },
  shape: obj("An i3status-rust block update.", {
    icon: str("Icon name (empty)."),
    state: str("Block state.", { enum: ["Idle", "Warning", "Critical"] }),
    text: str("`g42 hm12`, with ` ⚠` when out of sync."),
  }),
};

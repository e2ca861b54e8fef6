import type { JsonShape, JsonShapeSpec } from "../types.js";
import { str, bool, nullable, obj } from "./build.js";

export const syncStatus = (what: string) => str(`Whether ${what} is the latest generation.`, { enum: ["in-sync", "out-of-sync", "unknown"] });

/** A seed flag: the integer 0 or 1 (the original tool's shell-friendly booleans). */
const flag01 = (description: string): JsonShape => ({ type: "integer", minimum: 0, maximum: 1, description });

/** A generation as the seed writes it: a string, `g42` / `hm12` / `42`, or a word when there is none. */
const generationString = (description: string, prefix: "g" | "hm" | "", words: string[]): JsonShape => ({
  type: "string",
  description,
  pattern: `^(${prefix}[1-9][0-9]*|${words.join("|")})$`,
});

/**
 * JSON printed by `nixos-generation-info --json`. The first keys are the
 * seed's, with the seed's values and types (generation numbers as strings,
 * 0/1 integers); ours follow. Each key `fooBar` is also exported by
 * `--export` as `NIXOS_GENERATION_INFO_FOO_BAR`, or under its `exportName`
 * where the seed's name does not follow from the key (`LATEST`).
 */
export const generationInfoShape: JsonShapeSpec = {
  name: "GenerationInfo",
  description: "Which system and Home Manager generations are running, and whether they are the latest.",
  // `short` is written from prov_gi_short_json: the command escapes it
  // without its warning sign, so a poll needs no fork (see prov_gi_mode_json).
  writer: { prefix: "gi", vars: { short: "prov_gi_short_json" }, raw: ["short"] },
  shape: obj("Generation info.", {
    generation: generationString("Running system generation, `g42` (or `unknown`).", "g", ["unknown"]),
    generationRaw: generationString("Running system generation number, `42` (or `unknown`).", "", ["unknown"]),
    latestGeneration: { ...generationString("Newest system generation, `g43` (or `unknown`).", "g", ["unknown"]), exportName: "LATEST" },
    latestGenerationRaw: { ...generationString("Newest system generation number (or `unknown`).", "", ["unknown"]), exportName: "LATEST_RAW" },
    status: syncStatus("everything (system and Home Manager): `out-of-sync` when either side is; what `--status` prints"),
    outOfSync: flag01("1 when `status` is `out-of-sync`, else 0."),
    commit: str("Full configuration commit of the running system (or `unknown`)."),
    shortCommit: str("Its first 7 characters, as recorded (or `unknown`)."),
    dirty: flag01("1 when the running system was built from a dirty tree, else 0 (also when unknown: see `isDirty`)."),
    metadata: flag01("1 when the running system has /etc/nixos-metadata, else 0."),
    buildDate: str("BUILD_DATE of the running system's metadata, `20250109` (or `unknown`)."),
    sourceUrl: str("GIT_SOURCE_URL of the running system's metadata (or `unknown`)."),
    nixpkgsRev: str("NIXPKGS_REV of the running system's metadata (or `unknown`)."),
    homeManagerRev: str("HOME_MANAGER_REV of the running system's metadata (or `unknown`)."),
    homeManagerUser: str("User whose Home Manager profile was read: $USER, else the effective user (empty only when neither is known)."),
    homeManagerGeneration: generationString("Active Home Manager generation, `hm12`: the activated one (gcroots/current-home), else the one the `home-manager` profile link points to; `none` when there is no per-user profile, `unknown` when neither can be matched.", "hm", ["none", "unknown"]),
    homeManagerGenerationRaw: generationString("Active Home Manager generation number, `12` (or `none`, `unknown`).", "", ["none", "unknown"]),
    homeManagerLatestGeneration: { ...generationString("Newest Home Manager generation, `hm13` (or `none`).", "hm", ["none"]), exportName: "HOME_MANAGER_LATEST" },
    homeManagerLatestGenerationRaw: { ...generationString("Newest Home Manager generation number, `13` (or `none`).", "", ["none"]), exportName: "HOME_MANAGER_LATEST_RAW" },
    homeManagerOutOfSync: flag01("1 when `homeManagerStatus` is `out-of-sync`, else 0."),
    homeManagerStatus: str("Whether Home Manager is activated at its newest generation; `absent` without Home Manager, `nixos-module` when it runs as a NixOS module without a per-user profile, `unknown` when no generation is activated.", { enum: ["in-sync", "out-of-sync", "absent", "nixos-module", "unknown"] }),
    short: str("Exactly what `--short` prints: `g42@abc1234* hm12⚠` (`*` = dirty tree; `⚠` right after the last word when either side is out of sync; `g?` when the running generation is unknown)."),
    warning: str("What `--warning` prints without the leading `⚠ `: the newest generation of each side that is behind, `g43 hm13`; empty when nothing is behind."),
    warningParts: str("The same words as `warning` (the seed's WARNING_PARTS)."),
    systemStatus: syncStatus("the running system (system side only)"),
    bootedGeneration: nullable({ type: "integer", description: "Generation number the machine booted, `41`; null when /run/booted-system is missing or is no generation of the profile." }),
    isDirty: nullable(bool("Whether the running system was built from a dirty tree; null when unknown.")),
    homeManagerShort: str("`hm12`, or empty when Home Manager is absent."),
    booted: bool("Whether the booted system is the running one (false when /run/booted-system is missing)."),
    needsReboot: bool("Whether the booted kernel, initrd or kernel modules differ from the running system's (shown by the human view, the Waybar tooltip and the i3status-rust state; not a side that is behind)."),
    rebootReasons: {
      type: "array",
      items: str("What differs between the booted and the running system.", { enum: ["kernel", "initrd", "kernel-modules", "kernel-params", "systemd", "firmware"] }),
      description: "Why a reboot is needed, in this order: `kernel`, `initrd`, `kernel-modules`, `kernel-params` (the kernel command line), `systemd`, `firmware`; empty when none is (`--export`: one per line).",
    },
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

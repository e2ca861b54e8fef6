import type { JsonShapeSpec } from "../types.js";
import { str, int, bool, nullable, obj, ref } from "./build.js";

/** One entry of `nixos-metadata list --json`; names follow `nixos-rebuild list-generations --json`. */
export const generationListShape: JsonShapeSpec = {
  name: "GenerationList",
  description: "Every system generation with what can be known of its provenance.",
  writer: { prefix: "gl", awkOnly: true },
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


/** `nixos-metadata diff A B --json`: the metadata fields that differ between two generations. */
export const generationDiffShape: JsonShapeSpec = {
  name: "GenerationDiff",
  description: "The metadata fields that differ between two system generations.",
  writer: { prefix: "gd", raw: ["changes"] },
  shape: obj("Differences from generation `from` to generation `to`.", {
    from: str("First generation as given (`41`, `current`, `booted`)."),
    to: str("Second generation as given."),
    changes: {
      type: "array",
      description: "One entry per field whose value differs, in metadata file order, then nixosVersion and kernelVersion.",
      items: ref("GenerationDiffChange"),
    },
    compareUrl: nullable(str("Forge link comparing the two commits, when the source is on a known forge (GitHub, GitLab) and both commits are known.")),
  }),
};

/** One entry of GenerationDiff.changes. */
export const generationDiffChangeShape: JsonShapeSpec = {
  name: "GenerationDiffChange",
  description: "One metadata field that differs between two generations.",
  writer: { prefix: "gdc" },
  shape: obj("One differing field.", {
    field: str("Shell name of the field (`GIT_COMMIT`), or `NIXOS_VERSION` / `KERNEL_VERSION`."),
    key: str("JSON key of the field (`commit`, `nixosVersion`, `kernelVersion`)."),
    from: str("Value in the first generation (`unknown` when absent)."),
    to: str("Value in the second generation."),
  }),
};

/** `nixos-metadata audit --json`: which nixpkgs revisions were used, by which generations. */
export const nixpkgsAuditShape: JsonShapeSpec = {
  name: "NixpkgsAudit",
  description: "Distinct nixpkgs revisions of the system generations and the generations that used each.",
  writer: { prefix: "na", awkOnly: true },
  shape: {
    type: "array",
    description: "One entry per revision, in order of first use.",
    items: obj("One nixpkgs revision.", {
      nixpkgsRev: str("nixpkgs revision, or `unknown`."),
      generations: { type: "array", items: int("Generation number."), description: "Generations built with this revision, oldest first." },
    }),
  },
};

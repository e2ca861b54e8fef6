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
      activated: nullable(str("When the generation was last activated (switch, test or boot), `YYYY-MM-DD HH:MM:SS` UTC, from the activation history; null when it has no record of it.")),
      nixosVersion: str("NixOS label."),
      kernelVersion: str("Kernel version."),
      configurationRevision: str("`system.configurationRevision`, or `unknown`."),
      specialisations: { type: "array", items: str("Specialisation name."), description: "Specialisations of this generation." },
      current: bool("Whether this is the running generation."),
      booted: bool("Whether this is the booted generation."),
      latest: bool("Whether this is the newest generation of the profile."),
      commit: str("Configuration commit, or `unknown`."),
      dirty: nullable(bool("Built from a dirty tree; null when unknown.")),
      nixpkgsRev: str("nixpkgs revision, or `unknown`."),
      hasMetadata: bool("Whether the generation carries /etc/nixos-metadata."),
    }),
  },
};


/** `nixos-metadata diff A B --json`: what changed from one system generation to another. */
export const generationDiffShape: JsonShapeSpec = {
  name: "GenerationDiff",
  description: "What changed from one system generation to another: source (commit, inputs), NixOS and kernel versions, specialisations, other recorded fields, and packages.",
  writer: { prefix: "gd", raw: ["commit", "inputs", "nixosVersion", "kernelVersion", "changes", "packages"] },
  shape: obj("Differences from generation `from` to generation `to`.", {
    from: str("First generation as given (`41`, `current`, `booted`, `latest`, `-1`)."),
    to: str("Second generation as given (`current` when only one was given)."),
    fromGeneration: nullable(int("Number of the first generation; null when it is no generation of the profile.")),
    toGeneration: nullable(int("Number of the second generation; null when it is no generation of the profile.")),
    fromPath: str("Store path of the first generation."),
    toPath: str("Store path of the second generation."),
    identical: bool("Whether both are the same store path (exit status 0); otherwise the command exits 1."),
    commit: nullable(ref("GenerationDiffCommit", "The configuration commit change; null when both record the same commit and dirty flag.")),
    inputs: { type: "array", description: "Tracked flake inputs whose revision changed, in metadata file order.", items: ref("GenerationDiffInput") },
    nixosVersion: nullable(ref("GenerationDiffValue", "NixOS version change; null when the same.")),
    kernelVersion: nullable(ref("GenerationDiffValue", "Kernel version change; null when the same.")),
    specialisationsAdded: { type: "array", items: str("Specialisation name."), description: "Specialisations only the second generation has." },
    specialisationsRemoved: { type: "array", items: str("Specialisation name."), description: "Specialisations only the first generation has." },
    changes: {
      type: "array",
      description: "Other recorded fields that differ (host, platform, custom fields...), in metadata file order; fields that follow from the commit or an input revision are not repeated here.",
      items: ref("GenerationDiffChange"),
    },
    closure: str("Whether the packages were compared: `compared`, `skipped` (--no-closure) or `unavailable` (nix missing or failing: see closureError).", { enum: ["compared", "skipped", "unavailable"] }),
    closureError: nullable(str("Why the closures could not be compared (first line of nix's error); null otherwise.")),
    packages: { type: "array", description: "Packages added, removed, changed in version or in size, as `nix store diff-closures` reports them (its order: by name).", items: ref("ClosureChange") },
  }),
};

/** GenerationDiff.commit. */
export const generationDiffCommitShape: JsonShapeSpec = {
  name: "GenerationDiffCommit",
  description: "The configuration commit of two generations.",
  writer: { prefix: "gdm" },
  shape: obj("A commit change.", {
    from: str("Full commit of the first generation (`unknown` when not recorded)."),
    to: str("Full commit of the second generation."),
    fromShort: str("Short commit of the first generation."),
    toShort: str("Short commit of the second generation."),
    fromDirty: nullable(bool("Whether the first was built from a dirty tree; null when unknown.")),
    toDirty: nullable(bool("Whether the second was built from a dirty tree; null when unknown.")),
    compareUrl: nullable(str("Forge link comparing the two commits, when the source is on a known forge (GitHub, GitLab) and both commits are known.")),
  }),
};

/** One entry of GenerationDiff.inputs. */
export const generationDiffInputShape: JsonShapeSpec = {
  name: "GenerationDiffInput",
  description: "A flake input whose recorded revision differs between two generations.",
  writer: { prefix: "gdi" },
  shape: obj("An input revision change.", {
    input: str("Flake input name (`nixpkgs`, `home-manager`, a tracked input)."),
    field: str("Shell name of its metadata field (`NIXPKGS_REV`)."),
    from: str("Revision in the first generation (`unknown` when absent)."),
    to: str("Revision in the second generation."),
    compareUrl: nullable(str("Forge link comparing the two revisions, for inputs whose repository is known (nixpkgs, home-manager).")),
  }),
};

/** GenerationDiff.nixosVersion and .kernelVersion. */
export const generationDiffValueShape: JsonShapeSpec = {
  name: "GenerationDiffValue",
  description: "A value that differs between two generations.",
  writer: { prefix: "gdv" },
  shape: obj("A change.", {
    from: str("Value in the first generation (`unknown` when absent)."),
    to: str("Value in the second generation."),
  }),
};

/** One entry of GenerationDiff.changes. */
export const generationDiffChangeShape: JsonShapeSpec = {
  name: "GenerationDiffChange",
  description: "One recorded metadata field that differs between two generations.",
  writer: { prefix: "gdc" },
  shape: obj("One differing field.", {
    field: str("Shell name of the field (`HOSTNAME`)."),
    key: str("JSON key of the field (`hostname`)."),
    from: str("Value in the first generation (`unknown` when absent)."),
    to: str("Value in the second generation."),
  }),
};

/** One entry of GenerationDiff.packages: one line of `nix store diff-closures`. */
export const closureChangeShape: JsonShapeSpec = {
  name: "ClosureChange",
  description: "One package of two closures that was added, removed, changed version or size (a line of `nix store diff-closures`).",
  writer: { prefix: "cc", awkOnly: true },
  shape: obj("A package change.", {
    name: str("Package name (the store path name without its version)."),
    from: { type: "array", items: str("A version (empty string for a path without version)."), description: "Versions only the first closure has (empty: added, or only the size changed)." },
    to: { type: "array", items: str("A version."), description: "Versions only the second closure has (empty: removed, or only the size changed)." },
    sizeDelta: nullable(int("Change of the package's size in bytes, as nix rounds it (0.1 KiB/MiB/GiB); null when nix shows none (below 8 KiB).")),
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

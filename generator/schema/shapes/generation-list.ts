import type { JsonShapeSpec } from "../types.js";
import { str, int, bool, nullable, obj } from "./build.js";

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


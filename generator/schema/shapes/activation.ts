import type { JsonShapeSpec } from "../types.js";
import { str, int, bool, nullable, obj } from "./build.js";

/**
 * One line of /var/lib/nixos-provenance/activation-history.json, written by
 * nixos-provenance-activate from the NixOS activation script.
 */
export const activationRecordShape: JsonShapeSpec = {
  name: "ActivationRecord",
  description: "One activation of a system generation (switch, test, or boot), as the NixOS activation script recorded it.",
  writer: { prefix: "ar" },
  shape: obj("An activation.", {
    time: str("When the activation ran, UTC, `YYYY-MM-DDTHH:MM:SSZ`.", { format: "date-time" }),
    timestamp: int("The same time in seconds since the epoch."),
    action: str("`switch`, `test` (switch-to-configuration's action, from NIXOS_ACTION), or `boot` (stage 2 at boot, where NIXOS_ACTION is unset).", { enum: ["switch", "test", "boot"] }),
    generation: nullable(int("Generation number of the activated system (the highest generation with that store path); null when it is no generation of the profile (`nixos-rebuild test` of a new build, a specialisation).")),
    storePath: str("Store path of the activated system."),
    commit: str("Configuration commit recorded in the activated system, or `unknown`."),
    dirty: nullable(bool("Whether it was built from a dirty tree; null when unknown.")),
    bootedGeneration: nullable(int("Generation the machine had booted when this ran; null when unknown.")),
    previousGeneration: nullable(int("Generation that was running before (the previous /run/current-system, or at boot the last recorded activation); null when unknown.")),
    previousStorePath: nullable(str("Store path that was running before; null when unknown.")),
  }),
};

/** `nixos-metadata history --json`: the activations, newest first. */
export const activationHistoryShape: JsonShapeSpec = {
  name: "ActivationHistory",
  description: "The recorded activations, newest first, each with how long its generation ran.",
  writer: { prefix: "ah", awkOnly: true },
  shape: {
    type: "array",
    description: "Activations, newest first.",
    items: obj("One activation.", {
      time: str("When it ran, UTC, `YYYY-MM-DDTHH:MM:SSZ`."),
      action: str("`switch`, `test` or `boot`."),
      generation: nullable(int("Generation activated; null when it is no generation of the profile.")),
      storePath: str("Store path activated."),
      commit: str("Its configuration commit, or `unknown`."),
      dirty: nullable(bool("Built from a dirty tree; null when unknown.")),
      bootedGeneration: nullable(int("Generation booted at the time; null when unknown.")),
      previousGeneration: nullable(int("Generation running before; null when unknown.")),
      ranSeconds: nullable(int("How long it ran: until the next activation, or until now for the newest; null when the times are unknown.")),
      current: bool("Whether this is the newest record (the activation still in effect)."),
    }),
  },
};

/** Where the activation history lives on the target (below NIXOS_PROVENANCE_ROOT in tests). */
export const activationStateDir = "/var/lib/nixos-provenance";
export const activationHistoryFile = "activation-history.json";

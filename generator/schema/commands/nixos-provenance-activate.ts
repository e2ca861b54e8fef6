import type { CommandSpec } from "../types.js";
import { envList } from "../env.js";
import { activationHistoryFile, activationStateDir } from "../shapes/activation.js";

/** Run by the NixOS module's activation script (system.activationScripts.nixos-provenance), not by hand. */
export const nixosProvenanceActivate: CommandSpec = {
  name: "nixos-provenance-activate",
  summary: `Record one activation of a system generation in ${activationStateDir}/${activationHistoryFile} (run by the NixOS activation script).`,
  synopsis: ["--system PATH [--action switch|test|boot|dry-activate]"],
  positionals: [],
  flags: [
    { long: "--system", value: "PATH", description: "The system being activated (the activation script's `$systemConfig`)." },
    {
      long: "--action", value: "ACTION", choices: ["switch", "test", "boot", "dry-activate"],
      description: "switch-to-configuration's action; by default `NIXOS_ACTION`, which switch-to-configuration exports to the activation script. Unset means `boot`: the activation stage 2 runs at boot. `dry-activate` records nothing.",
    },
    { long: "--help", short: "-h", description: "Show this help and exit." },
  ],
  exitCodes: [
    { name: "ok", code: 0, description: "Recorded (or nothing to record: dry-activate)." },
    { name: "notRecorded", code: 1, description: "Not recorded (read-only or full /var, the state directory missing at boot, a lock that stays taken, a history that cannot be moved aside); why is on stderr. The activation script ignores it." },
    { name: "usage", code: 64, description: "Invalid arguments (64 = EX_USAGE, shared by every command but nixos-build-status)." },
  ],
  jsonOutputs: [],
  prefix: "pa",
  env: envList("NIXOS_PROVENANCE_ROOT", "NIXOS_PROVENANCE_STATE_DIR", "NIXOS_PROVENANCE_HISTORY_LENGTH"),
  examples: [
    { command: "nixos-provenance-activate --system \"$systemConfig\"", description: "What the activation script runs (under a 10 s timeout, its status ignored; the action comes from NIXOS_ACTION)." },
  ],
};

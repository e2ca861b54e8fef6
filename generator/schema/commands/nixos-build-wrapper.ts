import type { CommandSpec } from "../types.js";
import { envList } from "../env.js";

export const nixosBuildWrapper: CommandSpec = {
  name: "nixos-build-wrapper",
  summary: "Run a NixOS or Home Manager rebuild live, and leave a JSON record and a log of it.",
  synopsis: ["[os|home] [switch|boot|test|build|dry-build|dry-activate] [--flake PATH] [--no-nh] [--json|--human] [--log-dir DIR] [-- EXTRA...]"],
  positionals: [
    { name: "TARGET", optional: true, description: "`os` (default) or `home`.", choices: ["os", "home"] },
    { name: "ACTION", optional: true, description: "Rebuild action (default `switch`).", choices: ["switch", "boot", "test", "build", "dry-build", "dry-activate"], choicesAfter: { home: ["switch", "build", "dry-build", "dry-activate"] } },
  ],
  flags: [
    { long: "--flake", value: "PATH", description: "Flake to build (default: NH_OS_FLAKE/NH_HOME_FLAKE/NH_FLAKE, then /etc/nixos)." },
    { long: "--no-nh", description: "Use nixos-rebuild/home-manager even when nh is installed." },
    { long: "--json", group: "mode", description: "Print only the build record (JSON) on stdout." },
    { long: "--human", group: "mode", description: "Print a human summary after the build (default)." },
    { long: "--log-dir", value: "DIR", description: "Where to write last-build.json, last-build.log and build-history.json." },
    { long: "--help", short: "-h", description: "Show this help and exit." },
  ],
  exitCodes: [
    { name: "ok", code: 0, description: "The build succeeded; otherwise the build's own exit code is returned." },
    { name: "usage", code: 64, description: "Invalid arguments; nothing was built (64 = EX_USAGE, so it cannot be mistaken for a build's own status)." },
    { name: "notNixos", code: 69, description: "os on a machine that is not NixOS: neither /run/current-system nor a system profile exists (69 = EX_UNAVAILABLE); one line on stderr says so, nothing is built or recorded. home builds anywhere (standalone Home Manager)." },
    { name: "software", code: 70, description: "The installation is broken: lib/build-status.sh cannot be read (70 = EX_SOFTWARE)." },
    { name: "notFound", code: 127, description: "The builder (nixos-rebuild, or home-manager for `home`; nh when present) is not installed: refused before starting, nothing recorded; one line on stderr names the missing tool and what provides it." },
    { name: "interrupted", code: 130, description: "Interrupted (Ctrl-C); the record is marked interrupted." },
  ],
  jsonOutputs: ["BuildRecord"],
  prefix: "bw",
  env: envList("NIXOS_PROVENANCE_ROOT", "NIXOS_PROVENANCE_LOG_DIR", "NIXOS_PROVENANCE_HISTORY_LENGTH", "NIXOS_PROVENANCE_LOCK_TIMEOUT", "NIXOS_PROVENANCE_NO_FLOCK", "NIXOS_PROVENANCE_NO_PTY"),
  defaultMode: "human",
  rest: { name: "EXTRA", description: "Arguments after `--` go to the builder unchanged." },
  examples: [
    { command: "nixos-build-wrapper os switch", description: "Rebuild and switch the system." },
    { command: "nixos-build-wrapper home switch", description: "Activate Home Manager." },
    { command: "nixos-build-wrapper os switch -- --show-trace", description: "Pass extra arguments through." },
  ],
};

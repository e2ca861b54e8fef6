/**
 * The NIXOS_PROVENANCE_* environment variables the runtime reads, described
 * once; each command's schema names the ones it reads (`env`), and its man
 * page lists exactly those. test/command-env.test.ts checks each list
 * against the command's runtime source and the parts it sources.
 * `{logDir}` and `{historyLength}` stand for the schema's runtime defaults
 * (filled in by the emitters, so they are written once).
 */
import { activationStateDir } from "./shapes/activation.js";

export const environmentVariables = {
  NIXOS_PROVENANCE_ROOT: "Prefix of every absolute path the command reads (for tests and the demo; empty on a real system). Below it, nixos-metadata diff asks nix to compare closures only when NIX_STORE_DIR is $NIXOS_PROVENANCE_ROOT/nix/store.",
  NIXOS_PROVENANCE_LOG_DIR: "Directory of the build records (default {logDir}).",
  NIXOS_PROVENANCE_HISTORY_LENGTH: "How many entries a history keeps: builds in build-history.json, activations in the activation history (a positive integer, at most 10000; default {historyLength}).",
  NIXOS_PROVENANCE_LOCK_TIMEOUT: "Seconds to wait for another build's lock on the log directory (1 to 3600; default 30).",
  NIXOS_PROVENANCE_NO_FLOCK: "When set, lock the log directory with a symbolic link instead of flock(1).",
  NIXOS_PROVENANCE_NO_PTY: "When set, never run the builder under script(1) to keep its terminal output.",
  NIXOS_PROVENANCE_CHECK_TIMEOUT: "Seconds each systemctl and journalctl check may take (default 10).",
  NIXOS_PROVENANCE_FLAKE_TIMEOUT: "Seconds the buildability check (nix flake metadata) may take (default 30).",
  NIXOS_PROVENANCE_CACHE_DIR: "Directory of the status cache (default $XDG_RUNTIME_DIR/nixos-provenance; none without XDG_RUNTIME_DIR).",
  NIXOS_PROVENANCE_NO_CACHE: "When set, never read or write the status cache.",
  NIXOS_PROVENANCE_STATE_DIR: `Directory of the activation history (default ${activationStateDir}).`,
  NIXOS_PROVENANCE_PROMETHEUS: "Prometheus URL when --prometheus is not given.",
  NIXOS_PROVENANCE_HTTP_CLIENT: "curl or wget: the HTTP client to use (default: the first one installed).",
} as const;

export type EnvironmentVariable = keyof typeof environmentVariables;

/** A command's `env` list: the named variables with their descriptions. */
export function envList(...names: EnvironmentVariable[]): { name: string; description: string }[] {
  return names.map((name) => ({ name, description: environmentVariables[name] }));
}

import type { LibraryFunctionSpec } from "./types.js";

/** The seed's public functions of lib/build-status.sh: same names, same behaviour. */
export const libraryFunctions: LibraryFunctionSpec[] = [
  { name: "json_escape", args: "STRING", returns: "output", description: "Escape STRING for use inside a JSON string (no surrounding quotes)." },
  { name: "json_bool", args: "VALUE", returns: "output", description: "Print `true` for true/1/yes, else `false`." },
  { name: "get_current_generation", args: "", returns: "output", description: "Number of the running system generation, or `unknown`." },
  { name: "get_current_generation_json", args: "", returns: "output", description: "The full generation info as JSON (as `nixos-generation-info --json`)." },
  { name: "get_generation_short", args: "", returns: "output", description: "Short generation string (as `nixos-generation-info --short`)." },
  { name: "is_generation_in_sync", args: "", returns: "status", description: "Succeed when the running system and Home Manager are the latest generations." },
  { name: "get_last_build_status", args: "[LOG_DIR]", returns: "output", description: "The last build record (last-build.json), or `{}`." },
  { name: "get_last_build_exit_code", args: "[LOG_DIR]", returns: "output", description: "Exit code of the last build, or 999 when unknown." },
  { name: "was_last_build_successful", args: "[LOG_DIR]", returns: "status", description: "Succeed when the last build exited 0." },
  { name: "get_build_history", args: "[LOG_DIR]", returns: "output", description: "The build history (build-history.json), or `[]`." },
  { name: "get_build_history_summary", args: "[LOG_DIR] [COUNT]", returns: "output", description: "The last COUNT (default 10) builds: timestamp, target, action, exitCode, duration, generation." },
  { name: "extract_nix_errors", args: "LOG_FILE", returns: "output", description: "The `error:` lines of a build log, as a JSON array of strings." },
  { name: "extract_build_phase", args: "LOG_FILE", returns: "output", description: "The last derivation being built in a log, or `unknown`." },
  { name: "check_failed_units", args: "", returns: "output", description: "Failed systemd units as a JSON array (`[]` when systemctl is missing)." },
  { name: "check_journal_errors", args: "[SINCE]", returns: "output", description: "Number of journal lines at priority err since SINCE (default `1 hour ago`)." },
  { name: "get_current_commit", args: "", returns: "output", description: "Configuration commit of the running system, or `unknown`." },
  { name: "get_current_nixpkgs_rev", args: "", returns: "output", description: "nixpkgs revision of the running system, or `unknown`." },
  { name: "get_home_manager_generation", args: "", returns: "output", description: "Number of the active Home Manager generation, or `unknown`." },
  { name: "create_status_report", args: "[json|human]", returns: "output", description: "A full status report (default json)." },
];

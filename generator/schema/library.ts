import type { LibraryFunctionSpec } from "./types.js";

/** The seed's public functions of lib/build-status.sh: same names, same behaviour. */
export const libraryFunctions: LibraryFunctionSpec[] = [
  { name: "json_escape", args: "STRING", returns: "output", description: "Escape STRING for use inside a JSON string (no surrounding quotes); bytes that are not UTF-8 become U+FFFD." },
  { name: "json_bool", args: "VALUE", returns: "output", description: "Print `true` for true/yes/on/1 (any case), else `false`." },
  { name: "get_current_generation", args: "", returns: "output", description: "Number of the running system generation, or `unknown`." },
  { name: "get_current_generation_json", args: "", returns: "output", description: "The full generation info as JSON (`nixos-generation-info --json`); `{}` and status 1 when that command cannot be run." },
  { name: "get_generation_short", args: "", returns: "output", description: "Short generation string (as `nixos-generation-info --short`)." },
  { name: "is_generation_in_sync", args: "", returns: "status", description: "Succeed when the running system is the latest generation and Home Manager (when present) is activated at its latest." },
  { name: "get_last_build_status", args: "[LOG_DIR]", returns: "output", description: "The last build record (last-build.json), or `{}`. LOG_DIR defaults to $NIXOS_PROVENANCE_LOG_DIR, then the configured directory, then the per-user fallback when only that has records." },
  { name: "get_last_build_exit_code", args: "[LOG_DIR]", returns: "output", description: "Exit code of the last build, or 999 when unknown." },
  { name: "was_last_build_successful", args: "[LOG_DIR]", returns: "status", description: "Succeed when the last build exited 0." },
  { name: "get_build_history", args: "[LOG_DIR]", returns: "output", description: "The build history (build-history.json), or `[]`." },
  { name: "get_build_history_summary", args: "[LOG_DIR] [COUNT]", returns: "output", description: "A JSON array of the last COUNT (default 10) builds, one object per line: timestamp, target, action, exitCode, success, duration, generation (after the build)." },
  { name: "extract_nix_errors", args: "LOG_FILE", returns: "output", description: "The error blocks of a build log (each `error:` line, the indented lines that belong to it and up to 3 lines of context) as a JSON array of strings; streams the file, any size." },
  { name: "extract_build_phase", args: "LOG_FILE", returns: "output", description: "The last build phase (`hello: buildPhase`) or derivation (`building hello-2.12`) seen in a log, or `unknown`." },
  { name: "check_failed_units", args: "", returns: "output", description: "Failed systemd units as a JSON array (`[]` when systemctl is missing or systemd is not running)." },
  { name: "check_journal_errors", args: "[SINCE]", returns: "output", description: "Number of journal lines at priority err or worse since SINCE (default `1 hour ago`); 0 when journalctl is missing." },
  { name: "get_current_commit", args: "", returns: "output", description: "Full configuration commit of the running system (its /etc/nixos-metadata, else configuration-revision), or `unknown`." },
  { name: "get_current_nixpkgs_rev", args: "", returns: "output", description: "nixpkgs revision of the running system, or `unknown`." },
  { name: "get_home_manager_generation", args: "", returns: "output", description: "Number of the activated Home Manager generation; `none` without a per-user Home Manager profile, `unknown` when none is activated." },
  { name: "create_status_report", args: "[json|human]", returns: "output", description: "The report of nixos-build-status (default json); status 0 whenever a report was made, whatever it says." },
];

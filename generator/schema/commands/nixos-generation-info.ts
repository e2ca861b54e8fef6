import type { CommandSpec } from "../types.js";

export const nixosGenerationInfo: CommandSpec = {
  name: "nixos-generation-info",
  summary: "Is the running system (and Home Manager) the latest generation? Fast enough for status bars and prompts.",
  synopsis: ["[--short|--json|--export|--status|--warning|--i3blocks|--waybar|--i3status-rs]"],
  positionals: [],
  flags: [
    { long: "--short", group: "mode", poll: true, description: "One line: `g42@abc1234* hm12` (`*` = dirty tree), ` ⚠` appended when out of sync." },
    { long: "--json", group: "mode", poll: true, description: "Machine-readable JSON payload." },
    { long: "--export", group: "mode", poll: true, description: "Shell assignments `NIXOS_GENERATION_INFO_*=...`, safe to eval." },
    { long: "--status", group: "mode", poll: true, description: "Print `in-sync`, `out-of-sync` (system or Home Manager not at its newest generation) or `unknown` (no running system)." },
    { long: "--warning", group: "mode", poll: true, description: "Print a warning for prompts when out of sync or a reboot is pending; exit 1 when there is nothing to warn about." },
    { long: "--i3blocks", group: "mode", poll: true, description: "i3blocks block: full text, short text, and a red colour line when out of sync." },
    { long: "--waybar", group: "mode", poll: true, description: "Waybar custom module JSON (text, tooltip, class, alt)." },
    { long: "--i3status-rs", group: "mode", poll: true, description: "i3status-rust custom block JSON (icon, state, text); also fine for py3status." },
    { long: "--help", short: "-h", description: "Show this help and exit." },
  ],
  exitCodes: [
    { name: "ok", code: 0, description: "Success (for --warning: there is a warning)." },
    { name: "nothingToWarn", code: 1, description: "--warning only: in sync, nothing to warn about." },
    { name: "usage", code: 64, description: "Invalid arguments (64 = EX_USAGE, shared by every command but nixos-build-status)." },
  ],
  jsonOutputs: ["GenerationInfo", "WaybarModule", "I3statusRsBlock"],
  prefix: "gi",
  defaultMode: "human",
  examples: [
    { command: "nixos-generation-info --short", description: "`g42@abc1234 hm12` for a prompt or bar." },
    { command: "nixos-generation-info --status", description: "`in-sync` or `out-of-sync`." },
    { command: "eval \"$(nixos-generation-info --export)\"", description: "Set `NIXOS_GENERATION_INFO_*` variables in the current shell." },
    { command: "nixos-generation-info --waybar", description: "A Waybar `custom/generation` module's output." },
  ],
};

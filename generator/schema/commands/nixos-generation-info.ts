import type { CommandSpec } from "../types.js";

export const nixosGenerationInfo: CommandSpec = {
  name: "nixos-generation-info",
  summary: "Is the running system (and Home Manager) the latest generation? Fast enough for status bars and prompts.",
  synopsis: ["[--short|--json|--export|--status|--warning|--i3blocks|--waybar|--i3status-rs]"],
  positionals: [],
  flags: [
    { long: "--short", description: "One line: `g42@abc1234* hm12`, with `⚠` when out of sync." },
    { long: "--json", description: "Machine-readable JSON payload." },
    { long: "--export", description: "Shell assignments `NIXOS_GENERATION_INFO_*=...`, safe to eval." },
    { long: "--status", description: "Print `in-sync` or `out-of-sync`." },
    { long: "--warning", description: "Print a warning for prompts when out of sync; exit 1 when there is nothing to warn about." },
    { long: "--i3blocks", description: "i3blocks block: full text, short text, colour." },
    { long: "--waybar", description: "Waybar custom module JSON (text, tooltip, class)." },
    { long: "--i3status-rs", description: "i3status-rust custom block JSON (text, state)." },
    { long: "--help", short: "-h", description: "Show this help and exit." },
  ],
  exitCodes: [
    { name: "ok", code: 0, description: "Success (for --warning: there is a warning)." },
    { name: "nothingToWarn", code: 1, description: "--warning only: in sync, nothing to warn about." },
    { name: "usage", code: 2, description: "Invalid arguments." },
  ],
  jsonOutputs: ["GenerationInfo"],
  examples: [
    { command: "nixos-generation-info --short", description: "`g42@abc1234 hm12` for a prompt or bar." },
    { command: "nixos-generation-info --status", description: "`in-sync` or `out-of-sync`." },
  ],
};

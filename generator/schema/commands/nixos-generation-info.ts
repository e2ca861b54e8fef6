import type { CommandSpec } from "../types.js";
import { envList } from "../env.js";

export const nixosGenerationInfo: CommandSpec = {
  name: "nixos-generation-info",
  summary: "Is the running system (and Home Manager) the latest generation? Fast enough for status bars and prompts.",
  synopsis: ["[--short|--json|--export|--status|--warning|--i3blocks|--waybar|--i3status-rs]"],
  positionals: [],
  flags: [
    { long: "--short", group: "mode", poll: true, description: "One line: `g42@abc1234* hm12` (`*` = dirty tree), `⚠` appended (no space) when either side is out of sync." },
    { long: "--json", group: "mode", poll: true, description: "Machine-readable JSON payload (the seed's keys and values first)." },
    { long: "--export", group: "mode", poll: true, description: "Shell assignments `NIXOS_GENERATION_INFO_*=...`, one per JSON key (the seed's names), safe to eval." },
    { long: "--status", group: "mode", poll: true, description: "Print `in-sync`, `out-of-sync` (system or Home Manager not at its newest generation) or `unknown` (no running system)." },
    { long: "--warning", group: "mode", poll: true, description: "For prompts: `⚠ g43 hm13`, the newest generation of each side that is behind; exit 1 with no output when nothing is behind (a pending reboot shows in the human view and the bars, not here)." },
    { long: "--i3blocks", group: "mode", poll: true, description: "i3blocks block: full text, short text, and a red colour line when out of sync." },
    { long: "--waybar", group: "mode", poll: true, description: "Waybar custom module JSON (text, tooltip, class, alt)." },
    { long: "--i3status-rs", group: "mode", poll: true, description: "i3status-rust custom block JSON (icon, state, text); also fine for py3status." },
    { long: "--reboot", group: "mode", poll: true, description: "Why a reboot is needed, one reason a line (`kernel`, `initrd`, `kernel-modules`, `kernel-params`, `systemd`, `firmware`); exit 1 with no output when none is." },
    { long: "--help", short: "-h", description: "Show this help and exit." },
  ],
  exitCodes: [
    { name: "ok", code: 0, description: "Success (for --warning: a side is behind)." },
    { name: "nothingToWarn", code: 1, description: "--warning only: nothing is behind, nothing printed." },
    { name: "noReboot", code: 1, description: "--reboot only: the booted system is the running one, or differs from it in nothing a reboot would change; nothing printed." },
    { name: "notNixos", code: 69, description: "Not a NixOS system: neither /run/current-system nor a system profile exists (69 = EX_UNAVAILABLE); one line on stderr says so." },
    { name: "usage", code: 64, description: "Invalid arguments (64 = EX_USAGE, shared by every command but nixos-build-status)." },
  ],
  jsonOutputs: ["GenerationInfo", "WaybarModule", "I3statusRsBlock"],
  prefix: "gi",
  env: envList("NIXOS_PROVENANCE_ROOT", "NIXOS_PROVENANCE_CACHE_DIR", "NIXOS_PROVENANCE_NO_CACHE"),
  defaultMode: "human",
  examples: [
    { command: "nixos-generation-info --short", description: "`g42@abc1234 hm12` for a prompt or bar." },
    { command: "nixos-generation-info --status", description: "`in-sync` or `out-of-sync`." },
    { command: "eval \"$(nixos-generation-info --export)\"", description: "Set `NIXOS_GENERATION_INFO_*` variables in the current shell." },
    { command: "nixos-generation-info --waybar", description: "A Waybar `custom/generation` module's output." },
  ],
};

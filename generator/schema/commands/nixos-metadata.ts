import type { CommandSpec } from "../types.js";

export const nixosMetadata: CommandSpec = {
  name: "nixos-metadata",
  summary: "Show where a NixOS generation came from: commit, inputs, host, build date.",
  synopsis: [
    "[current|booted|N] [--json|--export|--field NAME]",
    "list [--json]",
    "diff A B [--json]",
    "audit [--json]",
    "reproduce N",
  ],
  positionals: [
    { name: "GENERATION", optional: true, description: "`current` (default), `booted`, a generation number, or a subcommand: `list`, `diff A B`, `audit`, `reproduce N`.", choices: ["current", "booted", "list", "diff", "audit", "reproduce"] },
  ],
  flags: [
    { long: "--json", group: "mode", description: "Print JSON instead of the human summary (show, list, diff, audit)." },
    { long: "--export", group: "mode", description: "Print shell assignments (`NAME='value'`), safe to eval." },
    { long: "--field", group: "mode", value: "NAME", description: "Print one field's value (shell name such as GIT_COMMIT, or JSON key such as commit)." },
    { long: "--help", short: "-h", description: "Show this help and exit." },
  ],
  exitCodes: [
    { name: "ok", code: 0, description: "Success." },
    { name: "notFound", code: 1, description: "No such generation, an argument that is neither `current`, `booted` nor a number, or (--field, reproduce) no metadata for it." },
    { name: "usage", code: 64, description: "Invalid arguments (64 = EX_USAGE, shared by every command but nixos-build-status)." },
  ],
  jsonOutputs: ["NixosMetadata", "GenerationList", "GenerationDiff", "GenerationDiffChange", "NixpkgsAudit"],
  prefix: "md",
  defaultMode: "human",
  subcommands: [
    { name: "show", default: true, args: [{ name: "GENERATION", optional: true }], modes: ["human", "json", "export", "field"] },
    { name: "list", args: [], modes: ["human", "json"] },
    { name: "diff", args: [{ name: "A" }, { name: "B" }], modes: ["human", "json"] },
    { name: "audit", args: [], modes: ["human", "json"] },
    { name: "reproduce", args: [{ name: "N" }], modes: ["human"] },
  ],
  examples: [
    { command: "nixos-metadata", description: "Metadata of the running system." },
    { command: "nixos-metadata 42 --field GIT_COMMIT", description: "The commit generation 42 was built from." },
    { command: "nixos-metadata list --json", description: "Every generation, as JSON." },
    { command: "nixos-metadata diff 41 42", description: "What changed between two generations, with a compare link." },
    { command: "nixos-metadata reproduce 42", description: "The commands that rebuild generation 42." },
    { command: "nixos-metadata audit", description: "Which nixpkgs revisions were used, by which generations." },
  ],
};

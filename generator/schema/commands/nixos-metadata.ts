import type { CommandSpec } from "../types.js";
import { envList } from "../env.js";

const generationWords = "a generation number, `current`, `booted`, `latest`, or `-N` (the Nth generation before the current one)";

export const nixosMetadata: CommandSpec = {
  name: "nixos-metadata",
  summary: "Show where a NixOS generation came from: commit, inputs, host, build date; what changed between two, when each ran, and whether it rebuilds.",
  synopsis: [
    "[current|booted|latest|-N|N] [--json|--export|--field NAME]",
    "list [--json]",
    "diff A [B] [--json] [--no-closure]",
    "verify [N] [--json] [--flake PATH]",
    "history [--json] [-n N]",
    "previous",
    "audit [--json]",
    "reproduce N",
  ],
  positionals: [
    {
      name: "GENERATION",
      optional: true,
      description: `\`current\` (default), ${generationWords}, or a subcommand: \`list\`, \`diff A [B]\`, \`verify [N]\`, \`history\`, \`previous\`, \`audit\`, \`reproduce N\`.`,
      choices: ["current", "booted", "latest", "list", "diff", "verify", "history", "previous", "audit", "reproduce"],
    },
  ],
  flags: [
    { long: "--json", group: "mode", description: "Print JSON instead of the human summary (show, list, diff, verify, history, audit)." },
    { long: "--export", group: "mode", description: "Print shell assignments (`NAME='value'`), safe to eval." },
    { long: "--field", group: "mode", value: "NAME", description: "Print one field's value (shell name such as GIT_COMMIT, or JSON key such as commit)." },
    { long: "--no-closure", description: "diff: leave out the package (closure) comparison, which runs `nix store diff-closures`." },
    { long: "--flake", value: "PATH", description: "verify: evaluate this local checkout (a directory, read as `git+file:PATH?rev=<recorded commit>`, or any flake reference, used as given) instead of the recorded flake URL." },
    { long: "--limit", short: "-n", value: "N", description: "history: show only the N newest activations." },
    { long: "--help", short: "-h", description: "Show this help and exit." },
  ],
  exitCodes: [
    { name: "ok", code: 0, description: "Success; diff: the two generations are the same; verify: the recorded source evaluates to this generation's store path (reproducible)." },
    { name: "notFound", code: 1, description: "No such generation, an argument that is no generation, (--field, reproduce) no metadata for it, or (previous) no record of the generation active before the current one." },
    { name: "differ", code: 1, description: "diff: the generations differ; verify: the recorded source evaluates to another store path (both are printed)." },
    { name: "trouble", code: 2, description: "diff: an error (no such generation, ...), like diff(1); verify: the generation cannot be verified (dirty tree, no commit, no flake URL or host name recorded, no such generation), saying why." },
    { name: "evalFailed", code: 3, description: "verify: the evaluation failed (or nix is missing); its first error message is printed." },
    { name: "notNixos", code: 69, description: "Not a NixOS system: neither /run/current-system nor a system profile exists (69 = EX_UNAVAILABLE); one line on stderr says so." },
    { name: "usage", code: 64, description: "Invalid arguments (64 = EX_USAGE, shared by every command but nixos-build-status)." },
  ],
  jsonOutputs: ["NixosMetadata", "GenerationList", "GenerationDiff", "GenerationDiffChange", "GenerationDiffCommit", "GenerationDiffInput", "GenerationDiffValue", "ClosureChange", "GenerationVerify", "ActivationHistory", "NixpkgsAudit"],
  prefix: "md",
  env: envList("NIXOS_PROVENANCE_ROOT", "NIXOS_PROVENANCE_STATE_DIR"),
  defaultMode: "human",
  subcommands: [
    { name: "show", default: true, args: [{ name: "GENERATION", optional: true, generation: true }], modes: ["human", "json", "export", "field"] },
    { name: "list", args: [], modes: ["human", "json"] },
    { name: "diff", args: [{ name: "A", generation: true }, { name: "B", optional: true, generation: true }], modes: ["human", "json"] },
    { name: "verify", args: [{ name: "N", optional: true, generation: true }], modes: ["human", "json"] },
    { name: "history", args: [], modes: ["human", "json"] },
    { name: "previous", args: [], modes: ["human"] },
    { name: "audit", args: [], modes: ["human", "json"] },
    { name: "reproduce", args: [{ name: "N", generation: true }], modes: ["human"] },
  ],
  examples: [
    { command: "nixos-metadata", description: "Metadata of the running system." },
    { command: "nixos-metadata 42 --field GIT_COMMIT", description: "The commit generation 42 was built from." },
    { command: "nixos-metadata list --json", description: "Every generation, as JSON." },
    { command: "nixos-metadata diff 41 42", description: "What changed between two generations: commit (with a compare link), inputs, NixOS and kernel versions, specialisations, packages." },
    { command: "nixos-metadata diff -1", description: "What changed from the generation before the current one to the current one." },
    { command: "nixos-metadata verify", description: "Does the recorded source of the running system still evaluate to it?" },
    { command: "nixos-metadata history -n 5", description: "The last five activations, newest first, with how long each generation ran." },
    { command: "nixos-metadata previous", description: "The generation that was active before the current one (for a rollback)." },
    { command: "nixos-metadata reproduce 42", description: "The commands that rebuild generation 42." },
    { command: "nixos-metadata audit", description: "Which nixpkgs revisions were used, by which generations." },
  ],
};

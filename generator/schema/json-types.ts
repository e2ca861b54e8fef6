/**
 * The one rule for generations in JSON output (issue 8), written once: the
 * generated docs state it (out/doc/commands.md, "JSON types") and
 * test/json-types.test.ts checks every JSON Schema in out/schema against it.
 */

/**
 * The seed's keys of `nixos-generation-info --json` (GenerationInfo, also
 * embedded in BuildStatus and BuildRecord): generations by label, `g42` /
 * `hm12`, and their numbers as strings in the `…Raw` keys, with `unknown` and
 * `none`, as the original tool printed them.
 */
export const seedGenerationKeys = {
  shape: "GenerationInfo",
  labels: ["generation", "latestGeneration", "homeManagerGeneration", "homeManagerLatestGeneration"],
  raw: ["generationRaw", "latestGenerationRaw", "homeManagerGenerationRaw", "homeManagerLatestGenerationRaw"],
};

/** Keys that echo a generation as the user gave it (`41`, `current`, `booted`, `latest`, `-1`): strings, never named …Generation. */
export const givenGenerationKeys: Record<string, string[]> = {
  GenerationDiff: ["from", "to"],
  GenerationVerify: ["given"],
};

/** The document a key named `generation`/`…Generation` may hold instead of a number: nixos-generation-info --json itself. */
export const generationDocument = "GenerationInfo";

/**
 * Keys that do not follow the rule yet, with why; the test requires each to
 * still be what is said here, so fixing one means removing it.
 */
export const pendingGenerationKeys: { shape: string; key: string; is: string; why: string }[] = [
  { shape: "BuildHistorySummary", key: "generation", is: "the record's generationAfter label (`g42`, `hm12`)", why: "to be renamed generationAfter: a change in templates/sh/parts/api.sh (get_build_history_summary), not made yet" },
];

export const generationRuleMarkdown = (): string => `## JSON types: generations

One rule for every JSON output (checked against each JSON Schema in \`out/schema\` by test/json-types.test.ts):

1. **The seed's keys of \`nixos-generation-info --json\`** keep the original tool's strings: ${seedGenerationKeys.labels.map((k) => `\`${k}\``).join(", ")} hold labels (\`"g42"\`, \`"hm12"\`, or \`"unknown"\` / \`"none"\`), and ${seedGenerationKeys.raw.map((k) => `\`${k}\``).join(", ")} the number as a string (\`"42"\`, or \`"unknown"\` / \`"none"\`). The same document is embedded as \`generation\` in \`nixos-build-status --json\` and as \`preGeneration\` / \`postGeneration\` in build records.
2. **Everywhere else, a key named \`generation\` or ending in \`Generation\` is a generation number**: a JSON integer, or \`null\` when there is none (not a generation of the profile, not known). \`nixos-metadata list --json\` and \`audit --json\` (\`generations\`: an array of integers), \`diff --json\` (\`fromGeneration\`, \`toGeneration\`), \`verify --json\`, \`history --json\`, the activation records and \`nixos-fleet-status --json\` all follow it. A key may instead hold that whole \`nixos-generation-info --json\` document (\`nixos-build-status\`'s \`generation\`).
3. **A generation as the user gave it** (\`41\`, \`current\`, \`booted\`, \`latest\`, \`-1\`) is echoed as a string, in keys that do not end in \`Generation\`: ${Object.entries(givenGenerationKeys).map(([shape, keys]) => `${shape} ${keys.map((k) => `\`${k}\``).join(", ")}`).join("; ")}.
4. A label naming a profile's generation outside the seed's keys is a string in a key that says what it is: the build record's \`generationBefore\` / \`generationAfter\` (\`"g41"\`, \`"hm12"\`).

Not following it yet: ${pendingGenerationKeys.map((p) => `${p.shape} \`${p.key}\` is ${p.is} (${p.why})`).join("; ")}.
`;

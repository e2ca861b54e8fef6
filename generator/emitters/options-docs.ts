/**
 * The option references of README.md and docs/integration.md, rendered from
 * the options table (model.options) that the modules' declarations come from.
 * Both files are only partly generated: each table goes between its marker
 * comments (generator/splice.ts) and the prose around it stays as written.
 */
import type { Emitter, OutputFile } from "./types.js";
import type { Model } from "../model.js";
import type { ModuleName, OptionSpec, OptionType } from "../schema/options.js";
import { markdownCell, markdownCode } from "../escape/markdown.js";
import { nixValue } from "../render.js";

/** A type in words, as the docs tables show it. */
export function typeWords(type: OptionType): string {
  switch (type.type) {
    case "bool": return "bool";
    case "str": return "string";
    case "package": return "package";
    case "anything": return "anything";
    case "positiveInt": return "positive int";
    case "strMatching": return `string matching ${type.pattern}`;
    case "enum": return `one of ${type.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "nullOr": return `null or ${typeWords(type.of)}`;
    case "attrsOf": return `attrs of ${typeWords(type.of)}`;
    case "submodule": return "submodule";
  }
}

function docType(option: OptionSpec): string {
  const words = option.docType ?? typeWords(option.type);
  return markdownCell(option.readOnly ? `${words}, read-only` : words);
}

function docDefault(option: OptionSpec): string {
  if (option.enable) return markdownCode("false");
  if (option.defaultText !== undefined) return markdownCode(option.defaultText);
  if (!option.default) return "";
  return markdownCode("value" in option.default ? nixValue(option.default.value).text : option.default.ref);
}

/** The description as the manual shows it, on one line. */
function docDescription(option: OptionSpec): string {
  const text = option.enable ? `Whether to enable ${option.description}.` : option.description;
  const example = option.example ? ` Example: ${markdownCode("value" in option.example ? nixValue(option.example.value).text : option.example.expression)}.` : "";
  return markdownCell(text.trim().replace(/\s*\n\s*/g, " ")) + example;
}

/** A module's options in table order, its `enable` first. */
function optionsOf(model: Pick<Model, "options">, module: ModuleName): OptionSpec[] {
  const mine = model.options.filter((o) => o.modules.includes(module));
  return [...mine.filter((o) => o.name === "enable"), ...mine.filter((o) => o.name !== "enable")];
}

/** README.md: one line per option. */
export function summaryTable(model: Pick<Model, "options">, module: ModuleName): string {
  const rows = optionsOf(model, module).map((o) => `| ${markdownCode(o.name)} | ${docType(o)} | ${docDefault(o)} | ${markdownCell(o.summary)} |`);
  return ["| Option | Type | Default | What it does |", "| --- | --- | --- | --- |", ...rows].join("\n") + "\n";
}

/** docs/integration.md: every option with its full description and example. */
export function referenceTable(model: Pick<Model, "options">, module: ModuleName): string {
  const rows = optionsOf(model, module).map((o) => `| ${markdownCode(o.name)} | ${docType(o)} | ${docDefault(o)} | ${docDescription(o)} |`);
  return ["| Option | Type | Default | Description |", "| --- | --- | --- | --- |", ...rows].join("\n") + "\n";
}

export const emitOptionDocs: Emitter = (model): OutputFile[] => [
  { path: "README.md", content: "", blocks: { "nixos-options": summaryTable(model, "nixos") } },
  {
    path: "docs/integration.md",
    content: "",
    blocks: { "nixos-options": referenceTable(model, "nixos"), "home-manager-options": referenceTable(model, "home-manager") },
  },
];

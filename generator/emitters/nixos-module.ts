/** modules/common.nix, modules/nixos.nix and modules/package.nix. */
import type { Emitter } from "./types.js";
import type { Model } from "../model.js";
import { Code } from "../escape/code.js";
import { urlPlaceholders } from "../config.js";
import { dotComponentPattern, safeDirectoryPattern, safeDirectoryWhat, systemDirectories, systemDirectoryPrefixes } from "../schema/paths.js";
import { createEnvironment, renderTemplate } from "../render.js";

const optionalNix = (v: string | null) => (v === null ? Code.of`null` : Code.nix(v));

/** Context shared by the templates of both modules' common option block. */
export function commonContext(model: Model) {
  const inputs = ["nixpkgs", "home-manager", ...model.trackedInputs];
  return {
    model,
    defaults: { sourceUrlTemplate: optionalNix(model.sourceUrlTemplate), flakeUrlTemplate: optionalNix(model.flakeUrlTemplate) },
    optionFields: model.optionFields,
    fieldNames: model.fields.map((f) => f.shellVar),
    descriptions: {
      inputs:
        `The configuration flake's inputs; the revisions of ${inputs.map((i) => `\`${i}\``).join(", ")} are recorded. ` +
        "Missing inputs and inputs without a revision (path inputs) are recorded as `unknown`.",
      sourceUrlTemplate:
        `Template of GIT_SOURCE_URL; \`null\` derives it from \`repository\`. Placeholders: ${urlPlaceholders.map((p) => `\`{${p}}\``).join(", ")}. ` +
        "A URL whose placeholders are not all known is recorded as `unknown`.",
      extraFields: model.optionFields.length
        ? `Values of the custom fields your provenance config marks as set per host: ${model.optionFields.map((f) => `\`${f.shellVar}\``).join(", ")}.`
        : "Values of the custom fields your provenance config marks as set per host (`option: true`); this configuration has none.",
      package: `The nixos-provenance runtime: ${model.commands.map((c) => `\`${c.name}\``).join(", ")}, lib/build-status.sh, man pages and completions.`,
    },
  };
}

export const emitNixosModule: Emitter = (model) => {
  const hb = createEnvironment();
  const context = {
    ...commonContext(model),
    libraryEtcPath: `/etc/${model.paths.libraryEtcName}`,
    libraryEtcName: model.paths.libraryEtcName,
    legacyEtcName: model.paths.legacyEtcName,
    legacyEtcPath: `/etc/${model.paths.legacyEtcName}`,
    metadataDefaultText: `{ ${model.fields.slice(0, 2).map((f) => `${f.shellVar} = "…";`).join(" ")} … }`,
    pathRule: { pattern: safeDirectoryPattern, dotPattern: dotComponentPattern, systemDirectories: [...systemDirectories], prefixes: [...systemDirectoryPrefixes], what: safeDirectoryWhat },
    // User and group names as useradd(8) takes them (no shell or unit-file syntax).
    accountNamePattern: "[a-z_][a-z0-9_-]*[$]?",
  };
  const packageContext = {
    model,
    version: model.packageVersion,
    summary: `Provenance of NixOS generations: ${model.commands.map((c) => c.name).join(", ")}`,
    // Words of a shell `for` list inside the Nix '' string; names are checked identifiers-with-dashes.
    commandWords: Code.join(model.commands.map((c) => Code.sh(c.name)), " "),
  };
  return [
    { path: "modules/common.nix", content: renderTemplate(hb, "nix/common.nix.hbs", commonContext(model)) },
    { path: "modules/nixos.nix", content: renderTemplate(hb, "nix/nixos.nix.hbs", context) },
    { path: "modules/package.nix", content: renderTemplate(hb, "nix/package.nix.hbs", packageContext) },
  ];
};

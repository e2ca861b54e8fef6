/** modules/nixos.nix and modules/package.nix. */
import type { Emitter } from "./types.js";
import { Code } from "../escape/code.js";
import { nixString } from "../escape/nix.js";
import { shellQuote } from "../escape/shell.js";
import { urlPlaceholders } from "../config.js";
import { createEnvironment, renderTemplate } from "../render.js";

export const emitNixosModule: Emitter = (model) => {
  const hb = createEnvironment();
  const optionalNix = (v: string | null) => (v === null ? Code.of`null` : Code.of`${nixString(v)}`);
  const inputs = ["nixpkgs", "home-manager", ...model.trackedInputs];
  const context = {
    model,
    defaults: { sourceUrlTemplate: optionalNix(model.sourceUrlTemplate), flakeUrlTemplate: optionalNix(model.flakeUrlTemplate) },
    optionFields: model.optionFields,
    descriptions: {
      inputs:
        `The configuration flake's inputs; the revisions of ${inputs.map((i) => `\`${i}\``).join(", ")} are recorded. ` +
        "Missing inputs and inputs without a revision (path inputs) are recorded as `unknown`.",
      sourceUrlTemplate:
        `Template of GIT_SOURCE_URL; \`null\` derives it from \`repository\`. Placeholders: ${urlPlaceholders.map((p) => `\`{${p}}\``).join(", ")}. ` +
        "A URL whose placeholders are not all known is recorded as `unknown`.",
    },
  };
  const packageContext = {
    model,
    version: "0.1.0",
    summary: "Provenance of NixOS generations: nixos-metadata, nixos-generation-info, nixos-build-status, nixos-build-wrapper",
    // Words of a shell `for` list inside the Nix '' string; names are checked identifiers-with-dashes.
    commandWords: Code.join(model.commands.map((c) => Code.of`${shellQuote(c.name)}`), " "),
  };
  return [
    { path: "modules/nixos.nix", content: renderTemplate(hb, "nix/nixos.nix.hbs", context) },
    { path: "modules/package.nix", content: renderTemplate(hb, "nix/package.nix.hbs", packageContext) },
  ];
};

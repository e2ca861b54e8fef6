/** modules/common.nix, modules/nixos.nix and modules/package.nix. */
import type { Emitter } from "./types.js";
import type { Model } from "../model.js";
import { Code } from "../escape/code.js";
import { createEnvironment, declarationProblems, moduleOptions, nixOptionDeclarations, renderTemplate } from "../render.js";

export const emitNixosModule: Emitter = (model) => {
  const hb = createEnvironment();
  const commonContext = {
    model,
    options: nixOptionDeclarations(moduleOptions(model, "common"), 2),
    fieldNames: model.fields.map((f) => f.shellVar),
  };
  const context = {
    model,
    options: nixOptionDeclarations(moduleOptions(model, "nixos"), 2),
    libraryEtcName: model.paths.libraryEtcName,
    legacyEtcName: model.paths.legacyEtcName,
    pathRule: model.pathRule,
  };
  const packageContext = {
    model,
    version: model.packageVersion,
    summary: `Provenance of NixOS generations: ${model.commands.map((c) => c.name).join(", ")}`,
    // Words of a shell `for` list inside the Nix '' string; names are checked identifiers-with-dashes.
    commandWords: Code.join(model.commands.map((c) => Code.sh(c.name)), " "),
  };
  return [
    { path: "modules/common.nix", content: renderTemplate(hb, "nix/common.nix.hbs", commonContext) },
    { path: "modules/nixos.nix", content: renderTemplate(hb, "nix/nixos.nix.hbs", context) },
    { path: "modules/package.nix", content: renderTemplate(hb, "nix/package.nix.hbs", packageContext) },
  ];
};

emitNixosModule.validate = (model: Model) => declarationProblems(model, "nixos", "modules/nixos.nix");

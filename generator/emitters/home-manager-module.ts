/** modules/home-manager.nix: the sibling of the NixOS module (shares common.nix and metadata.nix). */
import type { Emitter } from "./types.js";
import { metadataJsonProblems, type Model } from "../model.js";
import { createEnvironment, declarationProblems, moduleOptions, nixOptionDeclarations, renderTemplate } from "../render.js";

export const emitHomeManagerModule: Emitter = (model) => {
  const hb = createEnvironment();
  const context = {
    model,
    options: nixOptionDeclarations(moduleOptions(model, "home-manager"), 2),
    userShellVar: model.homeUserField.shellVar,
    userJsonKey: model.homeUserField.jsonKey,
    generationShellFile: model.homeGenerationFiles.shell,
    generationJsonFile: model.homeGenerationFiles.json,
  };
  return [{ path: "modules/home-manager.nix", content: renderTemplate(hb, "nix/home-manager.nix.hbs", context) }];
};

emitHomeManagerModule.validate = (model: Model) => [
  ...declarationProblems(model, "home-manager", "modules/home-manager.nix"),
  ...metadataJsonProblems(model, "home-manager").map((p) => `modules/home-manager.nix: ${p}`),
];

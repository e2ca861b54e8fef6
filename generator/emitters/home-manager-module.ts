/** modules/home-manager.nix: the sibling of the NixOS module (shares common.nix and metadata.nix). */
import type { Emitter } from "./types.js";
import { createEnvironment, renderTemplate } from "../render.js";
import { commonContext } from "./nixos-module.js";

/** The one field a Home Manager generation records beyond the schema's: whose it is. */
export const homeUserField = { shellVar: "HOME_MANAGER_USER", jsonKey: "homeManagerUser" } as const;

export const emitHomeManagerModule: Emitter = (model) => {
  const hb = createEnvironment();
  const context = {
    ...commonContext(model),
    userShellVar: homeUserField.shellVar,
    userJsonKey: homeUserField.jsonKey,
    metadataDefaultText: `{ ${model.fields.slice(0, 2).map((f) => `${f.shellVar} = "…";`).join(" ")} … ${homeUserField.shellVar} = config.home.username; }`,
  };
  return [{ path: "modules/home-manager.nix", content: renderTemplate(hb, "nix/home-manager.nix.hbs", context) }];
};

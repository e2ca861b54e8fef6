/** out/bin/<command> for every command of the schema, and out/lib/build-status.sh. */
import type { Emitter } from "./types.js";
import { createEnvironment, renderTemplate } from "../render.js";

export const emitShellCommands: Emitter = (model) => {
  const hb = createEnvironment();
  return model.commands.map((command) => ({
    path: `out/bin/${command.name}`,
    content: renderTemplate(hb, `sh/bin/${command.name}.sh.hbs`, { model, command }),
    executable: true,
  }));
};

export const emitShellLibrary: Emitter = (model) => {
  const hb = createEnvironment();
  return [{ path: "out/lib/build-status.sh", content: renderTemplate(hb, "sh/lib/build-status.sh.hbs", { model }) }];
};

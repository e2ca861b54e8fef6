/** The whole pipeline as one function: config file → model → files. */
import { defaultSchema } from "./schema/index.js";
import { loadConfig } from "./config.js";
import { resolveModel, type Model } from "./model.js";
import { emitAll } from "./emitters/index.js";
import type { OutputFile } from "./emitters/types.js";

export function buildModel(configFile?: string): Model {
  return resolveModel(defaultSchema, configFile ? loadConfig(configFile) : undefined);
}

export function generateFiles(configFile?: string): OutputFile[] {
  return emitAll(buildModel(configFile));
}

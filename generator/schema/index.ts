import type { Schema } from "./types.js";
import { defaultFields } from "./fields.js";
import { libraryFunctions } from "./library.js";
import { defaultJsonShapes } from "./json-shapes.js";
import { nixosMetadata } from "./commands/nixos-metadata.js";
import { nixosGenerationInfo } from "./commands/nixos-generation-info.js";
import { nixosBuildStatus } from "./commands/nixos-build-status.js";
import { nixosBuildWrapper } from "./commands/nixos-build-wrapper.js";
import { nixosProvenanceActivate } from "./commands/nixos-provenance-activate.js";
import { nixosFleetStatus, fleetHostShape, fleetStatusShape } from "./commands/nixos-fleet-status.js";

export * from "./types.js";

/** The embedded default schema: what `npm run generate` uses with no config file. */
export const defaultSchema: Schema = {
  schemaVersion: 1,
  fields: defaultFields,
  trackedInputs: [],
  sourceUrlTemplate: null,
  flakeUrlTemplate: null,
  commands: [nixosMetadata, nixosGenerationInfo, nixosBuildStatus, nixosBuildWrapper, nixosFleetStatus, nixosProvenanceActivate],
  library: libraryFunctions,
  jsonShapes: [...defaultJsonShapes, fleetHostShape, fleetStatusShape],
  runtime: { logDir: "/var/log/nixos-builds", historyLength: 100 },
};

import type { JsonShapeSpec } from "./types.js";
import { generationInfoShape } from "./shapes/generation-info.js";
import { generationListShape, generationDiffShape, nixpkgsAuditShape } from "./shapes/generation-list.js";
import { buildRecordShape } from "./shapes/build-record.js";
import { buildStatusShape } from "./shapes/build-status.js";

/** Every JSON document the commands print, one file per shape under shapes/. */
export const defaultJsonShapes: JsonShapeSpec[] = [generationInfoShape, generationListShape, generationDiffShape, nixpkgsAuditShape, buildRecordShape, buildStatusShape];

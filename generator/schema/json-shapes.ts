import type { JsonShapeSpec } from "./types.js";
import { generationInfoShape, waybarShape, i3statusRsShape } from "./shapes/generation-info.js";
import { generationListShape, generationDiffShape, generationDiffChangeShape, generationDiffCommitShape, generationDiffInputShape, generationDiffValueShape, closureChangeShape, nixpkgsAuditShape } from "./shapes/generation-list.js";
import { generationVerifyShape } from "./shapes/verify.js";
import { activationRecordShape, activationHistoryShape } from "./shapes/activation.js";
import { buildRecordShape, buildHistorySummaryShape } from "./shapes/build-record.js";
import { buildStatusShape } from "./shapes/build-status.js";

/** Every JSON document the commands print, one file per shape under shapes/. */
export const defaultJsonShapes: JsonShapeSpec[] = [
  generationInfoShape,
  waybarShape,
  i3statusRsShape,
  generationListShape,
  generationDiffShape,
  generationDiffChangeShape,
  generationDiffCommitShape,
  generationDiffInputShape,
  generationDiffValueShape,
  closureChangeShape,
  generationVerifyShape,
  activationRecordShape,
  activationHistoryShape,
  nixpkgsAuditShape,
  buildRecordShape,
  buildHistorySummaryShape,
  buildStatusShape,
];

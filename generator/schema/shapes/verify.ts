import type { JsonShapeSpec } from "../types.js";
import { str, int, nullable, obj } from "./build.js";

/** `nixos-metadata verify [N] --json`: does the recorded source evaluate to this generation? */
export const generationVerifyShape: JsonShapeSpec = {
  name: "GenerationVerify",
  description: "Whether a generation's recorded source (flake URL or a local checkout at the recorded commit) evaluates to the generation's own store path.",
  writer: { prefix: "gv" },
  shape: obj("A verification.", {
    given: str("The generation as given (`current`, `42`, `-1`, ...)."),
    generation: nullable(int("Its number; null when it is no generation of the profile.")),
    result: str("`reproducible` (exit 0), `differs` (exit 1), `unverifiable` (exit 2: see reason) or `error` (exit 3: see error).", { enum: ["reproducible", "differs", "unverifiable", "error"] }),
    storePath: str("The generation's store path."),
    evaluatedPath: nullable(str("The store path the recorded source evaluates to; null when it was not evaluated or the evaluation failed.")),
    flakeRef: nullable(str("The flake reference evaluated; null when unverifiable.")),
    attribute: nullable(str("The attribute evaluated (`nixosConfigurations.<host>.config.system.build.toplevel.outPath`); null when unverifiable.")),
    reason: nullable(str("Why the generation cannot be verified (unverifiable only).")),
    error: nullable(str("The first error message of the evaluation (error only).")),
  }),
};

import type { Model } from "../model.js";

/** One file an emitter produces, relative to the output root. */
export interface OutputFile {
  path: string;
  content: string;
  executable?: boolean;
}

/** Every emitter has this signature: the resolved model in, files out. Pure. */
export type Emitter = (model: Model) => OutputFile[];

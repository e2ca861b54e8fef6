import type { Model } from "../model.js";

/** One file an emitter produces, relative to the output root. */
export interface OutputFile {
  path: string;
  /** The whole file; empty for a partly generated file (`blocks`). */
  content: string;
  executable?: boolean;
  /**
   * A partly generated file (README.md, docs/*.md): each block's text goes
   * between its marker comments in the file as it stands (generator/splice.ts);
   * the rest of the file is left alone. Skipped where the file does not exist
   * (an --out tree has no README).
   */
  blocks?: Record<string, string>;
}

/**
 * Every emitter has this signature: the resolved model in, files out. Pure.
 * `validate`, when present, runs before any emitter and returns problems
 * (file, name, what is wrong); any problem stops the run before a file is written.
 */
export type Emitter = ((model: Model) => OutputFile[]) & { validate?: (model: Model) => string[] };

/** The schema and the sources disagree; every problem found, one per line. */
export class SchemaValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`the schema and the runtime sources disagree:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "SchemaValidationError";
  }
}

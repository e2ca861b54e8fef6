/**
 * Writing the generated tree without ever leaving it half-written: everything
 * is rendered into a staging directory next to the targets, then each output
 * root (modules/, out/) is swapped in with renames. A failure before the swap
 * leaves the previous output untouched; a failure during it puts back what was
 * already swapped. Every failure is an OutputError with a one-line message.
 */
import { accessSync, constants, mkdirSync, mkdtempSync, writeFileSync, renameSync, rmSync, existsSync, readFileSync, readdirSync, statSync, chmodSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import type { OutputFile } from "./emitters/types.js";
import { spliceBlocks } from "./splice.js";

/** The output directory cannot be prepared or written; the previous output is untouched. */
export class OutputError extends Error {
  constructor(readonly dir: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`cannot write into ${dir}: ${reason.replace(/\s*\n\s*/g, " ")} (nothing was written)`);
    this.name = "OutputError";
  }
}

/**
 * Make sure `dir` is a directory we can create, one component at a time.
 * (mkdirSync's `recursive` loops forever on some paths, e.g. /proc/foo, where
 * mkdir keeps failing with ENOENT under an existing parent.)
 */
export function prepareOutDir(dir: string): void {
  for (const path of checkOutDir(dir)) {
    try {
      mkdirSync(path);
    } catch (error) {
      throw new OutputError(dir, error);
    }
  }
}

/**
 * Check, without writing, that `dir` is or can become a directory: the
 * nearest existing ancestor must be a directory we may write into. Returns
 * the directories still to create, outermost first.
 */
export function checkOutDir(dir: string): string[] {
  const missing: string[] = [];
  let at = dir;
  for (;;) {
    let stat;
    try {
      stat = statSync(at);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw new OutputError(dir, error);
      const parent = dirname(at);
      if (parent === at) throw new OutputError(dir, error);
      missing.unshift(at);
      at = parent;
      continue;
    }
    if (!stat.isDirectory()) throw new OutputError(dir, new Error(`${at} is not a directory`));
    try {
      accessSync(at, constants.W_OK | constants.X_OK);
    } catch (error) {
      throw new OutputError(dir, error);
    }
    return missing;
  }
}

/** The top-level directories the generator owns; nothing else is ever touched (partly generated files are not owned). */
export function outputRoots(files: OutputFile[]): string[] {
  return [...new Set(files.filter((f) => !f.blocks).map((f) => f.path.split("/")[0] ?? ""))].sort();
}

/** Each partly generated file that exists under `dir`, with its blocks spliced in: [path, current text, new text]. */
function splicedFiles(dir: string, files: OutputFile[]): [string, string, string][] {
  return files.flatMap((file): [string, string, string][] => {
    if (!file.blocks) return [];
    const path = join(dir, file.path);
    if (!existsSync(path)) return [];
    const current = readFileSync(path, "utf8");
    return [[path, current, spliceBlocks(file.path, current, file.blocks)]];
  });
}

function writeTree(dir: string, files: OutputFile[]): void {
  for (const file of files) {
    const target = join(dir, file.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.content);
    chmodSync(target, file.executable ? 0o755 : 0o644);
  }
}

export function writeOutput(outDir: string, files: OutputFile[]): void {
  prepareOutDir(outDir);
  // Every splice is worked out before anything is written: a missing marker stops the run here.
  let spliced: [string, string, string][];
  try {
    spliced = splicedFiles(outDir, files).filter(([, current, next]) => current !== next);
  } catch (error) {
    throw new OutputError(outDir, error);
  }
  const whole = files.filter((f) => !f.blocks);
  let staging: string;
  try {
    staging = mkdtempSync(join(outDir, ".gen-staging-"));
  } catch (error) {
    throw new OutputError(outDir, error);
  }
  const swapped: string[] = [];
  try {
    writeTree(staging, whole);
    // Next to their targets, so that the renames below are atomic.
    for (const [path, , next] of spliced) writeFileSync(`${path}.gen-splice`, next);
    for (const root of outputRoots(whole)) {
      const target = join(outDir, root);
      const old = join(staging, `${root}.old`);
      if (existsSync(target)) renameSync(target, old);
      try {
        renameSync(join(staging, root), target);
      } catch (error) {
        if (existsSync(old)) renameSync(old, target);
        throw error;
      }
      swapped.push(root);
    }
    for (const [path] of spliced) renameSync(`${path}.gen-splice`, path);
  } catch (error) {
    for (const [path] of spliced) rmSync(`${path}.gen-splice`, { force: true });
    // Put back the roots already swapped: the output stays the previous one as a whole.
    for (const root of swapped.reverse()) {
      const target = join(outDir, root);
      const old = join(staging, `${root}.old`);
      try {
        renameSync(target, join(staging, `${root}.new`));
        if (existsSync(old)) renameSync(old, target);
      } catch {
        // Nothing more can be done; the error below is what the user sees.
      }
    }
    throw error instanceof OutputError ? error : new OutputError(outDir, error);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

function listFiles(dir: string, base = dir): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? listFiles(full, base) : [relative(base, full)];
  });
}

/** Differences between what would be generated and what is on disk (for --check). */
export function diffOutput(outDir: string, files: OutputFile[]): string[] {
  const problems: string[] = [];
  const wanted = new Map(files.map((f) => [f.path, f]));
  try {
    for (const [path, current, next] of splicedFiles(outDir, files)) if (current !== next) problems.push(`stale: ${relative(outDir, path)}`);
  } catch (error) {
    problems.push(`stale: ${error instanceof Error ? error.message : String(error)}`);
  }
  for (const file of files.filter((f) => !f.blocks)) {
    const path = join(outDir, file.path);
    if (!existsSync(path)) problems.push(`missing: ${file.path}`);
    else if (readFileSync(path, "utf8") !== file.content) problems.push(`stale: ${file.path}`);
    else if (Boolean(statSync(path).mode & 0o100) !== Boolean(file.executable)) problems.push(`mode: ${file.path}`);
  }
  for (const root of outputRoots(files)) {
    for (const path of listFiles(join(outDir, root))) {
      const rel = `${root}/${path}`;
      if (!wanted.has(rel)) problems.push(`extra: ${rel}`);
    }
  }
  return problems;
}

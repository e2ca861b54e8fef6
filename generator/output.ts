/**
 * Writing the generated tree without ever leaving it half-written: everything
 * is rendered into a staging directory next to the targets, then each output
 * root (modules/, out/) is swapped in with renames. A failure before the swap
 * leaves the previous output untouched.
 */
import { mkdirSync, mkdtempSync, writeFileSync, renameSync, rmSync, existsSync, readFileSync, readdirSync, statSync, chmodSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import type { OutputFile } from "./emitters/types.js";

/** The top-level directories the generator owns; nothing else is ever touched. */
export function outputRoots(files: OutputFile[]): string[] {
  return [...new Set(files.map((f) => f.path.split("/")[0] ?? ""))].sort();
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
  mkdirSync(outDir, { recursive: true });
  const staging = mkdtempSync(join(outDir, ".gen-staging-"));
  try {
    writeTree(staging, files);
    for (const root of outputRoots(files)) {
      const target = join(outDir, root);
      const old = join(staging, `${root}.old`);
      if (existsSync(target)) renameSync(target, old);
      renameSync(join(staging, root), target);
    }
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
  for (const file of files) {
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

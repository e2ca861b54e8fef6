/** Running Nix offline: nix-instantiate as root with no daemon (NIX_REMOTE empty). */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { outerTmpdir } from "./fixture.js";

export function nixInstantiate(args: string[], cwd?: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync("nix-instantiate", args, {
    encoding: "utf8",
    cwd,
    env: { ...process.env, NIX_REMOTE: "" },
    timeout: 60_000,
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Evaluate an expression strictly and return its value as JSON (via builtins.toJSON). */
export function nixEvalJson(expression: string, cwd?: string): unknown {
  const result = nixInstantiate(["--eval", "--strict", "--json", "-E", expression], cwd);
  if (result.status !== 0) throw new Error(`nix-instantiate failed:\n${result.stderr}`);
  return JSON.parse(result.stdout);
}

/**
 * The real nixpkgs lib (25.05) and Home Manager (release-25.05) trees: from
 * NIXPKGS_LIB_SRC / HOME_MANAGER_SRC when set, else unpacked once from
 * ../shared/vendor/*.tar.xz into a cache directory. null when neither is
 * there (an outside checkout); under CI=true that is an error instead.
 */
export interface VendorTrees {
  /** Directory holding lib/default.nix. */
  nixpkgsLib: string;
  /** Directory holding modules/default.nix and nixos/default.nix. */
  homeManager: string;
}

const vendorDir = `${projectRootOf()}../shared/vendor`;
let vendorCache: VendorTrees | null | undefined;

function projectRootOf(): string {
  return fileURLToPath(new URL("../../../", import.meta.url));
}

function unpacked(tarball: string, folder: string): string | null {
  const file = `${vendorDir}/${tarball}`;
  if (!existsSync(file)) return null;
  const stamp = statSync(file);
  const dest = join(outerTmpdir(), `nixos-provenance-vendor-${stamp.size}-${Math.floor(stamp.mtimeMs)}`);
  if (existsSync(join(dest, folder))) return join(dest, folder);
  // Unpack beside the destination and rename: a concurrent run never sees half a tree.
  mkdirSync(dest, { recursive: true });
  const scratch = mkdtempSync(join(dest, ".unpack-"));
  const r = spawnSync("tar", ["-xJf", file, "-C", scratch], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`tar -xJf ${file}: ${r.stderr}`);
  try {
    renameSync(join(scratch, folder), join(dest, folder));
  } catch (error) {
    if (!existsSync(join(dest, folder))) throw error;
  }
  rmSync(scratch, { recursive: true, force: true });
  return join(dest, folder);
}

export function vendorTrees(): VendorTrees | null {
  if (vendorCache !== undefined) return vendorCache;
  const nixpkgsLib = process.env.NIXPKGS_LIB_SRC || unpacked("nixpkgs-lib-25.05.tar.xz", "nixpkgs-lib");
  const homeManager = process.env.HOME_MANAGER_SRC || unpacked("home-manager-25.05.tar.xz", "home-manager");
  vendorCache = nixpkgsLib && homeManager ? { nixpkgsLib, homeManager } : null;
  if (vendorCache === null && process.env.CI === "true") {
    throw new Error(`the real nixpkgs lib and Home Manager are needed under CI=true: set NIXPKGS_LIB_SRC and HOME_MANAGER_SRC, or provide ${vendorDir}/*.tar.xz`);
  }
  return vendorCache;
}

/** Why the real-module tests cannot run here (printed with the skipped tests), or null. */
export function vendorMissing(): string | null {
  return vendorTrees() === null ? `no nixpkgs lib / Home Manager trees (NIXPKGS_LIB_SRC, HOME_MANAGER_SRC, ${vendorDir})` : null;
}

/**
 * Evaluate `expression` with `lib` (the real nixpkgs lib) and `hm` (Home
 * Manager's tree) in scope, strictly, to JSON. Read-write mode: the
 * derivations it computes (toplevel, activationPackage) are instantiated.
 */
export function nixEvalReal(expression: string): { ok: true; value: any } | { ok: false; stderr: string } {
  const trees = vendorTrees();
  if (!trees) throw new Error("nixEvalReal without the vendor trees");
  const full = `let lib = import ${trees.nixpkgsLib}/lib; hm = ${trees.homeManager}; eco = ${projectRootOf()}test/eco; in ${expression}`;
  const result = spawnSync("nix-instantiate", ["--eval", "--strict", "--json", "--read-write-mode", "-E", full], {
    encoding: "utf8",
    env: { ...process.env, NIX_REMOTE: "", NIXPKGS_LIB_SRC: trees.nixpkgsLib },
    timeout: 300_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  if (result.status !== 0) return { ok: false, stderr: result.stderr };
  return { ok: true, value: JSON.parse(result.stdout) };
}

/**
 * PATH control for the build-tracking tests: the fake tools of test/fakes,
 * and a "system" bin directory that holds everything of the machine's
 * /usr/bin, /bin, /usr/sbin, /sbin except the tools the fakes stand for, so a
 * test decides exactly which of nh, nom, nix, systemctl, ... exist.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, symlinkSync, writeFileSync, chmodSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot } from "./shells.js";

export const fakesDir = `${projectRoot}test/fakes`;
export const fakeTools = ["nh", "nixos-rebuild", "home-manager", "nom", "systemctl", "journalctl", "nix"] as const;
export type FakeTool = (typeof fakeTools)[number];

let sysbinCache: string | undefined;
const made: string[] = [];
process.on("exit", () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/**
 * The machine's commands minus the faked ones (and anything nix-*). Built
 * once per process, or once per `npm test` when test/run.ts shares a
 * directory through NIXPROV_TEST_SHARED (2,500 symlinks cost ~0.4 s each time).
 */
export function sysbin(): string {
  if (sysbinCache) return sysbinCache;
  const shared = process.env.NIXPROV_TEST_SHARED;
  const final = shared ? join(shared, "sysbin") : undefined;
  if (final && existsSync(final)) return (sysbinCache = final);
  const dir = mkdtempSync(join(shared ?? tmpdir(), "nixprov-sysbin-"));
  const seen = new Set<string>();
  for (const src of ["/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin"]) {
    if (!existsSync(src)) continue;
    for (const name of readdirSync(src)) {
      if (seen.has(name)) continue;
      seen.add(name);
      if ((fakeTools as readonly string[]).includes(name) || name.startsWith("nix") || name === "nh") continue;
      symlinkSync(join(src, name), join(dir, name));
    }
  }
  if (!final) {
    made.push(dir);
    return (sysbinCache = dir);
  }
  // Complete before it is visible: renamed into place; another test file may have won the race.
  try {
    renameSync(dir, final);
  } catch {
    rmSync(dir, { recursive: true, force: true });
  }
  return (sysbinCache = final);
}

/** A directory with the chosen fakes (and extra scripts given by name → text). */
export function toolDir(tools: readonly FakeTool[], extra: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "nixprov-tools-"));
  made.push(dir);
  symlinkSync(join(fakesDir, "_build.sh"), join(dir, "_build.sh"));
  for (const tool of tools) symlinkSync(join(fakesDir, tool), join(dir, tool));
  for (const [name, text] of Object.entries(extra)) {
    writeFileSync(join(dir, name), text);
    chmodSync(join(dir, name), 0o755);
  }
  return dir;
}

/** PATH: fakes first, then (optionally) the generated commands, then the system. */
export function buildPath(tools: string, withOutBin = true): string {
  return [tools, ...(withOutBin ? [`${projectRoot}out/bin`] : []), sysbin()].join(":");
}

export function mkdirp(path: string): string {
  mkdirSync(path, { recursive: true });
  return path;
}

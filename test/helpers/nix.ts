/** Running Nix offline: nix-instantiate as root with no daemon (NIX_REMOTE empty). */
import { spawnSync } from "node:child_process";

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

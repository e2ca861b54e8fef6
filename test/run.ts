/**
 * `npm test`: runs every test file (test/*.test.ts, compiled by tsc) under uvu,
 * its output, and ends with the plain line "N passed, N failed" that CI reads.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const buildTest = fileURLToPath(new URL(".", import.meta.url));
const uvu = fileURLToPath(new URL("../../node_modules/uvu/bin.js", import.meta.url));
const pattern = process.argv[2] ?? "\\.test\\.js$";

const child = spawn(process.execPath, [uvu, buildTest, pattern], { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1" } });
let tail = "";
child.stdout.on("data", (chunk: Buffer) => {
  process.stdout.write(chunk);
  tail = (tail + chunk.toString("utf8")).slice(-4096);
});
child.on("close", (code) => {
  const total = Number(/Total:\s+(\d+)/.exec(tail)?.[1] ?? 0);
  const passed = Number(/Passed:\s+(\d+)/.exec(tail)?.[1] ?? 0);
  const failed = code === 0 ? total - passed : Math.max(total - passed, 1);
  process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
  process.exitCode = code === 0 && total > 0 ? 0 : 1;
});

/**
 * `npm test`: runs every test file (test/*.test.ts, compiled by tsc) under uvu,
 * each in its own node process, a few at a time (TEST_JOBS, default: twice
 * the number of CPUs, at least 2 and at most 8: many files spend seconds
 * waiting on locks, timeouts and servers). Each file's output is printed
 * whole when it finishes, then a table of per-file times, and last the plain
 * line "N passed, N failed, N skipped" that CI reads. An optional argument is
 * a regex on the test file's path under build/test (e.g. 'eco-nix').
 */
import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const buildTest = fileURLToPath(new URL(".", import.meta.url));
/** Last run's durations by file, to start the slowest files first. */
const timesFile = join(buildTest, "..", ".test-times.json");
const pattern = new RegExp(process.argv[2] ?? "\\.test\\.js$");
const jobs = Number(process.env.TEST_JOBS) || Math.min(8, Math.max(2, 2 * availableParallelism()));
/**
 * The test files' TMPDIR: a directory in /dev/shm when there is one. The
 * fixture trees are thousands of small files, links and directories made and
 * removed again; on this machine's ext4 (mounted with `discard`) that was the
 * largest system-time cost of the run (generation-info.test: 1.9–3.3 s of
 * system time in node alone, 0.5–0.65 s on tmpfs). Mode 1777, as /tmp: the
 * tests that run commands as another user reach their fixtures through it.
 */
function scratchBase(): string {
  for (const base of ["/dev/shm", tmpdir()]) {
    try {
      const dir = mkdtempSync(join(base, "nixprov-test-run-"));
      chmodSync(dir, 0o1777);
      return dir;
    } catch {
      // not there or not writable: the next one
    }
  }
  throw new Error(`cannot make a scratch directory in /dev/shm or ${tmpdir()}`);
}
const scratch = scratchBase();
process.on("exit", () => rmSync(scratch, { recursive: true, force: true }));
/** Read-only fixtures the test files may share (test/helpers/build-env.ts's sysbin). */
const shared = join(scratch, "shared");
mkdirSync(shared);

interface FileResult {
  file: string;
  total: number;
  passed: number;
  skipped: number;
  failed: number;
  seconds: number;
  /** Seconds from the start of the run to the file's start. */
  startedAt: number;
}

function testFiles(dir: string, prefix = ""): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const rel = prefix + entry.name;
    if (entry.isDirectory()) return testFiles(join(dir, entry.name), `${rel}/`);
    return rel.endsWith(".test.js") && pattern.test(rel) ? [rel] : [];
  });
}

/**
 * Seconds each file took in a full run, checked in: a fresh checkout (CI)
 * has no build/.test-times.json yet, and the slowest files must still start
 * first (started last, generation-scenarios ran alone for its last 9 s on
 * one of the two CPUs). Refresh: cp build/.test-times.json test/durations.json
 */
const checkedInTimes = join(buildTest, "..", "..", "test", "durations.json");

function readTimes(file: string): Record<string, number> {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Record<string, number>;
  } catch {
    return {};
  }
}

function lastTimes(): Record<string, number> {
  return { ...readTimes(checkedInTimes), ...readTimes(timesFile) };
}

/** Run one file under uvu (a test file runs its suite when executed); resolve with its counts. */
function runFile(file: string): Promise<FileResult> {
  const started = process.hrtime.bigint();
  const startedAt = Number(started - runStarted) / 1e9;
  // NIXPROV_OUTER_TMPDIR: the TMPDIR of the run itself (the vendor trees are kept there across runs).
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", NIXPROV_TEST_SHARED: shared, TMPDIR: scratch, NIXPROV_OUTER_TMPDIR: process.env.NIXPROV_OUTER_TMPDIR ?? tmpdir() };
  delete env.FORCE_COLOR; // node warns when both are set
  const child = spawn(process.execPath, [join(buildTest, file)], { stdio: ["ignore", "pipe", "pipe"], env });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  return new Promise((resolve) => {
    let exitCode: number | null = null;
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const count = (label: string) => Number(new RegExp(`^\\s*${label}:\\s+(\\d+)`, "m").exec(output)?.[1] ?? 0);
      const total = count("Total");
      const passed = count("Passed");
      const skipped = count("Skipped");
      // A file that crashed, or exited non-zero with every test passing, is one failure.
      const failed = Math.max(total - passed, exitCode === 0 && /^\s*Total:/m.test(output) ? 0 : 1);
      process.stdout.write(`\n── ${file} (${seconds.toFixed(1)} s)\n${output}`);
      resolve({ file, total, passed, skipped, failed, seconds, startedAt });
    };
    child.on("close", (code, signal) => {
      exitCode = signal ? 1 : code;
      finish();
    });
    // A grandchild left running with our pipes open must not hold the run up.
    child.on("exit", (code, signal) => {
      exitCode = signal ? 1 : code;
      setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        finish();
      }, 2000).unref();
    });
  });
}

const runStarted = process.hrtime.bigint();

async function main(): Promise<void> {
  const previous = lastTimes();
  const size = (file: string) => statSync(join(buildTest, file)).size / 4000; // ~seconds per 4 kB, for files never timed
  const queue = testFiles(buildTest).sort((a, b) => (previous[b] ?? size(b)) - (previous[a] ?? size(a)));
  const results: FileResult[] = [];
  const worker = async () => {
    for (let file = queue.shift(); file !== undefined; file = queue.shift()) results.push(await runFile(file));
  };
  await Promise.all(Array.from({ length: jobs }, worker));

  const wall = Number(process.hrtime.bigint() - runStarted) / 1e9;
  results.sort((a, b) => b.seconds - a.seconds);
  process.stdout.write(`\nPer file (${jobs} at a time, ${wall.toFixed(1)} s wall):\n`);
  for (const r of results) process.stdout.write(`  ${r.seconds.toFixed(1).padStart(6)} s  ${r.file}  (from ${r.startedAt.toFixed(1)} s to ${(r.startedAt + r.seconds).toFixed(1)} s)\n`);
  writeFileSync(timesFile, JSON.stringify({ ...previous, ...Object.fromEntries(results.map((r) => [r.file, Number(r.seconds.toFixed(2))])) }, null, 1) + "\n");

  const sum = (key: "passed" | "failed" | "skipped") => results.reduce((n, r) => n + r[key], 0);
  const failed = sum("failed");
  process.stdout.write(`\n${sum("passed")} passed, ${failed} failed, ${sum("skipped")} skipped\n`);
  process.exitCode = failed === 0 && results.some((r) => r.total > 0) ? 0 : 1;
}

await main();

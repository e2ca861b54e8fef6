/**
 * The console examples of README.md, docs/runtime.md and docs/build-tracking.md
 * are real runs (issue 8 §3): every ```console block whose commands are the
 * runtime's (nixos-*, or `eval "$(nixos-…)"`) is run on the demo's machine
 * (demo/demo.sh: 12 generations, the newest dirty, booted into 10, Home
 * Manager behind) and its output compared with what the page shows. The
 * machine's root is cut from the output, so paths read as on a real system,
 * and ISO 8601 times (of the builds the demo records) are compared as <time>.
 * Blocks of other commands (npm, nix) are not run here.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { projectRoot } from "./helpers/shells.js";
import { defaultFields } from "../generator/schema/fields.js";

export interface ConsoleExample { file: string; line: number; command: string; output: string }

/** The `$ command` lines of every ```console block in TEXT, each with the lines printed after it. */
export function consoleExamples(file: string, text: string): ConsoleExample[] {
  const out: ConsoleExample[] = [];
  const lines = text.split("\n");
  let inBlock = false;
  let current: ConsoleExample | null = null;
  lines.forEach((line, i) => {
    if (!inBlock) {
      if (line.trim() === "```console") inBlock = true;
      return;
    }
    if (line.trim() === "```") {
      inBlock = false;
      if (current) out.push(current);
      current = null;
      return;
    }
    if (line.startsWith("$ ")) {
      if (current) out.push(current);
      current = { file, line: i + 1, command: line.slice(2), output: "" };
    } else if (current) current.output += `${line}\n`;
  });
  return out;
}

const runsHere = (command: string) => /^(nixos-[a-z-]+( |$)|eval "\$\(nixos-)/.test(command);

test("consoleExamples: commands, their output, several per block, blocks of other languages ignored", () => {
  const text = "x\n```console\n$ a 1\none\ntwo\n$ b\n```\n```sh\n$ not this\n```\n```console\n$ c\n\n```\n";
  assert.equal(consoleExamples("f", text), [
    { file: "f", line: 3, command: "a 1", output: "one\ntwo\n" },
    { file: "f", line: 6, command: "b", output: "" },
    { file: "f", line: 12, command: "c", output: "\n" },
  ]);
});

test("every runtime console example in the README and the docs prints what it shows, on the demo machine", () => {
  const root = mkdtempSync(join(tmpdir(), "nixprov-docdemo-"));
  try {
    const demo = spawnSync("sh", [`${projectRoot}demo/demo.sh`, root], { encoding: "utf8", timeout: 30_000, env: { ...process.env, TZ: "UTC" } });
    assert.is(demo.status, 0, demo.stderr);
    // The system's tools but the ones whose answers are the host's own
    // (systemd, the journal, nix): what the pages show is the demo machine's.
    const bin = join(root, "docs-bin");
    mkdirSync(bin);
    for (const dir of ["/usr/bin", "/bin"]) {
      for (const name of readdirSync(dir)) {
        if (/^(journalctl|systemctl|nix(-.*)?)$/.test(name) || existsSync(join(bin, name))) continue;
        symlinkSync(join(dir, name), join(bin, name));
      }
    }
    const env: Record<string, string> = {
      PATH: `${projectRoot}out/bin:${bin}`,
      NIXOS_PROVENANCE_ROOT: root,
      HOME: join(root, "home/alice"),
      USER: "alice",
      NIXOS_PROVENANCE_LOG_DIR: join(root, "var/log/nixos-builds"),
      NIXOS_PROVENANCE_NO_CACHE: "1",
      LC_ALL: "C.UTF-8",
      TZ: "UTC",
    };
    let ran = 0;
    for (const file of ["README.md", "docs/runtime.md", "docs/build-tracking.md"]) {
      for (const example of consoleExamples(file, readFileSync(`${projectRoot}${file}`, "utf8"))) {
        if (!runsHere(example.command)) continue;
        const r = spawnSync("sh", ["-c", `${example.command} 2>&1`], { encoding: "utf8", env, cwd: root, timeout: 10_000 });
        // The demo's builds are recorded when it runs: their times are the one thing a page cannot show.
        const times = (text: string) => text.replace(/\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d\b/g, "<time>");
        // A field the schema gained after a page was written shows in the output
        // (`  NAME   value` lines, or the shell/JSON forms); the page is held to the rest.
        const beyondPage = defaultFields.filter((f) => !example.output.includes(f.shellVar) && !example.output.includes(`"${f.jsonKey}"`));
        const got = times(r.stdout.split(root).join(""))
          .split("\n")
          .filter((line) => !beyondPage.some((f) => new RegExp(`^\\s*${f.shellVar}(\\s|=)`).test(line)))
          .map((line) => beyondPage.reduce((l, f) => l.replace(new RegExp(`,"${f.jsonKey}":("(?:[^"\\\\]|\\\\.)*"|null|true|false)`), ""), line))
          .join("\n");
        assert.fixture(got, times(example.output), `${file}:${example.line}: ${example.command}`);
        ran++;
      }
    }
    assert.ok(ran >= 8, `the README and docs show runtime examples (${ran} run)`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test.run();

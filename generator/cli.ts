/**
 * npm run generate [-- --config FILE] [--out DIR] [--check]
 *
 * Exit status: 0 done (or up to date), 1 --check found stale output,
 * 2 bad arguments, 3 invalid config file, 4 internal error (an emitter
 * failed), 5 the output directory cannot be written. Nothing is written
 * unless the status is 0.
 *
 * `runGenerator` is the whole CLI as a function (the tests call it in-process);
 * the file runs it only when it is the program node was started with.
 */
import { realpathSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "./config.js";
import { checkOutDir, diffOutput, OutputError, writeOutput } from "./output.js";

export const exitCodes = { ok: 0, stale: 1, usage: 2, config: 3, internal: 4, output: 5 } as const;

export const usage = `Usage: npm run generate -- [--config provenance.yaml|provenance.toml] [--out DIR] [--check]

Generates modules/ and out/ from the embedded schema, extended by the config file.
  --config FILE  YAML or TOML file adding fields, tracked inputs, URL templates, runtime defaults
  --out DIR      Directory that receives modules/ and out/ (default: the project root)
  --check        Write nothing; exit 1 when the files on disk differ from what would be generated

Exit status: 0 done, 1 --check found differences, 2 bad arguments, 3 invalid config file,
4 internal error, 5 the output directory cannot be written. Nothing is written unless 0.`;

export const projectRoot = fileURLToPath(new URL("../../", import.meta.url));

export interface Io {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

class UsageError extends Error {}

interface Arguments {
  config?: string;
  out?: string;
  check: boolean;
  help: boolean;
}

const options = {
  config: { type: "string" },
  out: { type: "string" },
  check: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** node:util parseArgs, with our own messages: every mistake names the argument. */
export function parseArguments(argv: string[]): Arguments {
  // strict: false so that we see every token and word the error ourselves.
  const { tokens } = parseArgs({ args: argv, options, strict: false, allowPositionals: true, tokens: true });
  const args: Arguments = { check: false, help: false };
  const seen = new Set<string>();
  for (const token of tokens) {
    if (token.kind === "positional") throw new UsageError(`unexpected argument ${JSON.stringify(token.value)}`);
    if (token.kind === "option-terminator") continue;
    const name = token.name;
    if (!Object.hasOwn(options, name)) throw new UsageError(`unknown argument ${JSON.stringify(token.rawName)}`);
    if (seen.has(name)) throw new UsageError(`${token.rawName} given twice`);
    seen.add(name);
    const spec = options[name as keyof typeof options];
    if (spec.type === "boolean") {
      if (token.value !== undefined) throw new UsageError(`${token.rawName} takes no value (got ${JSON.stringify(token.value)})`);
      args[name as "check" | "help"] = true;
    } else {
      const value = token.value;
      if (value === undefined || value === "" || (!token.inlineValue && value.startsWith("-"))) {
        throw new UsageError(`${token.rawName} needs a value${value ? ` (got the option ${JSON.stringify(value)}; write ${token.rawName}=${value} for a file of that name)` : ""}`);
      }
      args[name as "config" | "out"] = value;
    }
  }
  return args;
}

/** One line about an unexpected error: its message, never a stack trace. */
function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return JSON.stringify(text).slice(1, -1).replace(/\\"/g, '"');
}

export async function runGenerator(argv: string[], io: Io = process, root = projectRoot): Promise<number> {
  let args: Arguments;
  try {
    args = parseArguments(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`generate: ${error.message}\n${usage}\n`);
    return exitCodes.usage;
  }
  if (args.help) {
    io.stdout.write(`${usage}\n`);
    return exitCodes.ok;
  }
  const out = resolve(args.out ?? root);
  try {
    const config = args.config === undefined ? undefined : loadConfig(resolve(args.config));
    if (!args.check) checkOutDir(out);
    // The emitters (and ts-morph with them) load only once the arguments and the config are good.
    const { defaultSchema } = await import("./schema/index.js");
    const { resolveModel } = await import("./model.js");
    const { emitAll } = await import("./emitters/index.js");
    const files = emitAll(resolveModel(defaultSchema, config));
    if (args.check) {
      const problems = diffOutput(out, files);
      if (problems.length) {
        io.stderr.write(`generated files are out of date (run npm run generate):\n${problems.map((p) => `  ${p}`).join("\n")}\n`);
        return exitCodes.stale;
      }
      io.stdout.write(`${files.length} generated files are up to date\n`);
      return exitCodes.ok;
    }
    writeOutput(out, files);
    io.stdout.write(`generated ${files.length} files into ${out}\n`);
    return exitCodes.ok;
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr.write(`${error.lines.map((line) => `generate: invalid config: ${line}\n`).join("")}Nothing was written.\n`);
      return exitCodes.config;
    }
    if (error instanceof OutputError) {
      io.stderr.write(`generate: ${oneLine(error)}\n`);
      return exitCodes.output;
    }
    if (error instanceof Error && error.name === "SchemaValidationError") {
      // The schema and the runtime sources disagree: the message lists every problem.
      io.stderr.write(`generate: ${error.message}\nNothing was written.\n`);
      return exitCodes.internal;
    }
    io.stderr.write(`generate: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\nNothing was written.\n`);
    return exitCodes.internal;
  }
}

function isMain(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) process.exitCode = await runGenerator(process.argv.slice(2));

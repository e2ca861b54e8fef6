/**
 * npm run generate [-- --config FILE] [--out DIR] [--check]
 *
 * Exit status: 0 done (or up to date), 1 --check found stale output,
 * 2 bad arguments, 3 invalid config file, 4 internal error (an emitter failed).
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError } from "./config.js";
import { generateFiles } from "./generate.js";
import { diffOutput, writeOutput } from "./output.js";

const usage = `Usage: npm run generate -- [--config provenance.yaml|provenance.toml] [--out DIR] [--check]

Generates modules/ and out/ from the embedded schema, extended by the config file.
  --config FILE  YAML or TOML file adding fields, tracked inputs, URL templates, runtime defaults
  --out DIR      Directory that receives modules/ and out/ (default: the project root)
  --check        Write nothing; exit 1 when the files on disk differ from what would be generated`;

const projectRoot = fileURLToPath(new URL("../../", import.meta.url));

function main(argv: string[]): number {
  let config: string | undefined;
  let out = projectRoot;
  let check = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v === "") throw new UsageError(`${arg} needs a value`);
      return v;
    };
    if (arg === "--config") config = resolve(value());
    else if (arg === "--out") out = resolve(value());
    else if (arg === "--check") check = true;
    else if (arg === "--help" || arg === "-h") {
      process.stdout.write(`${usage}\n`);
      return 0;
    } else throw new UsageError(`unknown argument ${JSON.stringify(arg)}`);
  }
  const files = generateFiles(config);
  if (check) {
    const problems = diffOutput(out, files);
    if (problems.length) {
      process.stderr.write(`generated files are out of date (run npm run generate):\n${problems.map((p) => `  ${p}`).join("\n")}\n`);
      return 1;
    }
    process.stdout.write(`${files.length} generated files are up to date\n`);
    return 0;
  }
  writeOutput(out, files);
  process.stdout.write(`generated ${files.length} files into ${out}\n`);
  return 0;
}

class UsageError extends Error {}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError) {
    process.stderr.write(`generate: ${error.message}\n${usage}\n`);
    process.exitCode = 2;
  } else if (error instanceof ConfigError) {
    process.stderr.write(`generate: invalid config: ${error.message}\nNothing was written.\n`);
    process.exitCode = 3;
  } else {
    process.stderr.write(`generate: internal error: ${error instanceof Error ? error.stack : String(error)}\nNothing was written.\n`);
    process.exitCode = 4;
  }
}

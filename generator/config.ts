/**
 * The user's optional provenance.yaml / provenance.toml: read (regular files
 * only, bounded), parse, validate against the JSON Schema published as
 * out/schema/ProvenanceConfig.schema.json, and return a typed UserConfig.
 * Every mistake is reported, each naming the file, the key, what was expected
 * and what was there; nothing is written before this succeeds.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { LineCounter, isMap, isScalar, isSeq, parseDocument, visit } from "yaml";
import TOML from "@iarna/toml";
import type { JsonShape, JsonShapeSpec } from "./schema/types.js";
import { formatPath, schemaDocument, validate, type SchemaDocument } from "./json-schema.js";
import { directoryProblem, safeDirectoryWhat } from "./schema/paths.js";

export interface UserFieldConfig {
  shellVar: string;
  jsonKey: string;
  description: string;
  type: "string" | "boolean";
  example: string;
  source: { kind: "literal"; value: string } | { kind: "option" } | { kind: "inputAttr"; input: string; attr: "rev" | "shortRev" | "narHash" | "lastModifiedDate" };
}

export interface UserConfig {
  file: string;
  trackedInputs: string[];
  sourceUrlTemplate?: string | null;
  flakeUrlTemplate?: string | null;
  runtime: { logDir?: string; historyLength?: number };
  fields: UserFieldConfig[];
}

/** One mistake in a config file. `got` absent: nothing was there (a missing key). */
export interface ConfigProblem {
  key: string;
  expected: string;
  got?: unknown;
}

export class ConfigError extends Error {
  readonly problems: ConfigProblem[];

  /** `new ConfigError(file, key, expected, got?)` for one problem, or `(file, problems)` for several. */
  constructor(readonly file: string, keyOrProblems: string | ConfigProblem[], expected?: string, got?: unknown) {
    const problems = typeof keyOrProblems === "string" ? [{ key: keyOrProblems, expected: expected ?? "", ...(got === undefined ? {} : { got }) }] : keyOrProblems;
    super(problems.map((p) => problemLine(file, p)).join("\n"));
    this.name = "ConfigError";
    this.problems = problems;
  }

  /** One line per problem: `file: key: expected …, got …`. */
  get lines(): string[] {
    return this.problems.map((p) => problemLine(this.file, p));
  }
}

function problemLine(file: string, p: ConfigProblem): string {
  return `${file}: ${p.key || "(top level)"}: expected ${p.expected}${"got" in p && p.got !== undefined ? `, got ${describe(p.got)}` : ""}`;
}

/** A value as an error message shows it: short, one line, control characters escaped. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (value instanceof Date) return "a date";
  if (typeof value === "object") return "a table";
  if (typeof value === "string") {
    // JSON.stringify escapes quotes, backslashes and control characters; long values are cut visibly.
    const chars = [...value];
    return chars.length > 80 ? `${JSON.stringify(chars.slice(0, 60).join(""))}… (${chars.length} characters)` : JSON.stringify(value);
  }
  return `${typeof value === "bigint" ? "number" : typeof value} ${String(value)}`;
}

/** Placeholders a URL template may use; anything else in braces is a mistake. */
export const urlPlaceholders = ["commit", "shortCommit", "owner", "repo", "repository", "hostName"] as const;

const inputAttrs = ["rev", "shortRev", "narHash", "lastModifiedDate"] as const;

/**
 * Shell variable names the metadata file must never assign: sourcing
 * /etc/nixos-metadata (an interactive bash, a status bar's sh) would change or
 * run something in the caller's shell (PROMPT_COMMAND runs its value, IFS
 * changes word splitting, LC_* the locale, ...), or the name is one that
 * `nixos-metadata --field` and `diff` already use.
 */
export const reservedShellVars: readonly string[] = [
  // POSIX sh and every shell
  "PATH", "HOME", "IFS", "ENV", "CDPATH", "SHELL", "USER", "LOGNAME", "PWD", "OLDPWD", "LANG", "LANGUAGE", "TERM", "TMPDIR",
  "OPTIND", "OPTARG", "PPID", "UID", "EUID", "TZ", "MAIL", "MAILPATH", "MAILCHECK", "POSIXLY_CORRECT", "FPATH", "TMOUT",
  // bash, zsh, yash
  "SHELLOPTS", "BASHOPTS", "GLOBIGNORE", "ZDOTDIR", "COMMAND_NOT_FOUND_HANDLER", "POST_PROMPT_COMMAND",
  // the dynamic loader
  "LD_PRELOAD", "LD_LIBRARY_PATH",
  // ours: the metadata file's own header, and names nixos-metadata computes itself
  "METADATA_SCHEMA_VERSION", "NIXOS_VERSION", "KERNEL_VERSION",
];

/** Prefixes of reserved names: prompts (PS0-PS9, PROMPT*, RPROMPT*, RPS*), shell internals, locale, XDG, ours. */
export const reservedShellVarPrefixes: readonly string[] = [
  "PS", "PROMPT", "RPROMPT", "RPS", "BASH_", "YASH_", "HIST", "LC_", "LD_", "XDG_", "NIXOS_PROVENANCE_",
];

/** PS is a prefix only when followed by a digit (PS1), so that e.g. PSU_RACK stays allowed. */
function prefixPattern(prefix: string): string {
  return prefix === "PS" ? "PS[0-9]" : prefix;
}

/** The reserved-name rule as one regular expression (also the JSON Schema's pattern). */
export const reservedShellVarPattern = `^(?:(?:${reservedShellVars.join("|")})$|(?:${reservedShellVarPrefixes.map(prefixPattern).join("|")}))`;

export function isReservedShellVar(name: string): boolean {
  return new RegExp(reservedShellVarPattern).test(name);
}

const reservedExpected =
  "a shell variable name the metadata file may set (not one the shells give meaning to: " +
  `${reservedShellVars.join(", ")}, or starting with ${reservedShellVarPrefixes.map((p) => (p === "PS" ? "PS<digit>" : `${p}*`)).join(", ")})`;

// --- The shape of provenance.yaml / provenance.toml -----------------------------------------

const noNul = "^[^\\u0000]*$";
const inputName: JsonShape = { type: "string", pattern: "^[A-Za-z][A-Za-z0-9_-]*$", expected: "a flake input name (letters, digits, - and _)" };
const urlTemplate = (what: string): JsonShape => ({
  type: "anyOf",
  description: `${what} Placeholders: ${urlPlaceholders.map((p) => `{${p}}`).join(", ")}. null: derived from the repository.`,
  expected: "a one-line URL template, or null",
  anyOf: [{ type: "string", pattern: "^[^\\n\\r\\u0000]*$" }, { type: "null" }],
});

const fieldShape: JsonShape = {
  type: "object",
  description: "A custom metadata field: one line of /etc/nixos-metadata and one key of nixos-metadata.json.",
  expected: "a table with shellVar, jsonKey, description and one of value/option/input",
  properties: {
    shellVar: {
      type: "string", pattern: "^[A-Z][A-Z0-9_]*$", expected: "an UPPER_SNAKE_CASE shell variable name (A-Z, 0-9, _)",
      description: "Variable name in /etc/nixos-metadata, e.g. DEPLOY_ENV.",
      allOf: [{ type: "string", pattern: `^(?!${reservedShellVarPattern.slice(1)})`, expected: reservedExpected }],
    },
    jsonKey: { type: "string", pattern: "^[a-z][A-Za-z0-9]*$", expected: "a camelCase JSON key (letters and digits, starting lower-case)", description: "Key in /etc/nixos-metadata.json, e.g. deployEnv." },
    description: { type: "string", pattern: noNul, expected: "a one-sentence description", description: "One sentence, used in the docs, the NixOS option and the JSON Schema." },
    type: { type: "string", enum: ["string", "boolean"], expected: "`string` or `boolean`", description: "boolean fields hold true/false/unknown (JSON: true/false/null). Default: string." },
    example: { type: "string", pattern: noNul, expected: "a string without NUL bytes", description: "Example value for the docs. Default: the value, or `unknown`." },
    value: { type: "string", pattern: noNul, expected: "a string without NUL bytes", description: "A fixed value, the same for every host." },
    option: { type: "boolean", const: true, expected: "true", description: "true: set per host through system.provenance.extraFields.<shellVar>." },
    input: { ...inputName, description: "A flake input whose attribute is recorded." },
    attr: { type: "string", enum: [...inputAttrs], expected: `one of ${inputAttrs.join(", ")}`, description: "The input's attribute (with input). Default: rev." },
  },
  required: ["shellVar", "jsonKey", "description"],
  additionalProperties: false,
  exactlyOne: ["value", "option", "input"],
  dependentRequired: { attr: ["input"] },
  when: [{
    key: "type", equals: "boolean",
    then: {
      value: { type: "string", enum: ["true", "false"], expected: '"true" or "false" (quoted; the field\'s type is boolean)' },
      example: { type: "string", enum: ["true", "false", "unknown"], expected: '"true", "false" or "unknown" (quoted; the field\'s type is boolean)' },
    },
  }],
};

/** The shape of provenance.yaml / provenance.toml, published as out/schema/ProvenanceConfig.schema.json. */
export const provenanceConfigShape: JsonShapeSpec = {
  name: "ProvenanceConfig",
  description: "provenance.yaml / provenance.toml: what the nixos-provenance generator adds to its built-in schema.",
  shape: {
    type: "object",
    expected: "a table of settings",
    properties: {
      trackedInputs: {
        type: "array", uniqueItems: true, items: inputName, expected: "a list of flake input names",
        description: "Flake inputs whose revision is recorded beyond nixpkgs and home-manager (sops-nix → SOPS_NIX_REV).",
      },
      sourceUrlTemplate: urlTemplate("Template of GIT_SOURCE_URL."),
      flakeUrlTemplate: urlTemplate("Template of FLAKE_URL."),
      runtime: {
        type: "object", expected: "a table with logDir and/or historyLength", description: "Defaults of the runtime.",
        properties: {
          logDir: { type: "string", pattern: "^/[^\\n\\r\\u0000]*$", expected: "an absolute directory path on one line", description: "Directory of the build records (last-build.json, last-build.log, build-history.json)." },
          historyLength: { type: "integer", minimum: 1, maximum: 100000, expected: "a whole number from 1 to 100000", description: "How many entries build-history.json keeps." },
        },
        required: [], additionalProperties: false,
      },
      fields: { type: "array", items: fieldShape, expected: "a list of field tables", description: "Custom metadata fields." },
    },
    required: [],
    additionalProperties: false,
  },
};

/** The JSON Schema document the config is checked against (and that out/schema publishes). */
export const provenanceConfigSchema: SchemaDocument = schemaDocument(provenanceConfigShape, []);

// --- Reading ---------------------------------------------------------------------------------

/** A config file is a few kilobytes; anything bigger than this is a mistake. */
export const maxConfigBytes = 1024 * 1024;

type Raw = Record<string, unknown>;

/**
 * Parsed data as plain JSON-like values: tables with a normal prototype (TOML's
 * have none). TOML's big integers stay BigInts (the schema's range check sees
 * their true value) and datetimes stay Dates, which the schema refuses as "a date".
 */
function toPlain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toPlain);
  if (value instanceof Date) return value;
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPlain(v)]));
  return value;
}

/** The YAML 1.2 core schema's tags: data only. */
const coreTags = new Set(["str", "int", "float", "bool", "null", "map", "seq"].map((t) => `tag:yaml.org,2002:${t}`));

function parseYaml(file: string, text: string): { raw?: unknown; problems: ConfigProblem[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { strict: true, uniqueKeys: true, prettyErrors: false, lineCounter, version: "1.2", schema: "core" });
  const where = (pos: readonly number[] | undefined) => {
    if (!pos) return "";
    const { line, col } = lineCounter.linePos(pos[0] ?? 0);
    return `line ${line}, column ${col}: `;
  };
  // Unresolved tags (!!js/function, !!binary, !foo) are only warnings to the parser: refuse them too.
  const problems: ConfigProblem[] = [...doc.errors, ...doc.warnings]
    .filter((e) => e.code !== "TAG_RESOLVE_FAILED") // reported below with the other tags
    .map((e) => ({ key: "", expected: `valid YAML (${where(e.pos)}${e.message.split("\n")[0]!.replace(/[\s:]+$/, "")})` }));
  // Any tag beyond the core schema (!!js/function, !foo, and the ones the parser knows: !!set, !!binary, ...)
  // is refused, not read as a string or an object.
  visit(doc, (_key, node) => {
    if ((isScalar(node) || isMap(node) || isSeq(node)) && node.tag !== undefined && !coreTags.has(node.tag)) {
      const tag = node.tag.replace(/^tag:yaml\.org,2002:/, "!!");
      problems.push({ key: "", expected: `YAML with core tags only (${where(node.range ? [node.range[0]] : undefined)}the value tagged ${tag})` });
    }
  });
  if (problems.length) return { problems };
  try {
    return { raw: doc.toJS({ maxAliasCount: 100 }), problems: [] };
  } catch (error) {
    return { problems: [{ key: "", expected: `valid YAML (${error instanceof Error ? error.message.split("\n")[0]!.replace(/[\s:]+$/, "") : String(error)})` }] };
  }
}

function parseToml(text: string): { raw?: unknown; problems: ConfigProblem[] } {
  try {
    return { raw: TOML.parse(text), problems: [] };
  } catch (error) {
    const e = error as { message?: string; line?: number; col?: number };
    // "Unexpected character, … at row 1, col 6, pos 5:\n1> x = …": keep the sentence, say where in our words.
    const sentence = String(e.message ?? error).split("\n")[0]!.replace(/ at row \d+, col \d+, pos \d+/, "").replace(/[\s:]+$/, "");
    const where = typeof e.line === "number" && typeof e.col === "number" ? `line ${e.line + 1}, column ${e.col + 1}: ` : "";
    return { problems: [{ key: "", expected: `valid TOML (${where}${sentence})` }] };
  }
}

function checkTemplate(key: string, value: string, problems: ConfigProblem[]): void {
  for (const match of value.matchAll(/\{([^}]*)\}/g)) {
    const name = match[1] ?? "";
    if (!(urlPlaceholders as readonly string[]).includes(name)) {
      problems.push({ key, expected: `placeholders among {${urlPlaceholders.join("}, {")}}`, got: `{${name}}` });
    }
  }
}

/**
 * Checks the schema cannot express. (The runtime.logDir rule about system
 * directories belongs here too, as one more check.)
 */
function semanticChecks(top: Raw, problems: ConfigProblem[]): void {
  for (const key of ["sourceUrlTemplate", "flakeUrlTemplate"] as const) {
    const value = top[key];
    if (typeof value === "string") checkTemplate(key, value, problems);
  }
  // The NixOS module's rule for directories (generator/schema/paths.ts), after the trailing-slash trim.
  const logDir = (top.runtime as Raw | undefined)?.logDir;
  if (typeof logDir === "string") {
    const trimmed = logDir.length > 1 ? logDir.replace(/\/+$/, "") : logDir;
    if (directoryProblem(trimmed) !== null) problems.push({ key: "runtime.logDir", expected: safeDirectoryWhat, got: logDir });
  }
}

/** The validated raw data → UserConfig, with every default applied. */
function toUserConfig(file: string, top: Raw): UserConfig {
  const config: UserConfig = { file, trackedInputs: [...((top.trackedInputs as string[] | undefined) ?? [])], runtime: {}, fields: [] };
  for (const key of ["sourceUrlTemplate", "flakeUrlTemplate"] as const) {
    if (key in top) config[key] = top[key] as string | null;
  }
  const runtime = (top.runtime ?? {}) as { logDir?: string; historyLength?: number };
  if (runtime.logDir !== undefined) config.runtime.logDir = runtime.logDir.length > 1 ? runtime.logDir.replace(/\/+$/, "") : runtime.logDir;
  if (runtime.historyLength !== undefined) config.runtime.historyLength = Number(runtime.historyLength);
  for (const entry of (top.fields ?? []) as Raw[]) {
    const source: UserFieldConfig["source"] =
      entry.value !== undefined ? { kind: "literal", value: entry.value as string }
      : entry.option !== undefined ? { kind: "option" }
      : { kind: "inputAttr", input: entry.input as string, attr: (entry.attr ?? "rev") as (typeof inputAttrs)[number] };
    config.fields.push({
      shellVar: entry.shellVar as string,
      jsonKey: entry.jsonKey as string,
      description: entry.description as string,
      type: (entry.type ?? "string") as "string" | "boolean",
      example: (entry.example as string | undefined) ?? (source.kind === "literal" ? source.value : "unknown"),
      source,
    });
  }
  return config;
}

/** Parse and check the text of a config file; the format follows the file's extension. */
export function parseConfigText(file: string, text: string): UserConfig {
  let parsed: { raw?: unknown; problems: ConfigProblem[] };
  if (/\.toml$/i.test(file)) parsed = parseToml(text);
  else if (/\.ya?ml$/i.test(file)) parsed = parseYaml(file, text);
  else throw new ConfigError(file, "", "a file ending in .yaml, .yml or .toml", file);
  if (parsed.problems.length) throw new ConfigError(file, parsed.problems);
  const raw = toPlain(parsed.raw ?? {});

  // One problem per key: where several rules fail on one value, the last (most specific) one is kept
  // (a boolean field's `value: maybe` fails "a string" less precisely than "true or false").
  const byKey = new Map<string, ConfigProblem>();
  for (const p of validate(raw, provenanceConfigSchema)) {
    const key = formatPath(p.path);
    byKey.delete(key);
    byKey.set(key, { key, expected: p.expected, ...(p.got ? { got: p.got.value } : {}) });
  }
  const problems = [...byKey.values()];
  const top = raw as Raw;
  if (problems.length === 0) semanticChecks(top, problems);
  if (problems.length) throw new ConfigError(file, problems);
  return toUserConfig(file, top);
}

/** The bytes of a config file: regular files only (never blocks on a FIFO or device), at most maxConfigBytes. */
export function readConfigFile(file: string): string {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below.
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw new ConfigError(file, "", `a readable file (${(error as NodeJS.ErrnoException).code ?? "error"})`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) {
      const kind = stat.isDirectory() ? "a directory" : stat.isFIFO() ? "a FIFO" : stat.isCharacterDevice() ? "a character device" : stat.isBlockDevice() ? "a block device" : stat.isSocket() ? "a socket" : "not a regular file";
      throw new ConfigError(file, "", `a regular file (this is ${kind})`);
    }
    // Read at most one byte more than allowed, whatever stat said (files can grow, /proc lies).
    const buffer = Buffer.alloc(maxConfigBytes + 1);
    let length = 0;
    while (length < buffer.length) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
    }
    if (length > maxConfigBytes) throw new ConfigError(file, "", `a file of at most ${maxConfigBytes} bytes (1 MiB)`);
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(buffer.subarray(0, length));
    } catch {
      throw new ConfigError(file, "", "UTF-8 text (the file has invalid UTF-8 bytes)");
    }
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(file, "", `a readable file (${(error as NodeJS.ErrnoException).code ?? "error"})`);
  } finally {
    closeSync(fd);
  }
}

export function loadConfig(file: string): UserConfig {
  return parseConfigText(file, readConfigFile(file));
}

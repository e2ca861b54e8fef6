/**
 * The user's optional provenance.yaml / provenance.toml: read, check every key,
 * and return a typed UserConfig. Any mistake is a ConfigError naming the file,
 * the key and what was expected; nothing is written before this succeeds.
 */
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import TOML from "@iarna/toml";

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

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly key: string,
    readonly expected: string,
    readonly got?: unknown,
  ) {
    super(`${file}: ${key || "(top level)"}: expected ${expected}${got === undefined ? "" : `, got ${describe(got)}`}`);
    this.name = "ConfigError";
  }
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a table";
  if (typeof value === "string") return JSON.stringify(value);
  return `${typeof value} ${String(value)}`;
}

/** Placeholders a URL template may use; anything else in braces is a mistake. */
export const urlPlaceholders = ["commit", "shortCommit", "owner", "repo", "repository", "hostName"] as const;

const inputAttrs = ["rev", "shortRev", "narHash", "lastModifiedDate"] as const;

type Raw = Record<string, unknown>;

function isTable(value: unknown): value is Raw {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

class Reader {
  constructor(readonly file: string) {}

  fail(key: string, expected: string, got?: unknown): never {
    throw new ConfigError(this.file, key, expected, got);
  }

  onlyKeys(table: Raw, path: string, allowed: readonly string[]): void {
    for (const key of Object.keys(table)) {
      if (!allowed.includes(key)) this.fail(path ? `${path}.${key}` : key, `one of the known keys (${allowed.join(", ")})`, key);
    }
  }

  string(table: Raw, key: string, path: string, pattern?: { re: RegExp; what: string }): string | undefined {
    const value = table[key];
    if (value === undefined) return undefined;
    const where = path ? `${path}.${key}` : key;
    if (typeof value !== "string") this.fail(where, pattern ? pattern.what : "a string", value);
    if (value.includes("\0")) this.fail(where, "a string without NUL bytes", value);
    if (pattern && !pattern.re.test(value)) this.fail(where, pattern.what, value);
    return value;
  }
}

const shellVarPattern = { re: /^[A-Z][A-Z0-9_]*$/, what: "an UPPER_SNAKE_CASE shell variable name (A-Z, 0-9, _)" };
const jsonKeyPattern = { re: /^[a-z][A-Za-z0-9]*$/, what: "a camelCase JSON key (letters and digits, starting lower-case)" };
const inputNamePattern = { re: /^[A-Za-z][A-Za-z0-9_-]*$/, what: "a flake input name (letters, digits, - and _)" };

function checkTemplate(reader: Reader, key: string, value: string): void {
  if (/[\n\r]/.test(value)) reader.fail(key, "a one-line URL template", value);
  for (const match of value.matchAll(/\{([^}]*)\}/g)) {
    const name = match[1] ?? "";
    if (!(urlPlaceholders as readonly string[]).includes(name)) {
      reader.fail(key, `placeholders among {${urlPlaceholders.join("}, {")}}`, `{${name}}`);
    }
  }
}

/** Parse the text of a config file; the format follows the file's extension. */
export function parseConfigText(file: string, text: string): UserConfig {
  const reader: Reader = new Reader(file);
  let raw: unknown;
  try {
    if (/\.toml$/i.test(file)) raw = TOML.parse(text);
    else if (/\.ya?ml$/i.test(file)) raw = parseYaml(text, { strict: true, uniqueKeys: true });
    else reader.fail("", "a file ending in .yaml, .yml or .toml", file);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new ConfigError(file, "", `valid ${/\.toml$/i.test(file) ? "TOML" : "YAML"} (${message})`);
  }
  if (raw === null || raw === undefined) raw = {};
  if (!isTable(raw)) reader.fail("", "a table of settings", raw);
  // TOML tables come back with a null prototype and symbol keys; copy to plain data.
  const top = JSON.parse(JSON.stringify(raw)) as Raw;
  reader.onlyKeys(top, "", ["trackedInputs", "sourceUrlTemplate", "flakeUrlTemplate", "runtime", "fields"]);

  const trackedInputs: string[] = [];
  if (top.trackedInputs !== undefined) {
    if (!Array.isArray(top.trackedInputs)) reader.fail("trackedInputs", "a list of flake input names", top.trackedInputs);
    top.trackedInputs.forEach((name, i) => {
      const key = `trackedInputs[${i}]`;
      if (typeof name !== "string" || !inputNamePattern.re.test(name)) reader.fail(key, inputNamePattern.what, name);
      if (trackedInputs.includes(name)) reader.fail(key, "each input listed once", name);
      trackedInputs.push(name);
    });
  }

  const config: UserConfig = { file, trackedInputs, runtime: {}, fields: [] };
  for (const key of ["sourceUrlTemplate", "flakeUrlTemplate"] as const) {
    if (top[key] === null) config[key] = null;
    else {
      const value = reader.string(top, key, "");
      if (value !== undefined) {
        checkTemplate(reader, key, value);
        config[key] = value;
      }
    }
  }

  if (top.runtime !== undefined) {
    if (!isTable(top.runtime)) reader.fail("runtime", "a table with logDir and/or historyLength", top.runtime);
    const runtime = top.runtime;
    reader.onlyKeys(runtime, "runtime", ["logDir", "historyLength"]);
    const logDir = reader.string(runtime, "logDir", "runtime", { re: /^\/[^\n\r]*$/, what: "an absolute directory path on one line" });
    if (logDir !== undefined) config.runtime.logDir = logDir.length > 1 ? logDir.replace(/\/+$/, "") : logDir;
    const length = runtime.historyLength;
    if (length !== undefined) {
      if (typeof length !== "number" || !Number.isInteger(length) || length < 1 || length > 100000) {
        reader.fail("runtime.historyLength", "a whole number from 1 to 100000", length);
      }
      config.runtime.historyLength = length;
    }
  }

  if (top.fields !== undefined) {
    if (!Array.isArray(top.fields)) reader.fail("fields", "a list of field tables", top.fields);
    top.fields.forEach((entry, i) => {
      const path = `fields[${i}]`;
      if (!isTable(entry)) reader.fail(path, "a table with shellVar, jsonKey, description and one of value/option/input", entry);
      reader.onlyKeys(entry, path, ["shellVar", "jsonKey", "description", "type", "example", "value", "option", "input", "attr"]);
      const shellVar = reader.string(entry, "shellVar", path, shellVarPattern) ?? reader.fail(`${path}.shellVar`, shellVarPattern.what);
      const jsonKey = reader.string(entry, "jsonKey", path, jsonKeyPattern) ?? reader.fail(`${path}.jsonKey`, jsonKeyPattern.what);
      const description = reader.string(entry, "description", path) ?? reader.fail(`${path}.description`, "a one-sentence description");
      const type = (reader.string(entry, "type", path, { re: /^(string|boolean)$/, what: "`string` or `boolean`" }) ?? "string") as "string" | "boolean";
      const sources = ["value", "option", "input"].filter((k) => entry[k] !== undefined);
      if (sources.length !== 1) reader.fail(path, "exactly one of value (a fixed string), option: true (set per host) or input (a flake input)", sources.length ? sources.join(" and ") : undefined);
      let source: UserFieldConfig["source"];
      if (entry.value !== undefined) {
        const value = reader.string(entry, "value", path) ?? "";
        source = { kind: "literal", value };
      } else if (entry.option !== undefined) {
        if (entry.option !== true) reader.fail(`${path}.option`, "true", entry.option);
        source = { kind: "option" };
      } else {
        const input = reader.string(entry, "input", path, inputNamePattern) ?? "";
        const attr = reader.string(entry, "attr", path, { re: new RegExp(`^(${inputAttrs.join("|")})$`), what: `one of ${inputAttrs.join(", ")}` }) ?? "rev";
        source = { kind: "inputAttr", input, attr: attr as (typeof inputAttrs)[number] };
      }
      if (source.kind !== "inputAttr" && entry.attr !== undefined) reader.fail(`${path}.attr`, "attr only together with input", entry.attr);
      const example = reader.string(entry, "example", path) ?? (source.kind === "literal" ? source.value : "unknown");
      config.fields.push({ shellVar, jsonKey, description, type, example, source });
    });
  }
  return config;
}

export function loadConfig(file: string): UserConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    throw new ConfigError(file, "", `a readable file (${code})`);
  }
  return parseConfigText(file, text);
}

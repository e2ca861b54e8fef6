/**
 * The Handlebars environment shared by every template-based emitter.
 *
 * Templates may only print through the escaping helpers below (`sh`, `nix`,
 * `json`, ...); a bare `{{value}}` is rejected by test/templates.test.ts, and
 * HTML escaping is off because none of our targets is HTML.
 */
import Handlebars from "handlebars";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join, basename } from "node:path";
import { fileURLToPath } from "node:url";
import { shellIdentifier, shellQuote } from "./escape/shell.js";
import { nixAttrName, nixString, nixStringList } from "./escape/nix.js";
import { jsonString } from "./escape/json.js";
import { upperSnake } from "./model.js";
import { Code } from "./escape/code.js";
import type { ResolvedCommand } from "./model.js";

export const templatesDir = fileURLToPath(new URL("../../templates/", import.meta.url));

/** Helpers whose result may be printed: each escapes for one target language. */
export const printingHelpers = ["code", "comment", "sh", "nix", "nixList", "nixAttr", "nixBool", "json", "ident", "int", "exit", "lines"] as const;
/** Helpers that compute values; they may only appear as sub-expressions of a printing helper. */
export const valueHelpers = ["upperSnake", "concat", "eq", "usage", "join", "lookupExit"] as const;

function asString(value: unknown, helper: string): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  throw new Error(`{{${helper}}} needs a string, got ${value === undefined ? "undefined" : JSON.stringify(value)}`);
}

function currentCommand(options: Handlebars.HelperOptions): ResolvedCommand {
  const command = (options.data?.root as { command?: ResolvedCommand } | undefined)?.command;
  if (!command) throw new Error("{{exit}} used outside a command template");
  return command;
}

export function createEnvironment(): typeof Handlebars {
  const hb = Handlebars.create();
  // Helpers receive the Handlebars options object as the last argument.
  const args = (list: unknown[]) => list.slice(0, -1);

  hb.registerHelper("code", (value: unknown) => {
    if (!(value instanceof Code)) throw new Error("{{code}} prints only Code built by an emitter from escaped parts");
    return value.text;
  });
  /** Text inside a `#` comment (shell and Nix alike): anything but a line break. */
  hb.registerHelper("comment", (value: unknown) => {
    const text = asString(value, "comment");
    if (/[\n\r]/.test(text)) throw new Error(`{{comment}} cannot hold a line break: ${JSON.stringify(text)}`);
    return text;
  });
  hb.registerHelper("sh", (value: unknown) => shellQuote(asString(value, "sh")));
  hb.registerHelper("nix", (value: unknown) => nixString(asString(value, "nix")));
  hb.registerHelper("nixList", (value: unknown) => {
    if (!Array.isArray(value)) throw new Error("{{nixList}} needs a list");
    return nixStringList(value.map((v) => asString(v, "nixList")));
  });
  hb.registerHelper("nixAttr", (value: unknown) => nixAttrName(asString(value, "nixAttr")));
  hb.registerHelper("nixBool", (value: unknown) => (value ? "true" : "false"));
  hb.registerHelper("json", (value: unknown) => (typeof value === "string" ? jsonString(value) : JSON.stringify(value)));
  hb.registerHelper("ident", (value: unknown) => shellIdentifier(asString(value, "ident")));
  hb.registerHelper("int", (value: unknown) => {
    if (typeof value !== "number" || !Number.isInteger(value)) throw new Error(`{{int}} needs an integer, got ${JSON.stringify(value)}`);
    return String(value);
  });
  /** `{{exit "usage"}}`: the number the schema gives that exit status of the current command. */
  hb.registerHelper("exit", (name: unknown, options: Handlebars.HelperOptions) => {
    const command = currentCommand(options);
    const code = command.exit[asString(name, "exit")];
    if (!code) throw new Error(`${command.name} has no exit code named ${JSON.stringify(name)} in the schema`);
    return String(code.code);
  });
  /** `{{lines (usage command)}}`: text as a sequence of shell-quoted printf arguments, one per line. */
  hb.registerHelper("lines", (value: unknown) =>
    asString(value, "lines")
      .split("\n")
      .map((line) => shellQuote(line))
      .join(" \\\n  "),
  );

  hb.registerHelper("upperSnake", (value: unknown) => upperSnake(asString(value, "upperSnake")));
  hb.registerHelper("concat", (...list: unknown[]) => args(list).map((v) => asString(v, "concat")).join(""));
  hb.registerHelper("join", (list: unknown, sep: unknown) => {
    if (!Array.isArray(list)) throw new Error("{{join}} needs a list");
    return list.map((v) => asString(v, "join")).join(asString(sep, "join"));
  });
  hb.registerHelper("eq", (a: unknown, b: unknown) => a === b);
  hb.registerHelper("usage", (command: unknown) => usageText(command as ResolvedCommand));
  hb.registerHelper("lookupExit", (name: unknown, options: Handlebars.HelperOptions) => currentCommand(options).exit[asString(name, "lookupExit")]?.code);

  for (const dir of ["sh/partials", "nix/partials"]) {
    const full = join(templatesDir, dir);
    if (!existsSync(full)) continue;
    for (const file of readdirSync(full).sort()) {
      if (!file.endsWith(".hbs")) continue;
      hb.registerPartial(basename(file).replace(/\.[a-z]+\.hbs$/, ""), readFileSync(join(full, file), "utf8"));
    }
  }
  return hb;
}

/** The text of `templates/<relativePath>`, for emitters that copy sources verbatim. */
export function templateSource(relativePath: string): string {
  return readFileSync(join(templatesDir, relativePath), "utf8");
}

/** File names in `templates/<relativeDir>`, sorted. */
export function templateNames(relativeDir: string): string[] {
  const full = join(templatesDir, relativeDir);
  return existsSync(full) ? readdirSync(full).sort() : [];
}

/** Render `templates/<relativePath>` with the given context; unknown names are errors. */
export function renderTemplate(hb: typeof Handlebars, relativePath: string, context: object): string {
  const source = readFileSync(join(templatesDir, relativePath), "utf8");
  const template = hb.compile(source, { noEscape: true, strict: true });
  return template(context);
}

/** The `--help` text of a command, shared by the scripts, man pages and docs. */
export function usageText(command: ResolvedCommand): string {
  const out: string[] = [];
  out.push(`Usage: ${command.synopsis.map((s, i) => `${i === 0 ? "" : "       "}${command.name} ${s}`).join("\n")}`);
  out.push("", command.summary);
  if (command.positionals.length) {
    out.push("", "Arguments:");
    for (const p of command.positionals) out.push(`  ${p.name.padEnd(22)}${p.description}`);
  }
  if (command.flags.length) {
    out.push("", "Options:");
    for (const f of command.flags) {
      const name = `${f.short ? `${f.short}, ` : ""}${f.long}${f.value ? ` ${f.value}` : ""}`;
      out.push(`  ${name.padEnd(22)}${f.description}`);
    }
  }
  out.push("", "Exit status:");
  for (const code of command.exitCodes) out.push(`  ${String(code.code).padEnd(22)}${code.description}`);
  return out.join("\n");
}

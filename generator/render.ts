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
import type { Model, ResolvedCommand } from "./model.js";
import type { ModuleName, NixValue, OptionSpec, OptionType } from "./schema/options.js";

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

/**
 * The schema's descriptions are Markdown: in a terminal, inline code spans
 * lose their backticks (`g42` → g42) and keep their text.
 */
export function plainText(markdown: string): string {
  return markdown.replace(/(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/g, (_m, _ticks: string, code: string) => code.trim() === "" ? code : code.replace(/^ (.*) $/s, "$1"));
}

/** The `--help` text of a command (plain text, as a terminal shows it), shared by the scripts and docs. */
export function usageText(command: ResolvedCommand): string {
  return plainText(usageMarkdown(command));
}

function usageMarkdown(command: ResolvedCommand): string {
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
  if (command.env.length) {
    out.push("", "Environment:");
    for (const e of command.env) out.push(`  ${e.name}`, `  ${"".padEnd(22)}${e.description}`);
  }
  return out.join("\n");
}

// ---------------------------------------------------------------------------
// NixOS / Home Manager option declarations, stamped out of the options table
// (generator/schema/options.ts) for both modules' templates.

/** One line of Nix, `depth` levels below the block it is printed in. */
interface NixLine {
  depth: number;
  code: Code;
}

function nixIdentifierPath(ref: string): Code {
  const [first, ...rest] = ref.split(".");
  if (!first || !/^[A-Za-z_][A-Za-z0-9_'-]*$/.test(first)) throw new Error(`option default ${JSON.stringify(ref)} is not an attribute path`);
  return rest.reduce((acc, part) => Code.of`${acc}.${Code.nixAttr(part)}`, Code.nixAttr(first));
}

/** A typed value as a Nix literal, on one line. */
export function nixValue(value: NixValue): Code {
  if (value === null) return Code.of`null`;
  if (value === true) return Code.of`true`;
  if (value === false) return Code.of`false`;
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) throw new Error(`option values are integers, not ${value}`);
    return value < 0 ? Code.of`(${value})` : Code.of`${value}`;
  }
  if (typeof value === "string") return Code.nix(value);
  if (Array.isArray(value)) return value.length ? Code.of`[ ${Code.join(value.map(nixValue), " ")} ]` : Code.of`[ ]`;
  const entries = Object.entries(value as Record<string, NixValue>);
  if (!entries.length) return Code.of`{ }`;
  return Code.of`{ ${Code.join(entries.map(([k, v]) => Code.of`${Code.nixAttr(k)} = ${nixValue(v)};`), " ")} }`;
}

/** `lib.types.*` of a type; a submodule spans several lines. */
function nixTypeLines(type: OptionType): NixLine[] {
  const one = (code: Code): NixLine[] => [{ depth: 0, code }];
  const inner = (of: OptionType): Code => {
    const lines = nixTypeLines(of);
    if (lines.length !== 1) throw new Error("a submodule cannot be nested in another type here");
    const code = lines[0]!.code;
    // Bare names need no parentheses as an argument; applications do.
    return /^lib\.types\.[A-Za-z.]+$/.test(code.text) ? code : Code.of`(${code})`;
  };
  switch (type.type) {
    case "bool": return one(Code.of`lib.types.bool`);
    case "str": return one(Code.of`lib.types.str`);
    case "package": return one(Code.of`lib.types.package`);
    case "anything": return one(Code.of`lib.types.anything`);
    case "positiveInt": return one(Code.of`lib.types.ints.positive`);
    case "strMatching": return one(Code.of`lib.types.strMatching ${Code.nix(type.pattern)}`);
    case "enum": return one(Code.of`lib.types.enum ${Code.nixList(type.values)}`);
    case "nullOr": return one(Code.of`lib.types.nullOr ${inner(type.of)}`);
    case "attrsOf": return one(Code.of`lib.types.attrsOf ${inner(type.of)}`);
    case "submodule": {
      const body = nixOptionLines(type.options);
      if (!body.length) return one(Code.of`lib.types.submodule { options = { }; }`);
      return [
        { depth: 0, code: Code.of`lib.types.submodule {` },
        { depth: 1, code: Code.of`options = {` },
        ...body.map((l) => ({ depth: l.depth + 2, code: l.code })),
        { depth: 1, code: Code.of`};` },
        { depth: 0, code: Code.of`}` },
      ];
    }
  }
}

/** `name = <first line>` … `<last line>;` for a value of one or more lines. */
function nixBinding(name: Code, value: NixLine[]): NixLine[] {
  const out = value.map((l) => ({ ...l }));
  out[0] = { depth: 0, code: Code.of`${name} = ${out[0]!.code}` };
  const last = out.length - 1;
  out[last] = { depth: out[last]!.depth, code: Code.of`${out[last]!.code};` };
  return out;
}

/** A description: one string, or one per line joined with `+` (the text, line breaks included, is unchanged). */
function nixDescription(text: string): NixLine[] {
  const pieces = text.split(/(?<=\n)/);
  if (pieces.length === 1) return [{ depth: 0, code: Code.of`description = ${Code.nix(text)};` }];
  return [
    { depth: 0, code: Code.of`description =` },
    ...pieces.map((piece, i) => ({ depth: 1, code: i === 0 ? Code.nix(piece) : Code.of`+ ${Code.nix(piece)}` })),
  ].map((l, i, all) => (i === all.length - 1 ? { ...l, code: Code.of`${l.code};` } : l));
}

function nixOptionDeclaration(name: Code, option: OptionSpec): NixLine[] {
  if (option.enable) {
    if (option.type.type !== "bool" || option.default || option.example || option.defaultText || option.readOnly) {
      throw new Error(`${option.name}: an enable option is a plain mkEnableOption (bool, default false)`);
    }
    return [{ depth: 0, code: Code.of`${name} = lib.mkEnableOption ${Code.nix(option.description)};` }];
  }
  const body: NixLine[] = [...nixBinding(Code.of`type`, nixTypeLines(option.type))];
  if (option.readOnly) body.push({ depth: 0, code: Code.of`readOnly = true;` });
  if (option.default) {
    const value = "value" in option.default ? nixValue(option.default.value) : nixIdentifierPath(option.default.ref);
    body.push({ depth: 0, code: Code.of`default = ${value};` });
  }
  if (option.defaultText !== undefined) body.push({ depth: 0, code: Code.of`defaultText = lib.literalExpression ${Code.nix(option.defaultText)};` });
  if (option.example) {
    const example = "value" in option.example ? nixValue(option.example.value) : Code.of`lib.literalExpression ${Code.nix(option.example.expression)}`;
    body.push({ depth: 0, code: Code.of`example = ${example};` });
  }
  body.push(...nixDescription(option.description));
  return [
    { depth: 0, code: Code.of`${name} = lib.mkOption {` },
    ...body.map((l) => ({ depth: l.depth + 1, code: l.code })),
    { depth: 0, code: Code.of`};` },
  ];
}

interface OptionNode {
  option?: OptionSpec;
  children: Map<string, OptionNode>;
}

/** The declarations of `options`, nested by their dotted names, in table order. */
function nixOptionLines(options: readonly OptionSpec[]): NixLine[] {
  const root: OptionNode = { children: new Map() };
  for (const option of options) {
    let node = root;
    for (const part of option.name.split(".")) {
      if (node.option) throw new Error(`option ${option.name} is inside the option ${node.option.name}`);
      let child = node.children.get(part);
      if (!child) node.children.set(part, (child = { children: new Map() }));
      node = child;
    }
    if (node.option || node.children.size) throw new Error(`option ${option.name} is declared twice (or holds other options)`);
    node.option = option;
  }
  const emit = (node: OptionNode): NixLine[] => {
    const blocks = [...node.children].map(([part, child]): NixLine[] => {
      const name = Code.nixAttr(part);
      if (child.option) return nixOptionDeclaration(name, child.option);
      return [
        { depth: 0, code: Code.of`${name} = {` },
        ...emit(child).map((l) => ({ depth: l.depth + 1, code: l.code })),
        { depth: 0, code: Code.of`};` },
      ];
    });
    // A blank line around every declaration that spans lines.
    return blocks.flatMap((block, i) => (i > 0 && (block.length > 1 || blocks[i - 1]!.length > 1) ? [{ depth: 0, code: Code.of`` }, ...block] : block));
  };
  return emit(root);
}

/**
 * The `mkOption` / `mkEnableOption` declarations of `options` (names relative
 * to the attribute set they are printed in), each line indented by `indent`
 * levels of two spaces: what a module template prints with `{{code ...}}`.
 */
export function nixOptionDeclarations(options: readonly OptionSpec[], indent: number): Code {
  const pad = (code: Code, levels: number): Code => (levels === 0 || code.text === "" ? code : pad(Code.of`  ${code}`, levels - 1));
  return Code.join(nixOptionLines(options).map((l) => pad(l.code, indent + l.depth)), "\n");
}

/** The options one module file declares: `common` (modules/common.nix) holds those of both modules. */
export function moduleOptions(model: Pick<Model, "options">, file: "common" | ModuleName): OptionSpec[] {
  const both = (o: OptionSpec) => o.modules.includes("nixos") && o.modules.includes("home-manager");
  return model.options.filter((o) => (file === "common" ? both(o) : o.modules.includes(file) && !both(o)));
}

/**
 * Problems with a module's declarations: a name declared twice (common.nix's
 * options are merged with `//`, so a clash would silently drop one), or an
 * option inside another option.
 */
export function declarationProblems(model: Pick<Model, "options">, module: ModuleName, file: string): string[] {
  const names = model.options.filter((o) => o.modules.includes(module)).map((o) => o.name);
  const problems: string[] = [];
  names.forEach((name, i) => {
    if (names.indexOf(name) !== i) problems.push(`${file}: option ${name} is declared twice in generator/schema/options.ts`);
    const outer = names.find((other) => name.startsWith(`${other}.`));
    if (outer) problems.push(`${file}: option ${name} is inside the option ${outer} (generator/schema/options.ts)`);
  });
  return problems;
}

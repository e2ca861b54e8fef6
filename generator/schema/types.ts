/**
 * The typed schema: the single source of truth for everything the generator
 * emits (Nix modules, the metadata file and its parser, the shell commands'
 * usage texts, flags and exit codes, JSON Schemas, TypeScript declarations,
 * completions and docs).
 *
 * The default schema lives next to this file; a user's provenance.yaml/.toml
 * extends it (see ../config.ts) and ../model.ts resolves both into one model.
 */

/** How a metadata value is found at Nix evaluation time (see templates/nix/metadata.nix.hbs). */
export type FieldSource =
  /** The config flake's commit: `self.rev`, or the base commit of `self.dirtyRev`. */
  | { kind: "selfCommit" }
  /** First 7 characters of the commit. */
  | { kind: "selfShortCommit" }
  /** "true" when `self.dirtyRev` is present, "false" when `self.rev` is, else "unknown". */
  | { kind: "selfDirty" }
  /** `self.lastModifiedDate` cut to `digits` characters (8 = YYYYMMDD, as in the seed). */
  | { kind: "selfLastModified"; digits: number }
  /** A URL built from a template option of the module (`{commit}`, `{owner}`…). */
  | { kind: "template"; option: "sourceUrlTemplate" | "flakeUrlTemplate" }
  /** An attribute of a flake input: `inputs.<input>.<attr>`. */
  | { kind: "inputAttr"; input: string; attr: "rev" | "shortRev" | "narHash" | "lastModifiedDate" }
  /** The module's `hostName` option. */
  | { kind: "hostName" }
  /** The platform the system is built for (`pkgs.stdenv.hostPlatform.system`). */
  | { kind: "system" }
  /** A fixed string from the user's config file. */
  | { kind: "literal"; value: string }
  /** A value set per host through `system.provenance.extraFields.<shellVar>`. */
  | { kind: "option" };

export type FieldGroup = "git" | "inputs" | "system" | "custom";

/** One line of /etc/nixos-metadata and one key of nixos-metadata.json. */
export interface MetadataFieldSpec {
  /** Shell variable in /etc/nixos-metadata, e.g. `GIT_COMMIT`. */
  shellVar: string;
  /** Key in /etc/nixos-metadata.json, e.g. `commit`. */
  jsonKey: string;
  /** `boolean` fields hold "true"/"false"/"unknown" in the shell file and true/false/null in JSON. */
  type: "string" | "boolean";
  group: FieldGroup;
  /** One sentence; used in docs, option descriptions and the JSON Schema. */
  description: string;
  example: string;
  source: FieldSource;
}

/** A named exit status of a command. */
export interface ExitCodeSpec {
  /** Name used by templates (`{{exit "usage"}}`), never shown to users. */
  name: string;
  code: number;
  description: string;
}

export interface FlagSpec {
  /** Long form including dashes, e.g. `--json`. */
  long: string;
  short?: string;
  /** Placeholder when the flag takes a value, e.g. `DIR`. */
  value?: string;
  /** Fixed choices for the value (used by completions). */
  choices?: string[];
  description: string;
  /**
   * Flags of one group exclude each other and select a handler: the parser
   * sets `prov_opt_<group>` to the flag's name and the generated dispatch
   * calls `prov_<prefix>_<group>_[<subcommand>_]<name>` (see the command's
   * runtime source). Ungrouped flags set `prov_opt_<name>`, which the source
   * must read.
   */
  group?: "mode";
  /** nixos-generation-info: answered from the status cache when given alone. */
  poll?: boolean;
}

/** A word-led form of a command (`nixos-metadata diff A B`). */
export interface SubcommandSpec {
  name: string;
  /**
   * Positional arguments after the word; an optional one may be left out.
   * `generation`: a system generation (completions offer the numbers of the
   * system profile's links, read when completing).
   */
  args: { name: string; optional?: boolean; generation?: boolean }[];
  /** Mode-group flags this form accepts (`human` is the default mode). */
  modes: string[];
  /** Taken when the first argument is no subcommand word (`nixos-metadata 42`). */
  default?: boolean;
}

export interface PositionalSpec {
  name: string;
  description: string;
  optional: boolean;
  /** Fixed words accepted here (keywords or subcommands); used by completions. */
  choices?: string[];
  /**
   * Narrower choices when the positional before this one is a given word
   * (nixos-build-wrapper: `home` has no `boot` or `test`). The command's
   * runtime refuses the others; completions offer only these.
   */
  choicesAfter?: Record<string, string[]>;
}

export interface CommandSpec {
  /** Executable name, installed as out/bin/<name>. */
  name: string;
  summary: string;
  /** Lines of the synopsis after the command name. */
  synopsis: string[];
  positionals: PositionalSpec[];
  flags: FlagSpec[];
  exitCodes: ExitCodeSpec[];
  /** Names of JSON shapes (see json-shapes.ts) this command prints. */
  jsonOutputs: string[];
  /** Example invocations for help and man pages. */
  examples: { command: string; description: string }[];
  /** Prefix of the command's own shell functions (`gi` → `prov_gi_*`). */
  prefix: string;
  /** Default mode when no mode flag is given. */
  defaultMode?: string;
  /** Word-led forms; when absent the positionals are matched by their choices, in order. */
  subcommands?: SubcommandSpec[];
  /** Words after `--` are passed through (`prov_opt_rest`, shell-quoted). */
  rest?: { name: string; description: string };
  /**
   * The NIXOS_PROVENANCE_* environment variables the command reads (its
   * runtime source and the parts it sources), with what each does; the man
   * page lists exactly these (test/command-env.test.ts checks the sources).
   */
  env?: { name: string; description: string }[];
}

/** A function of lib/build-status.sh that is part of the public (seed) API. */
export interface LibraryFunctionSpec {
  name: string;
  args: string;
  description: string;
  /** "output" prints a value; "status" answers with its exit status. */
  returns: "output" | "status";
}

/**
 * A JSON shape: a small subset of JSON Schema, typed so emitters can turn it
 * into both a JSON Schema document and a TypeScript declaration.
 */
export type JsonShape = (
  | { type: "string"; description?: string; enum?: string[]; format?: "date-time"; pattern?: string }
  | { type: "integer"; description?: string; minimum?: number; maximum?: number }
  | { type: "number"; description?: string }
  | { type: "boolean"; description?: string; const?: boolean }
  | { type: "null"; description?: string }
  | { type: "array"; description?: string; items: JsonShape; uniqueItems?: boolean }
  | {
      type: "object"; description?: string; properties: Record<string, JsonShape>; required: string[]; additionalProperties?: boolean | JsonShape;
      /** Exactly one of these keys must be present (JSON Schema `oneOf` of `required`). */
      exactlyOne?: string[];
      /** A key allowed only together with others (JSON Schema `dependentRequired`). */
      dependentRequired?: Record<string, string[]>;
      /** Narrower shapes for some properties when a key has a given value (JSON Schema `if`/`then`). */
      when?: { key: string; equals: string; then: Record<string, JsonShape> }[];
    }
  | { type: "ref"; ref: string; description?: string }
  | { type: "anyOf"; description?: string; anyOf: JsonShape[] }
) & {
  /** What a valid value is, in words ("a whole number from 1 to 100000"): JSON Schema `errorMessage`. */
  expected?: string;
  /** Further shapes the value must also match (JSON Schema `allOf`). */
  allOf?: JsonShape[];
  /**
   * GenerationInfo only: the `--export` name suffix when the seed's name does
   * not follow from the key in UPPER_SNAKE (`latestGeneration` → `LATEST`).
   */
  exportName?: string;
};

export interface JsonShapeSpec {
  /** PascalCase name used for the TypeScript type and the JSON Schema file. */
  name: string;
  description: string;
  shape: JsonShape;
  /**
   * The generated writer `prov_json_<name>` (shell): it reads each property
   * `key` from `prov_<prefix>_<key>` (nested objects: `<key>_<sub>`, or
   * `vars["key"]` / `vars["key.sub"]`), encodes it by its type and sets
   * prov_ret to the JSON text. For array shapes it writes one item.
   */
  writer?: JsonWriterSpec;
}

export interface JsonWriterSpec {
  prefix: string;
  vars?: Record<string, string>;
  /** Keys whose variable already holds JSON text made by another writer or the log reader. */
  raw?: string[];
  /** String keys printed without escaping: values built only from characters JSON needs no escape for (bar texts). */
  verbatim?: string[];
  /**
   * Also (or only) an awk writer: the awk function `json_<name>(V)` in the
   * shell variable `prov_awk_json_<name>`; V[key] holds each value already
   * encoded as JSON (the awk side has jesc for that).
   */
  awk?: boolean;
  /** No shell writer (the shape is only written from awk). */
  awkOnly?: boolean;
}

/** Defaults for the runtime, overridable by the user's config file. */
export interface RuntimeDefaults {
  /** Where nixos-build-wrapper keeps last-build.json, last-build.log, build-history.json. */
  logDir: string;
  /** How many entries build-history.json keeps. */
  historyLength: number;
}

export interface Schema {
  /** Bumped whenever a field is renamed or removed; written into every metadata file. */
  schemaVersion: number;
  fields: MetadataFieldSpec[];
  /** Flake inputs whose revision is recorded beyond the fixed fields (e.g. `sops-nix`). */
  trackedInputs: string[];
  /** Defaults of the module's URL templates; see docs for the placeholders. */
  sourceUrlTemplate: string | null;
  flakeUrlTemplate: string | null;
  commands: CommandSpec[];
  library: LibraryFunctionSpec[];
  jsonShapes: JsonShapeSpec[];
  runtime: RuntimeDefaults;
}

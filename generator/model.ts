/**
 * Schema + user config → one resolved, fully defaulted model. Every default is
 * decided here; emitters only read the model (they never look at the config).
 */
import { generationRuleMarkdown } from "./schema/json-types.js";
import { alertRules, alertThresholds, durationPattern, fleetLabelDefault, metricPrefix, resolveMetrics, unitSeconds, type AlertSpec, type AlertThresholdSpec, type MetricSpec } from "./schema/metrics.js";
import { knownInputRepositories } from "./schema/inputs.js";
import { activationStateDir, activationHistoryFile } from "./schema/shapes/activation.js";
import { rebootReasons } from "./schema/metrics.js";
import { readFileSync } from "node:fs";
import type { CommandSpec, ExitCodeSpec, JsonShape, JsonShapeSpec, MetadataFieldSpec, Schema } from "./schema/types.js";
import { fieldGroupTitles, forges } from "./schema/fields.js";
import { ConfigError, isReservedShellVar, provenanceConfigShape, urlPlaceholders, type ConfigProblem, type UserConfig } from "./config.js";
import { provenanceOptions, type OptionSpec } from "./schema/options.js";
import { formatPath, schemaDocument, validate } from "./json-schema.js";
import { dotComponentPattern, safeDirectoryPattern, safeDirectoryWhat, systemDirectories, systemDirectoryPrefixes } from "./schema/paths.js";

export interface ResolvedCommand extends CommandSpec {
  /** Exit codes by template name. */
  exit: Record<string, ExitCodeSpec>;
  /** The environment variables it reads, defaults filled in. */
  env: { name: string; description: string }[];
}

export interface Model {
  schemaVersion: number;
  /** All metadata fields in file order: seed fields, tracked inputs, custom fields. */
  fields: MetadataFieldSpec[];
  fieldGroups: { group: MetadataFieldSpec["group"]; title: string; fields: MetadataFieldSpec[] }[];
  /** Flake inputs that get a `<NAME>_REV` field beyond nixpkgs and home-manager. */
  trackedInputs: string[];
  /** Custom fields the NixOS module exposes as `extraFields.<shellVar>` options. */
  optionFields: MetadataFieldSpec[];
  sourceUrlTemplate: string | null;
  flakeUrlTemplate: string | null;
  forges: typeof forges;
  commands: ResolvedCommand[];
  command: Record<string, ResolvedCommand>;
  library: Schema["library"];
  jsonShapes: JsonShapeSpec[];
  /** The same shapes by name. */
  shapes: Record<string, JsonShapeSpec>;
  /** `--export` name suffix of every GenerationInfo key (`homeManagerStatus` → `HOME_MANAGER_STATUS`, or the property's `exportName`). */
  exportNames: Record<string, string>;
  runtime: Schema["runtime"];
  /** Where the activation history lives (the NixOS module's activation script writes it). */
  activation: { stateDir: string; historyFile: string };
  /** The reboot reasons of the metric table (generator/schema/metrics.ts), in the runtime's order. */
  rebootReasons: readonly string[];
  /** Flake references of well-known inputs, for compare links of their revisions. */
  knownInputRepositories: Record<string, string>;
  /** The metric table (the info metric with a label per input revision) and the alert rules. */
  monitoring: Monitoring;
  /** The JSON type rule for generation numbers, as the Markdown section of out/doc/commands.md. */
  jsonTypeRuleMarkdown: string;
  /** The shape of provenance.yaml / provenance.toml (out/schema/ProvenanceConfig.schema.json). */
  configShape: JsonShapeSpec;
  /** The version in package.json (the Nix package, the man pages). */
  packageVersion: string;
  /** Where the NixOS module installs files, relative to /etc. */
  paths: {
    /** The library: stable, and outside /etc/nixos. */
    libraryEtcName: string;
    /** The seed's path of the library, installed only when `legacyLibraryPath` is set. */
    legacyEtcName: string;
  };
  /** The first lines of a metadata file (comment and schema version), per kind of generation. */
  metadataHeaders: Record<keyof typeof metadataFiles, string>;
  /** Every option of the NixOS and Home Manager modules (generator/schema/options.ts), resolved. */
  options: OptionSpec[];
  /** The one field a Home Manager generation records beyond the schema's: whose it is. */
  homeUserField: { shellVar: string; jsonKey: string };
  /** Where a Home Manager generation keeps its metadata, relative to the generation (the module links them, `nixos-metadata --home` reads them). */
  homeGenerationFiles: { shell: string; json: string };
  /** The directory rule of generator/schema/paths.ts, which the NixOS module's assertions repeat. */
  pathRule: { pattern: string; dotPattern: string; systemDirectories: string[]; prefixes: string[]; what: string };
  /** The JSON shape each module's metadata JSON must match (a name in `shapes`). */
  metadataJsonShapes: Record<keyof typeof metadataFiles, string>;
}

/** See Model.homeUserField. */
export const homeUserField = { shellVar: "HOME_MANAGER_USER", jsonKey: "homeManagerUser" } as const;

/** See Model.homeGenerationFiles. */
export const homeGenerationFiles = { shell: "nixos-metadata", json: "nixos-metadata.json" } as const;

/**
 * The metadata JSON a module writes, with a placeholder value of each field's
 * type: what metadata.nix writes (`schemaVersion` and every field), plus the
 * user for Home Manager. The emitters' validate step checks it against the
 * JSON Schema of `metadataJsonShapes[generation]`.
 */
export function metadataJsonWritten(model: Pick<Model, "schemaVersion" | "fields" | "homeUserField">, generation: keyof typeof metadataFiles): Record<string, unknown> {
  const written: Record<string, unknown> = { schemaVersion: model.schemaVersion };
  for (const field of model.fields) written[field.jsonKey] = field.type === "boolean" ? null : "unknown";
  if (generation === "home-manager") written[model.homeUserField.jsonKey] = "alice";
  return written;
}

/** What the JSON Schema of `metadataJsonShapes[generation]` rejects in what that module writes; empty when it allows it all. */
export function metadataJsonProblems(model: Pick<Model, "schemaVersion" | "fields" | "homeUserField" | "metadataJsonShapes" | "shapes" | "jsonShapes">, generation: keyof typeof metadataFiles): string[] {
  const shapeName = model.metadataJsonShapes[generation];
  const what = generation === "nixos" ? "/etc/nixos-metadata.json" : "the generation's nixos-metadata.json (home-metadata.json)";
  const spec = model.shapes[shapeName];
  if (!spec) return [`writes ${what}, but the schema has no JSON shape ${shapeName}`];
  return validate(metadataJsonWritten(model, generation), schemaDocument(spec, model.jsonShapes)).map((p) => {
    const where = formatPath(p.path) || "the document";
    const why = p.keyword === "additionalProperties" ? `the key ${where} is not allowed` : `${where}: expected ${p.expected}${p.got ? `, got ${JSON.stringify(p.got.value)}` : ""}`;
    return `writes ${what}, which out/schema/${shapeName}.schema.json rejects: ${why}`;
  });
}

/** package.json's version, read once: the one place the version is written down. */
export const packageVersion: string = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;

/** Where each kind of generation keeps its metadata, for the file's first line. */
const metadataFiles = {
  nixos: { path: "/etc/nixos-metadata", what: "this NixOS generation" },
  "home-manager": { path: "home-metadata (in the generation and $XDG_DATA_HOME/nixos-provenance)", what: "this Home Manager generation" },
} as const;

function metadataHeader(schemaVersion: number, generation: keyof typeof metadataFiles): string {
  const file = metadataFiles[generation];
  return (
    `# ${file.path}: provenance of ${file.what} (nixos-provenance, schema ${schemaVersion}).\n` +
    "# Shell-sourceable: every value is single-quoted, so sourcing it never runs anything.\n" +
    `METADATA_SCHEMA_VERSION='${schemaVersion}'\n`
  );
}

/** `sops-nix` → `SOPS_NIX_REV` / `sopsNixRev`. */
export function inputFieldNames(input: string): { shellVar: string; jsonKey: string } {
  const words = input.split(/[-_]+/).filter(Boolean);
  const shellVar = `${words.map((w) => w.toUpperCase()).join("_")}_REV`;
  const jsonKey = words.map((w, i) => (i === 0 ? w.toLowerCase() : w.charAt(0).toUpperCase() + w.slice(1).toLowerCase())).join("") + "Rev";
  return { shellVar, jsonKey };
}

/** `homeManagerStatus` → `HOME_MANAGER_STATUS` (the --export names of JSON keys). */
export function upperSnake(camel: string): string {
  return camel.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();
}

function metadataShape(fields: MetadataFieldSpec[], schemaVersion: number): JsonShapeSpec {
  const properties: Record<string, JsonShape> = {
    schemaVersion: { type: "integer", description: `Version of the metadata schema (${schemaVersion}).` },
  };
  for (const field of fields) {
    properties[field.jsonKey] =
      field.type === "boolean"
        ? { type: "anyOf", anyOf: [{ type: "boolean" }, { type: "null" }], description: `${field.description} null when unknown.` }
        : { type: "string", description: `${field.description} \`unknown\` when it cannot be known.` };
  }
  return {
    name: "NixosMetadata",
    writer: {
      prefix: "md",
      vars: Object.fromEntries([["schemaVersion", "prov_md_schema"], ...fields.map((f) => [f.jsonKey, `prov_md_${f.shellVar}`])]),
    },
    description: "Contents of /etc/nixos-metadata.json: the provenance of one system generation.",
    shape: { type: "object", description: "Provenance of a generation.", properties, required: Object.keys(properties), additionalProperties: false },
  };
}

/** home-metadata.json: the NixOS metadata plus the user whose generation it is. */
function homeMetadataShape(nixos: JsonShapeSpec): JsonShapeSpec {
  if (nixos.shape.type !== "object") throw new Error("NixosMetadata is an object shape");
  const properties: Record<string, JsonShape> = {
    ...nixos.shape.properties,
    [homeUserField.jsonKey]: { type: "string", description: "The Home Manager user (`home.username`) whose generation this is." },
  };
  return {
    name: "HomeManagerMetadata",
    description: "Contents of nixos-metadata.json in a Home Manager generation (and $XDG_DATA_HOME/nixos-provenance/home-metadata.json).",
    shape: { ...nixos.shape, description: "Provenance of a Home Manager generation.", properties, required: Object.keys(properties) },
  };
}

function exportNamesOf(shape: JsonShapeSpec | undefined): Record<string, string> {
  if (!shape || shape.shape.type !== "object") return {};
  const names = Object.entries(shape.shape.properties).map(([key, property]) => [key, property.exportName ?? upperSnake(key)] as const);
  const seen = new Map<string, string>();
  for (const [key, name] of names) {
    if (!/^[A-Z][A-Z0-9_]*$/.test(name)) throw new Error(`${shape.name}.${key}: export name ${JSON.stringify(name)} is not UPPER_SNAKE`);
    const owner = seen.get(name);
    if (owner) throw new Error(`${shape.name}: keys ${owner} and ${key} would both be exported as ${name}`);
    seen.set(name, key);
  }
  return Object.fromEntries(names);
}

export type { AlertSpec, MetricSpec } from "./schema/metrics.js";

export interface Monitoring {
  metrics: MetricSpec[];
  metricPrefix: string;
  alertRules: AlertSpec[];
  alertThresholds: AlertThresholdSpec[];
  fleetLabelDefault: string;
  durationPattern: string;
  unitSeconds: Record<string, number>;
}

export function resolveMonitoring(fields: MetadataFieldSpec[]): Monitoring {
  return { metrics: resolveMetrics(fields), metricPrefix, alertRules, alertThresholds, fleetLabelDefault, durationPattern, unitSeconds };
}

export function resolveModel(schema: Schema, config?: UserConfig): Model {
  const file = config?.file ?? "(default schema)";
  const fields: MetadataFieldSpec[] = schema.fields.map((f) => ({ ...f }));
  const trackedInputs = [...schema.trackedInputs, ...(config?.trackedInputs ?? [])];
  const fixedInputs = new Set(fields.flatMap((f) => (f.source.kind === "inputAttr" ? [f.source.input] : [])));

  const seenShell = new Map<string, string>();
  const seenJson = new Map<string, string>();
  // Every collision is reported, not only the first.
  const problems: ConfigProblem[] = [];
  const claim = (field: MetadataFieldSpec, where: string) => {
    if (isReservedShellVar(field.shellVar)) problems.push({ key: where, expected: "a shell variable name the metadata file may set (not one the shells give meaning to)", got: field.shellVar });
    const shellOwner = seenShell.get(field.shellVar);
    if (shellOwner) problems.push({ key: where, expected: `a shell variable name not already used by ${shellOwner}`, got: field.shellVar });
    const jsonOwner = seenJson.get(field.jsonKey);
    if (jsonOwner || field.jsonKey === "schemaVersion") problems.push({ key: where, expected: `a JSON key not already used by ${jsonOwner ?? "schemaVersion"}`, got: field.jsonKey });
    if (!shellOwner) seenShell.set(field.shellVar, where);
    if (!jsonOwner) seenJson.set(field.jsonKey, where);
  };
  fields.forEach((f) => claim(f, `built-in field ${f.shellVar}`));

  trackedInputs.forEach((input, i) => {
    if (fixedInputs.has(input)) return; // nixpkgs and home-manager already have their fields
    const names = inputFieldNames(input);
    const field: MetadataFieldSpec = {
      ...names, type: "string", group: "inputs",
      description: `Revision of the ${input} input.`, example: "0123456789abcdef0123456789abcdef01234567",
      source: { kind: "inputAttr", input, attr: "rev" },
    };
    claim(field, `trackedInputs[${i}]`);
    fields.push(field);
  });

  config?.fields.forEach((custom, i) => {
    const field: MetadataFieldSpec = { ...custom, group: "custom" };
    claim(field, `fields[${i}]`);
    fields.push(field);
  });

  if (problems.length) throw new ConfigError(file, problems);

  const commands = schema.commands.map((command): ResolvedCommand => {
    const exit: Record<string, ExitCodeSpec> = {};
    for (const code of command.exitCodes) exit[code.name] = code;
    const env = (command.env ?? []).map((e) => ({
      ...e,
      description: e.description.replace("{logDir}", schema.runtime.logDir).replace("{historyLength}", String(schema.runtime.historyLength)),
    }));
    return { ...command, exit, env };
  });

  const nixosMetadata = metadataShape(fields, schema.schemaVersion);
  const jsonShapes = [nixosMetadata, homeMetadataShape(nixosMetadata), ...schema.jsonShapes];

  const paths = { libraryEtcName: "nixos-provenance/build-status.sh", legacyEtcName: "nixos/lib/build-status.sh" };

  const groups = (Object.keys(fieldGroupTitles) as MetadataFieldSpec["group"][])
    .map((group) => ({ group, title: fieldGroupTitles[group], fields: fields.filter((f) => f.group === group) }))
    .filter((g) => g.fields.length > 0);

  return {
    schemaVersion: schema.schemaVersion,
    fields,
    fieldGroups: groups,
    trackedInputs: trackedInputs.filter((i) => !fixedInputs.has(i)),
    optionFields: fields.filter((f) => f.source.kind === "option"),
    sourceUrlTemplate: config?.sourceUrlTemplate !== undefined ? config.sourceUrlTemplate : schema.sourceUrlTemplate,
    flakeUrlTemplate: config?.flakeUrlTemplate !== undefined ? config.flakeUrlTemplate : schema.flakeUrlTemplate,
    forges,
    commands,
    command: Object.fromEntries(commands.map((c) => [c.name, c])),
    library: schema.library,
    jsonShapes,
    shapes: Object.fromEntries(jsonShapes.map((s) => [s.name, s])),
    exportNames: exportNamesOf(jsonShapes.find((s) => s.name === "GenerationInfo")),
    runtime: {
      logDir: config?.runtime.logDir ?? schema.runtime.logDir,
      historyLength: config?.runtime.historyLength ?? schema.runtime.historyLength,
    },
    activation: { stateDir: activationStateDir, historyFile: activationHistoryFile },
    rebootReasons,
    knownInputRepositories,
    monitoring: resolveMonitoring(fields),
    jsonTypeRuleMarkdown: generationRuleMarkdown(),
    configShape: provenanceConfigShape,
    packageVersion,
    paths,
    metadataHeaders: { nixos: metadataHeader(schema.schemaVersion, "nixos"), "home-manager": metadataHeader(schema.schemaVersion, "home-manager") },
    options: provenanceOptions({
      trackedInputs: trackedInputs.filter((i) => !fixedInputs.has(i)),
      urlPlaceholders,
      commandNames: commands.map((c) => c.name),
      optionFields: fields.filter((f) => f.source.kind === "option"),
      fieldNames: fields.map((f) => f.shellVar),
      sourceUrlTemplate: config?.sourceUrlTemplate !== undefined ? config.sourceUrlTemplate : schema.sourceUrlTemplate,
      flakeUrlTemplate: config?.flakeUrlTemplate !== undefined ? config.flakeUrlTemplate : schema.flakeUrlTemplate,
      runtime: { logDir: config?.runtime.logDir ?? schema.runtime.logDir, historyLength: config?.runtime.historyLength ?? schema.runtime.historyLength },
      libraryEtcPath: `/etc/${paths.libraryEtcName}`,
      legacyEtcPath: `/etc/${paths.legacyEtcName}`,
      homeUserShellVar: homeUserField.shellVar,
    }),
    homeUserField,
    homeGenerationFiles,
    pathRule: { pattern: safeDirectoryPattern, dotPattern: dotComponentPattern, systemDirectories: [...systemDirectories], prefixes: [...systemDirectoryPrefixes], what: safeDirectoryWhat },
    metadataJsonShapes: { nixos: nixosMetadata.name, "home-manager": "HomeManagerMetadata" },
  };
}

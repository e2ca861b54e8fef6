/** modules/metadata.nix: the builtins-only provenance computation. */
import type { Emitter } from "./types.js";
import type { MetadataFieldSpec } from "../schema/types.js";
import type { Model } from "../model.js";
import { Code } from "../escape/code.js";
import { nixAttrName, nixString } from "../escape/nix.js";
import { regexLiteral } from "../escape/regex.js";
import { createEnvironment, renderTemplate } from "../render.js";


/** The Nix expression (inside metadata.nix's `let`) that computes one field. */
export function fieldValueExpr(field: MetadataFieldSpec): Code {
  const source = field.source;
  switch (source.kind) {
    case "selfCommit": return Code.of`commit`;
    case "selfShortCommit": return Code.of`shortCommit`;
    case "selfDirty": return Code.of`dirty`;
    case "selfLastModified": return Code.of`lastModified ${String(source.digits)}`;
    case "template": return Code.of`fillTemplate templates.${source.option}`;
    case "inputAttr": return Code.of`inputAttr ${nixString(source.input)} ${nixString(source.attr)}`;
    case "hostName": return Code.of`asString hostName`;
    case "system": return Code.of`asString system`;
    case "literal": return Code.of`${nixString(source.value)}`;
    case "option": return Code.of`asString (extraFields.${nixAttrName(field.shellVar)} or null)`;
  }
}

/** Where each kind of generation keeps its metadata, for the file's first line. */
const metadataFiles = {
  nixos: { path: "/etc/nixos-metadata", what: "this NixOS generation" },
  "home-manager": { path: "home-metadata (in the generation and $XDG_DATA_HOME/nixos-provenance)", what: "this Home Manager generation" },
} as const;

export function metadataHeader(model: Model, generation: keyof typeof metadataFiles = "nixos"): string {
  const file = metadataFiles[generation];
  return (
    `# ${file.path}: provenance of ${file.what} (nixos-provenance, schema ${model.schemaVersion}).\n` +
    "# Shell-sourceable: every value is single-quoted, so sourcing it never runs anything.\n" +
    `METADATA_SCHEMA_VERSION='${model.schemaVersion}'\n`
  );
}

export const emitMetadataNix: Emitter = (model) => {
  const hb = createEnvironment();
  const optionalNix = (v: string | null) => (v === null ? Code.of`null` : Code.of`${nixString(v)}`);
  const context = {
    model,
    defaults: { sourceUrlTemplate: optionalNix(model.sourceUrlTemplate), flakeUrlTemplate: optionalNix(model.flakeUrlTemplate) },
    header: metadataHeader(model),
    homeHeader: metadataHeader(model, "home-manager"),
    forges: model.forges.map((f) => {
      const host = new URL(f.webBase).host;
      return {
        name: f.name,
        // Both forms capture exactly (owner, repo): `github:o/r/...` and `git+https://github.com/o/r.git?...`.
        patterns: [`${regexLiteral(f.flakeScheme)}([^/]+)/([^/?#]+).*`, `[a-z+]+://[^/]*${regexLiteral(host)}/([^/]+)/([^/?#]+).*`],
        sourceUrl: f.sourceUrl,
        flakeUrl: f.flakeUrl,
      };
    }),
    fields: model.fields.map((f) => ({ ...f, valueExpr: fieldValueExpr(f) })),
    groups: model.fieldGroups.map((g) => ({ title: g.title, vars: g.fields.map((f) => f.shellVar) })),
  };
  return [{ path: "modules/metadata.nix", content: renderTemplate(hb, "nix/metadata.nix.hbs", context) }];
};

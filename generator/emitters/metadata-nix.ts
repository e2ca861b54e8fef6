/** modules/metadata.nix: the builtins-only provenance computation. */
import type { Emitter } from "./types.js";
import type { MetadataFieldSpec } from "../schema/types.js";
import { metadataJsonProblems } from "../model.js";
import { Code } from "../escape/code.js";
import { regexLiteral } from "../escape/regex.js";
import { createEnvironment, renderTemplate } from "../render.js";


/** The Nix expression (inside metadata.nix's `let`) that computes one field. */
export function fieldValueExpr(field: MetadataFieldSpec): Code {
  const source = field.source;
  switch (source.kind) {
    case "selfCommit": return Code.of`commit`;
    case "selfShortCommit": return Code.of`shortCommit`;
    case "selfDirty": return Code.of`dirty`;
    case "selfLastModified": return Code.of`lastModified ${source.digits}`;
    case "template": return Code.of`fillTemplate templates.${Code.nixAttr(source.option)}`;
    case "inputAttr": return Code.of`inputAttr ${Code.nix(source.input)} ${Code.nix(source.attr)}`;
    case "hostName": return Code.of`asString hostName`;
    case "system": return Code.of`asString system`;
    case "literal": return Code.nix(source.value);
    case "option": return Code.of`asString (extraFields.${Code.nixAttr(field.shellVar)} or null)`;
  }
}

export const emitMetadataNix: Emitter = (model) => {
  const hb = createEnvironment();
  const optionalNix = (v: string | null) => (v === null ? Code.of`null` : Code.nix(v));
  const context = {
    model,
    defaults: { sourceUrlTemplate: optionalNix(model.sourceUrlTemplate), flakeUrlTemplate: optionalNix(model.flakeUrlTemplate) },
    header: model.metadataHeaders.nixos,
    homeHeader: model.metadataHeaders["home-manager"],
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

emitMetadataNix.validate = (model) => metadataJsonProblems(model, "nixos").map((p) => `modules/metadata.nix: ${p}`);

/**
 * The table of emitters: each owns the output paths it returns. Adding a
 * target means adding one emitter here and nothing else.
 */
import { SchemaValidationError, type Emitter, type OutputFile } from "./types.js";
import type { Model } from "../model.js";
import { emitMetadataNix } from "./metadata-nix.js";
import { emitNixosModule } from "./nixos-module.js";
import { emitShellRuntime } from "./shell.js";
import { emitJsonSchemas } from "./json-schema.js";
import { emitTypeDeclarations } from "./typescript.js";
import { emitDocs } from "./docs.js";
import { emitCompletions } from "./completions.js";
import { emitManPages } from "./man.js";
import { emitHomeManagerModule } from "./home-manager-module.js";
import { emitMetrics } from "./metrics.js";
import { emitDashboard } from "./grafana.js";
import { emitOptionDocs } from "./options-docs.js";

export const emitters: Record<string, Emitter> = {
  "metadata.nix (builtins-only provenance)": emitMetadataNix,
  "NixOS module": emitNixosModule,
  "shell runtime": emitShellRuntime,
  "JSON Schemas": emitJsonSchemas,
  "TypeScript declarations": emitTypeDeclarations,
  "reference docs": emitDocs,
  "shell completions": emitCompletions,
  "man pages": emitManPages,
  "Home Manager module": emitHomeManagerModule,
  "metrics doc, alert rules": emitMetrics,
  "Grafana dashboard": emitDashboard,
  "option references (README.md, docs/integration.md)": emitOptionDocs,
};

/** Run every emitter; two emitters claiming one path is a bug, reported as such. */
export function emitAll(model: Model): OutputFile[] {
  const problems = Object.values(emitters).flatMap((emitter) => emitter.validate?.(model) ?? []);
  if (problems.length) throw new SchemaValidationError(problems);
  const owners = new Map<string, string>();
  const files: OutputFile[] = [];
  for (const [name, emit] of Object.entries(emitters)) {
    for (const file of emit(model)) {
      const owner = owners.get(file.path);
      if (owner) throw new Error(`${file.path} is emitted by both "${owner}" and "${name}"`);
      owners.set(file.path, name);
      files.push(file);
    }
  }
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

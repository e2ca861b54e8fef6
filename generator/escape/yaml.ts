/**
 * The one place that turns a value into YAML text (the Prometheus rule
 * files): the `yaml` package's stringifier, which quotes every scalar that
 * would otherwise read as something else, with long lines kept whole.
 */
import { stringify } from "yaml";

export function yamlDocument(value: unknown): string {
  return stringify(value, { lineWidth: 0, defaultStringType: "PLAIN", defaultKeyType: "PLAIN" });
}

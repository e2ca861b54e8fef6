/**
 * Every option of the NixOS module (`system.provenance.*`) and the Home
 * Manager module (`home.provenance.*`), in one table. The emitters stamp the
 * `mkOption` blocks out of it (as treefmt-nix's mkFormatterModule does), and
 * the README's and docs/integration.md's option references are rendered from
 * the same rows, so the three can never disagree.
 *
 * An option in both modules is declared once, in modules/common.nix. A
 * default is a typed value (written as Nix by the emitter, through
 * escape/nix.ts) or a reference to a name in scope in the module (an
 * attribute path such as `config.networking.hostName`, or a `let` binding of
 * the module's template).
 */

export type ModuleName = "nixos" | "home-manager";

/** The attribute each module declares its options under. */
export const modulePrefixes: Record<ModuleName, string[]> = {
  nixos: ["system", "provenance"],
  "home-manager": ["home", "provenance"],
};

/** A value the emitter writes as a Nix literal. */
export type NixValue = string | number | boolean | null | readonly NixValue[] | { readonly [name: string]: NixValue };

/** A small description of a `lib.types` type. */
export type OptionType =
  | { type: "bool" }
  | { type: "str" }
  | { type: "package" }
  | { type: "anything" }
  | { type: "positiveInt" }
  | { type: "strMatching"; pattern: string }
  | { type: "enum"; values: readonly string[] }
  | { type: "nullOr"; of: OptionType }
  | { type: "attrsOf"; of: OptionType }
  | { type: "submodule"; options: readonly OptionSpec[] };

/** A literal value, or a name in scope in the module (`config.networking.hostName`, a `let` binding). */
export type OptionDefault = { value: NixValue } | { ref: string };

/** A literal example, or `literalExpression "<expression>"`. */
export type OptionExample = { value: NixValue } | { expression: string };

export interface OptionSpec {
  /** Under the module's prefix, dot-separated: `prometheus.directory`. */
  name: string;
  modules: readonly ModuleName[];
  type: OptionType;
  /** `mkEnableOption description`: a bool, default false, example true, "Whether to enable <description>.". */
  enable?: true;
  default?: OptionDefault;
  /** What the manual shows as the default (`literalExpression`), for defaults that are not literal values. */
  defaultText?: string;
  example?: OptionExample;
  readOnly?: true;
  /** The option's description as the module declares it (Markdown; line breaks are kept). */
  description: string;
  /** One line for the README's table. */
  summary: string;
  /** The type in words for the docs, where the Nix type says it badly. */
  docType?: string;
}

/** What the descriptions and defaults depend on (all from the resolved model). */
export interface OptionInputs {
  trackedInputs: readonly string[];
  urlPlaceholders: readonly string[];
  commandNames: readonly string[];
  /** Custom fields set per host: `extraFields.<shellVar>`. */
  optionFields: readonly { shellVar: string; description: string; example: string }[];
  /** The first fields of the metadata, for the `metadata` option's defaultText. */
  fieldNames: readonly string[];
  sourceUrlTemplate: string | null;
  flakeUrlTemplate: string | null;
  runtime: { logDir: string; historyLength: number };
  libraryEtcPath: string;
  legacyEtcPath: string;
  /** The Home Manager metadata's extra field (the user). */
  homeUserShellVar: string;
}

import { alertThresholds, durationPattern, fleetLabelDefault, labelNamePattern } from "./metrics.js";

/** Lines of a multi-line description, each ending in a newline (as a Nix '' string keeps them). */
const lines = (...text: string[]): string => text.map((line) => `${line}\n`).join("");
const code = (names: readonly string[]) => names.map((n) => `\`${n}\``).join(", ");

/** User and group names as useradd(8) takes them (no shell or unit-file syntax). */
export const accountNamePattern = "[a-z_][a-z0-9_-]*[$]?";

const refreshInterval: Omit<OptionSpec, "name"> = {
  modules: ["home-manager"],
  type: { type: "positiveInt" },
  default: { value: 5 },
  description: "Seconds between refreshes.",
  summary: "Seconds between refreshes.",
};

export function provenanceOptions(m: OptionInputs): OptionSpec[] {
  const both: ModuleName[] = ["nixos", "home-manager"];
  const metadataDefaultText = `{ ${m.fieldNames.slice(0, 2).map((name) => `${name} = "…";`).join(" ")} … }`;
  return [
    // Shared: modules/common.nix.
    {
      name: "flake", modules: both,
      type: { type: "nullOr", of: { type: "attrsOf", of: { type: "anything" } } },
      default: { value: null },
      example: { expression: "self" },
      description: lines(
        "The configuration flake's `self`. Its `rev` (or `dirtyRev` for a tree",
        "with uncommitted changes) and `lastModifiedDate` become GIT_COMMIT,",
        "GIT_DIRTY and GIT_LAST_MODIFIED.",
      ),
      summary: "Your flake's `self`. Required when enabled (an assertion says how to set it).",
      docType: "attrs or null",
    },
    {
      name: "inputs", modules: both,
      type: { type: "attrsOf", of: { type: "anything" } },
      default: { value: {} },
      example: { expression: "inputs" },
      description:
        `The configuration flake's inputs; the revisions of ${code(["nixpkgs", "home-manager", ...m.trackedInputs])} are recorded. ` +
        "Missing inputs and inputs without a revision (path inputs) are recorded as `unknown`.",
      summary: "Your flake's inputs; `nixpkgs`, `home-manager` and every `trackedInputs` entry are recorded.",
      docType: "attrs",
    },
    {
      name: "repository", modules: both,
      type: { type: "nullOr", of: { type: "str" } },
      default: { value: null },
      example: { value: "github:owner/nixos-config" },
      description: lines(
        "Where the configuration lives, as a flake reference. For GitHub and",
        "GitLab repositories the source and flake URLs are derived from it;",
        "for any other reference the flake URL is `<repository>?rev=<commit>`.",
      ),
      summary: "Where the config lives (`github:owner/repo`, `gitlab:…`, `git+https://…`); source and flake URLs are derived from it.",
    },
    {
      name: "sourceUrlTemplate", modules: both,
      type: { type: "nullOr", of: { type: "str" } },
      default: { value: m.sourceUrlTemplate },
      example: { value: "https://git.example.org/me/nixos-config/commit/{commit}" },
      description:
        `Template of GIT_SOURCE_URL; \`null\` derives it from \`repository\`. Placeholders: ${code(m.urlPlaceholders.map((p) => `{${p}}`))}. ` +
        "A URL whose placeholders are not all known is recorded as `unknown`.",
      summary: `URL template of \`GIT_SOURCE_URL\` with ${code(m.urlPlaceholders.map((p) => `{${p}}`))}; the default comes from your provenance config, else it is derived from \`repository\`.`,
    },
    {
      name: "flakeUrlTemplate", modules: both,
      type: { type: "nullOr", of: { type: "str" } },
      default: { value: m.flakeUrlTemplate },
      example: { value: "git+https://git.example.org/me/nixos-config?rev={commit}" },
      description: "Template of FLAKE_URL, with the placeholders of `sourceUrlTemplate`; `null` derives it from `repository`.",
      summary: "URL template of `FLAKE_URL`, with the same placeholders.",
    },
    {
      name: "extraFields", modules: both,
      type: {
        type: "submodule",
        options: m.optionFields.map((f): OptionSpec => ({
          name: f.shellVar, modules: both,
          type: { type: "str" },
          default: { value: "unknown" },
          example: { value: f.example },
          description: f.description,
          summary: f.description,
        })),
      },
      default: { value: {} },
      description: m.optionFields.length
        ? `Values of the custom fields your provenance config marks as set per host: ${code(m.optionFields.map((f) => f.shellVar))}.`
        : "Values of the custom fields your provenance config marks as set per host (`option: true`); this configuration has none.",
      summary: "Per-host values of the custom fields declared with `option: true` (`extraFields.<NAME>`, a string, default `\"unknown\"`).",
      docType: "submodule of strings",
    },
    {
      name: "package", modules: both,
      type: { type: "package" },
      default: { ref: "defaultPackage" },
      defaultText: 'pkgs.callPackage "${nixos-provenance}/modules/package.nix" { }',
      description: `The nixos-provenance runtime: ${code(m.commandNames)}, lib/build-status.sh, man pages and completions.`,
      summary: "The runtime (built from `out/`).",
    },
    {
      name: "useDash", modules: both,
      type: { type: "bool" },
      default: { value: false },
      example: { value: true },
      description: lines(
        "Run the commands under dash instead of bash's sh mode. They are",
        "POSIX shell, and dash starts several times faster, which matters for",
        "status bars and prompts that run `nixos-generation-info` every few",
        "seconds. Applied with `package.override { useDash = true; }`.",
      ),
      summary: "Run the commands under dash (fastest start-up for bars and prompts).",
    },

    // NixOS: modules/nixos.nix.
    {
      name: "enable", modules: ["nixos"], enable: true, type: { type: "bool" },
      description: "provenance metadata for every generation (/etc/nixos-metadata) and the nixos-provenance commands",
      summary: "Write `/etc/nixos-metadata` and `/etc/nixos-metadata.json`, set `system.configurationRevision` (with `mkDefault`), install the commands.",
    },
    {
      name: "hostName", modules: ["nixos"],
      type: { type: "str" },
      default: { ref: "config.networking.hostName" },
      defaultText: "config.networking.hostName",
      example: { value: "web-1" },
      description: "Host name recorded as HOSTNAME.",
      summary: "Recorded as `HOSTNAME`.",
    },
    {
      name: "logDir", modules: ["nixos"],
      type: { type: "str" },
      default: { value: m.runtime.logDir },
      example: { value: "/var/lib/nixos-builds" },
      description: lines(
        "Where nixos-build-wrapper writes last-build.json, last-build.log and",
        "build-history.json. Created by systemd-tmpfiles with `logDirGroup`",
        "and `logDirMode`.",
      ),
      summary: "Where the build wrapper keeps its records, created by tmpfiles (an absolute path outside the system directories; an assertion checks it).",
      docType: "absolute path",
    },
    {
      name: "logDirGroup", modules: ["nixos"],
      type: { type: "strMatching", pattern: accountNamePattern },
      default: { value: "wheel" },
      example: { value: "users" },
      description: lines(
        "Group owning `logDir`. Members can run nixos-build-wrapper and read",
        "build logs (which may contain paths and error messages of your",
        "configuration); everybody else cannot, with the default mode.",
      ),
      summary: "Group owning `logDir`: its members can record builds and read the logs.",
      docType: "group name",
    },
    {
      name: "logDirMode", modules: ["nixos"],
      type: { type: "strMatching", pattern: "[0-7]{4}" },
      default: { value: "2770" },
      example: { value: "2775" },
      description: lines(
        "Mode of `logDir`. The default, setgid and group-writable, lets every",
        "member of `logDirGroup` record builds and keeps new files in that group;",
        "a world-writable mode is refused.",
      ),
      summary: "Mode of `logDir`; world-writable modes are refused.",
      docType: "4 octal digits",
    },
    {
      name: "historyLength", modules: ["nixos"],
      type: { type: "positiveInt" },
      default: { value: m.runtime.historyLength },
      example: { value: 500 },
      description: "How many builds build-history.json keeps.",
      summary: "Entries kept in `build-history.json`.",
    },
    {
      name: "libraryPath", modules: ["nixos"],
      type: { type: "str" },
      readOnly: true,
      default: { value: m.libraryEtcPath },
      description: lines(
        "Stable path of the shell library (lib/build-status.sh of the package),",
        "for scripts: `. ${config.system.provenance.libraryPath}`. It lives",
        "outside /etc/nixos so that a configuration checkout there is never",
        "touched. Read-only.",
      ),
      summary: "Where scripts source the library.",
      docType: "path",
    },
    {
      name: "legacyLibraryPath", modules: ["nixos"],
      type: { type: "bool" },
      default: { value: false },
      example: { value: true },
      description: lines(
        `Also install the library at the seed's path ${m.legacyEtcPath},`,
        "for scripts written against it. Off by default: /etc/nixos is often a",
        "git checkout of your configuration, and NixOS would create `lib/` in it.",
      ),
      summary: `Also install the library at the seed's path \`${m.legacyEtcPath}\`.`,
    },
    {
      name: "prometheus.enable", modules: ["nixos"], enable: true, type: { type: "bool" },
      description: "a timer that writes `nixos-build-status --prometheus` into node-exporter's textfile-collector directory",
      summary: "A timer writing metrics for node-exporter's textfile collector (see docs/integration.md, Prometheus).",
    },
    {
      name: "prometheus.directory", modules: ["nixos"],
      type: { type: "str" },
      default: { value: "/var/lib/prometheus-node-exporter/textfile-collector" },
      example: { value: "/run/prometheus-node-exporter" },
      description: lines(
        "node-exporter's `--collector.textfile.directory`. The metrics are",
        "written to a temporary file in this directory and renamed to",
        "`nixos-provenance.prom`, so the exporter never reads a partial file.",
      ),
      summary: "node-exporter's textfile directory.",
      docType: "absolute path",
    },
    {
      name: "prometheus.interval", modules: ["nixos"],
      type: { type: "strMatching", pattern: "[0-9]+ ?[a-z]*( [0-9]+ ?[a-z]*)*" },
      default: { value: "1min" },
      example: { value: "15s" },
      description: "How often the metrics are refreshed (a systemd time span).",
      summary: "Refresh interval.",
      docType: "systemd time span",
    },
    {
      name: "prometheus.user", modules: ["nixos"],
      type: { type: "nullOr", of: { type: "strMatching", pattern: accountNamePattern } },
      default: { value: null },
      example: { value: "alice" },
      description: lines(
        "User whose Home Manager generation is reported; `null` reports none",
        "(the metrics service runs as root).",
      ),
      summary: "User whose Home Manager generation is reported (must be in `users.users`).",
      docType: "user name or null",
    },
    {
      name: "prometheus.configureNodeExporter", modules: ["nixos"],
      type: { type: "bool" },
      default: { value: true },
      example: { value: false },
      description: lines(
        "When `services.prometheus.exporters.node.enable` is set, enable its",
        "textfile collector and point it at `directory`.",
      ),
      summary: "If `services.prometheus.exporters.node.enable`, turn on its textfile collector for `directory`.",
    },
    // The alert rules (generator/schema/metrics.ts), for the host that runs Prometheus.
    {
      name: "prometheus.alertRules.enable", modules: ["nixos"], enable: true, type: { type: "bool" },
      description: "the nixos-provenance alert rules in `services.prometheus.ruleFiles` (for the host that runs Prometheus; see out/doc/metrics.md)",
      summary: "Add the alert rules (out of sync, reboot pending, dirty, build failed, stale metrics, fleet diverged) to `services.prometheus.ruleFiles`.",
    },
    ...alertThresholds.map((t): OptionSpec => ({
      name: `prometheus.alertRules.${t.option}`, modules: ["nixos"],
      type: { type: "strMatching", pattern: durationPattern },
      default: { value: t.default },
      example: { value: t.default === "0m" ? "5m" : "30m" },
      description: `${t.description} A Prometheus duration: a number and one of s, m, h, d, w.`,
      summary: t.description,
      docType: "Prometheus duration",
    })),
    {
      name: "prometheus.alertRules.fleetLabel", modules: ["nixos"],
      type: { type: "strMatching", pattern: labelNamePattern },
      default: { value: fleetLabelDefault },
      example: { value: "fleet" },
      description: "The target label that groups hosts into one fleet: NixosProvenanceFleetDiverged fires when the hosts of one value of it run different commits.",
      summary: "The label grouping hosts into a fleet (NixosProvenanceFleetDiverged).",
      docType: "Prometheus label name",
    },
    {
      name: "metadata", modules: ["nixos"],
      type: { type: "attrsOf", of: { type: "str" } },
      readOnly: true,
      default: { ref: "metadata.values" },
      defaultText: metadataDefaultText,
      description: "The computed metadata values, by shell variable name (read-only).",
      summary: "The values written to the file, for use elsewhere in your config.",
    },

    // Home Manager: modules/home-manager.nix.
    {
      name: "enable", modules: ["home-manager"], enable: true, type: { type: "bool" },
      description: "provenance metadata for every Home Manager generation and the nixos-provenance commands",
      summary: "Record provenance in every Home Manager generation and install the commands.",
    },
    {
      name: "hostName", modules: ["home-manager"],
      type: { type: "nullOr", of: { type: "str" } },
      default: { ref: "osHostName" },
      defaultText: "osConfig.networking.hostName under Home Manager's NixOS module, else null",
      example: { value: "laptop" },
      description: lines(
        "Host name recorded as HOSTNAME. Under Home Manager's NixOS module it is",
        "the system's `networking.hostName`; standalone, `null` records",
        "`unknown` (a standalone configuration often serves several hosts).",
      ),
      summary: "Recorded as `HOSTNAME`: the system's under Home Manager's NixOS module, `unknown` standalone unless set.",
    },
    {
      name: "metadataFile", modules: ["home-manager"],
      type: { type: "str" },
      readOnly: true,
      default: { ref: "metadataFile" },
      defaultText: '"${config.xdg.dataHome}/nixos-provenance/home-metadata"',
      description: lines(
        "Where the active generation's metadata is linked (shell format; a",
        "`.json` sibling holds the JSON). Every generation also carries it as",
        "`nixos-metadata` and `nixos-metadata.json` at its top, e.g.",
        "~/.local/state/nix/profiles/home-manager-12-link/nixos-metadata.",
      ),
      summary: "Where the active generation's metadata is linked (a `.json` sibling holds the JSON).",
      docType: "path",
    },
    {
      name: "metadata", modules: ["home-manager"],
      type: { type: "attrsOf", of: { type: "str" } },
      readOnly: true,
      default: { ref: "metadataValues" },
      defaultText: metadataDefaultText.replace(/ }$/, ` ${m.homeUserShellVar} = config.home.username; }`),
      description: "The computed metadata values, by shell variable name (read-only).",
      summary: "The values written to the file, with the user, for use elsewhere in your config.",
    },
    {
      name: "bars.i3blocks.enable", modules: ["home-manager"], enable: true, type: { type: "bool" },
      description: "an i3blocks block (written to $XDG_CONFIG_HOME/i3blocks/nixos-provenance.conf; i3blocks has no include, so copy it or read `text`)",
      summary: "An i3blocks block, written to `$XDG_CONFIG_HOME/i3blocks/nixos-provenance.conf`.",
    },
    { name: "bars.i3blocks.interval", ...refreshInterval },
    {
      name: "bars.i3blocks.text", modules: ["home-manager"],
      type: { type: "str" },
      readOnly: true,
      default: { ref: "i3blocksText" },
      defaultText: '"[nixos-provenance]\\ncommand=…/nixos-generation-info --i3blocks\\n…"',
      description: "The block, to splice into your own i3blocks config (read-only).",
      summary: "The block, to splice into your own i3blocks config.",
    },
    {
      name: "bars.waybar.enable", modules: ["home-manager"], enable: true, type: { type: "bool" },
      description: "a Waybar module `custom/nixos-provenance` (add it to `modules-left/center/right` of your bar)",
      summary: "A Waybar module `custom/nixos-provenance`.",
    },
    { name: "bars.waybar.interval", ...refreshInterval },
    {
      name: "bars.waybar.bar", modules: ["home-manager"],
      type: { type: "nullOr", of: { type: "str" } },
      default: { value: null },
      example: { value: "mainBar" },
      description: lines(
        "Name of the bar in `programs.waybar.settings` that gets the module's",
        "definition; `null` only writes $XDG_CONFIG_HOME/waybar/nixos-provenance.json.",
      ),
      summary: "The bar in `programs.waybar.settings` that gets the module; `null` only writes `$XDG_CONFIG_HOME/waybar/nixos-provenance.json`.",
    },
    {
      name: "bars.i3status-rust.enable", modules: ["home-manager"], enable: true, type: { type: "bool" },
      description: "an i3status-rust custom block",
      summary: "An i3status-rust custom block.",
    },
    { name: "bars.i3status-rust.interval", ...refreshInterval },
    {
      name: "bars.i3status-rust.bar", modules: ["home-manager"],
      type: { type: "nullOr", of: { type: "str" } },
      default: { value: null },
      example: { value: "top" },
      description: lines(
        "Name of the bar in `programs.i3status-rust.bars` whose blocks get the",
        "block appended. Only set it for a bar whose `blocks` you define: a",
        "definition replaces the module's default block list. `null` only",
        "writes $XDG_CONFIG_HOME/i3status-rust/nixos-provenance.toml.",
      ),
      summary: "The bar in `programs.i3status-rust.bars` whose blocks get the block appended; `null` only writes `$XDG_CONFIG_HOME/i3status-rust/nixos-provenance.toml`.",
    },
    {
      name: "prompt.mode", modules: ["home-manager"],
      type: { type: "enum", values: ["warning", "short"] },
      default: { value: "warning" },
      example: { value: "short" },
      description: lines(
        "What the prompts show: `warning` (only when the system or Home Manager",
        "is out of sync or a reboot is pending) or `short` (always, e.g.",
        "`g42@abc1234 hm12`). Both are the fork-free fast paths of",
        "nixos-generation-info.",
      ),
      summary: "What the prompts show: `warning` (only when out of sync or a reboot is pending) or `short` (always).",
    },
    {
      name: "prompt.bash.enable", modules: ["home-manager"], enable: true, type: { type: "bool" },
      description: "the provenance segment at the start of the bash prompt (PS1)",
      summary: "The segment at the start of the bash prompt (`PS1`).",
    },
    {
      name: "prompt.zsh.enable", modules: ["home-manager"], enable: true, type: { type: "bool" },
      description: "the provenance segment at the start of the zsh prompt (PROMPT, with prompt_subst)",
      summary: "The segment at the start of the zsh prompt (`PROMPT`, with `prompt_subst`).",
    },
    {
      name: "prompt.fish.enable", modules: ["home-manager"], enable: true, type: { type: "bool" },
      description: "the provenance segment before the fish prompt (wraps fish_prompt)",
      summary: "The segment before the fish prompt (wraps `fish_prompt`).",
    },
    {
      name: "prompt.starship.enable", modules: ["home-manager"], enable: true, type: { type: "bool" },
      description: "a starship custom module `custom.nixos_provenance`",
      summary: "A starship custom module `custom.nixos_provenance`.",
    },
  ];
}

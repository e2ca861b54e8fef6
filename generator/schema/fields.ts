import type { MetadataFieldSpec } from "./types.js";

/**
 * Every field of the seed's /etc/nixos-metadata, in the seed's order.
 * Inputs the user tracks beyond nixpkgs and home-manager are appended by the
 * model (see ../model.ts), custom fields after them.
 */
export const defaultFields: MetadataFieldSpec[] = [
  {
    shellVar: "GIT_COMMIT", jsonKey: "commit", type: "string", group: "git",
    description: "Full commit of the configuration flake; for a dirty tree, the commit the changes sit on.",
    example: "8bebe8d5f1c1a3f0e0e5d7f3f2b6c4a1d9e8f7a6", source: { kind: "selfCommit" },
  },
  {
    shellVar: "GIT_SHORT_COMMIT", jsonKey: "shortCommit", type: "string", group: "git",
    description: "First 7 characters of the commit, for display.",
    example: "8bebe8d", source: { kind: "selfShortCommit" },
  },
  {
    shellVar: "GIT_DIRTY", jsonKey: "dirty", type: "boolean", group: "git",
    description: "Whether the configuration had uncommitted changes when it was built.",
    example: "false", source: { kind: "selfDirty" },
  },
  {
    shellVar: "GIT_LAST_MODIFIED", jsonKey: "lastModified", type: "string", group: "git",
    description: "Date (YYYYMMDD) of the configuration's last commit or change.",
    example: "20250109", source: { kind: "selfLastModified", digits: 8 },
  },
  {
    shellVar: "GIT_SOURCE_URL", jsonKey: "sourceUrl", type: "string", group: "git",
    description: "Web link to the configuration at that commit.",
    example: "https://github.com/owner/nixos-config/tree/8bebe8d5f1c1a3f0e0e5d7f3f2b6c4a1d9e8f7a6",
    source: { kind: "template", option: "sourceUrlTemplate" },
  },
  {
    shellVar: "NIXPKGS_REV", jsonKey: "nixpkgsRev", type: "string", group: "inputs",
    description: "Revision of the nixpkgs input.",
    example: "abc1234def5678abc1234def5678abc1234def56", source: { kind: "inputAttr", input: "nixpkgs", attr: "rev" },
  },
  {
    shellVar: "NIXPKGS_NARHASH", jsonKey: "nixpkgsNarHash", type: "string", group: "inputs",
    description: "Content hash of the nixpkgs input, for verification.",
    example: "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", source: { kind: "inputAttr", input: "nixpkgs", attr: "narHash" },
  },
  {
    shellVar: "HOME_MANAGER_REV", jsonKey: "homeManagerRev", type: "string", group: "inputs",
    description: "Revision of the home-manager input.",
    example: "def4567abc8901def4567abc8901def4567abc89", source: { kind: "inputAttr", input: "home-manager", attr: "rev" },
  },
  {
    shellVar: "HOSTNAME", jsonKey: "hostname", type: "string", group: "system",
    description: "Host the generation was built for.",
    example: "nixos-hetzner", source: { kind: "hostName" },
  },
  {
    shellVar: "SYSTEM", jsonKey: "system", type: "string", group: "system",
    description: "Platform of the generation (x86_64-linux, aarch64-linux, ...).",
    example: "x86_64-linux", source: { kind: "system" },
  },
  {
    shellVar: "BUILD_DATE", jsonKey: "buildDate", type: "string", group: "system",
    description: "Date (YYYYMMDD) the build is pinned to: the configuration's last-modified date, so that evaluating twice gives the same system.",
    example: "20250109", source: { kind: "selfLastModified", digits: 8 },
  },
  {
    shellVar: "FLAKE_URL", jsonKey: "flakeUrl", type: "string", group: "system",
    description: "Flake reference that rebuilds exactly this configuration.",
    example: "github:owner/nixos-config/8bebe8d5f1c1a3f0e0e5d7f3f2b6c4a1d9e8f7a6",
    source: { kind: "template", option: "flakeUrlTemplate" },
  },
];

/** Section headings of the metadata file, in order, as in the seed. */
export const fieldGroupTitles: Record<MetadataFieldSpec["group"], string> = {
  git: "Git Information",
  inputs: "Flake Input Revisions",
  system: "System Information",
  custom: "Custom Fields",
};

/**
 * Forges whose URLs the module knows how to build from `repository`
 * (`github:owner/repo`, `https://github.com/owner/repo`, ...).
 * Placeholders: {owner} {repo} {commit} {shortCommit} {repository} {hostName}.
 */
export const forges = [
  {
    name: "github", flakeScheme: "github:", webBase: "https://github.com/",
    sourceUrl: "https://github.com/{owner}/{repo}/tree/{commit}",
    flakeUrl: "github:{owner}/{repo}/{commit}",
    compareUrl: "https://github.com/{owner}/{repo}/compare/{from}...{to}",
  },
  {
    name: "gitlab", flakeScheme: "gitlab:", webBase: "https://gitlab.com/",
    sourceUrl: "https://gitlab.com/{owner}/{repo}/-/tree/{commit}",
    flakeUrl: "gitlab:{owner}/{repo}/{commit}",
    compareUrl: "https://gitlab.com/{owner}/{repo}/-/compare/{from}...{to}",
  },
] as const;


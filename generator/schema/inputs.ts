/**
 * Repositories of well-known flake inputs, for the compare links of
 * `nixos-metadata diff` (the metadata records an input's revision, not
 * where it came from). Keys are input names; values are flake references
 * a forge of ./fields.ts knows (`github:owner/repo`).
 */
export const knownInputRepositories: Record<string, string> = {
  nixpkgs: "github:NixOS/nixpkgs",
  "home-manager": "github:nix-community/home-manager",
  "nix-darwin": "github:nix-darwin/nix-darwin",
  "sops-nix": "github:Mic92/sops-nix",
  agenix: "github:ryantm/agenix",
  disko: "github:nix-community/disko",
  "nixos-hardware": "github:NixOS/nixos-hardware",
  "nix-index-database": "github:nix-community/nix-index-database",
  lanzaboote: "github:nix-community/lanzaboote",
  impermanence: "github:nix-community/impermanence",
};

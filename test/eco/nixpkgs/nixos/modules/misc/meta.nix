# The declarations of nixpkgs 25.05's nixos/modules/misc/meta.nix that
# modules set (`meta.maintainers`, `meta.doc`, ...): documentation only.
{ lib, ... }:
let
  inherit (lib) mkOption types;
in
{
  options.meta = {
    maintainers = mkOption {
      type = types.listOf types.raw;
      internal = true;
      default = [ ];
      description = "List of maintainers of each module.";
    };
    teams = mkOption {
      type = types.listOf types.raw;
      internal = true;
      default = [ ];
      description = "List of teams maintaining each module.";
    };
    doc = mkOption {
      type = types.path;
      internal = true;
      description = "Documentation prologue for the set of options of each module.";
    };
    buildDocsInSandbox = mkOption {
      type = types.bool;
      internal = true;
      default = true;
      description = "Whether the module's options can be documented in a sandbox.";
    };
  };
}

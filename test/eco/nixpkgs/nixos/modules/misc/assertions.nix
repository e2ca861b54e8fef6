# The declarations of nixpkgs 25.05's nixos/modules/misc/assertions.nix
# (which Home Manager imports as `pkgs.path + "/nixos/modules/misc/assertions.nix"`):
# `assertions` (list of { assertion; message; }) and `warnings` (list of str),
# both internal, both checked by the toplevel (see ../../../../nixos-system.nix).
{ lib, ... }:
{
  options = {
    assertions = lib.mkOption {
      type = lib.types.listOf lib.types.unspecified;
      internal = true;
      default = [ ];
      example = [
        {
          assertion = false;
          message = "you can't enable this for that reason";
        }
      ];
      description = "Conditions that must hold for the configuration to evaluate, with the message shown when one does not.";
    };

    warnings = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      internal = true;
      default = [ ];
      example = [ "The `foo' service is deprecated and will go away soon!" ];
      description = "Warnings shown when the configuration is evaluated.";
    };
  };
}

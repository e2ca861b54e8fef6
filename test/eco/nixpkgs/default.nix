# `import pkgs.path { ... }`, as Home Manager's nixpkgs module does: the
# same test package set. The real nixpkgs lib comes from NIXPKGS_LIB_SRC,
# which test/helpers/nix.ts sets.
{
  system ? "x86_64-linux",
  ...
}:
let
  libSrc = builtins.getEnv "NIXPKGS_LIB_SRC";
in
if libSrc == "" then
  throw "NIXPKGS_LIB_SRC is not set (the nixpkgs lib tree, see test/helpers/nix.ts)"
else
  import ../pkgs.nix {
    lib = import (libSrc + "/lib");
    inherit system;
  }

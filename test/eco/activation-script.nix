# The activation script of nixos/modules/system/activation/activation-script.nix
# (systemActivationScript set false, nixpkgs 25.05): the snippets in
# dependency order (lib.textClosureMap), each under its headline, an ERR trap
# that marks the activation failed, then /run/current-system.
{ lib, pkgs }:
set:
let
  set' = lib.mapAttrs (_: v: if lib.isString v then (lib.noDepEntry v) // { supportsDryActivation = false; } else v) set;
  withHeadlines = lib.mapAttrs (a: v: v // {
    text = ''
      #### Activation script snippet ${a}:
      _localstatus=0
      ${v.text}

      if (( _localstatus > 0 )); then
        printf "Activation script snippet '%s' failed (%s)\n" "${a}" "$_localstatus"
      fi
    '';
  }) set';
in
''
  #!${pkgs.runtimeShell}

  systemConfig='@out@'

  export PATH=/empty

  _status=0
  trap "_status=1 _localstatus=\$?" ERR

  # Ensure a consistent umask.
  umask 0022

  ${lib.textClosureMap lib.id withHeadlines (lib.attrNames withHeadlines)}

  # Make this configuration the current configuration.
  ln -sfn "$(readlink -f "$systemConfig")" /run/current-system

  exit $_status
''

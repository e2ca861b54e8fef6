# A NixOS system evaluated with the real `lib.evalModules` (nixpkgs 25.05's
# lib) from the declarations in ./nixos-options.nix, and what
# `system.build.toplevel` forces: every failed assertion throws (the message
# format of nixos/modules/system/activation/top-level.nix), every warning is
# shown, and one derivation depends on the /etc tree (every entry's source),
# the system path (every package), every unit file and the tmpfiles rules.
# `nix-instantiate` of `toplevel` therefore fails whenever a real system
# build would fail at evaluation time.
#
# Besides `toplevel`, the texts the tests run or source in dash: the /etc
# files with a `text`, every unit's ExecStart script with the PATH the unit
# gets, and the tmpfiles.d rules.
{
  lib,
  modules,
  system ? "x86_64-linux",
  specialArgs ? { },
}:
let
  pkgs = import ./pkgs.nix { inherit lib system; };
  # nixos/lib/utils.nix
  utils = {
    escapeSystemdPath =
      s:
      let
        trim = p: lib.removeSuffix "/" (lib.removePrefix "/" p);
        normalized = lib.strings.normalizePath s;
      in
      lib.replaceStrings [ "/" ] [ "-" ] (
        lib.strings.escapeC (lib.stringToCharacters " !\"#$%&'()*+,;<=>=@[\\]^`{|}~-") (if normalized == "/" then normalized else trim normalized)
      );
  };

  evaluated = lib.evalModules {
    class = "nixos";
    specialArgs = {
      modulesPath = toString ./nixpkgs/nixos/modules;
    } // specialArgs;
    modules = [
      ./nixos-options.nix
      {
        _module.args = {
          inherit pkgs utils;
        };
      }
    ] ++ modules;
  };
  inherit (evaluated) config;

  failedAssertions = map (x: x.message) (builtins.filter (x: !x.assertion) config.assertions);
  checked =
    value:
    if failedAssertions != [ ] then
      throw "\nFailed assertions:\n${lib.concatStringsSep "\n" (map (x: "- ${x}") failedAssertions)}"
    else
      lib.showWarnings config.warnings value;

  # etc.nix: one makeEntry line per enabled entry, each source forced.
  etcEntries = builtins.filter (f: f.enable) (builtins.attrValues config.environment.etc);
  etc = pkgs.runCommandLocal "etc" { } (
    lib.concatMapStringsSep "\n" (
      e:
      lib.escapeShellArgs [
        "makeEtcEntry"
        "${e.source}"
        e.target
        e.mode
        e.user
        e.group
      ]
    ) etcEntries
  );

  # shells-environment.nix: /etc/set-environment.
  exportedEnvVars = lib.concatStringsSep "\n" (
    lib.mapAttrsToList (n: v: ''export ${n}="${v}"'') config.environment.variables
  );
  setEnvironment = ''
    # DO NOT EDIT -- this file has been generated automatically.

    # Prevent this file from being sourced by child shells.
    export __NIXOS_SET_ENVIRONMENT_DONE=1

    ${exportedEnvVars}

    ${config.environment.extraInit}

    # ~/bin if it exists overrides other bin directories.
    export PATH="$HOME/bin:$PATH"
  '';

  # systemd-lib.nix: unit files.
  toOption = x: if x == true then "true" else if x == false then "false" else toString x;
  attrsToSection =
    as:
    lib.concatStrings (
      lib.concatLists (lib.mapAttrsToList (name: value: map (x: "${name}=${toOption x}\n") (if lib.isList value then value else [ value ])) as)
    );
  unitSection =
    def:
    attrsToSection (
      lib.filterAttrs (_: v: v != "" && v != [ ]) {
        Description = def.description;
        Wants = lib.concatStringsSep " " def.wants;
        After = lib.concatStringsSep " " def.after;
        Before = lib.concatStringsSep " " def.before;
      }
      // def.unitConfig
    );
  serviceText =
    name: def:
    "[Unit]\n"
    + unitSection def
    + "\n[Service]\n"
    + lib.concatMapStrings (
      n: lib.optionalString (def.environment.${n} != null) "Environment=${builtins.toJSON "${n}=${def.environment.${n}}"}\n"
    ) (builtins.attrNames def.environment)
    + attrsToSection def.serviceConfig;
  timerText = name: def: "[Unit]\n" + unitSection def + "\n[Timer]\n" + attrsToSection def.timerConfig;
  enabled = lib.filterAttrs (_: u: u.enable);
  unitFiles =
    lib.mapAttrs' (n: u: lib.nameValuePair "${n}.service" (pkgs.writeText "unit-${n}.service" (serviceText n u))) (enabled config.systemd.services)
    // lib.mapAttrs' (n: u: lib.nameValuePair "${n}.timer" (pkgs.writeText "unit-${n}.timer" (timerText n u))) (enabled config.systemd.timers);
  units = pkgs.runCommandLocal "system-units" { } (
    lib.concatStrings (lib.mapAttrsToList (n: f: "ln -s ${lib.escapeShellArg "${f}"} $out/${lib.escapeShellArg n}\n") unitFiles)
  );

  # tmpfiles.nix: one rule per path and type.
  escapeArgument = lib.strings.escapeC [ "\t" "\n" "\r" " " "\\" ];
  tmpfilesRules = lib.concatStrings (
    lib.mapAttrsToList (
      _: paths:
      lib.concatStrings (
        lib.mapAttrsToList (
          path: types:
          lib.concatStrings (
            lib.mapAttrsToList (
              _: e: "'${e.type}' '${path}' '${e.mode}' '${e.user}' '${e.group}' '${e.age}' ${escapeArgument e.argument}\n"
            ) types
          )
        ) paths
      )
    ) config.systemd.tmpfiles.settings
  ) + lib.concatMapStrings (r: r + "\n") config.systemd.tmpfiles.rules;
  tmpfiles = pkgs.writeText "tmpfiles.d-nixos.conf" tmpfilesRules;

  sw = pkgs.buildEnv {
    name = "system-path";
    paths = config.environment.systemPackages;
    pathsToLink = config.environment.pathsToLink;
  };

  users = pkgs.writeText "users-groups.json" (
    builtins.toJSON {
      users = lib.mapAttrs (_: u: { inherit (u) name home group extraGroups isNormalUser isSystemUser; packages = map toString u.packages; }) config.users.users;
      groups = lib.mapAttrs (_: g: { inherit (g) name members; }) config.users.groups;
    }
  );

  toplevel = checked (
    pkgs.runCommandLocal "nixos-system-${config.networking.hostName}-test" {
      inherit etc sw units tmpfiles users;
      activate = pkgs.writeText "activate" config.system.activationScripts.script;
      configurationRevision = toString config.system.configurationRevision;
      firewall = config.networking.firewall.extraCommands + config.networking.firewall.extraInputRules;
    } ""
  );
in
{
  inherit evaluated config toplevel;
  # The shape of nixpkgs' `lib.nixosSystem` result that callers read.
  nixosSystem = evaluated // {
    config = config // {
      system = config.system // {
        build = config.system.build // {
          inherit toplevel;
        };
      };
    };
  };
  # What the tests read; forcing any of it goes through the checks above.
  files = checked {
    etc = lib.mapAttrs (_: e: if e.text != null then e.text else null) (lib.filterAttrs (_: e: e.enable) config.environment.etc);
    etcSources = lib.mapAttrs (_: e: "${e.source}") (lib.filterAttrs (_: e: e.enable) config.environment.etc);
    inherit setEnvironment tmpfilesRules;
    units = lib.mapAttrs (_: f: f.text) unitFiles;
    services = lib.mapAttrs (n: u: {
      inherit (u) environment;
      path = map toString u.path;
      # Name → programs of each PATH entry's package, for the test's PATH.
      pathPrograms = map (p: {
        path = "${p}";
        programs = if builtins.isAttrs p then p.hostPrograms or null else null;
      }) u.path;
      script = u.script;
      execStartText = if u.script == "" then null else "set -e\n${u.script}\n";
    }) (enabled config.systemd.services);
    warnings = config.warnings;
    activationScript = config.system.activationScripts.script;
    activationSnippets = lib.mapAttrs (_: v: if lib.isString v then v else v.text) (removeAttrs config.system.activationScripts [ "script" ]);
    drvPath = toplevel.drvPath;
  };
}

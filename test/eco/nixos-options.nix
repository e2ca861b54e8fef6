# The NixOS options modules/nixos.nix and Home Manager's NixOS module
# (home-manager/nixos) read or define, declared with the types, defaults and
# derived values of nixpkgs 25.05 (the files are named at each block). Only
# what these modules touch is declared: a definition of anything else is an
# error, exactly as `nixos-rebuild` would report an unknown option. What
# each part *builds* (the /etc tree, /etc/set-environment, unit files,
# tmpfiles rules) is written the way nixpkgs writes it, in ./nixos-system.nix.
{
  config,
  lib,
  pkgs,
  options,
  ...
}:
let
  inherit (lib)
    literalExpression
    mkDefault
    mkEnableOption
    mkIf
    mkMerge
    mkOption
    types
    ;
  unitOption = types.oneOf [
    types.bool
    types.int
    types.str
    types.path
    types.package
    (types.listOf (types.oneOf [ types.bool types.int types.str types.path types.package ]))
  ];

  # nixos/lib/systemd-lib.nix `makeJobScript` (enableStrictShellChecks off,
  # the 25.05 default): the text after `set -e` in a bash script.
  shellEscape = s: (lib.replaceStrings [ "\\" ] [ "\\\\" ] s);
  makeJobScript =
    name: text:
    let
      scriptName = lib.replaceStrings [ "\\" "@" ] [ "-" "_" ] (shellEscape name);
      out =
        (pkgs.writeShellScriptBin scriptName ''
          set -e
          ${text}
        '').overrideAttrs
          (_: {
            name = "unit-script-${scriptName}";
          });
    in
    "${out}/bin/${scriptName}";

  # nixos/lib/systemd-unit-options.nix: the options common to units, and
  # those of services and timers that the modules set.
  commonUnitOptions = {
    enable = mkOption {
      type = types.bool;
      default = true;
      description = "Whether to create the unit.";
    };
    description = mkOption {
      type = types.singleLineStr;
      default = "";
      description = "Description of this unit used in systemd messages and progress indicators.";
    };
    wantedBy = mkOption {
      type = types.listOf types.str;
      default = [ ];
      description = "Units that want (i.e. depend on) this unit.";
    };
    requiredBy = mkOption {
      type = types.listOf types.str;
      default = [ ];
      description = "Units that require this unit.";
    };
    wants = mkOption {
      type = types.listOf types.str;
      default = [ ];
      description = "Start the specified units when this unit is started.";
    };
    after = mkOption {
      type = types.listOf types.str;
      default = [ ];
      description = "If the specified units are started at the same time as this unit, delay this unit until they have started.";
    };
    before = mkOption {
      type = types.listOf types.str;
      default = [ ];
      description = "If the specified units are started at the same time as this unit, delay them until this unit has started.";
    };
    unitConfig = mkOption {
      type = types.attrsOf unitOption;
      default = { };
      description = "Each attribute in this set specifies an option in the `[Unit]` section of the unit.";
    };
  };

  serviceModule =
    { name, config, ... }:
    {
      options = commonUnitOptions // {
        environment = mkOption {
          type =
            with types;
            attrsOf (
              nullOr (oneOf [
                str
                path
                package
              ])
            );
          default = { };
          description = "Environment variables passed to the service's processes.";
        };
        path = mkOption {
          type = with types; listOf (oneOf [ package str ]);
          default = [ ];
          description = "Packages added to the service's PATH environment variable (their bin and sbin subdirectories).";
        };
        serviceConfig = mkOption {
          type = types.attrsOf unitOption;
          default = { };
          description = "Each attribute in this set specifies an option in the `[Service]` section of the unit.";
        };
        script = mkOption {
          type = types.lines;
          default = "";
          description = "Shell commands executed as the service's main process.";
        };
        scriptArgs = mkOption {
          type = types.str;
          default = "";
          description = "Arguments passed to the main process script.";
        };
        preStart = mkOption {
          type = types.lines;
          default = "";
          description = "Shell commands executed before the service's main process is started.";
        };
        stopIfChanged = mkOption {
          type = types.bool;
          default = true;
          description = "If set, a changed unit is restarted by stopping and starting it.";
        };
        restartIfChanged = mkOption {
          type = types.bool;
          default = true;
          description = "Whether the service should be restarted during a NixOS configuration switch if its definition has changed.";
        };
      };
      # nixos/modules/system/boot/systemd.nix `serviceConfig` and
      # systemd-lib's: the default PATH every service gets after its own
      # `path`, and the script as ExecStart.
      config = mkMerge [
        {
          path = lib.mkAfter [
            pkgs.coreutils
            pkgs.findutils
            pkgs.gnugrep
            pkgs.gnused
            pkgs.systemd
          ];
          environment.PATH = "${lib.makeBinPath config.path}:${lib.makeSearchPathOutput "bin" "sbin" config.path}";
        }
        (mkIf (config.preStart != "") {
          serviceConfig.ExecStartPre = [ (makeJobScript "${name}-pre-start" config.preStart) ];
        })
        (mkIf (config.script != "") {
          serviceConfig.ExecStart = makeJobScript "${name}-start" config.script + " " + config.scriptArgs;
        })
      ];
    };

  timerModule = {
    options = commonUnitOptions // {
      timerConfig = mkOption {
        type = types.attrsOf unitOption;
        default = { };
        description = "Each attribute in this set specifies an option in the `[Timer]` section of the unit.";
      };
    };
  };

  # nixos/modules/system/boot/systemd/tmpfiles.nix `settings`.
  tmpfilesEntry =
    { name, ... }:
    {
      options = {
        type = mkOption {
          type = types.str;
          default = name;
          description = "Type of the rule (tmpfiles.d(5)).";
        };
        mode = mkOption {
          type = types.str;
          default = "-";
          description = "The file access mode to use when creating this file or directory.";
        };
        user = mkOption {
          type = types.str;
          default = "-";
          description = "The user of the file.";
        };
        group = mkOption {
          type = types.str;
          default = "-";
          description = "The group of the file.";
        };
        age = mkOption {
          type = types.str;
          default = "-";
          description = "Delete a file when it reaches a certain age.";
        };
        argument = mkOption {
          type = types.str;
          default = "";
          description = "An argument whose meaning depends on the type of operation.";
        };
      };
    };
  attrsWith' =
    placeholder: elemType:
    types.attrsWith {
      inherit elemType placeholder;
    };

  # nixos/modules/services/monitoring/prometheus/exporters.nix: one
  # submodule option per exporter inside the `exporters` submodule, and each
  # exporter's system config under `mkIf enable`. Node (port 9100, its
  # collectors, DynamicUser = false) from exporters/node.nix.
  exporterOptions = name: port: {
    enable = mkEnableOption "the prometheus ${name} exporter";
    port = mkOption {
      type = types.port;
      default = port;
      description = "Port to listen on.";
    };
    listenAddress = mkOption {
      type = types.str;
      default = "0.0.0.0";
      description = "Address to listen on.";
    };
    extraFlags = mkOption {
      type = types.listOf types.str;
      default = [ ];
      description = "Extra commandline options to pass to the ${name} exporter.";
    };
    openFirewall = mkOption {
      type = types.bool;
      default = false;
      description = "Open port in firewall for incoming connections.";
    };
    firewallFilter = mkOption {
      type = types.nullOr types.str;
      default = null;
      description = "iptables filter used when `openFirewall` is set.";
    };
    firewallRules = mkOption {
      type = types.nullOr types.lines;
      default = null;
      description = "nftables rules used when `openFirewall` is set.";
    };
    user = mkOption {
      type = types.str;
      default = "${name}-exporter";
      description = "User name under which the ${name} exporter shall be run.";
    };
    group = mkOption {
      type = types.str;
      default = "${name}-exporter";
      description = "Group under which the ${name} exporter shall be run.";
    };
  };
  exporters = {
    node = {
      port = 9100;
      extraOpts = {
        enabledCollectors = mkOption {
          type = types.listOf types.str;
          default = [ ];
          example = [ "systemd" ];
          description = "Collectors to enable, in addition to the default ones.";
        };
        disabledCollectors = mkOption {
          type = types.listOf types.str;
          default = [ ];
          example = [ "timex" ];
          description = "Collectors to disable which are enabled by default.";
        };
      };
      serviceOpts =
        let
          c = config.services.prometheus.exporters.node;
        in
        {
          serviceConfig = {
            DynamicUser = false;
            RuntimeDirectory = "prometheus-node-exporter";
            ExecStart = ''
              ${pkgs.prometheus-node-exporter}/bin/node_exporter \
                ${lib.concatMapStringsSep " " (x: "--collector." + x) c.enabledCollectors} \
                ${lib.concatMapStringsSep " " (x: "--no-collector." + x) c.disabledCollectors} \
                --web.listen-address ${c.listenAddress}:${toString c.port} ${lib.concatStringsSep " " c.extraFlags}
            '';
            ProtectHome = true;
          };
        };
    };
  };
  exporterConfig =
    name: spec:
    let
      conf = config.services.prometheus.exporters.${name};
      enableDynamicUser = spec.serviceOpts.serviceConfig.DynamicUser or true;
      nftables = config.networking.nftables.enable;
    in
    mkIf conf.enable {
      users.users."${name}-exporter" = mkIf (conf.user == "${name}-exporter" && !enableDynamicUser) {
        description = "Prometheus ${name} exporter service user";
        isSystemUser = true;
        inherit (conf) group;
      };
      users.groups = mkIf (conf.group == "${name}-exporter" && !enableDynamicUser) { "${name}-exporter" = { }; };
      networking.firewall.extraCommands = mkIf (conf.openFirewall && !nftables) (
        "ip46tables -A nixos-fw ${conf.firewallFilter} -m comment --comment ${name}-exporter -j nixos-fw-accept"
      );
      networking.firewall.extraInputRules = mkIf (conf.openFirewall && nftables) conf.firewallRules;
      systemd.services."prometheus-${name}-exporter" = mkMerge [
        {
          wantedBy = [ "multi-user.target" ];
          after = [ "network.target" ];
          serviceConfig.Restart = mkDefault "always";
          serviceConfig.PrivateTmp = mkDefault true;
          serviceConfig.DynamicUser = mkDefault enableDynamicUser;
          serviceConfig.User = mkDefault conf.user;
          serviceConfig.Group = conf.group;
          serviceConfig.ProtectSystem = mkDefault "strict";
          serviceConfig.UMask = "0077";
        }
        spec.serviceOpts
      ];
    };

  # nixos/modules/config/users-groups.nix
  userModule =
    { name, config, ... }:
    {
      options = {
        name = mkOption {
          type = types.passwdEntry types.str;
          default = name;
          description = "The name of the user account.";
        };
        description = mkOption {
          type = types.passwdEntry types.str;
          default = "";
          description = "A short description of the user account.";
        };
        uid = mkOption {
          type = with types; nullOr int;
          default = null;
          description = "The account UID.";
        };
        isSystemUser = mkOption {
          type = types.bool;
          default = false;
          description = "Whether this is a system user.";
        };
        isNormalUser = mkOption {
          type = types.bool;
          default = false;
          description = "Whether this is a real user (home in /home, group users, createHome).";
        };
        group = mkOption {
          type = types.str;
          apply = x: assert (lib.stringLength x < 32 || abort "Group name '${x}' is longer than 31 characters which is not allowed!"); x;
          default = "";
          description = "The user's primary group.";
        };
        extraGroups = mkOption {
          type = types.listOf types.str;
          default = [ ];
          description = "The user's auxiliary groups.";
        };
        home = mkOption {
          type = types.passwdEntry types.path;
          default = "/var/empty";
          description = "The user's home directory.";
        };
        createHome = mkOption {
          type = types.bool;
          default = false;
          description = "Whether to create the home directory.";
        };
        packages = mkOption {
          type = types.listOf types.package;
          default = [ ];
          description = "The set of packages that should be made available to the user.";
        };
      };
      config = mkIf config.isNormalUser {
        group = mkDefault "users";
        createHome = mkDefault true;
        home = mkDefault "/home/${config.name}";
      };
    };
  groupModule =
    { name, ... }:
    {
      options = {
        name = mkOption {
          type = types.passwdEntry types.str;
          default = name;
          description = "The name of the group.";
        };
        gid = mkOption {
          type = with types; nullOr int;
          default = null;
          description = "The group GID.";
        };
        members = mkOption {
          type = with types; listOf (passwdEntry str);
          default = [ ];
          description = "The user names of the group members.";
        };
      };
    };
in
{
  imports = [ ./nixpkgs/nixos/modules/misc/assertions.nix ./nixpkgs/nixos/modules/misc/meta.nix ];

  options = {
    # nixos/modules/system/etc/etc.nix
    environment.etc = mkOption {
      default = { };
      description = "Set of files that have to be linked in {file}`/etc`.";
      type = types.attrsOf (
        types.submodule (
          {
            name,
            config,
            options,
            ...
          }:
          {
            options = {
              enable = mkOption {
                type = types.bool;
                default = true;
                description = "Whether this /etc file should be generated.";
              };
              target = mkOption {
                type = types.str;
                description = "Name of symlink (relative to {file}`/etc`). Defaults to the attribute name.";
              };
              text = mkOption {
                default = null;
                type = types.nullOr types.lines;
                description = "Text of the file.";
              };
              source = mkOption {
                type = types.path;
                description = "Path of the source file.";
              };
              mode = mkOption {
                type = types.str;
                default = "symlink";
                description = "If not `symlink`, the file is copied with this mode.";
              };
              uid = mkOption {
                default = 0;
                type = types.int;
                description = "UID of created file.";
              };
              gid = mkOption {
                default = 0;
                type = types.int;
                description = "GID of created file.";
              };
              user = mkOption {
                default = "+${toString config.uid}";
                type = types.str;
                description = "User name of created file.";
              };
              group = mkOption {
                default = "+${toString config.gid}";
                type = types.str;
                description = "Group name of created file.";
              };
            };
            config = {
              target = mkDefault name;
              source = mkIf (config.text != null) (
                let
                  name' = "etc-" + lib.replaceStrings [ "/" ] [ "-" ] name;
                in
                lib.mkDerivedConfig options.text (pkgs.writeText name')
              );
            };
          }
        )
      );
    };

    # nixos/modules/config/shells-environment.nix
    environment.variables = mkOption {
      default = { };
      example = {
        EDITOR = "nvim";
        VISUAL = "nvim";
      };
      description = "Environment variables of the global environment, set on shell initialisation (/etc/set-environment).";
      type = with types; attrsOf (either str (listOf str));
      apply = lib.mapAttrs (n: v: if lib.isList v then lib.concatStringsSep ":" v else v);
    };
    environment.extraInit = mkOption {
      default = "";
      type = types.lines;
      description = "Shell script code called during global environment initialisation.";
    };
    # nixos/modules/config/system-environment.nix
    environment.sessionVariables = mkOption {
      default = { };
      type = with types; lazyAttrsOf (oneOf [ (listOf (oneOf [ int str path ])) int str path ]);
      apply = lib.mapAttrs (n: v: if lib.isList v then lib.concatMapStringsSep ":" toString v else toString v);
      description = "Environment variables of every PAM session (also set in /etc/set-environment).";
    };

    # nixos/modules/config/system-path.nix
    environment.systemPackages = mkOption {
      type = types.listOf types.package;
      default = [ ];
      example = literalExpression "[ pkgs.firefox pkgs.thunderbird ]";
      description = "The set of packages that appear in /run/current-system/sw.";
    };
    environment.pathsToLink = mkOption {
      type = types.listOf types.str;
      default = [ ];
      description = "List of directories to be symlinked in {file}`/run/current-system/sw`.";
    };

    # nixos/modules/system/boot/systemd.nix
    systemd.services = mkOption {
      default = { };
      type = types.attrsOf (types.submodule serviceModule);
      description = "Definition of systemd service units.";
    };
    systemd.timers = mkOption {
      default = { };
      type = types.attrsOf (types.submodule timerModule);
      description = "Definition of systemd timer units.";
    };
    systemd.tmpfiles.rules = mkOption {
      type = types.listOf types.str;
      default = [ ];
      description = "Rules for creation, deletion and cleaning of volatile and temporary files.";
    };
    systemd.tmpfiles.settings = mkOption {
      default = { };
      type = attrsWith' "config-name" (attrsWith' "path" (attrsWith' "tmpfiles-type" (types.submodule tmpfilesEntry)));
      description = "Declare systemd-tmpfiles rules to create, delete, and clean up volatile and temporary files and directories.";
    };

    # nixos/modules/services/monitoring/prometheus/default.nix
    services.prometheus.ruleFiles = mkOption {
      type = types.listOf types.path;
      default = [ ];
      description = "Any additional rules files to include in this configuration.";
    };

    services.prometheus.exporters = mkOption {
      type = types.submodule {
        options = lib.mapAttrs (
          name: spec:
          mkOption {
            type = types.submodule [
              { options = exporterOptions name spec.port // spec.extraOpts; }
              (
                { config, ... }:
                mkIf config.openFirewall {
                  firewallFilter = mkDefault "-p tcp -m tcp --dport ${toString config.port}";
                  firewallRules = mkDefault ''tcp dport ${toString config.port} accept comment "${name}-exporter"'';
                }
              )
            ];
            internal = true;
            default = { };
          }
        ) exporters;
      };
      description = "Prometheus exporter configuration";
      default = { };
    };

    users.users = mkOption {
      default = { };
      type = with types; attrsOf (submodule userModule);
      description = "Additional user accounts to be created automatically by the system.";
    };
    users.groups = mkOption {
      default = { };
      type = with types; attrsOf (submodule groupModule);
      description = "Additional groups to be created automatically by the system.";
    };

    # nixos/modules/tasks/network-interfaces.nix
    networking.hostName = mkOption {
      default = "nixos";
      type = types.strMatching "^$|^[[:alnum:]]([[:alnum:]_-]{0,61}[[:alnum:]])?$";
      description = "The name of the machine. Leave it empty to take it from DHCP.";
    };
    # nixos/modules/services/networking/firewall.nix, nftables.nix
    networking.firewall.extraCommands = mkOption {
      type = types.lines;
      default = "";
      description = "Additional shell commands executed as part of the firewall initialisation script.";
    };
    networking.firewall.extraInputRules = mkOption {
      type = types.lines;
      default = "";
      description = "Additional nftables rules to be appended to the input-allow chain.";
    };
    networking.nftables.enable = mkOption {
      type = types.bool;
      default = false;
      description = "Whether to enable nftables.";
    };

    # nixos/modules/misc/version.nix
    system.stateVersion = mkOption {
      type = types.str;
      default = lib.trivial.release;
      description = "The NixOS release with which stateful data was created.";
    };
    # nixos/modules/system/activation/activation-script.nix (scriptType true;
    # `apply` adds the generated `script`, see ./activation-script.nix).
    system.activationScripts = mkOption {
      default = { };
      example = literalExpression ''{ stdio.text = "ln -sfn /proc/self/fd /dev/fd"; }'';
      description = "A set of shell script fragments that are executed when a NixOS system configuration is activated.";
      type = types.attrsOf (
        types.either types.str (
          types.submodule {
            options = {
              deps = mkOption {
                type = types.listOf types.str;
                default = [ ];
                description = "List of dependencies. The script will run after these.";
              };
              text = mkOption {
                type = types.lines;
                description = "The content of the script.";
              };
              supportsDryActivation = mkOption {
                type = types.bool;
                default = false;
                description = "Whether this activation script supports being dry-activated (run with NIXOS_ACTION=dry-activate).";
              };
            };
          }
        )
      );
      apply = set: set // { script = import ./activation-script.nix { inherit lib pkgs; } set; };
    };
    system.configurationRevision = mkOption {
      default = null;
      type = types.nullOr types.str;
      description = "The Git revision of the top-level flake from which this configuration was built.";
    };
    # nixos/modules/system/build.nix
    system.build = mkOption {
      default = { };
      type = types.submoduleWith { modules = [ { freeformType = with types; lazyAttrsOf (uniq unspecified); } ]; };
      description = "Attribute set of derivations used to set up the system.";
    };

    # nixos/modules/config/nix.nix (via services/system/nix-daemon.nix)
    nix.enable = mkOption {
      type = types.bool;
      default = true;
      description = "Whether to enable Nix.";
    };
    nix.package = mkOption {
      type = types.package;
      default = pkgs.nix;
      defaultText = literalExpression "pkgs.nix";
      description = "This option specifies the Nix package instance to use throughout the system.";
    };
    # nixos/modules/config/fonts/fontconfig.nix
    fonts.fontconfig.enable = mkOption {
      type = types.bool;
      default = true;
      description = "If enabled, a Fontconfig configuration file will be built.";
    };
    # nixos/modules/config/i18n.nix
    i18n.glibcLocales = mkOption {
      type = types.path;
      default = pkgs.glibcLocales;
      defaultText = literalExpression "pkgs.glibcLocales";
      description = "Customized pkg.glibcLocales package.";
    };

    # What the example hosts set: boot loader, container, file systems.
    boot.isContainer = mkOption {
      type = types.bool;
      default = false;
      description = "Whether this NixOS machine is a lightweight container running in another NixOS system.";
    };
    boot.loader.grub.device = mkOption {
      type = types.str;
      default = "";
      description = "The device on which the GRUB boot loader will be installed.";
    };
    boot.loader.systemd-boot.enable = mkOption {
      type = types.bool;
      default = false;
      description = "Whether to enable the systemd-boot (formerly gummiboot) EFI boot manager.";
    };
    fileSystems = mkOption {
      default = { };
      type = types.attrsOf (
        types.submodule {
          options = {
            device = mkOption {
              type = types.nullOr types.nonEmptyStr;
              default = null;
              description = "The device as identified by the kernel.";
            };
            fsType = mkOption {
              type = types.nonEmptyStr;
              default = "auto";
              description = "Type of the file system.";
            };
          };
        }
      );
      description = "The file systems to be mounted.";
    };
  };

  config = mkMerge (
    [
      {
        # shells-environment.nix: session variables are exported too.
        environment.variables = config.environment.sessionVariables;
        # users-groups.nix: the groups every system has.
        users.groups = {
          users = { };
          wheel = { };
          root = { };
        };
        users.users.root = {
          uid = 0;
          home = "/root";
          group = "root";
        };
        # users-groups.nix's assertions on every account.
        assertions = lib.flatten (
          lib.mapAttrsToList (name: user: [
            {
              assertion =
                let
                  isEffectivelySystemUser = user.isSystemUser || (user.uid != null && user.uid < 1000);
                in
                lib.xor isEffectivelySystemUser user.isNormalUser;
              message = "Exactly one of users.users.${name}.isSystemUser and users.users.${name}.isNormalUser must be set.";
            }
            {
              assertion = user.group != "";
              message = "users.users.${name}.group is unset. This used to default to nogroup, but this is unsafe.";
            }
          ]) config.users.users
        );
      }
    ]
    ++ lib.mapAttrsToList exporterConfig exporters
  );
}

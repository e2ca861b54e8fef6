# A package set for evaluation tests: what the NixOS declarations
# (nixos-options.nix), Home Manager and the project's modules take from
# `pkgs`, as derivations that instantiate but are never built (builder
# /bin/sh, which fails if anyone tries). Trivial builders keep nixpkgs'
# signatures and the attributes other code reads (`text`, `passthru`), so
# what a module writes into a file is visible to the tests without a build.
#
# `hostPrograms` on a package names the programs its bin/ holds; the tests
# map a store path on a unit's PATH to those programs of the host machine
# and run the unit's script with exactly that PATH.
{
  lib,
  system ? "x86_64-linux",
}:
let
  # Attribute values a derivation can take as environment strings.
  toEnv =
    v:
    if lib.isDerivation v || builtins.isString v || builtins.isPath v || builtins.isInt v || builtins.isBool v || v == null then
      v
    else if builtins.isAttrs v && v ? outPath then
      "${v}"
    else if builtins.isList v then
      map toEnv (builtins.filter (x: !(builtins.isFunction x) && !(builtins.isAttrs x && !(x ? outPath))) v)
    else
      builtins.toJSON "(not an environment value)";
  envAttrs =
    attrs:
    lib.mapAttrs (_: toEnv) (
      builtins.removeAttrs (lib.filterAttrs (_: v: !(builtins.isFunction v) && !(builtins.isAttrs v && !(v ? outPath))) attrs) [
        "passthru"
        "meta"
        "outputs"
      ]
    );

  # stdenv.mkDerivation's shape: a derivation plus passthru, meta and
  # overrideAttrs; `args` may be a function of the final attributes.
  mkDerivation =
    argsOrFun:
    let
      args = if builtins.isFunction argsOrFun then lib.fix (final: argsOrFun final) else argsOrFun;
      name = args.name or "${args.pname}-${args.version}";
      drv = derivation (
        envAttrs args
        // {
          inherit name system;
          builder = "/bin/sh";
          args = [
            "-c"
            "echo this test derivation is not meant to be built >&2; exit 1"
          ];
        }
      );
    in
    drv
    // (args.passthru or { })
    // {
      meta = args.meta or { };
      overrideAttrs = f: mkDerivation (args // (if builtins.isFunction f then f args else f));
      inherit (drv) drvPath outPath;
    }
    // lib.optionalAttrs (args ? version) { inherit (args) version; }
    // lib.optionalAttrs (args ? pname) { inherit (args) pname; };

  program =
    pname: hostPrograms:
    mkDerivation {
      inherit pname;
      version = "0-test";
      passthru = { inherit hostPrograms; };
      meta.mainProgram = builtins.head (hostPrograms ++ [ pname ]);
    };

  writeTextFile =
    {
      name,
      text,
      executable ? false,
      destination ? "",
      checkPhase ? "",
      meta ? { },
      passthru ? { },
      ...
    }:
    mkDerivation {
      inherit name text executable destination checkPhase meta;
      passthru = passthru // {
        inherit text;
      };
    };

  runCommandWith =
    name: env: buildCommand:
    mkDerivation (
      env
      // {
        inherit name buildCommand;
      }
    );

  # The value types of pkgs.formats (nixpkgs pkgs/pkgs-lib/formats.nix):
  # recursive JSON-like values; `generate` keeps the value for the tests.
  valueType =
    with lib.types;
    let
      v =
        nullOr (oneOf [
          bool
          int
          float
          str
          path
          (attrsOf v)
          (listOf v)
        ])
        // {
          description = "value";
        };
    in
    v;
  format = kind: _args: {
    type = valueType;
    lib = {
      types = {
        atom = valueType;
      };
      mkLuaInline = expr: { _type = "lua-inline"; inherit expr; };
    };
    generate =
      name: value:
      (writeTextFile {
        inherit name;
        text = builtins.toJSON value;
      })
      // {
        inherit value;
        format = kind;
      };
  };

  self = {
    inherit lib system mkDerivation writeTextFile;
    path = ./nixpkgs;
    stdenv = {
      inherit mkDerivation;
      hostPlatform = lib.systems.elaborate system;
      buildPlatform = lib.systems.elaborate system;
      targetPlatform = lib.systems.elaborate system;
      isLinux = true;
      isDarwin = false;
      shell = "${self.bash}/bin/bash";
      shellDryRun = "${self.bash}/bin/bash --posix -n";
      cc = program "gcc" [ "cc" ];
    };
    stdenvNoCC = self.stdenv;
    buildPackages = self;
    pkgsBuildHost = self;
    callPackage = lib.callPackageWith self;
    runtimeShell = "${self.bash}/bin/bash";
    runtimeShellPackage = self.bash;

    coreutils = program "coreutils" [ "basename" "cat" "chmod" "cp" "cut" "date" "dirname" "env" "head" "id" "ln" "ls" "mkdir" "mktemp" "mv" "printf" "readlink" "realpath" "rm" "sleep" "sort" "stat" "tail" "tee" "timeout" "touch" "tr" "uname" "wc" ];
    findutils = program "findutils" [ "find" "xargs" ];
    curl = program "curl" [ "curl" ];
    gnugrep = program "gnugrep" [ "grep" ];
    gnused = program "gnused" [ "sed" ];
    gawk = program "gawk" [ "awk" "gawk" ];
    systemd = program "systemd" [ "systemctl" "journalctl" ];
    util-linux = program "util-linux" [ "flock" "script" ];
    bash = program "bash" [ "bash" "sh" ];
    bashInteractive = self.bash;
    dash = program "dash" [ "dash" ];
    diffutils = program "diffutils" [ "diff" ];
    gettext = program "gettext" [ "gettext" ];
    jq = program "jq" [ "jq" ];
    ncurses = program "ncurses" [ "tput" ];
    nix = program "nix" [ "nix-env" "nix-store" ];
    gzip = program "gzip" [ "gzip" ];
    shellcheck = program "shellcheck" [ "shellcheck" ];
    prometheus-node-exporter = program "prometheus-node-exporter" [ "node_exporter" ];
    glibcLocales = program "glibc-locales" [ ];
    lndir = program "lndir" [ "lndir" ];
    man = program "man-db" [ "man" ];
    xorg = {
      inherit (self) lndir;
    };

    writeText = name: text: writeTextFile { inherit name text; };
    writeTextDir = path: text: writeTextFile { name = builtins.baseNameOf path; inherit text; destination = "/${path}"; };
    writeScript = name: text: writeTextFile { inherit name text; executable = true; };
    writeScriptBin = name: text: writeTextFile { inherit name text; executable = true; destination = "/bin/${name}"; };
    writeShellScript = name: text: writeTextFile { inherit name; executable = true; text = "#!${self.runtimeShell}\n${text}"; };
    writeShellScriptBin = name: text: writeTextFile { inherit name; executable = true; destination = "/bin/${name}"; text = "#!${self.runtimeShell}\n${text}"; };
    runCommand = runCommandWith;
    runCommandLocal = runCommandWith;
    runCommandNoCC = runCommandWith;
    symlinkJoin = args: mkDerivation (args // { passthru = (args.passthru or { }) // { inherit (args) paths; }; });
    buildEnv = args: mkDerivation (args // { passthru = (args.passthru or { }) // { inherit (args) paths; }; });
    linkFarm = name: entries: runCommandWith name { passthru.entries = entries; } "";
    substituteAll = args: mkDerivation args;
    replaceVars = src: replacements: runCommandWith (builtins.baseNameOf src) { inherit src; } "";

    # What the flake's packages use (packages.generator, the wrappers).
    buildNpmPackage = mkDerivation;
    importNpmLock = {
      __functor = _: args: mkDerivation { name = "npm-deps"; inherit (args) npmRoot; };
      npmConfigHook = program "npm-config-hook" [ ];
    };
    makeWrapper = program "make-wrapper" [ ];
    nodejs = program "nodejs" [ "node" ];
    writeShellApplication =
      { name, text, runtimeInputs ? [ ], meta ? { }, ... }:
      writeTextFile {
        inherit name meta;
        executable = true;
        destination = "/bin/${name}";
        text = "#!${self.runtimeShell}\nexport PATH=${lib.makeBinPath runtimeInputs}:$PATH\n${text}";
      };

    formats = lib.genAttrs [
      "json"
      "yaml"
      "toml"
      "ini"
      "iniWithGlobalSection"
      "keyValue"
      "gitIni"
      "lua"
      "xml"
      "javaProperties"
      "elixirConf"
      "hocon"
      "libconfig"
      "pythonVars"
      "php"
      "cdn"
      "nixConf"
      "plist"
      "systemd"
    ] format;
  }
  # Packages Home Manager's modules read (defaults, activation) that the
  # tests never need a program of.
  // lib.genAttrs [
    "shared-mime-info"
    "man-db"
    "prometheus"
    "groff"
    "posh"
    "yash"
    "mksh"
    "busybox"
    "python3"
    "babelfish"
    "bash-completion"
    "fish"
    "starship"
    "waybar"
    "nix-zsh-completions"
    "zsh"
    "procps"
    "i3status-rust"
    "sd-switch"
    "emptyDirectory"
    "desktop-file-utils"
  ] (name: program name [ ]);
in
self

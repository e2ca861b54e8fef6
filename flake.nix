{
  description = "nixos-provenance: trace every NixOS and Home Manager generation to its exact source";

  # The only input. Dev tools come from this nixpkgs too, so users who follow
  # it get nothing extra in their lock file.
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs =
    { self, nixpkgs }:
    let
      inherit (nixpkgs) lib;
      systems = [
        "x86_64-linux"
        "aarch64-linux"
      ];
      forAllSystems = f: lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});

      # The generated commands, read from the checked-in tree (out/bin).
      commandNames = builtins.attrNames (builtins.readDir ./out/bin);

      # Docs and benchmarks are left out of the generator's source, so
      # editing them does not rebuild it (the tests read examples/ and
      # flake.nix). cleanSourceWith, not lib.fileset: on Nix < 2.14 (Debian
      # 12 ships 2.8) fileset's fallback reads the parent of the flake's
      # store path, which pure evaluation forbids.
      generatorSrcNames = [
        "flake.nix"
        "examples"
        "package.json"
        "package-lock.json"
        "tsconfig.json"
        "generator"
        "templates"
        "test"
        "modules"
        "out"
      ];
      generatorSrc = lib.cleanSourceWith {
        name = "nixos-provenance-source";
        src = ./.;
        filter =
          path: _type:
          let
            relative = lib.removePrefix (toString ./. + "/") (toString path);
          in
          builtins.elem (builtins.head (lib.splitString "/" relative)) generatorSrcNames;
      };

      perSystem =
        pkgs:
        let
          runtime = pkgs.callPackage ./modules/package.nix { };

          # writeShellApplication runs its text under bash with errexit,
          # nounset and pipefail and checks it with shellcheck in bash mode. Our
          # commands are POSIX sh scripts that must run identically under dash,
          # busybox and yash, so they are not pasted into that text: the wrapper
          # only puts runtimeInputs on PATH and execs the unmodified script,
          # which keeps its own interpreter (and man pages and completions stay
          # in `runtime`).
          wrapCommand =
            name:
            pkgs.writeShellApplication {
              inherit name;
              # The runtime inputs the package declares (modules/package.nix).
              inherit (runtime) runtimeInputs;
              text = ''
                exec ${runtime}/bin/${name} "$@"
              '';
              meta = runtime.meta // {
                mainProgram = name;
              };
            };
          commands = lib.genAttrs commandNames wrapCommand;

          # The library is sourced, never executed: the runtime's lib/ (the
          # facade and its parts, @libdir@ already pinned), shellchecked as sh.
          library = pkgs.runCommand "nixos-provenance-library" { } ''
            mkdir -p $out
            cp -r ${runtime}/lib $out/lib
            ${pkgs.shellcheck}/bin/shellcheck -s sh $out/lib/build-status.sh $out/lib/nixos-provenance/*.sh
          '';

          generator = pkgs.buildNpmPackage {
            pname = "nixos-provenance-generator";
            version = runtime.version;
            src = generatorSrc;
            # Hashes come from package-lock.json itself: no npmDepsHash to keep in sync.
            npmDeps = pkgs.importNpmLock { npmRoot = generatorSrc; };
            npmConfigHook = pkgs.importNpmLock.npmConfigHook;
            npmFlags = [ "--ignore-scripts" ];
            npmBuildScript = "build";
            nativeBuildInputs = [ pkgs.makeWrapper ];
            installPhase = ''
              runHook preInstall
              dest=$out/lib/nixos-provenance
              mkdir -p "$dest" $out/bin
              cp -r build templates node_modules package.json "$dest"/
              makeWrapper ${pkgs.nodejs}/bin/node $out/bin/nixos-provenance-generate \
                --add-flags "$dest/build/generator/cli.js"
              runHook postInstall
            '';
            meta = {
              description = "Generator of the nixos-provenance modules and POSIX shell runtime from its schema";
              license = lib.licenses.mit;
              mainProgram = "nixos-provenance-generate";
            };
          };
        in
        {
          inherit
            runtime
            commands
            library
            generator
            ;
          default = pkgs.symlinkJoin {
            name = "nixos-provenance-${runtime.version}";
            paths = builtins.attrValues commands ++ [
              library
              (pkgs.runCommand "nixos-provenance-share" { } "mkdir -p $out && cp -r ${runtime}/share $out/")
            ];
            meta = runtime.meta;
          };
        };

      # busybox's binary alone: its applets must not shadow coreutils on PATH.
      busyboxOnly =
        pkgs:
        pkgs.runCommand "busybox-binary" { } ''
          mkdir -p $out/bin
          ln -s ${pkgs.busybox}/bin/busybox $out/bin/busybox
        '';

      # The programs the test suite runs (the shell matrix, checkers, services).
      testTools =
        pkgs: with pkgs; [
          dash
          (busyboxOnly pkgs)
          mksh
          yash
          posh
          bash
          jq
          nix
          shellcheck
          zsh
          fish
          man-db
          groff
          prometheus
          prometheus-node-exporter
        ];

      fakeFlake = rev: {
        inherit rev;
        shortRev = builtins.substring 0 7 rev;
        lastModifiedDate = "20250109120000";
      };
    in
    {
      nixosModules = {
        nixos-provenance = ./modules/nixos.nix;
        default = self.nixosModules.nixos-provenance;
      };

      homeManagerModules = {
        nixos-provenance = ./modules/home-manager.nix;
        default = self.homeManagerModules.nixos-provenance;
      };

      overlays.default = final: _prev: {
        nixos-provenance = final.callPackage ./modules/package.nix { };
      };

      # Helpers for configuration flakes (see docs/integration.md).
      lib = {
        # The builtins-only metadata computation, for use outside the modules.
        metadata = args: import ./modules/metadata.nix args;

        # `nixpkgs.lib.nixosSystem` with the module imported and `self` and
        # `inputs` passed as module arguments, so a host needs only
        #   system.provenance = { enable = true; flake = self; inherit inputs; };
        # `module`: a module generated from your own provenance.yaml
        # (e.g. ./provenance/modules/nixos.nix) instead of the default one.
        nixosSystem =
          {
            self,
            inputs ? self.inputs or { },
            module ? ./modules/nixos.nix,
            modules ? [ ],
            specialArgs ? { },
            ...
          }@args:
          let
            # The caller's nixpkgs when it has one, else ours.
            caller = args.nixpkgs or inputs.nixpkgs or nixpkgs;
          in
          caller.lib.nixosSystem (
            builtins.removeAttrs args [
              "self"
              "inputs"
              "nixpkgs"
              "module"
            ]
            // {
              modules = [ module ] ++ modules;
              specialArgs = {
                inherit self inputs;
              } // specialArgs;
            }
          );

        # A module that imports the NixOS module and enables it for `self`.
        nixosModule =
          {
            self,
            inputs ? self.inputs or { },
          }:
          {
            imports = [ ./modules/nixos.nix ];
            system.provenance = {
              enable = lib.mkDefault true;
              flake = lib.mkDefault self;
              inputs = lib.mkDefault inputs;
            };
          };

        # The same for Home Manager.
        homeManagerModule =
          {
            self,
            inputs ? self.inputs or { },
          }:
          {
            imports = [ ./modules/home-manager.nix ];
            home.provenance = {
              enable = lib.mkDefault true;
              flake = lib.mkDefault self;
              inputs = lib.mkDefault inputs;
            };
          };
      };

      # `nix run .#demo`: the demo (demo/demo.sh) on a fake machine in a temporary
      # directory, with the runtime's commands and their inputs on PATH.
      apps = forAllSystems (
        pkgs:
        let
          p = perSystem pkgs;
          demo = pkgs.writeShellApplication {
            name = "nixos-provenance-demo";
            runtimeInputs = [ p.runtime ] ++ p.runtime.runtimeInputs;
            text = ''
              export NIXOS_PROVENANCE_DEMO_FIXTURE=${./bench/make-fixture.sh}
              exec sh ${./demo/demo.sh} "$@"
            '';
          };
        in
        {
          demo = {
            type = "app";
            program = "${demo}/bin/nixos-provenance-demo";
          };
        }
      );

      packages = forAllSystems (
        pkgs:
        let
          p = perSystem pkgs;
        in
        p.commands
        // {
          inherit (p) default runtime library generator;
          runtime-dash = p.runtime.override { useDash = true; };
        }
      );

      devShells = forAllSystems (pkgs: {
        # `nix develop`, then `npm ci && npm run generate` (or `npm test`).
        default = pkgs.mkShell {
          packages = [
            pkgs.nodejs_20
            pkgs.nixfmt-rfc-style
            pkgs.hyperfine
          ]
          ++ testTools pkgs;
        };
      });

      formatter = forAllSystems (pkgs: pkgs.nixfmt-rfc-style);

      checks = forAllSystems (
        pkgs:
        let
          p = perSystem pkgs;
          src = generatorSrc;
        in
        {
          # The checked-in modules/ and out/ are what the templates generate.
          generated-up-to-date = pkgs.runCommand "nixos-provenance-generated-up-to-date" { } ''
            cp -r ${src} src
            chmod -R u+w src
            ${p.generator}/bin/nixos-provenance-generate --out src --check
            touch $out
          '';

          shellcheck = pkgs.runCommand "nixos-provenance-shellcheck" { nativeBuildInputs = [ pkgs.shellcheck ]; } ''
            shellcheck -s sh ${./out/bin}/* ${./out/lib}/build-status.sh
            shellcheck -s bash ${./out/share/bash-completion/completions}/*
            touch $out
          '';

          # The whole uvu suite (shell matrix, Nix evaluation, promtool and a
          # real node-exporter on 127.0.0.1, completions, man pages).
          tests = p.generator.overrideAttrs {
            pname = "nixos-provenance-tests";
            doCheck = true;
            nativeCheckInputs = testTools pkgs;
            checkPhase = ''
              runHook preCheck
              export HOME=$TMPDIR NIX_REMOTE= NIX_STATE_DIR=$TMPDIR/nix/state NIX_LOG_DIR=$TMPDIR/nix/log
              export SHELLCHECKJS_BIN=${pkgs.shellcheck}/bin/shellcheck
              node build/test/run.js
              runHook postCheck
            '';
            installPhase = "touch $out";
          };

          # The module in real NixOS systems, forced as `nixos-rebuild build`
          # forces them: the toplevel's derivation (every assertion, warning,
          # /etc entry, package, unit and tmpfiles rule) for each variant that
          # changes what the module emits. Nothing is built.
          module-eval =
            let
              variants = {
                default = { };
                prometheus = {
                  prometheus.enable = true;
                };
                prometheus-node-exporter = {
                  prometheus.enable = true;
                  nodeExporter = true;
                };
                dash-legacy = {
                  useDash = true;
                  legacyLibraryPath = true;
                };
                no-git = {
                  flake = { };
                };
              };
              toplevel =
                name: v:
                let
                  provenance = builtins.removeAttrs v [ "nodeExporter" ];
                  system = nixpkgs.lib.nixosSystem {
                    inherit (pkgs.stdenv.hostPlatform) system;
                    modules = [
                      self.nixosModules.default
                      {
                        boot.isContainer = true;
                        system.stateVersion = "25.05";
                        networking.hostName = "evaluated";
                        services.prometheus.exporters.node.enable = v.nodeExporter or false;
                        system.provenance = {
                          enable = true;
                          flake = fakeFlake "0123456789abcdef0123456789abcdef01234567";
                          inputs = { inherit nixpkgs; };
                        } // provenance;
                      }
                    ];
                  };
                in
                builtins.unsafeDiscardStringContext system.config.system.build.toplevel.drvPath;
            in
            pkgs.runCommand "nixos-provenance-module-eval" {
              toplevels = lib.mapAttrsToList toplevel variants;
            } "printf '%s\\n' $toplevels >$out";

          # A VM that switches twice (two generations, two commits) and checks
          # what nixos-generation-info and /etc/nixos-metadata report.
          vm = pkgs.testers.runNixOSTest {
            name = "nixos-provenance";
            nodes.machine =
              { lib, ... }:
              {
                imports = [ self.nixosModules.default ];
                system.provenance = {
                  enable = true;
                  flake = fakeFlake "1111111111111111111111111111111111111111";
                  inputs = { inherit nixpkgs; };
                };
                specialisation.second.configuration = {
                  system.provenance.flake = lib.mkForce (fakeFlake "2222222222222222222222222222222222222222");
                };
                environment.systemPackages = [ pkgs.jq ];
              };
            testScript = ''
              machine.wait_for_unit("multi-user.target")

              def switch_to(path):
                  machine.succeed(f"nix-env -p /nix/var/nix/profiles/system --set {path}")
                  machine.succeed("/nix/var/nix/profiles/system/bin/switch-to-configuration test")

              first = machine.succeed("readlink -f /run/current-system").strip()
              second = machine.succeed("readlink -f /run/current-system/specialisation/second").strip()

              switch_to(first)
              machine.succeed("grep -qx \"GIT_COMMIT='1111111111111111111111111111111111111111'\" /etc/nixos-metadata")
              info = machine.succeed("nixos-generation-info --json | jq -c '[.generationRaw, .status]'").strip()
              assert info == '["1","in-sync"]', info

              switch_to(second)
              machine.succeed("grep -qx \"GIT_COMMIT='2222222222222222222222222222222222222222'\" /etc/nixos-metadata")
              machine.succeed("test \"$(nixos-metadata --field GIT_COMMIT)\" = 2222222222222222222222222222222222222222")
              info = machine.succeed("nixos-generation-info --json | jq -c '[.generationRaw, .latestGenerationRaw, .status, .commit]'").strip()
              assert info == '["2","2","in-sync","2222222"]', info
              machine.succeed("test -r /etc/nixos-provenance/build-status.sh")
              machine.succeed("test -d /var/log/nixos-builds && test \"$(stat -c %a:%U:%G /var/log/nixos-builds)\" = 2770:root:wheel")
            '';
          };
        }
      );
    };
}

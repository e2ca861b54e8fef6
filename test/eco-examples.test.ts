/**
 * examples/: generating from the customised provenance.yaml (a per-host
 * field DEPLOY_ENV, a fixed field FLEET_OWNER, a tracked input sops-nix) puts
 * the new fields into every output that describes them: the modules, the
 * metadata computed by metadata.nix, the JSON Schema, the TypeScript types,
 * the completions, the man page and the docs. And the flake's helpers.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { nixEvalJson, nixEvalReal, nixInstantiate, vendorMissing } from "./helpers/nix.js";
import { projectRoot } from "./helpers/shells.js";

const out = mkdtempSync(join(tmpdir(), "eco-examples-"));
test.after(() => rmSync(out, { recursive: true, force: true }));
const read = (path: string) => readFileSync(join(out, path), "utf8");

test("the generator accepts examples/provenance.yaml", () => {
  const r = spawnSync(process.execPath, [`${projectRoot}${buildDir()}/generator/cli.js`, "--config", `${projectRoot}examples/provenance.yaml`, "--out", out], { encoding: "utf8", timeout: 60_000 });
  assert.is(r.status, 0, r.stderr);
});

/** The tsc output dir this test was compiled into (build, build-c, ...). */
function buildDir(): string {
  const here = new URL(".", import.meta.url).pathname;
  return here.slice(projectRoot.length).split("/")[0] ?? "build";
}

test("every generated .nix parses", () => {
  for (const file of ["metadata.nix", "common.nix", "nixos.nix", "home-manager.nix", "package.nix"]) {
    const r = nixInstantiate(["--parse", join(out, "modules", file)]);
    assert.is(r.status, 0, `${file}: ${r.stderr}`);
  }
});

test("the module: an extraFields option for the per-host field, shared by NixOS and Home Manager", () => {
  const common = read("modules/common.nix");
  assert.match(common, /DEPLOY_ENV = lib\.mkOption \{\n\s+type = lib\.types\.str;\n\s+default = "unknown";\n\s+example = "production";\n\s+description = "Deployment environment the host belongs to.";/);
  assert.not.match(common, "FLEET_OWNER = lib.mkOption", "a fixed field is no option");
  assert.match(common, "`sops-nix` are recorded");
  assert.match(common, 'default = "https://git.example.org/ops/fleet/commit/{commit}";');
  assert.match(read("modules/nixos.nix"), "default = 250;");
});

test("metadata.nix computes the new fields", () => {
  const evaluated = nixEvalJson(`let m = import ${out}/modules/metadata.nix {
    self = { rev = "0123456789abcdef0123456789abcdef01234567"; lastModifiedDate = "20250101000000"; };
    inputs.sops-nix.rev = "5555555555555555555555555555555555555555";
    extraFields.DEPLOY_ENV = "production";
  }; in { inherit (m) values shellText; json = builtins.fromJSON m.jsonText; }`) as { values: Record<string, string>; shellText: string; json: Record<string, unknown> };
  assert.is(evaluated.values.DEPLOY_ENV, "production");
  assert.is(evaluated.values.FLEET_OWNER, "platform-team");
  assert.is(evaluated.values.SOPS_NIX_REV, "5555555555555555555555555555555555555555");
  assert.is(evaluated.values.GIT_SOURCE_URL, "https://git.example.org/ops/fleet/commit/0123456789abcdef0123456789abcdef01234567");
  assert.match(evaluated.shellText, "DEPLOY_ENV='production'\n");
  assert.is(evaluated.json.deployEnv, "production");
  assert.is(evaluated.json.fleetOwner, "platform-team");
});

const real = vendorMissing() === null ? test : test.skip;

real("every example host, built with the modules generated from examples/provenance.yaml, instantiates its toplevel", () => {
  for (const hostFile of ["web-1.nix", "laptop.nix"]) {
    const r = nixEvalReal(`(import (eco + "/nixos-system.nix") { inherit lib; specialArgs = { self = { rev = "0123456789abcdef0123456789abcdef01234567"; lastModifiedDate = "20250101000000"; }; inputs = { sops-nix.rev = "5555555555555555555555555555555555555555"; }; };
      modules = [ ${out}/modules/nixos.nix ${projectRoot}examples/hosts/${hostFile} ]; }).files`);
    assert.ok(r.ok, `${hostFile}: ${r.ok ? "" : r.stderr}`);
    if (!r.ok) continue;
    assert.ok(existsSync(r.value.drvPath), r.value.drvPath);
    assert.match(r.value.etc["nixos-metadata"], /DEPLOY_ENV='(production|development)'\nFLEET_OWNER='platform-team'\n/);
    assert.match(r.value.etc["nixos-metadata"], "SOPS_NIX_REV='5555555555555555555555555555555555555555'\n");
  }
});

real("the example Home Manager user, with the generated module, instantiates its activationPackage", () => {
  const r = nixEvalReal(`let h = import (hm + "/modules") { pkgs = import (eco + "/pkgs.nix") { inherit lib; };
      extraSpecialArgs = { self = { rev = "0123456789abcdef0123456789abcdef01234567"; }; inputs = { }; };
      configuration = { imports = [ ${out}/modules/home-manager.nix ${projectRoot}examples/home/alice.nix ]; manual.manpages.enable = false; }; };
    in { drvPath = h.activationPackage.drvPath; metadata = h.config.xdg.dataFile."nixos-provenance/home-metadata".source.text; }`);
  assert.ok(r.ok, r.ok ? "" : r.stderr);
  if (!r.ok) return;
  assert.ok(existsSync(r.value.drvPath));
  assert.match(r.value.metadata, "DEPLOY_ENV='development'\n");
});

test("the JSON Schema and the TypeScript types have the new keys", () => {
  const schema = JSON.parse(read("out/schema/NixosMetadata.schema.json"));
  assert.is(schema.properties.deployEnv.type, "string");
  assert.ok(schema.required.includes("fleetOwner"));
  assert.ok(schema.properties.sopsNixRev);
  const types = read("out/types/nixos-provenance.d.ts");
  assert.match(types, /deployEnv: string;/);
  assert.match(types, /fleetOwner: string;/);
});

test("completions, man page and docs name the new fields", () => {
  const bash = `${out}/out/share/bash-completion/completions/nixos-metadata`;
  const r = spawnSync("bash", ["-c", `. "$1"; COMP_WORDS=(nixos-metadata --field DEP); COMP_CWORD=2; _nixos_provenance_nixos_metadata; printf '%s\\n' "\${COMPREPLY[@]}"`, "bash", bash], { encoding: "utf8" });
  assert.is(r.stdout, "DEPLOY_ENV\n");
  assert.match(read("out/share/zsh/site-functions/_nixos-metadata"), "deployEnv");
  assert.match(read("out/share/fish/vendor_completions.d/nixos-metadata.fish"), "DEPLOY_ENV");
  assert.match(read("out/share/man/man1/nixos-metadata.1"), "DEPLOY_ENV");
  assert.match(read("out/doc/metadata.md"), "DEPLOY_ENV");
});

test("the example flake and hosts parse and use only what the modules declare", () => {
  for (const file of ["flake.nix", "hosts/web-1.nix", "hosts/laptop.nix", "home/alice.nix"]) {
    const r = nixInstantiate(["--parse", `${projectRoot}examples/${file}`]);
    assert.is(r.status, 0, `${file}: ${r.stderr}`);
  }
  assert.match(readFileSync(`${projectRoot}examples/hosts/web-1.nix`, "utf8"), "extraFields.DEPLOY_ENV");
});

test("flake lib.nixosSystem passes self/inputs and the chosen module", () => {
  const value = nixEvalJson(`let
    stubLib = { mkDefault = v: { default = v; }; };
    outputs = (import ${projectRoot}flake.nix).outputs { self = outputs; nixpkgs = { lib = stubLib; }; };
    caller = { lib.nixosSystem = args: args; };
    fleet = { inputs = { nixpkgs = caller; }; marker = "fleet"; };
    got = outputs.lib.nixosSystem { self = fleet; system = "x86_64-linux"; module = /custom/nixos.nix; modules = [ /host.nix ]; };
    plain = outputs.lib.nixosSystem { self = fleet; };
    hm = outputs.lib.homeManagerModule { self = fleet; };
  in {
    modules = map toString got.modules;
    inherit (got) system;
    marker = got.specialArgs.self.marker;
    inputs = builtins.attrNames got.specialArgs.inputs;
    plainModule = toString (builtins.head plain.modules);
    nixosModule = toString outputs.nixosModules.default;
    hmModule = toString outputs.homeManagerModules.default;
    hmEnable = hm.home.provenance.enable.default;
  }`) as Record<string, unknown>;
  assert.equal(value.modules, ["/custom/nixos.nix", "/host.nix"]);
  assert.is(value.system, "x86_64-linux");
  assert.is(value.marker, "fleet");
  assert.equal(value.inputs, ["nixpkgs"]);
  assert.is(value.plainModule, `${projectRoot}modules/nixos.nix`);
  assert.is(value.nixosModule, `${projectRoot}modules/nixos.nix`);
  assert.is(value.hmModule, `${projectRoot}modules/home-manager.nix`);
  assert.is(value.hmEnable, true);
});

test.run();

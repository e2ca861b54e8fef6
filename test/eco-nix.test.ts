/**
 * The NixOS and Home Manager modules evaluated with the REAL nixpkgs lib
 * (lib.evalModules, 25.05) and the REAL Home Manager (release-25.05), with
 * NixOS's options declared as nixpkgs declares them (test/eco/nixos-options.nix)
 * and what a system build forces (test/eco/nixos-system.nix: assertions,
 * warnings, every /etc entry, package, unit and tmpfiles rule, then the
 * toplevel derivation instantiated). The files a system would run or source
 * (/etc/nixos-metadata, /etc/set-environment, the metrics unit's script) are
 * run in dash with a canary proving no value ran as code.
 *
 * Without the vendor trees (an outside checkout) every test here is
 * skipped; under CI=true that is a failure (test/helpers/nix.ts).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { nixEvalReal, nixInstantiate, vendorMissing, vendorTrees } from "./helpers/nix.js";
import { projectRoot } from "./helpers/shells.js";
import { Machine, outerTmpdir } from "./helpers/fixture.js";
import { buildPath, toolDir } from "./helpers/build-env.js";
import { nixString } from "../generator/escape/nix.js";
import { loadSchema, validate } from "./helpers/json-schema.js";
import { ConfigError, loadConfig } from "../generator/config.js";

const missing = vendorMissing();
const it = missing === null ? test : test.skip;
if (missing !== null) console.log(`  (skipped: the real-module tests need ${missing})`);

const rev = "0123456789abcdef0123456789abcdef01234567";
const modules = `${projectRoot}modules`;
export const flakeStates = {
  clean: `{ rev = "${rev}"; shortRev = "0123456"; lastModifiedDate = "20250101000000"; }`,
  dirty: `{ dirtyRev = "${rev}-dirty"; dirtyShortRev = "0123456-dirty"; lastModifiedDate = "20250101000000"; }`,
  noGit: `{ lastModifiedDate = "19700101000000"; }`,
} as const;
const inputs = `{ nixpkgs = { rev = "1111111111111111111111111111111111111111"; narHash = "sha256-x"; }; home-manager.rev = "2222222222222222222222222222222222222222"; }`;

const scratch = mkdtempSync(join(tmpdir(), "eco-nix-"));
test.after(() => rmSync(scratch, { recursive: true, force: true }));

export interface SystemFiles {
  drvPath: string;
  etc: Record<string, string | null>;
  etcSources: Record<string, string>;
  setEnvironment: string;
  tmpfilesRules: string;
  units: Record<string, string>;
  services: Record<string, { environment: Record<string, string>; path: string[]; pathPrograms: { path: string; programs: string[] | null }[]; execStartText: string | null }>;
  warnings: string[];
}

/** A NixOS system of `module` (default: the checked-in one) plus `config` (Nix source of one module). */
export function nixosSystem(config: string, options: { module?: string; extraModules?: string[] } = {}) {
  const list = [options.module ?? `${modules}/nixos.nix`, ...(options.extraModules ?? []), `(${config})`].join(" ");
  return nixEvalReal(`(import (eco + "/nixos-system.nix") { inherit lib; modules = [ ${list} ]; }).files`);
}
function system(config: string, options: { module?: string; extraModules?: string[] } = {}): SystemFiles {
  const r = nixosSystem(config, options);
  if (!r.ok) throw new Error(`the system does not evaluate:\n${r.stderr}`);
  assert.ok(existsSync(r.value.drvPath), `toplevel instantiated: ${r.value.drvPath}`);
  return r.value as SystemFiles;
}
/** The failed-assertion text of a system that must not build. */
function refused(config: string): string {
  const r = nixosSystem(config);
  assert.not.ok(r.ok, `expected a refusal: ${config}`);
  return r.ok ? "" : r.stderr;
}
const host = (provenance: string, extra = "") =>
  `{ networking.hostName = "h1"; users.users.alice.isNormalUser = true; ${extra} system.provenance = { enable = true; flake = ${flakeStates.clean}; inputs = ${inputs}; } // ${provenance}; }`;

/** dash with nothing on PATH but what is given; a canary file shows whether anything ran. */
function dashIn(dir: string, script: string, env: Record<string, string> = {}) {
  return spawnSync("dash", ["-c", script], { cwd: dir, encoding: "utf8", env: { PATH: "/usr/bin:/bin", HOME: dir, ...env } });
}

test("every emitted .nix file and flake.nix parse", () => {
  const files = [...readdirSync(modules).filter((f) => f.endsWith(".nix")).map((f) => `${modules}/${f}`), `${projectRoot}flake.nix`];
  assert.ok(files.length >= 5);
  for (const file of files) {
    const result = nixInstantiate(["--parse", file]);
    assert.is(result.status, 0, `${file}: ${result.stderr}`);
  }
});

it("NixOS, three flake states: metadata, revision, library, tmpfiles; the toplevel instantiates", () => {
  const want = { clean: ["false", rev], dirty: ["true", rev], noGit: ["unknown", "unknown"] } as const;
  for (const [state, flake] of Object.entries(flakeStates)) {
    const f = system(`{ networking.hostName = "h1"; system.provenance = { enable = true; flake = ${flake}; }; }`);
    const meta = f.etc["nixos-metadata"]!;
    assert.match(meta, `GIT_DIRTY='${want[state as keyof typeof want][0]}'\n`, state);
    assert.match(meta, `GIT_COMMIT='${want[state as keyof typeof want][1]}'\n`, state);
    assert.match(meta, "HOSTNAME='h1'\n");
    assert.match(f.etcSources["nixos-provenance/build-status.sh"]!, /-nixos-provenance-[^/]+\/lib\/build-status\.sh$/);
    assert.not.ok("nixos/lib/build-status.sh" in f.etcSources, "the seed's path is opt-in");
    assert.is(f.tmpfilesRules, "'d' '/var/log/nixos-builds' '2770' 'root' 'wheel' '-' \n");
    assert.not.ok("nixos-provenance-metrics.service" in f.units, "no metrics service unless asked");
  }
});

it("NixOS: legacyLibraryPath, useDash, custom log dir and group", () => {
  const f = system(host(`{ legacyLibraryPath = true; useDash = true; logDir = "/srv/builds"; logDirGroup = "users"; }`));
  assert.match(f.etcSources["nixos/lib/build-status.sh"]!, /-nixos-provenance-[^/]+\/lib\/build-status\.sh$/);
  assert.is(f.etcSources["nixos/lib/build-status.sh"], f.etcSources["nixos-provenance/build-status.sh"]);
  assert.match(f.setEnvironment, 'export NIXOS_PROVENANCE_LOG_DIR="/srv/builds"\n');
  assert.match(f.tmpfilesRules, "'d' '/srv/builds' '2770' 'root' 'users' '-' \n");
  const plain = system(host("{ }"));
  assert.is.not(plain.etcSources["nixos-provenance/build-status.sh"], f.etcSources["nixos-provenance/build-status.sh"], "useDash changes the package");
});

// Defect 1: the node exporter condition read the option it defined.
it("NixOS: prometheus on × node exporter on/off × configureNodeExporter evaluates and instantiates", () => {
  const dir = "/var/lib/prometheus-node-exporter/textfile-collector";
  for (const node of [true, false]) {
    for (const configure of [true, false]) {
      const f = system(host(`{ prometheus = { enable = true; configureNodeExporter = ${configure}; }; }`, `services.prometheus.exporters.node.enable = ${node};`));
      assert.ok(f.units["nixos-provenance-metrics.service"], "metrics service");
      assert.ok(f.units["nixos-provenance-metrics.timer"], "metrics timer");
      assert.match(f.tmpfilesRules, `'d' '${dir}' '0755' 'root' 'root' '-' \n`);
      const exporter = f.units["prometheus-node-exporter.service"];
      assert.is(exporter !== undefined, node, `node exporter service iff enabled (node=${node})`);
      if (exporter) assert.is(exporter.includes(`--collector.textfile --collector.textfile.directory=${dir}`) || (exporter.includes("--collector.textfile ") && exporter.includes(`--collector.textfile.directory=${dir}`)), configure, exporter);
    }
  }
  const off = system(host(`{ prometheus.enable = false; }`, "services.prometheus.exporters.node.enable = true;"));
  assert.not.match(off.units["prometheus-node-exporter.service"]!, "textfile", "prometheus off: the exporter is left alone");
});

// Defect 2: path options with shell syntax ran as code from /etc/set-environment.
const hostilePaths = [
  "/var/log/$(touch${IFS}CANARY)",
  "/var/log/`touch CANARY`",
  "/var/log/a;touch CANARY",
  '/var/log/a"b',
  "/var/log/a'b",
  "/var/log/a b",
  "/var/log/a\nb",
  "/var/log/a\\b",
  "/var/log/${HOME}",
  "/var/log/a*",
  "/var/log/../../tmp",
  "/var/log/./x",
  "relative/dir",
  "/var/log/x/",
  "/var/log//x",
  "/var/log/é",
  "/var/log/ctl\u0001",
];
const systemDirs = ["/", "/etc", "/nix", "/nix/store", "/var/log", "/home", "/tmp", "/var", "/run", "/etc/nixos", "/nix/store/abc"];

it("NixOS: hostile or system directories in logDir and prometheus.directory are refused by an assertion, and by the generator's config check", () => {
  for (const value of [...hostilePaths, ...systemDirs]) {
    const file = join(scratch, "provenance.json.yaml");
    writeFileSync(file, `runtime:\n  logDir: ${JSON.stringify(value)}\n`);
    // The config check trims trailing slashes first ("/var/log/x/" is /var/log/x there).
    if (value.length === 1 || !value.endsWith("/")) assert.throws(() => loadConfig(file), (e: Error) => e instanceof ConfigError && e.message.includes("runtime.logDir"), value);
    const log = refused(host(`{ logDir = ${nixString(value)}; }`));
    assert.match(log, "Failed assertions", value);
    assert.match(log, "system.provenance.logDir must be", value);
    const prom = refused(host(`{ prometheus = { enable = true; directory = ${nixString(value)}; }; }`));
    assert.match(prom, "system.provenance.prometheus.directory must be", value);
  }
});

it("NixOS: /etc/set-environment, written like NixOS writes it, sourced in dash runs nothing", () => {
  const dir = mkdtempSync(join(scratch, "env-"));
  const f = system(host(`{ logDir = "/var/log/nixos-builds.d/+x_y-1"; }`));
  writeFileSync(join(dir, "set-environment"), f.setEnvironment);
  const r = dashIn(dir, '. ./set-environment; printf "%s" "$NIXOS_PROVENANCE_LOG_DIR"');
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout, "/var/log/nixos-builds.d/+x_y-1");
  assert.not.ok(existsSync(join(dir, "CANARY")));
  // The check a fixed module would fail without: the old assertion let this through.
  assert.match(refused(host(`{ logDir = ${nixString("/var/log/$(touch${IFS}CANARY)")}; }`)), "logDir must be");
});

export const hostileValues = ["$(touch CANARY)", "`touch CANARY`", "it's", "'\\''", '"dq" \\bs\\', "l1\nl2\n", "${HOME} ''${x} ''", "a; touch CANARY; b", "ctl\u0001\u001b[31m\t\rend", "unicode ✓ é", ""];

it("NixOS: hostile hostName, repository, URL templates and extraFields are recorded byte for byte, sourced in dash they run nothing", () => {
  for (const value of hostileValues) {
    const v = nixString(value);
    const f = system(`{ networking.hostName = "h1"; system.provenance = { enable = true; flake = ${flakeStates.clean}; hostName = ${v}; repository = ${v};
      sourceUrlTemplate = ${nixString(`https://x/${value}/{commit}`)}; flakeUrlTemplate = ${nixString(`git+https://x/${value}?rev={commit}`)}; }; }`);
    const dir = mkdtempSync(join(scratch, "meta-"));
    writeFileSync(join(dir, "nixos-metadata"), f.etc["nixos-metadata"]!);
    const r = dashIn(dir, '. ./nixos-metadata; printf "%s\\0%s\\0%s" "$HOSTNAME" "$GIT_SOURCE_URL" "$FLAKE_URL"');
    assert.is(r.status, 0, r.stderr);
    const want = value === "" ? "unknown" : value;
    assert.equal(r.stdout.split("\0"), [want, `https://x/${value}/${rev}`, `git+https://x/${value}?rev=${rev}`], JSON.stringify(value));
    assert.not.ok(existsSync(join(dir, "CANARY")), JSON.stringify(value));
    const json = JSON.parse(f.etc["nixos-metadata.json"]!);
    assert.is(json.hostname, want);
  }
});

it("NixOS: a hostile prometheus.user, logDirGroup or interval is refused", () => {
  for (const value of ["$(touch CANARY)", "a b", "bob\nExecStart=/bin/sh", "root'"]) {
    const v = nixString(value);
    for (const settings of [`{ prometheus = { enable = true; user = ${v}; }; }`, `{ logDirGroup = ${v}; }`, `{ prometheus = { enable = true; interval = ${v}; }; }`]) {
      const r = nixosSystem(host(settings));
      assert.not.ok(r.ok, settings);
      assert.match(r.ok ? "" : r.stderr, /Failed assertions|is not of type/, settings);
    }
  }
  assert.match(refused(host(`{ prometheus = { enable = true; user = "bob"; }; }`)), "is not a user of this");
});

it("NixOS: assertions name the fix", () => {
  assert.match(refused(`{ system.provenance.enable = true; }`), "system.provenance = { enable = true; flake = self; inherit inputs; };");
  for (const [settings, want] of [
    [`{ logDirMode = "0777"; }`, "world-writable"],
    [`{ logDirMode = "2772"; }`, "world-writable"],
  ] as const) assert.match(refused(host(settings)), want);
  system(host(`{ logDirMode = "2775"; logDir = "/var/log/.hidden-builds"; }`));
});

/** A directory holding, for the programs a package names, the machine's own. */
function hostBin(programs: string[] | null, dir: string): string {
  mkdirSync(dir, { recursive: true });
  for (const p of programs ?? []) {
    const found = ["/usr/bin", "/bin", "/usr/sbin", "/sbin"].map((d) => join(d, p)).find((f) => existsSync(f));
    if (found) symlinkSync(found, join(dir, p));
  }
  return dir;
}

// Defect 5: the unit's PATH had no awk, so the last_build_* metrics vanished.
it("NixOS: the metrics service's script, run in dash with exactly the unit's PATH and environment, writes every metric", () => {
  // Its log directory goes into the module, which refuses one below /dev/.
  const machine = new Machine({ base: outerTmpdir() });
  machine.switchTo(41);
  machine.write("etc/nixos/flake.nix", "{ outputs = _: { }; }\n");
  const logDir = join(machine.root, "var/log/nixos-builds");
  const built = spawnSync("dash", [`${projectRoot}out/bin/nixos-build-wrapper`, "os", "switch"], {
    encoding: "utf8",
    env: machine.env({ PATH: buildPath(toolDir(["nixos-rebuild", "systemctl", "journalctl", "nix"])), NIXOS_PROVENANCE_LOG_DIR: logDir }),
  });
  assert.ok(existsSync(join(logDir, "last-build.json")), built.stderr);
  const textfile = join(machine.root, "textfile");
  mkdirSync(textfile);
  const f = system(host(`{ logDir = ${nixString(logDir)}; prometheus = { enable = true; directory = ${nixString(textfile)}; }; }`, "services.prometheus.exporters.node.enable = true;"));
  const service = f.services["nixos-provenance-metrics"]!;
  assert.ok(service.execStartText);
  // Each store path on the unit's PATH becomes a directory of the programs its package provides.
  let unitPath = service.environment.PATH!;
  service.pathPrograms.forEach((entry, i) => {
    const root = join(scratch, `path-${i}`);
    const dir = join(root, "bin");
    if (entry.programs === null) {
      // The runtime package itself: the generated commands and their library, laid out as installed.
      mkdirSync(dir, { recursive: true });
      for (const c of readdirSync(`${projectRoot}out/bin`)) symlinkSync(`${projectRoot}out/bin/${c}`, join(dir, c));
      symlinkSync(`${projectRoot}out/lib`, join(root, "lib"));
    } else hostBin(entry.programs, dir);
    unitPath = unitPath.replaceAll(`${entry.path}/bin`, dir).replaceAll(`${entry.path}/sbin`, join(root, "sbin"));
  });
  assert.not.match(unitPath, "/nix/store/", unitPath);
  const r = spawnSync("/usr/bin/dash", ["-c", service.execStartText!], {
    encoding: "utf8",
    env: { ...service.environment, PATH: unitPath, NIXOS_PROVENANCE_ROOT: machine.root, LC_ALL: "C.UTF-8" },
    timeout: 30_000,
  });
  assert.is(r.status, 0, `${r.signal ?? ""} ${r.error ?? ""} ${r.stderr}`);
  const metrics = readFileSync(join(textfile, "nixos-provenance.prom"), "utf8");
  for (const name of ["nixos_provenance_current_generation", "nixos_provenance_last_build_success", "nixos_provenance_last_build_exit_code", "nixos_provenance_last_build_duration_seconds", "nixos_provenance_last_build_timestamp_seconds"]) {
    assert.match(metrics, new RegExp(`^${name} `, "m"), `${name} in:\n${metrics}`);
  }
  machine.cleanup();
});

// nixos-fleet-status needs curl or wget: the package's runtime inputs (the
// metrics unit's PATH, which is exactly them and the package) hold curl.
it("NixOS: with exactly the package's runtime inputs on PATH, nixos-fleet-status has its HTTP client", () => {
  const f = system(host(`{ prometheus.enable = true; }`));
  const service = f.services["nixos-provenance-metrics"]!;
  let unitPath = service.environment.PATH!;
  let runtimeBin = "";
  service.pathPrograms.forEach((entry, i) => {
    const root = join(scratch, `fleet-path-${i}`);
    const dir = join(root, "bin");
    if (entry.programs === null) {
      mkdirSync(dir, { recursive: true });
      runtimeBin = dir;
      for (const c of readdirSync(`${projectRoot}out/bin`)) symlinkSync(`${projectRoot}out/bin/${c}`, join(dir, c));
      symlinkSync(`${projectRoot}out/lib`, join(root, "lib"));
    } else hostBin(entry.programs, dir);
    unitPath = unitPath.replaceAll(`${entry.path}/bin`, dir).replaceAll(`${entry.path}/sbin`, join(root, "sbin"));
  });
  assert.not.match(unitPath, "/nix/store/", unitPath);
  assert.ok(runtimeBin, "the package is on the unit's PATH");
  // A refused connection is reported by curl, not as "neither curl nor wget is installed".
  const fleet = spawnSync("/usr/bin/dash", [join(runtimeBin, "nixos-fleet-status"), "--prometheus", "http://127.0.0.1:1", "--timeout", "2"], {
    encoding: "utf8", env: { PATH: unitPath, LC_ALL: "C.UTF-8" }, timeout: 30_000,
  });
  assert.is(fleet.status, 3, fleet.stderr);
  assert.match(fleet.stderr, "curl: ", fleet.stderr);
});

// Issue 9: the activation snippet, evaluated through the real lib into the
// activation script, then run in bash (the activation script's shell) the
// way the activation script runs it: with its ERR trap, $systemConfig and
// NIXOS_ACTION, against a fixture root.
it("NixOS: the activation snippet records switch and boot, never fails the activation, and skips dry-activate", () => {
  const f = system(host("{ }")) as SystemFiles & { activationScript: string; activationSnippets: Record<string, string> };
  const snippet = f.activationSnippets["nixos-provenance"]!;
  assert.ok(snippet, "system.activationScripts.nixos-provenance is defined");
  assert.match(f.activationScript, "#### Activation script snippet nixos-provenance:\n");
  assert.match(snippet, '/bin/nixos-provenance-activate --system "$systemConfig" || true');
  assert.match(snippet, "/bin/timeout -k 2 10 ");
  // The runtime package as installed; every other store path's bin/ is the host's.
  const installed = join(scratch, "activation-package");
  mkdirSync(join(installed, "bin"), { recursive: true });
  for (const c of readdirSync(`${projectRoot}out/bin`)) symlinkSync(`${projectRoot}out/bin/${c}`, join(installed, "bin", c));
  symlinkSync(`${projectRoot}out/lib`, join(installed, "lib"));
  const text = snippet
    .replace(/\/nix\/store\/[a-z0-9]{32}-nixos-provenance-[^/]*\/bin\/nixos-provenance-activate/g, join(installed, "bin/nixos-provenance-activate"))
    .replace(/\/nix\/store\/[a-z0-9]{32}-[^/:\s]+\/bin/g, "/usr/bin");
  assert.not.match(text, "/nix/store/", text);
  const machine = new Machine();
  machine.switchTo(1);
  machine.switchTo(2);
  const state = join(machine.root, "var/lib/nixos-provenance");
  const run = (n: number, action: string | undefined) =>
    spawnSync("/bin/bash", ["--norc", "-c", `_status=0\ntrap "_status=1 _localstatus=\\$?" ERR\nsystemConfig=${JSON.stringify(machine.storePath(n))}\n${text}\nexit $_status`], {
      encoding: "utf8",
      env: { PATH: "/empty", NIXOS_PROVENANCE_ROOT: machine.root, ...(action === undefined ? {} : { NIXOS_ACTION: action }) },
      timeout: 30_000,
    });
  // At boot before any switch: nothing recorded, one line, the activation still succeeds.
  machine.removeRun("current-system");
  let r = run(2, undefined);
  assert.equal([r.status, r.stderr], [0, `nixos-provenance-activate: not recorded: ${state} does not exist (yet); the first switch makes it\n`]);
  machine.activate(1);
  r = run(2, "switch");
  assert.equal([r.status, r.stderr], [0, ""]);
  r = run(1, "dry-activate");
  assert.equal([r.status, r.stderr], [0, ""]);
  const records = JSON.parse(readFileSync(join(state, "activation-history.json"), "utf8")) as Record<string, unknown>[];
  assert.equal(records.map((x) => [x.action, x.generation, x.previousGeneration]), [["switch", 2, 1]]);
  // A corrupt state (a directory where the history goes) fails the recording, not the activation.
  rmSync(join(state, "activation-history.json"));
  mkdirSync(join(state, "activation-history.json"));
  r = run(2, "switch");
  assert.equal([r.status, r.stderr], [0, `nixos-provenance-activate: not recorded: ${join(state, "activation-history.json")} is a directory\n`]);
  machine.cleanup();
});

// Home Manager: standalone and inside NixOS.
const hmBase = `home.username = "alice"; home.homeDirectory = "/home/alice"; home.stateVersion = "25.05"; manual.manpages.enable = false;`;
const allOn = `bars = { i3blocks.enable = true; waybar = { enable = true; bar = "mainBar"; }; i3status-rust = { enable = true; bar = "top"; interval = 10; }; };
  prompt = { bash.enable = true; zsh.enable = true; fish.enable = true; starship.enable = true; };`;
const hmPrograms = `programs.waybar.enable = true; programs.i3status-rust = { enable = true; bars.top = { }; }; programs.bash.enable = true; programs.zsh.enable = true; programs.fish.enable = true; programs.starship.enable = true;`;

function homeStandalone(provenance: string, module = `${modules}/home-manager.nix`) {
  return nixEvalReal(`let h = import (hm + "/modules") { pkgs = import (eco + "/pkgs.nix") { inherit lib; }; configuration = { imports = [ ${module} ]; ${hmBase} ${hmPrograms}
    home.provenance = { enable = true; flake = ${flakeStates.clean}; inputs = ${inputs}; ${allOn} } // ${provenance}; }; }; c = h.config; in {
    drvPath = h.activationPackage.drvPath;
    metadata = c.xdg.dataFile."nixos-provenance/home-metadata".source.text;
    json = c.xdg.dataFile."nixos-provenance/home-metadata.json".source.text;
    bash = c.programs.bash.initExtra; zsh = c.programs.zsh.initContent; fish = c.programs.fish.interactiveShellInit;
    starship = c.programs.starship.settings.custom.nixos_provenance;
    waybar = c.programs.waybar.settings.mainBar."custom/nixos-provenance";
    i3status = c.programs.i3status-rust.bars.top.blocks;
    i3blocks = c.xdg.configFile."i3blocks/nixos-provenance.conf".text;
  }`);
}

it("Home Manager standalone: every bar and prompt on, activationPackage instantiates", () => {
  const r = homeStandalone("{ }");
  assert.ok(r.ok, r.ok ? "" : r.stderr);
  if (!r.ok) return;
  const h = r.value;
  assert.ok(existsSync(h.drvPath), h.drvPath);
  assert.match(h.metadata, `GIT_COMMIT='${rev}'\n`);
  assert.match(h.metadata, "HOME_MANAGER_USER='alice'\n");
  assert.match(h.metadata, "HOSTNAME='unknown'\n", "standalone: no host unless set");
  assert.match(h.metadata.split("\n")[0], "Home Manager generation");
  assert.is(JSON.parse(h.json).homeManagerUser, "alice");
  // What Home Manager really writes matches its published schema (the NixOS one has no homeManagerUser).
  assert.equal(validate(JSON.parse(h.json), loadSchema("HomeManagerMetadata")), []);
  assert.equal(validate(JSON.parse(h.json), loadSchema("NixosMetadata")), ["$.homeManagerUser: unexpected key homeManagerUser"]);
  assert.match(h.bash, `PS1='$(__nixos_provenance_prompt)'"$PS1"`);
  assert.match(h.zsh, "setopt prompt_subst\n");
  assert.match(h.fish, "function __nixos_provenance_prompt");
  assert.match(h.starship.command, /bin\/nixos-generation-info --warning$/);
  assert.match(h.waybar.exec, /bin\/nixos-generation-info --waybar$/);
  assert.equal(h.i3status.at(-1).command.endsWith("--i3status-rs"), true);
  assert.match(h.i3blocks, "interval=5\n");
});

it("Home Manager: hostile hostName, repository and extraFields recorded byte for byte, sourced in dash run nothing", () => {
  for (const value of hostileValues) {
    const r = homeStandalone(`{ hostName = ${nixString(value)}; repository = ${nixString(value)}; }`);
    assert.ok(r.ok, r.ok ? "" : r.stderr);
    if (!r.ok) continue;
    const dir = mkdtempSync(join(scratch, "hm-"));
    writeFileSync(join(dir, "home-metadata"), r.value.metadata);
    const s = dashIn(dir, '. ./home-metadata; printf "%s\\0%s" "$HOSTNAME" "$HOME_MANAGER_USER"');
    assert.is(s.status, 0, s.stderr);
    assert.equal(s.stdout.split("\0"), [value === "" ? "unknown" : value, "alice"], JSON.stringify(value));
    assert.not.ok(existsSync(join(dir, "CANARY")));
  }
});

const hmInNixos = (provenance: string, hostName = "h1") => `{ networking.hostName = "${hostName}"; users.users.alice.isNormalUser = true;
  system.provenance = { enable = true; flake = ${flakeStates.clean}; };
  home-manager.users.alice = { imports = [ ${modules}/home-manager.nix ]; home.stateVersion = "25.05"; manual.manpages.enable = false; ${hmPrograms}
    home.provenance = { enable = true; flake = ${flakeStates.clean}; ${allOn} } // ${provenance}; }; }`;

// Defect 4: under the NixOS module, HOSTNAME came out 'unknown'.
it("Home Manager inside NixOS: the host name comes from the system; the toplevel (with home-manager-alice.service) instantiates", () => {
  const f = system(hmInNixos("{ }", "desk"), { extraModules: [`(hm + "/nixos")`] });
  assert.ok(f.units["home-manager-alice.service"]);
  const r = nixEvalReal(`(import (eco + "/nixos-system.nix") { inherit lib; modules = [ ${modules}/nixos.nix (hm + "/nixos") (${hmInNixos("{ }", "desk")}) ]; }).config.home-manager.users.alice.xdg.dataFile."nixos-provenance/home-metadata".source.text`);
  assert.ok(r.ok, r.ok ? "" : r.stderr);
  if (!r.ok) return;
  assert.match(r.value, "HOSTNAME='desk'\n");
  assert.not.match(r.value, "/etc/nixos-metadata", "the Home Manager file names itself");
  const explicit = nixEvalReal(`(import (eco + "/nixos-system.nix") { inherit lib; modules = [ ${modules}/nixos.nix (hm + "/nixos") (${hmInNixos(`{ hostName = "other"; }`, "desk")}) ]; }).config.home-manager.users.alice.home.provenance.metadata.HOSTNAME`);
  assert.equal(explicit.ok && explicit.value, "other");
});

it("Home Manager: a bar name without the bar's program is refused with the fix", () => {
  const r = nixEvalReal(`(import (hm + "/modules") { pkgs = import (eco + "/pkgs.nix") { inherit lib; }; configuration = { imports = [ ${modules}/home-manager.nix ]; ${hmBase}
    home.provenance = { enable = true; flake = ${flakeStates.clean}; bars.waybar = { enable = true; bar = "main"; }; }; }; }).activationPackage.drvPath`);
  assert.not.ok(r.ok);
  assert.match(r.ok ? "" : r.stderr, "programs.waybar.enable = true");
});

// Defect 3: lib.fileset.toSource broke pure evaluation on Nix < 2.14 (Debian 12: 2.8).
it("flake: pure evaluation on this machine's Nix of the generator, the wrappers and every cheap check (module-eval forces the toplevels)", () => {
  const trees = vendorTrees()!;
  const dir = mkdtempSync(join(scratch, "flake-"));
  const src = join(dir, "src");
  const nixpkgs = join(dir, "nixpkgs");
  mkdirSync(src);
  mkdirSync(nixpkgs);
  for (const name of ["flake.nix", "package.json", "package-lock.json", "tsconfig.json", "generator", "templates", "test", "modules", "out", "examples"]) {
    cpSync(join(projectRoot, name), join(src, name), { recursive: true });
  }
  // A nixpkgs flake of the real lib, the test package set and the declarations-based nixosSystem.
  cpSync(join(trees.nixpkgsLib, "lib"), join(nixpkgs, "lib"), { recursive: true });
  cpSync(join(projectRoot, "test/eco"), join(nixpkgs, "eco"), { recursive: true });
  writeFileSync(join(nixpkgs, "flake.nix"), `{
  outputs = { self }:
    let
      lib = (import ./lib).extend (final: _: {
        nixosSystem = { system, modules, ... }: (import ./eco/nixos-system.nix { lib = final; inherit system modules; }).nixosSystem;
      });
    in {
      inherit lib;
      legacyPackages = lib.genAttrs [ "x86_64-linux" "aarch64-linux" ] (system: import ./eco/pkgs.nix { inherit lib system; });
    };
}
`);
  for (const attr of ["packages.x86_64-linux.generator", "packages.x86_64-linux.default", "packages.x86_64-linux.runtime-dash", "checks.x86_64-linux.generated-up-to-date", "checks.x86_64-linux.tests", "checks.x86_64-linux.module-eval"]) {
    const r = spawnSync("nix", ["--extra-experimental-features", "nix-command flakes", "eval", "--raw", "--no-write-lock-file", "--override-input", "nixpkgs", `path:${nixpkgs}`, `path:${src}#${attr}.drvPath`], {
      encoding: "utf8",
      env: { ...process.env, NIX_REMOTE: "" },
      timeout: 300_000,
    });
    assert.is(r.status, 0, `${attr}: ${r.stderr}`);
    assert.match(r.stdout, /^\/nix\/store\/[^/]+\.drv$/, attr);
  }
});

test.run();

/**
 * The NixOS and Home Manager modules, evaluated offline through a
 * builtins-only module stub (test/eco/module-stub.nix): assertions, the files
 * they install, tmpfiles, the Prometheus timer, bars and prompts. Plus: every
 * emitted .nix file and flake.nix parse.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readdirSync } from "node:fs";
import { nixEvalJson, nixInstantiate } from "./helpers/nix.js";
import { projectRoot } from "./helpers/shells.js";

const stub = `${projectRoot}test/eco/module-stub.nix`;
const rev = "0123456789abcdef0123456789abcdef01234567";
const flake = `{ rev = "${rev}"; lastModifiedDate = "20250101000000"; }`;
const nixosBase = `{ networking.hostName = "h1"; users.users.alice.home = "/home/alice"; services.prometheus.exporters.node.enable = true; }`;
const homeBase = `{ home.username = "alice"; xdg.dataHome = "/home/alice/.local/share"; programs.waybar.enable = true; programs.i3status-rust.enable = true; }`;

type Json = Record<string, any>;

function evalModule(module: string, base: string, settings: string, moduleOptions = "{ }"): Json {
  return nixEvalJson(`(import ${stub} { module = ${projectRoot}modules/${module}; base = ${base}; settings = ${settings}; moduleOptions = ${moduleOptions}; }).result`) as Json;
}
const nixos = (provenance: string) => evalModule("nixos.nix", nixosBase, `{ system.provenance = { enable = true; flake = ${flake}; } // ${provenance}; }`);
/** Home Manager 25.05 and later (programs.zsh.initContent) unless told otherwise. */
const home = (provenance: string, moduleOptions = "{ programs.zsh.initContent = { }; }") =>
  evalModule("home-manager.nix", homeBase, `{ home.provenance = { enable = true; flake = ${flake}; } // ${provenance}; }`, moduleOptions);
const failing = (config: Json) => (config.assertions as { assertion: boolean; message: string }[]).filter((a) => !a.assertion).map((a) => a.message);

test("every emitted .nix file and flake.nix parse", () => {
  const files = [...readdirSync(`${projectRoot}modules`).filter((f) => f.endsWith(".nix")).map((f) => `${projectRoot}modules/${f}`), `${projectRoot}flake.nix`];
  assert.ok(files.length >= 5);
  for (const file of files) {
    const result = nixInstantiate(["--parse", file]);
    assert.is(result.status, 0, `${file}: ${result.stderr}`);
  }
});

test("NixOS: metadata, revision, stable library path, log dir via tmpfiles", () => {
  const c = nixos("{ }");
  assert.equal(failing(c), []);
  assert.is(c.system.configurationRevision, rev);
  assert.match(c.environment.etc["nixos-metadata"].text, `GIT_COMMIT='${rev}'\n`);
  assert.match(c.environment.etc["nixos-metadata"].text, "HOSTNAME='h1'\n");
  assert.is(JSON.parse(c.environment.etc["nixos-metadata.json"].text).commit, rev);
  assert.is(c.environment.etc["nixos-provenance/build-status.sh"].source, "/nix/store/stub-nixos-provenance/lib/build-status.sh");
  assert.not.ok("nixos/lib/build-status.sh" in c.environment.etc, "the seed's path is opt-in");
  assert.equal(c.systemd.tmpfiles.settings["10-nixos-provenance"]["/var/log/nixos-builds"].d, { user: "root", group: "wheel", mode: "2770" });
  assert.not.ok(c.systemd.services, "no metrics service unless asked");
});

test("NixOS: legacy library path, dash and a custom log dir are options", () => {
  const c = nixos(`{ legacyLibraryPath = true; useDash = true; logDir = "/srv/builds"; logDirGroup = "users"; }`);
  assert.equal(failing(c), []);
  assert.is(c.environment.etc["nixos/lib/build-status.sh"].source, "/nix/store/stub-nixos-provenance-dash/lib/build-status.sh");
  assert.equal(c.environment.systemPackages, ["/nix/store/stub-nixos-provenance-dash"]);
  assert.is(c.environment.variables.NIXOS_PROVENANCE_LOG_DIR, "/srv/builds");
  assert.is(c.systemd.tmpfiles.settings["10-nixos-provenance"]["/srv/builds"].d.group, "users");
});

test("NixOS: assertions name the fix", () => {
  const noFlake = evalModule("nixos.nix", nixosBase, `{ system.provenance.enable = true; }`);
  const [message] = failing(noFlake);
  assert.ok(message?.includes("system.provenance = { enable = true; flake = self; inherit inputs; };"), message);
  for (const [settings, want] of [
    [`{ logDirMode = "0777"; }`, "world-writable"],
    [`{ logDirMode = "2772"; }`, "world-writable"],
    [`{ logDir = "var/log/builds"; }`, "absolute path"],
    [`{ logDir = "/var/log/../tmp"; }`, "absolute path"],
    [`{ logDir = "/var/log/my builds"; }`, "absolute path"],
    [`{ prometheus = { enable = true; directory = "relative"; }; }`, "--collector.textfile.directory"],
    [`{ prometheus = { enable = true; user = "bob"; }; }`, "is not a user of this"],
  ] as const) {
    const messages = failing(nixos(settings));
    assert.is(messages.length, 1, `${settings}: ${messages.join(" | ")}`);
    assert.ok(messages[0]!.includes(want), `${settings}: ${messages[0]}`);
  }
  assert.equal(failing(nixos(`{ logDirMode = "2775"; logDir = "/var/log/.hidden-builds"; }`)), []);
});

test("NixOS: the Prometheus timer writes atomically into the textfile directory", () => {
  const c = nixos(`{ prometheus = { enable = true; user = "alice"; interval = "30s"; }; }`);
  assert.equal(failing(c), []);
  const service = c.systemd.services["nixos-provenance-metrics"];
  const dir = "/var/lib/prometheus-node-exporter/textfile-collector";
  assert.match(service.script, `mktemp '${dir}/.nixos-provenance.prom.'XXXXXX`);
  assert.match(service.script, "nixos-build-status --prometheus --log-dir '/var/log/nixos-builds'");
  assert.match(service.script, `mv -f "$tmp" '${dir}/nixos-provenance.prom'`);
  assert.equal(service.environment, { NIXOS_PROVENANCE_LOG_DIR: "/var/log/nixos-builds", USER: "alice", HOME: "/home/alice" });
  assert.is(c.systemd.timers["nixos-provenance-metrics"].timerConfig.OnUnitActiveSec, "30s");
  assert.equal(c.services.prometheus.exporters.node.extraFlags, [`--collector.textfile.directory=${dir}`]);
  assert.is(c.systemd.tmpfiles.settings["10-nixos-provenance"][dir].d.mode, "0755");
});

test("Home Manager: same metadata plus the user, in every generation and in XDG data", () => {
  const c = home("{ }");
  assert.equal(failing(c), []);
  assert.equal(c.home.packages, ["/nix/store/stub-nixos-provenance"]);
  const shell = c.xdg.dataFile["nixos-provenance/home-metadata"].source;
  assert.match(shell.text, `GIT_COMMIT='${rev}'\n`);
  assert.match(shell.text, "HOME_MANAGER_USER='alice'\n");
  assert.match(shell.text, "HOSTNAME='unknown'\n");
  const json = JSON.parse(c.xdg.dataFile["nixos-provenance/home-metadata.json"].source.text);
  assert.is(json.homeManagerUser, "alice");
  assert.is(json.commit, rev);
  assert.match(c.home.extraBuilderCommands, "ln -s /nix/store/stub-nixos-provenance-home-metadata $out/nixos-metadata\n");
  assert.not.ok(c.programs, "no bar or prompt unless asked");
});

test("Home Manager: bars write their config through the fast modes", () => {
  const c = home(`{ bars = { i3blocks.enable = true; waybar = { enable = true; bar = "main"; }; i3status-rust = { enable = true; bar = "top"; interval = 10; }; }; }`);
  assert.equal(failing(c), []);
  const bin = "/nix/store/stub-nixos-provenance/bin/nixos-generation-info";
  assert.match(c.xdg.configFile["i3blocks/nixos-provenance.conf"].text, `command=${bin} --i3blocks\ninterval=5\n`);
  const waybar = JSON.parse(c.xdg.configFile["waybar/nixos-provenance.json"].text);
  assert.equal(waybar["custom/nixos-provenance"], { exec: `${bin} --waybar`, "return-type": "json", interval: 5, tooltip: true });
  assert.is(c.programs.waybar.settings.main["custom/nixos-provenance"].exec, `${bin} --waybar`);
  assert.equal(c.programs["i3status-rust"].bars.top.blocks, [{ block: "custom", command: `${bin} --i3status-rs`, json: true, interval: 10 }]);
  assert.equal(c.xdg.configFile["i3status-rust/nixos-provenance.toml"].source.value, { block: [{ block: "custom", command: `${bin} --i3status-rs`, json: true, interval: 10 }] });
});

test("Home Manager: prompts for bash, zsh, fish and starship", () => {
  const bin = "/nix/store/stub-nixos-provenance-dash/bin/nixos-generation-info";
  const c = home(`{ useDash = true; prompt = { bash.enable = true; zsh.enable = true; fish.enable = true; starship.enable = true; }; }`);
  assert.match(c.programs.bash.initExtra, `set -- "$(${bin} --warning 2>/dev/null)"`);
  assert.match(c.programs.bash.initExtra, `PS1='$(__nixos_provenance_prompt)'"$PS1"`);
  assert.match(c.programs.zsh.initContent, "setopt prompt_subst\n");
  assert.match(c.programs.fish.interactiveShellInit, `set -l text (${bin} --warning 2>/dev/null)`);
  assert.equal(c.programs.starship.settings.custom.nixos_provenance.when, `${bin} --warning >/dev/null 2>&1`);
  const older = home(`{ prompt.zsh.enable = true; }`, "{ programs.zsh = { }; }");
  assert.match(older.programs.zsh.initExtra, "setopt prompt_subst\n", "Home Manager before 25.05: initExtra");
  assert.not.ok("initContent" in older.programs.zsh);
  const short = home(`{ prompt = { mode = "short"; starship.enable = true; }; }`);
  assert.is(short.programs.starship.settings.custom.nixos_provenance.command, "/nix/store/stub-nixos-provenance/bin/nixos-generation-info --short");
  assert.is(short.programs.starship.settings.custom.nixos_provenance.when, true);
});

test("Home Manager: a bar name without the bar's program is refused with the fix", () => {
  const c = evalModule("home-manager.nix", `{ home.username = "alice"; xdg.dataHome = "/d"; programs.waybar.enable = false; programs.i3status-rust.enable = false; }`, `{ home.provenance = { enable = true; flake = ${flake}; bars.waybar = { enable = true; bar = "main"; }; }; }`);
  const messages = failing(c);
  assert.is(messages.length, 1);
  assert.ok(messages[0]!.includes("programs.waybar.enable = true"), messages[0]);
});

test.run();

/**
 * The prompt snippets of the Home Manager module, run for real: the module is
 * evaluated by the real Home Manager (test/helpers/nix.ts), the snippet's store path is
 * pointed at the generated out/bin/nixos-generation-info, and bash, zsh and
 * fish expand their prompt against a fixture machine in and out of sync.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { nixEvalReal, vendorMissing } from "./helpers/nix.js";
import { outBin, projectRoot } from "./helpers/shells.js";
import { Machine } from "./helpers/fixture.js";

const it = vendorMissing() === null ? test : test.skip;

/**
 * Our module's definitions of the prompt options, from the real Home Manager
 * (through test/helpers/nix.ts); the package's store path (never built)
 * replaced by the generated commands.
 */
function snippets(mode: string): { bash: string; zsh: string; fish: string } {
  const r = nixEvalReal(`let
    h = import (hm + "/modules") { pkgs = import (eco + "/pkgs.nix") { inherit lib; }; configuration = {
      imports = [ ${projectRoot}modules/home-manager.nix ];
      home.username = "alice"; home.homeDirectory = "/home/alice"; home.stateVersion = "25.05"; manual.manpages.enable = false;
      home.provenance = { enable = true; flake = { rev = "0123456789abcdef0123456789abcdef01234567"; }; prompt = { mode = "${mode}"; bash.enable = true; zsh.enable = true; fish.enable = true; }; };
    }; };
    ours = opt: lib.concatMapStrings (d: d.value) (builtins.filter (d: d.file == toString ${projectRoot}modules/home-manager.nix) opt.definitionsWithLocations);
  in {
    bin = "\${h.config.home.provenance.package}/bin/nixos-generation-info";
    bash = ours h.options.programs.bash.initExtra;
    zsh = ours h.options.programs.zsh.initContent;
    fish = ours h.options.programs.fish.interactiveShellInit;
  }`);
  if (!r.ok) throw new Error(r.stderr);
  const c = r.value as { bin: string; bash: string; zsh: string; fish: string };
  const real = (s: string) => s.split(c.bin).join(outBin("nixos-generation-info"));
  assert.ok(c.bash.includes(outBin("nixos-generation-info")) || real(c.bash) !== c.bash, "the snippet calls the package's command");
  return { bash: real(c.bash), zsh: real(c.zsh), fish: real(c.fish) };
}

function prompts(m: Machine, mode: string): { bash: string; zsh: string; fish: string } {
  const s = snippets(mode);
  const env = m.env();
  const run = (argv: string[]) => {
    const r = spawnSync(argv[0]!, argv.slice(1), { env, encoding: "utf8", timeout: 20_000 });
    assert.is(r.status, 0, `${argv[0]}: ${r.stderr}`);
    return r.stdout;
  };
  return {
    bash: run(["bash", "-c", `PS1='$ '\n${s.bash}\nprintf '%s' "\${PS1@P}"`]),
    zsh: run(["zsh", "-f", "-c", `PROMPT='%%> '\n${s.zsh}\nprint -rnP -- "$PROMPT"`]),
    fish: run(["fish", "--no-config", "-c", `function fish_prompt; printf '> '; end\n${s.fish}\nfish_prompt`]),
  };
}

it("warning mode: nothing in sync, the warning when the system is out of sync", () => {
  const m = new Machine();
  try {
    m.switchTo(1);
    m.boot(1);
    assert.equal(prompts(m, "warning"), { bash: "$ ", zsh: "%> ", fish: "> " });
    m.addSystem(2);
    m.setProfile(2); // `nixos-rebuild boot`: the newest generation is not running
    const warning = spawnSync(outBin("nixos-generation-info"), ["--warning"], { env: m.env(), encoding: "utf8" });
    assert.is(warning.status, 0);
    const text = warning.stdout.replace(/\n$/, "");
    assert.ok(text.length > 0);
    assert.equal(prompts(m, "warning"), { bash: `${text} $ `, zsh: `${text} %> `, fish: `${text} > ` });
  } finally {
    m.cleanup();
  }
});

it("short mode: always the generation", () => {
  const m = new Machine();
  try {
    m.switchTo(7);
    m.boot(7);
    const short = spawnSync(outBin("nixos-generation-info"), ["--short"], { env: m.env(), encoding: "utf8" }).stdout.replace(/\n$/, "");
    assert.match(short, /^g7@/);
    const got = prompts(m, "short");
    assert.is(got.bash, `${short} $ `);
    assert.is(got.zsh, `${short} %> `);
    assert.is(got.fish, `${short} > `);
  } finally {
    m.cleanup();
  }
});

test.run();

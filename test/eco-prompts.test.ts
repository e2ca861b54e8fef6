/**
 * The prompt snippets of the Home Manager module, run for real: the module is
 * evaluated (through test/eco/module-stub.nix), the snippet's store path is
 * pointed at the generated out/bin/nixos-generation-info, and bash, zsh and
 * fish expand their prompt against a fixture machine in and out of sync.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { nixEvalJson } from "./helpers/nix.js";
import { outBin, projectRoot } from "./helpers/shells.js";
import { Machine } from "./helpers/fixture.js";

const stubBin = "/nix/store/stub-nixos-provenance/bin/nixos-generation-info";

function snippets(mode: string): { bash: string; zsh: string; fish: string } {
  const c = nixEvalJson(`(import ${projectRoot}test/eco/module-stub.nix {
    module = ${projectRoot}modules/home-manager.nix;
    base = { home.username = "alice"; xdg.dataHome = "/d"; };
    moduleOptions = { programs.zsh.initContent = { }; };
    settings.home.provenance = { enable = true; flake = { rev = "0123456789abcdef0123456789abcdef01234567"; }; prompt = { mode = "${mode}"; bash.enable = true; zsh.enable = true; fish.enable = true; }; };
  }).result.programs`) as { bash: { initExtra: string }; zsh: { initContent: string }; fish: { interactiveShellInit: string } };
  const real = (s: string) => s.split(stubBin).join(outBin("nixos-generation-info"));
  return { bash: real(c.bash.initExtra), zsh: real(c.zsh.initContent), fish: real(c.fish.interactiveShellInit) };
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

test("warning mode: nothing in sync, the warning when the system is out of sync", () => {
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

test("short mode: always the generation", () => {
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

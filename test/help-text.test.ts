/**
 * --help is terminal text (issue 8): the schema's Markdown code spans lose
 * their backticks there, and out/doc/commands.md shows the same text.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { plainText } from "../generator/render.js";
import { outBin, projectRoot, runArgv, shells } from "./helpers/shells.js";
import { defaultSchema } from "../generator/schema/index.js";

test("plainText: code spans keep their text, lose their backticks", () => {
  const cases: [string, string][] = [
    ["`g42@abc1234* hm12` (`*` = dirty)", "g42@abc1234* hm12 (* = dirty)"],
    ["``a ` b``", "a ` b"],
    ["no code", "no code"],
    ["`NIXOS_GENERATION_INFO_*=...`, safe", "NIXOS_GENERATION_INFO_*=..., safe"],
    ["a lone ` stays", "a lone ` stays"],
  ];
  for (const [given, want] of cases) assert.is(plainText(given), want, given);
});

for (const command of defaultSchema.commands.map((c) => c.name)) {
  test(`${command} --help: no Markdown backticks, under every shell; the docs show the same text`, () => {
    for (const shell of shells) {
      const r = runArgv([...shell.argv, outBin(command), "--help"], { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LC_ALL: "C.UTF-8" } });
      assert.is(r.status, 0, `${shell.name}: ${r.stderr}`);
      assert.match(r.stdout, `Usage: ${command}`);
      assert.not.match(r.stdout, "`", `${shell.name}: a backtick in --help`);
    }
    const help = runArgv(["dash", outBin(command), "--help"], { env: { PATH: process.env.PATH ?? "/usr/bin:/bin" } }).stdout;
    assert.ok(readFileSync(`${projectRoot}out/doc/commands.md`, "utf8").includes(help.trimEnd()), "out/doc/commands.md holds the --help text");
  });
}

test.run();

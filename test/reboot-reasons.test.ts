/**
 * Why a reboot is needed (issue 9): nixos-generation-info compares the
 * booted and the running system's kernel, initrd, kernel modules, kernel
 * parameters, systemd and firmware, under the whole shell matrix.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Machine } from "./helpers/fixture.js";
import { runMatrix } from "./helpers/matrix.js";
import { loadSchema, validate } from "./helpers/json-schema.js";

const CMD = "nixos-generation-info";
const env = { env: { NIXOS_PROVENANCE_NO_CACHE: "1" } };

function booted(options: Parameters<Machine["switchTo"]>[1]): Machine {
  const m = new Machine({ rootName: "nixprov reboot " });
  m.switchTo(1);
  m.boot(1);
  m.switchTo(2, options);
  return m;
}

const cases: [string, Parameters<Machine["switchTo"]>[1], string[]][] = [
  ["nothing a reboot changes", {}, []],
  ["kernel (with its initrd and modules)", { kernel: "6.12.1" }, ["kernel", "initrd", "kernel-modules"]],
  ["initrd only", { initrd: "luks" }, ["initrd"]],
  ["kernel parameters", { kernelParams: "loglevel=4 quiet" }, ["kernel-params"]],
  ["systemd", { systemd: "256.1" }, ["systemd"]],
  ["firmware", { firmware: "linux-firmware-2025" }, ["firmware"]],
];

for (const [what, options, reasons] of cases) {
  test(`reboot reasons: ${what}`, () => {
    const m = booted(options);
    try {
      const doc = JSON.parse(runMatrix(m, CMD, ["--json"], env).stdout) as Record<string, unknown>;
      assert.equal(validate(doc, loadSchema("GenerationInfo")), []);
      assert.equal(doc.rebootReasons, reasons);
      assert.is(doc.needsReboot, reasons.length > 0);
      const r = runMatrix(m, CMD, ["--reboot"], env);
      assert.equal([r.status, r.stdout, r.stderr], reasons.length ? [0, reasons.map((x) => `${x}\n`).join(""), ""] : [1, "", ""]);
      const human = runMatrix(m, CMD, [], env).stdout;
      const tooltip = (JSON.parse(runMatrix(m, CMD, ["--waybar"], env).stdout) as Record<string, string>).tooltip;
      if (reasons.length) {
        assert.match(human, `Booted:        g1 (reboot needed: ${reasons.join(", ")} changed)\n`);
        assert.match(tooltip!, `Reboot needed (booted g1): ${reasons.join(", ")}`);
      } else {
        assert.not.match(human, "reboot needed");
        assert.not.match(tooltip!, "Reboot");
      }
    } finally {
      m.cleanup();
    }
  });
}

test("reboot reasons: none when running the booted system, or without /run/booted-system", () => {
  const m = booted({ kernel: "6.12.1" });
  try {
    m.boot(2);
    assert.equal((JSON.parse(runMatrix(m, CMD, ["--json"], env).stdout) as Record<string, unknown>).rebootReasons, []);
    m.removeRun("booted-system");
    assert.is(runMatrix(m, CMD, ["--reboot"], env).status, 1);
  } finally {
    m.cleanup();
  }
});

test.run();

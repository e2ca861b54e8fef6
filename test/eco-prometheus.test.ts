/**
 * Prometheus metrics: prov_prometheus_report (templates/sh/parts/prometheus.sh)
 * run under the shell matrix against a fixture machine, held to the metric
 * table (generator/schema/metrics.ts), checked by promtool, and scraped for
 * real from a prometheus-node-exporter started on 127.0.0.1 with the
 * textfile collector pointed at its output.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, writeFileSync, rmSync, mkdirSync, renameSync, readFileSync, lutimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { spawn, spawnSync } from "node:child_process";
import { buildModel, generateFiles } from "../generator/generate.js";
import { rebootReasons, resolveMetrics } from "../generator/schema/metrics.js";
import { Machine, defaultMetadata } from "./helpers/fixture.js";
import { acrossShells, outBin, outLib, runArgv, runCommand, shells } from "./helpers/shells.js";
import { freePort } from "./helpers/net.js";

/** A script that sources the parts the report needs from LIBDIR and prints the report. */
function harness(libdir: string): string {
  const dir = mkdtempSync(join(tmpdir(), "eco-prom-"));
  const file = join(dir, "metrics.sh");
  const parts = ["core", "schema", "metadata", "json", "generations", "records", "prometheus"];
  writeFileSync(file, `${parts.map((p) => `. '${libdir}/nixos-provenance/${p}.sh'`).join("\n")}\nprov_prometheus_report "$1"\n`);
  return file;
}
const script = harness(dirname(outLib));
test.after(() => rmSync(join(script, ".."), { recursive: true, force: true }));
const table = resolveMetrics(buildModel().fields);

const hostileHost = 'h"o\\st\nline2 ✓';
function machine(): { m: Machine; logDir: string } {
  const m = new Machine();
  m.switchTo(1);
  m.boot(1);
  m.switchTo(2, { metadata: defaultMetadata(2, { HOSTNAME: hostileHost }), kernel: "6.7.1" }); // booted 1 runs the old kernel
  m.addSystem(3);
  m.setProfile(3); // built with `boot`: the newest generation is not running
  m.addHome(1);
  m.addHome(2);
  const logDir = join(m.root, "logs");
  mkdirSync(logDir);
  writeFileSync(
    join(logDir, "last-build.json"),
    JSON.stringify({
      buildStart: "2025-11-14T15:30:00+01:00",
      // The nested snapshot has keys the scanner must not take for the record's.
      preGeneration: { success: false, buildEnd: "1999-01-01T00:00:00Z", note: 'a "quoted" }{ string' },
      buildEnd: "2025-11-14T15:32:15+01:00",
      buildDuration: 135,
      exitCode: 0,
      success: true,
    }, null, 2),
  );
  return { m, logDir };
}

/** The report without its one time-dependent sample (when it was written), for comparing runs. */
const timeless = (text: string) => text.replace(/^nixos_provenance_report_timestamp_seconds \d+$/m, "nixos_provenance_report_timestamp_seconds T");

function metrics(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    out.set(line.slice(0, at), line.slice(at + 1));
  }
  return out;
}

/** The label names of one sample line's series (values are not needed here). */
function labelNames(series: string): string[] {
  const open = series.indexOf("{");
  if (open < 0) return [];
  return [...series.slice(open + 1, -1).matchAll(/([a-z_]+)="(?:[^"\\]|\\.)*"/g)].map((m) => m[1]!);
}

/** The info sample's labels, unescaped, in order. */
function infoLabels(text: string): [string, string][] {
  const line = text.split("\n").find((l) => l.startsWith("nixos_provenance_info{"))!;
  const body = line.slice(line.indexOf("{") + 1, line.lastIndexOf("}"));
  return [...body.matchAll(/([a-z_]+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c))]);
}

test("prov_prometheus_report: the same metrics under every shell, values from the machine", () => {
  const { m, logDir } = machine();
  try {
    const results = acrossShells((shell) => runArgv([...shell.argv, script, logDir], { env: m.env() }));
    const first = results.get(shells[0]!.name)!;
    for (const [name, r] of results) {
      assert.is(r.stderr, "", `${name} stderr`);
      assert.is(r.status, 0, name);
      assert.is(timeless(r.stdout), timeless(first.stdout), `${name} output equals ${shells[0]!.name}'s`);
    }
    const got = metrics(first.stdout);
    assert.is(got.get("nixos_provenance_current_generation"), "2");
    assert.is(got.get("nixos_provenance_latest_generation"), "3");
    assert.is(got.get("nixos_provenance_booted_generation"), "1");
    assert.is(got.get("nixos_provenance_in_sync"), "0");
    assert.is(got.get("nixos_provenance_needs_reboot"), "1");
    assert.is(got.get('nixos_provenance_needs_reboot_reason{reason="kernel"}'), "1");
    assert.is(got.get('nixos_provenance_needs_reboot_reason{reason="initrd"}'), "1");
    assert.is(got.get('nixos_provenance_needs_reboot_reason{reason="kernel-modules"}'), "1");
    // Every reason of the table has a sample; what did not change is 0.
    for (const reason of ["kernel-params", "systemd", "firmware"]) assert.is(got.get(`nixos_provenance_needs_reboot_reason{reason="${reason}"}`), "0", reason);
    assert.is(got.get('nixos_provenance_home_manager_generation{user="alice"}'), "2");
    assert.is(got.get('nixos_provenance_home_manager_latest_generation{user="alice"}'), "2");
    assert.is(got.get('nixos_provenance_home_manager_in_sync{user="alice"}'), "1");
    assert.is(got.get("nixos_provenance_last_build_success"), "1");
    assert.is(got.get("nixos_provenance_last_build_exit_code"), "0");
    assert.is(got.get("nixos_provenance_last_build_duration_seconds"), "135");
    assert.is(got.get("nixos_provenance_last_build_timestamp_seconds"), String(Date.parse("2025-11-14T15:32:15+01:00") / 1000));
    const now = Date.now() / 1000;
    const reported = Number(got.get("nixos_provenance_report_timestamp_seconds"));
    assert.ok(Math.abs(reported - now) < 60, `report time ${reported} is now (${now})`);
    // The running system's link was made by the fixture's activate(): its time is the activation.
    const activated = Number(got.get("nixos_provenance_activated_timestamp_seconds"));
    assert.ok(activated <= reported && reported - activated < 60, `activated ${activated}`);
    const meta = defaultMetadata(2);
    assert.equal(infoLabels(first.stdout), [
      ["host", hostileHost], ["system", "x86_64-linux"], ["commit", meta.GIT_COMMIT!], ["short_commit", meta.GIT_SHORT_COMMIT!],
      ["dirty", "false"], ["source_url", meta.GIT_SOURCE_URL!], ["nixos_version", "24.05.20240101.abcdef2"],
      ["nixpkgs_rev", meta.NIXPKGS_REV!], ["home_manager_rev", meta.HOME_MANAGER_REV!],
    ]);
  } finally {
    m.cleanup();
  }
});

test("the report prints exactly the metric table: names, HELP, TYPE and label names", () => {
  const { m, logDir } = machine();
  try {
    const text = runArgv(["dash", script, logDir], { env: m.env() }).stdout;
    const helps = [...text.matchAll(/^# HELP (\S+) (.*)$/gm)].map((x) => [x[1]!, x[2]!]);
    assert.equal(helps, table.map((t) => [t.name, t.help]), "HELP lines in table order");
    const types = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((x) => [x[1]!, x[2]!]);
    assert.equal(types, table.map((t) => [t.name, t.type]));
    for (const [series] of metrics(text)) {
      const name = series.replace(/\{.*/, "");
      const spec = table.find((t) => t.name === name);
      assert.ok(spec, `${name} is in the table`);
      assert.equal(labelNames(series), spec!.labels.map((l) => l.name), series);
      for (const label of spec!.labels.filter((l) => l.values)) {
        const value = new RegExp(`${label.name}="([^"]*)"`).exec(series)?.[1];
        assert.ok(label.values!.includes(value!), `${series}: ${label.name} is one of ${label.values}`);
      }
    }
  } finally {
    m.cleanup();
  }
});

test("reboot reasons: the metric reports prov_sys_reboot_reasons (what nixos-generation-info says), one sample per reason of the table", () => {
  // Each case: what differs between the booted generation 1 and the running 2.
  const cases: [string, Parameters<Machine["switchTo"]>[1]][] = [
    ["kernel parameters only", { kernelParams: "loglevel=4 quiet" }],
    ["systemd only", { systemd: "256.1" }],
    ["firmware only", { firmware: "2025-01" }],
    ["all six", { kernel: "6.9.0", kernelParams: "quiet", systemd: "256.1", firmware: "2025-01" }],
    ["nothing a reboot would change", {}],
  ];
  for (const [what, options] of cases) {
    const m = new Machine();
    try {
      m.switchTo(1);
      m.boot(1);
      m.switchTo(2, options);
      const text = runArgv(["dash", script, join(m.root, "none")], { env: m.env() }).stdout;
      const samples = [...text.matchAll(/^nixos_provenance_needs_reboot_reason\{reason="([^"]*)"\} (\d)$/gm)].map((x) => [x[1]!, x[2]!]);
      assert.equal(samples.map(([r]) => r), [...rebootReasons], `${what}: one sample per reason of the table, in its order`);
      const runtime = (JSON.parse(runArgv(["dash", outBin("nixos-generation-info"), "--json"], { env: m.env() }).stdout) as { rebootReasons: string[] }).rebootReasons;
      if (what === "all six") assert.equal(runtime, [...rebootReasons], "the runtime reports every reason of the table");
      for (const reason of runtime) assert.ok((rebootReasons as readonly string[]).includes(reason), `${what}: the table lists the runtime's reason ${reason}`);
      assert.equal(samples.filter(([, v]) => v === "1").map(([r]) => r), runtime, `${what}: 1 exactly for the runtime's reasons`);
      assert.is(metrics(text).get("nixos_provenance_needs_reboot"), runtime.length ? "1" : "0", what);
    } finally {
      m.cleanup();
    }
  }
});

test("activated time: the newest activation of the running store path in the activation history, else the link time", () => {
  const m = new Machine();
  try {
    m.switchTo(1);
    m.switchTo(2);
    m.boot(1);
    const linkTime = 1600000000;
    const stateDir = join(m.root, "var/lib/nixos-provenance");
    const history = join(stateDir, "activation-history.json");
    mkdirSync(stateDir, { recursive: true });
    // Records written by the real activation command: 2 (switch), 1 (test), 2 (switch), 1 (test).
    for (const [n, action] of [[2, "switch"], [1, "test"], [2, "switch"], [1, "test"]] as const) {
      const r = runArgv(["dash", outBin("nixos-provenance-activate"), "--system", m.storePath(n)], { env: m.env({ NIXOS_ACTION: action }) });
      assert.is(r.status, 0, r.stderr);
    }
    m.activate(2);
    lutimesSync(join(m.root, "run/current-system"), linkTime, linkTime);
    // Distinct times, oldest first, in the file's own layout (one record a line).
    const records = (JSON.parse(readFileSync(history, "utf8")) as Record<string, unknown>[]).map((r, i): Record<string, unknown> => ({ ...r, timestamp: 1700000000 + i * 1000 }));
    assert.is(records.length, 4);
    assert.is(records[2]!.storePath, m.systemStorePath(2));
    const write = (recs: Record<string, unknown>[]) => writeFileSync(history, `[\n${recs.map((r) => JSON.stringify(r)).join(",\n")}\n]\n`);
    const activated = (shell: string[] = ["dash"], env: Record<string, string> = {}) =>
      metrics(runArgv([...shell, script, join(m.root, "none")], { env: m.env(env), timeout: 20_000 }).stdout).get("nixos_provenance_activated_timestamp_seconds");
    write(records);
    const results = acrossShells((shell) => runArgv([...shell.argv, script, join(m.root, "none")], { env: m.env() }));
    for (const [name, r] of results) assert.is(metrics(r.stdout).get("nixos_provenance_activated_timestamp_seconds"), String(records[2]!.timestamp), `${name}: the newest record of generation 2's store path`);
    // The state directory from the environment, as nixos-metadata history takes it.
    const elsewhere = join(m.root, "elsewhere");
    mkdirSync(elsewhere);
    writeFileSync(join(elsewhere, "activation-history.json"), `[\n${JSON.stringify(records[0])}\n]\n`);
    assert.is(activated(["dash"], { NIXOS_PROVENANCE_STATE_DIR: elsewhere }), String(records[0]!.timestamp));
    // No record of the running store path: the link time.
    write([records[1]!, records[3]!]);
    assert.is(activated(), String(linkTime), "only generation 1 recorded");
    // No history, not a history, too large to read, a FIFO (never opened): the link time.
    rmSync(history);
    assert.is(activated(), String(linkTime), "no history");
    writeFileSync(history, `{"timestamp":1,"storePath":"${m.systemStorePath(2)}"}\n`);
    assert.is(activated(), String(linkTime), "not a history");
    write(records);
    writeFileSync(history, " ".repeat(17 * 1024 * 1024), { flag: "a" });
    assert.is(activated(), String(linkTime), "over the bound");
    rmSync(history);
    assert.is(spawnSync("mkfifo", [history]).status, 0);
    assert.is(activated(["busybox", "sh"]), String(linkTime), "a FIFO");
  } finally {
    m.cleanup();
  }
});

test("every tracked input of the schema becomes an info label (sops-nix -> sops_nix_rev)", () => {
  const dir = mkdtempSync(join(tmpdir(), "eco-prom-tracked-"));
  const m = new Machine();
  try {
    const config = join(dir, "provenance.yaml");
    writeFileSync(config, "trackedInputs:\n  - sops-nix\n  - disko\n");
    for (const file of generateFiles(config).filter((f) => f.path.startsWith("out/lib/"))) {
      mkdirSync(dirname(join(dir, file.path)), { recursive: true });
      writeFileSync(join(dir, file.path), file.content);
    }
    const tracked = harness(join(dir, "out/lib"));
    m.switchTo(1, { metadata: defaultMetadata(1, { SOPS_NIX_REV: "5050505050505050505050505050505050505050", DISKO_REV: "d15c0d15c0d15c0d15c0d15c0d15c0d15c0d15c" }) });
    const r = runArgv(["dash", tracked, join(m.root, "none")], { env: m.env() });
    assert.is(r.stderr, "");
    const labels = Object.fromEntries(infoLabels(r.stdout));
    assert.is(labels.sops_nix_rev, "5050505050505050505050505050505050505050");
    assert.is(labels.disko_rev, "d15c0d15c0d15c0d15c0d15c0d15c0d15c0d15c");
    const trackedTable = resolveMetrics(buildModel(config).fields).find((t) => t.name === "nixos_provenance_info")!;
    assert.equal(infoLabels(r.stdout).map(([k]) => k), trackedTable.labels.map((l) => l.name));
    rmSync(join(tracked, ".."), { recursive: true, force: true });
  } finally {
    m.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("prov_prometheus_report: unknown values are absent, not zero", () => {
  const m = new Machine();
  try {
    const r = runArgv(["dash", script, join(m.root, "no-logs")], { env: m.env() });
    assert.is(r.status, 0);
    const got = metrics(r.stdout);
    for (const name of ["current_generation", "latest_generation", "in_sync", "needs_reboot", "needs_reboot_reason", "activated_timestamp_seconds", "home_manager_generation", "home_manager_in_sync", "last_build_success", "last_build_timestamp_seconds"]) {
      assert.not.ok([...got.keys()].some((k) => k.replace(/\{.*/, "") === `nixos_provenance_${name}`), name);
      assert.match(r.stdout, `# TYPE nixos_provenance_${name} gauge\n`);
    }
    assert.is(got.get('nixos_provenance_info{host="unknown",system="unknown",commit="unknown",short_commit="unknown",dirty="unknown",source_url="unknown",nixos_version="unknown",nixpkgs_rev="unknown",home_manager_rev="unknown"}'), "1", r.stdout);
  } finally {
    m.cleanup();
  }
});

test("the build record's end time is converted for every offset form", () => {
  const m = new Machine();
  try {
    for (const end of ["2024-02-29T23:59:59Z", "1970-01-01T00:00:00+00:00", "2031-12-31T01:02:03.456-05:30", "2000-03-01T00:00:00+0200"]) {
      writeFileSync(join(m.root, "last-build.json"), JSON.stringify({ buildEnd: end, success: false, exitCode: 1, buildDuration: 7 }));
      const r = runArgv(["busybox", "sh", script, m.root], { env: m.env() });
      const got = metrics(r.stdout);
      assert.is(got.get("nixos_provenance_last_build_timestamp_seconds"), String(Math.floor(Date.parse(end) / 1000)), end);
      assert.is(got.get("nixos_provenance_last_build_success"), "0");
    }
  } finally {
    m.cleanup();
  }
});

test("promtool check metrics accepts the output", () => {
  const { m, logDir } = machine();
  try {
    const r = runArgv(["dash", script, logDir], { env: m.env() });
    const check = spawnSync("promtool", ["check", "metrics"], { input: r.stdout, encoding: "utf8", timeout: 30_000 });
    assert.is(check.status, 0, check.stdout + check.stderr);
    assert.is((check.stdout + check.stderr).trim(), "", "no lint findings");
    // And the check can fail: a broken exposition is refused.
    const bad = spawnSync("promtool", ["check", "metrics"], { input: "# TYPE x gauge\nx{a=\"unterminated} 1\n", encoding: "utf8", timeout: 30_000 });
    assert.is.not(bad.status, 0);
  } finally {
    m.cleanup();
  }
});

test("nixos-build-status --prometheus prints exactly the report, under every shell, and promtool accepts it", () => {
  const { m, logDir } = machine();
  try {
    const want = runArgv(["dash", script, logDir], { env: m.env() }).stdout;
    assert.match(want, "nixos_provenance_current_generation 2\n");
    const results = acrossShells((shell) => runCommand(shell, "nixos-build-status", ["--prometheus", "--log-dir", logDir], { env: m.env() }));
    for (const [name, r] of results) {
      assert.is(r.stderr, "", `${name} stderr`);
      assert.is(r.status, 0, name);
      assert.is(timeless(r.stdout), timeless(want), name);
    }
    const check = spawnSync("promtool", ["check", "metrics"], { input: want, encoding: "utf8", timeout: 30_000 });
    assert.is(check.status, 0, check.stdout + check.stderr);
    // The log directory also comes from the environment, as the NixOS module sets it.
    const fromEnv = runArgv(["dash", outBin("nixos-build-status"), "--prometheus"], { env: m.env({ NIXOS_PROVENANCE_LOG_DIR: logDir }) });
    assert.is(timeless(fromEnv.stdout), timeless(want));
  } finally {
    m.cleanup();
  }
});

test("a real node-exporter serves the metrics from its textfile directory", async () => {
  const { m, logDir } = machine();
  const textfiles = join(m.root, "textfile-collector");
  mkdirSync(textfiles);
  // What the NixOS module's timer does: write beside the target, then rename.
  const r = runArgv(["dash", outBin("nixos-build-status"), "--prometheus", "--log-dir", logDir], { env: m.env() });
  assert.is(r.status, 0, r.stderr);
  writeFileSync(join(textfiles, ".nixos-provenance.prom.tmp"), r.stdout);
  renameSync(join(textfiles, ".nixos-provenance.prom.tmp"), join(textfiles, "nixos-provenance.prom"));
  const port = await freePort();
  const exporter = spawn("prometheus-node-exporter", [
    `--web.listen-address=127.0.0.1:${port}`,
    "--collector.disable-defaults",
    "--collector.textfile",
    `--collector.textfile.directory=${textfiles}`,
  ], { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  exporter.stderr.on("data", (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
  try {
    let body = "";
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(2000) });
        if (response.ok) {
          body = await response.text();
          break;
        }
      } catch {
        // not listening yet
      }
      await new Promise((done) => setTimeout(done, 100));
    }
    assert.ok(body, `node-exporter answered on 127.0.0.1:${port}\n${log}`);
    const got = metrics(body);
    assert.is(got.get("nixos_provenance_current_generation"), "2", body);
    assert.is(got.get("nixos_provenance_last_build_duration_seconds"), "135");
    assert.ok([...got.keys()].some((k) => k.startsWith("nixos_provenance_info{") && k.includes('host="h\\"o\\\\st\\nline2 ✓"')), "info with the escaped host");
    // node-exporter reports a file it could not parse; ours parsed.
    assert.is(got.get("node_textfile_scrape_error"), "0");
  } finally {
    exporter.kill("SIGKILL");
    m.cleanup();
  }
});

test.run();

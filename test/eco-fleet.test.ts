/**
 * The fleet layer on real components, on 127.0.0.1 only: three fake hosts
 * (fixture trees: in sync / dirty, behind and waiting for a reboot / failed
 * last build) write their metrics with the real `nixos-build-status
 * --prometheus`; three prometheus-node-exporters serve them from textfile
 * directories; one real Prometheus scrapes them every second with the
 * shipped alert rules loaded. Then: nixos-fleet-status against it (every
 * shell, both HTTP clients, JSON, selectors, errors), every dashboard and
 * rule expression, and which alerts are pending or firing. Everything
 * started here is killed and removed, whatever happens.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn, type ChildProcess } from "node:child_process";
import { parse } from "yaml";
import { Machine, defaultMetadata } from "./helpers/fixture.js";
import { acrossShells, outBin, projectRoot, runArgv, runCommand } from "./helpers/shells.js";
import { alertsPath } from "../generator/emitters/metrics.js";
import { dashboardQueries } from "../generator/emitters/grafana.js";
import { alertRules } from "../generator/schema/metrics.js";
import { buildModel } from "../generator/generate.js";
import { resolveModel } from "../generator/model.js";
import { defaultSchema } from "../generator/schema/index.js";
import { freePort } from "./helpers/net.js";
const monitoring = resolveModel(defaultSchema).monitoring;

const exit = buildModel().command["nixos-fleet-status"]!.exit;
const work = mkdtempSync(join(tmpdir(), "eco-fleet-"));
const children: ChildProcess[] = [];
const logs = new Map<ChildProcess, string>();
const machines: Machine[] = [];

function cleanup(): void {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  for (const m of machines) m.cleanup();
  rmSync(work, { recursive: true, force: true });
}
process.on("exit", cleanup);
test.after(cleanup);

function start(command: string, args: string[]): ChildProcess {
  const child = spawn(command, args, { stdio: ["ignore", "ignore", "pipe"], cwd: work });
  children.push(child);
  logs.set(child, "");
  child.stderr!.on("data", (chunk: Buffer) => logs.set(child, (logs.get(child)! + chunk.toString()).slice(-4000)));
  return child;
}

const commitMain = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";
const commitOld = "0badc0de0badc0de0badc0de0badc0de0badc0de";

interface Host { name: string; machine: Machine; port: number; instance: string }

function record(m: Machine, success: boolean): string {
  const logDir = join(m.root, "logs");
  mkdirSync(logDir);
  writeFileSync(join(logDir, "last-build.json"), JSON.stringify({
    buildStart: new Date(Date.now() - 7335_000).toISOString(), buildEnd: new Date(Date.now() - 7200_000).toISOString(), buildDuration: 135, exitCode: success ? 0 : 1, success,
  }));
  return logDir;
}

/** The three hosts, as nixos-rebuild would have left them. */
/** What beta's booted and running systems differ in, in the metric table's order (generator/schema/metrics.ts rebootReasons). */
const betaReasons = ["kernel", "initrd", "kernel-modules", "kernel-params", "firmware"];

function makeHosts(): { name: string; machine: Machine; logDir: string }[] {
  const meta = (n: number, host: string, commit: string, dirty = false) =>
    defaultMetadata(n, { HOSTNAME: host, GIT_COMMIT: commit, GIT_SHORT_COMMIT: commit.slice(0, 7), GIT_DIRTY: String(dirty), GIT_SOURCE_URL: `https://github.com/owner/fleet/tree/${commit}` });
  const alpha = new Machine({ rootName: "fleet-alpha-" });
  alpha.switchTo(1, { metadata: meta(1, "alpha", commitOld) });
  alpha.switchTo(2, { metadata: meta(2, "alpha", commitMain) });
  alpha.boot(2);
  alpha.addHome(1);
  const beta = new Machine({ rootName: "fleet-beta-" });
  beta.switchTo(1, { metadata: meta(1, "beta", commitOld) });
  beta.boot(1);
  // Booted 1 differs from the running 2 in five of the six reboot reasons (systemd is the same).
  beta.switchTo(2, { metadata: meta(2, "beta", commitOld, true), kernel: "6.7.1", kernelParams: "loglevel=4 quiet", firmware: "2025-01" });
  beta.addSystem(3, { metadata: meta(3, "beta", commitMain) });
  beta.setProfile(3); // `nixos-rebuild boot`: built, not running
  beta.addHome(1);
  beta.addHome(2, { activate: false }); // Home Manager built, not activated
  const gamma = new Machine({ rootName: "fleet-gamma-" });
  gamma.switchTo(4, { metadata: meta(4, "gamma", commitMain) });
  gamma.boot(4);
  gamma.addHome(7);
  machines.push(alpha, beta, gamma);
  return [
    { name: "alpha", machine: alpha, logDir: record(alpha, true) },
    { name: "beta", machine: beta, logDir: record(beta, true) },
    { name: "gamma", machine: gamma, logDir: record(gamma, false) },
  ];
}

async function get(url: string): Promise<any> {
  const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
  return response.json();
}

async function query(base: string, expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const body = await get(`${base}/api/v1/query?query=${encodeURIComponent(expr)}`);
  if (body.status !== "success") throw new Error(`${expr}: ${JSON.stringify(body)}`);
  return body.data.result;
}

async function until<T>(what: string, deadline: number, fn: () => Promise<T | undefined>, log: () => string): Promise<T> {
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const got = await fn();
      if (got !== undefined) return got;
    } catch (error) {
      last = error;
    }
    await new Promise((done) => setTimeout(done, 200));
  }
  throw new Error(`timed out waiting for ${what} (${String(last ?? "")})\n${log()}`);
}

let hosts: Host[] = [];
let prometheus = "";

test.before(async () => {
  const deadline = Date.now() + 20_000;
  const made = makeHosts();
  for (const h of made) {
    const dir = join(work, `textfile-${h.name}`);
    mkdirSync(dir);
    const r = runArgv(["dash", outBin("nixos-build-status"), "--prometheus", "--log-dir", h.logDir], { env: h.machine.env() });
    if (r.status !== 0) throw new Error(`${h.name}: nixos-build-status --prometheus: ${r.stderr}`);
    // As the NixOS module's timer writes it: beside the target, then renamed.
    writeFileSync(join(dir, ".nixos-provenance.prom.tmp"), r.stdout);
    renameSync(join(dir, ".nixos-provenance.prom.tmp"), join(dir, "nixos-provenance.prom"));
    const port = await freePort();
    start("prometheus-node-exporter", [`--web.listen-address=127.0.0.1:${port}`, "--collector.disable-defaults", "--collector.textfile", `--collector.textfile.directory=${dir}`]);
    hosts.push({ name: h.name, machine: h.machine, port, instance: `127.0.0.1:${port}` });
  }
  const port = await freePort();
  const config = join(work, "prometheus.yml");
  writeFileSync(config, JSON.stringify({
    global: { scrape_interval: "1s", evaluation_interval: "1s" },
    rule_files: [join(projectRoot, alertsPath)],
    scrape_configs: [{ job_name: "node", static_configs: [{ targets: hosts.map((h) => h.instance) }] }],
  }));
  const server = start("prometheus", [`--config.file=${config}`, `--storage.tsdb.path=${join(work, "tsdb")}`, `--web.listen-address=127.0.0.1:${port}`, "--log.level=warn"]);
  prometheus = `http://127.0.0.1:${port}`;
  const log = () => [...logs.values()].join("\n");
  // Every target scraped, and the rules evaluated at least once on the scraped series.
  await until("three scraped hosts", deadline, async () => ((await query(prometheus, "count(nixos_provenance_info)"))[0]?.value[1] === "3" ? true : undefined), log);
  await until("the rules evaluated", deadline, async () => {
    const alerts = (await get(`${prometheus}/api/v1/alerts`)).data.alerts as unknown[];
    return alerts.length >= 5 ? true : undefined;
  }, () => `${log()}\nprometheus exited: ${server.exitCode}`);
});

const host = (name: string) => hosts.find((h) => h.name === name)!;

test("nixos-fleet-status: one row per host, grouped by commit, exit 1 (behind, dirty, failing), same under every shell", () => {
  const results = acrossShells((shell) => runCommand(shell, "nixos-fleet-status", ["--prometheus", prometheus], { env: { PATH: process.env.PATH!, LC_ALL: "C.UTF-8" } }));
  const first = [...results.values()][0]!;
  process.stdout.write(`\n$ nixos-fleet-status --prometheus ${prometheus}\n${first.stdout}`);
  for (const [name, r] of results) {
    assert.is(r.stderr, "", name);
    assert.is(r.status, exit.attention!.code, name);
    assert.is(r.stdout.replace(/ +\d+s\b/g, " Ns"), first.stdout.replace(/ +\d+s\b/g, " Ns"), `${name} prints what the others print`);
  }
  const lines = first.stdout.split("\n");
  assert.match(lines[0]!, /^COMMIT +HOST +INSTANCE +GENERATION +IN SYNC +REBOOT +LAST BUILD +METRICS AGE$/);
  // alpha and gamma share the main commit: one group of two (first), then beta's dirty old commit.
  const row = (name: string) => lines.find((l) => l.includes(` ${name} `) || l.startsWith(`${name} `))!;
  assert.match(lines[1]!, new RegExp(`^${commitMain.slice(0, 7)} +alpha +${host("alpha").instance} +2 +yes +no +ok, `));
  assert.match(lines[2]!, new RegExp(`^ +gamma +${host("gamma").instance} +4 +yes +no +FAILED \\(exit 1\\), `));
  assert.is(lines[3], "", "a blank line between commit groups");
  assert.match(row("beta"), new RegExp(`^${commitOld.slice(0, 7)}-dirty +beta +${host("beta").instance} +2 \\(newest 3\\) +BEHIND +yes: ${betaReasons.join(",")} +ok, `));
  // Columns line up: every row's INSTANCE starts where the header's does.
  const at = lines[0]!.indexOf("INSTANCE");
  for (const name of ["alpha", "beta", "gamma"]) assert.is(row(name).indexOf("127.0.0.1:"), at, name);
  assert.match(first.stdout, "\n3 hosts, 2 commits: 1 behind, 1 dirty, 1 failing\n");
});

test("nixos-fleet-status --json: the FleetStatus document; wget gives the same answer as curl", () => {
  const env = { PATH: process.env.PATH!, LC_ALL: "C.UTF-8" };
  const r = runArgv(["dash", outBin("nixos-fleet-status"), "--prometheus", `${prometheus}/`, "--json"], { env });
  assert.is(r.status, exit.attention!.code, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.is(doc.prometheus, prometheus);
  assert.equal([doc.commits, doc.behind, doc.dirty, doc.failing], [2, 1, 1, 1]);
  assert.equal(doc.hosts.map((h: any) => h.host), ["alpha", "gamma", "beta"]);
  const beta = doc.hosts[2];
  assert.equal(
    [beta.instance, beta.job, beta.commit, beta.dirty, beta.generation, beta.latestGeneration, beta.bootedGeneration, beta.inSync, beta.needsReboot, beta.rebootReasons, beta.attention],
    [host("beta").instance, "node", commitOld, true, 2, 3, 1, false, true, betaReasons, ["behind", "dirty"]],
  );
  const gamma = doc.hosts[1];
  assert.equal([gamma.lastBuildSuccess, gamma.lastBuildExitCode, gamma.attention, gamma.sourceUrl], [false, 1, ["build-failed"], `https://github.com/owner/fleet/tree/${commitMain}`]);
  assert.ok(doc.hosts.every((h: any) => h.metricsAgeSeconds >= 0 && h.metricsAgeSeconds < 120), "metrics ages");
  const viaWget = runArgv(["dash", outBin("nixos-fleet-status"), "--prometheus", prometheus, "--json"], { env: { ...env, NIXOS_PROVENANCE_HTTP_CLIENT: "wget" } });
  assert.is(viaWget.status, exit.attention!.code, viaWget.stderr);
  const strip = (d: any) => ({ ...d, evaluatedAt: 0, hosts: d.hosts.map((h: any) => ({ ...h, metricsAgeSeconds: 0, lastBuildAgeSeconds: 0 })) });
  assert.equal(strip(JSON.parse(viaWget.stdout)), strip(doc));
});

test("nixos-fleet-status --selector: one healthy host exits 0; no match exits 2; a bad selector or no server exits 3, saying why", () => {
  const env = { PATH: process.env.PATH!, LC_ALL: "C.UTF-8" };
  const run = (...args: string[]) => runArgv(["dash", outBin("nixos-fleet-status"), ...args], { env, timeout: 30_000 });
  const alpha = run("--prometheus", prometheus, "--selector", `instance="${host("alpha").instance}"`);
  assert.is(alpha.status, exit.ok!.code, alpha.stdout + alpha.stderr);
  assert.match(alpha.stdout, "\n1 host, 1 commit: 0 behind, 0 dirty, 0 failing\n");
  const none = run("--prometheus", prometheus, "--selector", 'job="no-such-job"');
  assert.is(none.status, exit.noHosts!.code);
  assert.match(none.stderr, /^nixos-fleet-status: no host in Prometheus at .* matches \{job="no-such-job"\}/);
  const bad = run("--prometheus", prometheus, "--selector", 'job="unterminated');
  assert.is(bad.status, exit.unreachable!.code);
  assert.match(bad.stderr, /^nixos-fleet-status: Prometheus at .*: Prometheus answered with an error: bad_data: /);
  const notPrometheus = run("--prometheus", `${prometheus}/graph-nothing-here`);
  assert.is(notPrometheus.status, exit.unreachable!.code, notPrometheus.stderr);
  for (const client of ["curl", "wget"]) {
    const started = Date.now();
    // A port nothing listens on (the exporters' ports are taken; this one was freed).
    const down = runArgv(["dash", outBin("nixos-fleet-status"), "--prometheus", "http://127.0.0.1:9", "--timeout", "2"], { env: { ...env, NIXOS_PROVENANCE_HTTP_CLIENT: client } });
    assert.is(down.status, exit.unreachable!.code, client);
    assert.match(down.stderr, /^nixos-fleet-status: cannot query Prometheus at http:\/\/127\.0\.0\.1:9: /, client);
    assert.ok(Date.now() - started < 10_000, `${client} gave up in time`);
  }
  const usage = run("--json");
  assert.is(usage.status, exit.usage!.code);
  assert.match(usage.stderr, "--prometheus URL is needed");
  assert.is(run("--prometheus", "ftp://x").status, exit.usage!.code);
  assert.is(run("--prometheus", prometheus, "--timeout", "0").status, exit.usage!.code);
});

test("every dashboard expression returns its series from the scraped fleet", async () => {
  const queries = dashboardQueries(monitoring);
  assert.ok(queries.length >= 10);
  const instances = hosts.map((h) => h.instance).sort();
  for (const q of queries) {
    const result = await query(prometheus, q.expr.replaceAll("$job", ".+"));
    const got = result.map((s) => s.metric.instance ?? "").sort();
    if (q.shape === "per-host") assert.equal(got, instances, `${q.panel}: ${q.expr}`);
    else if (q.shape === "single") assert.is(result.length, 1, `${q.panel}: ${q.expr}`);
    else assert.equal(result.map((s) => `${s.metric.instance} ${s.metric.reason}`).sort(), betaReasons.map((r) => `${host("beta").instance} ${r}`).sort(), q.expr);
  }
  const byTitle = (title: string) => queries.find((q) => q.panel === title)!.expr.replaceAll("$job", ".+");
  assert.is((await query(prometheus, byTitle("Commits in the fleet")))[0]!.value[1], "2");
  assert.is((await query(prometheus, byTitle("Hosts out of sync")))[0]!.value[1], "1");
  assert.is((await query(prometheus, byTitle("Dirty hosts")))[0]!.value[1], "1");
  assert.is((await query(prometheus, byTitle("Failed last builds")))[0]!.value[1], "1");
});

test("every rule expression selects the hosts it should, and the alerts are pending or firing as their `for` says", async () => {
  const rules = (parse(readFileSync(join(projectRoot, alertsPath), "utf8")) as { groups: { rules: { alert: string; expr: string }[] }[] }).groups[0]!.rules;
  const want: Record<string, string[]> = {
    NixosProvenanceOutOfSync: [host("beta").instance],
    NixosProvenanceRebootPending: [host("beta").instance],
    NixosProvenanceDirty: [host("beta").instance],
    NixosProvenanceBuildFailed: [host("gamma").instance],
    NixosProvenanceMetricsStale: [],
    NixosProvenanceFleetDiverged: [""], // one series per fleet (job), no instance
  };
  assert.equal(Object.keys(want).sort(), alertRules.map((a) => a.name).sort());
  for (const rule of rules) {
    const got = (await query(prometheus, rule.expr)).map((s) => s.metric.instance ?? "");
    assert.equal(got, want[rule.alert], `${rule.alert}: ${rule.expr}`);
  }
  const alerts = (await get(`${prometheus}/api/v1/alerts`)).data.alerts as { labels: Record<string, string>; state: string }[];
  const states = alerts.map((a) => `${a.labels.alertname} ${a.labels.instance ?? a.labels.job} ${a.state}`).sort();
  // BuildFailed has `for: 0m` and fires at once; the others wait out their thresholds (1h and more).
  assert.equal(states, [
    `NixosProvenanceBuildFailed ${host("gamma").instance} firing`,
    `NixosProvenanceDirty ${host("beta").instance} pending`,
    "NixosProvenanceFleetDiverged node pending",
    `NixosProvenanceOutOfSync ${host("beta").instance} pending`,
    `NixosProvenanceRebootPending ${host("beta").instance} pending`,
  ]);
});

test.run();

/**
 * End to end with Debian's Prometheus: two real uWSGI instances (2 and 3 workers) named by a vassals
 * directory, one relay started with README's `serve` command, and a Prometheus running README's config
 * (only paths, ports and intervals changed: 1 s so the test is quick). Prometheus discovers the targets
 * through /sd and scrapes each through /probe; its query API must show one `instance` per uWSGI with its
 * worker count. The shipped rules load and evaluate, and every query of the Grafana dashboard parses.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runServeCli } from '../../src/cli/serve-cli.js';
import { startPrometheus, stopAllPrometheus, type PrometheusProcess } from '../support/prometheus.js';
import { cleanupAll, freePort, rawStats, REPO_ROOT, startUwsgi, tempDir, waitFor, type UwsgiProcess } from '../support/uwsgi.js';

const README = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
const DASHBOARD = join(REPO_ROOT, 'contrib', 'grafana', 'uwsgi-fleet.json');
const RULES = join(REPO_ROOT, 'contrib', 'prometheus', 'uwsgi-alerts.yml');

/** README's Prometheus section: its serve command line and its prometheus.yml. */
function readmeSetup(): { serve: string; config: string } {
  const start = README.indexOf('\n## Prometheus\n');
  const end = README.indexOf('\n## ', start + 1);
  expect(start).toBeGreaterThan(0);
  const text = README.slice(start, end);
  const serve = /```sh\n(uwsgitop-ts serve [^\n]+)\n```/.exec(text)?.[1];
  const config = /```yaml\n([\s\S]+?)```/.exec(text)?.[1];
  if (serve === undefined || config === undefined) throw new Error("README's Prometheus section lost its serve command or its prometheus.yml");
  return { serve, config };
}

const workers = [2, 3];
const instances: Array<{ uwsgi: UwsgiProcess; stats: string; vassal: string; ini: string }> = [];
let prometheus: PrometheusProcess;
let relayPort = 0;
const stopRelay = new AbortController();
let relayDone: Promise<number> | null = null;
let relayErr = '';

beforeAll(async () => {
  const dir = tempDir('uwsgitop-prom-e2e-');
  const vassals = join(dir, 'vassals');
  mkdirSync(vassals);
  for (const [i, count] of workers.entries()) {
    const port = await freePort();
    const vassal = `app${i + 1}.ini`;
    const ini = join(vassals, vassal);
    writeFileSync(ini, `[uwsgi]\nstats = 127.0.0.1:${port}\nworkers = ${count}\n`);
    const uwsgi = await startUwsgi({ stats: 'none', waitForStats: false, args: ['--ini', ini] });
    const proc = { uwsgi, stats: `127.0.0.1:${port}`, vassal, ini };
    instances.push(proc);
    await waitFor(async () => (await rawStats({ statsBind: proc.stats, statsHttp: false })).workers.length === count, `uWSGI ${vassal} to serve its stats`, 20000);
  }
  const tokenFile = join(dir, 'token');
  // With the trailing newline `openssl rand -hex 32 > token` leaves: neither side may count it.
  writeFileSync(tokenFile, 'e2e0123456789abcdef0123456789abcdef\n');
  chmodSync(tokenFile, 0o600);

  const { serve, config } = readmeSetup();
  relayPort = await freePort();
  const relayAddress = `127.0.0.1:${relayPort}`;
  const swap = (text: string): string =>
    text
      .replaceAll('/etc/uwsgi/vassals', vassals)
      .replaceAll('/etc/uwsgitop/token', tokenFile)
      .replaceAll('/etc/prometheus/uwsgi-alerts.yml', RULES)
      .replaceAll('127.0.0.1:9192', relayAddress);
  const argv = swap(serve).split(/\s+/).slice(2);
  const stderr = new PassThrough();
  stderr.on('data', (c: Buffer) => (relayErr += c.toString('utf8')));
  relayDone = runServeCli([...argv, '--interval', '0.5'], { stdout: new PassThrough(), stderr, env: {}, signal: stopRelay.signal });
  await waitFor(async () => (await fetch(`http://${relayAddress}/healthz`)).ok, `the relay to answer (${relayErr})`);
  // Every duration of the README's config (scrape, evaluation, SD refresh) becomes 1 s.
  prometheus = await startPrometheus(swap(config).replace(/: \d+s$/gm, ': 1s'));
}, 90_000);

afterAll(async () => {
  await stopAllPrometheus();
  stopRelay.abort();
  await relayDone;
  await cleanupAll();
});

async function query(expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
  const res = await prometheus.api('query', { query: expr });
  if (res.status !== 'success') throw new Error(`${expr}: ${res.errorType}: ${res.error}`);
  return res.data.result;
}

describe('a real Prometheus scraping the fleet through one relay', () => {
  it('sees each uWSGI as its own instance, with its worker count and where it came from', async () => {
    const result = await waitFor(async () => {
      const r = await query('uwsgi_workers');
      return r.length === workers.length ? r : null;
    }, 'Prometheus to scrape both instances', 30000, 250).catch(async (err: Error) => {
      const targets = (await prometheus.api('targets')).data?.activeTargets ?? [];
      throw new Error(`${err.message}; targets: ${JSON.stringify(targets.map((t: { scrapeUrl: string; lastError: string }) => [t.scrapeUrl, t.lastError]))}; relay: ${relayErr}`);
    });
    const seen = result.map((r) => ({ instance: r.metric.instance, workers: Number(r.value[1]), kind: r.metric.kind, vassal: r.metric.vassal, ini: r.metric.ini, job: r.metric.job }));
    expect(seen.sort((a, b) => a.workers - b.workers)).toEqual(
      instances.map((p, i) => ({ instance: p.stats, workers: workers[i], kind: 'instance', vassal: p.vassal, ini: p.ini, job: 'uwsgi' })),
    );
    // The join that failed with one instance for the whole relay: per instance, one sample each.
    const perInstance = await query('count by (instance) (uwsgi_worker_requests_total) * on (instance) group_left () uwsgi_up');
    expect(Object.fromEntries(perInstance.map((r) => [r.metric.instance, Number(r.value[1])]))).toEqual(Object.fromEntries(instances.map((p, i) => [p.stats, workers[i]])));
    // Both scrape jobs authenticate with basic auth and succeed (the relay's own job may come a scrape later).
    const relayTargets = await waitFor(async () => (await query('uwsgitop_relay_targets')).at(0)?.value[1], 'the relay job to be scraped');
    expect(relayTargets).toBe(String(workers.length));
    const up = await query('up');
    expect(up.map((r) => [r.metric.job, r.metric.instance, r.value[1]]).sort()).toEqual(
      [...instances.map((p) => ['uwsgi', p.stats, '1']), ['uwsgitop-relay', `127.0.0.1:${relayPort}`, '1']].sort(),
    );
  }, 60_000);

  it('loads the shipped alerting rules, which evaluate on the scraped data without errors', async () => {
    const groups = await waitFor(async () => {
      const res = await prometheus.api('rules');
      const all = res.data.groups.flatMap((g: { rules: Array<{ name: string; health: string; lastError?: string }> }) => g.rules);
      return all.length > 0 && all.every((r: { health: string }) => r.health !== 'unknown') ? all : null;
    }, 'the rules to be evaluated once');
    expect(groups.map((r: { name: string; health: string; lastError?: string }) => [r.name, r.health, r.lastError ?? ''])).toEqual(
      groups.map((r: { name: string }) => [r.name, 'ok', '']),
    );
    expect(groups).toHaveLength(10);
    // Both instances answer: no target-down alert.
    expect(await query('ALERTS{alertname="UwsgiTargetDown"}')).toEqual([]);
  }, 30_000);

  it('parses every query of the Grafana dashboard, and its fleet panels show both instances', async () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8'));
    const panels: Array<{ title: string; targets?: Array<{ expr: string }>; panels?: unknown[] }> = dashboard.panels;
    const exprs = panels.flatMap((p) => (p.targets ?? []).map((t) => ({ title: p.title, expr: t.expr })));
    expect(exprs.length).toBeGreaterThan(10);
    // Grafana's variables as Grafana would fill them for "All" over these instances.
    const fill = (expr: string): string => expr.replaceAll('$__rate_interval', '1m').replaceAll('$__interval', '1m').replaceAll('$job', '.*').replaceAll('$instance', '.*');
    for (const { title, expr } of exprs) {
      expect(expr, title).not.toMatch(/\$(?!__rate_interval|__interval|job|instance)/);
      const res = await prometheus.api('query', { query: fill(expr) });
      expect([title, res.status, res.error ?? '']).toEqual([title, 'success', '']);
    }
    for (const variable of dashboard.templating.list.filter((v: { type: string }) => v.type === 'query')) {
      const m = /^label_values\((.*), (\w+)\)$/.exec(variable.query.query ?? variable.query);
      expect(m, variable.name).not.toBeNull();
      const res = await prometheus.api('series', { 'match[]': fill(m![1]!) });
      expect([variable.name, res.status]).toEqual([variable.name, 'success']);
    }
    const workersPanel = exprs.find((e) => e.title === 'Workers by instance')!;
    const rows = await query(fill(workersPanel.expr));
    expect(rows.map((r) => r.metric.instance).sort()).toEqual(instances.map((p) => p.stats).sort());
  }, 30_000);
});

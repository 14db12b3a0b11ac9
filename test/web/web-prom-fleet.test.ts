/**
 * Prometheus for a fleet, without uWSGI: uWSGI's metrics subsystem as uwsgi_metric_* families (from a real
 * sample document), per-core series only when asked, /probe (watched targets, other spellings, refusals,
 * on-demand reads bounded to one per interval), /sd, basic auth, gzip and the tokenless /healthz.
 */
import { gunzipSync } from 'node:zlib';
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { metricFamilyName, uwsgiMetricSamples } from '../../src/web/prom-uwsgi-metrics.js';
import { createRelayMetrics } from '../../src/web/prometheus.js';
import { startRelay, type Relay } from '../../src/web/server.js';
import type { StatsAddress } from '../../src/stats/address.js';
import type { Snapshot } from '../../src/stats/snapshot.js';
import { inst, sample } from '../support/metrics-fixtures.js';
import { FakeMonitor, strictParse, type Exposition } from '../support/web-fixtures.js';

const TOKEN = 'fleet-token-0123456789abcdef';

function values(exp: Exposition, name: string, labels: Record<string, string> = {}): number[] {
  return exp.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).map((s) => s.value);
}

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', fail);
    req.end();
  });
}

const relays: Relay[] = [];
async function relayFor(monitors: FakeMonitor[], options: Parameters<typeof startRelay>[1] = {}): Promise<Relay> {
  const relay = await startRelay(monitors, { port: 0, ...options });
  relays.push(relay);
  return relay;
}
afterEach(async () => {
  for (const r of relays.splice(0)) await r.close();
});

describe("uWSGI's metrics subsystem", () => {
  it('turns ids in dotted names into labels and makes every name safe', () => {
    expect(metricFamilyName('worker.3.core.1.requests')).toEqual({ base: 'uwsgi_metric_worker_core_requests', labels: { worker_id: '3', core_id: '1' }, perCore: true });
    expect(metricFamilyName('socket.0.listen_queue')).toEqual({ base: 'uwsgi_metric_socket_listen_queue', labels: { socket_id: '0' }, perCore: false });
    expect(metricFamilyName('core.busy_workers')).toEqual({ base: 'uwsgi_metric_core_busy_workers', labels: {}, perCore: false });
    // User metrics are named by the application: punctuation, quotes, newlines never reach the exposition.
    expect(metricFamilyName('My-App.req/s')?.base).toBe('uwsgi_metric_my_app_req_s');
    expect(metricFamilyName('x"} 1\nevil{a="')?.base).toBe('uwsgi_metric_x_1_evil_a');
    expect(metricFamilyName('a.1.a.2.n')).toEqual({ base: 'uwsgi_metric_a_a_2_n', labels: { a_id: '1' }, perCore: false });
    expect(metricFamilyName('...')).toBeNull();
  });

  it('exports a real document with uWSGI types: counters as _total, gauges and absolutes as gauges, no aliases', async () => {
    const doc = sample('instance-busy.json');
    const fake = new FakeMonitor('a:1');
    fake.emit(inst(doc, 0, 'a:1'));
    const exp = strictParse(await createRelayMetrics([fake]).render());
    const metric = (name: string): { type: number; value: number } => doc.metrics[name];
    expect(exp.types.get('uwsgi_metric_worker_requests_total')).toBe('counter');
    expect(exp.types.get('uwsgi_metric_worker_delta_requests')).toBe('gauge'); // absolute (type 2)
    expect(exp.types.get('uwsgi_metric_core_busy_workers')).toBe('gauge');
    for (const id of ['0', '1', '2', '3', '4']) {
      expect(values(exp, 'uwsgi_metric_worker_requests_total', { target: 'a:1', worker_id: id })).toEqual([metric(`worker.${id}.requests`).value]);
      expect(values(exp, 'uwsgi_metric_worker_rss_size', { worker_id: id })).toEqual([metric(`worker.${id}.rss_size`).value]);
    }
    expect(values(exp, 'uwsgi_metric_core_idle_workers', { target: 'a:1', stats_uri: 'a:1' })).toEqual([metric('core.idle_workers').value]);
    expect(values(exp, 'uwsgi_metric_socket_listen_queue', { socket_id: '0' })).toEqual([metric('socket.0.listen_queue').value]);
    // rss_size and vsz_size are aliases of core.total_rss/vsz: exported once, under the metric they point to.
    expect(exp.types.has('uwsgi_metric_rss_size')).toBe(false);
    expect(values(exp, 'uwsgi_metric_core_total_rss')).toEqual([metric('core.total_rss').value]);
    // Per-core metrics (worker.N.core.M.*) only with the cores option.
    expect([...exp.types.keys()].some((n) => n.startsWith('uwsgi_metric_worker_core_'))).toBe(false);
  });

  it('keeps the first type when two targets disagree about one name, so the exposition stays valid', async () => {
    const a = new FakeMonitor('a:1');
    const b = new FakeMonitor('b:1');
    const docA = sample('instance-idle.json');
    const docB = sample('instance-idle.json');
    docA.metrics = { 'app.hits': { type: 0, oid: '', value: 7 } };
    docB.metrics = { 'app.hits': { type: 1, oid: '', value: 3 } };
    a.emit(inst(docA, 0, 'a:1'));
    b.emit(inst(docB, 0, 'b:1'));
    const exp = strictParse(await createRelayMetrics([a, b]).render());
    expect(exp.types.get('uwsgi_metric_app_hits_total')).toBe('counter');
    expect(values(exp, 'uwsgi_metric_app_hits_total')).toEqual([7]);
    expect(exp.types.has('uwsgi_metric_app_hits')).toBe(true);
    expect(values(exp, 'uwsgi_metric_app_hits', { target: 'b:1' })).toEqual([3]);
  });

  it('adds per-core series, the exporter’s worker_core_* included, only when asked', async () => {
    const doc = sample('instance-busy.json');
    const fake = new FakeMonitor('a:1');
    fake.emit(inst(doc, 0, 'a:1'));
    expect(uwsgiMetricSamples(inst(doc, 0).doc.metrics, { cores: false }).some((s) => 'core_id' in s.labels)).toBe(false);
    const exp = strictParse(await createRelayMetrics([fake], { cores: true }).render());
    let checked = 0;
    for (const w of doc.workers.filter((x: { id: number }) => x.id !== 0)) {
      for (const c of w.cores) {
        const l = { worker_id: String(w.id), core_id: String(c.id) };
        expect(values(exp, 'uwsgi_worker_core_requests_total', l)).toEqual([c.requests]);
        expect(values(exp, 'uwsgi_worker_core_busy', l)).toEqual([c.in_request]);
        expect(values(exp, 'uwsgi_worker_core_write_errors_total', l)).toEqual([c.write_errors]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(0);
    expect(values(exp, 'uwsgi_metric_worker_core_requests_total', { worker_id: '2', core_id: '0' })).toEqual([doc.metrics['worker.2.core.0.requests'].value]);
  });
});

describe('/probe and /sd', () => {
  it('answers one watched target with its own samples only, under any spelling of its address', async () => {
    const a = new FakeMonitor('127.0.0.1:9191');
    const b = new FakeMonitor('127.0.0.1:9292');
    const docA = sample('instance-busy.json');
    const docB = sample('instance-idle.json');
    a.emit(inst(docA, 0, a.target));
    b.emit(inst(docB, 0, b.target));
    const relay = await relayFor([a, b]);
    for (const spelling of ['127.0.0.1:9191', ':9191', 'localhost:9191']) {
      const res = await get(relay.port, `/probe?target=${encodeURIComponent(spelling)}`);
      expect(res.status, spelling).toBe(200);
      const exp = strictParse(res.body.toString('utf8'));
      expect(new Set(exp.samples.map((s) => s.labels.target))).toEqual(new Set(['127.0.0.1:9191']));
      expect(values(exp, 'uwsgi_workers')).toEqual([docA.workers.filter((w: { id: number }) => w.id !== 0).length]);
      // Not the relay's own metrics or Node's: those are /metrics/relay.
      expect(exp.samples.some((s) => s.name.startsWith('process_') || s.name.startsWith('uwsgitop_relay_'))).toBe(false);
    }
    const res = await get(relay.port, '/probe?target=127.0.0.1:9292');
    expect(values(strictParse(res.body.toString('utf8')), 'uwsgi_workers')).toEqual([docB.workers.filter((w: { id: number }) => w.id !== 0).length]);
  });

  it('refuses a probe without a target, and any address the relay does not watch unless allowed', async () => {
    let reads = 0;
    const read = (): Promise<Snapshot> => {
      reads++;
      return Promise.reject(new Error('not expected'));
    };
    const relay = await relayFor([new FakeMonitor('127.0.0.1:9191')], { probeRead: read });
    expect((await get(relay.port, '/probe')).status).toBe(400);
    const other = await get(relay.port, '/probe?target=10.0.0.1:9191');
    expect(other.status).toBe(404);
    expect(other.body.toString()).toMatch(/--probe-any-target/);
    // Nothing was read on the probe's behalf: the relay is not a scanner.
    expect(reads).toBe(0);
  });

  it('with any target allowed, reads an address on demand: one read in flight and one per interval, network addresses only', async () => {
    const reads: string[] = [];
    let release: () => void = () => undefined;
    const doc = sample('instance-idle.json');
    const read = async (address: StatsAddress): Promise<Snapshot> => {
      reads.push(address.text);
      await new Promise<void>((r) => (release = r));
      return inst(doc, 0, address.text);
    };
    const relay = await relayFor([new FakeMonitor('127.0.0.1:9191')], { probeAnyTarget: true, probeRead: read, probeMinIntervalMs: 60_000 });
    const first = get(relay.port, '/probe?target=10.9.8.7:9191');
    const second = get(relay.port, '/probe?target=10.9.8.7:9191');
    // Both probes wait for the one read; the second does not start another.
    await new Promise((r) => setTimeout(r, 200));
    expect(reads).toEqual(['10.9.8.7:9191']);
    release();
    for (const res of await Promise.all([first, second])) {
      expect(res.status).toBe(200);
      const exp = strictParse(res.body.toString('utf8'));
      expect(values(exp, 'uwsgi_up', { target: '10.9.8.7:9191' })).toEqual([1]);
      expect(values(exp, 'uwsgi_exporter_scrapes_total')).toEqual([1]);
    }
    // Within the interval a probe is answered from the last read.
    expect((await get(relay.port, '/probe?target=10.9.8.7:9191')).status).toBe(200);
    expect(reads).toEqual(['10.9.8.7:9191']);
    for (const local of ['/run/app/stats.sock', '@abstract', 'file:/etc/passwd', 'stats.sock']) {
      expect((await get(relay.port, `/probe?target=${encodeURIComponent(local)}`)).status, local).toBe(400);
    }
    expect(reads).toEqual(['10.9.8.7:9191']);
  });

  it('lists every target for Prometheus HTTP SD with kind, ini file and vassal name', async () => {
    const a = new FakeMonitor('127.0.0.1:9191');
    const b = new FakeMonitor('/run/b.sock');
    a.emit(inst(sample('instance-idle.json'), 0, a.target));
    const relay = await relayFor([a, b], { origins: new Map([['127.0.0.1:9191', { ini: '/etc/uwsgi/vassals/a.ini', vassal: 'a.ini' }]]) });
    const res = await get(relay.port, '/sd');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(JSON.parse(res.body.toString())).toEqual([
      { targets: ['127.0.0.1:9191'], labels: { __meta_uwsgitop_kind: 'instance', __meta_uwsgitop_ini: '/etc/uwsgi/vassals/a.ini', __meta_uwsgitop_vassal: 'a.ini' } },
      { targets: ['/run/b.sock'], labels: { __meta_uwsgitop_kind: 'unknown' } },
    ]);
  });
});

describe('scrape access and transport', () => {
  it('takes the token as a basic-auth password (any user name) as well as Bearer', async () => {
    const relay = await relayFor([new FakeMonitor('127.0.0.1:9191')], { token: TOKEN });
    const basic = (user: string, pass: string): string => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    for (const path of ['/metrics', '/probe?target=127.0.0.1:9191', '/sd', '/metrics/relay']) {
      expect((await get(relay.port, path, { Authorization: basic('prometheus', TOKEN) })).status, path).toBe(200);
      expect((await get(relay.port, path, { Authorization: `Bearer ${TOKEN}` })).status, path).toBe(200);
      expect((await get(relay.port, path, { Authorization: basic('prometheus', `${TOKEN}x`) })).status, path).toBe(401);
      expect((await get(relay.port, path, { Authorization: basic(TOKEN, '') })).status, path).toBe(401);
      const refused = await get(relay.port, path);
      expect(refused.status, path).toBe(401);
      expect(String(refused.headers['www-authenticate'])).toMatch(/Basic/);
    }
  });

  it('answers /healthz with "ok" and nothing else, without the token', async () => {
    const relay = await relayFor([new FakeMonitor('127.0.0.1:9191')], { token: TOKEN });
    const res = await get(relay.port, '/healthz');
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('ok\n');
  });

  it('gzips /metrics and /probe when the scraper asks for it', async () => {
    const fake = new FakeMonitor('127.0.0.1:9191');
    fake.emit(inst(sample('instance-busy.json'), 0, fake.target));
    const relay = await relayFor([fake]);
    for (const path of ['/metrics', '/probe?target=127.0.0.1:9191']) {
      const plain = await get(relay.port, path);
      expect(plain.headers['content-encoding'], path).toBeUndefined();
      const zipped = await get(relay.port, path, { 'Accept-Encoding': 'gzip' });
      expect(zipped.headers['content-encoding'], path).toBe('gzip');
      expect(zipped.body.length).toBeLessThan(plain.body.length / 3);
      const text = gunzipSync(zipped.body).toString('utf8');
      expect(values(strictParse(text), 'uwsgi_workers', { target: fake.target })).toEqual(values(strictParse(plain.body.toString('utf8')), 'uwsgi_workers', { target: fake.target }));
    }
  });

  it("counts the relay's reads of each target under uwsgi_exporter's scrape names", async () => {
    const fake = new FakeMonitor('a:1');
    const metrics = createRelayMetrics([fake]);
    const doc = sample('instance-idle.json');
    fake.emit(inst(doc, 0, 'a:1'));
    fake.emit(inst(doc, 1000, 'a:1'));
    const exp = strictParse(await metrics.render());
    expect(exp.types.get('uwsgi_exporter_scrape_duration_seconds')).toBe('summary');
    expect(values(exp, 'uwsgi_exporter_scrapes_total', { target: 'a:1' })).toEqual([2]);
    expect(values(exp, 'uwsgi_exporter_scrape_errors_total', { target: 'a:1' })).toEqual([0]);
    expect(values(exp, 'uwsgi_exporter_last_scrape_error', { target: 'a:1' })).toEqual([0]);
    expect(values(exp, 'uwsgi_exporter_scrape_duration_seconds_count', { target: 'a:1', stats_uri: 'a:1' })).toEqual([2]);
    // Each sample snapshot was decoded as a read of 1 ms.
    expect(values(exp, 'uwsgi_exporter_scrape_duration_seconds_sum', { target: 'a:1' })).toEqual([0.002]);
    metrics.close();
  });

  it('serves its own scrape metrics and Node process metrics on /metrics/relay', async () => {
    const fake = new FakeMonitor('127.0.0.1:9191');
    const relay = await relayFor([fake]);
    await get(relay.port, '/probe?target=127.0.0.1:9191');
    await get(relay.port, '/probe?target=127.0.0.1:9191');
    const exp = strictParse((await get(relay.port, '/metrics/relay')).body.toString('utf8'));
    expect(values(exp, 'uwsgitop_relay_scrapes_total', { endpoint: 'probe' })).toEqual([2]);
    expect(values(exp, 'uwsgitop_relay_targets')).toEqual([1]);
    expect(exp.types.get('process_cpu_seconds_total')).toBe('counter');
    expect(exp.types.get('nodejs_heap_size_used_bytes')).toBe('gauge');
    expect(exp.samples.some((s) => s.name.startsWith('uwsgi_'))).toBe(false);
  });
});

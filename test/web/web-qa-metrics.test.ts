/**
 * QA of /metrics against a real uWSGI (4 workers x 2 threads, a cache, --memory-report), scraped through the
 * `serve`-style relay: a strict reading of the exposition (every sample under a HELP and TYPE, no duplicate
 * series, label syntax), uwsgi_exporter's names with its types and labels plus `target`, values equal to a
 * stats document read independently once the traffic is over, and a stopped instance reduced to
 * `uwsgi_up 0` and its age.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMonitor, type ControllableMonitor } from '../../src/monitor/monitor.js';
import { parseAddress } from '../../src/stats/address.js';
import { readSnapshot } from '../../src/stats/client.js';
import { startRelay, type Relay } from '../../src/web/server.js';
import { cleanupAll, httpRequests, rawStats, startUwsgi, statsCounting, totalRequests, waitFor, type UwsgiProcess } from '../support/uwsgi.js';
import { strictParse, type Exposition } from '../support/web-fixtures.js';

function one(exp: Exposition, name: string, labels: Record<string, string>): number {
  const found = exp.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length !== 1) throw new Error(`${name} ${JSON.stringify(labels)}: ${found.length} samples`);
  return found[0]!.value;
}

// uwsgi_exporter's names, types and labels (besides stats_uri), from its exporter.go.
const EXPORTER: Array<[string, 'gauge' | 'counter', string[]]> = [
  ['uwsgi_listen_queue_length', 'gauge', []],
  ['uwsgi_listen_queue_errors', 'gauge', []],
  ['uwsgi_signal_queue_length', 'gauge', []],
  ['uwsgi_workers', 'gauge', []],
  ['uwsgi_socket_queue_length', 'gauge', ['name', 'proto']],
  ['uwsgi_socket_max_queue_length', 'gauge', ['name', 'proto']],
  ['uwsgi_worker_requests_total', 'counter', ['worker_id']],
  ['uwsgi_worker_exceptions_total', 'counter', ['worker_id']],
  ['uwsgi_worker_harakiri_count_total', 'counter', ['worker_id']],
  ['uwsgi_worker_signals_total', 'counter', ['worker_id']],
  ['uwsgi_worker_respawn_count_total', 'counter', ['worker_id']],
  ['uwsgi_worker_transmitted_bytes_total', 'counter', ['worker_id']],
  ['uwsgi_worker_accepting', 'gauge', ['worker_id']],
  ['uwsgi_worker_delta_requests', 'gauge', ['worker_id']],
  ['uwsgi_worker_rss_bytes', 'gauge', ['worker_id']],
  ['uwsgi_worker_vsz_bytes', 'gauge', ['worker_id']],
  ['uwsgi_worker_running_time_seconds', 'gauge', ['worker_id']],
  ['uwsgi_worker_last_spawn_time_seconds', 'gauge', ['worker_id']],
  ['uwsgi_worker_average_response_time_seconds', 'gauge', ['worker_id']],
  ['uwsgi_worker_busy', 'gauge', ['worker_id']],
  ['uwsgi_worker_idle', 'gauge', ['worker_id']],
  ['uwsgi_worker_cheap', 'gauge', ['worker_id']],
  ['uwsgi_worker_app_requests_total', 'counter', ['worker_id', 'app_id', 'mountpoint', 'chdir']],
  ['uwsgi_worker_app_exceptions_total', 'counter', ['worker_id', 'app_id', 'mountpoint', 'chdir']],
  ['uwsgi_cache_hits', 'counter', ['name']],
  ['uwsgi_cache_misses', 'counter', ['name']],
  ['uwsgi_cache_full', 'counter', ['name']],
  ['uwsgi_cache_items', 'gauge', ['name']],
  ['uwsgi_cache_max_items', 'gauge', ['name']],
];

let uw: UwsgiProcess;
let monitor: ControllableMonitor;
let relay: Relay;

async function scrape(): Promise<Exposition> {
  const res = await fetch(`http://127.0.0.1:${relay.port}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return strictParse(await res.text());
}

beforeAll(async () => {
  uw = await startUwsgi({ workers: 4, args: ['--threads', '2', '--cache2', 'name=c,items=100', '--enable-metrics', '--memory-report'] });
  const address = parseAddress(uw.statsAddress);
  monitor = createMonitor(uw.statsAddress, (signal) => readSnapshot(address, { timeoutMs: 3000, signal }), { intervalMs: 200 });
  relay = await startRelay([monitor], { port: 0 });
}, 60000);

afterAll(async () => {
  await relay?.close();
  monitor?.stop();
  await cleanupAll();
});

describe('/metrics against a real uWSGI', () => {
  it('exposes uwsgi_exporter names, types and labels, strictly well-formed, with the values uWSGI reports', async () => {
    await httpRequests(uw.httpPort!, '/cache?k1', 6, 2);
    await httpRequests(uw.httpPort!, '/error', 3, 1);
    await httpRequests(uw.httpPort!, '/', 20, 4);
    // Traffic is over: wait until the relay has polled a document equal to one read independently.
    const raw = await statsCounting(uw, 29);
    expect(totalRequests(raw)).toBe(29);
    await waitFor(async () => {
      const s = await scrape();
      return raw.workers.every((w: { id: number; requests: number }) => one(s, 'uwsgi_worker_requests_total', { worker_id: String(w.id) }) === w.requests);
    }, 'the relay to poll the final counters');
    const exp = await scrape();
    const target = uw.statsAddress;
    for (const [name, type, labels] of EXPORTER) {
      expect(exp.types.get(name), name).toBe(type);
      const samples = exp.samples.filter((s) => s.name === name);
      expect(samples.length, name).toBeGreaterThan(0);
      for (const s of samples) expect(Object.keys(s.labels).sort(), name).toEqual(['target', 'stats_uri', ...labels].sort());
    }
    const base = { target };
    expect(one(exp, 'uwsgi_workers', base)).toBe(raw.workers.length);
    expect(one(exp, 'uwsgi_listen_queue_length', base)).toBe(raw.listen_queue);
    expect(one(exp, 'uwsgi_signal_queue_length', base)).toBe(raw.signal_queue);
    for (const w of raw.workers) {
      const l = { ...base, worker_id: String(w.id) };
      expect(one(exp, 'uwsgi_worker_requests_total', l)).toBe(w.requests);
      expect(one(exp, 'uwsgi_worker_exceptions_total', l)).toBe(w.exceptions);
      expect(one(exp, 'uwsgi_worker_transmitted_bytes_total', l)).toBe(w.tx);
      expect(one(exp, 'uwsgi_worker_respawn_count_total', l)).toBe(w.respawn_count);
      expect(one(exp, 'uwsgi_worker_rss_bytes', l)).toBe(w.rss);
      expect(one(exp, 'uwsgi_worker_last_spawn_time_seconds', l)).toBe(w.last_spawn);
      expect(one(exp, 'uwsgi_worker_average_response_time_seconds', l)).toBeCloseTo(w.avg_rt / 1e6, 9);
      expect(one(exp, 'uwsgi_worker_running_time_seconds', l)).toBeCloseTo(w.running_time / 1e6, 9);
      expect(one(exp, 'uwsgi_worker_idle', l)).toBe(w.status === 'idle' ? 1 : 0);
      expect(one(exp, 'uwsgi_worker_cores', l)).toBe(w.cores.length);
      for (const app of w.apps) {
        expect(one(exp, 'uwsgi_worker_app_requests_total', { ...l, app_id: String(app.id), mountpoint: app.mountpoint, chdir: app.chdir })).toBe(app.requests);
      }
    }
    // uWSGI fills a socket's max_queue (the listen backlog) on a later pass of its master than the first
    // documents: compare with a document read once it is filled (100, the default backlog, on this TCP socket).
    await waitFor(async () => {
      const [now, s] = [await rawStats(uw), await scrape()];
      return now.sockets.every((sock: { name: string; proto: string; max_queue: number }) => sock.max_queue === 100 && one(s, 'uwsgi_socket_max_queue_length', { ...base, name: sock.name, proto: sock.proto }) === sock.max_queue);
    }, 'uwsgi_socket_max_queue_length to equal the max_queue uWSGI reports');
    const cache = raw.caches.find((c: { name: string }) => c.name === 'c');
    expect(one(exp, 'uwsgi_cache_hits', { ...base, name: 'c' })).toBe(cache.hits);
    expect(one(exp, 'uwsgi_cache_misses', { ...base, name: 'c' })).toBe(cache.miss);
    expect(one(exp, 'uwsgi_cache_items', { ...base, name: 'c' })).toBe(cache.items);
    expect(one(exp, 'uwsgi_cache_max_items', { ...base, name: 'c' })).toBe(100);
    expect(one(exp, 'uwsgi_up', base)).toBe(1);
    // uWSGI's metrics subsystem (--enable-metrics): worker ids as labels, counters as counters. Its values
    // are refreshed by uWSGI's own timer, so they catch up with the workers' counters a moment later.
    expect(exp.types.get('uwsgi_metric_worker_requests_total')).toBe('counter');
    expect(exp.types.get('uwsgi_metric_core_busy_workers')).toBe('gauge');
    await waitFor(async () => {
      const s = await scrape();
      return raw.workers.every((w: { id: number; requests: number }) => one(s, 'uwsgi_metric_worker_requests_total', { ...base, worker_id: String(w.id) }) === w.requests);
    }, 'uwsgi_metric_worker_requests_total to equal each worker\'s requests');
    // With cores the in-flight count is known (0 now: the traffic is over) and exported.
    const inRequest = raw.workers.reduce((n: number, w: { cores: Array<{ in_request: number }> }) => n + w.cores.filter((c) => c.in_request).length, 0);
    expect(one(exp, 'uwsgi_requests_in_flight', base)).toBe(inRequest);
  }, 60000);

  it('reduces a stopped instance to uwsgi_up 0 and the age of its last document', async () => {
    await uw.stop();
    await waitFor(async () => one(await scrape(), 'uwsgi_up', { target: uw.statsAddress }) === 0, 'uwsgi_up 0');
    const exp = await scrape();
    const names = [...new Set(exp.samples.filter((s) => s.labels.target === uw.statsAddress).map((s) => s.name))].sort();
    // Besides up and age, only the relay's count of its reads (uwsgi_exporter's scrape metrics) is left.
    expect(names).toEqual([
      'uwsgi_exporter_last_scrape_error',
      'uwsgi_exporter_scrape_duration_seconds_count',
      'uwsgi_exporter_scrape_duration_seconds_sum',
      'uwsgi_exporter_scrape_errors_total',
      'uwsgi_exporter_scrapes_total',
      'uwsgi_stats_age_seconds',
      'uwsgi_up',
    ]);
    // The summary counts the successful reads only: every read but the failed ones.
    expect(one(exp, 'uwsgi_exporter_scrape_duration_seconds_count', { target: uw.statsAddress })).toBe(
      one(exp, 'uwsgi_exporter_scrapes_total', { target: uw.statsAddress }) - one(exp, 'uwsgi_exporter_scrape_errors_total', { target: uw.statsAddress }),
    );
    expect(one(exp, 'uwsgi_exporter_last_scrape_error', { target: uw.statsAddress })).toBe(1);
    expect(one(exp, 'uwsgi_exporter_scrape_errors_total', { target: uw.statsAddress })).toBeGreaterThan(0);
  }, 30000);
});

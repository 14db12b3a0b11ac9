/**
 * One real stats document (test/fixtures/samples/instance-busy.json, uWSGI 2.0.21), polled twice a second
 * apart, given to every output: the dashboard's summary, the `--once` text report, the JSON record, the
 * Prometheus exposition and the page's figures. Each must print the same units and the same summary figures.
 * The expected values are worked out by hand from the document below, not read from any output.
 */
import { describe, expect, it } from 'vitest';
import { copy, sample } from '../support/metrics-fixtures.js';
import { FakeMonitor, strictParse } from '../support/web-fixtures.js';
import { SAMPLE_EPOCH_MS } from '../support/samples.js';
import { summaryLines } from '../../src/views/dashboard/model/summary.js';
import { lineText } from '../../src/views/dashboard/model/line.js';
import { renderTextReport } from '../../src/views/text-report.js';
import { snapshotRecord } from '../../src/views/json-record.js';
import { createRelayMetrics } from '../../src/web/prometheus.js';
import { instanceFigures } from '../../src/present/summary.js';
import type { TargetUpdate } from '../../src/monitor/types.js';
import { workerPairs } from '../../src/page/target-view.js';
import { workerDetail } from '../../src/views/dashboard/model/detail.js';

// The sample: 4 workers with 1, 1, 1, 2 requests (avg_rt 71, 77, 82, 118 µs), tx 50+50+50+100 = 250 bytes,
// one socket 127.0.0.1:19090 (queue 0 of 100). Second poll, one second later: worker 1 served 4 more
// requests in 400 µs (interval mean 100µs) and sent 2048 more bytes; a second socket holds 5 of its 50.
function polls(): [unknown, unknown] {
  const first = sample('instance-busy.json');
  first.sockets.push({ name: '127.0.0.1:19091', proto: 'uwsgi', queue: 5, max_queue: 50, shared: 0, can_offload: 0 });
  first.listen_queue = 5;
  const second = copy(first);
  second.workers[0].requests += 4;
  second.workers[0].running_time += 400;
  second.workers[0].tx += 2048;
  return [first, second];
}

const REQUESTS = 9; // 5 + 4
const QUEUE = '5/50 on 127.0.0.1:19091'; // the fullest socket, against its own maximum (not 5/150, not 5/100)

function update(): { fake: FakeMonitor; last: TargetUpdate } {
  const fake = new FakeMonitor('app:9191');
  const [a, b] = polls();
  fake.push(a, 0);
  return { fake, last: fake.push(b, 1000) };
}

describe('one document, every output the same figures', () => {
  it('the dashboard summary', () => {
    const { last } = update();
    const text = summaryLines(last, last.state, 'app:9191', 200, SAMPLE_EPOCH_MS + 1000).map(lineText).join('\n');
    expect(text).toContain('req/s 4.0');
    expect(text).toContain(`total ${REQUESTS}`);
    expect(text).toContain('avg 100µs');
    // 2048 bytes in the second between the polls, as a rate.
    expect(text).toContain('tx 2.0K/s');
    expect(text).toContain(`listen queue ${QUEUE}`);
    expect(text).toContain('workers 4: ');
  });

  it('the --once text report, summary and workers table in the same units', () => {
    const { last } = update();
    const text = renderTextReport(last.snapshot!, last.derived!);
    expect(text).toContain(`requests ${REQUESTS}  rps 4.0`);
    expect(text).toContain('avg 100µs');
    // uWSGI's running average weighted by requests: (71*5 + 77 + 82 + 118*2) / 9 = 83.3
    expect(text).toContain('uwsgi running avg 83µs');
    // 250 + 2048 = 2298 bytes = 2.2K; 2048 bytes in a second.
    expect(text).toContain('tx 2.2K (2.0K/s)');
    expect(text).toContain(`listen queue ${QUEUE}`);
    // The workers table spells response times the same way (worker 2's avg_rt is 77).
    expect(text).toMatch(/\b77µs\b/);
    expect(text).not.toMatch(/\d+us\b/);
  });

  it('the JSON record', () => {
    const { last } = update();
    const record = snapshotRecord(last.snapshot!, last.derived!) as { summary: Record<string, unknown> };
    expect(record.summary['totalRequests']).toBe(REQUESTS);
    expect(record.summary['rps']).toBe(4);
    expect(record.summary['intervalAvgRtUs']).toBe(100);
    expect(record.summary['totalTx']).toBe(2298);
    expect(record.summary['listenQueue']).toEqual({ queue: 5, maxQueue: 50, socket: '127.0.0.1:19091' });
  });

  it('/metrics', async () => {
    const { fake } = update();
    const exp = strictParse(await createRelayMetrics([fake]).render());
    const value = (name: string, labels: Record<string, string> = {}): number | undefined =>
      exp.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
    expect(value('uwsgi_listen_queue_length')).toBe(5);
    expect(value('uwsgi_socket_max_queue_length', { name: '127.0.0.1:19091' })).toBe(50);
    // Prometheus counts in base units: 100 µs is 0.0001 s.
    expect(value('uwsgi_interval_response_time_seconds')).toBeCloseTo(0.0001, 9);
  });

  it("the page's figures", () => {
    const { last } = update();
    if (last.snapshot?.kind !== 'instance') throw new Error('instance expected');
    const f = instanceFigures(last.snapshot, last.derived);
    expect([f.rps, f.requests, f.avg, f.uwsgiAvg, f.tx, f.txps]).toEqual(['4.0', String(REQUESTS), '100µs', '83µs', '2.2K', '2.0K/s']);
    expect(`${f.queue} on ${f.queueSocket}`).toBe(QUEUE);
  });

  it("a worker's fields: the dashboard's detail and the page's panel, same labels and units", () => {
    const { last } = update();
    if (last.snapshot?.kind !== 'instance') throw new Error('instance expected');
    const w = last.snapshot.doc.workers[0]!;
    const d = last.derived!.workers[0];
    const detail = workerDetail(w, d, [], false, 200, SAMPLE_EPOCH_MS + 1000).map(lineText).join('\n');
    const pairs = new Map(workerPairs(w, SAMPLE_EPOCH_MS + 1000, d));
    // Worker 1: 1 + 4 = 5 requests, 4 of them in the last second taking 400 µs; 50 + 2048 bytes sent.
    const expected: Array<[string, string]> = [['requests', '5'], ['req/s', '4.0'], ['mean rt (interval)', '100µs'], ['sent', '2.0K'], ['sent/s', '2.0K/s']];
    for (const [label, value] of expected) {
      expect(pairs.get(label)).toBe(value);
      expect(detail).toContain(`${label} ${value}`);
    }
  });
});

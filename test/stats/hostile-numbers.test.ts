/**
 * Absurd numbers in a document (1e308, 1e999 which JSON.parse reads as Infinity, 30-digit exponents): each is
 * a warning naming its field, and every output shows it as unknown (`-`, JSON null, no Prometheus sample),
 * never "NaN", "Infinity", an exponent or a NaN-NaN-NaN date.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MonitorCore } from '../../src/monitor/monitor-core.js';
import { collectSamples } from '../../src/web/prom-samples.js';
import { buildDist, runCli } from '../support/cli-helpers.js';
import { startAdversary, type Adversary } from '../support/adversary.js';
import { decodeBody, FakeMonitor, headlessPerTest, sample } from '../support/views-support.js';

/** The busy sample with absurd literals written into its JSON text (JSON.stringify cannot write 1e999). */
function absurdBody(): string {
  const doc = sample('instance-busy.json');
  const w = doc.workers[0];
  w.last_spawn = 'LAST_SPAWN';
  w.requests = 'REQUESTS';
  w.exceptions = 'EXCEPTIONS';
  w.rss = 'RSS';
  doc.workers[1].requests = 'BIG_EXP';
  doc.caches[0].hits = 'HITS';
  return JSON.stringify(doc)
    .replace('"LAST_SPAWN"', '1e308')
    .replace('"REQUESTS"', '1e999')
    .replace('"EXCEPTIONS"', '1e999')
    .replace('"RSS"', '-1e999')
    .replace('"BIG_EXP"', '123456789012345678901234567890e300')
    .replace('"HITS"', '9.999e40');
}

const JUNK = /NaN|Infinity|\de\+\d/;

let server: Adversary;
beforeAll(async () => {
  buildDist();
  server = await startAdversary({ kind: 'document', body: absurdBody() });
}, 120_000);
afterAll(async () => server?.close());

describe('absurd numbers', () => {
  it('are warnings naming each field', () => {
    const snap = decodeBody(absurdBody(), 0, 't');
    for (const field of ['workers[0].last_spawn', 'workers[0].requests', 'workers[0].exceptions', 'workers[0].rss', 'workers[1].requests', 'caches[0].hits']) {
      expect(snap.warnings.some((w) => w.startsWith(`${field}: `) && w.includes('out of range')), field).toBe(true);
    }
  });

  it('--once shows them as -, never NaN, Infinity or an exponent', async () => {
    const r = await runCli([server.address, '--once', '--interval', '0.1']);
    expect(r.stdout).not.toMatch(JUNK);
    expect(r.stdout).toContain('out of range');
  });

  it('--json has null for them and the warnings', async () => {
    const r = await runCli([server.address, '--json']);
    expect(r.stdout).not.toMatch(JUNK);
    const rec = JSON.parse(r.stdout);
    expect(rec.workers[0].requests).toBeNull();
    expect(rec.workers[0].lastSpawn).toBeNull();
    expect(rec.warnings.length).toBeGreaterThanOrEqual(6);
  });

  it('/metrics leaves the samples out instead of a made-up 0', () => {
    const core = new MonitorCore('t');
    const update = core.ingestSnapshot(decodeBody(absurdBody(), 0, 't'), 1);
    const samples = collectSamples([{ target: 't', update }], 0);
    const requests = samples.get('uwsgi_worker_requests_total')!;
    const w1 = requests.find((s) => s.labels.worker_id === '1');
    expect(w1).toBeUndefined();
    expect(requests.find((s) => s.labels.worker_id === '3')?.value).toBeGreaterThanOrEqual(0);
  });

  const start = headlessPerTest();
  for (const view of ['1', '2', '4']) {
    it(`the dashboard (view ${view}) shows no NaN, Infinity or exponent`, async () => {
      const m = new FakeMonitor('t');
      m.pushRaw(absurdBody(), 0);
      m.pushRaw(absurdBody(), 2000);
      const h = await start([m], { cols: 160, rows: 50 });
      await h.keys(view);
      expect(h.screenText()).not.toMatch(JUNK);
    });
  }
});

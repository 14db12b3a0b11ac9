// @module-tag calendar
/**
 * Events that fold: a condition that persists is one event in the log with a count and a duration; every
 * exception is counted. MonitorCore over real sample documents, then a real uWSGI cache kept full.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { MonitorCore } from '../../src/monitor/monitor-core.js';
import { createMonitor, type ControllableMonitor } from '../../src/monitor/monitor.js';
import { parseAddress } from '../../src/stats/address.js';
import { readSnapshot } from '../../src/stats/client.js';
import { BoundedLog } from '../../src/metrics/history.js';
import { EventFolder, pushFolded } from '../../src/metrics/event-fold.js';
import type { MonitorEvent } from '../../src/metrics/types.js';
import { copy, inst, sample } from '../support/metrics-fixtures.js';
import { cleanupAll, httpRequests, startUwsgi, waitFor } from '../support/uwsgi.js';

const monitors: ControllableMonitor[] = [];
afterAll(async () => {
  for (const m of monitors) m.stop();
  await cleanupAll();
});

describe('folding', () => {
  it('a cache full on every read for 34 s is one event with its count and duration; after a quiet minute, a new one', () => {
    const core = new MonitorCore('t');
    let doc = sample('instance-idle.json');
    const name = doc.caches[0].name;
    core.ingestSnapshot(inst(doc, 0), 0);
    for (let t = 1; t <= 34; t++) {
      doc = copy(doc);
      doc.caches[0].full += 3;
      core.ingestSnapshot(inst(doc, t * 1000), t);
    }
    const full = core.events().filter((e) => e.type === 'cache-full');
    expect(full).toHaveLength(1);
    expect(full[0]!.message).toBe(`cache ${name} full for 33 s: 102 stores refused over 34 reads`);
    expect(full[0]!.data).toMatchObject({ foldCount: 102, foldTimes: 34 });
    // Quiet for more than a minute, then full again: a new episode.
    doc = copy(doc);
    core.ingestSnapshot(inst(doc, 100_000), 35);
    doc = copy(doc);
    doc.caches[0].full += 1;
    core.ingestSnapshot(inst(doc, 101_000), 36);
    const after = core.events().filter((e) => e.type === 'cache-full');
    expect(after).toHaveLength(2);
    expect(after[1]!.message).toMatch(/^cache .* full: 1 store refused/);
  });

  it('counts every sporadic exception in one event instead of going quiet', () => {
    const core = new MonitorCore('t');
    let doc = sample('instance-idle.json');
    core.ingestSnapshot(inst(doc, 0), 0);
    // One exception every other 1 s read for 40 s: 20 exceptions.
    for (let t = 1; t <= 40; t++) {
      doc = copy(doc);
      if (t % 2 === 1) doc.workers[0].exceptions += 1;
      core.ingestSnapshot(inst(doc, t * 1000), t);
    }
    const exc = core.events().filter((e) => e.type === 'exceptions-rising');
    expect(exc).toHaveLength(1);
    expect(exc[0]!.data).toMatchObject({ foldCount: 20, foldTimes: 20 });
    expect(exc[0]!.message).toBe('exceptions for 38 s: 20 exceptions over 20 reads');
  });

  it("a relay client's log folds the published states the same way (one event, its latest state)", () => {
    const source = new BoundedLog<MonitorEvent>(10);
    const folder = new EventFolder(source);
    const mirror = new BoundedLog<MonitorEvent>(10);
    for (let t = 0; t < 5; t++) {
      const ev = folder.add({ atMs: t * 1000, target: 't', type: 'cache-full', severity: 'warn', message: 'x', fold: { key: 'cache:c', what: 'cache c full', count: 1, unit: 'store refused', units: 'stores refused' } });
      expect(ev.fold).toBeUndefined();
      pushFolded(mirror, ev);
    }
    expect(mirror.toArray()).toEqual(source.toArray());
    expect(mirror.toArray().map((e) => e.message)).toEqual(['cache c full for 4 s: 5 stores refused over 5 reads']);
  });
});

describe('a real cache kept full', () => {
  it('gives one folded cache-full event whose count is every refused store', async () => {
    const u = await startUwsgi({ workers: 1, args: ['--cache2', 'name=c1,items=2'] });
    const address = parseAddress(u.statsAddress);
    const m = createMonitor(u.statsAddress, (signal) => readSnapshot(address, { timeoutMs: 3000, signal }), { intervalMs: 200 });
    monitors.push(m);
    await waitFor(() => m.latest()?.snapshot != null, 'a first read');
    // New keys into a two-item cache for about three seconds: most stores are refused, read after read.
    const until = Date.now() + 3000;
    for (let i = 0; Date.now() < until; i += 5) await httpRequests(u.httpPort!, `/cache?k${i}`, 1);
    const seq = m.latest()!.seq;
    await waitFor(() => m.latest()!.seq >= seq + 2, 'two more reads');
    const snap = m.latest()!.snapshot!;
    const refused = snap.kind === 'instance' ? snap.doc.caches[0]!.full : -1;
    expect(refused).toBeGreaterThan(10);
    const events = m.events().filter((e) => e.type === 'cache-full');
    expect(events).toHaveLength(1);
    expect(events[0]!.data?.['foldCount']).toBe(refused);
    expect(Number(events[0]!.data?.['foldTimes'])).toBeGreaterThan(3);
    expect(events[0]!.message).toMatch(new RegExp(`^cache c1 full for \\d+ s: ${refused} stores refused over \\d+ reads$`));
  }, 30_000);
});

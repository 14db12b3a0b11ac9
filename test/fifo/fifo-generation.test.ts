import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GenerationWatch } from '../../src/fifo/generation.js';
import { decodeSnapshot } from '../../src/stats/document.js';
import type { InstanceDocument, Worker } from '../../src/stats/snapshot.js';
import { SAMPLES } from '../support/samples.js';

function idle(): InstanceDocument {
  const snap = decodeSnapshot(readFileSync(`${SAMPLES}/instance-idle.json`), { target: 't', readAtMs: 0, monotonicMs: 0, durationMs: 0 });
  if (snap.kind !== 'instance') throw new Error('instance sample expected');
  return snap.doc;
}

/** The document with worker `slot` changed by `change`. */
function withWorker(doc: InstanceDocument, slot: number, change: Partial<Worker>): InstanceDocument {
  return { ...doc, workers: doc.workers.map((w) => (w.slot === slot ? { ...w, ...change } : w)) };
}

describe('the verdict about a new generation, on saved documents', () => {
  it('a new accepting worker without the app the old ones had is a failure naming it and the 500s', () => {
    const before = idle();
    const w1 = before.workers[0]!;
    expect(w1.apps.length).toBeGreaterThan(0);
    const watch = new GenerationWatch(before);
    // Replaced, app loaded: fine. Replaced, no app yet but not accepting: still loading.
    expect(watch.observe(withWorker(before, 1, { pid: 99001, respawnCount: w1.respawnCount + 1 }), 1000)).toBeNull();
    expect(watch.observe(withWorker(before, 1, { pid: 99002, apps: [], accepting: false }), 2000)).toBeNull();
    const failure = watch.observe(withWorker(before, 1, { pid: 99002, apps: [], accepting: true }), 3000);
    expect(failure?.kind).toBe('no-app');
    expect(failure?.message).toContain('worker 1 (pid 99002) has no application loaded');
    expect(failure?.message).toContain('500');
  });

  it('an old worker without apps is no failure when the old generation had none either', () => {
    const bare = { ...idle(), workers: idle().workers.map((w) => ({ ...w, apps: [] })) };
    const watch = new GenerationWatch(bare);
    expect(watch.observe(withWorker(bare, 1, { pid: 99001 }), 1000)).toBeNull();
  });

  it('one respawn per slot (a reload) is no crash loop; three in the window are, named with count and window', () => {
    const before = idle();
    const base = before.workers[1]!.respawnCount;
    const watch = new GenerationWatch(before, { crashRespawns: 3, crashWindowMs: 10_000 });
    expect(watch.observe(withWorker(before, 2, { pid: 99001, respawnCount: base + 1 }), 1000)).toBeNull();
    expect(watch.observe(withWorker(before, 2, { pid: 99002, respawnCount: base + 2, accepting: false }), 2000)).toBeNull();
    const failure = watch.observe(withWorker(before, 2, { pid: 99003, respawnCount: base + 4, accepting: false }), 4500);
    expect(failure?.kind).toBe('crash-loop');
    expect(failure?.message).toBe('worker 2 crash-looping: 4 respawns in 3.5 s (the new code exits at start? see the uWSGI log)');
  });

  it('respawns spread wider than the window are no crash loop, and a restarted master starts the count over', () => {
    const before = idle();
    const base = before.workers[0]!.respawnCount;
    const watch = new GenerationWatch(before, { crashRespawns: 3, crashWindowMs: 10_000 });
    expect(watch.observe(withWorker(before, 1, { pid: 99001, respawnCount: base + 1 }), 1000)).toBeNull();
    expect(watch.observe(withWorker(before, 1, { pid: 99002, respawnCount: base + 2 }), 12_000)).toBeNull();
    expect(watch.observe(withWorker(before, 1, { pid: 99003, respawnCount: base + 3 }), 23_000)).toBeNull();
    const restarted = { ...before, pid: before.pid + 1 };
    expect(watch.observe(withWorker(restarted, 1, { pid: 99004, respawnCount: 1 }), 24_000)).toBeNull();
    expect(watch.observe(withWorker(restarted, 1, { pid: 99005, respawnCount: 2 }), 25_000)).toBeNull();
  });

  it('a slot that serves requests between its respawns is recycling (max-requests), not crash-looping', () => {
    const before = idle();
    const w = before.workers[0]!;
    const watch = new GenerationWatch(before, { crashRespawns: 3, crashWindowMs: 10_000 });
    for (let k = 1; k <= 5; k++) {
      expect(watch.observe(withWorker(before, 1, { pid: 99000 + k, respawnCount: w.respawnCount + k, requests: w.requests + 100 * k }), 1000 * k)).toBeNull();
    }
  });
});

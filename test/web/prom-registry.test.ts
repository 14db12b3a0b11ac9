/**
 * The Prometheus registry's recipe: a family is one entry of prom-families.ts (scope, name, help, getter),
 * and that entry is all it takes for its samples to appear, with its scope's labels. A getter written for
 * another scope fails to compile (the `@ts-expect-error` lines below are themselves errors for
 * tsc -p tsconfig.test.json the day such a getter would be accepted).
 */
import { describe, expect, it } from 'vitest';
import { derive } from '../../src/metrics/derive.js';
import { FAMILIES, counter, gauge } from '../../src/web/prom-families.js';
import { collectSamples, type TargetSampleInput } from '../../src/web/prom-samples.js';
import { SCOPE_LABELS, type ScopeContexts } from '../../src/web/prom-scopes.js';
import type { TargetUpdate } from '../../src/monitor/types.js';
import type { InstanceSnapshot, Snapshot } from '../../src/stats/snapshot.js';
import { copy, emperor, inst, router, sample } from '../support/metrics-fixtures.js';

function live(target: string, snapshot: Snapshot, derived: TargetUpdate['derived'] = null): TargetUpdate {
  return { target, seq: 2, state: { state: 'live' }, snapshot, derived, events: [], error: null };
}

/** What /proc and sock_diag say about a local instance: every worker's process, the master, each socket's kernel queue. */
function withOsFacts(snap: InstanceSnapshot): InstanceSnapshot {
  const proc = (pid: number) => ({ pid, cpuTicks: 250, rssBytes: 20 << 20, vszBytes: 80 << 20 });
  return {
    ...snap,
    os: { local: true, note: 'local: /proc/PID/stat', master: proc(snap.doc.pid), workers: snap.doc.workers.map((w) => proc(w.pid)), sockets: snap.doc.sockets.map(() => ({ queue: 1, maxQueue: 100 })) },
  };
}

/** Every kind of document, each with everything it can say: the idle instance's next read adds what its set-up lacked. */
function richInputs(): TargetSampleInput[] {
  const idle = sample('instance-idle.json');
  const next = copy(idle);
  // Two requests finished since the last read (interval means), a newer uWSGI's USS/PSS, a spooler with work.
  next.workers[0].requests += 2;
  next.workers[0].avg_rt = 90;
  for (const w of next.workers) Object.assign(w, { uss: 9 << 20, pss: 10 << 20 });
  next.spoolers = [{ dir: '/var/spool/app', pid: 4242, tasks: 3, respawns: 0, running: 0 }];
  const before = inst(idle, 0, 'app');
  const after = withOsFacts(inst(next, 2000, 'app'));
  return [
    { target: 'app', update: live('app', after, derive(before, after)), reads: { reads: 2, errors: 0, seconds: 0.002 } },
    { target: 'lord', update: live('lord', inst(sample('legion-lord.json'), 0)) },
    { target: 'emperor', update: live('emperor', emperor(sample('emperor.json'), 0)) },
    { target: 'router', update: live('router', router(sample('fastrouter.json'), 0)) },
  ];
}

describe('the Prometheus family registry', () => {
  it('gives every family samples from real documents, labelled by its scope, with nothing else to write', () => {
    // The instance has four workers: with three listed, the fourth is counted as omitted.
    const samples = collectSamples(richInputs(), Date.now(), { cores: true, maxWorkers: 3 });
    const silent = FAMILIES.filter((f) => (samples.get(f.name)?.length ?? 0) === 0).map((f) => f.name);
    expect(silent).toEqual([]);
    for (const family of FAMILIES) {
      const labelNames = ['target', 'stats_uri', ...SCOPE_LABELS[family.scope].names];
      for (const s of samples.get(family.name)!) expect(Object.keys(s.labels), family.name).toEqual(labelNames);
    }
    expect(new Set(FAMILIES.map((f) => f.name)).size).toBe(FAMILIES.length);
  });

  it('leaves per-core families out unless asked, and the documents decide the rest', () => {
    const samples = collectSamples(richInputs(), Date.now());
    const perCore = FAMILIES.filter((f) => f.scope === 'core');
    expect(perCore.length).toBeGreaterThan(0);
    for (const family of perCore) expect(samples.get(family.name), family.name).toBeUndefined();
    expect(samples.get('uwsgi_spooler_tasks')!.map((s) => [s.labels.dir, s.value])).toEqual([['/var/spool/app', 3]]);
  });

  it('refuses a getter written for another scope at compile time', () => {
    const workerRequests = (ctx: ScopeContexts['worker']): number => ctx.worker.requests;
    // @ts-expect-error a worker's getter cannot be a socket family's: a socket has no worker
    const misplaced = gauge('socket', 'uwsgi_socket_requests', 'Requests of a socket?', workerRequests);
    // @ts-expect-error a cache has no `worker` to read
    const unknownField = counter('cache', 'uwsgi_cache_worker_total', 'Worker of a cache?', ({ worker }) => worker.requests);
    const fine = counter('worker', 'uwsgi_worker_requests_total', 'Total number of requests.', workerRequests);
    expect([misplaced.scope, unknownField.scope, fine.scope]).toEqual(['socket', 'cache', 'worker']);
  });
});

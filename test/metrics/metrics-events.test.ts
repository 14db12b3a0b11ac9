// @module-tag calendar
import { describe, expect, it } from 'vitest';
import { derive } from '../../src/metrics/derive.js';
import { detectEvents } from '../../src/metrics/events.js';
import type { ChainReloadState, EventMemory, EventOptions, EventType, MonitorEvent } from '../../src/metrics/types.js';
import type { Snapshot } from '../../src/stats/snapshot.js';
import { copy, emperor, inst, router, sample } from '../support/metrics-fixtures.js';
import { SAMPLE_EPOCH_MS } from '../support/samples.js';

/** Events between two snapshots, with the derived values the monitor would pass (options and memory in one object). */
function events(prev: Snapshot | null, cur: Snapshot, given: EventOptions & EventMemory = {}): MonitorEvent[] {
  return detectEvents(prev, cur, derive(prev, cur), given, given);
}

function ofType(list: MonitorEvent[], type: EventType): MonitorEvent[] {
  return list.filter((e) => e.type === type);
}

describe('events: instance life', () => {
  it('the first read produces no event', () => {
    expect(events(null, inst(sample('instance-busy.json'), 0))).toEqual([]);
  });

  it('unchanged documents produce no event', () => {
    const a = sample('instance-busy.json');
    expect(events(inst(a, 0), inst(copy(a), 1000))).toEqual([]);
  });

  it('a new master pid is one instance-restarted event, not one per worker', () => {
    const a = sample('instance-idle.json');
    const b = copy(a);
    b.pid = a.pid + 50;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    b.workers.forEach((w: any, k: number) => (w.pid = 20000 + k));
    const cur = inst(b, 1000);
    const list = events(inst(a, 0), cur);
    expect(list.map((e) => e.type)).toEqual(['instance-restarted']);
    expect(list[0]!.data).toMatchObject({ oldPid: a.pid, newPid: b.pid });
    expect(list[0]!.message).toContain(String(b.pid));
    expect(list[0]!.atMs).toBe(cur.readAtMs);
    expect(list[0]!.target).toBe(cur.target);
  });

  it('every worker replaced in one interval is one workers-reloaded event', () => {
    const a = sample('instance-idle.json');
    const b = copy(a);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    b.workers.forEach((w: any, k: number) => {
      w.pid = 20000 + k;
      w.respawn_count += 1;
      w.delta_requests = 0;
    });
    const list = events(inst(a, 0), inst(b, 1000));
    expect(list.map((e) => e.type)).toEqual(['workers-reloaded']);
    expect(list[0]!.data).toMatchObject({ count: a.workers.length });
  });
});

describe('events: worker respawns and their likely cause', () => {
  function respawn(edit: (prev: any, cur: any) => void, options?: EventOptions & EventMemory): MonitorEvent[] {
    const a = sample('instance-idle.json');
    const b = copy(a);
    b.workers[1].pid = a.workers[1].pid + 1000;
    b.workers[1].respawn_count += 1;
    b.workers[1].delta_requests = 0;
    edit(a.workers[1], b.workers[1]);
    return events(inst(a, 0), inst(b, 1000), options);
  }

  it('a killed worker (pid changed, nothing else) respawned because it died', () => {
    const list = respawn(() => {});
    expect(list.map((e) => e.type)).toEqual(['worker-respawned']);
    expect(list[0]!.data).toMatchObject({ slot: 2, cause: 'died' });
    expect(list[0]!.severity).toBe('warn');
    expect(list[0]!.message).toMatch(/worker 2 respawned \(died\)/);
  });

  it('harakiri_count going up names harakiri', () => {
    const list = respawn((_p, c) => (c.harakiri_count += 1));
    expect(list[0]!.data).toMatchObject({ slot: 2, cause: 'harakiri' });
    expect(list[0]!.severity).toBe('error');
  });

  it('a worker that reached --max-requests (given) names max-requests', () => {
    const list = respawn(
      (p, c) => {
        p.delta_requests = 97;
        p.requests = 500;
        c.requests = 503; // 3 more before it exited, then none in the new life
      },
      { maxRequests: 100 },
    );
    expect(list[0]!.data).toMatchObject({ cause: 'max-requests', requestsServed: 97 + 3 });
  });

  it('a high delta_requests before the respawn is a likely max-requests recycle', () => {
    const list = respawn((p, c) => {
      p.delta_requests = 5000;
      p.requests = 5000;
      c.requests = 5000;
    });
    expect(list[0]!.data).toMatchObject({ cause: 'max-requests', requestsServed: 5000 });
  });

  it('earlier lives that all ended at the same count are a max-requests recycle', () => {
    const list = respawn((p, c) => {
      // Two earlier lives of 40 requests each, then this one reaches 40 too and the new life served 2.
      p.respawn_count = 3;
      p.requests = 2 * 40 + 38;
      p.delta_requests = 38;
      c.respawn_count = 4;
      c.requests = 3 * 40 + 2;
      c.delta_requests = 2;
    });
    expect(list[0]!.data).toMatchObject({ cause: 'max-requests', requestsServed: 40 });
  });

  it('a worker that served few requests and had no harakiri just died', () => {
    const list = respawn((p, c) => {
      p.delta_requests = 12;
      c.requests = p.requests + 1;
    });
    expect(list[0]!.data).toMatchObject({ cause: 'died', requestsServed: 13 });
  });
});

describe('events: chain reload progress', () => {
  it('counts workers replaced one at a time until all N are new', () => {
    const chain: ChainReloadState = { replacedSlots: [], lastReplacementMs: 0 };
    const docs = [sample('instance-idle.json')];
    const n = docs[0].workers.length;
    for (let k = 0; k < n; k++) {
      const next = copy(docs[docs.length - 1]);
      next.workers[k].pid += 5000;
      next.workers[k].respawn_count += 1;
      docs.push(next);
    }
    const seen: MonitorEvent[][] = [];
    for (let k = 1; k < docs.length; k++) {
      seen.push(events(inst(docs[k - 1], (k - 1) * 1000), inst(docs[k], k * 1000), { chain }));
    }
    // The first replacement alone is a respawn; from the second on it is a chain reload.
    expect(ofType(seen[0]!, 'chain-reload-progress')).toEqual([]);
    expect(ofType(seen[0]!, 'worker-respawned')).toHaveLength(1);
    for (let k = 2; k <= n; k++) {
      const progress = ofType(seen[k - 1]!, 'chain-reload-progress');
      expect(progress).toHaveLength(1);
      expect(progress[0]!.data).toMatchObject({ replaced: k, total: n, done: k === n });
      expect(ofType(seen[k - 1]!, 'worker-respawned')[0]!.data).toMatchObject({ slot: k, cause: 'chain-reload' });
    }
    expect(ofType(seen[n - 1]!, 'chain-reload-progress')[0]!.message).toContain(`all ${n} workers`);
    // The run is recognised at the second replacement, which says the first (worker 1) belonged to it.
    expect(ofType(seen[1]!, 'chain-reload-progress')[0]!.message).toContain("worker 1's respawn just before was its first step");
    if (n > 2) expect(ofType(seen[2]!, 'chain-reload-progress')[0]!.message).not.toContain('first step');
    expect(chain.replacedSlots).toEqual([]); // ready for the next chain reload
  });

  it('a chain reload this tool announced (it wrote the c) owns its very first respawn', () => {
    const chain: ChainReloadState = { replacedSlots: [], lastReplacementMs: 0, announcedAtMs: 0 };
    const a = sample('instance-idle.json');
    const b = copy(a);
    b.workers[0].pid += 5000;
    b.workers[0].respawn_count += 1;
    const first = events(inst(a, 0), inst(b, 1000), { chain });
    expect(ofType(first, 'worker-respawned')[0]!.data).toMatchObject({ slot: 1, cause: 'chain-reload' });
    expect(ofType(first, 'worker-respawned')[0]!.severity).toBe('info');
    expect(ofType(first, 'worker-respawned')[0]!.message).toContain('(chain reload)');
    expect(ofType(first, 'chain-reload-progress')[0]!.message).toMatch(/^chain reload: worker 1 of \d+ replaced$/);
  });

  it('respawns far apart in time are not a chain', () => {
    const chain: ChainReloadState = { replacedSlots: [], lastReplacementMs: 0 };
    const a = sample('instance-idle.json');
    const b = copy(a);
    b.workers[0].pid += 5000;
    const c = copy(b);
    c.workers[1].pid += 5000;
    events(inst(a, 0), inst(b, 1000), { chain, chainTimeoutMs: 60_000 });
    const later = events(inst(b, 1000), inst(c, 1000 + 120_000), { chain, chainTimeoutMs: 60_000 });
    expect(ofType(later, 'chain-reload-progress')).toEqual([]);
    expect(ofType(later, 'worker-respawned')[0]!.data).toMatchObject({ cause: 'died' });
  });

  it('a worker killed 26 s before a chain reload is not counted as its first step', () => {
    const chain: ChainReloadState = { replacedSlots: [], lastReplacementMs: 0 };
    const docs = [sample('instance-idle.json')];
    const step = (mutate: (d: any) => void): void => {
      const next = copy(docs[docs.length - 1]);
      mutate(next);
      docs.push(next);
    };
    step((d) => (d.workers[2].pid += 7000)); // kill -9 of worker 3 at t=1 s
    step((d) => (d.workers[0].pid += 5000)); // chain reload: worker 1 at t=27 s
    step((d) => (d.workers[1].pid += 5000)); // worker 2 at t=28 s
    const times = [0, 1000, 27_000, 28_000];
    const seen = docs.slice(1).map((d, k) => events(inst(docs[k], times[k]!), inst(d, times[k + 1]!), { chain }));
    expect(ofType(seen[0]!, 'worker-respawned')[0]!.data).toMatchObject({ slot: 3, cause: 'died' });
    const progress = ofType(seen[2]!, 'chain-reload-progress');
    expect(progress[0]!.data).toMatchObject({ replaced: 2 });
    expect(progress[0]!.message).toContain("worker 1's respawn just before");
  });
});

describe('events: worker status changes', () => {
  it('pausing workers is one event listing the slots, resuming them another', () => {
    const idle = sample('instance-idle.json');
    const paused = sample('instance-paused.json');
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const slots = paused.workers.flatMap((w: any, k: number) => (w.status === 'pause' ? [k + 1] : []));
    const on = events(inst(idle, 0), inst(paused, 1000));
    const p = ofType(on, 'worker-paused');
    expect(p).toHaveLength(1);
    expect(p[0]!.data).toMatchObject({ count: slots.length, slots: slots.join(', ') });
    const off = events(inst(paused, 1000), inst(idle, 2000));
    const r = ofType(off, 'worker-resumed');
    expect(r).toHaveLength(1);
    expect(r[0]!.data).toMatchObject({ count: slots.length, slots: slots.join(', ') });
  });

  it('a worker going cheap', () => {
    const a = sample('instance-idle.json');
    const b = copy(a);
    b.workers[3].status = 'cheap';
    const list = events(inst(a, 0), inst(b, 1000));
    expect(list.map((e) => e.type)).toEqual(['worker-cheap']);
    expect(list[0]!.message).toBe('worker 4 went cheap');
  });

  it('a worker starting to run a signal handler names the signal', () => {
    const a = sample('instance-idle.json');
    const b = copy(a);
    b.workers[0].status = 'sig17';
    const list = events(inst(a, 0), inst(b, 1000));
    expect(list.map((e) => e.type)).toEqual(['worker-signal']);
    expect(list[0]!.data).toMatchObject({ signal: 17, slots: '1' });
    expect(list[0]!.message).toContain('signal 17');
  });
});

describe('events: alarms', () => {
  it('listen queue crossing the threshold share of max_queue fires once', () => {
    const a = sample('instance-idle.json');
    const max = a.sockets[0].max_queue;
    const b = copy(a);
    b.sockets[0].queue = Math.ceil(max * 0.85);
    b.listen_queue = b.sockets[0].queue;
    const list = events(inst(a, 0), inst(b, 1000));
    const high = ofType(list, 'listen-queue-high');
    expect(high).toHaveLength(1);
    expect(high[0]!.data).toMatchObject({ socket: a.sockets[0].name, queue: b.sockets[0].queue, maxQueue: max });
    // Still high on the next poll: no repeat.
    expect(ofType(events(inst(b, 1000), inst(copy(b), 2000)), 'listen-queue-high')).toEqual([]);
    // With a higher threshold, 85% is fine.
    expect(ofType(events(inst(a, 0), inst(b, 1000), { listenQueueThreshold: 0.9 }), 'listen-queue-high')).toEqual([]);
  });

  it('the instance listen_queue counts when sockets report no backlog', () => {
    const a = sample('instance-idle.json');
    const b = copy(a);
    b.listen_queue = a.sockets[0].max_queue; // full
    const high = ofType(events(inst(a, 0), inst(b, 1000)), 'listen-queue-high');
    expect(high).toHaveLength(1);
    expect(high[0]!.data).toMatchObject({ socket: null, queue: a.sockets[0].max_queue });
  });

  it('every interval with new exceptions counts them, a steady rate too (the log folds them: metrics-fold)', () => {
    const a = sample('instance-idle.json');
    const b = copy(a);
    b.workers[0].exceptions += 10;
    const pa = inst(a, 0);
    const pb = inst(b, 2000);
    const started = ofType(events(pa, pb), 'exceptions-rising');
    expect(started).toHaveLength(1);
    expect(started[0]!.data).toMatchObject({ eps: 10 / 2, count: 10 });
    expect(started[0]!.message).toBe('10 new exceptions (5.00/s)');
    expect(started[0]!.fold).toMatchObject({ key: 'exceptions', count: 10 });
    const previousDerived = derive(pa, pb);
    const c = copy(b);
    c.workers[0].exceptions += 12; // 6/s: steady, still counted
    const steady = ofType(events(pb, inst(c, 4000), { previousDerived }), 'exceptions-rising');
    expect(steady.map((e) => e.data?.['count'])).toEqual([12]);
    // No new exception: nothing.
    expect(ofType(events(inst(c, 4000), inst(copy(c), 6000)), 'exceptions-rising')).toEqual([]);
  });

  it('a cache full counter going up', () => {
    const a = sample('instance-idle.json');
    const b = copy(a);
    b.caches[0].full += 3;
    const list = events(inst(a, 0), inst(b, 1000));
    expect(list.map((e) => e.type)).toEqual(['cache-full']);
    expect(list[0]!.data).toMatchObject({ cache: a.caches[0].name, fullDelta: 3 });
  });
});

describe('events: legions', () => {
  it('lord changed, as seen by a member that becomes lord', () => {
    const a = sample('legion-member.json');
    const b = copy(a);
    const l = b.legions[0];
    l.i_am_the_lord = (SAMPLE_EPOCH_MS / 1000 + 110);
    l.lord_uuid = l.uuid;
    l.lord_valor = l.valor;
    const list = ofType(events(inst(a, 0), inst(b, 1000)), 'legion-lord-changed');
    expect(list).toHaveLength(1);
    expect(list[0]!.data).toMatchObject({ legion: l.legion, oldLord: a.legions[0].lord_uuid, newLord: l.uuid, iAmTheLord: true });
    expect(list[0]!.message).toContain('this node');
  });

  it('a lord displaced by a higher valor: one event naming the new lord, not "this node" (uWSGI clears i_am_the_lord later)', () => {
    const a = sample('legion-lord.json');
    const own = a.legions[0];
    const newcomer = { name: 'vm', uuid: '99999999-8888-7777-6666-555555555555', valor: own.valor + 1, checksum: own.checksum, last_seen: (SAMPLE_EPOCH_MS / 1000 + 110) };
    // The poll right after the newcomer wins, as uWSGI 2.0.21 shows it: lord_uuid moved, i_am_the_lord still set.
    const b = copy(a);
    b.legions[0].members.push(newcomer);
    b.legions[0].lord_uuid = newcomer.uuid;
    b.legions[0].lord_valor = newcomer.valor;
    // Two seconds later uWSGI clears i_am_the_lord.
    const c = copy(b);
    c.legions[0].i_am_the_lord = 0;
    const first = ofType(events(inst(a, 0), inst(b, 1000)), 'legion-lord-changed');
    expect(first).toHaveLength(1);
    expect(first[0]!.message).not.toContain('this node');
    expect(first[0]!.message).toContain(newcomer.uuid);
    expect(first[0]!.data).toMatchObject({ oldLord: own.uuid, newLord: newcomer.uuid, iAmTheLord: false });
    expect(ofType(events(inst(b, 1000), inst(c, 2000)), 'legion-lord-changed')).toEqual([]);
  });

  it('a member joining and one leaving', () => {
    const a = sample('legion-lord.json');
    const b = copy(a);
    const left = b.legions[0].members.shift();
    const joined = { name: 'other', uuid: '11111111-2222-3333-4444-555555555555', valor: 10, checksum: 1, last_seen: (SAMPLE_EPOCH_MS / 1000 + 110) };
    b.legions[0].members.push(joined);
    const list = events(inst(a, 0), inst(b, 1000));
    expect(ofType(list, 'legion-member-joined').map((e) => e.data?.uuid)).toEqual([joined.uuid]);
    expect(ofType(list, 'legion-member-left').map((e) => e.data?.uuid)).toEqual([left.uuid]);
  });

  it('quorum reached and lost as members come and go', () => {
    const a = sample('legion-lord.json');
    a.legions[0].quorum = a.legions[0].members.length + 1; // every node must vote
    const b = copy(a);
    b.legions[0].members.pop();
    const lost = ofType(events(inst(a, 0), inst(b, 1000)), 'legion-quorum');
    expect(lost).toHaveLength(1);
    expect(lost[0]!.data).toMatchObject({ reached: false, votes: a.legions[0].members.length, quorum: a.legions[0].quorum });
    expect(lost[0]!.severity).toBe('error');
    const back = ofType(events(inst(b, 1000), inst(a, 2000)), 'legion-quorum');
    expect(back[0]!.data).toMatchObject({ reached: true });
  });
});

describe('events: emperor vassals', () => {
  it('spawned, respawned, cursed and gone', () => {
    const a = sample('emperor.json');
    const b = copy(a);
    const gone = b.vassals.pop();
    b.vassals[0].pid += 100;
    b.vassals[0].respawns += 1;
    b.vassals[1].cursed = (SAMPLE_EPOCH_MS / 1000 + 110);
    b.vassals.push({ ...copy(a.vassals[0]), id: 'app9.ini', pid: 9999 });
    const list = events(emperor(a, 0), emperor(b, 1000));
    expect(ofType(list, 'vassal-respawned').map((e) => e.data?.vassal)).toEqual([a.vassals[0].id]);
    expect(ofType(list, 'vassal-cursed').map((e) => e.data?.vassal)).toEqual([a.vassals[1].id]);
    expect(ofType(list, 'vassal-spawned').map((e) => e.data?.vassal)).toEqual(['app9.ini']);
    expect(ofType(list, 'vassal-gone').map((e) => e.data?.vassal)).toEqual([gone.id]);
  });
});

describe('events: a vassal the Emperor drops and adds back', () => {
  it('reports its return as a respawn, not as a new vassal', () => {
    const a = sample('emperor.json');
    const away = copy(a);
    const killed = away.vassals.shift();
    const back = copy(a);
    back.vassals[0].pid = killed.pid + 7;
    const goneVassals = new Map<string, { pid: number; atMs: number }>();
    const first = events(emperor(a, 0), emperor(away, 1000), { goneVassals });
    expect(ofType(first, 'vassal-gone').map((e) => e.data?.vassal)).toEqual([killed.id]);
    const second = events(emperor(away, 1000), emperor(back, 4000), { goneVassals });
    expect(ofType(second, 'vassal-spawned')).toEqual([]);
    const respawn = ofType(second, 'vassal-respawned');
    expect(respawn.map((e) => e.data)).toEqual([{ vassal: killed.id, oldPid: killed.pid, newPid: killed.pid + 7, respawns: back.vassals[0].respawns }]);
    expect(respawn[0]!.message).toContain('after 3s away');
    // Without the memory (a vassal never seen before), it is a new one.
    expect(ofType(events(emperor(away, 1000), emperor(back, 4000)), 'vassal-spawned').map((e) => e.data?.vassal)).toEqual([killed.id]);
  });
});

describe('events: subscription nodes', () => {
  it('added, removed, failing and marked dead', () => {
    const a = sample('fastrouter.json');
    const b = copy(a);
    const removed = b.subscriptions[2].nodes.pop();
    b.subscriptions[0].nodes[0].failcnt += 2;
    b.subscriptions[1].nodes[0].death_mark = 1;
    b.subscriptions[0].nodes.push({ ...copy(a.subscriptions[0].nodes[0]), name: '127.0.0.1:19299' });
    const list = events(router(a, 0), router(b, 1000));
    expect(ofType(list, 'node-failing').map((e) => e.data)).toEqual([
      { key: a.subscriptions[0].key, node: a.subscriptions[0].nodes[0].name, failcnt: 2 },
    ]);
    expect(ofType(list, 'node-dead').map((e) => e.data?.node)).toEqual([a.subscriptions[1].nodes[0].name]);
    expect(ofType(list, 'node-added').map((e) => e.data?.node)).toEqual(['127.0.0.1:19299']);
    expect(ofType(list, 'node-removed').map((e) => e.data)).toEqual([{ key: a.subscriptions[2].key, node: removed.name }]);
  });
});

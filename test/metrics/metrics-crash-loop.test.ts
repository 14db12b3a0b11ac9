// @module-tag calendar
import { describe, expect, it } from 'vitest';
import { derive } from '../../src/metrics/derive.js';
import { createEventMemory, detectEvents } from '../../src/metrics/events.js';
import type { MonitorEvent } from '../../src/metrics/types.js';
import type { Snapshot } from '../../src/stats/snapshot.js';
import { copy, inst, sample } from '../support/metrics-fixtures.js';

/** Polls one second apart in which worker 2 gets a new pid `respawnsPerPoll` times per poll, serving nothing. */
function loop(polls: number, respawnsPerPoll: number): MonitorEvent[] {
  const memory = createEventMemory();
  const raw = sample('instance-idle.json');
  let prev: Snapshot = inst(raw, 0);
  const all: MonitorEvent[] = [];
  for (let k = 1; k <= polls; k++) {
    const next = copy(raw);
    next.workers[1].pid = 40000 + k;
    next.workers[1].respawn_count = raw.workers[1].respawn_count + k * respawnsPerPoll;
    next.workers[1].accepting = 0;
    const cur = inst(next, k * 1000);
    all.push(...detectEvents(prev, cur, derive(prev, cur), {}, memory));
    prev = cur;
  }
  return all;
}

describe('events: a crash loop is one event that counts', () => {
  it('a slot respawning every poll without serving: one crash-loop event with the count and window, no respawn event per poll after it', () => {
    const list = loop(12, 1);
    const loops = list.filter((e) => e.type === 'worker-crash-loop');
    expect(loops.map((e) => e.message)).toEqual(['worker 2 crash-looping: 3 respawns in 2 s']);
    expect(loops[0]!.severity).toBe('error');
    // The respawns before it was recognised are reported as they happened; none after.
    const respawned = list.filter((e) => e.type === 'worker-respawned');
    expect(respawned).toHaveLength(2);
    expect(list.indexOf(respawned.at(-1)!)).toBeLessThan(list.indexOf(loops[0]!));
  });

  it('several respawns between two reads count each (respawn_count), and a reminder comes at most every 30 s', () => {
    const list = loop(45, 2).filter((e) => e.type === 'worker-crash-loop');
    expect(list[0]!.message).toBe('worker 2 crash-looping: 4 respawns in 1 s');
    expect(list.map((e) => e.message).slice(1)).toEqual(['worker 2 still crash-looping: 64 respawns in 31 s']);
  });

  it('one respawn (a chain reload) is no crash loop', () => {
    expect(loop(1, 1).filter((e) => e.type === 'worker-crash-loop')).toEqual([]);
  });
});

describe('events: a chain reload that replaced every worker with one that has no application', () => {
  it('says so on its "complete" event, as an error', () => {
    const memory = createEventMemory();
    const raw = sample('instance-idle.json');
    let prev: Snapshot = inst(raw, 0);
    const all: MonitorEvent[] = [];
    memory.chain.announcedAtMs = 0;
    // One worker replaced per poll, each new one without an application (this tool wrote the c).
    raw.workers.forEach((_w: unknown, i: number) => {
      const next = copy(raw);
      for (let j = 0; j <= i; j++) {
        next.workers[j].pid = 50000 + j;
        next.workers[j].apps = [];
      }
      const cur = inst(next, (i + 1) * 1000);
      all.push(...detectEvents(prev, cur, derive(prev, cur), {}, memory));
      prev = cur;
    });
    const complete = all.find((e) => e.type === 'chain-reload-progress' && e.data?.['done'] === true);
    expect(complete?.message).toBe(`chain reload complete: all ${raw.workers.length} workers replaced, ${raw.workers.length} without an application (requests get 500)`);
    expect(complete?.severity).toBe('error');
  });
});

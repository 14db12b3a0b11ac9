/**
 * Events from two consecutive snapshots of one target: a restart, then the events of the document's family
 * (instance workers and alarms, legions, Emperor vassals, router nodes). Pure except for the EventMemory the
 * caller owns and passes in, which carries what two snapshots alone cannot tell (chain reload runs, vassals
 * seen gone, the last exceptions alert).
 */
import type { Snapshot } from '../stats/snapshot.js';
import type { Derived, EventMemory, EventOptions, MonitorEvent } from './types.js';
import { emitterFor } from './event-emit.js';
import { respawnEvents, statusEvents } from './events-workers.js';
import { crashLoopEvents } from './events-crash.js';
import { cacheEvents, daemonEvents, exceptionEvents, listenQueueEvents } from './events-instance.js';
import { legionEvents } from './events-legion.js';
import { effectiveDocument } from './kernel-queue.js';
import { vassalEvents } from './events-emperor.js';
import { nodeEvents } from './events-router.js';

export type { EventOptions, EventMemory, ChainReloadState, RespawnCause } from './types.js';

/** A memory with every part present: what a monitor keeps for one target across polls. */
export function createEventMemory(): Required<EventMemory> {
  return {
    previousDerived: null,
    chain: { replacedSlots: [], lastReplacementMs: 0 },
    goneVassals: new Map(),
    exceptionAlert: { atMs: -Infinity, eps: 0 },
    crashLoops: new Map(),
  };
}

/**
 * Events between two consecutive snapshots of one target (prev null = first read). `memory` is read and
 * updated in place; a part left out turns off what it tracks (no chain reload runs, every exception rise).
 */
export function detectEvents(
  prev: Snapshot | null,
  cur: Snapshot,
  derived: Derived,
  options: EventOptions = {},
  memory: EventMemory = {},
): MonitorEvent[] {
  const events: MonitorEvent[] = [];
  if (prev === null) return events;
  const emit = emitterFor(cur, events);

  if (derived.restarted || prev.kind !== cur.kind) {
    if (memory.chain) memory.chain.replacedSlots.length = 0;
    const what = cur.kind === 'instance' ? 'instance' : cur.kind === 'emperor' ? 'emperor' : 'router';
    const why =
      prev.kind !== cur.kind
        ? `now answers as ${cur.kind} (was ${prev.kind})`
        : prev.doc.pid !== cur.doc.pid
          ? `new master pid ${cur.doc.pid}, was ${prev.doc.pid}`
          : 'counters started over (reload)';
    emit('instance-restarted', 'warn', `${what} restarted: ${why}`, {
      oldPid: prev.doc.pid,
      newPid: cur.doc.pid,
    });
    // Everything else compares two lives of the program: every worker, vassal or node would "change".
    return events;
  }

  if (prev.kind === 'instance' && cur.kind === 'instance') {
    const poll = { prev: prev.doc, cur: cur.doc, monotonicMs: cur.monotonicMs, options, memory, emit };
    const looping = crashLoopEvents(poll);
    const before = events.length;
    respawnEvents(poll);
    // A looping slot has its one crash-loop event: not one "respawned (died)" per poll besides.
    if (looping.size > 0) {
      const mine = events.slice(before);
      const others = mine.some((e) => e.type === 'worker-respawned' && !looping.has(Number(e.data?.['slot'])));
      // Chain progress that only counts a looping slot's respawns again is the same loop: left out as well.
      const kept = mine.filter((e) => !(e.type === 'worker-respawned' && looping.has(Number(e.data?.['slot']))) && (others || e.type !== 'chain-reload-progress'));
      events.splice(before, events.length - before, ...kept);
    }
    statusEvents(prev.doc, cur.doc, emit);
    // With the kernel's queues of unix sockets, for which uWSGI reports 0/0.
    listenQueueEvents(effectiveDocument(prev), effectiveDocument(cur), options, emit);
    exceptionEvents(derived, cur.monotonicMs, options, memory, emit);
    cacheEvents(prev.doc, cur.doc, emit);
    daemonEvents(prev.doc, cur.doc, emit);
    legionEvents(prev.doc.legions, cur.doc.legions, emit);
  } else if (prev.kind === 'emperor' && cur.kind === 'emperor') {
    vassalEvents(prev.doc, cur.doc, cur.readAtMs, memory, emit);
  } else if (prev.kind === 'router' && cur.kind === 'router') {
    nodeEvents(prev.doc, cur.doc, emit);
  }
  return events;
}

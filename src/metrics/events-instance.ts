/**
 * Instance-wide alarms: a listen queue crossing its threshold, exceptions (every one counted, folded while
 * they keep coming), and caches refusing stores (folded while the cache stays full).
 */
import type { InstanceDocument } from '../stats/snapshot.js';
import type { Derived, EventMemory, EventOptions } from './types.js';
import type { Emit } from './event-emit.js';

const DEFAULT_LISTEN_QUEUE_THRESHOLD = 0.8;

function queueRatio(queue: number | null, max: number): number | null {
  if (queue === null || !(max > 0)) return null;
  return queue / max;
}

/** Fires when a queue crosses the threshold upwards, not on every poll it stays above. */
export function listenQueueEvents(prev: InstanceDocument, cur: InstanceDocument, options: EventOptions, emit: Emit): void {
  const threshold = options.listenQueueThreshold ?? DEFAULT_LISTEN_QUEUE_THRESHOLD;
  let fired = false;
  for (const s of cur.sockets) {
    const r = queueRatio(s.queue, s.maxQueue);
    if (r === null || r < threshold) continue;
    const ps = prev.sockets.find((x) => x.name === s.name);
    const pr = ps ? queueRatio(ps.queue, ps.maxQueue) : null;
    if (pr !== null && pr >= threshold) continue;
    fired = true;
    const kernel = s.queueFrom === 'kernel';
    emit('listen-queue-high', 'warn', `listen queue of ${s.name} at ${s.queue}/${s.maxQueue} (${Math.round(r * 100)}%${kernel ? ', from the kernel' : ''})`, {
      socket: s.name,
      queue: s.queue,
      maxQueue: s.maxQueue,
      ...(kernel ? { from: 'kernel' } : {}),
    });
  }
  if (fired) return;
  // Sockets of some kinds report no backlog themselves; the instance-wide listen_queue still does (Linux).
  const max = Math.max(0, ...cur.sockets.map((s) => s.maxQueue));
  const r = queueRatio(cur.listenQueue, max);
  if (r === null || r < threshold) return;
  const pr = queueRatio(prev.listenQueue, Math.max(0, ...prev.sockets.map((s) => s.maxQueue)));
  if (pr !== null && pr >= threshold) return;
  emit('listen-queue-high', 'warn', `listen queue at ${cur.listenQueue}/${max} (${Math.round(r * 100)}%)`, {
    socket: null,
    queue: cur.listenQueue,
    maxQueue: max,
  });
}

/**
 * Every exception counted: an event for each interval with new exceptions, folding into one event with the
 * running total while they keep coming (src/metrics/event-fold.ts), rather than an alert that then goes quiet.
 */
export function exceptionEvents(derived: Derived, _atMs: number, _options: EventOptions, memory: EventMemory, emit: Emit): void {
  const eps = derived.instance?.eps ?? null;
  const seconds = derived.intervalSeconds;
  if (eps === null || eps <= 0 || seconds === null) return;
  const before = memory.previousDerived?.instance?.eps ?? null;
  const count = Math.round(eps * seconds);
  const rate = eps >= 10 ? eps.toFixed(0) : eps.toFixed(2);
  emit('exceptions-rising', 'warn', `${count} new exception${count === 1 ? '' : 's'} (${rate}/s)`, { eps, previousEps: before, count }, {
    key: 'exceptions',
    what: 'exceptions',
    count,
    unit: 'exception',
    units: 'exceptions',
  });
}

/** A cache whose `full` counter grew: stores were refused. */
export function cacheEvents(prev: InstanceDocument, cur: InstanceDocument, emit: Emit): void {
  for (const c of cur.caches) {
    const pc = prev.caches.find((x) => x.name === c.name);
    if (pc === undefined || c.full <= pc.full) continue;
    const d = c.full - pc.full;
    emit('cache-full', 'warn', `cache ${c.name} full: ${d} store${d === 1 ? '' : 's'} refused (${c.items}/${c.maxItems} items)`, {
      cache: c.name,
      fullDelta: d,
      items: c.items,
      maxItems: c.maxItems,
    }, { key: `cache:${c.name}`, what: `cache ${c.name} full`, count: d, unit: 'store refused', units: 'stores refused' });
  }
}

/** An --attach-daemon child with a new pid was respawned by the master (uWSGI's own respawns counter may not move). */
export function daemonEvents(prev: InstanceDocument, cur: InstanceDocument, emit: Emit): void {
  cur.daemons.forEach((d, i) => {
    const p = prev.daemons[i];
    if (p === undefined || p.cmd !== d.cmd || p.pid === d.pid) return;
    emit('daemon-respawned', 'warn', d.pid > 0 ? `daemon ${d.cmd} respawned: pid ${p.pid} -> ${d.pid}` : `daemon ${d.cmd} stopped (was pid ${p.pid})`, {
      index: i, oldPid: p.pid, newPid: d.pid,
    });
  });
}

/**
 * Instance-wide alarms: a listen queue crossing its threshold, exceptions starting or rising (quietened
 * by EventMemory.exceptionAlert), and caches refusing stores.
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

/** Exceptions started (none in the interval before) or at least doubled since the interval before. */
export function exceptionEvents(derived: Derived, atMs: number, options: EventOptions, memory: EventMemory, emit: Emit): void {
  const previous = memory.previousDerived ?? null;
  const eps = derived.instance?.eps ?? null;
  const seconds = derived.intervalSeconds;
  if (eps === null || eps <= 0 || seconds === null) return;
  const before = previous?.instance?.eps ?? null;
  if (before !== null && before > 0 && eps < 2 * before) return;
  const last = memory.exceptionAlert;
  // Within the quiet minute only a real burst speaks: twice the alerted rate, and a handful of exceptions
  // (one then two exceptions a second is noise, not news).
  const burst = eps >= 2 * (last?.eps ?? 0) && Math.round(eps * seconds) >= 5;
  if (last !== undefined && atMs - last.atMs < (options.exceptionQuietMs ?? 60_000) && !burst) return;
  if (last !== undefined) {
    last.atMs = atMs;
    last.eps = eps;
  }
  const count = Math.round(eps * seconds);
  const rate = eps >= 10 ? eps.toFixed(0) : eps.toFixed(2);
  const msg =
    before !== null && before > 0
      ? `exceptions rising: ${rate}/s (was ${before >= 10 ? before.toFixed(0) : before.toFixed(2)}/s)`
      : `${count} new exception${count === 1 ? '' : 's'} (${rate}/s)`;
  emit('exceptions-rising', 'warn', msg, { eps, previousEps: before, count });
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
    });
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

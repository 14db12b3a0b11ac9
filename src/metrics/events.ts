/**
 * Events from two consecutive snapshots of one target: restarts, respawns and their likely cause, status
 * changes, chain reload progress, queue and error alarms, caches, legions, vassals and subscription nodes.
 * Pure except for the optional chain reload state the caller owns (EventOptions.chain).
 */
import type {
  Snapshot,
  InstanceDocument,
  EmperorDocument,
  RouterDocument,
  Worker,
  Legion,
} from '../stats/snapshot.js';
import type {
  Derived,
  EventOptions,
  EventSeverity,
  EventType,
  MonitorEvent,
  RespawnCause,
} from './types.js';

export type { EventOptions, ChainReloadState, RespawnCause } from './types.js';

const DEFAULT_LISTEN_QUEUE_THRESHOLD = 0.8;
const DEFAULT_HIGH_DELTA_REQUESTS = 1000;
const DEFAULT_CHAIN_TIMEOUT_MS = 60_000;
const CHAIN_FIRST_STEP_GAP_MS = 15_000;

type Emit = (type: EventType, severity: EventSeverity, message: string, data?: MonitorEvent['data']) => void;

/** Events between two consecutive snapshots of one target (prev null = first read). */
export function detectEvents(
  prev: Snapshot | null,
  cur: Snapshot,
  derived: Derived,
  options: EventOptions = {},
): MonitorEvent[] {
  const events: MonitorEvent[] = [];
  if (prev === null) return events;
  const emit: Emit = (type, severity, message, data) => {
    const ev: MonitorEvent = { atMs: cur.readAtMs, target: cur.target, type, severity, message };
    if (data !== undefined) ev.data = data;
    events.push(ev);
  };

  if (derived.restarted || prev.kind !== cur.kind) {
    if (options.chain) options.chain.replacedSlots.length = 0;
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
    instanceEvents(prev.doc, cur.doc, cur.monotonicMs, derived, options, emit);
  } else if (prev.kind === 'emperor' && cur.kind === 'emperor') {
    vassalEvents(prev.doc, cur.doc, cur.readAtMs, options.goneVassals, emit);
  } else if (prev.kind === 'router' && cur.kind === 'router') {
    nodeEvents(prev.doc, cur.doc, emit);
  }
  return events;
}

function instanceEvents(
  prev: InstanceDocument,
  cur: InstanceDocument,
  monotonicMs: number,
  derived: Derived,
  options: EventOptions,
  emit: Emit,
): void {
  respawnEvents(prev, cur, monotonicMs, options, emit);
  statusEvents(prev, cur, emit);
  listenQueueEvents(prev, cur, options.listenQueueThreshold ?? DEFAULT_LISTEN_QUEUE_THRESHOLD, emit);
  exceptionEvents(derived, options.previousDerived ?? null, monotonicMs, options, emit);
  cacheEvents(prev, cur, emit);
  legionEvents(prev.legions, cur.legions, emit);
}

/** Requests a worker served in the life that just ended: its delta before plus what it served after the last poll. */
function requestsAtDeath(p: Worker, w: Worker): number {
  const servedInInterval = Math.max(0, w.requests - p.requests);
  return Math.max(0, p.deltaRequests + servedInInterval - w.deltaRequests);
}

function respawnCause(p: Worker, w: Worker, options: EventOptions): { cause: RespawnCause; served: number } {
  const served = requestsAtDeath(p, w);
  if (w.harakiriCount > p.harakiriCount) return { cause: 'harakiri', served };
  if (options.maxRequests !== undefined && options.maxRequests > 0) {
    return { cause: served >= options.maxRequests ? 'max-requests' : 'died', served };
  }
  // Every earlier life ended at the same count: the signature of --max-requests (respawn_count is 1 at first spawn).
  const earlierLives = p.respawnCount - 1;
  const sameAsEarlier = earlierLives >= 1 && served > 0 && p.requests - p.deltaRequests === earlierLives * served;
  if (sameAsEarlier || served >= (options.highDeltaRequests ?? DEFAULT_HIGH_DELTA_REQUESTS)) {
    return { cause: 'max-requests', served };
  }
  return { cause: 'died', served };
}

function respawnEvents(
  prev: InstanceDocument,
  cur: InstanceDocument,
  monotonicMs: number,
  options: EventOptions,
  emit: Emit,
): void {
  const n = Math.min(prev.workers.length, cur.workers.length);
  const respawned: Array<[Worker, Worker]> = [];
  let eligible = 0;
  for (let i = 0; i < n; i++) {
    const p = prev.workers[i]!;
    const w = cur.workers[i]!;
    // A slot coming back from cheap mode (pid 0 before) is a spawn, not a respawn.
    if (p.pid <= 0 || w.pid <= 0 || p.status === 'cheap') continue;
    eligible++;
    if (p.pid !== w.pid) respawned.push([p, w]);
  }
  const chain = options.chain;
  // A lone earlier respawn (a worker killed a while ago) must not count as a chain reload's first step: the
  // first two steps of a chain reload follow each other closely, later ones may wait on slow requests.
  const gap = chain ? monotonicMs - chain.lastReplacementMs : 0;
  const limit = chain && chain.replacedSlots.length === 1 ? CHAIN_FIRST_STEP_GAP_MS : options.chainTimeoutMs ?? DEFAULT_CHAIN_TIMEOUT_MS;
  if (chain && chain.replacedSlots.length > 0 && gap > limit) {
    chain.replacedSlots.length = 0;
  }
  if (respawned.length === 0) return;

  const anyHarakiri = respawned.some(([p, w]) => w.harakiriCount > p.harakiriCount);
  if (eligible >= 2 && respawned.length === eligible && !anyHarakiri) {
    if (chain) chain.replacedSlots.length = 0;
    emit('workers-reloaded', 'info', `all ${eligible} workers reloaded`, { count: eligible });
    return;
  }

  let inChain = false;
  if (chain) {
    for (const [, w] of respawned) if (!chain.replacedSlots.includes(w.slot)) chain.replacedSlots.push(w.slot);
    chain.lastReplacementMs = monotonicMs;
    // One replacement alone is a respawn; the second one confirms workers are being replaced one by one.
    inChain = chain.replacedSlots.length >= 2 && !anyHarakiri;
  }

  for (const [p, w] of respawned) {
    const guess = respawnCause(p, w, options);
    const cause: RespawnCause = inChain && guess.cause === 'died' ? 'chain-reload' : guess.cause;
    const severity: EventSeverity = cause === 'harakiri' ? 'error' : cause === 'died' ? 'warn' : 'info';
    const why =
      cause === 'harakiri'
        ? 'harakiri'
        : cause === 'max-requests'
          ? `max-requests, after ${guess.served} requests`
          : cause === 'chain-reload'
            ? 'chain reload'
            : 'died';
    emit('worker-respawned', severity, `worker ${w.slot} respawned (${why}): pid ${p.pid} -> ${w.pid}`, {
      slot: w.slot,
      oldPid: p.pid,
      newPid: w.pid,
      cause,
      requestsServed: guess.served,
    });
  }

  if (chain && inChain) {
    const k = chain.replacedSlots.length;
    const total = eligible;
    const done = k >= total;
    // The run is only recognised at its second replacement: say that the first, reported alone, was part of it.
    const first = k === respawned.length + 1 ? chain.replacedSlots[0] : undefined;
    const earlier = first !== undefined ? ` (worker ${first}'s respawn just before was its first step)` : '';
    emit(
      'chain-reload-progress',
      'info',
      done ? `chain reload complete: all ${total} workers replaced${earlier}` : `chain reload: worker ${k} of ${total} replaced${earlier}`,
      { replaced: k, total, done },
    );
    if (done) chain.replacedSlots.length = 0;
  }
}

function slotList(slots: number[]): string {
  return slots.join(', ');
}

/** One event per kind of transition per poll, so pausing 64 workers is one line, not 64. */
function statusEvents(prev: InstanceDocument, cur: InstanceDocument, emit: Emit): void {
  const paused: number[] = [];
  const resumed: number[] = [];
  const cheap: number[] = [];
  const signals = new Map<number, number[]>();
  const n = Math.min(prev.workers.length, cur.workers.length);
  for (let i = 0; i < n; i++) {
    const p = prev.workers[i]!;
    const w = cur.workers[i]!;
    if (w.status === 'pause' && p.status !== 'pause') paused.push(w.slot);
    if (p.status === 'pause' && (w.status === 'idle' || w.status === 'busy')) resumed.push(w.slot);
    if (w.status === 'cheap' && p.status !== 'cheap') cheap.push(w.slot);
    if (w.status === 'sig' && (p.status !== 'sig' || p.signal !== w.signal || p.pid !== w.pid)) {
      const key = w.signal ?? -1;
      const list = signals.get(key) ?? [];
      list.push(w.slot);
      signals.set(key, list);
    }
  }
  const group = (type: EventType, severity: EventSeverity, slots: number[], verb: string): void => {
    if (slots.length === 0) return;
    const who = slots.length === 1 ? `worker ${slots[0]}` : `${slots.length} workers (${slotList(slots)})`;
    emit(type, severity, `${who} ${verb}`, { slots: slotList(slots), count: slots.length });
  };
  group('worker-paused', 'warn', paused, 'paused');
  group('worker-resumed', 'info', resumed, 'resumed');
  group('worker-cheap', 'info', cheap, 'went cheap');
  for (const [sig, slots] of signals) {
    const who = slots.length === 1 ? `worker ${slots[0]}` : `${slots.length} workers (${slotList(slots)})`;
    const name = sig >= 0 ? `signal ${sig}` : 'a signal';
    emit('worker-signal', 'info', `${who} running the handler of ${name}`, {
      slots: slotList(slots),
      count: slots.length,
      signal: sig >= 0 ? sig : null,
    });
  }
}

function queueRatio(queue: number | null, max: number): number | null {
  if (queue === null || !(max > 0)) return null;
  return queue / max;
}

/** Fires when a queue crosses the threshold upwards, not on every poll it stays above. */
function listenQueueEvents(prev: InstanceDocument, cur: InstanceDocument, threshold: number, emit: Emit): void {
  let fired = false;
  for (const s of cur.sockets) {
    const r = queueRatio(s.queue, s.maxQueue);
    if (r === null || r < threshold) continue;
    const ps = prev.sockets.find((x) => x.name === s.name);
    const pr = ps ? queueRatio(ps.queue, ps.maxQueue) : null;
    if (pr !== null && pr >= threshold) continue;
    fired = true;
    emit('listen-queue-high', 'warn', `listen queue of ${s.name} at ${s.queue}/${s.maxQueue} (${Math.round(r * 100)}%)`, {
      socket: s.name,
      queue: s.queue,
      maxQueue: s.maxQueue,
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
function exceptionEvents(derived: Derived, previous: Derived | null, atMs: number, options: EventOptions, emit: Emit): void {
  const eps = derived.instance?.eps ?? null;
  const seconds = derived.intervalSeconds;
  if (eps === null || eps <= 0 || seconds === null) return;
  const before = previous?.instance?.eps ?? null;
  if (before !== null && before > 0 && eps < 2 * before) return;
  const last = options.exceptionAlert;
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

function cacheEvents(prev: InstanceDocument, cur: InstanceDocument, emit: Emit): void {
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

/** Votes a node counts: itself plus every member it sees (uWSGI's quorum is a number of votes). */
function quorumReached(l: Legion): boolean {
  return l.members.length + 1 >= l.quorum;
}

function legionEvents(prev: Legion[], cur: Legion[], emit: Emit): void {
  for (const l of cur) {
    const pl = prev.find((x) => x.legion === l.legion);
    if (pl === undefined) continue;
    // The lord is who lord_uuid names (a lord names itself). i_am_the_lord lags behind it: seen on 2.0.21, a lord
    // that a higher valor displaces keeps i_am_the_lord set for ~2 s after lord_uuid names the new lord.
    if (pl.lordUuid !== l.lordUuid) {
      const mine = l.lordUuid !== '' && l.lordUuid === l.uuid;
      const who = mine ? 'this node' : l.lordUuid === '' ? 'nobody' : l.lordUuid;
      emit('legion-lord-changed', 'warn', `legion ${l.legion}: lord is now ${who}${l.lordUuid ? ` (valor ${l.lordValor})` : ''}`, {
        legion: l.legion,
        oldLord: pl.lordUuid,
        newLord: l.lordUuid,
        iAmTheLord: mine,
      });
    }
    const before = new Set(pl.members.map((m) => m.uuid));
    const after = new Set(l.members.map((m) => m.uuid));
    for (const m of l.members) {
      if (!before.has(m.uuid)) {
        emit('legion-member-joined', 'info', `legion ${l.legion}: ${m.name} joined (${m.uuid}, valor ${m.valor})`, {
          legion: l.legion,
          uuid: m.uuid,
          name: m.name,
        });
      }
    }
    for (const m of pl.members) {
      if (!after.has(m.uuid)) {
        emit('legion-member-left', 'warn', `legion ${l.legion}: ${m.name} left (${m.uuid})`, {
          legion: l.legion,
          uuid: m.uuid,
          name: m.name,
        });
      }
    }
    const was = quorumReached(pl);
    const is = quorumReached(l);
    if (was !== is) {
      const votes = l.members.length + 1;
      emit('legion-quorum', is ? 'info' : 'error', `legion ${l.legion}: quorum ${is ? 'reached' : 'lost'} (${votes} of ${l.quorum} votes)`, {
        legion: l.legion,
        reached: is,
        votes,
        quorum: l.quorum,
      });
    }
  }
}

const GONE_VASSAL_MEMORY_MS = 10 * 60_000;
const GONE_VASSAL_MAX = 1000;

function vassalEvents(
  prev: EmperorDocument,
  cur: EmperorDocument,
  atMs: number,
  gone: Map<string, { pid: number; atMs: number }> | undefined,
  emit: Emit,
): void {
  const before = new Map(prev.vassals.map((v) => [v.id, v]));
  const now = new Set(cur.vassals.map((v) => v.id));
  for (const v of cur.vassals) {
    const pv = before.get(v.id);
    if (pv === undefined) {
      const was = gone?.get(v.id);
      gone?.delete(v.id);
      if (was !== undefined && atMs - was.atMs <= GONE_VASSAL_MEMORY_MS) {
        const away = Math.max(0, Math.round((atMs - was.atMs) / 1000));
        emit('vassal-respawned', 'warn', `vassal ${v.id} respawned after ${away}s away: pid ${was.pid} -> ${v.pid}`, {
          vassal: v.id,
          oldPid: was.pid,
          newPid: v.pid,
          respawns: v.respawns,
        });
      } else {
        emit('vassal-spawned', 'info', `vassal ${v.id} spawned (pid ${v.pid})`, { vassal: v.id, pid: v.pid });
      }
      continue;
    }
    if (v.respawns > pv.respawns || (pv.pid > 0 && v.pid > 0 && pv.pid !== v.pid)) {
      emit('vassal-respawned', 'warn', `vassal ${v.id} respawned: pid ${pv.pid} -> ${v.pid}`, {
        vassal: v.id,
        oldPid: pv.pid,
        newPid: v.pid,
        respawns: v.respawns,
      });
    }
    if (v.cursed > 0 && pv.cursed === 0) {
      emit('vassal-cursed', 'error', `vassal ${v.id} cursed (being stopped)`, { vassal: v.id, pid: v.pid });
    }
  }
  for (const pv of prev.vassals) {
    if (now.has(pv.id)) continue;
    emit('vassal-gone', 'warn', `vassal ${pv.id} gone (was pid ${pv.pid})`, { vassal: pv.id, pid: pv.pid });
    if (gone !== undefined) {
      if (gone.size >= GONE_VASSAL_MAX) gone.delete(gone.keys().next().value!);
      gone.set(pv.id, { pid: pv.pid, atMs });
    }
  }
}

function nodeEvents(prev: RouterDocument, cur: RouterDocument, emit: Emit): void {
  const key = (k: string, n: string): string => `${k}\u0000${n}`;
  const before = new Map<string, RouterDocument['subscriptions'][number]['nodes'][number]>();
  for (const s of prev.subscriptions) for (const n of s.nodes) before.set(key(s.key, n.name), n);
  const now = new Set<string>();
  for (const s of cur.subscriptions) {
    for (const n of s.nodes) {
      const k = key(s.key, n.name);
      now.add(k);
      const pn = before.get(k);
      const data = { key: s.key, node: n.name };
      if (pn === undefined) {
        emit('node-added', 'info', `node ${n.name} subscribed to ${s.key}`, data);
        continue;
      }
      if (n.failcnt > pn.failcnt) {
        emit('node-failing', 'warn', `node ${n.name} of ${s.key} failing (${n.failcnt} failures)`, { ...data, failcnt: n.failcnt });
      }
      if (n.deathMark && !pn.deathMark) {
        emit('node-dead', 'error', `node ${n.name} of ${s.key} marked dead`, data);
      }
    }
  }
  for (const s of prev.subscriptions) {
    for (const n of s.nodes) {
      if (!now.has(key(s.key, n.name))) emit('node-removed', 'warn', `node ${n.name} removed from ${s.key}`, { key: s.key, node: n.name });
    }
  }
}

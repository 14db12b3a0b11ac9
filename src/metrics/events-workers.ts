/**
 * Worker events of an instance: respawns and their likely cause, a reload of all workers, chain reload
 * progress (carried across polls in EventMemory.chain), and grouped status changes (paused, resumed,
 * cheap, running a signal handler).
 */
import type { InstanceDocument, Worker } from '../stats/snapshot.js';
import type { EventMemory, EventOptions, EventSeverity, EventType, RespawnCause } from './types.js';
import type { Emit, InstancePoll } from './event-emit.js';

const DEFAULT_HIGH_DELTA_REQUESTS = 1000;
const DEFAULT_CHAIN_TIMEOUT_MS = 60_000;
const CHAIN_FIRST_STEP_GAP_MS = 15_000;

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

/** Respawns (with their likely cause), a reload of all workers, and chain reload progress. */
export function respawnEvents({ prev, cur, monotonicMs, options, memory, emit }: InstancePoll): void {
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
  const chain = memory.chain;
  if (chain) expireChain(chain, monotonicMs, options);
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
    // One replacement alone is a respawn; the second one confirms workers are being replaced one by one,
    // unless this tool wrote the `c` itself: then the first one is the chain reload's already.
    inChain = (chain.replacedSlots.length >= 2 || chain.announcedAtMs !== undefined) && !anyHarakiri;
  }
  emitRespawns(respawned, inChain, options, emit);
  if (chain && inChain) emitChainProgress(chain, prev, cur, eligible, respawned.length, emit);
}

type Chain = NonNullable<EventMemory['chain']>;

/** Forget a chain reload run that went quiet for too long, or was announced and never started. */
function expireChain(chain: Chain, monotonicMs: number, options: EventOptions): void {
  const timeout = options.chainTimeoutMs ?? DEFAULT_CHAIN_TIMEOUT_MS;
  // A lone earlier respawn (a worker killed a while ago) must not count as a chain reload's first step: the
  // first two steps of a chain reload follow each other closely, later ones may wait on slow requests.
  const gap = monotonicMs - chain.lastReplacementMs;
  const announced = chain.announcedAtMs !== undefined;
  const limit = chain.replacedSlots.length === 1 && !announced ? CHAIN_FIRST_STEP_GAP_MS : timeout;
  if (chain.replacedSlots.length > 0 && gap > limit) {
    chain.replacedSlots.length = 0;
    delete chain.announcedAtMs;
  }
  // An announced run that never started (the write failed, nothing respawned) is forgotten after the same time.
  if (chain.announcedAtMs !== undefined && chain.replacedSlots.length === 0 && monotonicMs - chain.announcedAtMs > timeout) {
    delete chain.announcedAtMs;
  }
}

/** One worker-respawned event per replaced slot, with its likely cause. */
function emitRespawns(respawned: Array<[Worker, Worker]>, inChain: boolean, options: EventOptions, emit: Emit): void {
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
}

/** The chain reload's progress, and at its end whether the new workers have their applications. */
function emitChainProgress(chain: Chain, prev: InstanceDocument, cur: InstanceDocument, total: number, justReplaced: number, emit: Emit): void {
  const k = chain.replacedSlots.length;
  const done = k >= total;
  // The run is only recognised at its second replacement: say that the first, reported alone, was part of it.
  const first = k === justReplaced + 1 && chain.announcedAtMs === undefined ? chain.replacedSlots[0] : undefined;
  const earlier = first !== undefined ? ` (worker ${first}'s respawn just before was its first step)` : '';
  // Replaced is not serving: a lazy app that failed to import leaves accepting workers with no application.
  const bare = done && prev.workers.some((w) => w.apps.length > 0) ? cur.workers.filter((w) => w.pid > 0 && w.accepting && w.apps.length === 0).length : 0;
  emit(
    'chain-reload-progress',
    bare > 0 ? 'error' : 'info',
    done
      ? `chain reload complete: all ${total} workers replaced${bare > 0 ? `, ${bare} without an application (requests get 500)` : ''}${earlier}`
      : `chain reload: worker ${k} of ${total} replaced${earlier}`,
    { replaced: k, total, done, ...(bare > 0 ? { withoutApp: bare } : {}) },
  );
  if (done) {
    chain.replacedSlots.length = 0;
    delete chain.announcedAtMs;
  }
}

function slotList(slots: number[]): string {
  return slots.join(', ');
}

/** Status changes: one event per kind of transition per poll, so pausing 64 workers is one line, not 64. */
export function statusEvents(prev: InstanceDocument, cur: InstanceDocument, emit: Emit): void {
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

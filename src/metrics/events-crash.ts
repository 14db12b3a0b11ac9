/**
 * Crash loops: a worker slot respawning again and again without serving (an app that exits at import, a
 * worker killed at start). One event when the loop is recognised, with the count and the window; a reminder
 * at most every 30 s while it goes on; one when it ends. The per-respawn events of a looping slot are left out
 * (see detectEvents), so the log is not one "respawned (died)" per poll.
 */
import type { CrashLoopState } from './types.js';
import type { InstancePoll } from './event-emit.js';
import { CRASH_LOOP_RESPAWNS, CRASH_LOOP_WINDOW_MS, inLoop, loopRespawns } from './crash-loop.js';

export { CRASH_LOOP_RESPAWNS, CRASH_LOOP_WINDOW_MS } from './crash-loop.js';
const REMIND_MS = 30_000;

function span(ms: number): string {
  return ms < 1000 ? `${Math.max(0, Math.round(ms))} ms` : `${Math.round(ms / 1000)} s`;
}

/** Track respawns per slot and report crash loops; returns the slots looping now (their respawn events are dropped). */
export function crashLoopEvents({ prev, cur, monotonicMs, options, memory, emit }: InstancePoll): Set<number> {
  const looping = new Set<number>();
  const slots = memory.crashLoops;
  if (slots === undefined) return looping;
  const need = options.crashLoopRespawns ?? CRASH_LOOP_RESPAWNS;
  const windowMs = options.crashLoopWindowMs ?? CRASH_LOOP_WINDOW_MS;
  const n = Math.min(prev.workers.length, cur.workers.length);
  for (let i = 0; i < n; i++) {
    const p = prev.workers[i]!;
    const w = cur.workers[i]!;
    let state: CrashLoopState | undefined = slots.get(w.slot);
    const respawns = loopRespawns(p, w);
    // A worker that served requests between the two reads is recycling (max-requests), not crashing: it ends a loop.
    const served = w.requests > p.requests;
    if (respawns > 0) {
      state ??= { times: [], sinceMs: null, total: 0, remindedAtMs: 0 };
      slots.set(w.slot, state);
      for (let k = 0; k < respawns; k++) state.times.push(monotonicMs);
    }
    if (state === undefined) continue;
    const loop = inLoop(state.times, monotonicMs, need, windowMs);
    if (state.sinceMs === null) {
      if (loop) {
        state.sinceMs = state.times[0]!;
        state.total = state.times.length;
        state.remindedAtMs = monotonicMs;
        emit('worker-crash-loop', 'error', `worker ${w.slot} crash-looping: ${state.total} respawns in ${span(Math.max(monotonicMs - state.sinceMs, 1000))}`, {
          slot: w.slot, respawns: state.total, windowMs: monotonicMs - state.sinceMs, looping: true,
        });
        looping.add(w.slot);
      } else if (state.times.length === 0) {
        slots.delete(w.slot);
      }
      continue;
    }
    state.total += respawns;
    if (state.times.length === 0 || served) {
      emit('worker-crash-loop', 'info', `worker ${w.slot} crash loop over: ${state.total} respawns in ${span(monotonicMs - state.sinceMs)}, pid ${w.pid} now runs`, {
        slot: w.slot, respawns: state.total, windowMs: monotonicMs - state.sinceMs, looping: false,
      });
      slots.delete(w.slot);
      continue;
    }
    looping.add(w.slot);
    if (monotonicMs - state.remindedAtMs >= REMIND_MS) {
      state.remindedAtMs = monotonicMs;
      emit('worker-crash-loop', 'error', `worker ${w.slot} still crash-looping: ${state.total} respawns in ${span(monotonicMs - state.sinceMs)}`, {
        slot: w.slot, respawns: state.total, windowMs: monotonicMs - state.sinceMs, looping: true,
      });
    }
  }
  return looping;
}

/**
 * Emperor events: vassals spawned, respawned (also when the Emperor dropped a dying vassal and listed it
 * again, remembered in EventMemory.goneVassals), cursed or gone.
 */
import type { EmperorDocument } from '../stats/snapshot.js';
import type { EventMemory } from './types.js';
import type { Emit } from './event-emit.js';
import { vassalsByKey } from './vassal-keys.js';

const GONE_VASSAL_MEMORY_MS = 10 * 60_000;
const GONE_VASSAL_MAX = 1000;

/** Vassal events between two Emperor documents. */
export function vassalEvents(
  prev: EmperorDocument,
  cur: EmperorDocument,
  atMs: number,
  memory: EventMemory,
  emit: Emit,
): void {
  const gone = memory.goneVassals;
  const before = vassalsByKey(prev.vassals);
  const now = vassalsByKey(cur.vassals);
  for (const [key, v] of now) {
    const pv = before.get(key);
    if (pv === undefined) {
      const was = gone?.get(key);
      gone?.delete(key);
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
    if (v.respawns > pv.respawns && pv.pid > 0 && pv.pid === v.pid) {
      // Same pid, one more respawn: the Emperor reloaded the vassal (its config was touched), nothing died.
      emit('vassal-respawned', 'info', `vassal ${v.id} reloaded in place (pid ${v.pid}; its config changed or it was told to reload)`, {
        vassal: v.id,
        oldPid: pv.pid,
        newPid: v.pid,
        respawns: v.respawns,
      });
    } else if (v.respawns > pv.respawns || (pv.pid > 0 && v.pid > 0 && pv.pid !== v.pid)) {
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
  for (const [key, pv] of before) {
    if (now.has(key)) continue;
    emit('vassal-gone', 'warn', `vassal ${pv.id} gone (was pid ${pv.pid})`, { vassal: pv.id, pid: pv.pid });
    if (gone !== undefined) {
      if (gone.size >= GONE_VASSAL_MAX) gone.delete(gone.keys().next().value!);
      gone.set(key, { pid: pv.pid, atMs });
    }
  }
}

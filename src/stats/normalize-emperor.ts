/** Emperor stats document (--emperor-stats) -> EmperorDocument. */
import { processFields } from './normalize-process.js';
import { mapList, readRecord } from './decode-record.js';
import { blacklistSchema, emperorTopSchema, vassalSchema } from './schema.js';
import type { EmperorDocument } from './snapshot.js';

/** Turn an emperor document into the snapshot model; problems go to `warnings`. */
export function normalizeEmperor(raw: Record<string, unknown>, warnings: string[]): EmperorDocument {
  const top = readRecord(emperorTopSchema, raw, '', warnings) ?? emperorTopSchema.parse({});
  return {
    ...processFields(top),
    emperor: top.emperor,
    emperorTyrant: top.emperor_tyrant !== 0,
    throttleLevel: top.throttle_level,
    vassals: mapList(raw, 'vassals', '', warnings, vassalSchema, (v) => ({
      id: v.id,
      pid: v.pid,
      born: v.born,
      lastMod: v.last_mod,
      lastHeartbeat: v.last_heartbeat,
      loyal: v.loyal,
      ready: v.ready !== 0,
      accepting: v.accepting !== 0,
      lastLoyal: v.last_loyal,
      lastReady: v.last_ready,
      lastAccepting: v.last_accepting,
      firstRun: v.first_run,
      lastRun: v.last_run,
      cursed: v.cursed,
      zerg: v.zerg,
      onDemand: v.on_demand,
      uid: v.uid,
      gid: v.gid,
      monitor: v.monitor,
      respawns: v.respawns,
    })),
    blacklist: mapList(raw, 'blacklist', '', warnings, blacklistSchema, (b) => ({
      id: b.id,
      throttleLevel: b.throttle_level,
      attempt: b.attempt,
      firstAttempt: b.first_attempt,
      lastAttempt: b.last_attempt,
    })),
  };
}

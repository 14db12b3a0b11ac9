/** The emperor's vassals: pid, ready, accepting, respawns, cursed, loyal, last spawn; the blacklist above. */
import type { BlacklistEntry, Vassal } from '../../stats/snapshot.js';
import type { VassalDerived } from '../../metrics/types.js';
import { safeText } from '../../core/safe-text.js';
import { pairByKey, vassalKeys } from '../../metrics/vassal-keys.js';
import { EPOCH_SHORT_WIDTH, fmtCount, fmtEpochShort, plainNumber, yesNo } from '../../core/units.js';
import type { Line } from './spec.js';
import type { Column, TableSpec } from './spec.js';

export interface VassalRow {
  v: Vassal;
  d: VassalDerived | undefined;
  /** Unique row key: the id, `id#n` for the n-th vassal sharing it. */
  key: string;
  nowMs: number;
}

const columns: Array<Column<VassalRow>> = [
  { id: 'id', title: 'VASSAL', width: 16, flex: true, maxWidth: 40, align: 'left', priority: 1, text: (r) => safeText(r.v.id), sort: (r) => safeText(r.v.id) },
  { id: 'pid', title: 'PID', width: 7, align: 'right', priority: 1, text: (r) => (r.v.pid ? plainNumber(r.v.pid) : '-'), sort: (r) => r.v.pid },
  { id: 'ready', title: 'READY', width: 5, align: 'left', priority: 1, text: (r) => yesNo(r.v.ready), sort: (r) => (r.v.ready ? 1 : 0), style: (r) => (r.v.ready ? undefined : 'warn') },
  { id: 'acc', title: 'ACC', width: 3, align: 'left', priority: 1, text: (r) => yesNo(r.v.accepting), sort: (r) => (r.v.accepting ? 1 : 0), style: (r) => (r.v.accepting ? undefined : 'warn') },
  {
    id: 'respawns', title: 'RESPAWNS', width: 8, align: 'right', priority: 1, desc: true,
    text: (r) => fmtCount(r.v.respawns) + (r.d && r.d.respawnsDelta > 0 ? ` +${r.d.respawnsDelta}` : ''), sort: (r) => r.v.respawns,
    style: (r) => (r.d && r.d.respawnsDelta > 0 ? 'warn' : undefined),
  },
  { id: 'cursed', title: 'CURSED', width: EPOCH_SHORT_WIDTH, align: 'right', priority: 1, desc: true, text: (r) => (r.v.cursed ? fmtEpochShort(r.v.cursed, r.nowMs) : 'no'), sort: (r) => r.v.cursed, style: (r) => (r.v.cursed ? 'error' : undefined) },
  { id: 'loyal', title: 'LOYAL', width: EPOCH_SHORT_WIDTH, align: 'right', priority: 2, desc: true, text: (r) => (r.v.loyal ? fmtEpochShort(r.v.loyal, r.nowMs) : 'no'), sort: (r) => r.v.loyal },
  { id: 'lastrun', title: 'LAST SPAWN', width: EPOCH_SHORT_WIDTH, align: 'right', priority: 1, desc: true, text: (r) => fmtEpochShort(r.v.lastRun, r.nowMs), sort: (r) => r.v.lastRun },
  { id: 'born', title: 'BORN', width: EPOCH_SHORT_WIDTH, align: 'right', priority: 3, desc: true, text: (r) => fmtEpochShort(r.v.born, r.nowMs), sort: (r) => r.v.born },
  { id: 'lastmod', title: 'LAST MOD', width: EPOCH_SHORT_WIDTH, align: 'right', priority: 5, desc: true, text: (r) => fmtEpochShort(r.v.lastMod, r.nowMs), sort: (r) => r.v.lastMod },
  { id: 'heartbeat', title: 'HEARTBEAT', width: EPOCH_SHORT_WIDTH, align: 'right', priority: 5, desc: true, text: (r) => fmtEpochShort(r.v.lastHeartbeat, r.nowMs), sort: (r) => r.v.lastHeartbeat },
  { id: 'zerg', title: 'ZERG', width: 4, align: 'right', priority: 4, text: (r) => plainNumber(r.v.zerg), sort: (r) => r.v.zerg },
  { id: 'ondemand', title: 'ON DEMAND', width: 12, align: 'left', priority: 4, text: (r) => safeText(r.v.onDemand) || '-', sort: (r) => safeText(r.v.onDemand) },
  { id: 'uid', title: 'UID', width: 5, align: 'right', priority: 6, text: (r) => plainNumber(r.v.uid), sort: (r) => r.v.uid },
  { id: 'gid', title: 'GID', width: 5, align: 'right', priority: 6, text: (r) => plainNumber(r.v.gid), sort: (r) => r.v.gid },
];

export const vassalsSpec: TableSpec<VassalRow> = { columns, key: (r) => safeText(r.key), defaultSort: 'id' };

/** Pair vassals with their derived respawn deltas by key (vassals sharing an id stay apart). */
export function vassalRows(vassals: readonly Vassal[], derived: readonly VassalDerived[], nowMs: number): VassalRow[] {
  const paired = pairByKey(vassals, derived);
  const keys = vassalKeys(vassals);
  return vassals.map((v, i) => ({ v, d: paired[i], key: keys[i]!, nowMs }));
}

/** One heading line per blacklisted vassal (they are few and matter more than the table). */
export function blacklistHeads(entries: readonly BlacklistEntry[], nowMs: number): Line[] {
  return entries.map((b) => [
    { text: 'blacklisted ', style: 'error' },
    { text: safeText(b.id, 40), style: 'bold' },
    { text: `  throttle ${b.throttleLevel}  attempts ${b.attempt}  first ${fmtEpochShort(b.firstAttempt, nowMs)}  last ${fmtEpochShort(b.lastAttempt, nowMs)}` },
  ]);
}

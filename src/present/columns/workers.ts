/**
 * The workers table: uwsgitop's columns (WID % PID REQ RPS EXC SIG STATUS AVG RSS VSZ TX ReSpwn HC RunT
 * LastSpwn) plus ACC (accepting), BUSY% (share of wall time serving), CPU% (from /proc) and uAVG (uWSGI's
 * running average; AVG is the mean over the last interval), with status colours.
 */
import type { Core, Worker } from '../../stats/snapshot.js';
import type { WorkerDerived } from '../../metrics/types.js';
import { safeText } from '../../core/safe-text.js';
import { EPOCH_SHORT_WIDTH, fmtBytes, fmtCount, fmtEpochShort, fmtMicros, fmtPct, fmtPercentValue, fmtRate, yesNo } from '../../core/units.js';
import type { Style } from './spec.js';
import type { Column, TableSpec } from './spec.js';

/** uwsgitop's `a`: workers only, one row per core (merged), or each worker's cores under it. */
export type CoreMode = 'off' | 'merged' | 'under';

export interface WorkerRow {
  w: Worker;
  d: WorkerDerived | undefined;
  nowMs: number;
  /** A core row (uwsgitop's `a`): its core, and whether it sits under its worker's own row. */
  core?: Core;
  under?: boolean;
}

/** Under its worker, a core row shows only what is the core's own (as uwsgitop): the rest is the worker's line above. */
const own = (r: WorkerRow, text: (r: WorkerRow) => string): string => (r.under ? '-' : text(r));

const num = (n: number | null | undefined): number => (n === null || n === undefined ? Number.NaN : n);

/** The style of a worker row by its status (uWSGI's precedence: cheap, pause, sig, busy, idle). */
export function workerStyle(w: Worker): Style | undefined {
  switch (w.status) {
    case 'busy':
      return 'busy';
    case 'pause':
      return 'pause';
    case 'cheap':
      return 'cheap';
    case 'sig':
      return 'sig';
    default:
      return undefined;
  }
}

/** Cells the widest worker id takes (with a `:N` core suffix when core rows are shown). */
function idCells(rows: readonly WorkerRow[]): number {
  let max = 0;
  let cores = false;
  for (const r of rows) {
    if (r.w.id > max) max = r.w.id;
    if (r.core) cores = true;
  }
  return String(max).length + (cores ? 3 : 0);
}

const columns: Array<Column<WorkerRow>> = [
  { id: 'wid', title: 'WID', width: 4, align: 'right', priority: 1, fit: idCells, text: (r) => (r.core ? `${r.under ? ' ' : r.w.id}:${r.core.id}` : r.w.id ? String(r.w.id) : `(${r.w.slot})`), sort: (r) => r.w.slot },
  { id: 'share', title: '%', width: 4, align: 'right', priority: 3, desc: true, text: (r) => own(r, (x) => fmtPercentValue(x.d?.sharePct)), sort: (r) => num(r.d?.sharePct) },
  { id: 'pid', title: 'PID', width: 7, align: 'right', priority: 1, text: (r) => own(r, (x) => (x.w.pid ? String(x.w.pid) : '-')), sort: (r) => r.w.pid },
  { id: 'req', title: 'REQ', width: 7, align: 'right', priority: 2, desc: true, text: (r) => fmtCount(r.core ? r.core.requests : r.w.requests), sort: (r) => r.w.requests },
  { id: 'rps', title: 'RPS', width: 6, align: 'right', priority: 1, desc: true, text: (r) => (r.core ? '-' : fmtRate(r.d?.rps)), sort: (r) => num(r.d?.rps) },
  {
    id: 'exc', title: 'EXC', width: 5, align: 'right', priority: 3, desc: true,
    text: (r) => fmtCount(r.w.exceptions), sort: (r) => r.w.exceptions,
    style: (r) => ((r.d?.eps ?? 0) > 0 ? 'warn' : undefined),
  },
  { id: 'sig', title: 'SIG', width: 4, align: 'right', priority: 5, desc: true, text: (r) => fmtCount(r.w.signals), sort: (r) => r.w.signals },
  {
    id: 'status', title: 'STATUS', width: 6, align: 'left', priority: 1,
    text: (r) => (r.core ? coreStatus(r, r.core) : noApp(r.w) ? 'noapp' : safeText(r.w.statusRaw || r.w.status)), sort: (r) => r.w.status,
    style: (r) => (!r.core && noApp(r.w) ? 'error' : undefined),
  },
  // The mean of the requests finished in the last interval: uWSGI's avg_rt is a running average (uAVG).
  { id: 'avg', title: 'AVG', width: 6, align: 'right', priority: 2, desc: true, text: (r) => fmtMicros(r.d?.intervalAvgRtUs), sort: (r) => num(r.d?.intervalAvgRtUs) },
  // uWSGI's figure with --memory-report, else /proc's for a local instance; '-' when neither says.
  { id: 'rss', title: 'RSS', width: 5, align: 'right', priority: 3, desc: true, text: (r) => fmtBytes(memory(r, 'rss')), sort: (r) => num(memory(r, 'rss')) },
  { id: 'vsz', title: 'VSZ', width: 5, align: 'right', priority: 6, desc: true, text: (r) => fmtBytes(memory(r, 'vsz')), sort: (r) => num(memory(r, 'vsz')) },
  { id: 'tx', title: 'TX', width: 5, align: 'right', priority: 4, desc: true, text: (r) => fmtBytes(r.w.txBytes), sort: (r) => r.w.txBytes },
  { id: 'respawn', title: 'ReSpwn', width: 6, align: 'right', priority: 4, desc: true, text: (r) => fmtCount(r.w.respawnCount), sort: (r) => r.w.respawnCount },
  {
    id: 'hc', title: 'HC', width: 3, align: 'right', priority: 4, desc: true,
    text: (r) => fmtCount(r.w.harakiriCount), sort: (r) => r.w.harakiriCount,
    style: (r) => (r.w.harakiriCount > 0 ? 'warn' : undefined),
  },
  { id: 'runt', title: 'RunT', width: 6, align: 'right', priority: 5, desc: true, text: (r) => fmtMicros(r.w.runningTimeUs), sort: (r) => r.w.runningTimeUs },
  { id: 'lastspawn', title: 'LastSpwn', width: EPOCH_SHORT_WIDTH, align: 'right', priority: 4, desc: true, text: (r) => fmtEpochShort(r.w.lastSpawn, r.nowMs), sort: (r) => r.w.lastSpawn },
  {
    id: 'acc', title: 'ACC', width: 3, align: 'left', priority: 3,
    text: (r) => yesNo(r.w.accepting), sort: (r) => (r.w.accepting ? 1 : 0),
    style: (r) => (!r.w.accepting && r.w.status !== 'cheap' ? 'warn' : undefined),
  },
  { id: 'busy', title: 'BUSY%', width: 5, align: 'right', priority: 2, desc: true, text: (r) => fmtPct(r.d?.busyness), sort: (r) => num(r.d?.busyness) },
  // CPU from /proc (local instances): the `%` column is the share of requests, not CPU.
  { id: 'cpu', title: 'CPU%', width: 5, align: 'right', priority: 2, desc: true, text: (r) => fmtPercentValue(r.d?.cpuPct), sort: (r) => num(r.d?.cpuPct) },
  { id: 'uavg', title: 'uAVG', width: 6, align: 'right', priority: 6, desc: true, text: (r) => (r.w.requests === 0 && r.w.avgRtUs === 0 ? '-' : fmtMicros(r.w.avgRtUs)) /* nothing served: no average yet */, sort: (r) => r.w.avgRtUs },
];

/**
 * A worker that accepts requests with no application loaded (a lazy app that failed to import): every request
 * it takes gets 500. uWSGI says it only in its log and in the worker's empty `apps`.
 */
export function noApp(w: Worker): boolean {
  return w.pid > 0 && w.accepting && w.apps.length === 0 && (w.status === 'idle' || w.status === 'busy');
}

/** A worker's memory: uWSGI's (--memory-report; 0 means not measured), else what derive took from /proc. */
function memory(r: WorkerRow, which: 'rss' | 'vsz'): number | null {
  const own = which === 'rss' ? r.w.rssBytes : r.w.vszBytes;
  if (own > 0) return own;
  const os = which === 'rss' ? r.d?.rssBytes : r.d?.vszBytes;
  return os ?? null;
}

/** A core row's status as uwsgitop shows it: busy while it serves a request, else idle ('-' merged with an idle core of a busy worker). */
function coreStatus(r: WorkerRow, core: Core): string {
  if (core.inRequest) return 'busy';
  if (r.under) return 'idle';
  return r.w.status === 'busy' ? '-' : safeText(r.w.statusRaw || r.w.status);
}

// Under a worker, the other cells of a core row are dashes: its worker's line above has them.
for (const c of columns) {
  if (['wid', 'req', 'rps', 'status', 'share', 'pid'].includes(c.id)) continue;
  const text = c.text;
  c.text = (r) => own(r, text);
}

export const workersSpec: TableSpec<WorkerRow> = {
  columns,
  key: (r) => (r.core ? `${r.w.slot}:${r.core.id}` : String(r.w.slot)),
  rowStyle: (r) => (r.core ? (r.core.inRequest ? 'busy' : undefined) : workerStyle(r.w)),
  defaultSort: 'wid',
};

/**
 * Pair each worker with its derived values (matched by slot, not index, in case the lists differ); with a core
 * mode, the cores that served requests too (as uwsgitop, unused cores are left out): instead of their worker
 * ('merged') or under it ('under'; a core row sorts with its worker, ties keep document order).
 */
export function workerRows(workers: readonly Worker[], derived: readonly WorkerDerived[], nowMs: number, mode: CoreMode = 'off'): WorkerRow[] {
  // The derived values come in the workers' order; a map by slot is built only when they do not (every
  // frame of a 2,048-worker instance would otherwise pay for a map and an array per worker).
  const inOrder = derived.length === workers.length && workers.every((w, i) => derived[i]!.slot === w.slot);
  const bySlot = inOrder ? null : new Map(derived.map((d) => [d.slot, d] as const));
  const out: WorkerRow[] = [];
  for (let i = 0; i < workers.length; i++) {
    const w = workers[i]!;
    const d = bySlot === null ? derived[i] : bySlot.get(w.slot);
    const row: WorkerRow = { w, d, nowMs };
    if (mode === 'off') {
      out.push(row);
      continue;
    }
    const under = mode === 'under';
    if (under) out.push(row);
    let coreRows = 0;
    for (const core of w.cores ?? []) {
      if (core.requests === 0 && !core.inRequest) continue;
      out.push({ w, d, nowMs, core, under });
      coreRows++;
    }
    if (mode === 'merged' && coreRows === 0) out.push(row);
  }
  return out;
}

/**
 * A worker's fields as the dashboard's worker detail and the page's worker panel show them: one list of labels,
 * values and units, grouped as the dashboard lays them out on lines. Browser-safe; every document string has
 * gone through safeText.
 */
import type { Worker } from '../stats/snapshot.js';
import type { WorkerDerived } from '../metrics/types.js';
import { safeText } from '../core/safe-text.js';
import { fmtBytes, fmtByteRate, fmtCount, fmtEpochShort, fmtMicros, fmtPct, fmtPercent, fmtRate, yesNo } from '../core/units.js';

/** A label and its value, already formatted. */
export type Field = readonly [label: string, value: string];

/** Counters: requests and their rate, exceptions, harakiri, signals. */
function counters(w: Worker, d: WorkerDerived | undefined): Field[] {
  return [
    ['requests', fmtCount(w.requests)],
    ['req/s', fmtRate(d?.rps)],
    ['exceptions', fmtCount(w.exceptions)],
    ['harakiri', fmtCount(w.harakiriCount)],
    ['signals', `${fmtCount(w.signals)} (queue ${fmtCount(w.signalQueue)})`],
  ];
}

/** Response times and busyness. */
function timing(w: Worker, d: WorkerDerived | undefined): Field[] {
  return [
    ['mean rt (interval)', fmtMicros(d?.intervalAvgRtUs)],
    // A worker that has served nothing has no average yet (uWSGI says 0).
    ['uWSGI running avg', w.requests === 0 && w.avgRtUs === 0 ? '-' : fmtMicros(w.avgRtUs)],
    ['busy', fmtPct(d?.busyness)],
    ['serving time', fmtMicros(w.runningTimeUs)],
  ];
}

/** Bytes sent, in total and per second. */
function sent(w: Worker, d: WorkerDerived | undefined): Field[] {
  return [
    ['sent', fmtBytes(w.txBytes)],
    ['sent/s', fmtByteRate(d?.txps)],
  ];
}

/** Memory and CPU, each saying where it comes from (uWSGI with --memory-report, else /proc for a local instance). */
function memory(w: Worker, d: WorkerDerived | undefined): Field[] {
  const rss = w.rssBytes > 0 ? `${fmtBytes(w.rssBytes)} (uWSGI)` : d?.rssBytes != null ? `${fmtBytes(d.rssBytes)} (/proc)` : '- (uWSGI: with --memory-report; /proc: local instances)';
  return [
    ['rss', rss],
    ['vsz', w.vszBytes > 0 ? fmtBytes(w.vszBytes) : fmtBytes(d?.vszBytes)],
    ['cpu', d?.cpuPct == null ? '-' : `${fmtPercent(d.cpuPct)} (/proc)`],
    ['uss', fmtBytes(w.ussBytes)],
    ['pss', fmtBytes(w.pssBytes)],
    ['share', d ? fmtPercent(d.sharePct) : '-'],
  ];
}

/** The figures of one worker in the groups the dashboard puts on one line each (each fits 80 columns). */
export function workerFieldGroups(w: Worker, d: WorkerDerived | undefined): Field[][] {
  return [counters(w, d), timing(w, d), sent(w, d), memory(w, d)];
}

/** Every field of a worker, identity first, as the page's details panel lists them. */
export function workerFields(w: Worker, d: WorkerDerived | undefined, nowMs: number): Field[] {
  return [
    ['slot', String(w.slot)],
    ['id', String(w.id)],
    ['pid', w.pid ? String(w.pid) : '-'],
    ['status', safeText(w.statusRaw || w.status)],
    ['accepting', yesNo(w.accepting)],
    ...workerFieldGroups(w, d).flat(),
    ['respawn count', fmtCount(w.respawnCount)],
    ['last spawn', fmtEpochShort(w.lastSpawn, nowMs)],
    ['apps', w.apps.map((a) => `${a.id}: ${safeText(a.mountpoint) || '/'} (${fmtCount(a.requests)} req)`).join(', ') || '-'],
    ['cores', w.cores === null ? 'not reported' : `${w.cores.length} (${w.inFlight.length} busy)`],
  ];
}

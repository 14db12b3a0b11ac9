/**
 * CPU and memory of a local instance's processes from the OS facts its snapshots carry (src/stats/proc-os.ts),
 * and the mean response time over the last interval from uWSGI's own counters. Pure: two snapshots in,
 * numbers out; null wherever the figure is not known (never 0 for "unknown").
 */
import type { InstanceSnapshot, ProcessOs, Worker } from '../stats/snapshot.js';
import { CLOCK_TICKS_PER_SECOND } from '../stats/proc-os.js';
import type { InstanceDerived, WorkerDerived } from './types.js';
import { counterDelta } from './rate.js';

/** CPU% of one core used by a process between two samples of the same pid; null when not comparable. */
export function cpuPercent(prev: ProcessOs | null | undefined, cur: ProcessOs | null | undefined, seconds: number | null): number | null {
  if (!prev || !cur || prev.pid !== cur.pid || seconds === null || !(seconds > 0)) return null;
  const ticks = counterDelta(prev.cpuTicks, cur.cpuTicks);
  return ticks === null ? null : (ticks / CLOCK_TICKS_PER_SECOND / seconds) * 100;
}

/**
 * The mean time of the requests a worker finished in the interval (Δrunning_time / Δrequests, microseconds):
 * uWSGI adds both when a request ends. Null when none finished or the worker is not the same process.
 */
export function intervalMeanUs(prev: Worker | undefined, cur: Worker): number | null {
  if (prev === undefined || prev.pid <= 0 || prev.pid !== cur.pid) return null;
  const req = counterDelta(prev.requests, cur.requests);
  const time = counterDelta(prev.runningTimeUs, cur.runningTimeUs);
  return req === null || time === null || req === 0 ? null : time / req;
}

/**
 * Add the OS figures and the interval means to the derived workers (same order as the document's) and the
 * instance: CPU% per worker and for the master, memory from /proc where uWSGI has none (--memory-report off).
 */
export function deriveUsage(prev: InstanceSnapshot | null, cur: InstanceSnapshot, seconds: number | null, workers: WorkerDerived[], inst: InstanceDerived): void {
  const os = cur.os;
  const prevOs = prev?.os;
  let reqSum = 0;
  let timeSum = 0;
  let cpuSum: number | null = null;
  for (let i = 0; i < workers.length; i++) {
    const d = workers[i]!;
    const w = cur.doc.workers[i]!;
    const pw = prev?.doc.workers[i];
    const mean = seconds === null ? null : intervalMeanUs(pw, w);
    d.intervalAvgRtUs = mean;
    if (mean !== null && pw !== undefined) {
      const req = w.requests - pw.requests;
      reqSum += req;
      timeSum += mean * req;
    }
    const po = os?.workers[i] ?? null;
    const cpu = po === null ? null : cpuPercent(prevOs?.workers[i], po, seconds);
    d.cpuPct = cpu;
    if (cpu !== null) cpuSum = (cpuSum ?? 0) + cpu;
    // uWSGI's own figure wins: with --memory-report it is what the operator asked for.
    if (w.rssBytes > 0) {
      d.rssBytes = w.rssBytes;
      d.vszBytes = w.vszBytes;
      d.memoryFrom = 'uwsgi';
    } else {
      d.rssBytes = po?.rssBytes ?? null;
      d.vszBytes = po?.vszBytes ?? null;
      d.memoryFrom = po ? 'os' : null;
    }
  }
  inst.intervalAvgRtUs = seconds === null || reqSum === 0 ? null : timeSum / reqSum;
  const masterCpu = cpuPercent(prevOs?.master, os?.master, seconds);
  inst.masterCpuPct = masterCpu;
  inst.cpuPct = cpuSum === null && masterCpu === null ? null : (cpuSum ?? 0) + (masterCpu ?? 0);
  inst.masterRssBytes = os?.master?.rssBytes ?? null;
  inst.osNote = os?.note ?? null;
}

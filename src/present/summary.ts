/**
 * The instance summary's figures, formatted once: the dashboard's summary lines, the `--once` text report and
 * the page's cards all print these strings, so the same document gives the same numbers in the same units
 * everywhere. Browser-safe (the page imports it). Every document string in it has gone through safeText.
 */
import type { InstanceSnapshot } from '../stats/snapshot.js';
import type { Derived } from '../metrics/types.js';
import { effectiveDocument, listenQueueFill, queueFromKernel } from '../metrics/kernel-queue.js';
import { safeText } from '../core/safe-text.js';
import { fmtByteRate, fmtBytes, fmtCount, fmtMicros, fmtPct, fmtPercent, fmtRate, plainNumber } from '../core/units.js';

/** One instance's summary figures, as every output prints them. */
export interface InstanceFigures {
  requests: string;
  rps: string;
  exceptions: string;
  eps: string;
  /** Bytes sent since start, and per second. */
  tx: string;
  txps: string;
  /** Mean response of the requests finished in the last interval; uWSGI's running average beside it. */
  avg: string;
  uwsgiAvg: string;
  /** `3/100`: connections waiting in the fullest socket against its max_queue; `n/a` where uWSGI has none. */
  queue: string;
  /** That socket's name (safe) when the instance has several and connections wait, else null. */
  queueSocket: string | null;
  /** 0..1, for the warning styles. */
  queueRatio: number;
  /** The queue figures came from the kernel (unix sockets, which uWSGI says 0/0 for). */
  queueKernel: boolean;
  /** Connections the kernel refused because a queue was full, since start; null when uWSGI does not say. */
  queueErrors: string | null;
  workers: { total: number; busy: number; idle: number; paused: number; cheap: number; sig: number };
  busyness: string;
  inFlight: string;
  /** CPU of every process, from /proc; `not local` for a remote instance, null for a saved document. */
  cpu: string | null;
}

/** The summary figures of an instance document and what was derived from it (null before the first derivation). */
export function instanceFigures(snap: InstanceSnapshot, derived: Derived | null): InstanceFigures {
  const doc = effectiveDocument(snap);
  const d = derived?.instance ?? null;
  const ws = doc.workers;
  const count = (st: string): number => ws.filter((w) => w.status === st).length;
  const fill = listenQueueFill(doc);
  const queue = fill.queue === null ? 'n/a' : fill.max !== null && fill.max > 0 ? `${plainNumber(fill.queue)}/${fill.max}` : plainNumber(fill.queue);
  const notLocal = d?.osNote?.startsWith('not local') === true;
  return {
    requests: fmtCount(d?.totalRequests ?? ws.reduce((s, w) => s + w.requests, 0)),
    rps: fmtRate(d?.rps),
    // An out-of-range counter was decoded as NaN: the total is then unknown.
    exceptions: fmtCount(d?.totalExceptions ?? ws.reduce((s, w) => s + w.exceptions, 0)),
    eps: fmtRate(d?.eps),
    tx: fmtBytes(d?.totalTx ?? ws.reduce((s, w) => s + w.txBytes, 0)),
    txps: fmtByteRate(d?.txps),
    avg: fmtMicros(d?.intervalAvgRtUs),
    uwsgiAvg: fmtMicros(d?.avgRtUs),
    queue,
    queueSocket: fill.socket === null ? null : safeText(fill.socket, 40),
    queueRatio: fill.ratio,
    queueKernel: queueFromKernel(snap),
    queueErrors: doc.listenQueueErrors === null || doc.listenQueueErrors === undefined ? null : fmtCount(doc.listenQueueErrors),
    workers: {
      total: ws.length,
      busy: d?.busy ?? count('busy'),
      idle: d?.idle ?? count('idle'),
      paused: d?.paused ?? count('pause'),
      cheap: d?.cheap ?? count('cheap'),
      sig: d?.sig ?? count('sig'),
    },
    busyness: fmtPct(d?.busyness),
    inFlight: d?.inFlight === null ? '-' : String(d?.inFlight ?? ws.reduce((s, w) => s + w.inFlight.length, 0)),
    cpu: d?.osNote === undefined || d.osNote === null ? null : notLocal ? 'not local' : fmtPercent(d.cpuPct),
  };
}

/**
 * The plain-text report of one instance document (`--once`, `--count`): summary, workers table with
 * uwsgitop's columns (plus ACC and BUSY%), in-flight requests, then caches, sockets, legions, metrics, spoolers, crons and daemons
 * when the document has them. Every document string goes through safeText.
 */
import type { InstanceSnapshot } from '../stats/snapshot.js';
import type { Derived } from '../metrics/types.js';
import { safeText } from '../core/safe-text.js';
import { effectiveDocument, effectiveSockets } from '../metrics/kernel-queue.js';
import { instanceFigures } from '../present/summary.js';
import { appendLines } from './text-table.js';
import { NAME_CHARS, specTable } from './text-spec.js';
import { memberRows, membersSpec } from '../present/columns/legions.js';
import { metricRows, metricsSpec } from '../present/columns/metrics.js';
import { socketsSpec } from '../present/columns/sockets.js';
import { cacheRows, cachesSpec } from '../present/columns/caches.js';
import { inflightRows, inflightSpec } from '../present/columns/inflight.js';
import { workerRows, workersSpec } from '../present/columns/workers.js';
import { taskRows, tasksSpec } from '../present/columns/tasks.js';
import { fmtBytes, fmtEpochShort, fmtPercent, plainNumber } from '../core/units.js';


/** The summary lines of an instance: totals, rates, listen queue, worker states (the figures every output shares). */
export function instanceSummary(snap: InstanceSnapshot, derived: Derived): string[] {
  const doc = effectiveDocument(snap);
  const f = instanceFigures(snap, derived);
  const w = f.workers;
  const counts = [`busy ${w.busy}`, `idle ${w.idle}`, `cheap ${w.cheap}`, `paused ${w.paused}`];
  if (w.sig > 0) counts.push(`sig ${w.sig}`);
  return [
    [
      `requests ${f.requests}`,
      `rps ${f.rps}`,
      `exceptions ${f.exceptions}`,
      `tx ${f.tx} (${f.txps})`,
      // The mean of the requests finished in the last interval; uWSGI's running average (avg_rt) beside it.
      `avg ${f.avg}`,
      `uwsgi running avg ${f.uwsgiAvg}`,
      `load ${plainNumber(doc.load)}`,
    ].join('  '),
    [
      `listen queue ${f.queue}${f.queueSocket === null ? '' : ` on ${f.queueSocket}`}${f.queueKernel ? ' (kernel)' : ''}`,
      `queue errors ${f.queueErrors ?? 'n/a'}`,
      `signal queue ${plainNumber(doc.signalQueue)}`,
      `workers ${w.total}: ${counts.join(', ')}`,
    ].join('  '),
    ...osLine(derived.instance),
  ];
}

/** CPU and the master's memory from /proc, saying where they come from (or that the target is not local). */
function osLine(d: Derived['instance']): string[] {
  // A saved document has no process to read: no line rather than a line of dashes.
  if (d?.osNote === undefined || d.osNote === null) return [];
  if (d.osNote.startsWith('not local')) return [`cpu -  (${safeText(d.osNote, NAME_CHARS)})`];
  return [`cpu ${fmtPercent(d.cpuPct)}  master cpu ${fmtPercent(d.masterCpuPct)}  master rss ${d.masterRssBytes == null ? '-' : fmtBytes(d.masterRssBytes)}  (${safeText(d.osNote, NAME_CHARS)})`];
}

/** The workers table, in the dashboard's and the page's columns: uwsgitop's, plus ACC and BUSY%. */
export function workersTable(snap: InstanceSnapshot, derived: Derived): string[] {
  return specTable(workersSpec, workerRows(snap.doc.workers, derived.workers, snap.readAtMs));
}

/** The in-flight requests of busy cores, oldest first (ages as of the read), in the dashboard's columns. */
export function inFlightTable(snap: InstanceSnapshot): string[] {
  const rows = inflightRows(snap.doc.workers, snap.readAtMs, snap.readAtMs).sort((a, b) => (b.age ?? -1) - (a.age ?? -1));
  return specTable(inflightSpec, rows);
}

/** Every section of an instance report after the summary, each preceded by a blank line. */
export function instanceSections(snap: InstanceSnapshot, derived: Derived): string[] {
  const doc = snap.doc;
  const out: string[] = [];
  const section = (title: string, lines: string[]): void => {
    out.push('', title);
    appendLines(out, lines);
  };

  section(`Workers (${doc.workers.length})`, workersTable(snap, derived));

  const inFlight = doc.workers.flatMap((w) => w.inFlight);
  const coresKnown = doc.workers.some((w) => w.cores !== null);
  if (inFlight.length > 0) {
    section(`In-flight requests (${inFlight.length})`, inFlightTable(snap));
  } else if (!coresKnown && doc.workers.length > 0) {
    out.push('', 'In-flight requests: unknown (the document has no cores: --stats-no-cores)');
  } else {
    out.push('', 'In-flight requests: none');
  }

  if (doc.caches.length > 0) section(`Caches (${doc.caches.length})`, specTable(cachesSpec, cacheRows(doc.caches, derived.caches)));

  if (doc.sockets.length > 0) section(`Sockets (${doc.sockets.length})`, specTable(socketsSpec, effectiveSockets(snap)));

  for (const g of doc.legions) {
    // lord_uuid names the lord; i_am_the_lord stays set for a moment after a higher valor took over (2.0.21).
    const other = g.lordUuid === '' ? 'no lord' : `lord ${safeText(g.lordUuid, 40)} (valor ${g.lordValor})`;
    const lord =
      g.iAmTheLord > 0 && (g.lordUuid === g.uuid || g.lordUuid === '')
        ? `this node is lord since ${fmtEpochShort(g.iAmTheLord, snap.readAtMs)}`
        : g.iAmTheLord > 0
          ? `${other}; this node is handing over its lordship`
          : other;
    section(`Legion ${safeText(g.legion, NAME_CHARS)} at ${safeText(g.addr, NAME_CHARS)}`, [
      `  uuid ${safeText(g.uuid, 40)}  valor ${g.valor}  quorum ${g.quorum}  checksum ${g.checksum}  ${lord}`,
      `  nodes: ${g.nodes.length > 0 ? g.nodes.map((n) => safeText(n, NAME_CHARS)).join(', ') : 'none'}`,
      ...(g.members.length > 0
        ? specTable(membersSpec, memberRows([g], snap.readAtMs), '  ')
        : ['  members: none']),
    ]);
  }

  if (doc.metrics.length > 0) {
    // Per-worker and per-core metrics repeat the workers table; list the instance-wide ones and count the rest.
    const shown = doc.metrics.filter((m) => !m.name.startsWith('worker.'));
    const hidden = doc.metrics.length - shown.length;
    section(`Metrics (${doc.metrics.length})`, [
      ...specTable(metricsSpec, metricRows(shown, derived.metrics)),
      ...(hidden > 0 ? [`(${hidden} worker.* metrics not listed: they repeat the workers table; see --json)`] : []),
    ]);
  }

  const tasks = doc.spoolers.length + doc.crons.length + doc.daemons.length;
  if (tasks > 0) section(`Spoolers, crons and daemons (${tasks})`, specTable(tasksSpec, taskRows(doc, snap.readAtMs)));
  return out;
}

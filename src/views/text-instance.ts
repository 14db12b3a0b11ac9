/**
 * The plain-text report of one instance document (`--once`, `--count`): summary, workers table with
 * uwsgitop's columns, in-flight requests, then caches, sockets, legions, metrics, spoolers, crons and daemons
 * when the document has them. Every document string goes through safeText.
 */
import type { InstanceSnapshot, Worker, InFlightRequest } from '../stats/snapshot.js';
import type { Derived, WorkerDerived } from '../metrics/types.js';
import { safeText } from '../core/safe-text.js';
import { appendLines, renderTable, type Column } from './text-table.js';
import type { TableSpec } from './dashboard/model/table.js';
import { memberRows, membersSpec } from './dashboard/model/legions.js';
import { metricRows, metricsSpec } from './dashboard/model/metrics.js';
import { socketsSpec } from './dashboard/model/sockets.js';
import { taskRows, tasksSpec } from './dashboard/model/tasks.js';
import {
  formatBytes,
  formatByteRate,
  formatEpochShort,
  formatMicros,
  formatPercent,
  formatRate,
  formatSeconds,
  plainNumber,
  yesNo,
} from './text-format.js';

// Caps for free-text cells: a hostile URI can be 64 KiB; the JSON output keeps the whole string.
const URI_CHARS = 100;
const HOST_CHARS = 40;
const NAME_CHARS = 60;

const r = (header: string): Column => ({ header, align: 'right' });
const l = (header: string): Column => ({ header, align: 'left' });

/** `text` (already safe) cut to `max` characters with an ellipsis: a wide value must not push the table off every screen. */
function cut(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : chars.slice(0, max - 1).join('') + '…';
}

/**
 * A table from the column declaration the dashboard and the web page use for this record kind (one table per
 * kind: same columns, titles and formats everywhere); free-text columns are cut for a plain report.
 */
function specTable<R>(spec: TableSpec<R>, rows: readonly R[], indent = ''): string[] {
  const columns = spec.columns;
  return renderTable(
    columns.map((c) => ({ header: c.title, align: c.align })),
    rows.map((row) => columns.map((c) => (c.flex ? cut(c.text(row), c.maxWidth ?? NAME_CHARS) : c.text(row)))),
    indent,
  );
}

/** The summary lines of an instance: totals, rates, listen queue, worker states. */
export function instanceSummary(snap: InstanceSnapshot, derived: Derived): string[] {
  const doc = snap.doc;
  const d = derived.instance;
  const totalRequests = d?.totalRequests ?? doc.workers.reduce((s, w) => s + w.requests, 0);
  const totalTx = d?.totalTx ?? doc.workers.reduce((s, w) => s + w.txBytes, 0);
  const maxQueue = doc.sockets.reduce((m, s) => Math.max(m, s.maxQueue), 0);
  const queue = doc.listenQueue === null ? 'n/a' : `${doc.listenQueue}/${doc.sockets.length > 0 ? maxQueue : '?'}`;
  const counts = [
    `busy ${d?.busy ?? 0}`,
    `idle ${d?.idle ?? 0}`,
    `cheap ${d?.cheap ?? 0}`,
    `paused ${d?.paused ?? 0}`,
  ];
  if ((d?.sig ?? 0) > 0) counts.push(`sig ${d?.sig}`);
  return [
    [
      `requests ${plainNumber(totalRequests)}`,
      `rps ${formatRate(d?.rps ?? null)}`,
      // null: a worker's count was out of range, so the total is unknown.
      `exceptions ${d === null ? 0 : plainNumber(d.totalExceptions ?? NaN)}`,
      `tx ${formatBytes(totalTx)} (${formatByteRate(d?.txps ?? null)})`,
      `avg ${d?.avgRtUs == null ? '-' : formatMicros(d.avgRtUs)}`,
      `load ${plainNumber(doc.load)}`,
    ].join('  '),
    [
      `listen queue ${queue}`,
      `queue errors ${doc.listenQueueErrors ?? 'n/a'}`,
      `signal queue ${doc.signalQueue}`,
      `workers ${doc.workers.length}: ${counts.join(', ')}`,
    ].join('  '),
  ];
}

function statusCell(w: Worker): string {
  return safeText(w.statusRaw, 12) || w.status;
}

/** The workers table: uwsgitop's columns plus ACC (accepting). */
export function workersTable(snap: InstanceSnapshot, derived: Derived): string[] {
  const columns = [
    r('WID'), r('%'), r('PID'), r('REQ'), r('RPS'), r('EXC'), r('SIG'), l('STATUS'), l('ACC'), r('AVG'),
    r('RSS'), r('VSZ'), r('TX'), r('ReSpwn'), r('HC'), r('RunT'), r('LastSpwn'),
  ];
  const bySlot = new Map<number, WorkerDerived>(derived.workers.map((w) => [w.slot, w]));
  const rows = snap.doc.workers.map((w) => {
    const wd = bySlot.get(w.slot);
    return [
      plainNumber(w.slot),
      formatPercent(wd?.sharePct ?? null),
      plainNumber(w.pid),
      plainNumber(w.requests),
      formatRate(wd?.rps ?? null),
      plainNumber(w.exceptions),
      plainNumber(w.signals),
      statusCell(w),
      yesNo(w.accepting),
      formatMicros(w.avgRtUs),
      w.rssBytes > 0 ? formatBytes(w.rssBytes) : '-', // 0 = not measured (no --memory-report)
      w.vszBytes > 0 ? formatBytes(w.vszBytes) : '-',
      formatBytes(w.txBytes),
      plainNumber(w.respawnCount),
      plainNumber(w.harakiriCount),
      formatMicros(w.runningTimeUs),
      formatEpochShort(w.lastSpawn, snap.readAtMs),
    ];
  });
  return renderTable(columns, rows);
}

/** The in-flight requests of busy cores, oldest first. */
export function inFlightTable(requests: readonly InFlightRequest[]): string[] {
  const sorted = [...requests].sort((a, b) => (b.ageSeconds ?? -1) - (a.ageSeconds ?? -1));
  const rows = sorted.map((q) => [
    plainNumber(q.workerSlot),
    plainNumber(q.coreId),
    plainNumber(q.workerPid),
    formatSeconds(q.ageSeconds),
    safeText(q.method, 10),
    safeText(q.host, HOST_CHARS),
    safeText(q.uri, URI_CHARS),
    safeText(q.remoteAddr, 45),
  ]);
  return renderTable([r('WID'), r('CORE'), r('PID'), r('AGE'), l('METHOD'), l('HOST'), l('URI'), l('REMOTE')], rows);
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
    section(`In-flight requests (${inFlight.length})`, inFlightTable(inFlight));
  } else if (!coresKnown && doc.workers.length > 0) {
    out.push('', 'In-flight requests: unknown (the document has no cores: --stats-no-cores)');
  } else {
    out.push('', 'In-flight requests: none');
  }

  if (doc.caches.length > 0) {
    const cacheRates = new Map(derived.caches.map((c) => [c.name, c]));
    section(
      `Caches (${doc.caches.length})`,
      renderTable(
        [l('NAME'), r('ITEMS'), r('MAX'), r('HITS'), r('MISS'), r('FULL'), r('HIT%NOW'), r('HIT%ALL'), r('HITS/s'), r('MISS/s'), r('BLOCKSIZE'), l('HASH')],
        doc.caches.map((c) => {
          const cd = cacheRates.get(c.name);
          return [
            safeText(c.name, NAME_CHARS),
            plainNumber(c.items),
            plainNumber(c.maxItems),
            plainNumber(c.hits),
            plainNumber(c.misses),
            plainNumber(c.full),
            // Labelled apart: the last interval's ratio jumps with a few lookups, the lifetime one does not.
            formatPercent(cd?.hitsPerSec != null && cd.missesPerSec != null && cd.hitsPerSec + cd.missesPerSec > 0 ? (100 * cd.hitsPerSec) / (cd.hitsPerSec + cd.missesPerSec) : null),
            formatPercent(c.hits + c.misses > 0 ? (100 * c.hits) / (c.hits + c.misses) : null),
            formatRate(cd?.hitsPerSec ?? null),
            formatRate(cd?.missesPerSec ?? null),
            formatBytes(c.blocksize),
            safeText(c.hash, 20),
          ];
        }),
      ),
    );
  }

  if (doc.sockets.length > 0) section(`Sockets (${doc.sockets.length})`, specTable(socketsSpec, doc.sockets));

  for (const g of doc.legions) {
    // lord_uuid names the lord; i_am_the_lord stays set for a moment after a higher valor took over (2.0.21).
    const other = g.lordUuid === '' ? 'no lord' : `lord ${safeText(g.lordUuid, 40)} (valor ${g.lordValor})`;
    const lord =
      g.iAmTheLord > 0 && (g.lordUuid === g.uuid || g.lordUuid === '')
        ? `this node is lord since ${formatEpochShort(g.iAmTheLord, snap.readAtMs)}`
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

/**
 * The views a target offers, by document kind, and the body each one shows. Number keys are stable across
 * kinds (1 is always the main table, 9 the event log, 0 the fleet) so fingers learn them once.
 */
import type { DocumentKind } from '../../../stats/snapshot.js';
import type { MonitorEvent } from '../../../metrics/types.js';
import type { TargetUpdate } from '../../../monitor/types.js';
import { tableBody, type BodyModel } from './body.js';
import { cacheRows, cachesSpec } from '../../../present/columns/caches.js';
import { eventRows, eventsSpec } from '../../../present/columns/events.js';
import { blacklistHeads, vassalRows, vassalsSpec } from '../../../present/columns/emperor.js';
import { fleetSpec, type FleetRow } from './fleet.js';
import { inflightRows, inflightSpec } from '../../../present/columns/inflight.js';
import { legionHeads, memberRows, membersSpec } from '../../../present/columns/legions.js';
import { metricRows, metricsSpec } from '../../../present/columns/metrics.js';
import { nodeRows, nodesSpec, staticNodeHeads } from '../../../present/columns/router.js';
import { socketsSpec } from '../../../present/columns/sockets.js';
import { effectiveSockets } from '../../../metrics/kernel-queue.js';
import type { TableState } from './table.js';
import { ALL, type ViewId, type ViewInfo } from './view-table.js';

export { VIEW_KEYS, viewKeysHelp, type ViewId } from './view-table.js';
import type { CoreMode } from './state.js';
import { daemonRespawnsSeen, taskRows, tasksSpec } from '../../../present/columns/tasks.js';
import { workerRows, workersSpec } from '../../../present/columns/workers.js';

const BY_KIND: Record<DocumentKind, ViewId[]> = {
  instance: ['workers', 'requests', 'graphs', 'caches', 'sockets', 'metrics', 'legions', 'tasks', 'events', 'fleet'],
  emperor: ['vassals', 'events', 'fleet'],
  router: ['nodes', 'events', 'fleet'],
};

/** The views offered for a document kind (instance when nothing was read yet), in tab order. */
export function viewsFor(kind: DocumentKind | null): ViewInfo[] {
  return BY_KIND[kind ?? 'instance'].map((id) => ALL[id]);
}

/** The view a number key selects for this kind, or null when that number has no view here. */
export function viewForKey(kind: DocumentKind | null, key: string): ViewId | null {
  return viewsFor(kind).find((v) => v.key === key)?.id ?? null;
}

/** The view to show for this kind: `wanted` when offered, else the kind's main view. */
export function resolveView(kind: DocumentKind | null, wanted: ViewId): ViewId {
  const views = viewsFor(kind);
  return views.some((v) => v.id === wanted) ? wanted : views[0]!.id;
}

/** Title of a view. */
export function viewTitle(id: ViewId): string {
  return ALL[id].title;
}

/** Short title (narrow terminals). */
export function viewShort(id: ViewId): string {
  return ALL[id].short;
}

export interface BodyInput {
  view: ViewId;
  update: TargetUpdate | null;
  events: readonly MonitorEvent[];
  fleet: FleetRow[];
  table: TableState;
  width: number;
  /** Lines for the body, or a function of the lines it needs (see tableBody). */
  height: number | ((need: number) => number);
  nowMs: number;
  /** The clock in-flight ages are shown at (see ages.ts dataClock). */
  clockMs: number;
  /** uwsgitop's `a`: core rows in the workers table. */
  coreMode?: CoreMode;
}

/** The body of a table view (graphs are drawn by the renderer from their own model). */
export function viewBody(input: BodyInput): BodyModel {
  const { view, update, table, width, height, nowMs } = input;
  const snap = update?.snapshot ?? null;
  const derived = update?.derived ?? null;
  const waiting = snap === null ? 'no stats document read yet' : '';
  switch (view) {
    case 'fleet':
      return tableBody([], input.fleet, fleetSpec, table, width, height, 'no targets');
    case 'events':
      return tableBody([], eventRows(input.events), eventsSpec, table, width, height, 'no events yet');
    case 'vassals': {
      if (snap?.kind !== 'emperor') return tableBody([], [], vassalsSpec, table, width, height, waiting || 'not an emperor');
      const heads = blacklistHeads(snap.doc.blacklist, nowMs);
      return tableBody(heads, vassalRows(snap.doc.vassals, derived?.vassals ?? [], nowMs), vassalsSpec, table, width, height, 'the emperor has no vassals');
    }
    case 'nodes': {
      if (snap?.kind !== 'router') return tableBody([], [], nodesSpec, table, width, height, waiting || 'not a router');
      return tableBody(staticNodeHeads(snap.doc.staticNodes), nodeRows(snap.doc, derived?.nodes ?? [], nowMs), nodesSpec, table, width, height, 'no subscriptions');
    }
    default:
      break;
  }
  if (snap?.kind !== 'instance') return tableBody([], [], workersSpec, table, width, height, waiting || 'not an instance');
  const doc = snap.doc;
  switch (view) {
    case 'requests':
      return tableBody([], inflightRows(doc.workers, snap.readAtMs, input.clockMs), inflightSpec, table, width, height,
        doc.workers.some((w) => w.cores === null) ? 'no cores in the document (--stats-no-cores): in-flight requests unknown' : 'no request in flight');
    case 'caches':
      return tableBody([], cacheRows(doc.caches, derived?.caches ?? []), cachesSpec, table, width, height, 'no cache configured (--cache2)');
    case 'sockets':
      return tableBody([], effectiveSockets(snap), socketsSpec, table, width, height, 'no socket in the document');
    case 'metrics':
      return tableBody([], metricRows(doc.metrics, derived?.metrics ?? []), metricsSpec, table, width, height, 'no metrics: uWSGI runs without --enable-metrics');
    case 'legions':
      return tableBody(legionHeads(doc.legions, nowMs), memberRows(doc.legions, nowMs), membersSpec, table, width, height,
        doc.legions.length ? 'no other member listed now (none has joined, or every one has left)' : 'no legion configured');
    case 'tasks':
      return tableBody([], taskRows(doc, nowMs, daemonRespawnsSeen(input.events)), tasksSpec, table, width, height, 'no spooler, cron or daemon');
    default:
      return tableBody([], workerRows(doc.workers, derived?.workers ?? [], nowMs, input.coreMode), workersSpec, table, width, height, 'no worker in the document');
  }
}

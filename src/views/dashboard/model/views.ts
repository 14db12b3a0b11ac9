/**
 * The body each table view shows: one entry a view in `VIEW_BODIES`, a record the compiler holds to exactly
 * the registry's table views (view-registry.ts), so a view without its body, or a body without its view, does
 * not build. Number keys are stable across kinds (1 is always the main table, 9 the event log, 0 the fleet).
 */
import type { MonitorEvent } from '../../../metrics/types.js';
import type { TargetUpdate } from '../../../monitor/types.js';
import type { InstanceSnapshot } from '../../../stats/snapshot.js';
import { tableBody, type BodyModel } from './body.js';
import type { Line } from './line.js';
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
import type { TableSpec, TableState } from './table.js';
import type { CoreMode } from './state.js';
import { daemonRespawnsSeen, taskRows, tasksSpec } from '../../../present/columns/tasks.js';
import { workerRows, workersSpec } from '../../../present/columns/workers.js';
import type { TableIdsOf, TableViewId, ViewSpec } from './view-registry.js';

export interface BodyInput {
  view: TableViewId;
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

export type BodyFn = (input: BodyInput) => BodyModel;

/** One body for each table view of a registry: none missing, none for a view that draws charts or does not exist. */
export type BodiesOf<V extends Record<string, ViewSpec>> = Record<TableIdsOf<V>, BodyFn>;

/** The dashboard's bodies: one for each table view of VIEWS. */
export type ViewBodies = Record<TableViewId, BodyFn>;

/** `tableBody` with the input's table state and size. */
function rowsBody<R>(input: BodyInput, head: Line[], rows: readonly R[], spec: TableSpec<R>, empty: string): BodyModel {
  return tableBody(head, rows, spec, input.table, input.width, input.height, empty);
}

/** Why a view of another kind of document has no rows: none read yet, or `other`. */
function notRead(input: BodyInput, other: string): string {
  return (input.update?.snapshot ?? null) === null ? 'no stats document read yet' : other;
}

/** A body that needs an instance's document; until one is read, an empty workers table says why. */
function onInstance(body: (input: BodyInput, snap: InstanceSnapshot) => BodyModel): BodyFn {
  return (input) => {
    const snap = input.update?.snapshot ?? null;
    if (snap?.kind !== 'instance') return rowsBody(input, [], [], workersSpec, notRead(input, 'not an instance'));
    return body(input, snap);
  };
}

export const VIEW_BODIES: ViewBodies = {
  workers: onInstance((input, snap) => rowsBody(input, [], workerRows(snap.doc.workers, input.update?.derived?.workers ?? [], input.nowMs, input.coreMode), workersSpec,
    'no worker in the document')),
  vassals: (input) => {
    const snap = input.update?.snapshot ?? null;
    if (snap?.kind !== 'emperor') return rowsBody(input, [], [], vassalsSpec, notRead(input, 'not an emperor'));
    const rows = vassalRows(snap.doc.vassals, input.update?.derived?.vassals ?? [], input.nowMs);
    return rowsBody(input, blacklistHeads(snap.doc.blacklist, input.nowMs), rows, vassalsSpec, 'the emperor has no vassals');
  },
  nodes: (input) => {
    const snap = input.update?.snapshot ?? null;
    if (snap?.kind !== 'router') return rowsBody(input, [], [], nodesSpec, notRead(input, 'not a router'));
    return rowsBody(input, staticNodeHeads(snap.doc.staticNodes), nodeRows(snap.doc, input.update?.derived?.nodes ?? [], input.nowMs), nodesSpec, 'no subscriptions');
  },
  requests: onInstance((input, snap) => rowsBody(input, [], inflightRows(snap.doc.workers, snap.readAtMs, input.clockMs), inflightSpec,
    snap.doc.workers.some((w) => w.cores === null) ? 'no cores in the document (--stats-no-cores): in-flight requests unknown' : 'no request in flight')),
  caches: onInstance((input, snap) => rowsBody(input, [], cacheRows(snap.doc.caches, input.update?.derived?.caches ?? []), cachesSpec, 'no cache configured (--cache2)')),
  sockets: onInstance((input, snap) => rowsBody(input, [], effectiveSockets(snap), socketsSpec, 'no socket in the document')),
  metrics: onInstance((input, snap) => rowsBody(input, [], metricRows(snap.doc.metrics, input.update?.derived?.metrics ?? []), metricsSpec,
    'no metrics: uWSGI runs without --enable-metrics')),
  legions: onInstance((input, snap) => rowsBody(input, legionHeads(snap.doc.legions, input.nowMs), memberRows(snap.doc.legions, input.nowMs), membersSpec,
    snap.doc.legions.length ? 'no other member listed now (none has joined, or every one has left)' : 'no legion configured')),
  tasks: onInstance((input, snap) => rowsBody(input, [], taskRows(snap.doc, input.nowMs, daemonRespawnsSeen(input.events)), tasksSpec, 'no spooler, cron or daemon')),
  events: (input) => rowsBody(input, [], eventRows(input.events), eventsSpec, 'no events yet'),
  fleet: (input) => rowsBody(input, [], input.fleet, fleetSpec, 'no targets'),
};

/** The body of a table view (graphs draw charts: frame.ts builds them from the history). */
export function viewBody(input: BodyInput): BodyModel {
  return VIEW_BODIES[input.view](input);
}

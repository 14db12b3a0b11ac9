/**
 * What a Prometheus family can be about (its scope) and what its value getter is given for each: the
 * target, the instance and its sockets, workers, cores, apps, caches, spoolers and legions, the Emperor and
 * its vassals, the router and its subscriptions and their nodes. A scope names its own labels (besides
 * `target` and `stats_uri`), so the families of a scope never repeat them.
 */
import type { TargetUpdate } from '../monitor/types.js';
import type { Derived, WorkerDerived } from '../metrics/types.js';
import type {
  Cache,
  Core,
  EmperorDocument,
  InstanceDocument,
  KernelQueue,
  Legion,
  OsFacts,
  ProcessOs,
  RouterDocument,
  Socket,
  Spooler,
  Subscription,
  SubscriptionNode,
  Vassal,
  Worker,
  WorkerApp,
} from '../stats/snapshot.js';

export type Labels = Record<string, string>;

/** What to export besides the defaults. */
export interface SampleOptions {
  /** Per-core series (uwsgi_worker_core_*, uwsgi_metric_worker_core_*): many series on threaded or async workers. */
  cores?: boolean;
  /** Workers per target with per-worker series (the first by slot); counts and totals still cover all. */
  maxWorkers?: number;
}

/** The relay's own count of stats reads of one target (uwsgi_exporter_scrapes_total and friends). */
export interface ReadCounts {
  reads: number;
  errors: number;
  /** Sum of the successful reads' durations (uwsgi_exporter_scrape_duration_seconds_sum). */
  seconds: number;
}

/** Each scope's context: what the value getters of its families are given, one per scope object. */
export interface ScopeContexts {
  /** Every target, up or down; `update` null = never polled yet. */
  target: { update: TargetUpdate | null; reads: ReadCounts | undefined; nowMs: number };
  /** `workers` leaves out the slots with id 0 (never spawned in cheaper mode), as uwsgi_exporter does. */
  instance: { doc: InstanceDocument; workers: readonly Worker[]; os: OsFacts | undefined; derived: Derived | null; maxWorkers: number };
  /** `kernel`: the kernel's queue of a listening unix socket, when it was asked and answered. */
  socket: { socket: Socket; kernel: KernelQueue | null | undefined };
  /** `proc`: the worker's process from /proc (local instance only); `derived`: its last interval. */
  worker: { worker: Worker; proc: ProcessOs | null | undefined; derived: WorkerDerived | undefined };
  core: { worker: Worker; core: Core };
  app: { worker: Worker; app: WorkerApp };
  cache: Cache;
  spooler: Spooler;
  legion: Legion;
  emperor: EmperorDocument;
  /** `key`: the vassal's id, `id#n` for the n-th vassal sharing it (see vassalKeys). */
  vassal: { vassal: Vassal; key: string };
  router: RouterDocument;
  subscription: Subscription;
  subscriptionNode: { subscription: Subscription; node: SubscriptionNode };
}

export type Scope = keyof ScopeContexts;

/** A scope's label names (for the exposition) and their values for one of its objects. */
export interface ScopeLabels<S extends Scope> {
  names: readonly string[];
  values: (ctx: ScopeContexts[S]) => Labels;
}

const none = { names: [], values: () => ({}) };
const workerId = (w: Worker): string => String(w.id);

/** Every scope's labels, in the order uwsgi_exporter writes them. */
export const SCOPE_LABELS: { readonly [S in Scope]: ScopeLabels<S> } = {
  target: none,
  instance: none,
  socket: { names: ['name', 'proto'], values: ({ socket }) => ({ name: socket.name, proto: socket.proto }) },
  worker: { names: ['worker_id'], values: ({ worker }) => ({ worker_id: workerId(worker) }) },
  core: { names: ['worker_id', 'core_id'], values: ({ worker, core }) => ({ worker_id: workerId(worker), core_id: String(core.id) }) },
  app: {
    names: ['worker_id', 'app_id', 'mountpoint', 'chdir'],
    values: ({ worker, app }) => ({ worker_id: workerId(worker), app_id: String(app.id), mountpoint: app.mountpoint, chdir: app.chdir }),
  },
  cache: { names: ['name'], values: (cache) => ({ name: cache.name }) },
  spooler: { names: ['dir'], values: (spooler) => ({ dir: spooler.dir }) },
  legion: { names: ['legion'], values: (legion) => ({ legion: legion.legion }) },
  emperor: none,
  vassal: { names: ['vassal'], values: ({ key }) => ({ vassal: key }) },
  router: { names: ['router'], values: (doc) => ({ router: doc.routerName }) },
  subscription: { names: ['key'], values: (sub) => ({ key: sub.key }) },
  subscriptionNode: { names: ['key', 'node'], values: ({ subscription, node }) => ({ key: subscription.key, node: node.name }) },
};

/** True when the update's document is current enough to export (live or stale, not down or connecting). */
export function isExportable(update: TargetUpdate | null): boolean {
  const state = update?.state.state;
  return update?.snapshot != null && (state === 'live' || state === 'stale');
}

/**
 * The registry of the relay's Prometheus families. Each entry is one family: its scope (what it is about,
 * which also gives its labels: prom-scopes.ts), name, help and value getter; prom-samples.ts walks the
 * scopes and runs every family of a scope on each of its objects, so an entry here is all a family needs.
 * A getter's null/undefined is "no sample" (a figure the document or the OS did not give). The table's order
 * is the exposition's. Names and help follow uwsgi_exporter where it has the family, so its Grafana
 * dashboards keep working; the additions cover what it lacks (paused workers, legions, vassals, routers,
 * /proc figures, per-target up/age). The relay's own metrics, filled by prometheus.ts, are named at the end.
 */
import { CLOCK_TICKS_PER_SECOND } from '../stats/proc-os.js';
import { isExportable, type Scope, type ScopeContexts } from './prom-scopes.js';

/** A family's value for one object of its scope; null or undefined = no sample for it. */
export type Getter<S extends Scope> = (ctx: ScopeContexts[S]) => number | null | undefined;

export interface Family<S extends Scope = Scope> {
  scope: S;
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  value: Getter<S>;
}

/** A family of any scope, each with its own scope's getter. */
export type AnyFamily = { [S in Scope]: Family<S> }[Scope];

/** A gauge about each object of a scope. */
export function gauge<S extends Scope>(scope: S, name: string, help: string, value: Getter<S>): Family<S> {
  return { scope, name, help, type: 'gauge', value };
}

/** A counter about each object of a scope: uWSGI's absolute value (the name ends in `_total` but where uwsgi_exporter's does not). */
export function counter<S extends Scope>(scope: S, name: string, help: string, value: Getter<S>): Family<S> {
  return { scope, name, help, type: 'counter', value };
}

const g = gauge;
const c = counter;
const flag = (b: boolean): number => (b ? 1 : 0);
/** Microseconds as seconds; unknown stays unknown. */
const seconds = (us: number | null | undefined): number | null | undefined => (us === null || us === undefined ? us : us / 1e6);
const countWhere = <T>(list: readonly T[], test: (item: T) => boolean): number => list.filter(test).length;
const cpuSeconds = (ticks: number): number => ticks / CLOCK_TICKS_PER_SECOND;

/** Every family the relay exposes for its targets, in exposition order. */
export const FAMILIES: readonly AnyFamily[] = [
  g('target', 'uwsgi_up', 'Whether the last stats read of this target succeeded (1) or not (0).', ({ update }) => flag(update?.state.state === 'live' || update?.state.state === 'stale')),
  g('instance', 'uwsgitop_relay_omitted_workers', 'Workers of this target without per-worker series: only the first ones (by slot) are exported.', ({ workers, maxWorkers }) =>
    workers.length > maxWorkers ? workers.length - maxWorkers : null,
  ),
  g('target', 'uwsgi_stats_age_seconds', 'Seconds since the latest good stats document of this target was read.', ({ update, nowMs }) =>
    update?.snapshot ? Math.max(0, (nowMs - update.snapshot.readAtMs) / 1000) : null,
  ),
  g('target', 'uwsgi_stats_read_duration_seconds', 'How long the latest good stats read took.', ({ update }) => (isExportable(update) ? update!.snapshot!.durationMs / 1000 : null)),
  // uwsgi_exporter's own scrape metrics; here a "scrape" is one of the relay's stats reads of the target.
  c('target', 'uwsgi_exporter_scrapes_total', 'Total number of times uWSGI was read for stats by the relay.', ({ reads }) => reads?.reads),
  c('target', 'uwsgi_exporter_scrape_errors_total', 'Total number of times an error occurred reading a uWSGI.', ({ reads }) => reads?.errors),
  g('target', 'uwsgi_exporter_last_scrape_error', 'Whether the last read of stats from uWSGI resulted in an error (1 for error, 0 for success).', ({ update, reads }) =>
    reads === undefined || update === null ? null : flag(update.error !== null),
  ),
  // uwsgi_exporter: main
  g('instance', 'uwsgi_listen_queue_length', 'Length of listen queue.', ({ doc }) => doc.listenQueue ?? 0),
  g('instance', 'uwsgi_listen_queue_errors', 'Number of listen queue errors.', ({ doc }) => doc.listenQueueErrors ?? 0),
  g('instance', 'uwsgi_signal_queue_length', 'Length of signal queue.', ({ doc }) => doc.signalQueue),
  g('instance', 'uwsgi_workers', 'Number of workers.', ({ workers }) => workers.length),
  // uwsgi_exporter: sockets
  g('socket', 'uwsgi_socket_queue_length', 'Length of socket queue.', ({ socket }) => socket.queue),
  g('socket', 'uwsgi_socket_max_queue_length', 'Max length of socket queue.', ({ socket }) => socket.maxQueue),
  g('socket', 'uwsgi_socket_shared', 'Is shared socket?', ({ socket }) => flag(socket.shared)),
  g('socket', 'uwsgi_socket_can_offload', 'Can socket offload?', ({ socket }) => flag(socket.canOffload)),
  // uwsgi_exporter: workers
  g('worker', 'uwsgi_worker_accepting', 'Is this worker accepting requests?', ({ worker }) => flag(worker.accepting)),
  g('worker', 'uwsgi_worker_delta_requests', 'Number of delta requests', ({ worker }) => worker.deltaRequests),
  g('worker', 'uwsgi_worker_signal_queue_length', 'Length of signal queue.', ({ worker }) => worker.signalQueue),
  g('worker', 'uwsgi_worker_rss_bytes', 'Worker RSS bytes.', ({ worker }) => worker.rssBytes),
  g('worker', 'uwsgi_worker_vsz_bytes', 'Worker VSZ bytes.', ({ worker }) => worker.vszBytes),
  g('worker', 'uwsgi_worker_running_time_seconds', 'Worker running time in seconds.', ({ worker }) => seconds(worker.runningTimeUs)),
  g('worker', 'uwsgi_worker_last_spawn_time_seconds', 'Last spawn time in seconds since epoch.', ({ worker }) => worker.lastSpawn),
  g('worker', 'uwsgi_worker_average_response_time_seconds', 'Average response time in seconds.', ({ worker }) => seconds(worker.avgRtUs)),
  g('worker', 'uwsgi_worker_apps', 'Number of apps.', ({ worker }) => worker.apps.length),
  g('worker', 'uwsgi_worker_cores', 'Number of cores.', ({ worker }) => worker.cores?.length),
  c('worker', 'uwsgi_worker_requests_total', 'Total number of requests.', ({ worker }) => worker.requests),
  c('worker', 'uwsgi_worker_exceptions_total', 'Total number of exceptions.', ({ worker }) => worker.exceptions),
  c('worker', 'uwsgi_worker_harakiri_count_total', 'Total number of harakiri count.', ({ worker }) => worker.harakiriCount),
  c('worker', 'uwsgi_worker_signals_total', 'Total number of signals.', ({ worker }) => worker.signals),
  c('worker', 'uwsgi_worker_respawn_count_total', 'Total number of respawn count.', ({ worker }) => worker.respawnCount),
  c('worker', 'uwsgi_worker_transmitted_bytes_total', 'Worker transmitted bytes.', ({ worker }) => worker.txBytes),
  g('worker', 'uwsgi_worker_busy', 'Is core in busy', ({ worker }) => flag(worker.status === 'busy')),
  g('worker', 'uwsgi_worker_idle', 'Is core in idle', ({ worker }) => flag(worker.status === 'idle')),
  g('worker', 'uwsgi_worker_cheap', 'Is core in cheap mode', ({ worker }) => flag(worker.status === 'cheap')),
  // uwsgi_exporter: worker apps
  g('app', 'uwsgi_worker_app_startup_time_seconds', 'How long this app took to start.', ({ app }) => app.startupTime),
  c('app', 'uwsgi_worker_app_requests_total', 'Total number of requests.', ({ app }) => app.requests),
  c('app', 'uwsgi_worker_app_exceptions_total', 'Total number of exceptions.', ({ app }) => app.exceptions),
  // uwsgi_exporter: caches
  c('cache', 'uwsgi_cache_hits', 'Total number of hits.', (cache) => cache.hits),
  c('cache', 'uwsgi_cache_misses', 'Total number of misses.', (cache) => cache.misses),
  c('cache', 'uwsgi_cache_full', 'Total Number of times cache full was hit.', (cache) => cache.full),
  g('cache', 'uwsgi_cache_items', 'Items in cache.', (cache) => cache.items),
  g('cache', 'uwsgi_cache_max_items', 'Max items for this cache.', (cache) => cache.maxItems),
  // Additions
  g('worker', 'uwsgi_worker_pause', 'Is this worker paused (status pause)?', ({ worker }) => flag(worker.status === 'pause')),
  g('worker', 'uwsgi_worker_uss_bytes', 'Worker USS bytes (with --memory-report).', ({ worker }) => worker.ussBytes),
  g('worker', 'uwsgi_worker_pss_bytes', 'Worker PSS bytes (with --memory-report).', ({ worker }) => worker.pssBytes),
  g('instance', 'uwsgi_workers_paused', 'Number of paused workers.', ({ workers }) => countWhere(workers, (w) => w.status === 'pause')),
  g('instance', 'uwsgi_workers_busy', 'Number of busy workers.', ({ workers }) => countWhere(workers, (w) => w.status === 'busy')),
  // Without cores (--stats-no-cores) uWSGI does not list what is in flight: no sample rather than a 0.
  g('instance', 'uwsgi_requests_in_flight', 'Requests being served right now.', ({ workers }) =>
    workers.some((w) => w.cores !== null) ? workers.reduce((sum, w) => sum + w.inFlight.length, 0) : null,
  ),
  g('spooler', 'uwsgi_spooler_tasks', 'Tasks waiting in a spooler.', (spooler) => spooler.tasks),
  g('legion', 'uwsgi_legion_lord', 'Whether this node is the lord of the legion.', (legion) => flag(legion.iAmTheLord !== 0)),
  g('legion', 'uwsgi_legion_lord_since_seconds', 'Epoch second this node became lord (0 when it is not).', (legion) => legion.iAmTheLord),
  g('legion', 'uwsgi_legion_quorum', 'Quorum of the legion.', (legion) => legion.quorum),
  g('legion', 'uwsgi_legion_members', 'Members this node sees in the legion.', (legion) => legion.members.length),
  g('legion', 'uwsgi_legion_valor', 'This node\'s valor in the legion.', (legion) => legion.valor),
  g('emperor', 'uwsgi_emperor_vassals', 'Number of vassals of the Emperor.', (doc) => doc.vassals.length),
  g('emperor', 'uwsgi_emperor_throttle_level', 'Emperor throttle level.', (doc) => doc.throttleLevel),
  g('emperor', 'uwsgi_emperor_blacklisted_vassals', 'Number of blacklisted vassals.', (doc) => doc.blacklist.length),
  g('vassal', 'uwsgi_vassal_ready', 'Is the vassal ready?', ({ vassal }) => flag(vassal.ready)),
  g('vassal', 'uwsgi_vassal_accepting', 'Is the vassal accepting requests?', ({ vassal }) => flag(vassal.accepting)),
  g('vassal', 'uwsgi_vassal_loyal', 'Is the vassal loyal?', ({ vassal }) => flag(vassal.loyal !== 0)),
  g('vassal', 'uwsgi_vassal_cursed', 'Is the vassal cursed?', ({ vassal }) => flag(vassal.cursed !== 0)),
  c('vassal', 'uwsgi_vassal_respawns_total', 'Total number of vassal respawns.', ({ vassal }) => vassal.respawns),
  g('router', 'uwsgi_router_active_sessions', 'Active sessions of the router.', (doc) => doc.activeSessions),
  c('subscription', 'uwsgi_subscription_hits_total', 'Hits of a subscription key.', (sub) => sub.hits),
  g('subscription', 'uwsgi_subscription_nodes', 'Nodes subscribed under a key.', (sub) => sub.nodes.length),
  c('subscriptionNode', 'uwsgi_subscription_node_requests_total', 'Requests routed to a subscription node.', ({ node }) => node.requests),
  c('subscriptionNode', 'uwsgi_subscription_node_transmitted_bytes_total', 'Bytes sent to a subscription node.', ({ node }) => node.tx),
  c('subscriptionNode', 'uwsgi_subscription_node_received_bytes_total', 'Bytes received from a subscription node.', ({ node }) => node.rx),
  g('subscriptionNode', 'uwsgi_subscription_node_load', 'Load reported by a subscription node.', ({ node }) => node.load),
  g('subscriptionNode', 'uwsgi_subscription_node_weight', 'Weight of a subscription node.', ({ node }) => node.weight),
  g('subscriptionNode', 'uwsgi_subscription_node_failures', 'Failure count of a subscription node.', ({ node }) => node.failcnt),
  g('subscriptionNode', 'uwsgi_subscription_node_death_mark', 'Is the subscription node marked dead?', ({ node }) => flag(node.deathMark)),
  // From /proc for a local instance (none for a remote one): what the stats server cannot say.
  c('worker', 'uwsgi_worker_cpu_seconds_total', 'CPU time (user + system) of the worker process, from /proc.', ({ proc }) => (proc ? cpuSeconds(proc.cpuTicks) : null)),
  g('worker', 'uwsgi_worker_os_rss_bytes', 'Resident memory of the worker process, from /proc.', ({ proc }) => proc?.rssBytes),
  c('instance', 'uwsgi_master_cpu_seconds_total', 'CPU time (user + system) of the master process, from /proc.', ({ os }) => (os?.master ? cpuSeconds(os.master.cpuTicks) : null)),
  g('instance', 'uwsgi_master_os_rss_bytes', 'Resident memory of the master process, from /proc.', ({ os }) => os?.master?.rssBytes),
  // uwsgi_worker_average_response_time_seconds is uWSGI's running average; this is the interval's mean.
  g('instance', 'uwsgi_interval_response_time_seconds', 'Mean response time of the requests finished in the last poll interval.', ({ derived }) =>
    seconds(derived?.instance?.intervalAvgRtUs),
  ),
  // uWSGI reports 0 for unix sockets; the kernel's figures (sock_diag, as `ss -xl`) for a local instance.
  g('socket', 'uwsgi_socket_kernel_queue_length', 'Connections waiting on a listening unix socket, from the kernel.', ({ kernel }) => kernel?.queue),
  g('socket', 'uwsgi_socket_kernel_max_queue_length', 'Backlog of a listening unix socket, from the kernel.', ({ kernel }) => kernel?.maxQueue),
  g('worker', 'uwsgi_worker_interval_response_time_seconds', 'Mean response time of the requests this worker finished in the last poll interval.', ({ derived }) =>
    seconds(derived?.intervalAvgRtUs),
  ),
  // uwsgi_exporter's --collect.cores families (serve --collect-cores): one series per core, off by default.
  g('core', 'uwsgi_worker_core_busy', 'Is core busy', ({ core }) => flag(core.inRequest)),
  c('core', 'uwsgi_worker_core_requests_total', 'Total number of requests.', ({ core }) => core.requests),
  c('core', 'uwsgi_worker_core_static_requests_total', 'Total number of static requests.', ({ core }) => core.staticRequests),
  c('core', 'uwsgi_worker_core_routed_requests_total', 'Total number of routed requests.', ({ core }) => core.routedRequests),
  c('core', 'uwsgi_worker_core_offloaded_requests_total', 'Total number of offloaded requests.', ({ core }) => core.offloadedRequests),
  c('core', 'uwsgi_worker_core_write_errors_total', 'Total number of write errors.', ({ core }) => core.writeErrors),
  c('core', 'uwsgi_worker_core_read_errors_total', 'Total number of read errors.', ({ core }) => core.readErrors),
];

/** A family prom-client fills itself (the relay's own metrics) or prometheus.ts builds apart: named here all the same. */
export interface NamedFamily<T extends 'gauge' | 'counter' | 'histogram' | 'summary' = 'gauge' | 'counter' | 'histogram' | 'summary'> {
  name: string;
  help: string;
  type: T;
  /** Label names (none besides `target`/`stats_uri` for a target's family). */
  labels: readonly string[];
}

/** The relay's own metrics (/metrics/relay, also part of /metrics). */
export const RELAY_FAMILIES = {
  websocketClients: { name: 'uwsgitop_relay_websocket_clients', help: 'WebSocket clients connected to this relay.', type: 'gauge', labels: [] },
  targets: { name: 'uwsgitop_relay_targets', help: 'Stats targets this relay watches.', type: 'gauge', labels: [] },
  targetsUp: { name: 'uwsgitop_relay_targets_up', help: 'Watched targets whose latest stats read succeeded.', type: 'gauge', labels: [] },
  requests: { name: 'uwsgitop_relay_scrapes_total', help: 'Requests answered by the relay, by endpoint.', type: 'counter', labels: ['endpoint'] },
  durations: { name: 'uwsgitop_relay_scrape_duration_seconds', help: 'Time the relay took to answer a request, by endpoint.', type: 'histogram', labels: ['endpoint'] },
} as const satisfies Record<string, NamedFamily>;

/** uwsgi_exporter's scrape duration summary, from the relay's reads of each target: `_sum` and `_count` only. */
export const SCRAPE_DURATION_FAMILY: NamedFamily<'summary'> = {
  name: 'uwsgi_exporter_scrape_duration_seconds',
  help: "Duration of the relay's successful stats reads of uWSGI.",
  type: 'summary',
  labels: [],
};

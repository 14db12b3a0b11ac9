/**
 * Prometheus samples from the monitors' latest snapshots (pure: no I/O, no clock except where passed in).
 * Names and labels follow uwsgi_exporter (label `stats_uri`, `worker_id`, socket `name`/`proto`, cache
 * `name`, app `worker_id`/`app_id`/`mountpoint`/`chdir`) so its Grafana dashboards keep working; every
 * sample also carries `target`. Additions cover what the exporter lacks: paused workers, legions, vassals,
 * routers and their subscription nodes, per-target up/age.
 */
import { escapeControls } from '../core/safe-text.js';
import { vassalKeys } from '../metrics/vassal-keys.js';
import type { TargetUpdate } from '../monitor/types.js';
import type { Core, EmperorDocument, InstanceDocument, OsFacts, RouterDocument, Worker } from '../stats/snapshot.js';
import type { Derived } from '../metrics/types.js';
import { CLOCK_TICKS_PER_SECOND } from '../stats/proc-os.js';

export type Labels = Record<string, string>;
export interface Sample {
  labels: Labels;
  value: number;
}

export interface MetricSpec<N extends string = string> {
  name: N;
  help: string;
  type: 'gauge' | 'counter';
  /** Label names besides `target` and `stats_uri`. */
  labels: readonly string[];
}

// The name's literal type is kept: FamilyName is the registry, and emit() takes nothing else.
const g = <N extends string>(name: N, help: string, labels: readonly string[] = []): MetricSpec<N> => ({ name, help, type: 'gauge', labels });
const c = <N extends string>(name: N, help: string, labels: readonly string[] = []): MetricSpec<N> => ({ name, help, type: 'counter', labels });
const W = ['worker_id'] as const;
const CORE = ['worker_id', 'core_id'] as const;
const APP = ['worker_id', 'app_id', 'mountpoint', 'chdir'] as const;

/** Every metric the relay exposes. */
export const METRIC_SPECS = [
  g('uwsgi_up', 'Whether the last stats read of this target succeeded (1) or not (0).'),
  g('uwsgitop_relay_omitted_workers', 'Workers of this target without per-worker series: only the first ones (by slot) are exported.'),
  g('uwsgi_stats_age_seconds', 'Seconds since the latest good stats document of this target was read.'),
  g('uwsgi_stats_read_duration_seconds', 'How long the latest good stats read took.'),
  // uwsgi_exporter's own scrape metrics; here a "scrape" is one of the relay's stats reads of the target.
  c('uwsgi_exporter_scrapes_total', 'Total number of times uWSGI was read for stats by the relay.'),
  c('uwsgi_exporter_scrape_errors_total', 'Total number of times an error occurred reading a uWSGI.'),
  g('uwsgi_exporter_last_scrape_error', 'Whether the last read of stats from uWSGI resulted in an error (1 for error, 0 for success).'),
  // uwsgi_exporter: main
  g('uwsgi_listen_queue_length', 'Length of listen queue.'),
  g('uwsgi_listen_queue_errors', 'Number of listen queue errors.'),
  g('uwsgi_signal_queue_length', 'Length of signal queue.'),
  g('uwsgi_workers', 'Number of workers.'),
  // uwsgi_exporter: sockets
  g('uwsgi_socket_queue_length', 'Length of socket queue.', ['name', 'proto']),
  g('uwsgi_socket_max_queue_length', 'Max length of socket queue.', ['name', 'proto']),
  g('uwsgi_socket_shared', 'Is shared socket?', ['name', 'proto']),
  g('uwsgi_socket_can_offload', 'Can socket offload?', ['name', 'proto']),
  // uwsgi_exporter: workers
  g('uwsgi_worker_accepting', 'Is this worker accepting requests?', W),
  g('uwsgi_worker_delta_requests', 'Number of delta requests', W),
  g('uwsgi_worker_signal_queue_length', 'Length of signal queue.', W),
  g('uwsgi_worker_rss_bytes', 'Worker RSS bytes.', W),
  g('uwsgi_worker_vsz_bytes', 'Worker VSZ bytes.', W),
  g('uwsgi_worker_running_time_seconds', 'Worker running time in seconds.', W),
  g('uwsgi_worker_last_spawn_time_seconds', 'Last spawn time in seconds since epoch.', W),
  g('uwsgi_worker_average_response_time_seconds', 'Average response time in seconds.', W),
  g('uwsgi_worker_apps', 'Number of apps.', W),
  g('uwsgi_worker_cores', 'Number of cores.', W),
  c('uwsgi_worker_requests_total', 'Total number of requests.', W),
  c('uwsgi_worker_exceptions_total', 'Total number of exceptions.', W),
  c('uwsgi_worker_harakiri_count_total', 'Total number of harakiri count.', W),
  c('uwsgi_worker_signals_total', 'Total number of signals.', W),
  c('uwsgi_worker_respawn_count_total', 'Total number of respawn count.', W),
  c('uwsgi_worker_transmitted_bytes_total', 'Worker transmitted bytes.', W),
  g('uwsgi_worker_busy', 'Is core in busy', W),
  g('uwsgi_worker_idle', 'Is core in idle', W),
  g('uwsgi_worker_cheap', 'Is core in cheap mode', W),
  // uwsgi_exporter: worker apps
  g('uwsgi_worker_app_startup_time_seconds', 'How long this app took to start.', APP),
  c('uwsgi_worker_app_requests_total', 'Total number of requests.', APP),
  c('uwsgi_worker_app_exceptions_total', 'Total number of exceptions.', APP),
  // uwsgi_exporter: caches
  c('uwsgi_cache_hits', 'Total number of hits.', ['name']),
  c('uwsgi_cache_misses', 'Total number of misses.', ['name']),
  c('uwsgi_cache_full', 'Total Number of times cache full was hit.', ['name']),
  g('uwsgi_cache_items', 'Items in cache.', ['name']),
  g('uwsgi_cache_max_items', 'Max items for this cache.', ['name']),
  // Additions
  g('uwsgi_worker_pause', 'Is this worker paused (status pause)?', W),
  g('uwsgi_worker_uss_bytes', 'Worker USS bytes (with --memory-report).', W),
  g('uwsgi_worker_pss_bytes', 'Worker PSS bytes (with --memory-report).', W),
  g('uwsgi_workers_paused', 'Number of paused workers.'),
  g('uwsgi_workers_busy', 'Number of busy workers.'),
  g('uwsgi_requests_in_flight', 'Requests being served right now.'),
  g('uwsgi_spooler_tasks', 'Tasks waiting in a spooler.', ['dir']),
  g('uwsgi_legion_lord', 'Whether this node is the lord of the legion.', ['legion']),
  g('uwsgi_legion_lord_since_seconds', 'Epoch second this node became lord (0 when it is not).', ['legion']),
  g('uwsgi_legion_quorum', 'Quorum of the legion.', ['legion']),
  g('uwsgi_legion_members', 'Members this node sees in the legion.', ['legion']),
  g('uwsgi_legion_valor', 'This node\'s valor in the legion.', ['legion']),
  g('uwsgi_emperor_vassals', 'Number of vassals of the Emperor.'),
  g('uwsgi_emperor_throttle_level', 'Emperor throttle level.'),
  g('uwsgi_emperor_blacklisted_vassals', 'Number of blacklisted vassals.'),
  g('uwsgi_vassal_ready', 'Is the vassal ready?', ['vassal']),
  g('uwsgi_vassal_accepting', 'Is the vassal accepting requests?', ['vassal']),
  g('uwsgi_vassal_loyal', 'Is the vassal loyal?', ['vassal']),
  g('uwsgi_vassal_cursed', 'Is the vassal cursed?', ['vassal']),
  c('uwsgi_vassal_respawns_total', 'Total number of vassal respawns.', ['vassal']),
  g('uwsgi_router_active_sessions', 'Active sessions of the router.', ['router']),
  c('uwsgi_subscription_hits_total', 'Hits of a subscription key.', ['key']),
  g('uwsgi_subscription_nodes', 'Nodes subscribed under a key.', ['key']),
  c('uwsgi_subscription_node_requests_total', 'Requests routed to a subscription node.', ['key', 'node']),
  c('uwsgi_subscription_node_transmitted_bytes_total', 'Bytes sent to a subscription node.', ['key', 'node']),
  c('uwsgi_subscription_node_received_bytes_total', 'Bytes received from a subscription node.', ['key', 'node']),
  g('uwsgi_subscription_node_load', 'Load reported by a subscription node.', ['key', 'node']),
  g('uwsgi_subscription_node_weight', 'Weight of a subscription node.', ['key', 'node']),
  g('uwsgi_subscription_node_failures', 'Failure count of a subscription node.', ['key', 'node']),
  g('uwsgi_subscription_node_death_mark', 'Is the subscription node marked dead?', ['key', 'node']),
  // From /proc for a local instance (none for a remote one): what the stats server cannot say.
  c('uwsgi_worker_cpu_seconds_total', 'CPU time (user + system) of the worker process, from /proc.', W),
  g('uwsgi_worker_os_rss_bytes', 'Resident memory of the worker process, from /proc.', W),
  c('uwsgi_master_cpu_seconds_total', 'CPU time (user + system) of the master process, from /proc.'),
  g('uwsgi_master_os_rss_bytes', 'Resident memory of the master process, from /proc.'),
  // uwsgi_worker_average_response_time_seconds is uWSGI's running average; this is the interval's mean.
  g('uwsgi_interval_response_time_seconds', 'Mean response time of the requests finished in the last poll interval.'),
  // uWSGI reports 0 for unix sockets; the kernel's figures (sock_diag, as `ss -xl`) for a local instance.
  g('uwsgi_socket_kernel_queue_length', 'Connections waiting on a listening unix socket, from the kernel.', ['name', 'proto']),
  g('uwsgi_socket_kernel_max_queue_length', 'Backlog of a listening unix socket, from the kernel.', ['name', 'proto']),
  g('uwsgi_worker_interval_response_time_seconds', 'Mean response time of the requests this worker finished in the last poll interval.', W),
] as const satisfies readonly MetricSpec[];

/** uwsgi_exporter's --collect.cores families (serve --collect-cores): one series per core, off by default. */
export const CORE_METRIC_SPECS = [
  g('uwsgi_worker_core_busy', 'Is core busy', CORE),
  c('uwsgi_worker_core_requests_total', 'Total number of requests.', CORE),
  c('uwsgi_worker_core_static_requests_total', 'Total number of static requests.', CORE),
  c('uwsgi_worker_core_routed_requests_total', 'Total number of routed requests.', CORE),
  c('uwsgi_worker_core_offloaded_requests_total', 'Total number of offloaded requests.', CORE),
  c('uwsgi_worker_core_write_errors_total', 'Total number of write errors.', CORE),
  c('uwsgi_worker_core_read_errors_total', 'Total number of read errors.', CORE),
] as const satisfies readonly MetricSpec[];

/** A family's name: one of the registry's, so a misspelt emit() does not compile (it used to drop its samples). */
export type FamilyName = (typeof METRIC_SPECS)[number]['name'] | (typeof CORE_METRIC_SPECS)[number]['name'];

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

/** Fresh read counts. */
export const noReads = (): ReadCounts => ({ reads: 0, errors: 0, seconds: 0 });

/** Count one finished read (an update with a new seq). */
export function countRead(counts: ReadCounts, update: TargetUpdate): void {
  counts.reads++;
  if (update.error !== null) counts.errors++;
  else if (update.snapshot !== null) counts.seconds += update.snapshot.durationMs / 1000;
}

/** One target's input: its latest update (null = never polled yet) and, when counted, its reads. */
export interface TargetSampleInput {
  target: string;
  update: TargetUpdate | null;
  reads?: ReadCounts;
}

/** Samples by metric name. */
export type SampleSet = Map<string, Sample[]>;

type Emit = (name: FamilyName, value: number, labels?: Labels) => void;

function emitter(set: SampleSet, target: string): Emit {
  return (name, value, labels = {}) => {
    let list = set.get(name);
    if (list === undefined) set.set(name, (list = []));
    // Label values come from the document: a scrape read in a terminal (curl) must not act on it either.
    const safe: Labels = { target: escapeControls(target), stats_uri: escapeControls(target) };
    for (const [k, v] of Object.entries(labels)) safe[k] = escapeControls(v);
    // A value out of range (NaN after decoding) is unknown: no sample rather than a made-up 0.
    if (Number.isFinite(value)) list.push({ labels: safe, value });
  };
}

const flag = (b: boolean): number => (b ? 1 : 0);

/** Each per-core family and the core's value it carries. */
const CORE_VALUES: ReadonlyArray<readonly [(typeof CORE_METRIC_SPECS)[number]['name'], (core: Core) => number]> = [
  ['uwsgi_worker_core_busy', (core) => flag(core.inRequest)],
  ['uwsgi_worker_core_requests_total', (core) => core.requests],
  ['uwsgi_worker_core_static_requests_total', (core) => core.staticRequests],
  ['uwsgi_worker_core_routed_requests_total', (core) => core.routedRequests],
  ['uwsgi_worker_core_offloaded_requests_total', (core) => core.offloadedRequests],
  ['uwsgi_worker_core_write_errors_total', (core) => core.writeErrors],
  ['uwsgi_worker_core_read_errors_total', (core) => core.readErrors],
];

function instanceSamples(doc: InstanceDocument, emit: Emit, options: SampleOptions, os?: OsFacts, derived?: Derived | null): void {
  // Slots never spawned in cheaper mode have id 0: uwsgi_exporter leaves them out, and so do we.
  const workers = doc.workers.filter((w) => w.id !== 0);
  emit('uwsgi_listen_queue_length', doc.listenQueue ?? 0);
  emit('uwsgi_listen_queue_errors', doc.listenQueueErrors ?? 0);
  emit('uwsgi_signal_queue_length', doc.signalQueue);
  emit('uwsgi_workers', workers.length);
  socketSamples(doc, emit, os);
  let paused = 0;
  let busy = 0;
  let inFlight = 0;
  // Without cores (--stats-no-cores) uWSGI does not list what is in flight: export nothing rather than a 0.
  const coresKnown = workers.some((w) => w.cores !== null);
  const maxWorkers = options.maxWorkers ?? Infinity;
  if (workers.length > maxWorkers) emit('uwsgitop_relay_omitted_workers', workers.length - maxWorkers);
  for (const [index, w] of workers.entries()) {
    if (w.status === 'pause') paused++;
    if (w.status === 'busy') busy++;
    inFlight += w.inFlight.length;
    // 100,000 workers would be 2.5 million series (a 250 MB scrape): the rest are counted above, not listed.
    if (index < maxWorkers) workerSamples(w, emit, options, os, derived);
  }
  if (os?.master) {
    emit('uwsgi_master_cpu_seconds_total', os.master.cpuTicks / CLOCK_TICKS_PER_SECOND);
    emit('uwsgi_master_os_rss_bytes', os.master.rssBytes);
  }
  const mean = derived?.instance?.intervalAvgRtUs;
  if (mean !== undefined && mean !== null) emit('uwsgi_interval_response_time_seconds', mean / 1e6);
  emit('uwsgi_workers_paused', paused);
  emit('uwsgi_workers_busy', busy);
  if (coresKnown) emit('uwsgi_requests_in_flight', inFlight);
  sharedSamples(doc, emit);
}

/** Each listening socket's queue (uWSGI's, and the kernel's where it was asked). */
function socketSamples(doc: InstanceDocument, emit: Emit, os?: OsFacts): void {
  const seenSockets = new Set<string>();
  for (const [index, s] of doc.sockets.entries()) {
    // uwsgi_exporter keeps the first socket of a (name, proto) pair: duplicates would be one series twice.
    const key = JSON.stringify([s.name, s.proto]);
    if (seenSockets.has(key)) continue;
    seenSockets.add(key);
    const labels = { name: s.name, proto: s.proto };
    emit('uwsgi_socket_queue_length', s.queue, labels);
    emit('uwsgi_socket_max_queue_length', s.maxQueue, labels);
    emit('uwsgi_socket_shared', flag(s.shared), labels);
    emit('uwsgi_socket_can_offload', flag(s.canOffload), labels);
    const kernel = os?.sockets?.[index];
    if (kernel) {
      emit('uwsgi_socket_kernel_queue_length', kernel.queue, labels);
      emit('uwsgi_socket_kernel_max_queue_length', kernel.maxQueue, labels);
    }
  }
}

/** One worker's series: uWSGI's figures, its cores and apps, and what /proc and the last interval add. */
function workerSamples(w: Worker, emit: Emit, options: SampleOptions, os?: OsFacts, derived?: Derived | null): void {
  const labels = { worker_id: String(w.id) };
  emit('uwsgi_worker_accepting', flag(w.accepting), labels);
  emit('uwsgi_worker_delta_requests', w.deltaRequests, labels);
  emit('uwsgi_worker_signal_queue_length', w.signalQueue, labels);
  emit('uwsgi_worker_rss_bytes', w.rssBytes, labels);
  emit('uwsgi_worker_vsz_bytes', w.vszBytes, labels);
  emit('uwsgi_worker_running_time_seconds', w.runningTimeUs / 1e6, labels);
  emit('uwsgi_worker_last_spawn_time_seconds', w.lastSpawn, labels);
  emit('uwsgi_worker_average_response_time_seconds', w.avgRtUs / 1e6, labels);
  emit('uwsgi_worker_apps', w.apps.length, labels);
  if (w.cores !== null) emit('uwsgi_worker_cores', w.cores.length, labels);
  if (options.cores) {
    for (const core of w.cores ?? []) {
      const coreLabels = { worker_id: String(w.id), core_id: String(core.id) };
      for (const [name, value] of CORE_VALUES) emit(name, value(core), coreLabels);
    }
  }
  emit('uwsgi_worker_requests_total', w.requests, labels);
  emit('uwsgi_worker_exceptions_total', w.exceptions, labels);
  emit('uwsgi_worker_harakiri_count_total', w.harakiriCount, labels);
  emit('uwsgi_worker_signals_total', w.signals, labels);
  emit('uwsgi_worker_respawn_count_total', w.respawnCount, labels);
  emit('uwsgi_worker_transmitted_bytes_total', w.txBytes, labels);
  emit('uwsgi_worker_busy', flag(w.status === 'busy'), labels);
  emit('uwsgi_worker_idle', flag(w.status === 'idle'), labels);
  emit('uwsgi_worker_cheap', flag(w.status === 'cheap'), labels);
  emit('uwsgi_worker_pause', flag(w.status === 'pause'), labels);
  if (w.ussBytes !== null) emit('uwsgi_worker_uss_bytes', w.ussBytes, labels);
  if (w.pssBytes !== null) emit('uwsgi_worker_pss_bytes', w.pssBytes, labels);
  const proc = os?.workers[w.slot - 1];
  if (proc) {
    emit('uwsgi_worker_cpu_seconds_total', proc.cpuTicks / CLOCK_TICKS_PER_SECOND, labels);
    emit('uwsgi_worker_os_rss_bytes', proc.rssBytes, labels);
  }
  const mean = derived?.workers[w.slot - 1]?.intervalAvgRtUs;
  if (mean !== undefined && mean !== null) emit('uwsgi_worker_interval_response_time_seconds', mean / 1e6, labels);
  for (const app of w.apps) {
    const appLabels = { worker_id: String(w.id), app_id: String(app.id), mountpoint: app.mountpoint, chdir: app.chdir };
    emit('uwsgi_worker_app_startup_time_seconds', app.startupTime, appLabels);
    emit('uwsgi_worker_app_requests_total', app.requests, appLabels);
    emit('uwsgi_worker_app_exceptions_total', app.exceptions, appLabels);
  }
}

/** Caches, spoolers and legions: what the workers share. */
function sharedSamples(doc: InstanceDocument, emit: Emit): void {
  for (const cache of doc.caches) {
    const labels = { name: cache.name };
    emit('uwsgi_cache_hits', cache.hits, labels);
    emit('uwsgi_cache_misses', cache.misses, labels);
    emit('uwsgi_cache_full', cache.full, labels);
    emit('uwsgi_cache_items', cache.items, labels);
    emit('uwsgi_cache_max_items', cache.maxItems, labels);
  }
  for (const spooler of doc.spoolers) emit('uwsgi_spooler_tasks', spooler.tasks, { dir: spooler.dir });
  for (const legion of doc.legions) {
    const labels = { legion: legion.legion };
    emit('uwsgi_legion_lord', flag(legion.iAmTheLord !== 0), labels);
    emit('uwsgi_legion_lord_since_seconds', legion.iAmTheLord, labels);
    emit('uwsgi_legion_quorum', legion.quorum, labels);
    emit('uwsgi_legion_members', legion.members.length, labels);
    emit('uwsgi_legion_valor', legion.valor, labels);
  }
}

function emperorSamples(doc: EmperorDocument, emit: Emit): void {
  emit('uwsgi_emperor_vassals', doc.vassals.length);
  emit('uwsgi_emperor_throttle_level', doc.throttleLevel);
  emit('uwsgi_emperor_blacklisted_vassals', doc.blacklist.length);
  // Vassals sharing an id would be one series twice: the n-th of an id is labelled `id#n`.
  const keys = vassalKeys(doc.vassals);
  for (const [i, v] of doc.vassals.entries()) {
    const labels = { vassal: keys[i]! };
    emit('uwsgi_vassal_ready', flag(v.ready), labels);
    emit('uwsgi_vassal_accepting', flag(v.accepting), labels);
    emit('uwsgi_vassal_loyal', flag(v.loyal !== 0), labels);
    emit('uwsgi_vassal_cursed', flag(v.cursed !== 0), labels);
    emit('uwsgi_vassal_respawns_total', v.respawns, labels);
  }
}

function routerSamples(doc: RouterDocument, emit: Emit): void {
  emit('uwsgi_router_active_sessions', doc.activeSessions, { router: doc.routerName });
  for (const sub of doc.subscriptions) {
    emit('uwsgi_subscription_hits_total', sub.hits, { key: sub.key });
    emit('uwsgi_subscription_nodes', sub.nodes.length, { key: sub.key });
    for (const node of sub.nodes) {
      const labels = { key: sub.key, node: node.name };
      emit('uwsgi_subscription_node_requests_total', node.requests, labels);
      emit('uwsgi_subscription_node_transmitted_bytes_total', node.tx, labels);
      emit('uwsgi_subscription_node_received_bytes_total', node.rx, labels);
      emit('uwsgi_subscription_node_load', node.load, labels);
      emit('uwsgi_subscription_node_weight', node.weight, labels);
      emit('uwsgi_subscription_node_failures', node.failcnt, labels);
      emit('uwsgi_subscription_node_death_mark', flag(node.deathMark), labels);
    }
  }
}

/** True when the update's document is current enough to export (live or stale, not down or connecting). */
export function isExportable(update: TargetUpdate | null): boolean {
  const state = update?.state.state;
  return update?.snapshot != null && (state === 'live' || state === 'stale');
}

/** All samples for a set of targets' latest updates (null = never polled yet: only `uwsgi_up 0`). */
export function collectSamples(updates: ReadonlyArray<TargetSampleInput>, nowMs: number, options: SampleOptions = {}): SampleSet {
  const set: SampleSet = new Map();
  for (const { target, update, reads } of updates) {
    const emit = emitter(set, target);
    const state = update?.state.state;
    emit('uwsgi_up', flag(state === 'live' || state === 'stale'));
    if (reads !== undefined) {
      emit('uwsgi_exporter_scrapes_total', reads.reads);
      emit('uwsgi_exporter_scrape_errors_total', reads.errors);
      if (update !== null) emit('uwsgi_exporter_last_scrape_error', flag(update.error !== null));
    }
    const snap = update?.snapshot ?? null;
    if (snap === null) continue;
    emit('uwsgi_stats_age_seconds', Math.max(0, (nowMs - snap.readAtMs) / 1000));
    // A down target keeps its last document in `snapshot`; its values would be stale, so only up/age go out.
    if (!isExportable(update)) continue;
    emit('uwsgi_stats_read_duration_seconds', snap.durationMs / 1000);
    if (snap.kind === 'instance') instanceSamples(snap.doc, emit, options, snap.os, update!.derived);
    else if (snap.kind === 'emperor') emperorSamples(snap.doc, emit);
    else routerSamples(snap.doc, emit);
  }
  return set;
}

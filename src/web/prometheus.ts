/**
 * The relay's Prometheus expositions, built with prom-client on each scrape from the monitors' latest
 * updates (a scrape never triggers a stats read): every target (/metrics), one target (/probe), and the
 * relay's own and Node's process metrics (/metrics/relay, also part of /metrics).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { TargetMonitor } from '../monitor/types.js';
import { escapeControls } from '../core/safe-text.js';
import { collectSamples, countRead, noReads, type SampleSet, type TargetSampleInput } from './prom-samples.js';
import { FAMILIES, RELAY_FAMILIES, SCRAPE_DURATION_FAMILY, type NamedFamily } from './prom-families.js';
import { SCOPE_LABELS, isExportable, type ReadCounts } from './prom-scopes.js';
import { collectMetricFamilies } from './prom-uwsgi-metrics.js';
import { DEFAULT_MAX_WORKERS } from '../relay/limits.js';

export type ScrapeEndpoint = 'metrics' | 'probe' | 'relay' | 'sd';

export interface RelayMetricsOptions {
  /** WebSocket clients connected now. */
  clients?: () => number;
  /** Per-core series (serve --collect-cores). */
  cores?: boolean;
  /** Workers per target with per-worker series (default DEFAULT_MAX_WORKERS). */
  maxWorkers?: number;
}

export interface RelayMetrics {
  readonly contentType: string;
  /** The exposition for every target, the relay's own metrics and Node's. */
  render(): Promise<string>;
  /** The exposition of these targets only (a /probe answer): no relay or Node metrics. */
  renderTargets(inputs: readonly TargetSampleInput[]): Promise<string>;
  /** The relay's own metrics and Node's only. */
  renderSelf(): Promise<string>;
  /** The input for one watched target (its latest update and read counts). */
  input(monitor: TargetMonitor): TargetSampleInput;
  /** Count one answered request of an endpoint and how long it took. */
  observe(endpoint: ScrapeEndpoint, seconds: number): void;
  /** Stop counting the monitors' reads. */
  close(): void;
}

// Node's process metrics describe the process, not a relay: one set per process, shared by every relay in it.
let nodeRegistry: Registry | null = null;
function processRegistry(): Registry {
  if (nodeRegistry === null) {
    nodeRegistry = new Registry();
    collectDefaultMetrics({ register: nodeRegistry });
  }
  return nodeRegistry;
}

type Family = { name: string; help: string; type: 'gauge' | 'counter' } & { labelNames: readonly string[]; samples: ReadonlyArray<{ labels: Record<string, string>; value: number }> };

function addFamily(registry: Registry, f: Family): void {
  const common = { name: f.name, help: f.help, labelNames: [...f.labelNames], registers: [registry] };
  if (f.type === 'gauge') {
    const gauge = new Gauge(common);
    for (const s of f.samples) gauge.set(s.labels, s.value);
  } else {
    // Counters are absolute values from uWSGI: add the whole value once (never negative).
    const counter = new Counter(common);
    for (const s of f.samples) counter.inc(s.labels, Math.max(0, s.value));
  }
}

/** A registry holding these targets' samples (fresh per scrape: concurrent scrapes never share values). */
function targetRegistry(inputs: readonly TargetSampleInput[], cores: boolean, maxWorkers: number): Registry {
  const registry = new Registry();
  const samples: SampleSet = collectSamples(inputs, Date.now(), { cores, maxWorkers });
  for (const family of FAMILIES) {
    if (family.scope === 'core' && !cores) continue;
    const labelNames = ['target', 'stats_uri', ...SCOPE_LABELS[family.scope].names];
    addFamily(registry, { ...family, labelNames, samples: samples.get(family.name) ?? [] });
  }
  const docs = inputs.flatMap(({ target, update }) =>
    isExportable(update) && update!.snapshot!.kind === 'instance' ? [{ target, metrics: update!.snapshot!.doc.metrics }] : [],
  );
  for (const family of collectMetricFamilies(docs, { cores })) addFamily(registry, family);
  addReadDurations(registry, inputs);
  return registry;
}

/**
 * uwsgi_exporter's scrape duration summary, from the relay's reads: only `_sum` and `_count` (no quantiles).
 * prom-client's Summary cannot be given a sum and count, so the family is a plain metric object.
 */
function addReadDurations(registry: Registry, inputs: readonly TargetSampleInput[]): void {
  const { name, help, type } = SCRAPE_DURATION_FAMILY;
  const values = inputs.flatMap(({ target, reads }) => {
    if (reads === undefined) return [];
    const labels = { target: escapeControls(target), stats_uri: escapeControls(target) };
    return [
      { metricName: `${name}_sum`, labels, value: reads.seconds },
      { metricName: `${name}_count`, labels, value: reads.reads - reads.errors },
    ];
  });
  registry.registerMetric({ name, get: async () => ({ name, help, type, values, aggregator: 'sum' }) } as unknown as Parameters<Registry['registerMetric']>[0]);
}

/** prom-client's options for one of the relay's own families. */
function selfOptions(registry: Registry, family: NamedFamily) {
  return { name: family.name, help: family.help, labelNames: [...family.labels], registers: [registry] };
}

/** A gauge of the relay itself, read on each scrape. */
function selfGauge(registry: Registry, family: NamedFamily<'gauge'>, value: () => number): void {
  new Gauge({
    ...selfOptions(registry, family),
    collect() {
      this.set(value());
    },
  });
}

/** Build the expositions for these monitors. */
export function createRelayMetrics(monitors: readonly TargetMonitor[], options: RelayMetricsOptions = {}): RelayMetrics {
  const cores = options.cores ?? false;
  const maxWorkers = options.maxWorkers ?? DEFAULT_MAX_WORKERS;
  const clients = options.clients ?? (() => 0);
  const counts = new Map<string, ReadCounts>(monitors.map((m) => [m.target, noReads()]));
  const unsubscribes = monitors.map((m) => {
    let lastSeq = -1;
    return m.subscribe((update) => {
      // A state-only update (stale) repeats the poll's seq: it is not another read.
      if (update.seq === lastSeq) return;
      lastSeq = update.seq;
      countRead(counts.get(m.target)!, update);
    });
  });

  const self = new Registry();
  selfGauge(self, RELAY_FAMILIES.websocketClients, clients);
  selfGauge(self, RELAY_FAMILIES.targets, () => monitors.length);
  selfGauge(self, RELAY_FAMILIES.targetsUp, () => monitors.filter((m) => isExportable(m.latest())).length);
  const requests = new Counter(selfOptions(self, RELAY_FAMILIES.requests));
  const durations = new Histogram({ ...selfOptions(self, RELAY_FAMILIES.durations), buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5] });
  const selfAndNode = (): Registry => Registry.merge([self, processRegistry()]);
  const input = (m: TargetMonitor): TargetSampleInput => ({ target: m.target, update: m.latest(), reads: counts.get(m.target)! });

  return {
    contentType: self.contentType,
    async render() {
      return Registry.merge([targetRegistry(monitors.map(input), cores, maxWorkers), self, processRegistry()]).metrics();
    },
    renderTargets: (inputs) => targetRegistry(inputs, cores, maxWorkers).metrics(),
    renderSelf: () => selfAndNode().metrics(),
    input,
    observe(endpoint, seconds) {
      requests.inc({ endpoint });
      durations.observe({ endpoint }, seconds);
    },
    close() {
      for (const u of unsubscribes) u();
    },
  };
}

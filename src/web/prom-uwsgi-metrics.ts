/**
 * uWSGI's own metrics subsystem (`--enable-metrics`, user metrics) as Prometheus families `uwsgi_metric_*`.
 * uWSGI puts ids in its dotted names (`worker.3.core.1.requests`); Prometheus wants them as labels, so a run
 * of digits after a name part becomes the label `<part>_id` (`worker_id`, `core_id`, `socket_id`, as the
 * exporter names them) and leaves the family name. Names come from the document (user metrics are named by
 * the application): anything outside [a-zA-Z0-9_] becomes `_`, so a name can never break the exposition.
 */
import { escapeControls } from '../core/safe-text.js';
import type { Metric } from '../stats/snapshot.js';

export interface MetricFamilySample {
  /** The full family name (`uwsgi_metric_...`, counters end in `_total`). */
  family: string;
  type: 'counter' | 'gauge';
  labels: Record<string, string>;
  value: number;
  /** The uWSGI name it came from (for the family's HELP). */
  source: string;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function safePart(part: string): string {
  return part.replace(/[^a-zA-Z0-9_]+/g, '_').replace(/_+/g, '_').replace(/^_|_$/g, '');
}

/**
 * The family and id labels of one uWSGI metric name, or null when nothing of it is left to name a family
 * (the name was only punctuation). `core` parts mark per-core metrics (left out unless asked for).
 */
export function metricFamilyName(name: string): { base: string; labels: Record<string, string>; perCore: boolean } | null {
  const parts: string[] = [];
  const labels: Record<string, string> = {};
  let previous: string | null = null;
  let perCore = false;
  for (const raw of name.split('.')) {
    const part = safePart(raw);
    if (part === '') continue;
    if (/^[0-9]+$/.test(part) && previous !== null) {
      const label = `${previous}_id`;
      // A second id under the same name part (a.1.a.2) keeps its digits in the name: labels are unique.
      if (LABEL_NAME.test(label) && !label.startsWith('__') && !(label in labels)) {
        labels[label] = String(Number(part));
        if (previous === 'core') perCore = true;
        previous = null;
        continue;
      }
    }
    parts.push(part);
    previous = part;
  }
  if (parts.length === 0) return null;
  return { base: `uwsgi_metric_${parts.join('_')}`.toLowerCase(), labels, perCore };
}

/**
 * Samples for one document's metrics. uWSGI types: counter (0) stays a counter, gauge (1) and absolute (2)
 * are gauges (an absolute is a value read as it is), aliases (3) repeat another metric and are left out.
 * Two names that become the same series keep the first.
 */
export function uwsgiMetricSamples(metrics: readonly Metric[], options: { cores: boolean }): MetricFamilySample[] {
  const out: MetricFamilySample[] = [];
  const seen = new Set<string>();
  for (const m of metrics) {
    if (m.type === 'alias') continue;
    const named = metricFamilyName(m.name);
    if (named === null) continue;
    if (named.perCore && !options.cores) continue;
    const type = m.type === 'counter' ? 'counter' : 'gauge';
    const family = type === 'counter' && !named.base.endsWith('_total') ? `${named.base}_total` : named.base;
    const key = family + JSON.stringify(Object.entries(named.labels).sort());
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ family, type, labels: named.labels, value: Number.isFinite(m.value) ? (type === 'counter' ? Math.max(0, m.value) : m.value) : 0, source: m.name });
  }
  return out;
}

/** One `uwsgi_metric_*` family across every target: its type is the first one seen. */
export interface MetricFamily {
  name: string;
  type: 'counter' | 'gauge';
  help: string;
  labelNames: string[];
  samples: Array<{ labels: Record<string, string>; value: number }>;
}

/**
 * The families of every target's metrics. A name that one target exports as a counter and another as a
 * gauge keeps the first type; the others' samples are left out rather than breaking the exposition.
 */
export function collectMetricFamilies(docs: ReadonlyArray<{ target: string; metrics: readonly Metric[] }>, options: { cores: boolean }): MetricFamily[] {
  const families = new Map<string, MetricFamily & { labelSet: Set<string> }>();
  for (const { target, metrics } of docs) {
    for (const s of uwsgiMetricSamples(metrics, options)) {
      let family = families.get(s.family);
      if (family === undefined) {
        family = { name: s.family, type: s.type, help: `uWSGI metric ${s.source.replace(/\.[0-9]+(?=\.|$)/g, '.N').replace(/[^\x20-\x7e]/g, '?')} (--enable-metrics).`, labelNames: [], labelSet: new Set(['target', 'stats_uri']), samples: [] };
        families.set(s.family, family);
      }
      if (family.type !== s.type) continue;
      for (const l of Object.keys(s.labels)) family.labelSet.add(l);
      // Same label escaping as every other family (prom-samples' emitter); ids are digits only.
      family.samples.push({ labels: { target: escapeControls(target), stats_uri: escapeControls(target), ...s.labels }, value: s.value });
    }
  }
  return [...families.values()].map(({ labelSet, ...f }) => ({ ...f, labelNames: [...labelSet] }));
}

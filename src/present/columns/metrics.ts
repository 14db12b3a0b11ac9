/** The uWSGI metrics view (--enable-metrics): a filterable list of every metric with its value and rate. */
import type { MetricDerived } from '../../metrics/types.js';
import type { Metric } from '../../stats/snapshot.js';
import { safeText } from '../../core/safe-text.js';
import { fmtRate, plainNumber } from '../../core/units.js';
import type { Column, TableSpec } from './spec.js';

export interface MetricRow {
  m: Metric;
  d: MetricDerived | undefined;
}

const columns: Array<Column<MetricRow>> = [
  { id: 'name', title: 'METRIC', width: 24, flex: true, align: 'left', priority: 1, text: (r) => safeText(r.m.name), sort: (r) => safeText(r.m.name) },
  { id: 'type', title: 'TYPE', width: 8, align: 'left', priority: 2, text: (r) => r.m.type, sort: (r) => r.m.type },
  { id: 'value', title: 'VALUE', width: 14, align: 'right', priority: 1, desc: true, text: (r) => plainNumber(r.m.value), sort: (r) => r.m.value },
  { id: 'rate', title: 'RATE/s', width: 9, align: 'right', priority: 1, desc: true, text: (r) => fmtRate(r.d?.rate), sort: (r) => r.d?.rate ?? Number.NaN },
  { id: 'oid', title: 'OID', width: 12, align: 'left', priority: 3, text: (r) => safeText(r.m.oid), sort: (r) => safeText(r.m.oid) },
];

export const metricsSpec: TableSpec<MetricRow> = { columns, key: (r) => safeText(r.m.name), defaultSort: 'name' };

/** Pair metrics with their derived rates by name. */
export function metricRows(metrics: readonly Metric[], derived: readonly MetricDerived[]): MetricRow[] {
  const byName = new Map(derived.map((d) => [d.name, d]));
  return metrics.map((m) => ({ m, d: byName.get(m.name) }));
}

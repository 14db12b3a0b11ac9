/**
 * /sd: the relay's targets in Prometheus's HTTP service discovery format, one group per target, with what
 * the relay knows as `__meta_uwsgitop_*` labels (kept as target labels by the README's `labelmap`).
 */
import type { TargetMonitor } from '../monitor/types.js';

/** Where a target came from, when an ini file named it. */
export interface TargetOrigin {
  /** The ini file (absolute path). */
  ini?: string;
  /** The vassal's name (its file name) when the ini file came from a vassals directory. */
  vassal?: string;
}

/** The HTTP SD document for these monitors (`kind` is what the latest document is, `unknown` before one). */
export function serviceDiscovery(monitors: readonly TargetMonitor[], origins: ReadonlyMap<string, TargetOrigin>): Array<{ targets: string[]; labels: Record<string, string> }> {
  return monitors.map((m) => {
    const origin = origins.get(m.target) ?? {};
    const labels: Record<string, string> = { __meta_uwsgitop_kind: m.latest()?.snapshot?.kind ?? 'unknown' };
    if (origin.ini !== undefined) labels.__meta_uwsgitop_ini = origin.ini;
    if (origin.vassal !== undefined) labels.__meta_uwsgitop_vassal = origin.vassal;
    return { targets: [m.target], labels };
  });
}

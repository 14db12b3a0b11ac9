/**
 * The /metrics endpoint's prom-client Registry (its own, never the global default). Values are collected
 * on scrape from the monitors' latest updates: a scrape never triggers a stats read.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { TargetMonitor } from '../monitor/types.js';
import { METRIC_SPECS, collectSamples, type SampleSet } from './prom-samples.js';

export interface RelayMetrics {
  readonly contentType: string;
  /** The exposition text for the monitors' current state. */
  render(): Promise<string>;
}

/** Build the registry for these monitors; `clients` reports the relay's own WebSocket client count. */
export function createRelayMetrics(monitors: readonly TargetMonitor[], clients: () => number): RelayMetrics {
  const registry = new Registry();
  // Filled right before each render; every metric's collect() reads its own samples from it.
  let current: SampleSet = new Map();
  for (const spec of METRIC_SPECS) {
    const common = { name: spec.name, help: spec.help, labelNames: ['target', 'stats_uri', ...spec.labels], registers: [registry] };
    if (spec.type === 'gauge') {
      new Gauge({
        ...common,
        collect() {
          this.reset();
          for (const s of current.get(spec.name) ?? []) this.set(s.labels, s.value);
        },
      });
    } else {
      new Counter({
        ...common,
        collect() {
          // Counters are absolute values from uWSGI: reset, then add the whole value (never negative).
          this.reset();
          for (const s of current.get(spec.name) ?? []) this.inc(s.labels, Math.max(0, s.value));
        },
      });
    }
  }
  new Gauge({
    name: 'uwsgitop_relay_websocket_clients',
    help: 'WebSocket clients connected to this relay.',
    registers: [registry],
    collect() {
      this.set(clients());
    },
  });
  return {
    contentType: registry.contentType,
    async render() {
      current = collectSamples(monitors.map((m) => ({ target: m.target, update: m.latest() })), Date.now());
      return registry.metrics();
    },
  };
}

/**
 * /probe?target=ADDR (Prometheus's multi-target pattern): which target a probe names and where its samples
 * come from. A watched target answers from its monitor's latest update (no extra read). Any other address
 * is refused unless the relay was started to allow it; then it is read on demand, at most one read in
 * flight and one per interval for each address, so many Prometheus servers cannot make it hammer uWSGI.
 */
import { ProbeRefusal } from '../core/errors.js';
import { endpointKey, parseAddress, type StatsAddress } from '../stats/address.js';
import type { Snapshot } from '../stats/snapshot.js';
import { publicReadMessage } from '../stats/public-error.js';
import type { TargetMonitor, TargetUpdate } from '../monitor/types.js';
import { countRead, noReads, type TargetSampleInput } from './prom-samples.js';
import type { ReadCounts } from './prom-scopes.js';

/** Reads one document of an address not watched by the relay (only with `anyTarget`). */
export type ProbeReader = (address: StatsAddress, signal: AbortSignal) => Promise<Snapshot>;

export interface ProbeOptions {
  /** Allow addresses the relay does not watch (off by default: it would make the relay a scanner). */
  anyTarget?: boolean;
  read?: ProbeReader;
  /** A probed address is read again only after this long (default 1000 ms). */
  minIntervalMs?: number;
  /** Probed addresses remembered at once (default 100); the least recently probed is forgotten first. */
  maxAddresses?: number;
  /** A read running longer than this is aborted (default 5000 ms). */
  readTimeoutMs?: number;
}

interface AdHoc {
  update: TargetUpdate | null;
  readAtMs: number;
  inFlight: Promise<void> | null;
  counts: ReadCounts;
  seq: number;
}

/** Kinds an unwatched probe may read: network stats servers, as uwsgi_exporter allows (no local files or sockets). */
const PROBE_KINDS = new Set(['tcp', 'http']);
const NETWORK_SHAPE = /^(?:https?:\/\/|[A-Za-z0-9.-]*:[0-9]+$|\[[0-9A-Fa-f:.]+\]:[0-9]+$)/;

export interface Prober {
  /** The samples input for this probe; throws ProbeRefusal when it may not be answered. */
  resolve(targetParam: string | null): Promise<TargetSampleInput>;
}

function keyOf(text: string): string | null {
  try {
    return endpointKey(parseAddress(text));
  } catch {
    return null;
  }
}

/** The prober for a relay watching `monitors`; `input` turns a monitor into its samples input. */
export function createProber(monitors: readonly TargetMonitor[], input: (m: TargetMonitor) => TargetSampleInput, options: ProbeOptions = {}): Prober {
  const byName = new Map(monitors.map((m) => [m.target, m] as const));
  // Another spelling of a watched address (":9191" for "127.0.0.1:9191") finds the same monitor.
  const byEndpoint = new Map<string, TargetMonitor>();
  for (const m of monitors) {
    const key = keyOf(m.target);
    if (key !== null && !byEndpoint.has(key)) byEndpoint.set(key, m);
  }
  const adHoc = new Map<string, AdHoc>();
  const minIntervalMs = options.minIntervalMs ?? 1000;
  const maxAddresses = options.maxAddresses ?? 100;
  const readTimeoutMs = options.readTimeoutMs ?? 5000;

  async function readAdHoc(text: string, address: StatsAddress): Promise<TargetSampleInput> {
    const key = endpointKey(address);
    let entry = adHoc.get(key);
    if (entry === undefined) {
      if (adHoc.size >= maxAddresses) adHoc.delete(adHoc.keys().next().value!);
      entry = { update: null, readAtMs: 0, inFlight: null, counts: noReads(), seq: 0 };
    } else adHoc.delete(key);
    adHoc.set(key, entry); // most recently probed last
    const e = entry;
    if (e.inFlight === null && Date.now() - e.readAtMs >= minIntervalMs) {
      e.inFlight = (async () => {
        const signal = AbortSignal.timeout(readTimeoutMs);
        e.seq++;
        try {
          const snapshot = await options.read!(address, signal);
          e.update = { target: text, seq: e.seq, state: { state: 'live' }, snapshot, derived: null, events: [], error: null };
        } catch (err) {
          const message = publicReadMessage(err);
          e.update = { target: text, seq: e.seq, state: { state: 'down', error: message, sinceMs: Date.now(), nextRetryAtMs: null }, snapshot: null, derived: null, events: [], error: message };
        } finally {
          countRead(e.counts, e.update!);
          e.readAtMs = Date.now();
          e.inFlight = null;
        }
      })();
    }
    if (e.inFlight !== null) await e.inFlight;
    return { target: text, update: e.update, reads: e.counts };
  }

  return {
    async resolve(targetParam) {
      if (targetParam === null || targetParam === '') throw new ProbeRefusal(400, 'target is required: /probe?target=ADDRESS (one of the addresses /sd lists)');
      const key = keyOf(targetParam);
      const known = byName.get(targetParam) ?? (key !== null ? byEndpoint.get(key) : undefined);
      if (known !== undefined) return input(known);
      if (!options.anyTarget || options.read === undefined) {
        throw new ProbeRefusal(404, 'not a target of this relay (see /sd); serve --probe-any-target allows other addresses');
      }
      // Only the shapes of network addresses are parsed: a path would tell which local files exist.
      if (!NETWORK_SHAPE.test(targetParam)) throw new ProbeRefusal(400, 'only HOST:PORT and http(s):// stats addresses can be probed when the relay does not watch them');
      let address: StatsAddress;
      try {
        address = parseAddress(targetParam);
      } catch (err) {
        throw new ProbeRefusal(400, err instanceof Error ? err.message : String(err));
      }
      if (!PROBE_KINDS.has(address.kind)) throw new ProbeRefusal(400, 'only HOST:PORT and http(s):// stats addresses can be probed when the relay does not watch them');
      return readAdHoc(targetParam, address);
    },
  };
}

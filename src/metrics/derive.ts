/**
 * Rates and instance values from two consecutive snapshots of one target. Pure: no clock, no state.
 * Rates use the monotonic clock carried by each snapshot; null means "no rate" (first sample, reset, new life).
 */
import type {
  Snapshot,
  InstanceSnapshot,
  InstanceDocument,
  Worker,
  EmperorDocument,
  RouterDocument,
} from '../stats/snapshot.js';
import type {
  Derived,
  WorkerDerived,
  InstanceDerived,
  CacheDerived,
  MetricDerived,
  SubscriptionNodeDerived,
  VassalDerived,
} from './types.js';
import { counterRate, counterDelta, clamp } from './rate.js';
import { vassalKeys, vassalsByKey } from './vassal-keys.js';
import { deriveUsage } from './os-usage.js';

/** How `prev` relates to `cur`: the seconds between them when comparable, and whether `cur` starts a new life. */
export interface Comparison {
  seconds: number | null;
  restarted: boolean;
}

/** Decide whether two snapshots can give rates, and whether the instance restarted in between. */
export function compareSnapshots(prev: Snapshot | null, cur: Snapshot): Comparison {
  if (prev === null) return { seconds: null, restarted: false };
  // A different kind of program now answers on this address: a new life, nothing to compare.
  if (prev.kind !== cur.kind) return { seconds: null, restarted: true };
  if (prev.doc.pid !== cur.doc.pid) return { seconds: null, restarted: true };
  if (prev.kind === 'instance' && cur.kind === 'instance' && countersWentDown(prev.doc, cur.doc)) {
    return { seconds: null, restarted: true };
  }
  const seconds = (cur.monotonicMs - prev.monotonicMs) / 1000;
  // Same or earlier monotonic time means the same read twice (or a broken clock): no rate rather than infinity.
  if (!(seconds > 0) || !Number.isFinite(seconds)) return { seconds: null, restarted: false };
  return { seconds, restarted: false };
}

/**
 * A graceful reload (`r`) keeps the master pid but re-executes it: every counter starts again. Per-worker
 * requests survive a single worker's respawn, so total requests or a slot's respawn_count going down means
 * the whole instance started over.
 */
function countersWentDown(prev: InstanceDocument, cur: InstanceDocument): boolean {
  if (sumRequests(cur.workers) < sumRequests(prev.workers)) return true;
  const n = Math.min(prev.workers.length, cur.workers.length);
  for (let i = 0; i < n; i++) {
    const a = prev.workers[i]!;
    const b = cur.workers[i]!;
    if (a.respawnCount > 0 && b.respawnCount > 0 && b.respawnCount < a.respawnCount) return true;
  }
  return false;
}

function sumRequests(workers: readonly Worker[]): number {
  let s = 0;
  for (const w of workers) s += w.requests;
  return s;
}

/** Derive rates and instance values from the previous comparable snapshot (null on first) and the current one. */
export function derive(prev: Snapshot | null, cur: Snapshot): Derived {
  const cmp = compareSnapshots(prev, cur);
  const base: Derived = {
    target: cur.target,
    intervalSeconds: cmp.seconds,
    restarted: cmp.restarted,
    instance: null,
    workers: [],
    caches: [],
    metrics: [],
    nodes: [],
    vassals: [],
  };
  // Only a comparable previous document of the same kind is used below.
  const usable = cmp.seconds !== null ? prev : null;
  if (cur.kind === 'instance') {
    const p = usable !== null && usable.kind === 'instance' ? usable : null;
    deriveInstance(p?.doc ?? null, cur, cmp.seconds, base);
    deriveUsage(p, cur, cmp.seconds, base.workers, base.instance!);
  } else if (cur.kind === 'emperor') {
    const p = prev !== null && prev.kind === 'emperor' && !cmp.restarted ? prev.doc : null;
    base.vassals = deriveVassals(p, cur.doc);
  } else {
    const p = usable !== null && usable.kind === 'router' ? usable.doc : null;
    base.nodes = deriveNodes(p, cur.doc, cmp.seconds);
  }
  return base;
}

/**
 * Share of the last interval a worker spent on the request it is still serving. uWSGI adds a request's time
 * to running_time only when it ends, so without this a worker stuck in a long request would read 0% busy.
 */
export function inFlightShare(w: Worker, seconds: number): number {
  if (seconds <= 0) return 0;
  let longest = 0;
  for (const r of w.inFlight) {
    if (r.ageSeconds !== null && r.ageSeconds > longest) longest = r.ageSeconds;
  }
  return Math.min(longest, seconds) / seconds;
}

/** Two samples of one slot describe the same process only when both have the same non-zero pid. */
export function sameProcess(a: Worker | undefined, b: Worker): a is Worker {
  return a !== undefined && a.pid > 0 && a.pid === b.pid;
}

function deriveInstance(prev: InstanceDocument | null, snap: InstanceSnapshot, seconds: number | null, out: Derived): void {
  const cur = snap.doc;
  let totalRequests = 0;
  let totalExceptions = 0;
  let totalTx = 0;
  for (const w of cur.workers) {
    totalRequests += w.requests;
    totalExceptions += w.exceptions;
    totalTx += w.txBytes;
  }

  // Instance rates add each slot's counter delta, including a respawned worker's (uWSGI keeps its counters),
  // but skip a slot whose counter went down, so one reset never turns into a negative or a spike.
  let dReq = 0;
  let dExc = 0;
  let dTx = 0;
  const workers: WorkerDerived[] = new Array(cur.workers.length);
  let busySum = 0;
  let busyN = 0;
  for (let i = 0; i < cur.workers.length; i++) {
    const w = cur.workers[i]!;
    const p = prev !== null ? prev.workers[i] : undefined;
    if (p !== undefined && seconds !== null && p.pid > 0 && w.pid > 0) {
      dReq += counterDelta(p.requests, w.requests) ?? 0;
      dExc += counterDelta(p.exceptions, w.exceptions) ?? 0;
      dTx += counterDelta(p.txBytes, w.txBytes) ?? 0;
    }
    const same = seconds !== null && sameProcess(p, w);
    const busyRate = same ? counterRate(p.runningTimeUs, w.runningTimeUs, seconds) : null;
    const busyness = busyRate === null ? null : clamp(Math.max(busyRate / 1e6, inFlightShare(w, seconds!)), 0, 1);
    if (busyness !== null && w.status !== 'cheap') {
      busySum += busyness;
      busyN++;
    }
    workers[i] = {
      slot: w.slot,
      pid: w.pid,
      rps: same ? counterRate(p.requests, w.requests, seconds) : null,
      eps: same ? counterRate(p.exceptions, w.exceptions, seconds) : null,
      txps: same ? counterRate(p.txBytes, w.txBytes, seconds) : null,
      busyness,
      sharePct: totalRequests > 0 ? (w.requests / totalRequests) * 100 : 0,
      appRps: w.apps.map((app, j) => {
        if (!same) return null;
        const pa = p.apps[j]?.id === app.id ? p.apps[j] : p.apps.find((x) => x.id === app.id);
        return pa === undefined ? null : counterRate(pa.requests, app.requests, seconds);
      }),
    };
  }
  out.workers = workers;
  out.instance = instanceValues(cur, snap.readAtMs, {
    rps: seconds !== null ? dReq / seconds : null,
    eps: seconds !== null ? dExc / seconds : null,
    txps: seconds !== null ? dTx / seconds : null,
    busyness: busyN > 0 ? busySum / busyN : null,
    totalRequests,
    totalExceptions,
    totalTx,
  });
  out.caches = deriveCaches(prev, cur, seconds);
  out.metrics = deriveMetrics(prev, cur, seconds);
}

/** Each cache's hit and miss rates, and its hit ratio (over the interval, or since start without one). */
function deriveCaches(prev: InstanceDocument | null, cur: InstanceDocument, seconds: number | null): CacheDerived[] {
  return cur.caches.map((c): CacheDerived => {
    const pc = prev?.caches.find((x) => x.name === c.name);
    const hitsPerSec = pc ? counterRate(pc.hits, c.hits, seconds) : null;
    const missesPerSec = pc ? counterRate(pc.misses, c.misses, seconds) : null;
    let hitRatio: number | null = null;
    if (hitsPerSec !== null && missesPerSec !== null && hitsPerSec + missesPerSec > 0) {
      hitRatio = hitsPerSec / (hitsPerSec + missesPerSec);
    } else if (c.hits + c.misses > 0) {
      hitRatio = c.hits / (c.hits + c.misses);
    }
    return { name: c.name, hitsPerSec, missesPerSec, hitRatio };
  });
}

/** Each uWSGI metric's value, and a counter's rate. */
function deriveMetrics(prev: InstanceDocument | null, cur: InstanceDocument, seconds: number | null): MetricDerived[] {
  // A 64-worker document carries hundreds of metrics: index them once instead of a quadratic search.
  const prevMetrics = new Map<string, number>();
  if (prev !== null) for (const m of prev.metrics) if (m.type === 'counter') prevMetrics.set(m.name, m.value);
  return cur.metrics.map((m): MetricDerived => {
    let rate: number | null = null;
    if (m.type === 'counter') {
      const pv = prevMetrics.get(m.name);
      if (pv !== undefined) rate = counterRate(pv, m.value, seconds);
    }
    return { name: m.name, type: m.type, value: m.value, rate };
  });
}

type Rates = Pick<
  InstanceDerived,
  'rps' | 'eps' | 'txps' | 'busyness' | 'totalRequests' | 'totalExceptions' | 'totalTx'
>;

/**
 * Counts by status and the values read straight from one document. uptimeSeconds is the age of the oldest
 * running worker (now - min last_spawn): the stats document has no master start time, and after a reload
 * of all workers this is what "up" means to a user watching requests being served.
 */
function instanceValues(doc: InstanceDocument, readAtMs: number, rates: Rates): InstanceDerived {
  let busy = 0;
  let idle = 0;
  let paused = 0;
  let cheap = 0;
  let sig = 0;
  let running = 0;
  let rtSum = 0;
  let rtN = 0;
  let oldestSpawn = Infinity;
  let inFlight = 0;
  let coresKnown = false;
  for (const w of doc.workers) {
    switch (w.status) {
      case 'busy': busy++; break;
      case 'idle': idle++; break;
      case 'pause': paused++; break;
      case 'cheap': cheap++; break;
      case 'sig': sig++; break;
      default: break;
    }
    if (w.status !== 'cheap' && w.pid > 0) {
      running++;
      if (w.lastSpawn > 0 && w.lastSpawn < oldestSpawn) oldestSpawn = w.lastSpawn;
    }
    // Weighted by requests: one slow, little-used worker must not make the instance look slow.
    if (w.requests > 0) {
      rtSum += w.avgRtUs * w.requests;
      rtN += w.requests;
    }
    inFlight += w.inFlight.length;
    if (w.cores !== null) coresKnown = true;
  }
  const nowS = readAtMs / 1000;
  return {
    ...rates,
    busy,
    idle,
    paused,
    cheap,
    sig,
    running,
    avgRtUs: rtN > 0 ? rtSum / rtN : null,
    uptimeSeconds: Number.isFinite(oldestSpawn) ? Math.max(0, nowS - oldestSpawn) : null,
    // Without cores (--stats-no-cores) uWSGI does not say what is in flight: unknown, not "none".
    inFlight: coresKnown ? inFlight : null,
  };
}

function deriveVassals(prev: EmperorDocument | null, cur: EmperorDocument): VassalDerived[] {
  const before = prev === null ? new Map<string, EmperorDocument['vassals'][number]>() : vassalsByKey(prev.vassals);
  const keys = vassalKeys(cur.vassals);
  return cur.vassals.map((v, i) => {
    const pv = before.get(keys[i]!);
    return { id: v.id, respawnsDelta: pv ? (counterDelta(pv.respawns, v.respawns) ?? 0) : 0 };
  });
}

function deriveNodes(prev: RouterDocument | null, cur: RouterDocument, seconds: number | null): SubscriptionNodeDerived[] {
  const out: SubscriptionNodeDerived[] = [];
  for (const sub of cur.subscriptions) {
    const ps = prev?.subscriptions.find((s) => s.key === sub.key);
    for (const n of sub.nodes) {
      const pn = ps?.nodes.find((x) => x.name === n.name);
      out.push({ key: sub.key, name: n.name, rps: pn ? counterRate(pn.requests, n.requests, seconds) : null });
    }
  }
  return out;
}

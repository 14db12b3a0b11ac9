/**
 * Prometheus samples from the monitors' latest snapshots (pure: no I/O, no clock except where passed in).
 * The families are the registry's (prom-families.ts); this module only visits their scopes: each target, its
 * document and the document's parts, running every family of a scope on each object of it. Labels follow
 * uwsgi_exporter (prom-scopes.ts); every sample also carries `target` and `stats_uri`.
 */
import { escapeControls } from '../core/safe-text.js';
import { vassalKeys } from '../metrics/vassal-keys.js';
import type { TargetUpdate } from '../monitor/types.js';
import type { InstanceSnapshot } from '../stats/snapshot.js';
import type { Derived } from '../metrics/types.js';
import { FAMILIES, type Family } from './prom-families.js';
import { SCOPE_LABELS, isExportable, type Labels, type ReadCounts, type SampleOptions, type Scope, type ScopeContexts } from './prom-scopes.js';

export interface Sample {
  labels: Labels;
  value: number;
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

/** Runs the families of a scope on one of its objects, then walks into its parts. */
type Visit = <S extends Scope>(scope: S, ctx: ScopeContexts[S]) => void;

/** How the objects of a scope's parts are found in one of its objects (nothing for a scope without parts). */
type Walker<S extends Scope> = (ctx: ScopeContexts[S], visit: Visit, options: SampleOptions) => void;

const leaf = (): void => {};

/** Every scope's walker: a scope left out here does not compile. */
const WALKERS: { readonly [S in Scope]: Walker<S> } = {
  target: ({ update }, visit, options) => {
    // A down target keeps its last document in `snapshot`; its values would be stale, so only up/age go out.
    if (!isExportable(update)) return;
    const snap = update!.snapshot!;
    if (snap.kind === 'instance') visit('instance', instanceContext(snap, update!.derived, options));
    else if (snap.kind === 'emperor') visit('emperor', snap.doc);
    else visit('router', snap.doc);
  },
  instance: walkInstance,
  socket: leaf,
  worker: ({ worker }, visit, options) => {
    if (options.cores) for (const core of worker.cores ?? []) visit('core', { worker, core });
    for (const app of worker.apps) visit('app', { worker, app });
  },
  core: leaf,
  app: leaf,
  cache: leaf,
  spooler: leaf,
  legion: leaf,
  emperor: (doc, visit) => {
    // Vassals sharing an id would be one series twice: the n-th of an id is labelled `id#n`.
    const keys = vassalKeys(doc.vassals);
    for (const [i, vassal] of doc.vassals.entries()) visit('vassal', { vassal, key: keys[i]! });
  },
  vassal: leaf,
  router: (doc, visit) => {
    for (const subscription of doc.subscriptions) visit('subscription', subscription);
  },
  subscription: (subscription, visit) => {
    for (const node of subscription.nodes) visit('subscriptionNode', { subscription, node });
  },
  subscriptionNode: leaf,
};

function instanceContext(snap: InstanceSnapshot, derived: Derived | null, options: SampleOptions): ScopeContexts['instance'] {
  // Slots never spawned in cheaper mode have id 0: uwsgi_exporter leaves them out, and so do we.
  const workers = snap.doc.workers.filter((w) => w.id !== 0);
  return { doc: snap.doc, workers, os: snap.os, derived, maxWorkers: options.maxWorkers ?? Infinity };
}

/** An instance's sockets, workers (the first maxWorkers) and what they share. */
function walkInstance(ctx: ScopeContexts['instance'], visit: Visit): void {
  const { doc, os, derived } = ctx;
  const seenSockets = new Set<string>();
  for (const [index, socket] of doc.sockets.entries()) {
    // uwsgi_exporter keeps the first socket of a (name, proto) pair: duplicates would be one series twice.
    const key = JSON.stringify([socket.name, socket.proto]);
    if (seenSockets.has(key)) continue;
    seenSockets.add(key);
    visit('socket', { socket, kernel: os?.sockets?.[index] });
  }
  // 100,000 workers would be 2.5 million series (a 250 MB scrape): the rest are counted, not listed.
  for (const worker of ctx.workers.slice(0, ctx.maxWorkers)) {
    visit('worker', { worker, proc: os?.workers[worker.slot - 1], derived: derived?.workers[worker.slot - 1] });
  }
  for (const cache of doc.caches) visit('cache', cache);
  for (const spooler of doc.spoolers) visit('spooler', spooler);
  for (const legion of doc.legions) visit('legion', legion);
}

/** Each scope's families, in the registry's order. */
const FAMILIES_OF = new Map<Scope, ReadonlyArray<Family<Scope>>>();
for (const family of FAMILIES) FAMILIES_OF.set(family.scope, [...(FAMILIES_OF.get(family.scope) ?? []), family as Family<Scope>]);

/** The samples of every family of every scope under one target, added to `set`. */
function targetSamples(set: SampleSet, input: TargetSampleInput, nowMs: number, options: SampleOptions): void {
  // Label values come from the document: a scrape read in a terminal (curl) must not act on it either.
  const targetLabel = escapeControls(input.target);
  const visit: Visit = (scope, ctx) => {
    const scopeLabels = SCOPE_LABELS[scope].values(ctx);
    for (const family of FAMILIES_OF.get(scope) ?? []) {
      const value = family.value(ctx);
      // null/undefined: no such figure (not read, not known); a value out of range (NaN after decoding) is
      // unknown too: no sample rather than a made-up 0 (the family is still listed, empty).
      if (value === null || value === undefined) continue;
      let list = set.get(family.name);
      if (list === undefined) set.set(family.name, (list = []));
      const labels: Labels = { target: targetLabel, stats_uri: targetLabel };
      for (const [k, v] of Object.entries(scopeLabels)) labels[k] = escapeControls(v);
      if (Number.isFinite(value)) list.push({ labels, value });
    }
    WALKERS[scope](ctx, visit, options);
  };
  visit('target', { update: input.update, reads: input.reads, nowMs });
}

/** All samples for a set of targets' latest updates (null = never polled yet: only `uwsgi_up 0`). */
export function collectSamples(updates: ReadonlyArray<TargetSampleInput>, nowMs: number, options: SampleOptions = {}): SampleSet {
  const set: SampleSet = new Map();
  for (const input of updates) targetSamples(set, input, nowMs, options);
  return set;
}

/** The caches view: items against max, hits/s, misses/s, hit ratio and the "full" counter. */
import type { Cache } from '../../stats/snapshot.js';
import type { CacheDerived } from '../../metrics/types.js';
import { safeText } from '../../core/safe-text.js';
import { fmtBytes, fmtCount, fmtPct, fmtRate } from '../../core/units.js';
import type { Column, TableSpec } from './spec.js';

export interface CacheRow {
  c: Cache;
  d: CacheDerived | undefined;
}

const nan = (n: number | null | undefined): number => (n === null || n === undefined ? Number.NaN : n);

/** Hits over lookups in the last interval; null with none (or no rate yet). */
function intervalRatio(r: CacheRow): number | null {
  const h = r.d?.hitsPerSec;
  const m = r.d?.missesPerSec;
  return h === null || h === undefined || m === null || m === undefined || h + m <= 0 ? null : h / (h + m);
}

/** Hits over lookups since the cache started; null with none. */
function lifetimeRatio(r: CacheRow): number | null {
  return r.c.hits + r.c.misses > 0 ? r.c.hits / (r.c.hits + r.c.misses) : null;
}

const columns: Array<Column<CacheRow>> = [
  { id: 'name', title: 'NAME', width: 12, flex: true, maxWidth: 40, align: 'left', priority: 1, text: (r) => safeText(r.c.name), sort: (r) => safeText(r.c.name) },
  {
    id: 'items', title: 'ITEMS/MAX', width: 13, align: 'right', priority: 1, desc: true,
    text: (r) => `${fmtCount(r.c.items)}/${fmtCount(r.c.maxItems)}`, sort: (r) => (r.c.maxItems ? r.c.items / r.c.maxItems : 0),
    style: (r) => (r.c.maxItems > 0 && r.c.items / r.c.maxItems >= 0.9 ? 'warn' : undefined),
  },
  { id: 'used', title: 'USED', width: 5, align: 'right', priority: 2, desc: true, text: (r) => (r.c.maxItems ? fmtPct(r.c.items / r.c.maxItems) : '-'), sort: (r) => (r.c.maxItems ? r.c.items / r.c.maxItems : 0) },
  { id: 'hitsps', title: 'HITS/s', width: 7, align: 'right', priority: 1, desc: true, text: (r) => fmtRate(r.d?.hitsPerSec), sort: (r) => nan(r.d?.hitsPerSec) },
  { id: 'missps', title: 'MISS/s', width: 7, align: 'right', priority: 1, desc: true, text: (r) => fmtRate(r.d?.missesPerSec), sort: (r) => nan(r.d?.missesPerSec) },
  // Two ratios, each labelled: over the last interval (jumps with a few lookups) and since the cache started.
  {
    id: 'ratio', title: 'HIT%NOW', width: 7, align: 'right', priority: 1, desc: true, text: (r) => fmtPct(intervalRatio(r)), sort: (r) => nan(intervalRatio(r)),
    style: (r) => ((intervalRatio(r) ?? 1) < 0.5 ? 'warn' : undefined),
  },
  {
    id: 'lifeRatio', title: 'HIT%ALL', width: 7, align: 'right', priority: 1, desc: true, text: (r) => fmtPct(lifetimeRatio(r)), sort: (r) => nan(lifetimeRatio(r)),
  },
  {
    id: 'full', title: 'FULL', width: 6, align: 'right', priority: 1, desc: true, text: (r) => fmtCount(r.c.full), sort: (r) => r.c.full,
    style: (r) => (r.c.full > 0 ? 'error' : undefined),
  },
  { id: 'hits', title: 'HITS', width: 8, align: 'right', priority: 3, desc: true, text: (r) => fmtCount(r.c.hits), sort: (r) => r.c.hits },
  { id: 'misses', title: 'MISSES', width: 8, align: 'right', priority: 3, desc: true, text: (r) => fmtCount(r.c.misses), sort: (r) => r.c.misses },
  { id: 'blocks', title: 'BLOCKS', width: 11, align: 'right', priority: 4, desc: true, text: (r) => `${fmtCount(r.c.blocks)}x${fmtBytes(r.c.blocksize)}`, sort: (r) => r.c.blocks * r.c.blocksize },
  { id: 'hash', title: 'HASH', width: 12, align: 'left', priority: 5, text: (r) => `${safeText(r.c.hash)}/${r.c.hashsize}`, sort: (r) => safeText(r.c.hash) },
];

export const cachesSpec: TableSpec<CacheRow> = { columns, key: (r) => safeText(r.c.name), defaultSort: 'name' };

/** Pair caches with their derived rates by name. */
export function cacheRows(caches: readonly Cache[], derived: readonly CacheDerived[]): CacheRow[] {
  const byName = new Map(derived.map((d) => [d.name, d]));
  return caches.map((c) => ({ c, d: byName.get(c.name) }));
}

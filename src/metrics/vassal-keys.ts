/**
 * Vassal identity across two Emperor documents. uWSGI can list several vassals under one id (the same config
 * name in two watched directories): the n-th vassal of an id in one document is the n-th of it in the next,
 * so an unchanging document never looks like a respawn.
 */

/** One key per vassal, in document order: the id itself for its first occurrence, `id#n` for the n-th after. */
export function vassalKeys(vassals: ReadonlyArray<{ id: string }>): string[] {
  const seen = new Map<string, number>();
  return vassals.map((v) => {
    const n = (seen.get(v.id) ?? 0) + 1;
    seen.set(v.id, n);
    return n === 1 ? v.id : `${v.id}#${n}`;
  });
}

/** The vassals by key (see vassalKeys). */
export function vassalsByKey<T extends { id: string }>(vassals: readonly T[]): Map<string, T> {
  const keys = vassalKeys(vassals);
  return new Map(vassals.map((v, i) => [keys[i]!, v]));
}

/** Each vassal's derived values (listed in document order, like the vassals), paired by key so vassals sharing an id each get their own. */
export function pairByKey<T extends { id: string }, D extends { id: string }>(vassals: readonly T[], derived: readonly D[]): Array<D | undefined> {
  const byKey = vassalsByKey(derived);
  return vassalKeys(vassals).map((k) => byKey.get(k));
}

/** Small arithmetic helpers shared by derive and events: counters to rates, never negative, never NaN. */

/** Per-second rate of a counter between two samples; null when the counter went down (a reset) or time did not pass. */
export function counterRate(prev: number, cur: number, seconds: number | null): number | null {
  if (seconds === null || !(seconds > 0) || !Number.isFinite(prev) || !Number.isFinite(cur)) return null;
  const delta = cur - prev;
  // A counter that went down was reset (respawn, reload): no rate for this interval rather than a negative one.
  if (delta < 0) return null;
  return delta / seconds;
}

/** Non-negative difference of a counter, null when it went down. */
export function counterDelta(prev: number, cur: number): number | null {
  if (!Number.isFinite(prev) || !Number.isFinite(cur)) return null;
  const delta = cur - prev;
  return delta < 0 ? null : delta;
}

/** Clamp to [lo, hi]. */
export function clamp(value: number, lo: number, hi: number): number {
  return value < lo ? lo : value > hi ? hi : value;
}

/** Sum of the non-null values, null when all are null (or there are none). */
export function sumOrNull(values: ReadonlyArray<number | null>): number | null {
  let sum = 0;
  let any = false;
  for (const v of values) {
    if (v !== null) {
      sum += v;
      any = true;
    }
  }
  return any ? sum : null;
}

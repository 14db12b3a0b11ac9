/**
 * Ages that keep counting between polls. A document says how old each in-flight request was when it was
 * read; the screen shows that age plus the time since the read, so a stuck request visibly grows older
 * every second instead of jumping once per poll.
 */
import type { InFlightRequest } from '../../stats/snapshot.js';
import type { TargetState } from '../../monitor/types.js';

/**
 * The wall clock the shown data is aged to: the freeze time while frozen (a still picture), the moment a
 * target was first seen down (nothing is known after that), else now.
 */
export function dataClock(nowMs: number, frozenAtMs: number | null, live: TargetState | null): number {
  let clock = frozenAtMs ?? nowMs;
  if (live?.state === 'down') clock = Math.min(clock, live.sinceMs);
  return clock;
}

/** Seconds a request has been running at `clockMs`: its age when the document was read plus the time since; null when unknown. */
export function requestAge(r: InFlightRequest, readAtMs: number, clockMs: number): number | null {
  if (r.ageSeconds === null) return null;
  return r.ageSeconds + Math.max(0, clockMs - readAtMs) / 1000;
}

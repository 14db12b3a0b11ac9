/** Where a replay's --at or `t` falls against the recordings' span (said, not silently clamped). */
import { fmtClock } from '../core/units.js';
import type { ReplayPlayer } from '../record/player.js';

const SECOND = 1000;

function at(ms: number): string {
  return fmtClock(ms / 1000);
}

/** Why a moment asked for is not in the recordings (`before the recording starts (TIME)`), or null. */
export function outsideRecording(player: Pick<ReplayPlayer, 'startMs' | 'endMs'>, atMs: number): string | null {
  // A time typed to the second (03:12:05) names the whole second: the recording's first and last included.
  if (atMs > player.startMs - SECOND && atMs < player.endMs + SECOND) return null;
  if (atMs < player.startMs) return `before the recording starts (${at(player.startMs)})`;
  if (atMs > player.endMs) return `after the recording ends (${at(player.endMs)})`;
  return null;
}

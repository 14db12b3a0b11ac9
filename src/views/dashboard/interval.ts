/**
 * The poll interval keys: `+`/`-` step through a fixed list, `f` (uwsgitop's fast screen) polls every 250 ms
 * until pressed again. Every target follows, so the screen moves at one pace. Each returns the message to show.
 */
import type { TargetMonitor } from '../../monitor/types.js';
import type { UiState } from './model/state.js';

/** Poll intervals offered by `+`/`-`. */
const INTERVAL_STEPS = [250, 500, 1000, 2000, 3000, 5000, 10_000, 30_000, 60_000];
/** The poll interval of fast refresh (`f`). */
const FAST_MS = 250;

function intervalLabel(ms: number): string {
  return ms >= 1000 ? `${ms / 1000}s` : `${ms}ms`;
}

/** `+` (direction 1) or `-` (-1): the next slower or faster interval of the list, from the current target's. */
export function changeInterval(state: UiState, monitors: readonly TargetMonitor[], current: TargetMonitor | undefined, direction: 1 | -1): string | null {
  if (!current) return null;
  const cur = current.intervalMs;
  const next = direction > 0 ? INTERVAL_STEPS.find((x) => x > cur) ?? INTERVAL_STEPS[INTERVAL_STEPS.length - 1]! : [...INTERVAL_STEPS].reverse().find((x) => x < cur) ?? INTERVAL_STEPS[0]!;
  for (const mon of monitors) mon.setIntervalMs(next);
  state.fastFromMs = null;
  return `polling every ${intervalLabel(next)}${monitors.length > 1 ? ' (all targets)' : ''}`;
}

/** `f`: poll every FAST_MS until pressed again, then back to the interval before. */
export function toggleFast(state: UiState, monitors: readonly TargetMonitor[], current: TargetMonitor | undefined): string | null {
  if (!current) return null;
  if (state.fastFromMs !== null) {
    for (const mon of monitors) mon.setIntervalMs(state.fastFromMs);
    const back = `fast refresh off: polling every ${intervalLabel(state.fastFromMs)}`;
    state.fastFromMs = null;
    return back;
  }
  state.fastFromMs = current.intervalMs;
  for (const mon of monitors) mon.setIntervalMs(FAST_MS);
  return `fast refresh: polling every ${intervalLabel(FAST_MS)} (f again: back to ${intervalLabel(state.fastFromMs)})`;
}

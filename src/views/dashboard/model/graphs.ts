/**
 * Graph view models from the monitor's history: clean series for blessed-contrib line charts (no NaN, a
 * non-zero ceiling, x and y of equal length) and where each chart goes.
 */
import type { SeriesData, SeriesName } from '../../../metrics/series.js';
import { fmtBytes, fmtRate } from '../../../core/units.js';

export interface ChartModel {
  series: SeriesName;
  title: string;
  x: string[];
  y: number[];
  maxY: number;
  wholeNumbers: boolean;
  top: number;
  left: number;
  width: number;
  height: number;
}

const TITLES: Record<SeriesName, string> = {
  rps: 'req/s',
  busyWorkers: 'busy workers',
  listenQueue: 'listen queue',
  avgRtMs: 'mean response ms',
  txps: 'tx/s',
  eps: 'exceptions/s',
};

const WHOLE: Record<SeriesName, boolean> = {
  rps: false, busyWorkers: true, listenQueue: true, avgRtMs: false, txps: false, eps: false,
};

/** Series in order of importance during an incident: what is shown first when few charts fit. */
export const STRIP_SERIES: SeriesName[] = ['rps', 'busyWorkers', 'listenQueue', 'avgRtMs'];
export const ALL_SERIES: SeriesName[] = ['rps', 'busyWorkers', 'listenQueue', 'avgRtMs', 'txps', 'eps'];

/** Smallest chart that still draws a readable line (contrib needs room for its axis labels). */
export const MIN_CHART_WIDTH = 30;
export const MIN_CHART_HEIGHT = 7;

function fmtValue(name: SeriesName, v: number): string {
  if (name === 'txps') return `${fmtBytes(v)}/s`;
  if (name === 'busyWorkers' || name === 'listenQueue') return String(Math.round(v));
  return fmtRate(v);
}

/**
 * The samples on a regular time grid (one step: the usual time between polls; each grid point takes the
 * last sample at or before it). Charts place points evenly, so polls that came late (a busy event loop
 * during resizes, a stall, fast refresh switched on and off) would otherwise bend the time axis into
 * "-20s -19s -15s -9s -3s".
 */
function onGrid(values: readonly number[], times: readonly number[], maxPoints: number): { values: number[]; times: number[] } {
  if (times.length < 3) return { values: [...values], times: [...times] };
  const diffs = times.slice(1).map((t, i) => t - times[i]!).filter((d) => d > 0).sort((a, b) => a - b);
  const step = Math.max(100, diffs[Math.floor(diffs.length / 2)] ?? 1000);
  const end = times[times.length - 1]!;
  const count = Math.min(maxPoints, Math.floor((end - times[0]!) / step) + 1);
  const out = { values: [] as number[], times: [] as number[] };
  let j = 0;
  for (let k = count - 1; k >= 0; k--) {
    const at = end - k * step;
    while (j + 1 < times.length && times[j + 1]! <= at) j++;
    out.values.push(values[j]!);
    out.times.push(at);
  }
  return out;
}

/** Turn a history series into chart data: gaps (failed polls) become 0, at least two points, a ceiling >= 1. */
export function chartData(name: SeriesName, data: SeriesData, maxPoints: number, nowMs: number): Pick<ChartModel, 'title' | 'x' | 'y' | 'maxY' | 'wholeNumbers'> {
  const n = Math.max(2, maxPoints);
  // Leading nulls are "no rate yet" (first poll), not an outage: leave them out rather than draw zeros.
  const first = data.values.findIndex((v) => v !== null);
  const start = first < 0 ? data.values.length : first;
  const values = data.values.slice(start);
  const grid = onGrid(values.map((v) => (v === null || !Number.isFinite(v) ? 0 : Math.max(0, v))), data.times.slice(start), n);
  let times = grid.times;
  let y = grid.values;
  if (y.length < 2) {
    // contrib needs two points for a line; repeat the one value we have (or 0) rather than draw nothing.
    const only = y[0] ?? 0;
    y = [only, only];
    times = times.length ? [times[0]!, times[0]!] : [nowMs, nowMs];
  }
  const x = times.map((t) => {
    const ago = Math.round((nowMs - t) / 1000);
    return ago <= 0 ? 'now' : `-${ago}s`;
  });
  const peak = Math.max(...y);
  // An all-zero series draws nothing unless the ceiling is above zero; whole-number series get a whole ceiling.
  const maxY = WHOLE[name] ? Math.max(1, Math.ceil(peak * 1.2)) : Math.max(1, peak * 1.2);
  const last = data.values.length ? data.values[data.values.length - 1] : null;
  const now = last === null || last === undefined ? '-' : fmtValue(name, last);
  return { title: ` ${TITLES[name]} ${now} (max ${fmtValue(name, peak)}) `, x, y, maxY, wholeNumbers: WHOLE[name] };
}

export interface Area {
  top: number;
  left: number;
  width: number;
  height: number;
}

/** Place charts in `rows` x `cols` cells of `area`, in the order given; drops what does not fit. */
export function placeCharts(names: readonly SeriesName[], area: Area, cols: number, rows: number): Array<{ series: SeriesName } & Area> {
  const out: Array<{ series: SeriesName } & Area> = [];
  if (cols <= 0 || rows <= 0) return out;
  const w = Math.floor(area.width / cols);
  const h = Math.floor(area.height / rows);
  if (w < MIN_CHART_WIDTH || h < MIN_CHART_HEIGHT) return out;
  names.slice(0, cols * rows).forEach((series, i) => {
    const c = i % cols;
    const r = Math.floor(i / cols);
    const width = c === cols - 1 ? area.width - w * c : w;
    const height = r === rows - 1 ? area.height - h * r : h;
    out.push({ series, top: area.top + r * h, left: area.left + c * w, width, height });
  });
  return out;
}

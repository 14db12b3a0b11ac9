/**
 * A small typed adapter over blessed-contrib's line chart, so contrib's loose types (and `any`) stay here,
 * and its pitfalls are handled once: the chart must be appended to the screen to get a canvas, the ceiling
 * must be above zero, and with colour off the canvas's own SGR codes are removed.
 */
import { createRequire } from 'node:module';
import type { Widgets } from 'blessed';

export interface ChartGeometry {
  top: number;
  left: number;
  width: number;
  height: number;
}

export interface ChartSeries {
  title: string;
  x: string[];
  y: number[];
  maxY: number;
  wholeNumbers: boolean;
}

/** A line chart placed on the screen. */
export interface LineChart {
  readonly geometry: ChartGeometry;
  /** Draw a series (skipped when it is the same as the last one drawn). */
  show(series: ChartSeries): void;
  destroy(): void;
}

interface ContribLineData {
  title: string;
  x: string[];
  y: number[];
  style?: { line: string };
}

interface ContribLine extends Widgets.BoxElement {
  options: { maxY?: number; wholeNumbersOnly?: boolean };
  setData(data: ContribLineData[]): void;
}

type LineFactory = (options: Record<string, unknown>) => ContribLine;

// The line widget alone: blessed-contrib's index loads every widget it has (maps, markdown, images: 57
// packages) where the dashboard draws only line charts.
const makeLine = createRequire(import.meta.url)('blessed-contrib/lib/widget/charts/line.js') as LineFactory;

// Every SGR sequence the drawille canvas puts into its frame.
const SGR = /\u001b\[[0-9;]*m/g;

// Foreground colour escapes of the canvas: 30-37 open one, 39 closes it.
const FG = /\u001b\[(3[0-79])m/g;

/**
 * The canvas colours each braille cell on its own (open, cell, close). A close directly followed by the
 * same open is a no-op pair: dropping it leaves every cell's colour as it was, and blessed, which parses
 * every escape of a chart on every render, has a few per line left instead of one per cell.
 */
export function mergeColorRuns(text: string): string {
  let out = '';
  let from = 0;
  let current = '';
  FG.lastIndex = 0;
  for (let m = FG.exec(text); m !== null; m = FG.exec(text)) {
    const code = m[1]!;
    if (code !== '39') {
      current = code;
      continue;
    }
    const reopen = `\u001b[${current}m`;
    if (current !== '' && text.startsWith(reopen, FG.lastIndex)) {
      out += text.slice(from, m.index);
      from = FG.lastIndex + reopen.length;
      FG.lastIndex = from;
    } else {
      current = '';
    }
  }
  return out + text.slice(from);
}

/** Create a line chart on `screen` at `geometry`; `color` null means no colour at all. */
export function createLineChart(screen: Widgets.Screen, geometry: ChartGeometry, color: string | null): LineChart {
  const chart = makeLine({
    ...geometry,
    label: '',
    tags: true,
    border: { type: 'line' },
    style: {
      line: color ?? 'normal',
      text: color ? 'white' : 'normal',
      baseline: color ? 'white' : 'normal',
      ...(color ? { border: { fg: 'blue' } } : {}),
    },
    showLegend: false,
    minY: 0,
    xLabelPadding: 3,
    xPadding: 5,
    numYLabels: 4,
  });
  const setContent = chart.setContent.bind(chart);
  chart.setContent = (content: string): void => setContent(color === null ? content.replace(SGR, '') : mergeColorRuns(content));
  // Appending (not `parent:`) is what makes contrib build the canvas (on 'attach').
  screen.append(chart);
  let last = '';
  return {
    geometry,
    show(series: ChartSeries): void {
      const signature = JSON.stringify(series);
      if (signature === last) return;
      last = signature;
      chart.options.maxY = series.maxY;
      chart.options.wholeNumbersOnly = series.wholeNumbers;
      chart.setLabel(series.title.replace(/[{}]/g, ''));
      chart.setData([{ title: series.title, x: series.x, y: series.y }]);
    },
    destroy(): void {
      chart.detach();
      chart.destroy();
    },
  };
}

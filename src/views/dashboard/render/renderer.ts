/**
 * Paints a Frame on a blessed screen: one full-screen text box for every line, contrib line charts on top
 * where the frame puts them, and the popup box. Nothing here decides what to show.
 */
import blessed from 'blessed';
import type { Widgets } from 'blessed';
import type { SeriesName } from '../../../metrics/series.js';
import type { Frame } from '../model/frame.js';
import type { Line } from '../model/line.js';
import { createLineChart, type LineChart } from './charts.js';
import { escapeTags, lineToTags } from './tags.js';

const SERIES_COLOR: Record<SeriesName, string> = {
  rps: 'green',
  busyWorkers: 'magenta',
  listenQueue: 'red',
  avgRtMs: 'yellow',
  txps: 'cyan',
  eps: 'red',
};

export class Renderer {
  private readonly text: Widgets.BoxElement;
  private readonly popup: Widgets.BoxElement;
  private readonly charts = new Map<string, LineChart>();
  private lastLines: Line[] = [];

  constructor(private readonly screen: Widgets.Screen, private readonly color: boolean) {
    this.text = blessed.box({ top: 0, left: 0, width: '100%', height: '100%', tags: true, wrap: false });
    screen.append(this.text);
    this.popup = blessed.box({
      top: 0, left: 0, width: 10, height: 5, tags: true, wrap: false, hidden: true,
      border: { type: 'line' },
      style: color ? { border: { fg: 'cyan' } } : {},
    });
    screen.append(this.popup);
  }

  /** Paint a whole frame and flush it to the terminal. */
  paint(frame: Frame): void {
    this.lastLines = frame.lines;
    this.text.setContent(frame.lines.map((l) => lineToTags(l, this.color)).join('\n'));
    this.syncCharts(frame);
    const ov = frame.overlay;
    if (ov) {
      this.popup.top = ov.top;
      this.popup.left = ov.left;
      this.popup.width = ov.width;
      this.popup.height = ov.height;
      this.popup.setLabel(escapeTags(ov.title));
      this.popup.setContent(ov.lines.map((l) => lineToTags(l, this.color)).join('\n'));
      this.popup.show();
      this.popup.setFront();
    } else {
      this.popup.hide();
    }
    this.screen.render();
  }

  /** Replace the bottom line of the last good frame (used to report a failed frame without dying). */
  paintStatus(status: Line): void {
    const lines = this.lastLines.length ? [...this.lastLines.slice(0, -1), status] : [status];
    this.text.setContent(lines.map((l) => lineToTags(l, this.color)).join('\n'));
    this.screen.render();
  }

  /** Remove every chart (before the screen goes away). */
  destroy(): void {
    for (const c of this.charts.values()) c.destroy();
    this.charts.clear();
  }

  private syncCharts(frame: Frame): void {
    // A chart is keyed by series and geometry: a resize creates fresh canvases of the new size, which is
    // how contrib charts pick up a new size reliably.
    const wanted = new Map(frame.charts.map((c) => [`${c.series}@${c.top},${c.left},${c.width}x${c.height}`, c]));
    for (const [key, chart] of this.charts) {
      if (!wanted.has(key)) {
        chart.destroy();
        this.charts.delete(key);
      }
    }
    for (const [key, c] of wanted) {
      let chart = this.charts.get(key);
      if (!chart) {
        chart = createLineChart(this.screen, { top: c.top, left: c.left, width: c.width, height: c.height }, this.color ? SERIES_COLOR[c.series] : null);
        this.charts.set(key, chart);
      }
      chart.show({ title: c.title, x: c.x, y: c.y, maxY: c.maxY, wholeNumbers: c.wholeNumbers });
    }
  }
}

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
import { lineToSgr } from './tags.js';

const SERIES_COLOR: Record<SeriesName, string> = {
  rps: 'green',
  busyWorkers: 'magenta',
  listenQueue: 'red',
  avgRtMs: 'yellow',
  txps: 'cyan',
  eps: 'red',
};

/**
 * One box per screen line. blessed renders every element on every frame, writing each of its cells again;
 * a line whose text is the same as last frame is skipped instead (its cells are still on the screen), so
 * a frame costs what changed. Whatever clears cells behind the lines' back (a resize, a closed popup, a
 * removed chart) makes the next frame render every line.
 */
class TextRows {
  private readonly rows: Array<{ box: Widgets.BoxElement; text: string; due: boolean }> = [];
  private all = true;
  private buffer: unknown = null;

  constructor(private readonly screen: Widgets.Screen) {}

  /** Render every line next frame. */
  invalidate(): void {
    this.all = true;
  }

  /** Set the lines' texts (one per screen line, missing ones empty). */
  set(texts: readonly string[]): void {
    const height = Math.max(1, this.screen.height as number);
    // A new cell buffer (resize, re-alloc) starts blank.
    const buffer = (this.screen as unknown as { lines: unknown }).lines;
    if (buffer !== this.buffer) {
      this.buffer = buffer;
      this.all = true;
    }
    while (this.rows.length < height) this.addRow(this.rows.length);
    while (this.rows.length > height) this.rows.pop()!.box.destroy();
    for (let i = 0; i < this.rows.length; i++) {
      const row = this.rows[i]!;
      const text = texts[i] ?? '';
      if (this.all || text !== row.text) {
        row.text = text;
        row.box.setContent(text);
        row.due = true;
      }
    }
    this.all = false;
  }

  private addRow(top: number): void {
    // Content is SGR text (tags.ts), not tag markup: blessed's tag parser never runs on it.
    const box = blessed.box({ top, left: 0, width: '100%', height: 1, tags: false, wrap: false });
    const row = { box, text: '', due: true };
    const render = box.render.bind(box);
    box.render = (() => {
      if (!row.due) return undefined;
      row.due = false;
      return render();
    }) as typeof box.render;
    // Lines go under the charts and the popup, which are appended later or brought to the front.
    this.screen.insert(box, top);
    this.rows.push(row);
  }
}

export class Renderer {
  private readonly text: TextRows;
  private readonly popup: Widgets.BoxElement;
  private readonly charts = new Map<string, LineChart>();
  private lastLines: Line[] = [];
  private popupShown = false;

  constructor(private readonly screen: Widgets.Screen, private readonly color: boolean) {
    this.text = new TextRows(screen);
    this.popup = blessed.box({
      top: 0, left: 0, width: 10, height: 5, tags: false, wrap: false, hidden: true,
      border: { type: 'line' },
      style: color ? { border: { fg: 'cyan' } } : {},
    });
    screen.append(this.popup);
  }

  /** Paint a whole frame and flush it to the terminal. */
  paint(frame: Frame): void {
    this.lastLines = frame.lines;
    const ov = frame.overlay;
    // A popup covers lines and clears them when it moves or closes: lines render in full around it.
    if (ov || this.popupShown) this.text.invalidate();
    this.popupShown = ov !== null && ov !== undefined;
    this.syncCharts(frame);
    this.text.set(frame.lines.map((l) => lineToSgr(l, this.color)));
    if (ov) {
      this.popup.top = ov.top;
      this.popup.left = ov.left;
      this.popup.width = ov.width;
      this.popup.height = ov.height;
      // The label inherits the popup's tags: false, so its text is shown as it is.
      this.popup.setLabel(ov.title);
      this.popup.setContent(ov.lines.map((l) => lineToSgr(l, this.color)).join('\n'));
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
    this.text.set(lines.map((l) => lineToSgr(l, this.color)));
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
        // Detaching a chart blanks its cells, lines included.
        this.text.invalidate();
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

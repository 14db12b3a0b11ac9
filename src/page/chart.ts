/**
 * A history chart on a canvas: a line over the relay's whole history window (serve --history), a time axis
 * with clock labels, and a readout of the value under the pointer or, from the keyboard, of the point the
 * arrow keys select (the canvas is focusable; Home/End jump to the ends).
 */
import type { WireSeries } from '../relay/protocol.js';
import { el, setText } from './dom.js';

export interface ChartSpec {
  name: string;
  label: string;
  fmt: (v: number | null) => string;
}

export interface ChartColors {
  grid: string;
  muted: string;
  accent: string;
  text: string;
}


function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** Local HH:MM:SS of epoch ms. */
export function clock(ms: number): string {
  const d = new Date(ms);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  const m = v / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

const PAD_TOP = 14;
const PAD_BOTTOM = 16;

/** One chart box (title, latest value, canvas, readout). */
export class Chart {
  readonly box: HTMLDivElement;
  private readonly value: HTMLSpanElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly readout: HTMLDivElement;
  private data: WireSeries = { t: [], v: [] };
  private windowMs = 600_000;
  /** Index of the point the pointer or the keyboard selects; null = none. */
  private cursor: number | null = null;
  private size = { w: 300, h: 110 };
  private colors: ChartColors | null = null;

  constructor(private readonly spec: ChartSpec) {
    this.box = el('div', 'chart');
    const head = el('div', 'chart-head');
    head.appendChild(el('span', 'chart-title', spec.label));
    this.value = el('span', 'chart-value', '-');
    head.appendChild(this.value);
    this.box.appendChild(head);
    this.canvas = el('canvas');
    this.canvas.tabIndex = 0;
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', `${spec.label} history: arrow keys read the values`);
    this.box.appendChild(this.canvas);
    this.readout = el('div', 'readout');
    this.box.appendChild(this.readout);
    this.canvas.addEventListener('pointermove', (e) => this.pointAt(e.offsetX));
    this.canvas.addEventListener('pointerleave', () => this.select(null));
    this.canvas.addEventListener('blur', () => this.select(null));
    this.canvas.addEventListener('focus', () => this.select(this.data.v.length - 1));
    this.canvas.addEventListener('keydown', (e) => this.key(e));
  }

  private key(e: KeyboardEvent): void {
    const n = this.data.v.length;
    if (n === 0) return;
    const at = this.cursor ?? n - 1;
    const moves: Record<string, number> = { ArrowLeft: at - 1, ArrowRight: at + 1, Home: 0, End: n - 1, PageUp: at - 10, PageDown: at + 10 };
    const next = moves[e.key];
    if (next === undefined) return;
    e.preventDefault();
    this.select(Math.max(0, Math.min(n - 1, next)));
  }

  private xOf(t: number, end: number): number {
    return this.size.w - ((end - t) / this.windowMs) * this.size.w;
  }

  private pointAt(x: number): void {
    const { t } = this.data;
    if (t.length === 0) return;
    const end = t[t.length - 1]!;
    let best = 0;
    let bestD = Infinity;
    for (let i = 0; i < t.length; i++) {
      const d = Math.abs(this.xOf(t[i]!, end) - x);
      if (d < bestD) {
        bestD = d;
        best = i;
      }
    }
    this.select(best);
  }

  private select(i: number | null): void {
    this.cursor = i;
    if (i === null || i < 0 || i >= this.data.v.length) setText(this.readout, '');
    else setText(this.readout, `${clock(this.data.t[i]!)}  ${this.spec.fmt(this.data.v[i] ?? null)}`);
    if (this.colors !== null) this.paint(this.colors);
  }

  /** New data: the series and the width of the window it is drawn in. */
  setData(data: WireSeries, windowMs: number): void {
    this.data = data;
    this.windowMs = Math.max(windowMs, 1000);
    let last: number | null = null;
    for (let i = data.v.length - 1; i >= 0; i--) {
      const v = data.v[i];
      if (v !== null && v !== undefined) {
        last = v;
        break;
      }
    }
    setText(this.value, last === null ? '-' : this.spec.fmt(last));
    if (this.cursor !== null) this.select(Math.min(this.cursor, data.v.length - 1));
  }

  /** Read the canvas size (done for every chart before any paint: one layout per frame). */
  measure(): void {
    this.size = { w: this.canvas.clientWidth || 300, h: this.canvas.clientHeight || 110 };
  }

  paint(colors: ChartColors): void {
    this.colors = colors;
    const { w: cssW, h: cssH } = this.size;
    const dpr = window.devicePixelRatio || 1;
    const w = Math.round(cssW * dpr);
    const h = Math.round(cssH * dpr);
    if (this.canvas.width !== w || this.canvas.height !== h) {
      this.canvas.width = w;
      this.canvas.height = h;
    }
    const ctx = this.canvas.getContext('2d');
    if (ctx === null) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, cssW, cssH);
    const { t, v } = this.data;
    let max = 0;
    for (const x of v) if (x !== null && x > max) max = x;
    max = niceMax(max);
    const plotH = cssH - PAD_TOP - PAD_BOTTOM;
    const yOf = (x: number): number => PAD_TOP + plotH - (x / max) * plotH;
    ctx.strokeStyle = colors.grid;
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let g = 0; g <= 2; g++) {
      const gy = Math.round(PAD_TOP + (plotH * g) / 2) + 0.5;
      ctx.moveTo(0, gy);
      ctx.lineTo(cssW, gy);
    }
    ctx.stroke();
    ctx.fillStyle = colors.muted;
    ctx.font = '10px system-ui, sans-serif';
    ctx.textBaseline = 'top';
    ctx.fillText(this.spec.fmt(max), 2, 1);
    const end = t.length > 0 ? t[t.length - 1]! : Date.now();
    // Time axis: the window's start, middle and end as clock times.
    ctx.textBaseline = 'bottom';
    const labels: Array<[number, CanvasTextAlign]> = [
      [end - this.windowMs, 'left'],
      [end - this.windowMs / 2, 'center'],
      [end, 'right'],
    ];
    for (const [at, align] of labels) {
      ctx.textAlign = align;
      ctx.fillText(clock(at), align === 'left' ? 0 : align === 'right' ? cssW : cssW / 2, cssH);
    }
    ctx.textAlign = 'left';
    ctx.strokeStyle = colors.accent;
    ctx.lineWidth = 1.5;
    ctx.lineJoin = 'round';
    ctx.beginPath();
    let pen = false;
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (x === null || x === undefined) {
        pen = false;
        continue;
      }
      const px = this.xOf(t[i]!, end);
      if (pen) ctx.lineTo(px, yOf(x));
      else ctx.moveTo(px, yOf(x));
      pen = true;
    }
    ctx.stroke();
    if (this.cursor !== null && this.cursor < v.length) {
      const px = Math.round(this.xOf(t[this.cursor]!, end)) + 0.5;
      ctx.strokeStyle = colors.text;
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(px, PAD_TOP);
      ctx.lineTo(px, PAD_TOP + plotH);
      ctx.stroke();
      const cv = v[this.cursor];
      if (cv !== null && cv !== undefined) {
        ctx.fillStyle = colors.accent;
        ctx.beginPath();
        ctx.arc(px, yOf(cv), 3, 0, Math.PI * 2);
        ctx.fill();
      }
    }
  }
}

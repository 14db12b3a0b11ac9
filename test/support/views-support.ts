/**
 * Test support for the dashboard: a fake TargetMonitor (the real MonitorCore fed by hand, so derived values,
 * history and events are the real ones), sample documents decoded by decodeSnapshot, and a headless screen
 * on fake TTY streams whose text is read back from blessed's screen.lines.
 */
import type { StackReader } from '../../src/views/dashboard/stack.js';
import { afterEach } from 'vitest';
import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import type { TargetMonitor } from '../../src/monitor/types.js';
import { Dashboard } from '../../src/views/dashboard/dashboard.js';
import type { TargetControl } from '../../src/views/dashboard/control.js';

export { SAMPLES, SAMPLE_EPOCH_MS } from './samples.js';
import { SAMPLES, SAMPLE_EPOCH_MS } from './samples.js';
/** The headless dashboard's default wall clock: the samples' second read (most tests push reads at 0 and 2 s). */
export const HARNESS_NOW_MS = SAMPLE_EPOCH_MS + 2000;

/** A fresh, mutable copy of a sample document. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function sample(name: string): any {
  return JSON.parse(readFileSync(`${SAMPLES}/${name}`, 'utf8'));
}

export { FakeMonitor, decodeBody, decodeDoc } from './fake-monitor.js';

/** A controller that records the commands it was asked to run and answers as told. */
export class FakeControl implements TargetControl {
  calls: string[] = [];
  constructor(readonly fifoPath: string, private readonly answer: { ok: boolean; message: string } = { ok: true, message: 'done, verified' }) {}
  run(command: string): Promise<{ ok: boolean; message: string }> {
    this.calls.push(command);
    return Promise.resolve(this.answer);
  }
}

export interface FakeTty {
  input: PassThrough & { isTTY: boolean; setRawMode(mode: boolean): void; isRaw: boolean };
  output: PassThrough & { isTTY: boolean; columns: number; rows: number };
  bytes(): string;
}

/** Two PassThrough streams that look like a terminal of `cols` x `rows`; every output byte is kept. */
export function fakeTty(cols: number, rows: number): FakeTty {
  const input = Object.assign(new PassThrough(), {
    isTTY: true,
    isRaw: false,
    setRawMode(mode: boolean) {
      input.isRaw = mode;
    },
  });
  const output = Object.assign(new PassThrough(), { isTTY: true, columns: cols, rows });
  const chunks: Buffer[] = [];
  output.on('data', (d: Buffer) => chunks.push(Buffer.from(d)));
  return { input, output, bytes: () => Buffer.concat(chunks).toString('utf8') };
}

export interface Harness {
  dash: Dashboard;
  tty: FakeTty;
  /** The screen as text lines (wide-character fillers removed). */
  text(): string[];
  /** The whole screen as one string. */
  screenText(): string;
  /** Send key bytes (one write each, in turn) and wait for the frame each causes. */
  keys(...seqs: string[]): Promise<void>;
  /** Wait for the next painted frame. */
  nextFrame(): Promise<void>;
  /** Set the dashboard's wall clock (ages count from the sample's read time to it) and repaint at once. */
  setClock(ms: number): void;
  resize(cols: number, rows: number): Promise<void>;
  close(): Promise<number>;
}

export const KEY = {
  up: '\x1b[A',
  down: '\x1b[B',
  pageDown: '\x1b[6~',
  pageUp: '\x1b[5~',
  home: '\x1b[1~',
  end: '\x1b[4~',
  enter: '\r',
  escape: '\x1b',
  tab: '\t',
  ctrlC: '\x03',
};

/** Start a dashboard headless and wait for its first frame. */
export async function startHeadless(
  monitors: TargetMonitor[],
  opts: { cols?: number; rows?: number; color?: boolean; controls?: Map<string, TargetControl>; confirm?: boolean; nowMs?: number; stacks?: StackReader; clock?: () => number } = {},
): Promise<Harness> {
  const tty = fakeTty(opts.cols ?? 80, opts.rows ?? 24);
  // A fixed wall clock: the samples' own time (their second read), so no expected value depends on today's date.
  const fixedNow = opts.nowMs ?? HARNESS_NOW_MS;
  const dash = new Dashboard(monitors, { input: tty.input, output: tty.output, env: { TERM: 'xterm-256color' } }, {
    color: opts.color ?? true,
    controls: opts.controls ?? new Map(),
    ...(opts.confirm === undefined ? {} : { confirm: opts.confirm }),
    ...(opts.stacks === undefined ? {} : { stacks: opts.stacks }),
    now: opts.clock ?? (() => fixedNow),
  });
  // blessed buffers its output until the next tick: wait for that too, so tty.bytes() holds the frame.
  const nextFrame = (): Promise<void> =>
    new Promise((resolve) => dash.emitter.once('frame', () => setImmediate(resolve)));
  await nextFrame();
  const text = (): string[] => {
    const lines = (dash.screen as unknown as { lines: Array<Array<[number, string]>> }).lines;
    return lines.map((row) => row.map((cell) => cell[1]).join('').replace(/\u0003/g, ''));
  };
  return {
    dash,
    tty,
    text,
    screenText: () => text().join('\n'),
    nextFrame,
    setClock(ms: number) {
      dash.clock = () => ms;
      dash.paint();
    },
    async keys(...seqs: string[]) {
      for (const seq of seqs) {
        if (dash.finished) return;
        // Wait for the key to be handled, then for the frame it asked for (not an earlier poll's frame).
        const handled = new Promise<void>((resolve) => dash.emitter.once('key', () => resolve()));
        tty.input.write(seq);
        await handled;
        if (!dash.finished) await nextFrame();
      }
    },
    async resize(cols: number, rows: number) {
      tty.output.columns = cols;
      tty.output.rows = rows;
      const f = new Promise<void>((resolve) => {
        const check = (): void => {
          if ((dash.screen.width as number) === cols && (dash.screen.height as number) === rows) {
            dash.emitter.removeListener('frame', check);
            resolve();
          }
        };
        dash.emitter.on('frame', check);
      });
      tty.output.emit('resize');
      await f;
    },
    async close() {
      dash.finish(0);
      return dash.done;
    },
  };
}

/** A copy of an instance document with `count` workers cloned from its first one (distinct ids, pids, counters). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function manyWorkers(doc: any, count: number): any {
  const out = JSON.parse(JSON.stringify(doc));
  const template = out.workers[0];
  out.workers = Array.from({ length: count }, (_, i) => ({
    ...JSON.parse(JSON.stringify(template)),
    id: i + 1,
    pid: 100_000 + i,
    requests: (i * 7919) % 1000,
  }));
  return out;
}

/** True when row `y` of the screen is drawn highlighted (cyan background with colour, inverse without). */
export function rowHighlighted(h: Harness, y: number): boolean {
  const lines = (h.dash.screen as unknown as { lines: Array<Array<[number, string]>> }).lines;
  const cell = lines[y]?.[2];
  if (!cell) return false;
  const attr = cell[0];
  const bg = attr & 0x1ff;
  const flags = (attr >> 18) & 0x1ff;
  return bg === 6 || (flags & 8) !== 0;
}

/** Index of the first screen line containing `text`, -1 when none. */
export function lineWith(h: Harness, text: string): number {
  return h.text().findIndex((l) => l.includes(text));
}

/** startHeadless for one test file: every dashboard it starts is closed after each test. */
export function headlessPerTest(): (...args: Parameters<typeof startHeadless>) => Promise<Harness> {
  const open: Harness[] = [];
  afterEach(async () => {
    for (const h of open.splice(0)) await h.close();
  });
  return async (...args) => {
    const h = await startHeadless(...args);
    open.push(h);
    return h;
  };
}

// @module-tag calendar
/** The dashboard's pure view-model layer: cell fitting, column layout, sorting, filtering, selection, scrolling, charts. */
import { describe, expect, it } from 'vitest';
import { localClockMs } from '../support/clock.js';
import { cutToWidth, displayWidth, fitCell } from '../../src/present/width.js';
import { buildTable, layoutColumns, newTableState, type Column, type TableSpec } from '../../src/views/dashboard/model/table.js';
import { chartData } from '../../src/views/dashboard/model/graphs.js';
import { downText, stateSegments } from '../../src/views/dashboard/model/summary.js';
import { workerRows, workersSpec } from '../../src/present/columns/workers.js';
import { lineText } from '../../src/views/dashboard/model/line.js';
import { eventRows, eventsSpec } from '../../src/present/columns/events.js';
import type { MonitorEvent } from '../../src/metrics/types.js';
import { stackLines } from '../../src/views/dashboard/model/detail.js';
import { buildFrame, needsTick, type TargetView } from '../../src/views/dashboard/model/frame.js';
import { PANES_MIN_HEIGHT, splitBody } from '../../src/views/dashboard/model/layout.js';
import { initialState } from '../../src/views/dashboard/model/state.js';
import { FakeMonitor, sample, manyWorkers, HARNESS_NOW_MS } from '../support/views-support.js';

interface Row {
  id: number;
  name: string;
  n: number;
}

const spec: TableSpec<Row> = {
  columns: [
    { id: 'id', title: 'ID', width: 3, align: 'right', priority: 1, text: (r) => String(r.id), sort: (r) => r.id },
    { id: 'name', title: 'NAME', width: 6, flex: true, align: 'left', priority: 1, text: (r) => r.name, sort: (r) => r.name },
    { id: 'n', title: 'N', width: 5, align: 'right', priority: 2, desc: true, text: (r) => String(r.n), sort: (r) => r.n },
  ] satisfies Array<Column<Row>>,
  key: (r) => String(r.id),
  defaultSort: 'id',
};

const rows: Row[] = [
  { id: 1, name: 'alpha', n: 30 },
  { id: 2, name: 'bravo', n: 10 },
  { id: 3, name: 'charlie', n: 50 },
  { id: 4, name: 'delta', n: 20 },
];

describe('cell fitting', () => {
  it('counts wide characters as two cells and cuts with an ellipsis', () => {
    expect(displayWidth('日本')).toBe(4);
    expect(displayWidth(cutToWidth('日本語のURI', 5))).toBeLessThanOrEqual(5);
    expect(cutToWidth('/very/long/path', 8)).toBe('/very/l…');
    expect(fitCell('42', 5, 'right')).toBe('   42');
    expect(fitCell('日本語', 5)).toMatch(/…/);
    expect(displayWidth(fitCell('日本語', 5))).toBe(5);
  });
});

describe('table model', () => {
  it('drops the lowest-priority columns first when the width is short', () => {
    const placed = layoutColumns(spec.columns, 11);
    expect(placed.map((p) => p.col.id)).toEqual(['id', 'name']);
    expect(placed.reduce((s, p) => s + p.width, 0) + placed.length - 1).toBeLessThanOrEqual(11);
  });

  it('sorts by a column in its default direction, reverses, and filters', () => {
    const st = { ...newTableState(), sortId: 'n' };
    const desc = buildTable(rows, spec, st, 40, 10);
    expect(desc.keys).toEqual(['3', '1', '4', '2']);
    const asc = buildTable(rows, spec, { ...st, reverse: true }, 40, 10);
    expect(asc.keys).toEqual(['2', '4', '1', '3']);
    const filtered = buildTable(rows, spec, { ...st, filter: 'ALP' }, 40, 10);
    expect(filtered.keys).toEqual(['1']);
    expect(filtered.matched).toBe(1);
    expect(filtered.total).toBe(4);
  });

  it('keeps equal values in document order, in both directions, whether or not the rows come already sorted', () => {
    const ties: Row[] = [
      { id: 1, name: 'a', n: 20 },
      { id: 2, name: 'b', n: 10 },
      { id: 3, name: 'c', n: 20 },
      { id: 4, name: 'd', n: 10 },
    ];
    const st = { ...newTableState(), sortId: 'n' };
    expect(buildTable(ties, spec, st, 40, 10).keys).toEqual(['1', '3', '2', '4']);
    expect(buildTable(ties, spec, { ...st, reverse: true }, 40, 10).keys).toEqual(['2', '4', '1', '3']);
    // Already in the column's order (descending N): shown as they come.
    const inOrder = [ties[0]!, ties[2]!, ties[1]!, ties[3]!];
    expect(buildTable(inOrder, spec, st, 40, 10).keys).toEqual(['1', '3', '2', '4']);
    expect(buildTable(inOrder, spec, { ...st, reverse: true }, 40, 10).keys).toEqual(['2', '4', '1', '3']);
  });

  it('keeps the selection on its row when the order changes', () => {
    const st = { ...newTableState(), selectedKey: '4' };
    const byId = buildTable(rows, spec, st, 40, 10);
    expect(byId.selectedIndex).toBe(3);
    const byN = buildTable(rows, spec, { ...st, sortId: 'n' }, 40, 10);
    expect(byN.keys[byN.selectedIndex]).toBe('4');
  });

  it('formats only the rows in the window and scrolls to keep the selection visible', () => {
    const many = Array.from({ length: 500 }, (_, i) => ({ id: i + 1, name: `w${i + 1}`, n: i }));
    const t = buildTable(many, spec, { ...newTableState(), selectedKey: '250' }, 40, 10);
    expect(t.rows).toHaveLength(10);
    expect(t.selectedIndex).toBe(249);
    expect(t.scrollTop).toBeLessThanOrEqual(249);
    expect(t.scrollTop + 10).toBeGreaterThan(249);
    expect(lineText(t.rows[249 - t.scrollTop]!)).toContain('w250');
    for (const r of t.rows) expect(displayWidth(lineText(r))).toBe(40);
  });
});


describe('connection state', () => {
  it('says how old the data is when stale, and why and until when when down', () => {
    const now = 1_800_000_000_000;
    const stale = lineText(stateSegments({ state: 'stale', sinceMs: now - 5000, ageSeconds: 4 }, now - 12_000, now));
    expect(stale).toContain('stale: no fresh data for 12s');
    const downState = { state: 'down', error: 'read timed out after 3 s', sinceMs: now - 60_000, nextRetryAtMs: now + 2500 } as const;
    const down = lineText(stateSegments(downState, now - 61_000, now));
    expect(down).toBe('DOWN · retry in 3s');
    const why = downText(downState, now - 61_000);
    expect(why).toMatch(/^read timed out after 3 s · /);
    expect(why).toContain(`down since ${localClockMs(now - 60_000)}`);
    expect(why).toContain(`data below read at ${localClockMs(now - 61_000)}`);
    expect(lineText(stateSegments({ state: 'live' }, now, now))).toContain('live');
  });
});

describe('chart data', () => {
  it('never hands contrib a NaN, an all-zero ceiling or x/y of different lengths', () => {
    const zero = chartData('listenQueue', { values: [0, 0, 0], times: [1000, 2000, 3000] }, 60, 3000);
    expect(zero.maxY).toBeGreaterThanOrEqual(1);
    expect(zero.x).toHaveLength(zero.y.length);
    const gaps = chartData('rps', { values: [null, 4, null, 8], times: [1000, 2000, 3000, 4000] }, 60, 4000);
    // The leading null is "no rate yet" and is left out; the gap in the middle is drawn as 0.
    expect(gaps.y).toEqual([4, 0, 8]);
    expect(gaps.y.every((v) => Number.isFinite(v))).toBe(true);
    expect(gaps.x).toHaveLength(3);
    expect(gaps.maxY).toBeGreaterThanOrEqual(8);
    const empty = chartData('rps', { values: [], times: [] }, 60, 4000);
    expect(empty.y.length).toBeGreaterThanOrEqual(2);
    expect(empty.x).toHaveLength(empty.y.length);
  });

  it('keeps the time axis even when polls came late (quick resizes, a stall): every label step is the same time', () => {
    // One poll a second, then a 4 s and two 6 s stalls, then a burst: as after quick resizes.
    const times = [0, 1, 2, 3, 4, 5, 6, 7, 11, 17, 23, 23.3, 23.6, 24, 25, 26, 27, 28, 29, 30].map((s) => 1_000_000 + s * 1000);
    const data = chartData('busyWorkers', { values: times.map((_, i) => i % 3), times }, 60, times.at(-1)!);
    const ago = data.x.map((l) => (l === 'now' ? 0 : -Number(l.replace(/s$/, ''))));
    expect(ago.every((a) => Number.isFinite(a))).toBe(true);
    const steps = new Set(ago.slice(1).map((a, i) => ago[i]! - a));
    expect([...steps]).toEqual([1]);
    expect(ago[0]).toBe(30);
    expect(data.x.at(-1)).toBe('now');
    // Each point shows what was read last at its time: the 4 s stall holds the value read at 7 s.
    expect(data.y[9]).toBe(7 % 3);
  });
});

describe('frame cost follows the screen, not the workers', () => {
  it("formats at most the 18 worker rows an 80x24 screen shows, whatever the number of workers", () => {
    for (const count of [16, 2048]) {
      const m = new FakeMonitor('t:1');
      m.push(manyWorkers(sample('instance-busy.json'), count), 0);
      const t: TargetView = {
        target: 't:1', shown: m.latest(), live: m.latest(), events: [], series: () => ({ values: [], times: [] }),
        hasControl: false, intervalMs: 1000, running: null,
      };
      const frame = buildFrame({ state: initialState(), targets: [t], width: 80, height: 24, nowMs: HARNESS_NOW_MS });
      expect(frame.lines).toHaveLength(24);
      expect(frame.table?.rows).toHaveLength(Math.min(count, 18));
      expect(frame.table?.total).toBe(count);
      for (const l of frame.lines) expect(displayWidth(lineText(l))).toBe(80);
    }
  });

  it('pairs workers with their derived values by slot', () => {
    const rowsOut = workerRows([], [], 0);
    expect(rowsOut).toEqual([]);
    expect(workersSpec.columns.map((c) => c.title)).toEqual([
      'WID', '%', 'PID', 'REQ', 'RPS', 'EXC', 'SIG', 'STATUS', 'AVG', 'RSS', 'VSZ', 'TX', 'ReSpwn', 'HC', 'RunT', 'LastSpwn', 'ACC', 'BUSY%', 'CPU%', 'uAVG',
    ]);
  });
});

describe('sharing a main view between its table and the panes', () => {
  const base = { avail: 35, eventsNeed: 6, compactFacts: 2, terminalHeight: 50 };

  it('gives a short table what it needs and the rest to the panes, every line accounted for', () => {
    const split = splitBody({ ...base, tableNeed: 5, inflightNeed: 4 });
    expect(split.table).toBe(5);
    expect(split.inflight).toBe(4);
    expect(split.table + split.inflight + split.events + split.gaps).toBe(35);
    expect(split.events).toBeGreaterThanOrEqual(6);
  });

  it('keeps three quarters for a table that overflows, and nothing when that leaves too little', () => {
    const split = splitBody({ ...base, tableNeed: 2049, inflightNeed: 50 });
    expect(split.table).toBeGreaterThanOrEqual(Math.ceil(35 * 0.75));
    expect(split.inflight).toBeGreaterThanOrEqual(3);
    expect(split.events).toBeGreaterThanOrEqual(2);
    expect(split.table + split.inflight + split.events + split.gaps).toBe(35);
    expect(splitBody({ ...base, avail: 20, tableNeed: 2049, inflightNeed: 50 })).toMatchObject({ table: 20, inflight: 0, events: 0, compact: 0 });
  });

  it('gives panes what a short table leaves on a short terminal too (80x24: 19 body lines)', () => {
    const short = { ...base, avail: 19, terminalHeight: PANES_MIN_HEIGHT - 1, inflightNeed: 4 };
    const split = splitBody({ ...short, tableNeed: 5 });
    expect(split).toMatchObject({ table: 5, inflight: 4, compact: 0 });
    expect(split.events).toBeGreaterThanOrEqual(2);
    expect(split.table + split.inflight + split.events + split.gaps).toBe(19);
  });

  it('falls back on one-line facts when panes do not fit, only when the table leaves a blank line and a line per fact', () => {
    const short = { ...base, avail: 19, terminalHeight: PANES_MIN_HEIGHT - 1, inflightNeed: 4 };
    // Panes need 7 lines (gap, in-flight title + header + a row, gap, events title + a row): 14 leaves 5.
    expect(splitBody({ ...short, tableNeed: 14 })).toMatchObject({ table: 16, compact: 2, inflight: 0, events: 0 });
    expect(splitBody({ ...short, tableNeed: 17 })).toMatchObject({ table: 17, compact: 1 });
    expect(splitBody({ ...short, tableNeed: 18 })).toMatchObject({ table: 19, compact: 0 });
    // A table that overflows a short terminal keeps every line.
    expect(splitBody({ ...short, tableNeed: 40 })).toMatchObject({ table: 19, inflight: 0, events: 0, compact: 0 });
  });

  it('draws every pane line exactly as wide as the screen', () => {
    const m = new FakeMonitor('t:1');
    m.push(sample('instance-busy.json'), 0);
    m.addEvent({ atMs: HARNESS_NOW_MS, target: 't:1', type: 'exceptions-rising', severity: 'warn', message: 'x'.repeat(300) });
    const t: TargetView = {
      target: 't:1', shown: m.latest(), live: m.latest(), events: m.events(), series: () => ({ values: [], times: [] }),
      hasControl: false, intervalMs: 1000, running: null,
    };
    for (const [w, hgt] of [[160, 50], [80, 24], [90, 30], [200, 80]] as const) {
      const frame = buildFrame({ state: initialState(), targets: [t], width: w, height: hgt, nowMs: HARNESS_NOW_MS });
      expect(frame.lines).toHaveLength(hgt);
      for (const l of frame.lines) expect(displayWidth(lineText(l))).toBe(w);
    }
  });
});

describe('repainting between polls', () => {
  const view = (m: FakeMonitor): TargetView => ({
    target: m.target, shown: m.latest(), live: m.latest(), events: [], series: () => ({ values: [], times: [] }),
    hasControl: false, intervalMs: 1000, running: null,
  });

  it('repaints every second only when something on screen moves', () => {
    const now = HARNESS_NOW_MS;
    const idle = new FakeMonitor('t:1');
    idle.push(sample('instance-idle.json'), 0);
    expect(needsTick(initialState(), [view(idle)], now)).toBe(false);
    const busy = new FakeMonitor('t:1');
    busy.push(sample('instance-busy.json'), 0);
    expect(needsTick(initialState(), [view(busy)], now)).toBe(true);
    // Frozen: the in-flight ages stand still.
    expect(needsTick({ ...initialState(), frozenAtMs: now }, [view(busy)], now)).toBe(false);
    // A countdown or a stale age moves, and so does a message about to expire.
    idle.fail('connect ECONNREFUSED', now, now + 5000);
    expect(needsTick(initialState(), [view(idle)], now)).toBe(true);
    const fresh = new FakeMonitor('t:1');
    fresh.push(sample('instance-idle.json'), 0);
    expect(needsTick({ ...initialState(), message: { text: 'filter cleared', style: 'status', atMs: now } }, [view(fresh)], now)).toBe(true);
  });
});

describe('the Python stack popup', () => {
  it('wraps the how-to-enable text at spaces: every word of it stays whole, and no line is wider than the popup', () => {
    const why = 'no tracebacker socket was found from the master\'s command line, or give uwsgitop-ts --tracebacker PATH (start uWSGI with --py-tracebacker /run/app/tb)';
    for (const width of [40, 78, 158]) {
      const lines = stackLines({ workerId: 1, state: 'done', atMs: 0, kind: 'none', why }, width, 0).slice(1).map(lineText);
      for (const l of lines) expect(displayWidth(l)).toBeLessThanOrEqual(width);
      const words = lines.flatMap((l) => l.trim().split(' '));
      expect(words).toEqual(why.split(' '));
    }
  });
});

describe('the events table', () => {
  it('orders a folded event by its latest occurrence, not by when it was first logged; equal times keep the log order', () => {
    const ev = (atMs: number, message: string): MonitorEvent => ({ atMs, target: 't', type: 'exceptions-rising', severity: 'warn', message });
    // Logged first, folded since: its time is now the newest.
    const log = [ev(5_000, 'exceptions for 45 s'), ev(2_000, 'worker 1 respawned'), ev(3_000, 'pause'), ev(3_000, 'resume')];
    const table = buildTable(eventRows(log), eventsSpec, newTableState(), 120, () => 10);
    const shown = table.rows.map((r) => lineText(r));
    const order = ['exceptions for 45 s', 'resume', 'pause', 'worker 1 respawned'];
    expect(shown.map((l) => order.find((m) => l.includes(m)))).toEqual(order);
  });
});

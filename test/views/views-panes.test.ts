// @module-tag calendar
/**
 * The room under the workers table: the "In flight (oldest first)" and "Recent events" panes wherever the
 * table leaves room (80x24 included), one-line facts when it leaves little, the table keeping priority with 2,048 workers; and in-flight
 * ages that count up between polls. Headless screen, real monitor core, real sample documents.
 */
import { describe, expect, it } from 'vitest';
import { localClockMs } from '../support/clock.js';
import type { MonitorEvent } from '../../src/metrics/types.js';
import { FakeMonitor, KEY, lineWith, manyWorkers, sample, SAMPLE_EPOCH_MS, headlessPerTest, type Harness } from '../support/views-support.js';

const start = headlessPerTest();

const TARGET = '127.0.0.1:9191';
/** Epoch seconds of the sample capture. */
const EPOCH_S = SAMPLE_EPOCH_MS / 1000;

interface Req {
  slot: number;
  core: number;
  uri: string;
  /** Seconds before the sample epoch the request started. */
  startedAgo: number;
  remote: string;
}

/** The busy sample with exactly these requests in flight (built from its real in-flight core). */
function docWith(reqs: Req[], base = sample('instance-busy.json')): any {
  const template = sample('instance-busy.json').workers.find((w: any) => w.status === 'busy').cores.find((c: any) => c.in_request);
  for (const w of base.workers) {
    w.status = 'idle';
    for (const c of w.cores) {
      c.in_request = 0;
      c.vars = [];
      c.req_info = {};
    }
  }
  for (const r of reqs) {
    const w = base.workers[r.slot - 1];
    w.status = 'busy';
    const core = JSON.parse(JSON.stringify(template));
    core.id = r.core;
    core.vars = core.vars.map((v: string) => {
      if (v.startsWith('REQUEST_URI=')) return `REQUEST_URI=${r.uri}`;
      if (v.startsWith('REMOTE_ADDR=')) return `REMOTE_ADDR=${r.remote}`;
      return v;
    });
    core.req_info.request_start = EPOCH_S - r.startedAgo;
    w.cores[r.core] = core;
  }
  return base;
}

const REQS: Req[] = [
  { slot: 2, core: 0, uri: '/newest', startedAgo: 2, remote: '10.0.0.2' },
  { slot: 4, core: 1, uri: '/oldest/export', startedAgo: 95, remote: '10.0.0.4' },
  { slot: 1, core: 1, uri: '/middle', startedAgo: 12, remote: '10.0.0.1' },
];

function event(offsetMs: number, severity: MonitorEvent['severity'], message: string): MonitorEvent {
  return { atMs: SAMPLE_EPOCH_MS + offsetMs, target: TARGET, type: 'worker-respawned', severity, message };
}

/** Foreground colour number of the cell at (x, y) (blessed: 1 red, 3 yellow). */
function fgAt(h: Harness, y: number, x: number): number {
  const lines = (h.dash.screen as unknown as { lines: Array<Array<[number, string]>> }).lines;
  return (lines[y]![x]![0] >> 9) & 0x1ff;
}

describe('panes under the workers table on a tall terminal', () => {
  it('shows the in-flight requests oldest first and the recent events newest last, below the table', async () => {
    const doc = docWith(REQS);
    const m = new FakeMonitor(TARGET);
    m.push(doc, 0);
    m.addEvent(event(-60_000, 'info', 'worker 2 respawned (max requests): pid 1 -> 2'));
    m.addEvent(event(-30_000, 'error', 'worker 3 respawned (harakiri): pid 3 -> 4'));
    m.addEvent(event(-5_000, 'warn', '3 new exceptions (0.60/s)'));
    const h = await start([m], { cols: 160, rows: 50 });
    h.setClock(SAMPLE_EPOCH_MS);

    const lastWorker = lineWith(h, ` ${doc.workers[3].pid} `);
    const inflight = lineWith(h, 'In flight (oldest first)');
    const events = lineWith(h, 'Recent events (newest last)');
    expect(inflight).toBeGreaterThan(lastWorker);
    expect(events).toBeGreaterThan(inflight);
    // Every request, oldest first, with its age, worker, method, host+URI and remote address.
    const rows = REQS.map((r) => lineWith(h, `shop.example${r.uri} `));
    const byAge = [...REQS].sort((a, b) => b.startedAgo - a.startedAgo);
    expect(byAge.map((r) => lineWith(h, `shop.example${r.uri} `))).toEqual([...rows].sort((a, b) => a - b));
    for (const r of REQS) {
      const row = h.text()[lineWith(h, `shop.example${r.uri} `)]!;
      expect(row).toMatch(new RegExp(`^\\s*\\S+\\s+${r.slot} GET\\s+shop\\.example${r.uri}\\s+${r.remote.replace(/\./g, '\\.')}`));
    }
    expect(h.text()[lineWith(h, '/oldest/export')]).toContain('1m35s');
    expect(h.text()[lineWith(h, '/middle ')]).toContain('12s');
    // Recent events: time, severity, message, the newest at the bottom; severities in colour.
    const evLines = m.events().map((e) => lineWith(h, e.message));
    expect(evLines.every((y) => y > events)).toBe(true);
    expect(evLines).toEqual([...evLines].sort((a, b) => a - b));
    for (const e of m.events()) expect(h.text()[lineWith(h, e.message)]).toContain(`${localClockMs(e.atMs)} ${e.severity}`);
    const sevX = h.text()[evLines[1]!]!.indexOf('error');
    expect(fgAt(h, evLines[1]!, sevX)).toBe(1);
    expect(fgAt(h, evLines[2]!, h.text()[evLines[2]!]!.indexOf('warn'))).toBe(3);
    // The graphs strip is still there, under the panes.
    expect(h.screenText()).toMatch(/[\u2801-\u28ff]/);
    expect(h.text()[49]).toContain('?:help');
  });

  it('says "none" when nothing is in flight and no event happened yet', async () => {
    const m = new FakeMonitor(TARGET);
    m.push(sample('instance-idle.json'), 0);
    const h = await start([m], { cols: 120, rows: 40 });
    const inflight = lineWith(h, 'In flight (oldest first)');
    expect(inflight).toBeGreaterThan(0);
    expect(h.text()[inflight + 1]!.trim()).toBe('none');
    const events = lineWith(h, 'Recent events (newest last)');
    expect(h.text()[events + 1]!.trim()).toBe('none yet');
  });

  it('gives the room to a 2,048-worker table: panes shrink to a few lines, and go on a shorter terminal', async () => {
    const doc = docWith(REQS, manyWorkers(sample('instance-busy.json'), 2048));
    const m = new FakeMonitor(TARGET);
    m.push(doc, 0);
    const h = await start([m], { cols: 160, rows: 50 });
    const header = lineWith(h, ' WID');
    const inflight = lineWith(h, 'In flight (oldest first)');
    const events = lineWith(h, 'Recent events (newest last)');
    expect(inflight).toBeGreaterThan(header);
    // The table keeps at least three quarters of the body; each pane a few lines.
    const workerRows = h.text().slice(header + 1, inflight).filter((l) => /^\s+\d+\s/.test(l)).length;
    expect(workerRows).toBeGreaterThanOrEqual(20);
    expect(events - inflight).toBeLessThanOrEqual(6);
    // The oldest request still makes it into the shrunken pane.
    expect(lineWith(h, '/oldest/export')).toBeGreaterThan(inflight);
    expect(h.text()[inflight]).toMatch(/of 3 shown/);

    await h.resize(100, 30);
    expect(lineWith(h, 'In flight (oldest first)')).toBe(-1);
    expect(lineWith(h, 'Recent events')).toBe(-1);
    expect(h.text().filter((l) => /^\s+\d+\s+\S+\s+\d{6}\s/.test(l)).length).toBe(30 - 4 - 1 - 1);
  });

  it('shows the events pane under the vassals of an emperor', async () => {
    const m = new FakeMonitor('127.0.0.1:9300');
    const doc = sample('emperor.json');
    m.push(doc, 0);
    m.addEvent({ atMs: SAMPLE_EPOCH_MS, target: '127.0.0.1:9300', type: 'vassal-cursed', severity: 'error', message: `vassal ${doc.vassals[0].id} cursed (being stopped)` });
    const h = await start([m], { cols: 100, rows: 40 });
    expect(lineWith(h, 'In flight')).toBe(-1);
    const events = lineWith(h, 'Recent events (newest last)');
    expect(events).toBeGreaterThan(lineWith(h, doc.vassals[doc.vassals.length - 1].id));
    expect(lineWith(h, `vassal ${doc.vassals[0].id} cursed`)).toBeGreaterThan(events);
  });
});

describe('hostile strings in the panes', () => {
  it('shows a URI, a remote address and an event message with control bytes escaped, and sends none of them', async () => {
    const doc = docWith([{ slot: 1, core: 0, uri: '/a\u001b[2Jb\u009bc{red-fg}', startedAgo: 3, remote: '10.0.0.9\u202e' }]);
    const m = new FakeMonitor(TARGET);
    m.push(doc, 0);
    m.addEvent(event(0, 'warn', 'node x\u001b]0;pwned\u0007 failing'));
    const h = await start([m], { cols: 120, rows: 40 });
    const screen = h.screenText();
    expect(screen).toContain('shop.example/a\\x1b[2Jb\\x9bc{red-fg}');
    expect(screen).toContain('10.0.0.9\\u202e');
    expect(screen).toContain('node x\\x1b]0;pwned\\x07 failing');
    const bytes = h.tty.bytes();
    for (const raw of ['\u001b[2Jb', '\u009b', '\u202e', '\u001b]0;pwned', '\u0007']) expect(bytes).not.toContain(raw);
  });
});

describe('80x24', () => {
  it('shows both panes under a 4-worker table instead of a dozen blank lines', async () => {
    const m = new FakeMonitor(TARGET);
    m.push(docWith(REQS), 0);
    m.addEvent(event(-5_000, 'warn', '3 new exceptions (0.60/s)'));
    const h = await start([m], { cols: 80, rows: 24 });
    h.setClock(SAMPLE_EPOCH_MS);
    const text = h.text();
    const pane = lineWith(h, 'In flight (oldest first)');
    // Summary (3), tabs, header and the 4 workers, a blank line, then the pane.
    expect(pane).toBe(3 + 1 + 1 + 4 + 1);
    expect(text[pane]).toContain('3 requests');
    expect(text[pane + 2]).toMatch(/^\s*1m35s\s+4 GET\s+shop\.example\/oldest\/export\s+10\.0\.0\.4/);
    expect(text[pane + 3]).toMatch(/^\s*12s\s+1 GET\s+shop\.example\/middle/);
    expect(text[pane + 4]).toMatch(/^\s*2(\.0)?s\s+2 GET\s+shop\.example\/newest/);
    const events = lineWith(h, 'Recent events (newest last)');
    expect(events).toBeGreaterThan(pane + 4);
    expect(text[events + 1]).toContain(`${localClockMs(SAMPLE_EPOCH_MS - 5000)} warn  3 new exceptions (0.60/s)`);
    expect(text[23]).toContain('?:help');
    for (const l of text) expect(l.length).toBe(80);
  });

  it('keeps the oldest request and the last event on one line each when panes do not fit', async () => {
    const m = new FakeMonitor(TARGET);
    // 14 workers: header and rows take 15 of the 19 body lines, too few left for panes.
    m.push(docWith(REQS, manyWorkers(sample('instance-busy.json'), 14)), 0);
    m.addEvent(event(-5_000, 'warn', '3 new exceptions (0.60/s)'));
    const h = await start([m], { cols: 80, rows: 24 });
    h.setClock(SAMPLE_EPOCH_MS);
    expect(lineWith(h, 'In flight (oldest first)')).toBe(-1);
    expect(h.text()[21]).toMatch(/^oldest request 1m35s\s+worker 4 GET shop\.example\/oldest\/export from 10\.0\.0\.4/);
    expect(h.text()[22]).toContain(`last event ${localClockMs(SAMPLE_EPOCH_MS - 5000)} warn  3 new exceptions (0.60/s)`);
    expect(h.text()[20]!.trim()).toBe('');
    expect(h.text()[23]).toContain('?:help');
  });

  it('leaves the whole body to the table when it needs it', async () => {
    const m = new FakeMonitor(TARGET);
    m.push(docWith(REQS, manyWorkers(sample('instance-busy.json'), 40)), 0);
    m.addEvent(event(-5_000, 'warn', '3 new exceptions (0.60/s)'));
    const h = await start([m], { cols: 80, rows: 24 });
    expect(lineWith(h, 'oldest request')).toBe(-1);
    expect(lineWith(h, 'last event')).toBe(-1);
    expect(h.text().filter((l) => /^\s+\d+\s+\S+\s+\d{6}\s/.test(l)).length).toBe(24 - 4 - 1 - 1);
  });
});

describe('ages count up between polls', () => {
  it('adds the time since the read to every in-flight age, once a second without a new poll', async () => {
    const m = new FakeMonitor(TARGET);
    m.push(docWith(REQS), 0);
    const h = await start([m], { cols: 100, rows: 40 });
    await h.keys('2');
    h.setClock(SAMPLE_EPOCH_MS);
    expect(h.text()[lineWith(h, '/middle ')]).toMatch(/^\s+12s /);
    // 7 s later, no poll: the once-a-second repaint shows the requests 7 s older.
    h.dash.clock = () => SAMPLE_EPOCH_MS + 7000;
    await h.nextFrame();
    expect(h.text()[lineWith(h, '/middle ')]).toMatch(/^\s+19s /);
    expect(h.text()[lineWith(h, '/oldest/export')]).toMatch(/^\s*1m42s /);
    // The worker detail ages the same way.
    while (h.dash.lastFrame!.table!.selectedKey !== `${REQS[2]!.slot}:${REQS[2]!.core}`) await h.keys(KEY.down);
    await h.keys(KEY.enter);
    expect(h.screenText()).toContain('age 19s');
  });

  it('stops the ages while frozen and when the target goes down', async () => {
    const m = new FakeMonitor(TARGET);
    m.push(docWith(REQS), 0);
    const h = await start([m], { cols: 100, rows: 40 });
    await h.keys('2');
    h.setClock(SAMPLE_EPOCH_MS + 3000);
    await h.keys('z');
    h.setClock(SAMPLE_EPOCH_MS + 60_000);
    expect(h.text()[lineWith(h, '/middle ')]).toMatch(/^\s+15s /);
    await h.keys('z');
    expect(h.text()[lineWith(h, '/middle ')]).toMatch(/^\s+1m12s /);
    // Down since +61 s: nothing is known after that, whatever the clock says.
    m.fail('connect ECONNREFUSED 127.0.0.1:9191', SAMPLE_EPOCH_MS + 61_000, SAMPLE_EPOCH_MS + 200_000);
    h.setClock(SAMPLE_EPOCH_MS + 120_000);
    expect(h.text()[lineWith(h, '/middle ')]).toMatch(/^\s+1m13s /);
  });

  it('counts the "stale" age up between polls too', async () => {
    const m = new FakeMonitor(TARGET);
    m.push(sample('instance-idle.json'), 0);
    m.core.ingestState({ state: 'stale', sinceMs: SAMPLE_EPOCH_MS + 3000, ageSeconds: 3 });
    const h = await start([m], { cols: 100, rows: 30 });
    h.setClock(SAMPLE_EPOCH_MS + 4000);
    expect(h.text()[0]).toContain('stale: no fresh data for 4s');
    h.dash.clock = () => SAMPLE_EPOCH_MS + 9000;
    await h.nextFrame();
    expect(h.text()[0]).toContain('stale: no fresh data for 9s');
  });
});

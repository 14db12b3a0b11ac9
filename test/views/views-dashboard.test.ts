// @module-tag calendar
/**
 * The dashboard on a headless screen (fake TTY streams, text read back from blessed's screen.lines), fed by
 * the real monitor core with real sample documents: what an operator sees and what the keys do.
 */
import { describe, expect, it } from 'vitest';
import { localClock, localDateTime, localMonthDayTime } from '../support/clock.js';
import { FakeMonitor, KEY, lineWith, manyWorkers, rowHighlighted, sample, SAMPLE_EPOCH_MS, headlessPerTest, type Harness } from '../support/views-support.js';

const start = headlessPerTest();

/** The busy sample read twice, 2 s apart, each worker having served `extra[i]` more requests in between. */
function busyMonitor(target = '127.0.0.1:9191', extra = [2, 4, 9, 6]): { m: FakeMonitor; doc: any; next: any } {
  const m = new FakeMonitor(target);
  const doc = sample('instance-busy.json');
  m.push(doc, 0);
  const next = JSON.parse(JSON.stringify(doc));
  next.workers.forEach((w: any, i: number) => {
    w.requests += extra[i] ?? 0;
  });
  m.push(next, 2000);
  return { m, doc, next };
}

describe('80x24', () => {
  it('shows the summary and every worker of the sample, and fits the width', async () => {
    const { m, doc, next } = busyMonitor();
    const h = await start([m], { cols: 80, rows: 24 });
    const screen = h.screenText();
    expect(screen).toContain('127.0.0.1:9191');
    expect(screen).toContain(doc.version);
    expect(screen).toContain(`pid ${doc.pid}`);
    expect(screen).toContain('● live');
    // Instance req/s: (2+4+9+6) requests over 2 s.
    expect(h.text()[1]).toContain('req/s 10.5');
    const total = next.workers.reduce((s: number, w: any) => s + w.requests, 0);
    expect(h.text()[1]).toContain(`total ${total}`);
    expect(h.text()[1]).toContain(`listen queue ${doc.listen_queue}/${doc.sockets[0].max_queue}`);
    const busy = doc.workers.filter((w: any) => w.status === 'busy').length;
    expect(h.text()[2]).toContain(`${busy} busy, ${doc.workers.length - busy} idle`);
    const header = h.text()[lineWith(h, ' WID')]!;
    for (const col of ['WID', 'PID', 'REQ', 'RPS', 'STATUS', 'AVG', 'BUSY%']) expect(header).toContain(col);
    for (const w of doc.workers) {
      const row = h.text()[lineWith(h, ` ${w.pid} `)];
      expect(row, `row of pid ${w.pid}`).toBeDefined();
      expect(row).toContain(w.status);
    }
    // Worker 3 served 9 more requests in 2 s.
    expect(h.text()[lineWith(h, ` ${doc.workers[2].pid} `)]).toMatch(/\b4\.5\b/);
    expect(h.text()).toHaveLength(24);
    expect(h.text()[23]).toContain('?:help');
  });
});

describe('160x50', () => {
  it("shows all of uwsgitop's columns plus ACC and BUSY%, and the graphs", async () => {
    const { m, doc } = busyMonitor();
    const h = await start([m], { cols: 160, rows: 50 });
    const header = h.text()[lineWith(h, ' WID')]!;
    const cols = ['WID', '%', 'PID', 'REQ', 'RPS', 'EXC', 'SIG', 'STATUS', 'AVG', 'RSS', 'VSZ', 'TX', 'ReSpwn', 'HC', 'RunT', 'LastSpwn', 'ACC', 'BUSY%'];
    let at = 0;
    for (const c of cols) {
      const i = header.indexOf(c, at);
      expect(i, `column ${c} in order`).toBeGreaterThanOrEqual(at);
      at = i + c.length;
    }
    const w = doc.workers[0];
    // Spawned minutes before the read: the local clock time, as uwsgitop shows it.
    expect(h.text()[lineWith(h, ` ${w.pid} `)]).toContain(localClock(w.last_spawn));
    const screen = h.screenText();
    for (const title of ['req/s', 'busy workers', 'listen queue', 'mean response ms']) expect(screen).toContain(title);
    // Braille dots: the lines are actually drawn.
    expect(screen).toMatch(/[\u2801-\u28ff]/);
  });

  it('shows a spawn more than a day old as month-day and minute, whole, and the full time in the worker popup', async () => {
    const { m, doc } = busyMonitor();
    // Ten days after the sample was read: the workers were spawned ten days ago.
    const h = await start([m], { cols: 160, rows: 50, nowMs: SAMPLE_EPOCH_MS + 10 * 86_400_000 });
    const w = doc.workers[0];
    const row = h.text()[lineWith(h, ` ${w.pid} `)]!;
    expect(row).toContain(localMonthDayTime(w.last_spawn));
    expect(row).not.toContain('…');
    await h.keys(KEY.enter);
    expect(h.screenText()).toContain(`last spawn ${localDateTime(w.last_spawn)} (10d00h ago)`);
  });

  it('shows only summary and table at 80x24 (no graphs)', async () => {
    const { m } = busyMonitor();
    const h = await start([m], { cols: 80, rows: 24 });
    expect(h.screenText()).not.toMatch(/[\u2801-\u28ff]/);
    expect(h.screenText()).not.toContain('busy workers');
  });
});

describe('sorting and scrolling', () => {
  it('cycles the sort column with > and <, and reverses with I', async () => {
    const { m, next } = busyMonitor('127.0.0.1:9191', [50, 3, 20, 9]);
    const h = await start([m], { cols: 100, rows: 30 });
    const order = (): number[] =>
      h.text().flatMap((l) => next.workers.filter((w: any) => l.includes(` ${w.pid} `)).map((w: any) => w.pid));
    expect(order()).toEqual(next.workers.map((w: any) => w.pid));
    // WID -> % -> PID -> REQ
    await h.keys('>');
    await h.keys('>');
    await h.keys('>');
    expect(h.text()[23 + 6]).toContain('sort REQ▼');
    const byReq = [...next.workers].sort((a: any, b: any) => b.requests - a.requests).map((w: any) => w.pid);
    expect(order()).toEqual(byReq);
    await h.keys('I');
    expect(order()).toEqual([...byReq].reverse());
    expect(h.screenText()).toContain('sort REQ▲');
    await h.keys('<');
    expect(h.screenText()).toContain('sort PID');
  });

  it('scrolls a long table with a selected row: arrows, j/k, PgDn/PgUp, End/Home', async () => {
    const m = new FakeMonitor('127.0.0.1:9191');
    m.push(manyWorkers(sample('instance-idle.json'), 100), 0);
    const h = await start([m], { cols: 80, rows: 24 });
    const first = lineWith(h, ' 100000 ');
    expect(first).toBeGreaterThan(0);
    expect(rowHighlighted(h, first)).toBe(true);
    await h.keys(KEY.down);
    await h.keys('j');
    expect(rowHighlighted(h, lineWith(h, ' 100002 '))).toBe(true);
    expect(rowHighlighted(h, first)).toBe(false);
    await h.keys('k');
    expect(rowHighlighted(h, lineWith(h, ' 100001 '))).toBe(true);
    await h.keys(KEY.end);
    expect(lineWith(h, ' 100000 ')).toBe(-1);
    expect(rowHighlighted(h, lineWith(h, ' 100099 '))).toBe(true);
    await h.keys(KEY.pageUp);
    const sel = h.dash.lastFrame!.table!;
    expect(sel.selectedIndex).toBe(99 - h.dash.lastFrame!.pageRows);
    expect(rowHighlighted(h, lineWith(h, ` ${100000 + sel.selectedIndex} `))).toBe(true);
    await h.keys(KEY.home);
    expect(rowHighlighted(h, lineWith(h, ' 100000 '))).toBe(true);
    await h.keys(KEY.pageDown);
    expect(lineWith(h, ' 100000 ')).toBe(-1);
  });

  it('filters the current table with /, and Esc clears the filter', async () => {
    const { m, doc } = busyMonitor();
    const h = await start([m], { cols: 80, rows: 24 });
    for (const k of ['/', 'b', 'u', 's', 'y']) await h.keys(k);
    expect(h.text()[23]).toContain('busy');
    await h.keys(KEY.enter);
    const busy = doc.workers.filter((w: any) => w.status === 'busy');
    for (const w of doc.workers) expect(lineWith(h, ` ${w.pid} `) >= 0).toBe(busy.includes(w));
    expect(h.text()[23]).toContain(`filter "busy" ${busy.length}/${doc.workers.length}`);
    await h.keys(KEY.escape);
    for (const w of doc.workers) expect(lineWith(h, ` ${w.pid} `)).toBeGreaterThan(0);
  });
});

describe('worker detail and in-flight requests', () => {
  it('opens the selected worker with Enter: cores, in-flight request, variables on demand, apps; Esc closes', async () => {
    const { m, doc } = busyMonitor();
    const h = await start([m], { cols: 100, rows: 40 });
    // The wall clock at the second read: ages are those the document gives.
    h.setClock(SAMPLE_EPOCH_MS + 2000);
    const busy = doc.workers.find((w: any) => w.status === 'busy');
    const core = busy.cores.find((c: any) => c.in_request);
    const vars = Object.fromEntries(core.vars.filter(Boolean).map((v: string) => [v.slice(0, v.indexOf('=')), v.slice(v.indexOf('=') + 1)]));
    while (!rowHighlighted(h, lineWith(h, ` ${busy.pid} `))) await h.keys(KEY.down);
    await h.keys(KEY.enter);
    let screen = h.screenText();
    expect(screen).toContain(`Worker ${busy.id}`);
    expect(screen).toContain(`pid ${busy.pid}`);
    expect(screen).toContain(`Cores (${busy.cores.length}, 1 serving)`);
    expect(screen).toContain(`${vars.REQUEST_METHOD} ${vars.HTTP_HOST}${vars.REQUEST_URI}`);
    expect(screen).toContain(`from ${vars.REMOTE_ADDR}`);
    // Age: read 2 s after the sample epoch, request started at req_info.request_start.
    const age = SAMPLE_EPOCH_MS / 1000 + 2 - core.req_info.request_start;
    expect(screen).toContain(`age ${age}s`);
    expect(screen).toContain(`Apps (${busy.apps.length})`);
    // The apps table's header and its rows line up, and a short mount point is not cut.
    const rows = h.text();
    const head = rows.find((l) => l.includes('MOUNTPOINT'))!;
    const mount = busy.apps[0].mountpoint || '(default)';
    const app = rows.find((l) => l.includes(mount) && !l.includes('MOUNTPOINT'))!;
    expect(app.indexOf(mount)).toBe(head.indexOf('MOUNTPOINT'));
    expect(app.trimEnd().replace(/[│|]$/, '').trimEnd().endsWith('…')).toBe(false);
    expect(screen).not.toContain(`HTTP_USER_AGENT=${vars.HTTP_USER_AGENT}`);
    await h.keys('v');
    screen = h.screenText();
    expect(screen).toContain(`HTTP_USER_AGENT=${vars.HTTP_USER_AGENT}`);
    expect(screen).toContain(`QUERY_STRING=${vars.QUERY_STRING}`);
    await h.keys(KEY.escape);
    expect(h.screenText()).not.toContain(`Worker ${busy.id} (slot`);
    expect(lineWith(h, ' WID')).toBeGreaterThan(0);
  });

  it('shows no average and a true RSS hint for a worker that has served nothing yet (uWSGI reports 0 for both)', async () => {
    const doc = sample('instance-idle.json');
    const fresh = doc.workers[0];
    // As a fresh worker of an instance run with --memory-report reads before its first request ends.
    Object.assign(fresh, { requests: 0, avg_rt: 0, rss: 0, running_time: 0, tx: 0 });
    const served = doc.workers[1];
    const m = new FakeMonitor('127.0.0.1:9191');
    m.push(doc, 0);
    const h = await start([m], { cols: 160, rows: 40 });
    const cells = (pid: number): string[] => h.text()[lineWith(h, ` ${pid} `)]!.trim().split(/\s+/);
    // uAVG is uWSGI's running average: none for a worker that served nothing.
    const avgAt = h.text()[lineWith(h, ' WID')]!.trim().split(/\s+/).indexOf('uAVG');
    expect(avgAt).toBeGreaterThan(0);
    expect(cells(fresh.pid)[avgAt]).toBe('-');
    expect(cells(served.pid)[avgAt]).not.toBe('-');
    await h.keys(KEY.enter);
    const screen = h.screenText();
    expect(screen).toMatch(/uWSGI running avg -\s/);
    expect(screen).toContain('rss - (uWSGI: with --memory-report; /proc: local instances)');
    expect(screen).not.toContain('runs without --memory-report');
  });

  it('lists every in-flight request across workers, oldest first', async () => {
    const doc = sample('instance-busy.json');
    // Make worker 1 serve an older request than worker 3's.
    const busy = doc.workers.find((w: any) => w.status === 'busy');
    const core = JSON.parse(JSON.stringify(busy.cores.find((c: any) => c.in_request)));
    core.vars = core.vars.map((v: string) => (v.startsWith('REQUEST_URI=') ? 'REQUEST_URI=/export/all' : v));
    core.req_info.request_start -= 40;
    doc.workers[0].status = 'busy';
    doc.workers[0].cores[0] = { ...core, id: 0 };
    const m = new FakeMonitor('127.0.0.1:9191');
    m.push(doc, 2000);
    const h = await start([m], { cols: 100, rows: 30 });
    h.setClock(SAMPLE_EPOCH_MS + 2000);
    await h.keys('2');
    expect(h.text()[3]).toMatch(/2 Req\w*\(2\)/);
    const older = lineWith(h, '/export/all');
    const newer = lineWith(h, '/slow/report?id=7');
    expect(older).toBeGreaterThan(0);
    expect(newer).toBeGreaterThan(older);
    expect(h.text()[older]).toContain(`${SAMPLE_EPOCH_MS / 1000 + 2 - core.req_info.request_start}s`);
    // Enter opens the worker serving it.
    await h.keys(KEY.enter);
    expect(h.screenText()).toContain(`pid ${doc.workers[0].pid}`);
  });
});

describe('other documents and views', () => {
  it('shows an emperor document as its vassals', async () => {
    const doc = sample('emperor.json');
    const m = new FakeMonitor('127.0.0.1:9300');
    m.push(doc, 0);
    const h = await start([m], { cols: 100, rows: 30 });
    expect(h.screenText()).toContain('Emperor');
    expect(h.screenText()).toContain(`vassals ${doc.vassals.length}`);
    for (const v of doc.vassals) {
      const row = h.text()[lineWith(h, v.id)];
      expect(row).toContain(String(v.pid));
      expect(row).toContain(v.ready ? 'yes' : 'no');
    }
    expect(h.text()[lineWith(h, 'VASSAL')]).toMatch(/READY.*ACC.*RESPAWNS.*CURSED.*LOYAL.*LAST SPAWN/);
  });

  it('shows a router document as its subscriptions and nodes', async () => {
    const doc = sample('fastrouter.json');
    const m = new FakeMonitor('127.0.0.1:9400');
    m.push(doc, 0);
    const h = await start([m], { cols: 100, rows: 30 });
    expect(h.screenText()).toContain('fastrouter');
    expect(h.screenText()).toContain(doc.fastrouter[0]);
    expect(h.text()[lineWith(h, 'SUBSCRIPTION')]).toMatch(/NODE.*REQ\/s.*LOAD.*FAIL.*DEAD/);
    for (const s of doc.subscriptions) {
      const row = h.text()[lineWith(h, s.key)];
      expect(row).toContain(s.nodes[0].name);
    }
  });

  it('shows legions: the lord, the quorum and each member with valor and last seen', async () => {
    const doc = sample('legion-lord.json');
    const m = new FakeMonitor('127.0.0.1:9500');
    m.push(doc, 0);
    const h = await start([m], { cols: 120, rows: 30 });
    await h.keys('7');
    const l = doc.legions[0];
    expect(h.screenText()).toContain('THIS NODE IS LORD');
    expect(h.screenText()).toContain(`quorum ${l.quorum}`);
    for (const member of l.members) {
      const row = h.text()[lineWith(h, member.uuid.slice(0, 8))];
      expect(row).toContain(String(member.valor));
      expect(row).toContain('ago');
    }
  });

  it('shows caches, sockets, metrics and the event log', async () => {
    const { m, doc } = busyMonitor();
    const h = await start([m], { cols: 100, rows: 30 });
    await h.keys('4');
    const c = doc.caches[0];
    expect(h.text()[lineWith(h, c.name)]).toContain(`${c.items}/${c.max_items}`);
    await h.keys('5');
    const s = doc.sockets[0];
    expect(h.text()[lineWith(h, s.name)]).toContain(`${s.queue}/${s.max_queue}`);
    await h.keys('6');
    for (const k of ['/', 'i', 'd', 'l', 'e']) await h.keys(k);
    await h.keys(KEY.enter);
    expect(h.text()[lineWith(h, 'core.idle_workers')]).toContain(String(doc.metrics['core.idle_workers'].value));
    expect(lineWith(h, 'core.busy_workers')).toBe(-1);
    await h.keys('9');
    expect(h.text()[lineWith(h, 'TIME')]).toMatch(/SEV.*TYPE.*MESSAGE/);
  });
});

describe('resize, targets, help and quitting', () => {
  it('re-lays out the table and the graphs when the terminal is resized', async () => {
    const { m } = busyMonitor();
    const h = await start([m], { cols: 80, rows: 24 });
    expect(h.text()[lineWith(h, ' WID')]).not.toContain('VSZ');
    await h.resize(160, 50);
    expect(h.text()).toHaveLength(50);
    expect(h.text()[lineWith(h, ' WID')]).toContain('VSZ');
    expect(h.screenText()).toMatch(/[\u2801-\u28ff]/);
    expect(h.text()[49]).toContain('?:help');
    await h.resize(80, 24);
    expect(h.text()).toHaveLength(24);
    expect(h.screenText()).not.toMatch(/[\u2801-\u28ff]/);
    expect(h.text()[23]).toContain('?:help');
    // Tiny terminals degrade without an error: the status line stays on the last row.
    await h.keys('?');
    await h.resize(30, 8);
    expect(h.text()).toHaveLength(8);
    // The help is still open: the status line says how to close it.
    expect(h.text()[7]).toContain('Esc:close');
    expect(h.screenText()).not.toContain('display error');
  });

  it('shows a fleet line for several targets and switches with ] and [', async () => {
    const a = busyMonitor('127.0.0.1:9191').m;
    const b = new FakeMonitor('127.0.0.1:9300');
    const emperor = sample('emperor.json');
    b.push(emperor, 0);
    const h = await start([a, b], { cols: 100, rows: 30 });
    expect(h.text()[3]).toContain('1:127.0.0.1:9191');
    expect(h.text()[3]).toContain('2:127.0.0.1:9300');
    await h.keys(']');
    expect(h.text()[0]).toContain('127.0.0.1:9300');
    expect(h.screenText()).toContain(`pid ${emperor.pid}`);
    await h.keys('0');
    expect(h.text()[lineWith(h, 'TARGET')]).toMatch(/STATE/);
    await h.keys(KEY.home);
    await h.keys(KEY.enter);
    expect(h.text()[0]).toContain('127.0.0.1:9191');
    expect(lineWith(h, ' WID')).toBeGreaterThan(0);
  });

  it('marks a sleeping instance (every worker paused, as after a zerg dance) in the fleet line and list', async () => {
    const running = new FakeMonitor('127.0.0.1:9191');
    running.push(sample('instance-idle.json'), 0);
    const sleeping = new FakeMonitor('127.0.0.1:9292');
    const paused = sample('instance-paused.json');
    // Paused by the master; one worker still finishing its request reads 'busy' until it ends.
    expect(paused.workers.some((w: { status: string }) => w.status === 'pause')).toBe(true);
    expect(paused.workers.some((w: { status: string }) => w.status === 'idle')).toBe(false);
    sleeping.push(paused, 0);
    const h = await start([running, sleeping], { cols: 100, rows: 30 });
    expect(h.text()[3]).toMatch(/1:127\.0\.0\.1:9191 live/);
    expect(h.text()[3]).toMatch(/2:127\.0\.0\.1:9292 paused/);
    await h.keys('0');
    expect(h.text()[lineWith(h, '127.0.0.1:9292')]).toMatch(/paused/);
    expect(h.text()[lineWith(h, '127.0.0.1:9191')]).toMatch(/live/);
  });

  it('lists every key on ?, Esc closes it, and q (from the help too) or Ctrl-C quits resolving 0', async () => {
    const { m } = busyMonitor();
    const h = await start([m], { cols: 100, rows: 60 });
    await h.keys('?');
    const help = h.screenText();
    for (const k of ['PgUp PgDn', 'Tab', '/', 'z  Space', '+ -', 'Ctrl-C', 'c chain reload', '--no-confirm', 'cycle the per-core view']) expect(help).toContain(k);
    await h.keys(KEY.escape);
    expect(h.dash.finished).toBe(false);
    expect(h.screenText()).not.toContain('Moving around');
    await h.keys('?');
    expect(h.screenText()).toContain('Moving around');
    await h.keys('q');
    expect(await h.dash.done).toBe(0);

    const h2 = await start([busyMonitor().m], { cols: 80, rows: 24 });
    await h2.keys(KEY.ctrlC);
    expect(await h2.dash.done).toBe(0);
  });
});

describe('several keys in one read', () => {
  it('applies each key of a burst (typed fast, pasted, or sent by tmux at once)', async () => {
    const m = new FakeMonitor('127.0.0.1:9191');
    m.push(manyWorkers(sample('instance-idle.json'), 30), 0);
    const h = await start([m], { cols: 100, rows: 30 });
    await h.keys('>>>');
    expect(h.text()[29]).toContain('sort REQ');
    await h.keys('<<<');
    expect(h.text()[29]).toContain('sort WID');
    await h.keys('jjjj');
    expect(rowHighlighted(h, lineWith(h, ' 100004 '))).toBe(true);
  });

  it('opens what the new view shows when a view key and Enter come in one read (tmux send-keys 2 Enter)', async () => {
    const { m, doc } = busyMonitor();
    const h = await start([m], { cols: 100, rows: 30 });
    await h.keys('3');
    // From the Graphs view (no table), `2` then Enter: the oldest request's worker opens, variables shown.
    await h.keys(`2${KEY.enter}`);
    const busy = doc.workers.find((w: any) => w.status === 'busy');
    expect(h.screenText()).toContain(`Worker ${busy.id} (slot`);
    expect(h.screenText()).toContain('REQUEST_METHOD=');
    await h.keys(KEY.escape);
    // From the Workers view, `0` then Enter goes to the first target of the fleet list.
    await h.keys(`0${KEY.enter}`);
    expect(h.dash.state.view).toBe('workers');
  });
});

// @module-tag calendar
/**
 * The first-hour defects seen on screen, on the headless dashboard with real uWSGI documents: names cut
 * until ambiguous, labels left without values, in-flight URIs dropped at 40 columns, cache ratios without
 * labels, an emperor reload taken for a respawn, crons that never ran, the legion lord's valor cut, a
 * scroll position nobody shows, and blank rows on a tall terminal.
 */
import { describe, expect, it } from 'vitest';
import { derive } from '../../src/metrics/derive.js';
import { detectEvents } from '../../src/metrics/events.js';
import { createEventMemory } from '../../src/metrics/events.js';
import { copy, emperor, inst } from '../support/metrics-fixtures.js';
import { FakeMonitor, headlessPerTest, lineWith, manyWorkers, sample } from '../support/views-support.js';
import { sampleBytes } from '../support/samples.js';

const start = headlessPerTest();

describe('names and labels at narrow widths', () => {
  it('keeps the port of a long URL target and the file name of a socket target', async () => {
    const url = new FakeMonitor('http://127.0.0.1:23017');
    url.push(sample('instance-idle.json'), 0);
    const sock = new FakeMonitor('/tmp/uwsgitop-test-abcdef/run/stats3.sock');
    sock.push(sample('instance-idle.json'), 0);
    const h = await start([url, sock], { cols: 40, rows: 24 });
    expect(h.text()[0]).toMatch(/:23017/);
    await h.keys(']');
    expect(h.text()[0]).toContain('/stats3.sock');
    // On the fleet line, with less room, the ends still tell them apart.
    expect(h.text()[3]).toMatch(/1:\S*:23017 live/);
    expect(h.text()[3]).toMatch(/2:\S*s3\.sock live/);
    await h.resize(64, 24);
    expect(h.text()[3]).toContain('/stats3.sock live');
  });

  it('marks a document uWSGI sent as invalid JSON on the title line, at 80 columns, and says what was repaired in the events', async () => {
    const m = new FakeMonitor('127.0.0.1:9191');
    // A real uWSGI document with a raw control byte in a request variable: parsed only after a repair.
    m.pushRaw(sampleBytes('instance-control-bytes.raw'), 0);
    const h = await start([m], { cols: 80, rows: 24 });
    expect(h.text()[0]).toContain('⚠ repaired: key 9');
    await h.keys('9');
    expect(h.screenText()).toMatch(/repaired: escaped \d+ control bytes? in strings/);
  });

  it('never leaves "pid" or "up" without its value at 40 columns, live or down', async () => {
    const m = new FakeMonitor('/tmp/uwsgitop-test-abcdef/stats.sock');
    m.push(sample('instance-idle.json'), 0);
    const h = await start([m], { cols: 40, rows: 24 });
    expect(h.text()[0]).not.toMatch(/(pid|up)\s*$/);
    expect(h.text()[0]).not.toMatch(/\b(pid|up)\s+●/);
    m.fail('connect ENOENT /tmp/uwsgitop-test-abcdef/stats.sock', Date.now(), Date.now() + 2000);
    await h.nextFrame();
    expect(h.text()[0]).not.toMatch(/\b(pid|up) +(DOWN|●)/);
    expect(h.text()[0]).toContain('DOWN');
  });

  it('keeps the URI of in-flight requests at 40 columns (CORE and REMOTE give way first)', async () => {
    const m = new FakeMonitor('127.0.0.1:9191');
    m.push(sample('instance-busy.json'), 0);
    const h = await start([m], { cols: 40, rows: 24 });
    await h.keys('2');
    const header = h.text()[lineWith(h, 'AGE')]!;
    expect(header).toContain('HOST+URI');
    expect(header).not.toContain('CORE');
    expect(header).not.toContain('REMOTE');
  });
});

describe('numbers that meant something else', () => {
  it('labels the cache hit ratio of the last interval and of the lifetime apart', async () => {
    const a = sample('instance-busy.json');
    a.caches[0].hits = 740;
    a.caches[0].miss = 260;
    const b = copy(a);
    b.caches[0].hits += 1; // one hit, no miss, in the interval: 100 % now, 74 % since start
    const m = new FakeMonitor('127.0.0.1:9191');
    m.push(a, 0);
    m.push(b, 1000);
    const h = await start([m], { cols: 120, rows: 30 });
    await h.keys('4');
    const header = h.text()[lineWith(h, 'NAME')]!;
    expect(header).toMatch(/HIT%NOW +HIT%ALL/);
    const row = h.text()[lineWith(h, 'mycache')]!;
    expect(row).toMatch(/100% +74%/);
  });
});

describe('emperor, crons, legions', () => {
  it('calls a vassal that kept its pid and gained a respawn a reload, not a respawn from pid N to N', () => {
    const a = sample('emperor.json');
    const b = copy(a);
    b.vassals[0].respawns += 1;
    const prev = emperor(a, 0);
    const cur = emperor(b, 1000);
    const events = detectEvents(prev, cur, derive(prev, cur), {}, createEventMemory());
    const ev = events.find((e) => e.type === 'vassal-respawned')!;
    expect(ev.message).toBe(`vassal ${a.vassals[0].id} reloaded in place (pid ${a.vassals[0].pid}; its config changed or it was told to reload)`);
    expect(ev.severity).toBe('info');
  });

  it('lists every blacklisted vassal the title counts, over a one-vassal table', async () => {
    const doc = sample('emperor.json');
    doc.vassals = doc.vassals.slice(0, 1);
    doc.blacklist = [
      { id: 'bad1.ini', throttle_level: 3, attempt: 4, first_attempt: 1795270400, last_attempt: 1795270480 },
      { id: 'bad2.ini', throttle_level: 2, attempt: 2, first_attempt: 1795270450, last_attempt: 1795270470 },
    ];
    const m = new FakeMonitor('127.0.0.1:9191');
    m.push(doc, 0);
    const h = await start([m], { cols: 80, rows: 24 });
    expect(h.screenText()).toMatch(/blacklist 2/);
    expect(h.screenText()).toContain('blacklisted bad1.ini');
    expect(h.screenText()).toContain('blacklisted bad2.ini');
  });

  it('says "never run" for a cron uWSGI reports with pid -1, and logs a respawned --attach-daemon', async () => {
    const a = sample('instance-idle.json');
    a.crons = [{ minute: -1, hour: -1, day: -1, month: -1, week: -1, command: 'touch /tmp/x', unique: 0, legion: '', pid: -1, started_at: 0 }];
    a.daemons = [{ cmd: 'sleep 1000', pid: 4242, respawns: 0 }];
    const b = copy(a);
    b.daemons[0].pid = 4343;
    const m = new FakeMonitor('127.0.0.1:9191');
    m.push(a, 0);
    const h = await start([m], { cols: 120, rows: 30 });
    await h.keys('8');
    const cron = h.text()[lineWith(h, 'touch /tmp/x')]!;
    expect(cron).toContain('never run');
    expect(cron).not.toContain('-1');
    const events = detectEvents(inst(a, 0), inst(b, 1000), derive(inst(a, 0), inst(b, 1000)), {}, createEventMemory());
    expect(events.find((e) => e.type === 'daemon-respawned')?.message).toBe('daemon sleep 1000 respawned: pid 4242 -> 4343');
  });

  it('counts a killed --attach-daemon in RESPAWNS as seen, though uWSGI\u2019s own counter stays 0', async () => {
    const a = sample('instance-idle.json');
    a.daemons = [{ cmd: 'sleep 1000', pid: 4242, respawns: 0 }];
    const b = copy(a);
    b.daemons[0].pid = 4343; // the master started it again; uWSGI 2.0.21 leaves respawns at 0
    const m = new FakeMonitor('127.0.0.1:9191');
    m.push(a, 0);
    const h = await start([m], { cols: 120, rows: 30 });
    await h.keys('8');
    expect(h.text()[lineWith(h, 'sleep 1000')]).not.toContain('seen');
    m.push(b, 1000);
    await h.nextFrame();
    const row = h.text()[lineWith(h, 'sleep 1000')]!;
    expect(row).toContain('4343');
    expect(row).toMatch(/\b0 \+1 seen\b/);
  });

  it("shows the new lord's valor and name within 80 columns", async () => {
    const doc = sample('legion-member.json');
    const l = doc.legions[0];
    const m = new FakeMonitor('127.0.0.1:9191');
    m.push(doc, 0);
    const h = await start([m], { cols: 80, rows: 24 });
    await h.keys('7');
    const lordLine = h.text().find((x) => x.includes('lord '))!;
    // The member name is the lord's hostname, whatever machine the sample was captured on.
    const lordName = l.members.find((x: { uuid: string }) => x.uuid === l.lord_uuid).name;
    expect(lordLine).toContain(`lord valor ${l.lord_valor} ${lordName}`);
  });

  it('says every other member may have left, not that none was ever seen, when the member list is empty', async () => {
    const doc = sample('legion-member.json');
    doc.legions[0].members = [];
    const m = new FakeMonitor('127.0.0.1:9191');
    m.push(doc, 0);
    const h = await start([m], { cols: 80, rows: 24 });
    await h.keys('7');
    expect(h.screenText()).toContain('no other member listed now (none has joined, or every one has left)');
    expect(h.screenText()).not.toMatch(/seen yet/);
  });
});

describe('room on screen', () => {
  it('says which rows of a long workers table are shown: rows 1-N of 30', async () => {
    const m = new FakeMonitor('127.0.0.1:9191');
    m.push(manyWorkers(sample('instance-busy.json'), 30), 0);
    const h = await start([m], { cols: 100, rows: 24 });
    const rows = h.dash.lastFrame!.table!.rows.length;
    expect(rows).toBeLessThan(30);
    expect(h.text()[23]).toContain(`rows 1-${rows} of 30`);
  });

  it('gives a tall terminal\'s blank rows to the graphs', async () => {
    const m = new FakeMonitor('127.0.0.1:9191');
    m.push(sample('instance-idle.json'), 0);
    const h = await start([m], { cols: 200, rows: 60 });
    const charts = h.dash.lastFrame!.charts;
    expect(charts.length).toBeGreaterThan(0);
    expect(charts[0]!.height).toBeGreaterThan(10);
    // At most four blank lines between the last pane line and the graphs.
    const lines = h.text();
    const chartTop = charts[0]!.top;
    let blanks = 0;
    for (let y = chartTop - 1; y > 0 && lines[y]!.trim() === ''; y--) blanks++;
    expect(blanks).toBeLessThanOrEqual(5);
  });
});

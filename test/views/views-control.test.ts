// @module-tag calendar
/**
 * Control and live behaviour on the headless dashboard: FIFO commands through `!` and a y/N confirmation
 * naming the target and FIFO, results in the event log, freeze, interval, and a down target that leaves the keys working.
 */
import { describe, expect, it } from 'vitest';
import type { TargetControl } from '../../src/views/dashboard/control.js';
import { FakeControl, FakeMonitor, KEY, lineWith, sample, headlessPerTest, type Harness, HARNESS_NOW_MS } from '../support/views-support.js';

const start = headlessPerTest();

const TARGET = '127.0.0.1:9191';

function monitorWith(name: string): FakeMonitor {
  const m = new FakeMonitor(TARGET);
  m.push(sample(name), 0);
  return m;
}

/** Wait until the dashboard has painted a frame where `check` holds (commands resolve asynchronously). */
async function until(h: Harness, check: () => boolean): Promise<void> {
  for (let i = 0; i < 50 && !check(); i++) await h.nextFrame();
  expect(check()).toBe(true);
}

describe('FIFO control keys', () => {
  it('runs a chain reload on ! c y, records the verified result in the event log and asks for a fresh poll', async () => {
    const m = monitorWith('instance-idle.json');
    const control = new FakeControl('/run/app.fifo', { ok: true, message: 'all 4 workers replaced' });
    const h = await start([m], { cols: 100, rows: 30, controls: new Map<string, TargetControl>([[TARGET, control]]) });
    await h.keys('!');
    await h.keys('c');
    // Nothing is written before the y: the line names the command, the target and the FIFO.
    expect(control.calls).toEqual([]);
    expect(h.text()[29]).toContain(`chain-reload ${TARGET}? y/N, k: canary first (writes "c" to /run/app.fifo)`);
    await h.keys('y');
    await until(h, () => h.text()[29]!.includes('all 4 workers replaced'));
    expect(control.calls).toEqual(['chain-reload']);
    const ev = m.events().find((e) => e.type === 'command');
    expect(ev?.message).toContain('chain-reload: all 4 workers replaced');
    expect(ev?.severity).toBe('info');
    expect(m.refreshes).toBeGreaterThan(0);
    await h.keys('9');
    expect(h.text()[lineWith(h, 'command')]).toContain('chain-reload: all 4 workers replaced');
  });

  it('on an 80-column terminal, ! lists every command whole and the y/N shows the whole summary and FIFO path', async () => {
    // A unix socket's path as the target: the longest name the prompt shows whole (24 cells).
    const target = '/run/uwsgi/ap/stats.sock';
    const m = new FakeMonitor(target);
    m.push(sample('instance-idle.json'), 0);
    const fifo = '/srv/uwsgi/instances/shop-frontend/run/master.fifo';
    const control = new FakeControl(fifo);
    const h = await start([m], { cols: 80, rows: 24, controls: new Map<string, TargetControl>([[target, control]]) });
    await h.keys('!');
    const menu = h.text().join('\n');
    // Each byte with its command's name, none cut: a shutdown must not hide past the right edge.
    for (const [byte, name] of [['c', 'chain-reload'], ['W', 'reload-workers-brutal'], ['B', 'reinforcements'], ['q', 'shutdown'], ['Q', 'shutdown-brutal']]) {
      expect(menu).toMatch(new RegExp(`(^|\\s)${byte} ${name}(\\s|$)`, 'm'));
    }
    // The status line is not cut either: its short byte list gives way to the menu above.
    expect(h.text()[23]!.trimEnd()).toBe(` Control ${target}: which FIFO byte? Esc cancels`);
    await h.keys('c');
    expect(control.calls).toEqual([]);
    expect(h.text()[23]).toContain(`chain-reload ${target}? y/N, k: canary first`);
    expect(h.text()[22]).toBe(` writes "c" to ${fifo}`.padEnd(80));
    // The summary wraps at spaces over the lines above: every word of it is there.
    expect(h.text().slice(19, 22).map((l) => l.trim()).join(' ')).toContain('replace workers one at a time, each waits for the previous to accept (needs --lazy-apps for new code)');
    expect(h.text().every((l) => !l.includes('…'))).toBe(true);
    await h.keys('y');
    await until(h, () => control.calls.length === 1);
    expect(control.calls).toEqual(['chain-reload']);
  });

  it('puts the verdict first on the 80-column status line, and m shows the whole result', async () => {
    const m = monitorWith('instance-idle.json');
    const failed = 'not verified: no progress within 30 s: 6 of 8 worker(s) still the old process (wrote "c" to /tmp/uwsgi/app-a/master.fifo; after c the master reads its first fifo again)';
    const control = new FakeControl('/tmp/uwsgi/app-a/master.fifo', { ok: false, message: failed });
    const h = await start([m], { cols: 80, rows: 24, controls: new Map<string, TargetControl>([[TARGET, control]]) });
    await h.keys('!', 'c', 'y');
    await until(h, () => h.text()[23]!.includes('chain-reload:'));
    expect(h.text()[23]).toContain('chain-reload: not verified: no progress within 30 s');
    expect(m.events().find((e) => e.type === 'command')?.message).toBe(`chain-reload: ${failed}`);
    await h.keys('m');
    const popup = h.screenText().replace(/[│\s]+/g, ' ');
    expect(popup).toContain('after c the master reads its first fifo again)');
  });

  it('names the target in a command result when several are watched', async () => {
    const a = monitorWith('instance-idle.json');
    const b = new FakeMonitor('127.0.0.1:9292');
    b.push(sample('instance-idle.json'), 0);
    const control = new FakeControl('/run/a.fifo', { ok: true, message: 'paused: 4 of 4 workers (wrote "p" to /run/a.fifo)' });
    const h = await start([a, b], { cols: 80, rows: 24, controls: new Map<string, TargetControl>([[TARGET, control]]) });
    await h.keys('!', 'p', 'y');
    await until(h, () => h.text()[23]!.includes('paused: 4 of 4'));
    expect(h.text()[23]).toContain(`${TARGET}: pause: paused: 4 of 4 workers`);
  });

  it('shows a chain reload\'s progress on the status line while it runs: time so far and workers replaced', async () => {
    const m = monitorWith('instance-idle.json');
    const doc = sample('instance-idle.json');
    const slots = doc.workers.filter((w: { pid: number }) => w.pid > 0).length;
    let finish!: (r: { ok: boolean; message: string }) => void;
    const control: TargetControl = { fifoPath: '/run/app.fifo', run: () => new Promise((resolve) => (finish = resolve)) };
    const h = await start([m], { cols: 80, rows: 24, controls: new Map<string, TargetControl>([[TARGET, control]]) });
    const t0 = HARNESS_NOW_MS;
    h.dash.clock = () => t0;
    await h.keys('!', 'c', 'y');
    expect(h.text()[23]).toContain(`running chain-reload 0s: 0 of ${slots} workers replaced`);
    // Two workers get a new process, as uWSGI shows them during a chain reload; 12 s have passed.
    doc.workers[0].pid += 1000;
    doc.workers[1].pid += 1000;
    h.dash.clock = () => t0 + 12_000;
    m.push(doc, 12_000);
    await h.nextFrame();
    expect(h.text()[23]).toContain(`running chain-reload 12s: 2 of ${slots} workers replaced`);
    finish({ ok: true, message: 'done' });
    await until(h, () => h.text()[23]!.includes('chain-reload: done'));
  });

  it('asks before a brutal reload of the workers, and sends nothing unless confirmed with y', async () => {
    const m = monitorWith('instance-busy.json');
    const control = new FakeControl('/run/app.fifo');
    const h = await start([m], { cols: 120, rows: 30, controls: new Map<string, TargetControl>([[TARGET, control]]) });
    await h.keys('!', 'W');
    expect(h.text()[29]).toContain(`reload-workers-brutal ${TARGET}? y/N`);
    expect(h.text()[28]).toContain('in-flight requests are dropped');
    await h.keys('n');
    expect(control.calls).toEqual([]);
    expect(h.text()[29]).toContain('not sent: nothing was written to /run/app.fifo');
    await h.keys('!', 'W');
    await h.keys('y');
    await until(h, () => control.calls.length === 1);
    expect(control.calls).toEqual(['reload-workers-brutal']);
    for (const [key, name] of [['Q', 'shutdown-brutal'], ['C', 'go-cheap'], ['R', 'reload-brutal']] as const) {
      await h.keys('!', key);
      expect(h.text()[29]).toContain(name);
      await h.keys(KEY.escape);
    }
    expect(control.calls).toEqual(['reload-workers-brutal']);
  });

  it('p resumes paused workers and pauses running ones, as the stats show them', async () => {
    const paused = monitorWith('instance-paused.json');
    const c1 = new FakeControl('/run/a.fifo');
    const h = await start([paused], { cols: 100, rows: 30, controls: new Map<string, TargetControl>([[TARGET, c1]]) });
    await h.keys('!', 'p', 'y');
    await until(h, () => c1.calls.length === 1);
    expect(c1.calls).toEqual(['resume']);

    const idle = monitorWith('instance-idle.json');
    const c2 = new FakeControl('/run/b.fifo');
    const h2 = await start([idle], { cols: 100, rows: 30, controls: new Map<string, TargetControl>([[TARGET, c2]]) });
    await h2.keys('!', 'p', 'y');
    await until(h2, () => c2.calls.length === 1);
    expect(c2.calls).toEqual(['pause']);
  });

  it('with --no-confirm, ! and the byte write at once; q at the ! prompt is a shutdown, not quit', async () => {
    const m = monitorWith('instance-idle.json');
    const control = new FakeControl('/run/app.fifo');
    const h = await start([m], { cols: 120, rows: 30, confirm: false, controls: new Map<string, TargetControl>([[TARGET, control]]) });
    await h.keys('!');
    expect(h.text()[29]).toContain(`Control ${TARGET}: which FIFO byte?`);
    await h.keys('r');
    await until(h, () => control.calls.length === 1);
    expect(control.calls).toEqual(['reload']);
    await h.keys('!');
    await h.keys('q');
    expect(h.dash.finished).toBe(false);
    await until(h, () => control.calls.length === 2);
    expect(control.calls[1]).toBe('shutdown');
  });

  it('records a failed command as an error event', async () => {
    const m = monitorWith('instance-idle.json');
    const control = new FakeControl('/run/app.fifo', { ok: false, message: 'no worker was replaced within 30 s' });
    const h = await start([m], { cols: 100, rows: 30, controls: new Map<string, TargetControl>([[TARGET, control]]) });
    await h.keys('!', 'w', 'y');
    await until(h, () => m.events().some((e) => e.type === 'command'));
    const ev = m.events().find((e) => e.type === 'command');
    expect(ev?.severity).toBe('error');
    expect(ev?.message).toContain('reload-workers: no worker was replaced within 30 s');
  });

  it('says how to give a FIFO when the target has none', async () => {
    const m = monitorWith('instance-idle.json');
    const h = await start([m], { cols: 160, rows: 30 });
    await h.keys('!');
    expect(h.text()[29]).toContain(`--fifo ${TARGET}=PATH`);
    expect(h.text()[29]).toContain('--ini');
  });
});

describe('live behaviour', () => {
  it('freezes the display while polling goes on, and shows FROZEN', async () => {
    const m = new FakeMonitor(TARGET);
    const doc = sample('instance-idle.json');
    m.push(doc, 0);
    const h = await start([m], { cols: 100, rows: 30 });
    const pid = doc.workers[0].pid;
    const before = h.text()[lineWith(h, ` ${pid} `)]!;
    await h.keys('z');
    expect(h.screenText()).toContain('FROZEN');
    const next = JSON.parse(JSON.stringify(doc));
    next.workers[0].requests += 777;
    m.push(next, 1000);
    await h.nextFrame();
    expect(h.text()[lineWith(h, ` ${pid} `)]).toBe(before);
    await h.keys('z');
    expect(h.screenText()).not.toContain('FROZEN');
    expect(h.text()[lineWith(h, ` ${pid} `)]).toContain(String(doc.workers[0].requests + 777));
  });

  it('changes the poll interval with + and -', async () => {
    const m = monitorWith('instance-idle.json');
    const h = await start([m], { cols: 100, rows: 30 });
    await h.keys('+');
    expect(m.intervalChanges).toEqual([2000]);
    expect(h.text()[29]).toContain('every 2s');
    await h.keys('-');
    await h.keys('-');
    expect(m.intervalChanges).toEqual([2000, 1000, 500]);
    expect(h.text()[29]).toContain('every 0.5s');
  });

  it('keeps the target, the countdown and the whole reason readable at 80 columns when down', async () => {
    const m = monitorWith('instance-busy.json');
    const h = await start([m], { cols: 80, rows: 24 });
    const now = HARNESS_NOW_MS;
    const reason = 'nothing listens on 127.0.0.1:9191 (ECONNREFUSED): is uWSGI running?';
    m.fail(reason, now, now + 4000);
    await h.nextFrame();
    expect(h.text()[0]).toMatch(new RegExp(`^${TARGET.replace(/\./g, '\\.')}\\s.*DOWN · retry in [1-4]s\\s*$`));
    // Too long for one line: it goes on over the third, whole, with when it went down.
    const both = `${h.text()[1]!.trim()} ${h.text()[2]!.trim()}`;
    expect(both).toMatch(new RegExp(`^${reason.replace(/[.()?]/g, '\\$&')} · down since \\d\\d:\\d\\d:\\d\\d · data below`));
  });

  it('shows a down target with its reason and next retry, keeps the last data, and the keys keep working', async () => {
    const m = monitorWith('instance-busy.json');
    const h = await start([m], { cols: 120, rows: 30 });
    const now = HARNESS_NOW_MS;
    m.fail('connect ECONNREFUSED 127.0.0.1:9191', now, now + 4000);
    await h.nextFrame();
    const top = h.text()[0]!;
    expect(top).toContain(TARGET);
    expect(top).toMatch(/DOWN · retry in [1-4]s/);
    expect(h.text()[1]).toMatch(/^connect ECONNREFUSED 127\.0\.0\.1:9191 · down since \d\d:\d\d:\d\d · data below read at/);
    // The reason fits on one line at 120 columns: the last numbers read stay on the third.
    expect(h.text()[2]).toMatch(/^req\/s /);
    expect(lineWith(h, ` ${sample('instance-busy.json').workers[0].pid} `)).toBeGreaterThan(0);
    await h.keys('2');
    expect(h.text()[lineWith(h, 'AGE')]).toContain('URI');
    await h.keys('9');
    expect(h.text()[lineWith(h, 'target-down')]).toContain('ECONNREFUSED');
    m.push(sample('instance-busy.json'), 10_000);
    await h.nextFrame();
    expect(h.text()[0]).toContain('● live');
  });
});

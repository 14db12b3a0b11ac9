// @module-tag calendar
/**
 * The dashboard at 80x24, as an operator in an ssh session sees it: the key hints name only keys that work
 * where the user is, nothing important is cut (tabs while frozen, every target of the fleet line, the
 * emperor summary, a dangerous command's consequence, the FIFO message), and the popups say how to leave.
 */
import { describe, expect, it } from 'vitest';
import { localClockMs } from '../support/clock.js';
import type { TargetControl } from '../../src/views/dashboard/control.js';
import { FIFO_COMMANDS } from '../../src/views/dashboard/control.js';
import { FakeControl, FakeMonitor, KEY, decodeDoc, sample, headlessPerTest, type Harness, HARNESS_NOW_MS } from '../support/views-support.js';
import type { InstanceSnapshot } from '../../src/stats/snapshot.js';

const start = headlessPerTest();

const TARGET = '127.0.0.1:9191';

function busy(target = TARGET): FakeMonitor {
  const m = new FakeMonitor(target);
  m.push(sample('instance-busy.json'), 0);
  return m;
}

const status = (h: Harness): string => h.text()[h.text().length - 1]!;

describe('the instance summary at 80 columns', () => {
  it("keeps a local instance's CPU whole on the workers line (no paused or cheap workers to list)", async () => {
    const m = new FakeMonitor(TARGET);
    const doc = sample('instance-busy.json');
    // Two reads one second apart with /proc figures, as a local instance has: 50 ticks in 1 s per process.
    for (const [offsetMs, ticks] of [[0, 100], [1000, 150]] as const) {
      const snap = decodeDoc(doc, offsetMs, TARGET) as InstanceSnapshot;
      const proc = (pid: number) => ({ pid, cpuTicks: ticks, rssBytes: 1 << 24, vszBytes: 1 << 26 });
      snap.os = { local: true, note: 'local: /proc/PID/stat', master: proc(snap.doc.pid), workers: snap.doc.workers.map((w) => proc(w.pid)) };
      m.pushSnapshot(snap);
    }
    const h = await start([m], { cols: 80, rows: 24 });
    const line = h.text().find((l) => l.startsWith('workers '))!.trimEnd();
    expect(line, line).toMatch(/ cpu \d+(\.\d)?%$/);
    expect(line).not.toContain('…');
    expect(line).not.toMatch(/0 paused|0 cheap/);
  });
});

describe('key hints on the status line', () => {
  it('names the keys that do something in each view, and only those', async () => {
    const h = await start([busy()], { cols: 80, rows: 24 });
    expect(status(h)).toMatch(/\?:help q:quit Enter:detail \/:filter/);
    await h.keys('2');
    expect(status(h)).toContain('Enter:worker');
    await h.keys('3');
    expect(status(h)).not.toContain('/:filter');
    expect(status(h)).not.toContain('<>:sort');
    expect(status(h)).not.toContain('Enter');
    expect(status(h)).toContain('+-:interval');
    for (const view of ['4', '5', '6', '7', '8']) {
      await h.keys(view);
      expect(status(h), `view ${view}`).toMatch(/\?:help q:quit \/:filter <>:sort/);
      expect(status(h), `view ${view}`).not.toContain('Enter');
    }
    // Enter on an event shows it whole.
    await h.keys('9');
    expect(status(h)).toMatch(/\?:help q:quit Enter:whole event \/:filter/);
    await h.keys('0');
    expect(status(h)).toContain('Enter:go to target');
  });

  it('says how to close and scroll a popup, and where in it the user is', async () => {
    const h = await start([busy()], { cols: 80, rows: 24 });
    await h.keys('?');
    expect(status(h)).toMatch(/^ Esc:close .*scroll/);
    const total = h.dash.lastFrame!.overlay!.total;
    const rows = h.dash.lastFrame!.overlayRows;
    expect(status(h)).toContain(`lines 1-${rows} of ${total}`);
    await h.keys(KEY.end);
    expect(status(h)).toContain(`lines ${total - rows + 1}-${total} of ${total}`);
    await h.keys(KEY.escape);
    await h.keys('2');
    await h.keys(KEY.enter);
    // Opened from the Requests view, the variables are shown: v hides them.
    expect(status(h)).toContain('v:hide variables');
    await h.keys('v');
    expect(status(h)).toContain('v:show variables');
  });

  it('offers the control keys only when a FIFO is known', async () => {
    const h = await start([busy()], { cols: 160, rows: 30 });
    expect(status(h)).not.toContain('!:control');
    const h2 = await start([busy()], { cols: 160, rows: 30, controls: new Map<string, TargetControl>([[TARGET, new FakeControl('/run/app.fifo')]]) });
    expect(status(h2)).toContain('!:control');
    // uwsgitop's a keeps its meaning: the per-core view, not a worker more.
    expect(status(h2)).toContain('a:cores');
  });
});

describe('nothing important cut at 80 columns', () => {
  it('keeps every tab visible while frozen and shows the freeze time on the status line', async () => {
    const h = await start([busy()], { cols: 80, rows: 24 });
    await h.keys('z');
    const tabs = h.text()[3]!;
    for (const t of ['1 Wrk', '2 Req', '3 Gra', '4 Cac', '5 Soc', '6 Met', '7 Leg', '8 Tsk', '9 Evt', '0 Flt']) expect(tabs).toContain(t);
    expect(status(h)).toContain(`FROZEN at ${localClockMs(h.dash.state.frozenAtMs!)}`);
  });

  it('shows every target number and state on the fleet line, and points to the fleet view with 0', async () => {
    const targets = ['127.0.0.1:9191', '127.0.0.1:19931', '127.0.0.1:19943'];
    const h = await start(targets.map((t) => busy(t)), { cols: 80, rows: 24 });
    const fleet = h.text()[3]!;
    targets.forEach((t, i) => expect(fleet).toContain(`${i + 1}:${t} live`));
    const wide = await start(targets.map((t) => busy(t)), { cols: 120, rows: 24 });
    expect(wide.text()[3]).toContain('0 fleet');
    expect(wide.text()[3]).not.toContain('9 fleet');
  });

  it('tells five loopback targets apart on the fleet line (their shared 127.0.0.1 goes, ports stay)', async () => {
    // As typed in a real session: an instance, an emperor, a router, a relay target, another instance.
    const targets = ['127.0.0.1:9191', '127.0.0.1:19321', '127.0.0.1:19333', '127.0.0.1:19341/127.0.0.1:9191', '127.0.0.1:19191'];
    const h = await start(targets.map((t) => busy(t)), { cols: 80, rows: 24 });
    const fleet = h.text()[3]!;
    const entries = [...fleet.matchAll(/(\d):(\S+) live/g)].map((m) => ({ n: Number(m[1]), name: m[2]! }));
    expect(entries.map((e) => e.n)).toEqual([1, 2, 3, 4, 5]);
    expect(new Set(entries.map((e) => e.name)).size).toBe(5);
    targets.forEach((t, i) => {
      const name = entries[i]!.name;
      // The end (the port) is always whole.
      expect(t.endsWith(name.split(/[…:]/).pop()!)).toBe(true);
      expect(name.startsWith('127.0.0.1')).toBe(false);
    });
    expect(entries[0]!.name).toBe('9191');
    expect(entries[1]!.name).toBe('19321');
    expect(entries[4]!.name).toBe('19191');
    expect(entries[3]!.name).toBe('19341/:9191');
  });

  it('shows whole event messages in the Events view (the TYPE column gives way), newest first within one poll', async () => {
    const m = busy();
    const at = HARNESS_NOW_MS;
    // Four events of one poll, same millisecond, in the order the monitor emitted them.
    const texts = [
      'worker 1 respawned (chain reload): pid 1134200 -> 1210200',
      'chain reload: worker 2 of 8 replaced',
      'worker 3 respawned (chain reload): pid 1134400 -> 1238400',
      'chain reload: worker 3 of 8 replaced',
    ];
    for (const message of texts) m.addEvent({ atMs: at, target: TARGET, type: 'worker-respawned', severity: 'info', message });
    const h = await start([m], { cols: 80, rows: 24 });
    await h.keys('9');
    const header = h.text().findIndex((l) => /TIME\s+SEV/.test(l));
    expect(h.text()[header]).not.toContain('TYPE');
    const rows = h.text().slice(header + 1, header + 1 + texts.length);
    [...texts].reverse().forEach((text, i) => expect(rows[i]).toContain(text));
    const wide = await start([m], { cols: 120, rows: 24 });
    await wide.keys('9');
    expect(wide.text().find((l) => /TIME\s+SEV/.test(l))).toMatch(/TYPE\s+MESSAGE/);
  });

  it('puts a nearly full listen queue, with its overflows, first on the summary line where 80 columns cannot cut it', async () => {
    const doc = sample('instance-busy.json');
    const max = doc.sockets.reduce((s: number, k: { max_queue: number }) => s + k.max_queue, 0);
    // An incident: big counters widen the line, the queue is full and the kernel refused connections.
    doc.workers.forEach((w: any) => Object.assign(w, { requests: w.requests + 123_456_789, tx: 98_765_432_100 }));
    Object.assign(doc, { listen_queue: max, listen_queue_errors: 1234 });
    const m = new FakeMonitor(TARGET);
    m.push(doc, 0);
    const h = await start([m], { cols: 80, rows: 24 });
    expect(h.text()[1]).toMatch(new RegExp(`^listen queue ${max}/${max} \\(1234 overflows\\)  req/s `));
    // Well below the maximum it stays at the end, after the traffic figures.
    const calm = sample('instance-busy.json');
    Object.assign(calm, { listen_queue: 0, listen_queue_errors: 1234 });
    const m2 = new FakeMonitor('127.0.0.1:9292');
    m2.push(calm, 0);
    const h2 = await start([m2], { cols: 120, rows: 24 });
    expect(h2.text()[1]).toMatch(/^req\/s .*listen queue 0\/\d+ \(1234 overflows\)/);
  });

  it('fits the emperor summary', async () => {
    const doc = sample('emperor.json');
    const m = new FakeMonitor('127.0.0.1:9300');
    m.push(doc, 0);
    const h = await start([m], { cols: 80, rows: 24 });
    expect(h.text()[1]).not.toContain('…');
    expect(h.text()[1]).toContain(`throttle ${doc.throttle_level}`);
  });

  it('spells out what a dangerous command will do, and to how many requests, above the confirm prompt', async () => {
    const doc = sample('instance-busy.json');
    const inflight = doc.workers.flatMap((w: any) => w.cores).filter((c: any) => c.in_request).length;
    const m = new FakeMonitor(TARGET);
    m.push(doc, 0);
    const h = await start([m], { cols: 80, rows: 24, controls: new Map<string, TargetControl>([[TARGET, new FakeControl('/run/app.fifo')]]) });
    await h.keys('!', 'W');
    const danger = FIFO_COMMANDS.find((c) => c.name === 'reload-workers-brutal')!.summary;
    expect(h.text()[22]!.trim()).toBe(`${danger} (${inflight} in flight)`);
    expect(status(h)).toContain(`reload-workers-brutal ${TARGET}? y/N (writes "W" to /run/app.fifo)`);
    await h.keys('n');
    await h.keys('!');
    // The byte list wraps over the lines above the prompt, from chain-reload down to the shutdowns.
    expect(h.text().slice(12, 22).some((l) => /^ c chain-reload {2}r reload {2}R reload-brutal/.test(l))).toBe(true);
    expect(h.text()[22]).toMatch(/^ q shutdown {2}Q shutdown-brutal/);
    expect(status(h)).toContain('Esc cancels');
    await h.keys(KEY.escape);
  });

  it('tells in one line how to give a FIFO when there is none', async () => {
    const h = await start([busy()], { cols: 80, rows: 24 });
    await h.keys('!');
    expect(status(h)).toMatch(/--fifo 127\.0\.0\.1:9191=PATH or --ini FILE\s*$/);
  });
});

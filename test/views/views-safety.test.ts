// @module-tag calendar
/**
 * What reaches the terminal: document strings never as control bytes or escape sequences (checked in the
 * raw output bytes and through a real terminal emulator), no colour codes at all when colour is off, the
 * terminal restored on quit and on signals, and a failing frame reported instead of killing the dashboard.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import xterm from '@xterm/headless';
import { startDashboard } from '../../src/views/dashboard/index.js';
import { endDashboardOnSignals } from '../../src/cli/dashboard-signals.js';
import { Dashboard } from '../../src/views/dashboard/dashboard.js';
import { FakeMonitor, KEY, fakeTty, lineWith, sample, SAMPLES, headlessPerTest, type Harness } from '../support/views-support.js';

const start = headlessPerTest();

const HOSTILE_URI = '/a\u001b[2Jb\u009bc\u202ed{red-fg}e';

/** The busy sample with hostile strings in the in-flight request's URI and Host header. */
function hostileDoc(): any {
  const doc = sample('instance-busy.json');
  const busy = doc.workers.find((w: any) => w.status === 'busy');
  const core = busy.cores.find((c: any) => c.in_request);
  core.vars = core.vars.map((v: string) => {
    if (v.startsWith('REQUEST_URI=')) return `REQUEST_URI=${HOSTILE_URI}`;
    if (v.startsWith('HTTP_HOST=')) return 'HTTP_HOST=h\u001b]0;pwned\u0007.example';
    return v;
  });
  return doc;
}

/** What a real terminal emulator shows after receiving `bytes`. */
async function emulate(bytes: string, cols: number, rows: number): Promise<string[]> {
  const term = new xterm.Terminal({ cols, rows, allowProposedApi: true });
  await new Promise<void>((resolve) => term.write(bytes, resolve));
  const out: string[] = [];
  for (let y = 0; y < rows; y++) out.push(term.buffer.active.getLine(y)?.translateToString(true) ?? '');
  term.dispose();
  return out;
}

/** SGR parameter lists in `bytes` that set a colour (30-39, 40-49, 90-97, 100-107, 38;5;n, 48;5;n). */
function colourCodes(bytes: string): string[] {
  const found: string[] = [];
  for (const m of bytes.matchAll(/\u001b\[([0-9;]*)m/g)) {
    const params = m[1]!.split(';').filter(Boolean).map(Number);
    if (params.some((p) => (p >= 30 && p <= 49) || (p >= 90 && p <= 97) || (p >= 100 && p <= 107))) found.push(m[0]!);
  }
  return found;
}

describe('hostile document strings', () => {
  it('shows the raw control-bytes sample escaped, and sends none of its sequences to the terminal', async () => {
    const raw = readFileSync(`${SAMPLES}/instance-control-bytes.raw`);
    const m = new FakeMonitor('127.0.0.1:9191');
    m.pushRaw(raw, 0);
    const h = await start([m], { cols: 120, rows: 40 });
    await h.keys('2');
    await h.keys(KEY.enter);
    // Enter from the in-flight view opens the worker with its variables shown.
    const screen = h.screenText();
    expect(screen).toContain('\\x1b[31mRED\\x07');
    expect(screen).toContain('HTTP_USER_AGENT=evil"\\x1b]0;pwned\\x07');
    const bytes = h.tty.bytes();
    expect(bytes).not.toContain('\u001b[31mRED');
    expect(bytes).not.toContain('\u001b]0;pwned');
    expect(bytes).not.toContain('\u0007');
  });

  it('escapes ESC, C1 CSI, bidi overrides and blessed tags in a URI and a header', async () => {
    const m = new FakeMonitor('127.0.0.1:9191');
    m.push(hostileDoc(), 0);
    const clean = new FakeMonitor('127.0.0.1:9191');
    clean.push(sample('instance-busy.json'), 0);

    const run = async (mon: FakeMonitor): Promise<Harness> => {
      const h = await start([mon], { cols: 120, rows: 40 });
      await h.keys('2');
      await h.keys(KEY.enter);
      return h;
    };
    const h = await run(m);
    const screen = h.screenText();
    expect(screen).toContain('/a\\x1b[2Jb\\x9bc\\u202ed{red-fg}e');
    expect(screen).toContain('h\\x1b]0;pwned\\x07.example');
    const bytes = h.tty.bytes();
    expect(bytes).not.toContain('\u009b');
    expect(bytes).not.toContain('\u202e');
    expect(bytes).not.toContain('\u0007');
    // blessed clears the screen itself: the hostile run must not clear it more often than a clean run.
    const cleanBytes = (await run(clean)).tty.bytes();
    const count = (s: string, needle: string): number => s.split(needle).length - 1;
    expect(count(bytes, '\u001b[2J')).toBe(count(cleanBytes, '\u001b[2J'));
    // A real terminal emulator fed the same bytes shows the escaped text, braces and all.
    const shown = (await emulate(bytes, 120, 40)).join('\n');
    expect(shown).toContain('/a\\x1b[2Jb\\x9bc\\u202ed{red-fg}e');
    expect(shown).toContain('h\\x1b]0;pwned\\x07.example');
  });

  it('cuts long document strings with an ellipsis instead of wrapping them', async () => {
    const doc = sample('instance-busy.json');
    const long = '/' + 'x'.repeat(400);
    const core = doc.workers.find((w: any) => w.status === 'busy').cores.find((c: any) => c.in_request);
    core.vars = core.vars.map((v: string) => (v.startsWith('REQUEST_URI=') ? `REQUEST_URI=${long}` : v));
    const m = new FakeMonitor('127.0.0.1:9191');
    m.push(doc, 0);
    const h = await start([m], { cols: 80, rows: 24 });
    await h.keys('2');
    const row = h.text()[lineWith(h, '/xxxx')]!;
    // Cut inside its column, the remote address still in its own column after it.
    expect(row).toMatch(/x… 127\.0\.0\.1\s*$/);
    expect(h.text()).toHaveLength(24);
  });
});

describe('colour', () => {
  it('emits no colour code at all with colour off (graphs, busy and paused workers, prompts included)', async () => {
    const m = new FakeMonitor('127.0.0.1:9191');
    m.push(sample('instance-busy.json'), 0);
    m.push(sample('instance-paused.json'), 1000);
    const h = await start([m], { cols: 160, rows: 50, color: false });
    expect(h.screenText()).toMatch(/[\u2801-\u28ff]/);
    await h.keys(KEY.enter);
    await h.keys(KEY.escape);
    await h.keys('?');
    await h.keys(KEY.escape);
    await h.keys('!');
    expect(colourCodes(h.tty.bytes())).toEqual([]);
    // Attributes still mark the header and the selection.
    expect(h.tty.bytes()).toMatch(/\u001b\[[0-9;]*7[;m]/);
  });

  it('does use colour when it is on (so the check above can fail)', async () => {
    const m = new FakeMonitor('127.0.0.1:9191');
    m.push(sample('instance-busy.json'), 0);
    const h = await start([m], { cols: 160, rows: 50, color: true });
    expect(colourCodes(h.tty.bytes()).length).toBeGreaterThan(0);
  });
});

describe('the terminal is restored', () => {
  it('leaves the alternate screen, shows the cursor and ends raw mode on quit', async () => {
    const m = new FakeMonitor('127.0.0.1:9191');
    m.push(sample('instance-idle.json'), 0);
    const h = await start([m], { cols: 80, rows: 24 });
    expect(h.tty.input.isRaw).toBe(true);
    await h.keys('q');
    expect(await h.dash.done).toBe(0);
    const bytes = h.tty.bytes();
    const tail = bytes.slice(bytes.lastIndexOf('\u001b[?1049l') - 40);
    expect(bytes).toContain('\u001b[?1049h');
    expect(tail).toContain('\u001b[?1049l');
    expect(tail).toContain('\u001b[?25h');
    expect(h.tty.input.isRaw).toBe(false);
    expect(m.subscribers).toBe(0);
  });

  it('with the command line\'s handlers, SIGTERM and SIGINT quit with 128+n and the handlers go', async () => {
    for (const [sig, code] of [['SIGTERM', 143], ['SIGINT', 130]] as const) {
      const before = process.listenerCount(sig);
      const m = new FakeMonitor('127.0.0.1:9191');
      m.push(sample('instance-idle.json'), 0);
      const tty = fakeTty(80, 24);
      const dash = startDashboard([m], { input: tty.input, output: tty.output, env: { TERM: 'xterm' } }, { color: true });
      endDashboardOnSignals(dash);
      const done = dash.done;
      expect(process.listenerCount(sig)).toBeGreaterThan(before);
      // Deliver the signal to the handlers the way Node would, without signalling the test runner.
      process.emit(sig, sig);
      expect(await done).toBe(code);
      expect(process.listenerCount(sig)).toBe(before);
      expect(tty.bytes()).toContain('\u001b[?1049l');
      expect(tty.input.isRaw).toBe(false);
    }
  });

  it('quits on SIGHUP with 129, restores the terminal, removes its handlers, then hands over to the hangup action', async () => {
    // The real action ends the process by SIGHUP (test/views/views-hangup.test.ts sees it in tmux); here it is counted.
    const before = process.listenerCount('SIGHUP');
    const m = new FakeMonitor('127.0.0.1:9191');
    m.push(sample('instance-idle.json'), 0);
    const tty = fakeTty(80, 24);
    let hangups = 0;
    let restoredFirst = false;
    const dash = new Dashboard([m], { input: tty.input, output: tty.output, env: { TERM: 'xterm' } }, {
      color: true, controls: new Map(),
    });
    endDashboardOnSignals(dash, () => {
      hangups++;
      restoredFirst = dash.finished && process.listenerCount('SIGHUP') === before && !tty.input.isRaw;
    });
    expect(process.listenerCount('SIGHUP')).toBeGreaterThan(before);
    process.emit('SIGHUP', 'SIGHUP');
    expect(await dash.done).toBe(129);
    expect(hangups).toBe(1);
    expect(restoredFirst).toBe(true);
    expect(process.listenerCount('SIGHUP')).toBe(before);
  });

  it('ends as a hangup when its terminal fails a write (EIO: the terminal went away)', async () => {
    const m = new FakeMonitor('127.0.0.1:9191');
    m.push(sample('instance-idle.json'), 0);
    const tty = fakeTty(80, 24);
    let hangups = 0;
    const dash = new Dashboard([m], { input: tty.input, output: tty.output, env: { TERM: 'xterm' } }, {
      color: true, controls: new Map(),
    });
    endDashboardOnSignals(dash, () => hangups++);
    const gone = Object.assign(new Error('write EIO'), { code: 'EIO' });
    tty.output.emit('error', gone);
    expect(await dash.done).toBe(129);
    expect(hangups).toBe(1);
    expect(m.subscribers).toBe(0);
  });

  it('reports a frame that fails on the status line and keeps running', async () => {
    const m = new FakeMonitor('127.0.0.1:9191');
    m.push(sample('instance-idle.json'), 0);
    const h = await start([m], { cols: 80, rows: 24 });
    const broken = m as unknown as { latest: () => unknown };
    const good = broken.latest.bind(m);
    broken.latest = () => {
      throw new Error('boom in a frame');
    };
    await h.keys('2');
    expect(h.text()[23]).toContain('display error: boom in a frame');
    broken.latest = good;
    await h.keys('1');
    expect(h.text()[23]).not.toContain('display error');
    expect(lineWith(h, ' WID')).toBeGreaterThan(0);
    await h.keys('q');
    expect(await h.dash.done).toBe(0);
  });
});

describe('a terminal that is gone', () => {
  it('still ends (exit event, done resolved, monitors let go) when restoring the terminal throws (setRawMode EIO)', async () => {
    const m = new FakeMonitor('127.0.0.1:9191');
    m.push(sample('instance-idle.json'), 0);
    const h = await start([m], { cols: 80, rows: 24 });
    // What a vanished pty does: the raw-mode restore fails synchronously.
    h.tty.input.setRawMode = () => {
      throw Object.assign(new Error('setRawMode EIO'), { code: 'EIO' });
    };
    let exited: number | null = null;
    h.dash.emitter.once('exit', (code: number) => (exited = code));
    h.dash.finish(129);
    expect(exited).toBe(129);
    expect(await h.dash.done).toBe(129);
    expect(m.subscribers).toBe(0);
  });
});

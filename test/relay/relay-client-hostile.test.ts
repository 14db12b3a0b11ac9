/**
 * A relay that sends malformed messages (a fake: a real relay never builds them): the client drops each one,
 * says so once in one line (a log line and an event on the target), keeps the last good data, and both the
 * monitors and `--json --watch` go on working.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { connectRelay } from '../../src/relay/client.js';
import { runCli } from '../support/cli-helpers.js';
import { asMonitor, realHello, polled, realUpdate, scriptedRelay } from '../support/relay-fixtures.js';
import { startHeadless } from '../support/views-support.js';
import { waitFor as waitUntil } from '../support/uwsgi.js';

const NAME = 'instance-busy.json';
const TARGET = `relay-test/${NAME}`;

/** The real hello of one sample target, with a null target put in front of it. */
function helloWithNull(): string {
  const hello = JSON.parse(realHello([asMonitor(polled(NAME))], false, []));
  hello.targets.unshift(null);
  return JSON.stringify(hello);
}

/** The real update of the sample with seq `seq`, or with its workers replaced by a string. */
function update(seq: number, broken: boolean): string {
  const { json } = realUpdate(NAME);
  json.seq = seq;
  if (broken) (json.snapshot as { doc: { workers: unknown } }).doc.workers = 'x';
  return JSON.stringify(json);
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function relay(frames: string[]): Promise<string> {
  const r = await scriptedRelay((ws) => {
    for (const frame of frames) ws.send(frame);
  });
  closers.push(r.close);
  return r.url;
}

describe('a relay sending malformed messages', () => {
  it('a delta that skips a revision is reported and the client connects again for a fresh hello', async () => {
    let connections = 0;
    const hello = realHello([asMonitor(polled(NAME))], false, []);
    const skipped = JSON.stringify({ v: 2, type: 'delta', target: TARGET, rev: 5, ops: [[['seq'], 99]], events: [], points: {}, at: 0 });
    const good = JSON.stringify({ v: 2, type: 'delta', target: TARGET, rev: 1, ops: [[['seq'], 42]], events: [], points: {}, at: 0 });
    const r = await scriptedRelay((ws) => {
      connections++;
      ws.send(hello);
      ws.send(connections === 1 ? skipped : good);
    });
    closers.push(r.close);
    const lines: string[] = [];
    const monitors = await connectRelay(r.url, { log: (l) => lines.push(l), maxBackoffMs: 200 });
    try {
      await waitUntil(() => monitors[0]!.latest()?.seq === 42, 'the delta of the second connection applied');
      expect(connections).toBe(2);
      expect(lines.some((l) => l.includes('dropped an invalid delta') && l.includes('revision 5 does not follow 0'))).toBe(true);
    } finally {
      for (const m of monitors) m.stop();
    }
  });

  it('a hello with a null target: the valid target is served, the null one reported once', async () => {
    const lines: string[] = [];
    const url = await relay([helloWithNull()]);
    const monitors = await connectRelay(url, { log: (l) => lines.push(l), reconnect: false });
    try {
      expect(monitors.map((m) => m.target)).toEqual([TARGET]);
      expect(monitors[0]!.latest()?.snapshot?.kind).toBe('instance');
      expect(lines).toEqual([`relay ${url}/ws: dropped an invalid hello target from the relay: targets[0]: Invalid input: expected object, received null`]);
      const warned = monitors[0]!.events().filter((e) => e.type === 'relay-message-dropped');
      expect(warned.map((e) => [e.severity, e.message])).toEqual([['warn', 'dropped an invalid hello target from the relay: targets[0]: Invalid input: expected object, received null']]);
    } finally {
      for (const m of monitors) m.stop();
    }
  });

  it('updates with workers "x" are dropped and said once; the last good data stays until a good update', async () => {
    const lines: string[] = [];
    const url = await relay([helloWithNull(), update(7, true), update(8, true), update(9, false)]);
    const monitors = await connectRelay(url, { log: (l) => lines.push(l), reconnect: false });
    const m = monitors[0]!;
    const seqAtHello = m.latest()!.seq;
    try {
      await new Promise<void>((resolve) => {
        const off = m.subscribe((u) => {
          if (u.seq === 9) {
            off();
            resolve();
          }
        });
      });
      const snapshot = m.latest()!.snapshot;
      expect(snapshot?.kind === 'instance' && Array.isArray(snapshot.doc.workers)).toBe(true);
      expect(lines.filter((l) => l.includes('invalid update'))).toEqual([
        `relay ${url}/ws: dropped an invalid update for ${TARGET} from the relay: snapshot.doc.workers: Invalid input: expected array, received string`,
      ]);
      expect(m.events().filter((e) => e.type === 'relay-message-dropped')).toHaveLength(2);
      // The updates dropped never became the latest: it went from the hello's straight to seq 9.
      expect(seqAtHello).not.toBe(7);
    } finally {
      for (const mon of monitors) mon.stop();
    }
  });

  it('a hello whose targets are not a list refuses the relay with one line', async () => {
    const url = await relay([JSON.stringify({ v: 2, type: 'hello', server: 'x', historySize: 600, control: false, commands: [], targets: 'x' })]);
    const error = await connectRelay(url, { reconnect: false, connectTimeoutMs: 3000 }).then(
      () => null,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe(`relay ${url}/ws: its hello is not valid (targets: Invalid input: expected array, received string)`);
  });

  it('--json --watch keeps streaming the good data and says what it dropped on stderr, one line each', async () => {
    const url = await relay([helloWithNull(), update(7, true), update(8, true)]);
    const result = await runCli(['--json', '--watch', '--count', '2', '--interval', '0.2', url]);
    expect(result.stderr).not.toMatch(/TypeError|at .*\.js:\d+/);
    const warnings = result.stderr.split('\n').filter((l) => l.includes('dropped an invalid'));
    expect(warnings).toEqual([
      `uwsgitop-ts: warning: relay ${url}/ws: dropped an invalid hello target from the relay: targets[0]: Invalid input: expected object, received null`,
      `uwsgitop-ts: warning: relay ${url}/ws: dropped an invalid update for ${TARGET} from the relay: snapshot.doc.workers: Invalid input: expected array, received string`,
    ]);
    const records = result.stdout.trim().split('\n').map((l) => JSON.parse(l) as { target: string; kind?: string });
    expect(records.map((r) => r.target)).toEqual([TARGET, TARGET]);
    expect(result.code).toBe(0);
  });
});

describe('the dashboard on a relay sending malformed messages', () => {
  it('shows the relay target, says in one line what was dropped, and still quits on q', async () => {
    const url = await relay([helloWithNull(), update(7, true)]);
    const logged: string[] = [];
    const monitors = await connectRelay(url, { reconnect: false, log: (l) => logged.push(l) });
    const h = await startHeadless(monitors, { cols: 120, rows: 40 });
    try {
      await waitUntil(() => logged.some((l) => l.includes('invalid update')) || null, 'the dropped update');
      await h.nextFrame();
      const lines = h.text();
      expect(lines[0]).toContain(TARGET);
      expect(lines.filter((l) => l.includes('dropped an invalid update for'))).toHaveLength(1);
      expect(lines.filter((l) => l.includes('dropped an invalid hello target'))).toHaveLength(1);
      await h.keys('q');
      expect(await h.dash.done).toBe(0);
    } finally {
      if (!h.dash.finished) await h.close();
      for (const m of monitors) m.stop();
    }
  });
});

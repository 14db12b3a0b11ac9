/**
 * A relay that sends malformed snapshots (`doc: {}`, `workers: 'x'`) next to a good target: `--json --watch`
 * through it never dies with a stack trace; every line it prints is JSON and the good target keeps its records.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { buildDist, spawnCli } from '../support/cli-helpers.js';
import { bigInstanceSnapshot } from '../support/web-fixtures.js';

// A hand-written relay: the bytes of a broken one, which the real relay never sends.
let server: WebSocketServer;
let port = 0;
let timer: NodeJS.Timeout;

const TARGETS = ['good:9191', 'empty:9191', 'wrong:9191'];

/** The update a broken relay sends for `target` at poll `seq`: a good snapshot, or one whose document is broken. */
function update(target: string, seq: number): Record<string, unknown> {
  const snapshot: Record<string, unknown> = { ...bigInstanceSnapshot(2, target, seq) };
  if (target === 'empty:9191') snapshot.doc = {};
  if (target === 'wrong:9191') snapshot.doc = { workers: 'x', sockets: 7 };
  return { v: 2, type: 'update', target, rev: seq, seq, state: { state: 'live' }, snapshot, derived: null, events: [], error: null, points: {}, at: 0 };
}

beforeAll(async () => {
  buildDist();
  server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((ok) => server.once('listening', () => ok()));
  port = (server.address() as { port: number }).port;
  let seq = 1;
  server.on('connection', (ws) => {
    const targets = TARGETS.map((target) => {
      const { v: _v, type: _t, points: _p, rev, at: _at, ...latest } = update(target, seq);
      return { target, intervalMs: 150, rev, latest, history: {}, events: [] };
    });
    ws.send(JSON.stringify({ v: 2, type: 'hello', server: 'uwsgitop-ts', historySize: 600, control: false, commands: [], targets }));
  });
  timer = setInterval(() => {
    seq++;
    for (const ws of server.clients) for (const t of TARGETS) ws.send(JSON.stringify(update(t, seq)));
  }, 150);
}, 120_000);

afterAll(async () => {
  clearInterval(timer);
  for (const ws of server.clients) ws.terminate();
  await new Promise<void>((ok) => server.close(() => ok()));
});

describe('--json --watch through a relay sending malformed snapshots', () => {
  it('prints only JSON lines, no stack trace, and keeps the good target', async () => {
    const r = await spawnCli([`ws://127.0.0.1:${port}`, '--json', '--watch', '--count', '3', '--interval', '0.2'], 30_000);
    expect(r.stderr).not.toMatch(/TypeError|\n\s+at /);
    expect(r.signal).toBeNull();
    const records = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const good = records.filter((x) => x.target === 'good:9191');
    expect(good).toHaveLength(3);
    expect(good.every((x) => x.ok === true && x.workers.length === 2)).toBe(true);
    // The broken targets report failures (or nothing at all once the relay's messages are validated), never a crash.
    for (const x of records.filter((y) => y.target !== 'good:9191')) expect(x.ok).toBe(false);
  }, 40_000);
});

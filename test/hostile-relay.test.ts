/**
 * A relay that sends malformed snapshots (`doc: {}`, `workers: 'x'`) next to a good target: `--json --watch`
 * through it never dies with a stack trace; every line it prints is JSON and the good target keeps its records.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '../src/stats/snapshot.js';
import { startRelay, type Relay } from '../src/web/server.js';
import { buildDist, spawnCli } from './cli-helpers.js';
import { FakeMonitor, bigInstanceSnapshot } from './web-fixtures.js';

let relay: Relay;
let timer: NodeJS.Timeout;

beforeAll(async () => {
  buildDist();
  const good = new FakeMonitor('good:9191');
  const empty = new FakeMonitor('empty:9191');
  const wrong = new FakeMonitor('wrong:9191');
  const malformed = (target: string, doc: unknown): Snapshot =>
    ({ ...bigInstanceSnapshot(1, target), doc } as unknown as Snapshot);
  const tick = (): void => {
    good.emit(bigInstanceSnapshot(2, 'good:9191', good.seq), 1);
    empty.emit(malformed('empty:9191', {}));
    wrong.emit(malformed('wrong:9191', { workers: 'x', sockets: 7 }));
  };
  tick();
  relay = await startRelay([good, empty, wrong], { port: 0 });
  timer = setInterval(tick, 150);
}, 120_000);

afterAll(async () => {
  clearInterval(timer);
  await relay?.close();
});

describe('--json --watch through a relay sending malformed snapshots', () => {
  it('prints only JSON lines, no stack trace, and keeps the good target', async () => {
    const r = await spawnCli([`ws://127.0.0.1:${relay.port}`, '--json', '--watch', '--count', '3', '--interval', '0.2'], 30_000);
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

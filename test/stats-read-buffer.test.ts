/**
 * A StatsClient reads socket replies into one buffer it keeps between reads: each snapshot must still be its
 * own document, whether the next reply is larger (the buffer grows), smaller (old bytes must not leak into
 * it) or read at the same time from another server by the same client (a buffer of its own).
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { SAMPLES } from './support/samples.js';
import { parseAddress } from '../src/stats/address.js';
import { StatsClient } from '../src/stats/client.js';
import type { Snapshot } from '../src/stats/snapshot.js';
import { startAdversary, type Adversary } from './support/adversary.js';

const SAMPLE = JSON.parse(readFileSync(`${SAMPLES}/instance-idle.json`, 'utf8')) as { pid: number; workers: Array<{ id: number; pid: number }> };

/** The sample with `n` workers (ids and pids renumbered) and master pid `pid`. */
function documentWith(n: number, pid: number): string {
  const workers = Array.from({ length: n }, (_, i) => ({ ...SAMPLE.workers[i % SAMPLE.workers.length]!, id: i + 1, pid: pid + 1 + i }));
  return JSON.stringify({ ...SAMPLE, pid, workers });
}

const servers: Adversary[] = [];
async function serving(body: string): Promise<string> {
  const server = await startAdversary({ kind: 'document', body });
  servers.push(server);
  return server.address;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function workersOf(snapshot: Snapshot): { pid: number; workers: number[] } {
  if (snapshot.kind !== 'instance') throw new Error(`expected an instance, got ${snapshot.kind}`);
  return { pid: snapshot.doc.pid, workers: snapshot.doc.workers.map((w) => w.pid) };
}

const expected = (n: number, pid: number): { pid: number; workers: number[] } => ({ pid, workers: Array.from({ length: n }, (_, i) => pid + 1 + i) });

describe('one client, one kept read buffer', () => {
  it('a large reply, then a small one, then a large one again: each snapshot is its own document', async () => {
    const big = documentWith(600, 50_000);
    const small = documentWith(2, 70_000);
    expect(big.length).toBeGreaterThan(256 * 1024);
    const bigAt = parseAddress(await serving(big));
    const smallAt = parseAddress(await serving(small));
    const client = new StatsClient();
    const first = await client.readSnapshot(bigAt);
    expect(workersOf(first)).toEqual(expected(600, 50_000));
    expect(first.bytes).toBe(Buffer.byteLength(big));
    const second = await client.readSnapshot(smallAt);
    expect(workersOf(second)).toEqual(expected(2, 70_000));
    expect(second.bytes).toBe(Buffer.byteLength(small));
    // The first snapshot was not changed by the second read into the same buffer.
    expect(workersOf(first)).toEqual(expected(600, 50_000));
    expect(workersOf(await client.readSnapshot(bigAt))).toEqual(expected(600, 50_000));
  });

  it('two reads at once on one client (two targets) each get their own document', async () => {
    const a = parseAddress(await serving(documentWith(300, 10_000)));
    const b = parseAddress(await serving(documentWith(5, 20_000)));
    const client = new StatsClient();
    const [ra, rb] = await Promise.all([client.readSnapshot(a), client.readSnapshot(b)]);
    expect(workersOf(ra)).toEqual(expected(300, 10_000));
    expect(workersOf(rb)).toEqual(expected(5, 20_000));
  });
});

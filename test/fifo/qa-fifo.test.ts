/**
 * QA regressions of the fifo command found on a real uWSGI 2.0.21: a '-' written when no worker runs is
 * counted by uWSGI and swallows the next '+'; `fifo --ini FILE COMMAND` (no FIFO path) must work.
 */
import { runCli } from '../support/cli-helpers.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SAMPLES } from '../support/samples.js';
import { parseCommandWords } from '../../src/fifo/commands.js';
import { planCommands } from '../../src/fifo/plan.js';
import { decodeSnapshot } from '../../src/stats/document.js';
import type { InstanceDocument } from '../../src/stats/snapshot.js';
import { cleanupAll, rawStats, startUwsgi, tempDir, waitFor } from '../support/uwsgi.js';

afterAll(cleanupAll);

/** `uwsgitop-ts fifo ARGS...` through the command line's entry point, with in-memory streams. */
async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const r = await runCli(['fifo', ...args], { env: {} });
  return { code: r.code, out: r.stdout, err: r.stderr };
}

/** A sample instance with only the first `running` workers running, the others cheap (pid 0), as in cheaper mode. */
function cheaperDoc(running: number): { doc: InstanceDocument; slots: number } {
  const raw = JSON.parse(readFileSync(`${SAMPLES}/instance-idle.json`, 'utf8'));
  raw.workers.forEach((w: { id: number; pid: number; status: string }, i: number) => {
    if (i >= running) Object.assign(w, { id: 0, pid: 0, status: 'cheap' });
  });
  const snap = decodeSnapshot(Buffer.from(JSON.stringify(raw)), { target: 't', readAtMs: 0, monotonicMs: 0, durationMs: 0 });
  if (snap.kind !== 'instance') throw new Error('not an instance');
  return { doc: snap.doc, slots: raw.workers.length };
}

async function runningCount(proc: Parameters<typeof rawStats>[0]): Promise<number> {
  const doc = await rawStats(proc);
  return doc.workers.filter((w: { pid: number; status: string }) => w.pid > 0 && w.status !== 'cheap').length;
}

describe('fifo add-worker / remove-worker plan', () => {
  it('never writes a - beyond the workers that run, and says so', () => {
    const { doc } = cheaperDoc(2);
    const plan = planCommands(parseCommandWords(['remove-worker', 'remove-worker', 'remove-worker']), doc);
    expect(plan.bytes).toBe('--');
    expect(plan.expect.runningWorkers).toBe(0);
    expect(plan.notes.join(' ')).toContain('no worker left to remove');
    expect(plan.notes.join(' ')).toContain('no worker will run');
  });

  it('counts the + that cannot be added from the free slots, not from the whole request', () => {
    const { doc, slots } = cheaperDoc(1);
    const plan = planCommands(parseCommandWords(Array(slots + 1).fill('add-worker')), doc);
    expect(plan.bytes).toBe('+'.repeat(slots - 1));
    expect(plan.expect.runningWorkers).toBe(slots);
    expect(plan.notes.join(' ')).toContain('cannot add 2 more');
  });

  it('a - then a + in one command line still plans both', () => {
    const { doc } = cheaperDoc(1);
    const plan = planCommands(parseCommandWords(['remove-worker', 'add-worker']), doc);
    expect(plan.bytes).toBe('-+');
    expect(plan.expect.runningWorkers).toBe(1);
  });
});

describe('fifo on a real uWSGI in cheaper mode (--cheaper-algo manual)', () => {
  it('removing more workers than run, then adding one, brings one back', async () => {
    const proc = await startUwsgi({ fifos: ['m.fifo'], workers: 2, args: ['--cheaper', '1', '--cheaper-algo', 'manual'] });
    const fifo = proc.fifos[0]!;
    const start = await runningCount(proc);
    const words = Array(start + 1).fill('remove-worker');
    const down = await cli([fifo, ...words, '--stats', proc.statsAddress, '--wait', '--timeout', '10']);
    expect(down.code, down.err).toBe(0);
    expect(await runningCount(proc)).toBe(0);
    const up = await cli([fifo, 'add-worker', '--stats', proc.statsAddress, '--wait', '--timeout', '10']);
    expect(up.code, up.err).toBe(0);
    await waitFor(async () => (await runningCount(proc)) === 1, 'one worker running again', 5000);
  }, 60_000);
});

describe('fifo --ini without a FIFO path', () => {
  it('takes the FIFO and the stats address from the ini, and follows the slot the master reads', async () => {
    const proc = await startUwsgi({ fifos: ['s0.fifo', 's1.fifo'], workers: 2 });
    const ini = join(tempDir('uwsgitop-qa-ini-'), 'app.ini');
    writeFileSync(ini, `[uwsgi]\nstats = ${proc.statsBind}\nmaster-fifo = ${proc.fifos[0]}\nmaster-fifo = ${proc.fifos[1]}\n`);
    const pidsOf = async (): Promise<number[]> => (await rawStats(proc)).workers.map((w: { pid: number }) => w.pid);
    const before = await pidsOf();
    const reload = await cli(['--ini', ini, 'reload-workers', '--wait', '--timeout', '20']);
    expect(reload.code, reload.err).toBe(0);
    expect(reload.out).toContain(proc.fifos[0]!);
    for (const pid of await pidsOf()) expect(before).not.toContain(pid);
    // Select slot 1: the next command without a FIFO path must reach the master at slot 1's path.
    expect((await cli(['--ini', ini, 'slot-1', '--wait'])).code).toBe(0);
    const middle = await pidsOf();
    const again = await cli(['--ini', ini, 'reload-workers', '--wait', '--timeout', '20']);
    expect(again.code, again.err).toBe(0);
    expect(again.out).toContain(proc.fifos[1]!);
    for (const pid of await pidsOf()) expect(middle).not.toContain(pid);
  }, 60_000);

  it('usage errors name what is missing', async () => {
    const bare = await cli(['chain-reload']);
    expect(bare.code).toBe(2);
    expect(bare.err).toContain('missing FIFO path');
    const dir = tempDir('uwsgitop-qa-ini-');
    const ini = join(dir, 'app.ini');
    writeFileSync(ini, '[uwsgi]\nstats = 127.0.0.1:9\nmaster-fifo = /nonexistent/x.fifo\n');
    const noCommand = await cli(['--ini', ini]);
    expect(noCommand.code).toBe(2);
    expect(noCommand.err).toContain('missing COMMAND');
    const noFifo = join(dir, 'nofifo.ini');
    writeFileSync(noFifo, '[uwsgi]\nstats = 127.0.0.1:9\n');
    const none = await cli(['--ini', noFifo, 'reload']);
    expect(none.code).toBe(2);
    expect(none.err).toContain('declares no master-fifo');
  });
});

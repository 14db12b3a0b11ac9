/**
 * Instances sharing master FIFO paths (a zerg-dance layout): a command for one instance must reach that
 * instance, whichever of the shared paths it reads now, and never another instance.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { createTargetControl } from '../../src/fifo/control.js';
import { fifosHeldBy } from '../../src/fifo/owner.js';
import { cleanupAll, rawStats, startUwsgi, tempDir, waitFor } from '../support/uwsgi.js';

afterAll(cleanupAll);

async function statuses(proc: Parameters<typeof rawStats>[0]): Promise<string[]> {
  return (await rawStats(proc)).workers.map((w: { status: string }) => w.status);
}

describe('commands reach the instance they are meant for', () => {
  it('writes to the shared path the target master reads, not to the first one given', async () => {
    const dir = tempDir();
    const first = join(dir, 'new.fifo');
    const second = join(dir, 'running.fifo');
    // A reads `first` (its slot 0); B reads `second` (its slot 0) and also declares `first`.
    const a = await startUwsgi({ workers: 1, fifos: [first, second] });
    const b = await startUwsgi({ workers: 1, fifos: [second, first] });
    const control = createTargetControl(first, b.statsAddress, { slotPaths: [first, second], timeoutMs: 10000 });
    const result = await control.run('pause');
    expect(result.ok).toBe(true);
    expect(result.message).toContain(second);
    expect(await statuses(b)).toEqual(['pause']);
    expect(await statuses(a)).toEqual(['idle']);
  }, 60000);

  it('refuses to write when the target master reads none of the paths', async () => {
    const dir = tempDir();
    const path = join(dir, 'only.fifo');
    const a = await startUwsgi({ workers: 1, fifos: [path] });
    const b = await startUwsgi({ workers: 1 });
    const control = createTargetControl(path, b.statsAddress, { timeoutMs: 5000 });
    const result = await control.run('pause');
    expect(result.ok).toBe(false);
    expect(result.message).toContain(`master pid ${b.pid} reads none of`);
    // Nothing reached A: it keeps serving.
    await new Promise((r) => setTimeout(r, 500));
    expect(await statuses(a)).toEqual(['idle']);
    await waitFor(async () => (await statuses(b))[0] === 'idle', 'B unchanged');
  }, 60000);

  it('cannot tell (null) for a pid that is not a uWSGI process here, e.g. a master in another pid namespace', async () => {
    const dir = tempDir();
    const path = join(dir, 'm.fifo');
    const proc = await startUwsgi({ workers: 1, fifos: [path] });
    expect(await fifosHeldBy(proc.pid, [path])).toEqual([path]);
    // This test process holds no FIFO and is no uWSGI: the answer is "unknown", so the path given is trusted.
    expect(await fifosHeldBy(process.pid, [path])).toBeNull();
    expect(await fifosHeldBy(2 ** 22 + 12345, [path])).toBeNull();
  }, 60000);
});

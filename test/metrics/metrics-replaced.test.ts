/**
 * "Workers replaced" is one count (src/metrics/replaced.ts): the dashboard's running-command line says what
 * the FIFO verification counts. Midway through a chain reload of a real sample (4 workers): slot 1 runs a new
 * process that accepts, slot 2 a new one still loading (not accepting), slots 3 and 4 the old ones.
 */
import { describe, expect, it } from 'vitest';
import { copy, inst, sample } from '../support/metrics-fixtures.js';
import { workersReplaced } from '../../src/metrics/replaced.js';
import { runningText, startRunning } from '../../src/views/dashboard/model/progress.js';

describe('workers replaced', () => {
  const before = sample('instance-busy.json');
  const midway = copy(before);
  midway.workers[0].pid = 90001;
  midway.workers[1].pid = 90002;
  midway.workers[1].accepting = 0;

  it('counts a new process only once it accepts', () => {
    const old = new Set<number>(before.workers.map((w: { pid: number }) => w.pid));
    const { replaced, total, old: still } = workersReplaced(old, inst(midway, 1000).doc.workers);
    expect([replaced, total]).toEqual([1, 4]);
    expect(still.map((w) => w.slot)).toEqual([3, 4]);
  });

  it("the dashboard's progress line says the same", () => {
    const cmd = startRunning('chain-reload', inst(before, 0), 0);
    expect(runningText(cmd, inst(midway, 1000), 12_000)).toBe('chain-reload 12s: 1 of 4 workers replaced');
  });
});

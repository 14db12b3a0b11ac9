/**
 * One reader per target: a command written from the dashboard (or the relay) is verified through the target's
 * own poller, so its reads are the monitor's reads (one in flight, the target's --timeout and --max-bytes),
 * never a second client of the stats server.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { createMonitor } from '../../src/monitor/monitor.js';
import { createTargetControl } from '../../src/fifo/control.js';
import { buildTargets, parseTargets } from '../../src/cli/targets.js';
import type { Snapshot } from '../../src/stats/snapshot.js';
import { cleanupAll } from '../support/uwsgi.js';
import { deploy, startApp } from '../support/deploys.js';

/** The target as the command line builds it, its fetch wrapped to count reads and the most in flight at once. */
function countedTarget(address: string, maxBytes: number) {
  const [target] = buildTargets(parseTargets([address]), Readable.from([]), { timeoutMs: 3000, maxBytes, showSecrets: false });
  let inFlight = 0;
  const seen = { reads: 0, maxInFlight: 0 };
  const fetch = async (signal: AbortSignal): Promise<Snapshot> => {
    seen.reads++;
    seen.maxInFlight = Math.max(seen.maxInFlight, ++inFlight);
    try {
      return await target!.fetch(signal);
    } finally {
      inFlight--;
    }
  };
  return { fetch, seen };
}

describe('verification reads through the target\'s own poller', () => {
  afterAll(cleanupAll);

  it('a chain reload verified through the monitor: every read is the monitor\'s, never two in flight', async () => {
    const proc = await startApp();
    const { fetch, seen } = countedTarget(proc.statsAddress, 64 * 1024 * 1024);
    const monitor = createMonitor(proc.statsAddress, fetch, { intervalMs: 1000 });
    try {
      let asked = 0;
      const control = createTargetControl(proc.fifos[0]!, proc.statsAddress, { reader: (_a, ms) => (asked++, monitor.readNow(ms + 5000)) });
      deploy(proc, 'good');
      const readsBefore = seen.reads;
      const outcome = await control.run('chain-reload');
      expect(outcome.ok, outcome.message).toBe(true);
      // Every document the verification looked at came from a read of the monitor's fetch, never two at once.
      expect(asked).toBeGreaterThan(1);
      expect(seen.reads - readsBefore).toBeGreaterThanOrEqual(asked);
      expect(seen.maxInFlight).toBe(1);
    } finally {
      monitor.stop();
    }
  }, 60_000);

  it("the target's --max-bytes applies to the verification's reads", async () => {
    const proc = await startApp();
    const { fetch } = countedTarget(proc.statsAddress, 100);
    const monitor = createMonitor(proc.statsAddress, fetch, { intervalMs: 1000 });
    try {
      const control = createTargetControl(proc.fifos[0]!, proc.statsAddress, { reader: (_a, ms) => monitor.readNow(ms + 5000) });
      const outcome = await control.run('chain-reload');
      expect(outcome.ok).toBe(false);
      expect(outcome.written).toBe('');
      expect(outcome.message).toMatch(/cannot read the stats .* nothing was written: .*(larger|too large|max-bytes|exceeds)/i);
    } finally {
      monitor.stop();
    }
  }, 60_000);
});

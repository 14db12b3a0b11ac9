/**
 * A frame that cannot be built (a malformed document pushed by a relay) never takes the keyboard with it:
 * the status line says what failed, and `q` and Ctrl-C still quit, whatever else was typed first.
 */
import { describe, expect, it } from 'vitest';
import type { TargetUpdate } from '../../src/monitor/types.js';
import { FakeMonitor, KEY, headlessPerTest } from '../support/views-support.js';

const start = headlessPerTest();

/** A monitor whose latest update carries the snapshot a broken relay sent: `{kind: 'instance', doc: {}}`. */
function brokenMonitor(doc: unknown): FakeMonitor {
  const m = new FakeMonitor('ws://relay/app');
  const broken = { target: m.target, seq: 1, state: { state: 'live' }, snapshot: { kind: 'instance', target: m.target, readAtMs: 0, durationMs: 1, bytes: 2, warnings: [], repairs: [], doc }, derived: null, events: [], error: null };
  m.latest = () => broken as unknown as TargetUpdate;
  return m;
}

describe('a model that throws', () => {
  for (const [what, doc] of [['an empty document', {}], ["workers: 'x'", { workers: 'x' }]] as const) {
    it(`shows the error and still quits on q after other keys (${what})`, async () => {
      const h = await start([brokenMonitor(doc)], { cols: 80, rows: 24 });
      expect(h.screenText()).toContain('display error');
      // A view switch, a target switch and a move first: each makes the next key rebuild the model.
      await h.keys('2');
      await h.keys(']');
      await h.keys(KEY.down);
      expect(h.dash.finished).toBe(false);
      await h.keys('q');
      expect(h.dash.finished).toBe(true);
      expect(await h.dash.done).toBe(0);
    });
  }

  it('quits on Ctrl-C typed in the same read as other keys', async () => {
    const h = await start([brokenMonitor({})], { cols: 80, rows: 24 });
    await h.keys('2');
    await h.keys('3' + KEY.ctrlC);
    expect(h.dash.finished).toBe(true);
    expect(await h.dash.done).toBe(0);
  });
});

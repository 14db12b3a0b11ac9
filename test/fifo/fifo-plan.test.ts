import { getEventListeners } from 'node:events';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FifoError, UsageError } from '../../src/core/errors.js';
import { COMMANDS, findCommand, needsConfirmation, parseCommandWords, parseRawBytes } from '../../src/fifo/commands.js';
import { planCommands } from '../../src/fifo/plan.js';
import { verifyEffect, type StatsReader } from '../../src/fifo/verify.js';
import { decodeSnapshot } from '../../src/stats/document.js';
import type { InstanceDocument, Snapshot } from '../../src/stats/snapshot.js';

import { SAMPLES } from '../support/samples.js';

function sample(name: string): Snapshot {
  return decodeSnapshot(readFileSync(`${SAMPLES}/${name}`), { target: name, readAtMs: 0, monotonicMs: 0, durationMs: 0 });
}

function instance(name: string): InstanceDocument {
  const snap = sample(name);
  if (snap.kind !== 'instance') throw new Error(`${name} is not an instance document`);
  return snap.doc;
}

/** The raw JSON of a sample, to take expected values from the input rather than from the code under test. */
function rawSample(name: string): { pid: number; workers: Array<{ pid: number; status: string }> } {
  return JSON.parse(readFileSync(`${SAMPLES}/${name}`, 'utf8'));
}

describe('FIFO command table', () => {
  it('maps every documented command name to its uWSGI byte', () => {
    const expected: Record<string, string> = {
      'chain-reload': 'c', reload: 'r', 'reload-brutal': 'R', 'reload-workers': 'w', 'reload-workers-brutal': 'W',
      'pause-toggle': 'p', 'add-worker': '+', 'remove-worker': '-', 'go-cheap': 'C', 'emperor-rescan': 'E', refork: 'f',
      'reopen-log': 'l', 'rotate-log': 'L', 'update-pidfiles': 'P', 'log-stats': 's', 'toggle-subscriptions': 'S',
      reinforcements: 'B', shutdown: 'q', 'shutdown-brutal': 'Q',
    };
    for (const [name, byte] of Object.entries(expected)) expect(findCommand(name)?.byte, name).toBe(byte);
    for (let n = 0; n <= 9; n++) {
      expect(findCommand(String(n))?.byte).toBe(String(n));
      expect(findCommand(`slot-${n}`)?.byte).toBe(String(n));
    }
  });

  it('marks exactly R, W, q, Q, f and C as needing confirmation', () => {
    const dangerous = needsConfirmation(COMMANDS).map((c) => c.byte).sort();
    expect(dangerous).toEqual(['C', 'Q', 'R', 'W', 'f', 'q'].sort());
  });

  it('refuses unknown words and bytes instead of sending them', () => {
    expect(() => parseCommandWords(['reloda'])).toThrow(UsageError);
    expect(() => parseRawBytes('r\n')).toThrow(UsageError);
    expect(parseRawBytes('2p').map((c) => c.name)).toEqual(['slot-2', 'pause-toggle']);
  });
});

describe('planning a write from what the stats show', () => {
  it('writes several commands in one write, in order', () => {
    const plan = planCommands(parseCommandWords(['slot-2', 'pause-toggle']), null);
    expect(plan.bytes).toBe('2p');
    expect(plan.expect.slot).toBe(2);
  });

  it('pause writes p on a running instance and nothing on a paused one', () => {
    const idle = instance('instance-idle.json');
    const paused = instance('instance-paused.json');
    expect(rawSample('instance-paused.json').workers.some((w) => w.status === 'pause')).toBe(true);
    expect(planCommands(parseCommandWords(['pause']), idle).bytes).toBe('p');
    const noop = planCommands(parseCommandWords(['pause']), paused);
    expect(noop.bytes).toBe('');
    expect(noop.notes.join(' ')).toContain('already paused');
    expect(planCommands(parseCommandWords(['resume']), paused).bytes).toBe('p');
    expect(planCommands(parseCommandWords(['resume']), idle).bytes).toBe('');
  });

  it('pause and resume refuse to guess without stats', () => {
    expect(() => planCommands(parseCommandWords(['pause']), null)).toThrow(FifoError);
  });

  it('expects one more running worker after add-worker, from the number running before', () => {
    const idle = instance('instance-idle.json');
    const runningBefore = rawSample('instance-idle.json').workers.filter((w) => w.pid > 0 && w.status !== 'cheap').length;
    const plan = planCommands(parseCommandWords(['remove-worker']), idle);
    expect(plan.bytes).toBe('-');
    expect(plan.expect.runningWorkers).toBe(runningBefore - 1);
    const full = planCommands(parseCommandWords(['add-worker']), idle);
    // Every slot already runs: uWSGI cannot add one, and the plan says so.
    expect(full.notes.join(' ')).toContain('cannot add');
  });
});

describe('verifying an effect against documents', () => {
  it('keeps waiting while a reload progresses, longer than the limit in all, and stops when it stalls', async () => {
    const before = instance('instance-idle.json');
    const base = sample('instance-idle.json');
    if (base.kind !== 'instance') throw new Error('instance sample expected');
    // Each read one more worker is replaced; the whole run (one step per 100 ms poll) outlasts the 150 ms limit.
    const steps: Snapshot[] = before.workers.map((_, k) => ({
      ...base,
      doc: { ...base.doc, workers: base.doc.workers.map((w, i) => (i <= k ? { ...w, pid: w.pid + 10000 } : w)) },
    }));
    expect(steps.length * 100).toBeGreaterThan(150 * 2);
    let n = 0;
    const progressing: StatsReader = async () => steps[Math.min(n++, steps.length - 1)]!;
    const plan = planCommands(parseCommandWords(['reload-workers']), before);
    const ok = await verifyEffect('fake:1', '/nonexistent.fifo', plan.expect, before, { reader: progressing, timeoutMs: 150, pollMs: 100 });
    expect(ok.ok).toBe(true);
    // The same run stuck after its second step fails, saying it made no progress.
    let m = 0;
    const stalled: StatsReader = async () => steps[Math.min(m++, 1)]!;
    const stuck = await verifyEffect('fake:1', '/nonexistent.fifo', plan.expect, before, { reader: stalled, timeoutMs: 150, pollMs: 100 });
    expect(stuck.ok).toBe(false);
    expect(stuck.message).toContain('no progress within');
  });

  it('a long wait under one long-lived signal (the dashboard\'s) leaves no listener on it and no Node warning', async () => {
    const idle = sample('instance-idle.json');
    const before = instance('instance-idle.json');
    const plan = planCommands(parseCommandWords(['reload-workers']), before);
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    const quitting = new AbortController();
    try {
      // Reads that never show the effect for a second: a sleep between each two, all under the same signal.
      let reads = 0;
      const reader: StatsReader = async () => (reads++, idle);
      const result = await verifyEffect('fake:1', '/nonexistent.fifo', plan.expect, before, { reader, timeoutMs: 1000, pollMs: 10, signal: quitting.signal });
      expect(result.ok).toBe(false);
      expect(reads).toBeGreaterThan(11);
      await new Promise((r) => setImmediate(r));
      expect(getEventListeners(quitting.signal, 'abort')).toHaveLength(0);
      expect(warnings.filter((w) => w.includes('MaxListenersExceeded'))).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('times out with what was last seen when the workers keep their pids', async () => {
    const idle = sample('instance-idle.json');
    const reader: StatsReader = async () => idle;
    const before = instance('instance-idle.json');
    const plan = planCommands(parseCommandWords(['reload-workers']), before);
    const result = await verifyEffect('fake:1', '/nonexistent.fifo', plan.expect, before, { reader, timeoutMs: 400, pollMs: 100 });
    expect(result.ok).toBe(false);
    const firstPid = rawSample('instance-idle.json').workers[0]?.pid as number;
    expect(result.message).toContain('still the old process');
    expect(result.message).toContain(String(firstPid));
  });

  it('sees a pause when every worker shows pause or is finishing a request', async () => {
    const paused = sample('instance-paused.json');
    const before = instance('instance-idle.json');
    const plan = planCommands(parseCommandWords(['pause']), before);
    const result = await verifyEffect('fake:1', '/nonexistent.fifo', plan.expect, before, { reader: async () => paused, timeoutMs: 2000, pollMs: 100 });
    expect(result.ok).toBe(true);
    const busy = rawSample('instance-paused.json').workers.filter((w) => w.status === 'busy').length;
    expect(result.message).toContain(`${busy} busy finishing a request`);
  });

  it('says the effect is not verified without a stats address', async () => {
    const plan = planCommands(parseCommandWords(['reload-workers']), null);
    const result = await verifyEffect(null, '/nonexistent.fifo', plan.expect, null, {});
    expect(result.ok).toBe(true);
    expect(result.message).toBe('effect not verified (no stats address)');
  });
});

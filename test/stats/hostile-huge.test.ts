/**
 * The 100,000-worker document (about 48 MB, a third of the workers busy): --once reports every worker
 * without a stack overflow, the dashboard shows 5- and 6-digit worker ids whole, and the relay bounds what it
 * sends and exports per update (saying what it left out) while its other target keeps being updated.
 * Sizes are asserted (they are what a client pays); times and RSS are printed by scripts/bench-huge.mjs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMonitor, type ControllableMonitor } from '../../src/monitor/monitor.js';
import { parseAddress } from '../../src/stats/address.js';
import { readSnapshot } from '../../src/stats/client.js';
import { startRelay, type Relay } from '../../src/web/server.js';
import { runCli } from '../support/cli-helpers.js';
import { startAdversary, type Adversary } from '../support/adversary.js';
import { hugeInstanceBody } from '../support/huge.js';
import { sampleBytes } from '../support/samples.js';
import { waitFor } from '../support/uwsgi.js';
import { FakeMonitor, KEY, headlessPerTest, lineWith } from '../support/views-support.js';
import { recordingClient } from '../support/web-fixtures.js';

const WORKERS = 100_000;
let body: string;
let huge: Adversary;
let small: Adversary;

beforeAll(async () => {
  body = hugeInstanceBody(WORKERS);
  huge = await startAdversary({ kind: 'document', body });
  small = await startAdversary({ kind: 'document', body: sampleBytes('instance-idle.json') });
}, 60_000);

afterAll(async () => {
  await huge?.close();
  await small?.close();
});

describe('a 100,000-worker document', () => {
  it('--once lists every worker, the last one by its 6-digit id', async () => {
    const r = await runCli([huge.address, '--once', '--interval', '0.2', '--timeout', '30']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Workers (${WORKERS})`);
    // WID, %, PID, REQ of the last worker.
    // WID, %, PID: the 6-digit id and its pid whole (REQ is then counted in k, as in the dashboard and the page).
    expect(r.stdout).toMatch(new RegExp(`\\n\\s*${WORKERS}\\s+\\S+\\s+${100_000 + WORKERS - 1}\\s+700k\\s`));
  }, 120_000);

  it('--json has every worker', async () => {
    const r = await runCli([huge.address, '--json', '--timeout', '30']);
    expect(r.code).toBe(0);
    const rec = JSON.parse(r.stdout);
    expect(rec.workers).toHaveLength(WORKERS);
    expect(rec.summary.busy).toBe(Math.ceil(WORKERS / 3));
  }, 120_000);

  const start = headlessPerTest();
  it('the dashboard shows 5- and 6-digit worker ids whole', async () => {
    const m = new FakeMonitor('huge');
    m.pushRaw(body, 0);
    const h = await start([m], { cols: 120, rows: 40 });
    await h.keys(KEY.end);
    const last = h.text()[lineWith(h, ` ${100_000 + WORKERS - 1} `)]!;
    expect(last.trim().split(/\s+/)[0]).toBe(String(WORKERS));
    await h.keys(KEY.up.repeat(3));
    expect(h.screenText()).toContain(` ${WORKERS - 3} `);
    expect(h.screenText()).not.toContain('999…');
  }, 120_000);
});

describe('the relay with a 100,000-worker target and a small one', () => {
  let monitors: ControllableMonitor[] = [];
  let relay: Relay;
  const logs: string[] = [];

  beforeAll(async () => {
    monitors = [huge, small].map((a) => {
      const address = parseAddress(a.address);
      return createMonitor(a.address, (signal) => readSnapshot(address, { timeoutMs: 30_000, signal }), { intervalMs: 1000 });
    });
    relay = await startRelay(monitors, { port: 0, log: (l) => logs.push(l) });
    await waitFor(() => monitors.every((m) => m.latest()?.state.state === 'live'), 'both targets read', 60_000);
  }, 90_000);

  afterAll(async () => {
    await relay?.close();
    for (const m of monitors) m.stop();
  });

  it('/metrics counts every worker but lists the first 2000, and says how many it left out', async () => {
    const text = await (await fetch(`${relay.url}metrics`)).text();
    expect(text.length).toBeLessThan(10 * 1024 * 1024);
    const target = `target="${huge.address}"`;
    expect(text).toMatch(new RegExp(`uwsgi_workers\\{${target}[^}]*\\} ${WORKERS}\\n`));
    expect(text).toMatch(new RegExp(`uwsgitop_relay_omitted_workers\\{${target}[^}]*\\} ${WORKERS - 2000}\\n`));
    expect(text).toContain('worker_id="2000"');
    expect(text).not.toContain('worker_id="2001"');
    expect(logs.some((l) => l.includes(`has ${WORKERS} workers`) && l.includes('first 2000'))).toBe(true);
  });

  it('the feed sends 2000 workers per update with a warning saying so, and the small target keeps coming', async () => {
    const client = await recordingClient(`ws://127.0.0.1:${relay.port}/ws`);
    try {
      const hello = client.messages[0] ?? (await client.waitFor((m) => m.type === 'hello'));
      expect(client.raw[0]!.length).toBeLessThan(4 * 1024 * 1024);
      const latest = hello.targets[0].latest;
      expect(latest.snapshot.doc.workers).toHaveLength(2000);
      expect(latest.derived.instance.running).toBe(WORKERS);
      expect(latest.snapshot.warnings.some((w: string) => w.includes(`${WORKERS - 2000} of ${WORKERS} workers not sent`))).toBe(true);
      // A poll of the big target after the hello (a whole update or a delta of one), bounded like the hello.
      await client.waitFor((m) => (m.type === 'update' || m.type === 'delta') && m.target === huge.address, 30_000);
      // Three polls of the small target after the hello: it is not starved by the big one's decoding.
      const smallPolls = (): number => client.messages.filter((m) => (m.type === 'update' || m.type === 'delta') && m.target === small.address).length;
      await waitFor(() => smallPolls() >= 3, 'small-target updates', 30_000);
      for (const frame of client.raw) expect(frame.length).toBeLessThan(4 * 1024 * 1024);
    } finally {
      client.close();
    }
  }, 60_000);

  it('/api/snapshot is bounded the same way', async () => {
    const text = await (await fetch(`${relay.url}api/snapshot`)).text();
    expect(text.length).toBeLessThan(4 * 1024 * 1024);
    expect(JSON.parse(text).targets[0].snapshot.doc.workers).toHaveLength(2000);
  });
});

/**
 * The relay page's sections beyond the workers, in headless Chromium, against real uWSGI: the sockets with
 * their listen queue, uWSGI's own metrics, a legion (two real nodes), and spoolers, crons and daemons.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import { createMonitor, type ControllableMonitor } from '../../src/monitor/monitor.js';
import { parseAddress } from '../../src/stats/address.js';
import { readSnapshot } from '../../src/stats/client.js';
import { startRelay, type Relay } from '../../src/web/server.js';
import { cleanupAll, rawStats, startUwsgi, tempDir, waitFor, type UwsgiProcess } from '../support/uwsgi.js';
import { startLegion } from '../support/topologies.js';

let tasks: UwsgiProcess;
let legion: UwsgiProcess[];
let monitors: ControllableMonitor[];
let relay: Relay;
let browser: Browser;
let page: Page;
const problems: string[] = [];
const spoolDir = join(tempDir(), 'spool');
mkdirSync(spoolDir);

function watch(proc: UwsgiProcess): ControllableMonitor {
  const address = parseAddress(proc.statsAddress);
  return createMonitor(proc.statsAddress, (signal) => readSnapshot(address, { timeoutMs: 3000, signal }), { intervalMs: 300 });
}

/** The text of each row of one panel (`cls`) of the target section `index`. */
async function panelRows(p: Page, index: number, cls: string): Promise<string[]> {
  return p.$$eval(
    'section.target',
    (sections, [i, c]) => [...(sections[i as number]!.querySelectorAll(`details.panel.${c as string} tbody tr`) ?? [])].map((tr) => tr.textContent ?? ''),
    [index, cls] as const,
  );
}

beforeAll(async () => {
  [tasks, legion] = await Promise.all([
    startUwsgi({
      workers: 2,
      args: ['--enable-metrics', '--spooler', spoolDir, '--cron', '-1 -1 -1 -1 -1 true', '--attach-daemon', 'sleep 600'],
    }),
    startLegion([100, 50]),
  ]);
  // The member node (valor 50) is the one that lists the lord among its members.
  monitors = [watch(tasks), watch(legion[1]!)];
  relay = await startRelay(monitors, { port: 0 });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(relay.url);
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await relay?.close();
  for (const m of monitors ?? []) m.stop();
  await cleanupAll();
});

describe('the page shows what the terminal shows beyond the workers', () => {
  it('lists the sockets with their listen queue, as uWSGI reports them', async () => {
    const raw = await rawStats(tasks);
    const socket = raw.sockets[0] as { name: string; max_queue: number };
    const rows = await waitFor(async () => {
      const r = await panelRows(page, 0, 'sockets');
      return r.some((t) => t.includes(socket.name)) ? r : null;
    }, 'the socket row');
    expect(rows.find((t) => t.includes(socket.name))).toContain(String(socket.max_queue));
  });

  it("lists uWSGI's own metrics (--enable-metrics) by name", async () => {
    const raw = await rawStats(tasks);
    const names = Object.keys(raw.metrics as Record<string, unknown>);
    expect(names.length).toBeGreaterThan(10);
    const rows = await waitFor(async () => {
      const r = await panelRows(page, 0, 'metrics');
      return r.length >= names.length ? r : null;
    }, 'a row per metric');
    for (const name of ['core.busy_workers', 'worker.1.requests']) {
      expect(names).toContain(name);
      expect(rows.some((t) => t.includes(name))).toBe(true);
    }
  });

  it('lists the spooler, the cron and the daemon', async () => {
    const rows = await waitFor(async () => {
      const r = await panelRows(page, 0, 'tasks');
      return r.length >= 3 ? r : null;
    }, 'three task rows');
    expect(rows.some((t) => t.includes(spoolDir))).toBe(true);
    expect(rows.some((t) => t.includes('sleep 600'))).toBe(true);
    expect(rows.some((t) => /\btrue\b/.test(t))).toBe(true);
  });

  it('lists the legion member the other node knows: the lord, with its valor', async () => {
    const lord = (await rawStats(legion[0]!)).legions[0] as { uuid: string; valor: number };
    const rows = await waitFor(async () => {
      const r = await panelRows(page, 1, 'legions');
      return r.some((t) => t.includes(lord.uuid)) ? r : null;
    }, 'the lord in the member list');
    expect(rows.find((t) => t.includes(lord.uuid))).toContain(String(lord.valor));
    expect(problems).toEqual([]);
  });
});

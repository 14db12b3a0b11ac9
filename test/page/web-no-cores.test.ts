/**
 * A uWSGI started with --stats-no-cores does not say what is in flight: the relay's page must show the count
 * as unknown ('-'), never "null" or 0, and /metrics must not export a 0 for it while a request is being served.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type net from 'node:net';
import { type Browser } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import { createMonitor, type ControllableMonitor } from '../../src/monitor/monitor.js';
import { parseAddress } from '../../src/stats/address.js';
import { readSnapshot } from '../../src/stats/client.js';
import { startRelay, type Relay } from '../../src/web/server.js';
import { cleanupAll, rawHttpRequest, rawStats, startUwsgi, waitFor, type UwsgiProcess } from '../support/uwsgi.js';
import { parsePrometheus } from '../support/web-fixtures.js';

let uw: UwsgiProcess;
let monitor: ControllableMonitor;
let relay: Relay;
let browser: Browser;
let slow: net.Socket | null = null;

beforeAll(async () => {
  uw = await startUwsgi({ workers: 2, args: ['--stats-no-cores'] });
  const address = parseAddress(uw.statsAddress);
  monitor = createMonitor(uw.statsAddress, (signal) => readSnapshot(address, { timeoutMs: 3000, signal }), { intervalMs: 200 });
  relay = await startRelay([monitor], { port: 0 });
  browser = await launchChromium();
  // One request kept in flight: the worker is busy, and the count of what is in flight is still unknown.
  slow = rawHttpRequest(uw.httpPort!, Buffer.from('GET /slow?s=20 HTTP/1.0\r\nHost: t\r\n\r\n'));
  await waitFor(async () => (await rawStats(uw)).workers.some((w: { status: string }) => w.status === 'busy'), 'a busy worker');
  await waitFor(() => {
    const snap = monitor.latest()?.snapshot;
    return snap?.kind === 'instance' && snap.doc.workers.some((w) => w.status === 'busy');
  }, 'the monitor to see the busy worker');
}, 60000);

afterAll(async () => {
  slow?.destroy();
  await browser?.close();
  await relay?.close();
  monitor?.stop();
  await cleanupAll();
});

describe('an instance with --stats-no-cores', () => {
  it('really has no cores in its document (the premise of these tests)', async () => {
    const raw = await rawStats(uw);
    expect(raw.workers.every((w: Record<string, unknown>) => !('cores' in w))).toBe(true);
  });

  it('the page shows in-flight as "-" (unknown), not "null" or 0, and says why the request list is empty', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    try {
      await page.goto(relay.url);
      const card = async (label: string): Promise<string | null> =>
        page.$$eval('section.target .card', (cards, l) => {
          const c = cards.find((x) => x.querySelector('.card-label')?.textContent === l && !(x as HTMLElement).hidden);
          return c?.querySelector('.card-value')?.textContent ?? null;
        }, label);
      // The busy card proves the page has rendered this document before we read the in-flight card.
      await waitFor(async () => (await card('busy / running'))?.startsWith('1 /'), 'the busy worker on the page');
      expect(await card('in flight')).toBe('-');
      // The reason fits on one line, as every other card's note does (a wrapped one made the row taller).
      const noteHeights = await page.$$eval('section.target .card:not([hidden]) .card-sub', (subs) => [...new Set(subs.filter((s) => s.textContent !== '').map((s) => s.getBoundingClientRect().height))]);
      expect(noteHeights).toHaveLength(1);
      expect(await page.textContent('section.target details.requests .count')).toBe('-');
      expect(await page.textContent('section.target details.requests')).toMatch(/--stats-no-cores/);
      await page.screenshot({ path: '/tmp/uwsgitop-relay-page-no-cores.png' });
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 30000);

  it('/metrics exports no in-flight count (rather than a wrong 0) and no core count, but the busy worker', async () => {
    const res = await fetch(`http://127.0.0.1:${relay.port}/metrics`);
    const fam = parsePrometheus(await res.text());
    const mine = (name: string): number[] => (fam.get(name)?.samples ?? []).filter((s) => s.labels.target === uw.statsAddress).map((s) => s.value);
    expect(mine('uwsgi_workers_busy')).toEqual([1]);
    expect(mine('uwsgi_requests_in_flight')).toEqual([]);
    expect(mine('uwsgi_worker_cores')).toEqual([]);
  });
});

describe('memory uWSGI did not measure', () => {
  it('shows RSS and VSZ as "-" on the page when uWSGI runs without --memory-report (it reports 0)', async () => {
    expect((await rawStats(uw)).workers.every((w: { rss: number }) => w.rss === 0)).toBe(true);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      await page.goto(relay.url);
      const column = async (label: string): Promise<string[]> =>
        page.$$eval('section.target details.workers table', (tables, l) => {
          const table = tables[0];
          const index = [...(table?.querySelectorAll('thead th') ?? [])].findIndex((th) => th.textContent?.replace(/[▲▼]/g, '').trim() === l);
          return [...(table?.querySelectorAll('tbody tr') ?? [])].map((tr) => tr.querySelectorAll('td')[index]?.textContent ?? '');
        }, label);
      await waitFor(async () => (await column('RSS')).length === 2, 'two worker rows');
      expect(await column('RSS')).toEqual(['-', '-']);
      expect(await column('VSZ')).toEqual(['-', '-']);
    } finally {
      await page.close();
    }
  }, 30000);
});

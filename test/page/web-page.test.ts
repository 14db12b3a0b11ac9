/**
 * The relay's page in headless Chromium against a real uWSGI: workers shown and updated with traffic, a hostile
 * request URI shown as text (never as HTML), sortable headers, in-place row updates with hundreds of workers,
 * and no CSP violation. Leaves a screenshot in /tmp for a human look.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import { createMonitor, type ControllableMonitor } from '../../src/monitor/monitor.js';
import type { Snapshot } from '../../src/stats/snapshot.js';
import { parseAddress } from '../../src/stats/address.js';
import { readSnapshot } from '../../src/stats/client.js';
import { startRelay, type Relay } from '../../src/web/server.js';
import { cleanupAll, httpRequests, rawHttpRequest, rawStats, startUwsgi, waitFor, type UwsgiProcess } from '../support/uwsgi.js';
import { FakeMonitor, bigInstanceSnapshot } from '../support/web-fixtures.js';

export const SCREENSHOT = '/tmp/uwsgitop-relay-page.png';

let uw: UwsgiProcess;
let monitor: ControllableMonitor;
let relay: Relay;
let browser: Browser;
let page: Page;
const problems: string[] = [];
let dialogs = 0;

/** The text of every cell of the first workers table, row by row. */
async function workerRows(p: Page, section = 0): Promise<string[][]> {
  return p.$$eval(
    'section.target',
    (sections, i) => {
      const table = sections[i as number]!.querySelector('details.workers table');
      return [...(table?.querySelectorAll('tbody tr') ?? [])].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? ''));
    },
    section,
  );
}

async function headerIndex(p: Page, label: string): Promise<number> {
  return p.$$eval('section.target details.workers table thead th', (ths, l) => ths.findIndex((th) => th.textContent === l), label);
}

beforeAll(async () => {
  uw = await startUwsgi({ workers: 4, args: ['--memory-report', '--cache2', 'name=pagecache,items=100'] });
  const address = parseAddress(uw.statsAddress);
  monitor = createMonitor(uw.statsAddress, (signal) => readSnapshot(address, { timeoutMs: 3000, signal }), { intervalMs: 300 });
  relay = await startRelay([monitor], { port: 0 });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('dialog', (d) => {
    dialogs++;
    void d.dismiss();
  });
}, 60000);

afterAll(async () => {
  await browser?.close();
  await relay?.close();
  monitor?.stop();
  await cleanupAll();
});

describe('relay page in Chromium', () => {
  it('shows every worker uWSGI reports and follows the traffic', async () => {
    await page.goto(relay.url);
    const raw = await rawStats(uw);
    await waitFor(async () => (await workerRows(page)).length === 4, 'four worker rows');
    const pidCol = await headerIndex(page, 'PID');
    const shown = (await workerRows(page)).map((r) => Number(r[pidCol]));
    expect(shown.sort()).toEqual(raw.workers.map((w: { pid: number }) => w.pid).sort());
    await httpRequests(uw.httpPort!, '/', 25, 4);
    const after = await rawStats(uw);
    const total = after.workers.reduce((n: number, w: { requests: number }) => n + w.requests, 0);
    expect(total).toBeGreaterThanOrEqual(25);
    const reqCol = await headerIndex(page, 'REQ');
    await waitFor(async () => (await workerRows(page)).reduce((n, r) => n + Number(r[reqCol]), 0) === total, `page to show ${total} requests`);
    expect(await page.textContent('#conn')).toBe('live');
  }, 30000);

  it('shows a hostile request URI and Host as text, with control bytes made visible', async () => {
    const uri = '/slow?s=10&x=<img/src=x/onerror=alert(1)><script>alert(2)</script>\x1b[31mRED\x07';
    rawHttpRequest(uw.httpPort!, Buffer.from(`GET ${uri} HTTP/1.0\r\nHost: evil<b>bold</b>\r\n\r\n`, 'latin1'));
    await waitFor(async () => (await page.textContent('main'))?.includes('<img/src=x/onerror=alert(1)>'), 'the hostile URI on the page');
    const cellText = await page.$$eval('details.requests td.flex', (tds) => tds.map((td) => td.textContent ?? ''));
    expect(cellText.some((t) => t.includes('<script>alert(2)</script>\\x1b[31mRED\\x07'))).toBe(true);
    expect(await page.textContent('main')).toContain('evil<b>bold</b>');
    // Nothing from the document became markup, and nothing ran.
    expect(await page.$$eval('main img, main script, main b', (els) => els.length)).toBe(0);
    expect(dialogs).toBe(0);
    await page.click('details.requests td.flex');
    await waitFor(async () => (await page.textContent('details.requests .detail'))?.includes('REQUEST_URI'), 'request variables panel');
    expect(await page.$$eval('.detail img, .detail script', (els) => els.length)).toBe(0);
  }, 30000);

  it('sorts the workers table by the header clicked', async () => {
    const pidCol = await headerIndex(page, 'PID');
    await page.click('section.target details.workers table thead th:nth-child(' + (pidCol + 1) + ')');
    const pidsAsc = (await workerRows(page)).map((r) => Number(r[pidCol]));
    expect(pidsAsc).toEqual([...pidsAsc].sort((a, b) => a - b));
    await page.click('section.target details.workers table thead th:nth-child(' + (pidCol + 1) + ')');
    const pidsDesc = (await workerRows(page)).map((r) => Number(r[pidCol]));
    expect(pidsDesc).toEqual([...pidsDesc].sort((a, b) => b - a));
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(problems).toEqual([]);
  }, 30000);

  it('renders 300 workers and updates their rows in place', async () => {
    const fake = new FakeMonitor('big:9191');
    fake.emit(bigInstanceSnapshot(300, 'big:9191', 0), 10);
    const bigRelay = await startRelay([fake], { port: 0 });
    const p = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    try {
      await p.goto(bigRelay.url);
      await waitFor(async () => (await workerRows(p)).length === 300, '300 worker rows');
      // Tag the row elements, push a new poll, and check the same elements now show the new counters.
      await p.$$eval('section.target details.workers table tbody tr', (trs) => trs.forEach((tr, i) => tr.setAttribute('data-mark', String(i))));
      const reqCol = await headerIndex(p, 'REQ');
      const snap = bigInstanceSnapshot(300, 'big:9191', 1);
      fake.emit(snap, 12);
      const expected = snap.kind === 'instance' ? snap.doc.workers[299]!.requests : -1;
      await waitFor(async () => (await workerRows(p)).some((r) => Number(r[reqCol]) === expected), 'updated counters');
      expect(await p.$$eval('section.target details.workers table tbody tr[data-mark]', (trs) => trs.length)).toBe(300);
      await p.screenshot({ path: '/tmp/uwsgitop-relay-page-300.png' });
    } finally {
      await p.close();
      await bigRelay.close();
    }
  }, 30000);

  it('draws the four charts of a 300-worker page with about one layout per update (sizes read before drawing)', async () => {
    const mon = new FakeMonitor('big:9191');
    mon.emitVarying(bigInstanceSnapshot(300, 'big:9191', 0), 1);
    const bigRelay = await startRelay([mon], { port: 0 });
    const p = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    try {
      const cdp = await p.context().newCDPSession(p);
      await cdp.send('Performance.enable');
      const layouts = async (): Promise<number> => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'LayoutCount')!.value;
      await p.goto(bigRelay.url);
      await waitFor(async () => (await workerRows(p)).length === 300, '300 worker rows');
      const chartValue = (i: number): Promise<string> => p.$$eval('section.target .chart-value', (vs, n) => vs[n as number]!.textContent ?? '', i);
      const before = await layouts();
      const polls = 12;
      for (let i = 1; i <= polls; i++) {
        mon.emitVarying(bigInstanceSnapshot(300, 'big:9191', i), 100 * i + 1);
        // Each poll is drawn before the next: the Busy workers chart (series index 2) shows base + 2.
        await waitFor(async () => (await chartValue(2)) === String(100 * i + 3), `poll ${i} drawn`, 10000, 20);
      }
      const perPoll = ((await layouts()) - before) / polls;
      await p.screenshot({ path: '/tmp/uwsgitop-relay-page-300-charts.png' });
      // Reading each canvas's size between drawing the others forced a layout per chart (4+ per update).
      expect(perPoll).toBeLessThan(2);
    } finally {
      await p.close();
      await bigRelay.close();
    }
  }, 60000);
});

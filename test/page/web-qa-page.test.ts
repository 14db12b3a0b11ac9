/**
 * QA of the relay page in headless Chromium, as an operator uses it: the page must say when the relay is gone
 * (it kept calling every target "live" with frozen numbers) and come back by itself when the relay restarts on
 * the same port; a target that goes down is marked and its old data dimmed; on a phone the target bar must not
 * eat the screen (a sticky, wrapping bar of a dozen targets covered most of it); an Emperor gets no empty charts.
 * One target is a real uWSGI, stopped and restarted at the same stats address; the others are sample documents.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import { createMonitor, type ControllableMonitor } from '../../src/monitor/monitor.js';
import { parseAddress } from '../../src/stats/address.js';
import { readSnapshot } from '../../src/stats/client.js';
import { startRelay, type Relay } from '../../src/web/server.js';
import { cleanupAll, startUwsgi, waitFor, type UwsgiProcess } from '../support/uwsgi.js';
import { emperor, sample } from '../support/metrics-fixtures.js';
import { FakeMonitor, bigInstanceSnapshot } from '../support/web-fixtures.js';

let uw: UwsgiProcess;
let monitor: ControllableMonitor;
let browser: Browser;
const relays: Relay[] = [];
const pages: Page[] = [];
const problems: string[] = [];

async function openPage(url: string, width: number, height: number): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height } });
  pages.push(page);
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => {
    // Refused reconnection attempts while the relay is down are expected; anything else is a problem.
    if (m.type() === 'error' && !m.text().includes('ERR_CONNECTION_REFUSED')) problems.push(m.text());
  });
  await page.goto(url);
  return page;
}

/** The badge text of each target section, in page order. */
function badges(page: Page): Promise<string[]> {
  return page.$$eval('section.target .badge', (bs) => bs.map((b) => b.textContent ?? ''));
}

beforeAll(async () => {
  uw = await startUwsgi({ workers: 2 });
  const address = parseAddress(uw.statsAddress);
  monitor = createMonitor(uw.statsAddress, (signal) => readSnapshot(address, { timeoutMs: 2000, signal }), { intervalMs: 250 });
  browser = await launchChromium();
}, 60000);

afterAll(async () => {
  for (const p of pages) await p.close().catch(() => undefined);
  await browser?.close();
  for (const r of relays) await r.close().catch(() => undefined);
  monitor?.stop();
  await cleanupAll();
});

describe('relay page for an operator', () => {
  it('says the relay is gone instead of "live", and reconnects when it is back on the same port', async () => {
    const first = await startRelay([monitor], { port: 0 });
    relays.push(first);
    const port = first.port;
    const page = await openPage(first.url, 1280, 800);
    await waitFor(async () => (await badges(page)).join() === 'live', 'the target shown live');
    await first.close();
    await waitFor(async () => (await badges(page)).every((b) => b !== 'live') && (await page.textContent('#conn'))?.startsWith('disconnected'), 'the page to notice the relay is gone');
    expect(await page.$$eval('section.target.old-data', (s) => s.length)).toBe(1);
    const second = await startRelay([monitor], { port });
    relays.push(second);
    await waitFor(async () => (await badges(page)).join() === 'live' && (await page.textContent('#conn')) === 'live', 'the page to reconnect', 20000, 200);
    expect(await page.$$eval('section.target.old-data', (s) => s.length)).toBe(0);
    expect(problems).toEqual([]);
  }, 60000);

  it('marks a stopped instance down with its old data dimmed, and live again once restarted', async () => {
    const relay = await startRelay([monitor], { port: 0 });
    relays.push(relay);
    const page = await openPage(relay.url, 1280, 800);
    await waitFor(async () => (await badges(page)).join() === 'live', 'the target shown live');
    const statsAt = uw.statsBind;
    await uw.stop();
    await waitFor(async () => (await badges(page)).join() === 'down', 'the target shown down', 15000, 200);
    expect(await page.$$eval('section.target.old-data', (s) => s.length)).toBe(1);
    expect(await page.textContent('section.target .error-line')).toContain(statsAt);
    uw = await startUwsgi({ workers: 2, statsAt });
    // The monitor retries with back-off; ask for a read now rather than wait for it.
    monitor.refresh();
    await waitFor(async () => (await badges(page)).join() === 'live', 'the target live again', 40000, 250);
    expect(await page.$$eval('section.target.old-data', (s) => s.length)).toBe(0);
    expect(problems).toEqual([]);
  }, 90000);

  it('keeps the target bar to one row on a phone, scrolling away with the page', async () => {
    const fakes = Array.from({ length: 12 }, (_, i) => new FakeMonitor(`app-${i}.example.internal:9191`));
    fakes.forEach((f) => f.emit(bigInstanceSnapshot(4, f.target)));
    const relay = await startRelay(fakes, { port: 0 });
    relays.push(relay);
    const page = await openPage(relay.url, 390, 844);
    await waitFor(async () => (await badges(page)).length === 12, 'twelve targets');
    const bar = await page.$eval('header.top', (h) => h.getBoundingClientRect().height);
    const chipRows = await page.$$eval('#nav .chip', (cs) => new Set(cs.map((c) => Math.round(c.getBoundingClientRect().top))).size);
    expect(chipRows).toBe(1);
    // The first target's name is in the top fifth of the screen, not pushed down by the bar.
    const firstTop = await page.$eval('section.target .target-name', (n) => n.getBoundingClientRect().top);
    expect(firstTop).toBeLessThan(844 / 5);
    expect(bar).toBeLessThan(844 / 5);
    // Scrolled down, the bar no longer covers the content.
    await page.evaluate(() => window.scrollTo(0, 2000));
    const barTopAfter = await page.$eval('header.top', (h) => h.getBoundingClientRect().bottom);
    expect(barTopAfter).toBeLessThanOrEqual(0);
    // Every target is still reachable from the bar (it scrolls sideways).
    expect(await page.$eval('#nav', (n) => n.scrollWidth > n.clientWidth)).toBe(true);
    await page.screenshot({ path: '/tmp/uwsgitop-relay-page-phone.png' });
    expect(problems).toEqual([]);
  }, 60000);

  it('opens with ?token= on a token relay without a single refused request (favicon included)', async () => {
    const token = 'qa-page-token-0123456789abcdef';
    const relay = await startRelay([monitor], { port: 0, token });
    relays.push(relay);
    const refused: string[] = [];
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    pages.push(page);
    page.on('console', (m) => {
      if (m.type() === 'error') refused.push(m.text());
    });
    await page.goto(`${relay.url}?token=${token}`);
    await waitFor(async () => (await badges(page)).join() === 'live' && (await page.textContent('#conn')) === 'live', 'the page live with the token');
    // The browser asks for the icon on its own; give it time to do so.
    await page.waitForTimeout(1000);
    expect(refused).toEqual([]);
  }, 30000);

  it('shows an Emperor with its vassals and no empty charts', async () => {
    const doc = sample('emperor.json');
    const fake = new FakeMonitor('emperor:9191');
    fake.emit(emperor(doc, 0));
    const relay = await startRelay([fake], { port: 0 });
    relays.push(relay);
    const page = await openPage(relay.url, 1280, 800);
    await waitFor(async () => (await page.$$eval('details.vassals tbody tr', (t) => t.length)) === doc.vassals.length, 'vassal rows');
    expect(await page.$$eval('section.target .chart', (cs) => cs.filter((c) => (c as HTMLElement).offsetParent !== null).length)).toBe(0);
    expect(problems).toEqual([]);
  }, 30000);
});

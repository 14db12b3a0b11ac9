/**
 * `serve` over HTTPS/WSS (a self-signed certificate made with openssl) and its page in headless Chromium, against
 * a real uWSGI serving a request that carries a Cookie, an Authorization header and a token in its query:
 * the credentials are in no DOM, /api/snapshot answer or WebSocket frame; a keyboard-only user sorts the
 * workers, opens one and closes it; the live region says when the target goes down and comes back. Leaves
 * light and dark screenshots (desktop and phone) in /tmp for a human look.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import https from 'node:https';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { runServeCli } from '../../src/cli/serve-cli.js';
import { buildDist, spawnShell } from '../support/cli-helpers.js';
import { launchChromium } from '../support/browser.js';
import { cleanupAll, freePort, rawHttpRequest, rawStatsRead, startUwsgi, tempDir, waitFor, type UwsgiProcess } from '../support/uwsgi.js';

const SECRETS = ['SECRET123', 'TOPSECRET456', 'QSECRET789'];

let uw: UwsgiProcess;
let port: number;
let certPath: string;
let stop: AbortController;
let served: Promise<number>;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const frames: string[] = [];
const problems: string[] = [];

function getTls(path: string, headers: Record<string, string> = {}): Promise<{ headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((ok, fail) => {
    https
      .get({ host: '127.0.0.1', port, path, headers, rejectUnauthorized: false, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => ok({ headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', fail);
  });
}

beforeAll(async () => {
  uw = await startUwsgi({ workers: 4, args: ['--memory-report'] });
  rawHttpRequest(
    uw.httpPort!,
    Buffer.from('GET /slow?s=90&token=QSECRET789 HTTP/1.0\r\nHost: app.example\r\nCookie: sessionid=SECRET123\r\nAuthorization: Bearer TOPSECRET456\r\n\r\n'),
  );
  await waitFor(async () => (await rawStatsRead(uw)).includes('SECRET123'), 'the request with credentials in flight');
  const dir = tempDir();
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  certPath = cert;
  port = await freePort();
  stop = new AbortController();
  const out = new PassThrough();
  let printed = '';
  out.on('data', (c: Buffer) => (printed += c.toString('utf8')));
  served = runServeCli([uw.statsAddress, '--listen', `127.0.0.1:${port}`, '--interval', '0.3', '--history', '60s', '--tls-cert', cert, '--tls-key', key], {
    stdout: out,
    stderr: new PassThrough(),
    env: {},
    signal: stop.signal,
  });
  await waitFor(() => printed.includes(`https://127.0.0.1:${port}/`), 'serve to print its https address');
  browser = await launchChromium();
  context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1400, height: 1000 }, colorScheme: 'dark' });
  page = await context.newPage();
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('websocket', (ws) => ws.on('framereceived', (f) => frames.push(typeof f.payload === 'string' ? f.payload : f.payload.toString('utf8'))));
  await page.goto(`https://127.0.0.1:${port}/`);
  await waitFor(async () => (await page.$$('section.target details.workers tbody tr')).length === 4, 'four worker rows');
}, 90_000);

afterAll(async () => {
  await browser?.close();
  stop?.abort();
  await served;
  await cleanupAll();
});

describe('the page over HTTPS, with credentials in flight', () => {
  it('shows the in-flight request with its credentials masked, and no secret anywhere', async () => {
    await waitFor(async () => (await page.$$('section.target details.requests tbody tr')).length === 1, 'the request row');
    await page.focus('section.target details.requests tbody tr');
    await page.keyboard.press('Enter');
    const vars = await page.textContent('section.target details.requests .detail');
    expect(vars).toContain('HTTP_COOKIE');
    expect(vars).toContain('[hidden: 19 chars]');
    await page.keyboard.press('Escape');
    await waitFor(() => frames.length >= 4, 'a hello and some updates');
    const html = await page.content();
    const api = await getTls('/api/snapshot', { 'Accept-Encoding': 'gzip' });
    expect(api.headers['content-encoding']).toBe('gzip');
    const { gunzipSync } = await import('node:zlib');
    const apiText = gunzipSync(api.body).toString('utf8');
    expect(apiText).toContain('[hidden: ');
    for (const s of SECRETS) {
      expect(html).not.toContain(s);
      expect(apiText).not.toContain(s);
      for (const f of frames) expect(f).not.toContain(s);
    }
    // After the hello, polls arrive as deltas.
    expect(frames.some((f) => f.startsWith('{"v":2,"type":"delta"'))).toBe(true);
  });

  it('serves the page modules gzipped', async () => {
    const js = await getTls('/js/page/main.js', { 'Accept-Encoding': 'gzip, deflate' });
    expect(js.headers['content-encoding']).toBe('gzip');
    expect(js.headers['content-type']).toMatch(/^text\/javascript/);
  });

  it("the dashboard's relay client reads it over wss:// when Node trusts the certificate, and says why when not", async () => {
    buildDist();
    const trusted = await spawnShell(`NODE_EXTRA_CA_CERTS=${certPath} node bin/uwsgitop-ts --json wss://127.0.0.1:${port}`);
    expect(trusted.code).toBe(0);
    const record = JSON.parse(trusted.stdout.trim().split('\n')[0]!);
    expect(record).toMatchObject({ target: uw.statsAddress, ok: true, kind: 'instance' });
    expect(JSON.stringify(record)).not.toContain('SECRET123');
    const untrusted = await spawnShell(`node bin/uwsgitop-ts --json wss://127.0.0.1:${port}`);
    expect(untrusted.code).toBe(1);
    expect(untrusted.stderr).toContain('self-signed certificate');
  }, 120_000);

  it('a keyboard-only user sorts by PID, opens a worker and closes it', async () => {
    const pidHeader = 'section.target details.workers th:has(button[aria-label="PID: sort"])';
    expect(await page.getAttribute(pidHeader, 'aria-sort')).toBe('none');
    // Tab from the top of the page to the PID header button.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    let label: string | null = null;
    for (let i = 0; i < 60 && label !== 'PID: sort'; i++) {
      await page.keyboard.press('Tab');
      label = await page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? null);
    }
    expect(label).toBe('PID: sort');
    await page.keyboard.press('Enter');
    await waitFor(async () => (await page.getAttribute(pidHeader, 'aria-sort')) === 'ascending', 'sorted by PID ascending');
    const pidIndex = await page.$$eval('section.target details.workers thead th', (ths) => ths.findIndex((th) => th.textContent === 'PID'));
    const pids = async (): Promise<number[]> =>
      page.$$eval('section.target details.workers tbody tr', (trs, i) => trs.map((tr) => Number(tr.querySelectorAll('td')[i as number]!.textContent)), pidIndex);
    const up = await pids();
    expect(up).toEqual([...up].sort((a, b) => a - b));
    await page.keyboard.press('Enter');
    await waitFor(async () => (await page.getAttribute(pidHeader, 'aria-sort')) === 'descending', 'sorted by PID descending');
    const down = await pids();
    expect(down).toEqual([...up].sort((a, b) => b - a));
    // Tab on to the first worker row and open it.
    let role: string | null = null;
    for (let i = 0; i < 40 && role !== 'TR'; i++) {
      await page.keyboard.press('Tab');
      role = await page.evaluate(() => document.activeElement?.tagName ?? null);
    }
    expect(role).toBe('TR');
    await page.keyboard.press('Enter');
    const detail = 'section.target details.workers .detail';
    await waitFor(async () => page.isVisible(detail), 'the worker details');
    const title = await page.textContent(`${detail} h3`);
    expect(title).toMatch(/^Worker \d+ \(pid \d+\)$/);
    expect(title).toContain(`(pid ${down[0]})`);
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Close');
    await page.keyboard.press('Enter');
    await waitFor(async () => !(await page.isVisible(detail)), 'the details closed');
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('TR');
    expect(problems).toEqual([]);
  }, 60_000);

  it('a chart reads out its points from the keyboard: time and value', async () => {
    const canvas = 'section.target .chart canvas';
    await page.focus(canvas);
    const readout = 'section.target .chart .readout';
    const last = await page.textContent(readout);
    expect(last).toMatch(/^\d\d:\d\d:\d\d {2}\S+$/);
    await page.keyboard.press('Home');
    const first = await page.textContent(readout);
    expect(first).toMatch(/^\d\d:\d\d:\d\d {2}\S+$/);
    // The oldest point is some seconds before the newest (times are the polls' read times; a day wraps).
    const secs = (t: string): number => t.slice(0, 8).split(':').reduce((n, x) => n * 60 + Number(x), 0);
    const span = (secs(last!) - secs(first!) + 86400) % 86400;
    expect(span).toBeGreaterThan(0);
    expect(span).toBeLessThan(600);
    await page.keyboard.press('Tab');
    expect(await page.textContent(readout)).toBe('');
  });

  it('light and dark, desktop and phone: screenshots for a human look', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      for (const [name, viewport] of [['desktop', { width: 1400, height: 1000 }], ['phone', { width: 390, height: 844 }]] as const) {
        const ctx = await browser.newContext({ ignoreHTTPSErrors: true, viewport, colorScheme: scheme, deviceScaleFactor: name === 'phone' ? 2 : 1 });
        const p = await ctx.newPage();
        await p.goto(`https://127.0.0.1:${port}/`);
        await waitFor(async () => (await p.$$('section.target details.workers tbody tr')).length === 4, 'worker rows');
        await p.waitForTimeout(1500);
        const bg = await p.evaluate(() => getComputedStyle(document.body).backgroundColor);
        expect(bg).toBe(scheme === 'light' ? 'rgb(255, 255, 255)' : 'rgb(13, 17, 23)');
        if (name === 'phone') {
          // The workers table is wider than a phone: the hint that it scrolls is shown.
          expect(await p.isVisible('section.target details.workers .scroll-hint')).toBe(true);
        }
        await p.screenshot({ path: `/tmp/uwsgitop-page-${scheme}-${name}.png`, fullPage: name === 'phone' });
        await ctx.close();
      }
    }
  }, 90_000);

  it('the live region says when the target goes down and when it is up again', async () => {
    await uw.stop(3000);
    await waitFor(async () => ((await page.textContent('#announce')) ?? '').includes('is down'), 'the down announcement', 20_000);
    expect(await page.getAttribute('#announce', 'aria-live')).toBe('polite');
    await startUwsgi({ workers: 1, statsAt: uw.statsBind });
    await waitFor(async () => ((await page.textContent('#announce')) ?? '').includes('is up again'), 'the up announcement', 30_000);
  }, 60_000);
});

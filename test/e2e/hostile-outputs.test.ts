/**
 * The hostile catalogue against every output: three documents with a hostile value in every string field
 * (plus the same instance as raw bytes, the way uWSGI really writes them), read by --json, --once, the
 * relay's /metrics, /api/snapshot and WebSocket feed, the page in headless Chromium, and the dashboard in
 * tmux. Each output's bytes must hold no raw control, C1 or bidi character, and still show the value.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import { createMonitor, type ControllableMonitor } from '../../src/monitor/monitor.js';
import { parseAddress } from '../../src/stats/address.js';
import { readSnapshot } from '../../src/stats/client.js';
import { startRelay, type Relay } from '../../src/web/server.js';
import { buildDist, LAUNCHER, runCli } from '../support/cli-helpers.js';
import { startAdversary, type Adversary } from '../support/adversary.js';
import { hostile, hostileEmperor, hostileInstance, hostileRouter, rawUnsafe } from '../support/hostile.js';
import { privateTmux } from '../support/tmux.js';
import { REPO_ROOT, waitFor } from '../support/uwsgi.js';
import { recordingClient } from '../support/web-fixtures.js';

/** JSON as uWSGI writes it: control bytes raw inside strings (only " \ \t \n \r escaped). */
function uwsgiSpelling(doc: unknown): string {
  return JSON.stringify(doc).replace(/\\u00([01][0-9a-f])/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

const servers: Adversary[] = [];
let addrs: { instance: string; raw: string; emperor: string; router: string };
const monitors: ControllableMonitor[] = [];
let relay: Relay;

beforeAll(async () => {
  buildDist();
  const serve = async (body: string): Promise<string> => {
    const a = await startAdversary({ kind: 'document', body });
    servers.push(a);
    return a.address;
  };
  addrs = {
    instance: await serve(JSON.stringify(hostileInstance())),
    raw: await serve(uwsgiSpelling(hostileInstance())),
    emperor: await serve(JSON.stringify(hostileEmperor())),
    router: await serve(JSON.stringify(hostileRouter())),
  };
  for (const addr of Object.values(addrs)) {
    const address = parseAddress(addr);
    monitors.push(createMonitor(addr, (signal) => readSnapshot(address, { timeoutMs: 3000, signal }), { intervalMs: 300 }));
  }
  relay = await startRelay(monitors, { port: 0 });
  await waitFor(() => monitors.every((m) => m.latest()?.state.state === 'live'), 'every hostile target read');
}, 120_000);

afterAll(async () => {
  await relay?.close();
  for (const m of monitors) m.stop();
  for (const s of servers) await s.close();
});

describe('the hostile catalogue through every output', () => {
  it('--json: clean bytes, every hostile value intact once parsed', async () => {
    const r = await runCli([addrs.instance, addrs.raw, addrs.emperor, addrs.router, '--json']);
    expect(rawUnsafe(r.stdout)).toBeNull();
    expect(rawUnsafe(r.stderr)).toBeNull();
    const [inst, raw, emp, router] = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(inst.caches[0].name).toBe(hostile('cache'));
    expect(raw.sockets[0].name).toBe(hostile('socket'));
    expect(emp.vassals[0].id).toBe(hostile('vassal0'));
    expect(router.subscriptions[0].key).toBe(hostile('key'));
  });

  it('--once: clean bytes, the values shown as visible escapes', async () => {
    const r = await runCli([addrs.instance, addrs.raw, addrs.emperor, addrs.router, '--once', '--interval', '0.1']);
    expect(rawUnsafe(r.stdout)).toBeNull();
    expect(rawUnsafe(r.stderr)).toBeNull();
    expect(r.stdout).toContain('\\x1b]0;pwned\\x07');
    expect(r.stdout).toContain('\\u202eevil');
  });

  it('/metrics: clean bytes, one line per sample, the escaped label values', async () => {
    const text = await (await fetch(`${relay.url}metrics`)).text();
    expect(rawUnsafe(text)).toBeNull();
    // The hostile "\nuwsgi_up 1" never starts a line of its own.
    for (const line of text.split('\n')) if (line !== '') expect(line).toMatch(/^(# (HELP|TYPE) )?(uwsgi(top)?_|process_|nodejs_)/);
    expect(text).toContain('name="cache:\\\\x1b]0;pwned\\\\x07');
    expect(text).toContain('vassal="vassal0:');
    expect(text).toContain('key="key:');
  });

  it('/probe and /sd: clean bytes; a probe answers the one target with the same escaped values', async () => {
    const probe = await (await fetch(`${relay.url}probe?target=${encodeURIComponent(addrs.instance)}`)).text();
    expect(rawUnsafe(probe)).toBeNull();
    for (const line of probe.split('\n')) if (line !== '') expect(line).toMatch(/^(# (HELP|TYPE) )?uwsgi(top_relay)?_/);
    expect(probe).toContain('name="cache:\\\\x1b]0;pwned\\\\x07');
    const sd = await (await fetch(`${relay.url}sd`)).text();
    expect(rawUnsafe(sd)).toBeNull();
    expect(JSON.parse(sd).map((g: { targets: string[] }) => g.targets[0])).toEqual(Object.values(addrs));
  });

  it('/api/snapshot and the WebSocket feed: clean bytes, values intact once parsed', async () => {
    const body = await (await fetch(`${relay.url}api/snapshot`)).text();
    expect(rawUnsafe(body)).toBeNull();
    expect(JSON.parse(body).targets[0].snapshot.doc.caches[0].name).toBe(hostile('cache'));
    const client = await recordingClient(`ws://127.0.0.1:${relay.port}/ws`);
    try {
      await client.waitFor((m) => m.type === 'delta' || m.type === 'update');
      for (const frame of client.raw) expect(rawUnsafe(frame)).toBeNull();
      expect(client.messages[0].targets[2].latest.snapshot.doc.vassals[0].id).toBe(hostile('vassal0'));
    } finally {
      client.close();
    }
  });

  it('the page in Chromium: clean text, no element or dialog from a value', async () => {
    let browser: Browser | undefined;
    try {
      browser = await launchChromium();
      const page = await browser.newPage({ viewport: { width: 1400, height: 2000 } });
      let dialogs = 0;
      page.on('dialog', (d) => (dialogs++, void d.dismiss()));
      await page.goto(relay.url);
      await page.waitForFunction(() => document.querySelectorAll('section.target').length === 4 && document.body.innerText.includes('vassal0:'));
      // Open every collapsed part so all values are in the rendered text.
      await page.$$eval('details', (ds) => ds.forEach((d) => ((d as HTMLDetailsElement).open = true)));
      // innerText separates table cells with tabs of its own: a tab from a value would be shown as \t.
      const text = (await page.evaluate(() => document.body.innerText)).replace(/\t/g, ' ');
      expect(rawUnsafe(text)).toBeNull();
      expect(text).toContain('\\x1b]0;pwned\\x07');
      expect(text).toContain('key:');
      expect(await page.$$('img')).toHaveLength(0);
      expect(dialogs).toBe(0);
      expect(await page.title()).not.toContain('pwned');
    } finally {
      await browser?.close();
    }
  }, 60_000);
});

describe('the dashboard in tmux', () => {
  const tmux = privateTmux('uwsgitop-hostile');

  it('keeps the pane title and screen, showing each target\'s values escaped', async () => {
    tmux('new-session', '-d', '-s', 'h', '-x', '160', '-y', '50', '-c', REPO_ROOT, `node ${LAUNCHER} ${addrs.instance} ${addrs.raw} ${addrs.emperor} ${addrs.router}`);
    const title0 = tmux('display-message', '-p', '-t', 'h', '#{pane_title}');
    const pane = (): string => tmux('capture-pane', '-p', '-t', 'h');
    for (const [i, marker] of [[0, 'host:'], [1, 'host:'], [2, 'vassal0:'], [3, 'key:']] as const) {
      if (i > 0) tmux('send-keys', '-t', 'h', ']');
      // The instance's hostile values are on the requests view (the in-flight URI).
      if (i < 2) tmux('send-keys', '-t', 'h', '2');
      let last = '';
      const s = await waitFor(() => {
        last = pane();
        return last.includes(marker) ? last : null;
      }, `target ${i} on screen`).catch((err: Error) => {
        throw new Error(`${err.message}\n--- screen ---\n${last}`);
      });
      expect(rawUnsafe(s)).toBeNull();
      expect(s).toContain('\\x1b]0;pwned');
      expect(tmux('display-message', '-p', '-t', 'h', '#{pane_title}')).toBe(title0);
    }
    tmux('send-keys', '-t', 'h', 'q');
  }, 60_000);
});

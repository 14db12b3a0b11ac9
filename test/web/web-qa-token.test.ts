/**
 * QA of tokens as operators make them: `openssl rand -base64 32` gives '+', '/' and '=' (all accepted by
 * --token-file), and an operator pastes the token raw into `?token=` of the page URL or of `ws://HOST:PORT`.
 * '+' in a query string decodes to a space, so such a token was refused with 401 everywhere but the header.
 * The relay is fed by a real uWSGI.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMonitor, type ControllableMonitor } from '../../src/monitor/monitor.js';
import { parseAddress } from '../../src/stats/address.js';
import { readSnapshot } from '../../src/stats/client.js';
import { connectRelay, relayUrl } from '../../src/relay/client.js';
import { validateToken } from '../../src/relay/auth.js';
import { startRelay, type Relay } from '../../src/web/server.js';
import { cleanupAll, startUwsgi, waitFor, type UwsgiProcess } from '../support/uwsgi.js';

// The shape `openssl rand -base64 24` prints.
const TOKEN = validateToken('q+7Zr/1kP+e9xW2m/Ab+Cd3fGh4=');

let uw: UwsgiProcess;
let monitor: ControllableMonitor;
let relay: Relay;

beforeAll(async () => {
  uw = await startUwsgi({ workers: 1 });
  const address = parseAddress(uw.statsAddress);
  monitor = createMonitor(uw.statsAddress, (signal) => readSnapshot(address, { timeoutMs: 2000, signal }), { intervalMs: 250 });
  relay = await startRelay([monitor], { port: 0, token: TOKEN });
  await waitFor(() => monitor.latest()?.state.state === 'live', 'the first poll');
}, 60000);

afterAll(async () => {
  await relay?.close();
  monitor?.stop();
  await cleanupAll();
});

describe('base64 tokens pasted raw into URLs', () => {
  it('opens every route with the token raw or encoded in ?token=, and still refuses a wrong one', async () => {
    const base = `http://127.0.0.1:${relay.port}`;
    for (const path of ['/', '/app.css', '/api/snapshot', '/metrics', '/sd']) {
      expect((await fetch(`${base}${path}?token=${TOKEN}`)).status, `${path} raw`).toBe(200);
      expect((await fetch(`${base}${path}?token=${encodeURIComponent(TOKEN)}`)).status, `${path} encoded`).toBe(200);
      expect((await fetch(`${base}${path}?token=${TOKEN.replace(/\+/g, '-')}`)).status, `${path} wrong`).toBe(401);
      expect((await fetch(`${base}${path}`)).status, `${path} none`).toBe(401);
    }
  });

  it('lets the dashboard reach the relay with ws://HOST:PORT?token=RAW', async () => {
    expect(relayUrl(`ws://127.0.0.1:${relay.port}?token=${TOKEN}`).token).toBe(TOKEN);
    const controller = new AbortController();
    try {
      const remote = await connectRelay(`ws://127.0.0.1:${relay.port}?token=${TOKEN}`, { signal: controller.signal, reconnect: false });
      expect(remote.map((m) => m.target)).toEqual([uw.statsAddress]);
      const latest = remote[0]!.latest();
      expect(latest?.snapshot?.kind).toBe('instance');
      expect(latest?.snapshot?.doc.pid).toBe(uw.pid);
    } finally {
      controller.abort();
    }
  }, 20000);
});

describe('the token never reaches what is printed', () => {
  it('masks ?token= in the target name and error lines, and still connects with it', async () => {
    const { runCli } = await import('../support/cli-helpers.js');
    const wrong = 'WRONG-TOKEN-0123456789abcdef';
    const refused = await runCli(['--once', '-i', '0.2', `ws://127.0.0.1:${relay.port}?token=${wrong}`]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`127.0.0.1:${relay.port}`);
    expect(refused.stderr + refused.stdout).not.toContain(wrong);
    const accepted = await runCli(['--json', `ws://127.0.0.1:${relay.port}?token=${encodeURIComponent(TOKEN)}`]);
    expect(accepted.code).toBe(0);
    expect(accepted.stdout + accepted.stderr).not.toContain(encodeURIComponent(TOKEN));
    expect(JSON.parse(accepted.stdout.trim().split('\n')[0]!).pid).toBe(uw.pid);
  }, 30000);

  it('parseAddress keeps the token for connecting and masks it in the name', () => {
    const address = parseAddress('ws://127.0.0.1:9192/?token=s3cret&x=1');
    expect(address.kind).toBe('relay');
    expect(address.text).not.toContain('s3cret');
    expect(address.text).toContain('token=***');
    if (address.kind === 'relay') expect(address.url).toContain('token=s3cret');
  });
});

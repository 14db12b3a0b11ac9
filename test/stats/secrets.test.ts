/**
 * Credentials of in-flight requests are masked by default: the rule on its own, then a real uWSGI serving a
 * request that carries a Cookie, an Authorization header and a token in its query, read through --json, the
 * text report, the dashboard's variables view (v) and the relay's /api/snapshot and WebSocket feed;
 * --show-secrets brings them back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import WebSocket from 'ws';
import { createMonitor, type ControllableMonitor } from '../../src/monitor/monitor.js';
import { parseAddress } from '../../src/stats/address.js';
import { readSnapshot } from '../../src/stats/client.js';
import { isSecretParameter, maskQuery, maskUri, maskVariable, secretMark } from '../../src/stats/secrets.js';
import { startRelay, type Relay } from '../../src/web/server.js';
import { runCli } from '../support/cli-helpers.js';
import { buildTargets, parseTargets } from '../../src/cli/targets.js';
import { PassThrough } from 'node:stream';
import { KEY, lineWith, rowHighlighted, startHeadless } from '../support/views-support.js';
import { cleanupAll, rawHttpRequest, rawStatsRead, startUwsgi, waitFor, type UwsgiProcess } from '../support/uwsgi.js';

describe('the masking rule', () => {
  it('hides whole credential headers and says how long they were', () => {
    expect(maskVariable('HTTP_COOKIE', 'sessionid=SECRET123')).toBe('[hidden: 19 chars]');
    expect(maskVariable('HTTP_AUTHORIZATION', 'Bearer abc')).toBe('[hidden: 10 chars]');
    expect(maskVariable('HTTP_PROXY_AUTHORIZATION', 'Basic eA==')).toBe('[hidden: 10 chars]');
    expect(maskVariable('HTTP_X_API_KEY', 'k')).toBe('[hidden: 1 char]');
    expect(maskVariable('HTTP_X_CSRFTOKEN', 'zz')).toBe('[hidden: 2 chars]');
    expect(maskVariable('HTTP_USER_AGENT', 'curl/8')).toBe('curl/8');
    expect(maskVariable('REMOTE_ADDR', '127.0.0.1')).toBe('127.0.0.1');
  });

  it('hides secret query parameters and keeps the others', () => {
    expect(maskQuery('a=1&token=xyz&b=2')).toBe('a=1&token=[hidden: 3 chars]&b=2');
    expect(maskQuery('access_token=abcd&X-Amz-Signature=ff&apiKey=q&monkey=banana&author=me')).toBe(
      'access_token=[hidden: 4 chars]&X-Amz-Signature=[hidden: 2 chars]&apiKey=[hidden: 1 char]&monkey=banana&author=me',
    );
    expect(maskUri('/login?user=bob&password=hunter2#top')).toBe('/login?user=bob&password=[hidden: 7 chars]#top');
    expect(maskVariable('HTTP_REFERER', 'https://x.example/cb?code=s3cr3t')).toBe('https://x.example/cb?code=[hidden: 6 chars]');
    expect(isSecretParameter('session%5Fid'.replace('%5F', '_'))).toBe(true);
  });

  it('changes nothing the second time', () => {
    const once = maskQuery('token=abc');
    expect(maskQuery(once)).toBe(once);
    expect(maskVariable('HTTP_COOKIE', secretMark('abc'))).toBe(secretMark('abc'));
  });
});

const COOKIE = 'sessionid=SECRET123';
const AUTH = 'Bearer TOPSECRET456';
const QUERY_TOKEN = 'QSECRET789';
const SECRETS = [/SECRET123/, /TOPSECRET456/, /QSECRET789/];

let uw: UwsgiProcess;
let monitor: ControllableMonitor;
let relay: Relay;

function get(port: number, path: string): Promise<string> {
  return new Promise((ok, fail) => {
    http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => ok(Buffer.concat(chunks).toString('utf8')));
    }).on('error', fail);
  });
}

beforeAll(async () => {
  uw = await startUwsgi({ workers: 2 });
  rawHttpRequest(
    uw.httpPort!,
    Buffer.from(`GET /slow?s=60&token=${QUERY_TOKEN}&page=2 HTTP/1.0\r\nHost: app.example\r\nCookie: ${COOKIE}\r\nAuthorization: ${AUTH}\r\n\r\n`),
  );
  await waitFor(async () => (await rawStatsRead(uw)).includes('SECRET123'), 'the request with credentials in flight');
  const address = parseAddress(uw.statsAddress);
  // Read without masking: the relay masks on its own whatever its monitors hold.
  monitor = createMonitor(uw.statsAddress, (signal) => readSnapshot(address, { timeoutMs: 3000, signal }), { intervalMs: 300 });
  relay = await startRelay([monitor], { port: 0 });
  await waitFor(() => monitor.latest()?.snapshot, 'a first poll');
}, 60_000);

afterAll(async () => {
  await relay?.close();
  monitor?.stop();
  await cleanupAll();
});

describe('a real request carrying credentials', () => {
  it('--json shows the request with its credentials masked', async () => {
    const { code, stdout } = await runCli(['--json', uw.statsAddress]);
    expect(code).toBe(0);
    for (const s of SECRETS) expect(stdout).not.toMatch(s);
    const record = JSON.parse(stdout);
    const request = record.workers.flatMap((w: any) => w.inFlight)[0];
    expect(request.uri).toBe('/slow?s=60&token=[hidden: 10 chars]&page=2');
    const vars = Object.fromEntries(request.vars);
    expect(vars.HTTP_COOKIE).toBe(`[hidden: ${COOKIE.length} chars]`);
    expect(vars.HTTP_AUTHORIZATION).toBe(`[hidden: ${AUTH.length} chars]`);
    expect(vars.HTTP_HOST).toBe('app.example');
  });

  it('--show-secrets shows them as uWSGI sent them', async () => {
    const { code, stdout } = await runCli(['--json', '--show-secrets', uw.statsAddress]);
    expect(code).toBe(0);
    const vars = Object.fromEntries(JSON.parse(stdout).workers.flatMap((w: any) => w.inFlight)[0].vars);
    expect(vars.HTTP_COOKIE).toBe(COOKIE);
    expect(vars.HTTP_AUTHORIZATION).toBe(AUTH);
  });

  it('the text report masks the token in the URI', async () => {
    const { code, stdout } = await runCli(['--once', uw.statsAddress]);
    expect(code).toBe(0);
    expect(stdout).toContain('token=[hidden: 10 chars]');
    for (const s of SECRETS) expect(stdout).not.toMatch(s);
  });

  it('the relay never sends them: /api/snapshot and the WebSocket hello and updates', async () => {
    const api = await get(relay.port, '/api/snapshot');
    expect(api).toContain('[hidden: ');
    for (const s of SECRETS) expect(api).not.toMatch(s);
    const ws = new WebSocket(`ws://127.0.0.1:${relay.port}/ws`);
    const frames: string[] = [];
    ws.on('message', (d: Buffer) => frames.push(d.toString('utf8')));
    try {
      await waitFor(() => frames.length >= 3, 'a hello and two updates');
    } finally {
      ws.close();
    }
    const all = frames.join('\n');
    expect(all).toContain('[hidden: ');
    for (const s of SECRETS) expect(all).not.toMatch(s);
  });

  it.each([
    [false, `HTTP_COOKIE=[hidden: ${COOKIE.length} chars]`, 'SECRET123'],
    [true, `HTTP_COOKIE=${COOKIE}`, '[hidden: '],
  ])("the dashboard's variables view (v), show-secrets %s", async (showSecrets, shown, absent) => {
    // The targets the command line builds for the dashboard, with and without --show-secrets.
    const [target] = buildTargets(parseTargets([uw.statsAddress]), new PassThrough(), { timeoutMs: 3000, maxBytes: 1 << 26, showSecrets });
    const m = createMonitor(target!.name, target!.fetch, { intervalMs: 300 });
    await waitFor(() => m.latest()?.snapshot, 'a poll');
    const h = await startHeadless([m], { cols: 160, rows: 50 });
    try {
      const snap = m.latest()!.snapshot!;
      const busy = snap.kind === 'instance' ? snap.doc.workers.find((w) => w.status === 'busy')! : null;
      while (!rowHighlighted(h, lineWith(h, ` ${busy!.pid} `))) await h.keys(KEY.down);
      await h.keys(KEY.enter, 'v');
      const screen = h.screenText();
      expect(screen).toContain(shown);
      expect(screen).not.toContain(absent);
    } finally {
      await h.close();
      m.stop();
    }
  }, 20_000);
});

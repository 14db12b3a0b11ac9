/**
 * The relay against a real uWSGI: the HTTP routes, /metrics checked against the stats document read
 * independently, one stats read per interval whatever the clients, token/Origin/Host refusals, bounded
 * requests, the ws:// relay client, and a FIFO command through the relay.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import net from 'node:net';
import WebSocket from 'ws';
import { createMonitor, type ControllableMonitor } from '../../src/monitor/monitor.js';
import { parseAddress } from '../../src/stats/address.js';
import { readSnapshot } from '../../src/stats/client.js';
import { connectRelay } from '../../src/relay/client.js';
import { createTargetControl } from '../../src/fifo/control.js';
import { startRelay, type Relay } from '../../src/web/server.js';
import { cleanupAll, httpRequests, rawStats, startUwsgi, statsCounting, totalRequests, waitFor, type UwsgiProcess } from '../support/uwsgi.js';
import { parsePrometheus, promValue, recordingClient } from '../support/web-fixtures.js';

const TOKEN = 'relay-test-token-0123456789abcdef';
const INTERVAL_MS = 250;

let uw: UwsgiProcess;
let monitor: ControllableMonitor;
let reads = 0;
let relay: Relay;
let tokenRelay: Relay;
const logLines: string[] = [];

/** GET with full control over headers (fetch() would not let us forge Host/Origin). */
function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET', body?: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((ok, fail) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, headers: { Host: `127.0.0.1:${port}`, ...headers }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', fail);
    req.end(body);
  });
}

function rawRequest(port: number, bytes: string): Promise<string> {
  return new Promise((ok, fail) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => s.write(bytes));
    const chunks: Buffer[] = [];
    s.on('data', (c) => chunks.push(c));
    s.on('error', fail);
    s.on('close', () => ok(Buffer.concat(chunks).toString('utf8')));
    s.setTimeout(3000, () => s.destroy());
  });
}

beforeAll(async () => {
  uw = await startUwsgi({ workers: 4, fifos: ['master.fifo'], args: ['--memory-report'] });
  const address = parseAddress(uw.statsAddress);
  monitor = createMonitor(
    uw.statsAddress,
    (signal) => {
      reads++;
      return readSnapshot(address, { timeoutMs: 3000, signal });
    },
    { intervalMs: INTERVAL_MS },
  );
  relay = await startRelay([monitor], { port: 0 });
  tokenRelay = await startRelay([monitor], {
    port: 0,
    token: TOKEN,
    allowControl: true,
    controls: new Map([[uw.statsAddress, createTargetControl(uw.fifos[0]!, uw.statsAddress)]]),
    log: (line) => logLines.push(line),
  });
  await waitFor(() => monitor.latest()?.state.state === 'live', 'first live update');
}, 60000);

afterAll(async () => {
  await relay?.close();
  await tokenRelay?.close();
  monitor?.stop();
  await cleanupAll();
});

describe('relay HTTP routes', () => {
  it('serves /healthz and /api/snapshot with the workers uWSGI reports', async () => {
    const raw = await rawStats(uw);
    const health = await get(relay.port, '/healthz');
    expect(health.status).toBe(200);
    expect(health.body).toBe('ok\n');
    const api = JSON.parse((await get(relay.port, '/api/snapshot')).body);
    expect(api.v).toBe(2);
    const pids = api.targets[0].snapshot.doc.workers.map((w: { pid: number }) => w.pid);
    expect(pids).toEqual(raw.workers.map((w: { pid: number }) => w.pid));
  });

  it('/metrics carries uwsgi_exporter names and labels with values equal to the stats document', async () => {
    const before = totalRequests(await rawStats(uw));
    await httpRequests(uw.httpPort!, '/', 12, 3);
    await httpRequests(uw.httpPort!, '/error', 2);
    await statsCounting(uw, before + 14);
    // A worker counts its request a moment before it is idle again: compare a document read once every worker is.
    const raw = await waitFor(async () => {
      const doc = await rawStats(uw);
      return doc.workers.every((w: { status: string }) => w.status === 'idle') ? doc : null;
    }, 'every worker idle after the traffic');
    const rawTotal = raw.workers.reduce((n: number, w: { requests: number }) => n + w.requests, 0);
    // No traffic from here on: wait until the monitor has read the same totals the raw read saw, idle too.
    await waitFor(() => {
      const snap = monitor.latest()?.snapshot;
      return snap?.kind === 'instance' && snap.doc.workers.every((w) => w.status === 'idle') && snap.doc.workers.reduce((n, w) => n + w.requests, 0) === rawTotal;
    }, 'monitor to see the traffic');
    const res = await get(relay.port, '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    const fam = parsePrometheus(res.body);
    const base = { target: uw.statsAddress, stats_uri: uw.statsAddress };
    expect(promValue(fam, 'uwsgi_up', base)).toBe(1);
    expect(promValue(fam, 'uwsgi_workers', base)).toBe(raw.workers.length);
    expect(fam.get('uwsgi_worker_requests_total')!.type).toBe('counter');
    expect(fam.get('uwsgi_worker_busy')!.type).toBe('gauge');
    expect(promValue(fam, 'uwsgi_listen_queue_length', base)).toBe(raw.listen_queue);
    for (const w of raw.workers) {
      const labels = { ...base, worker_id: String(w.id) };
      expect(promValue(fam, 'uwsgi_worker_requests_total', labels)).toBe(w.requests);
      expect(promValue(fam, 'uwsgi_worker_exceptions_total', labels)).toBe(w.exceptions);
      expect(promValue(fam, 'uwsgi_worker_respawn_count_total', labels)).toBe(w.respawn_count);
      expect(promValue(fam, 'uwsgi_worker_last_spawn_time_seconds', labels)).toBe(w.last_spawn);
      expect(promValue(fam, 'uwsgi_worker_average_response_time_seconds', labels)).toBeCloseTo(w.avg_rt / 1e6, 9);
      expect(promValue(fam, 'uwsgi_worker_transmitted_bytes_total', labels)).toBe(w.tx);
      expect(promValue(fam, 'uwsgi_worker_idle', labels)).toBe(w.status === 'idle' ? 1 : 0);
      for (const app of w.apps) {
        const appLabels = { ...labels, app_id: String(app.id), mountpoint: app.mountpoint, chdir: app.chdir };
        expect(promValue(fam, 'uwsgi_worker_app_requests_total', appLabels)).toBe(app.requests);
      }
    }
    const exceptions = raw.workers.reduce((n: number, w: { exceptions: number }) => n + w.exceptions, 0);
    expect(exceptions).toBe(2);
    for (const s of raw.sockets) {
      expect(promValue(fam, 'uwsgi_socket_queue_length', { ...base, name: s.name, proto: s.proto })).toBe(s.queue);
    }
    expect(promValue(fam, 'uwsgi_workers_paused', base)).toBe(0);
  });

  it('refuses other methods, request bodies, odd request targets and paths outside the route table', async () => {
    expect((await get(relay.port, '/', {}, 'POST', 'x=1')).status).toBe(405);
    expect((await get(relay.port, '/healthz', { 'Content-Length': '5' }, 'GET', 'hello')).status).toBe(413);
    expect((await get(relay.port, '/../../etc/passwd')).status).toBe(404);
    expect((await get(relay.port, '/app.js/../../package.json')).status).toBe(404);
    expect((await get(relay.port, '/src/web/server.ts')).status).toBe(404);
    expect(await rawRequest(relay.port, `GET //evil.example/ HTTP/1.1\r\nHost: 127.0.0.1:${relay.port}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 400/);
    const big = 'x'.repeat(20000);
    expect(await rawRequest(relay.port, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${relay.port}\r\nX-Big: ${big}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 431|^HTTP\/1\.1 400/);
  });

  it('answers a plain GET on /ws (no Upgrade) with 426 Upgrade Required and a one-line reason', async () => {
    const res = await get(relay.port, '/ws');
    expect(res.status).toBe(426);
    expect(res.headers.upgrade).toBe('websocket');
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toMatch(/^[^\n]*WebSocket[^\n]*\n$/);
    expect((await get(relay.port, '/ws', {}, 'HEAD')).status).toBe(426);
    // The token still comes first on a token relay: no hint about the feed without it.
    expect((await get(tokenRelay.port, '/ws')).status).toBe(401);
    expect((await get(tokenRelay.port, `/ws?token=${TOKEN}`)).status).toBe(426);
  });

  it('serves the page with a strict CSP and only its own assets', async () => {
    const page = await get(relay.port, '/');
    expect(page.status).toBe(200);
    const csp = page.headers['content-security-policy']!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.body).not.toMatch(/<script>|<style>|\son\w+=/);
    expect(page.body).toContain('<script type="module" src="/js/page/main.js">');
    expect((await get(relay.port, '/js/page/main.js')).headers['content-type']).toContain('javascript');
    expect((await get(relay.port, '/app.css')).headers['content-type']).toContain('text/css');
    for (const module of ['/js/page/main.js', '/js/page/table.js', '/js/page/dom.js', '/js/page/chart.js']) {
      expect((await get(relay.port, module)).body).not.toMatch(/\.(inner|outer)HTML\s*=|insertAdjacentHTML|document\.write|eval\(|new Function/);
    }
    // Only what the page imports is served: not the terminal code next to it.
    expect((await get(relay.port, '/js/views/dashboard/dashboard.js')).status).toBe(404);
  });

  it('refuses a loopback relay reached under another host name (DNS rebinding)', async () => {
    expect((await get(relay.port, '/api/snapshot', { Host: `evil.example:${relay.port}` })).status).toBe(421);
    expect((await get(relay.port, '/api/snapshot', { Host: `localhost:${relay.port}` })).status).toBe(200);
  });
});

describe('relay security', () => {
  it('requires the token on every route but /healthz and the code modules, and on the WebSocket, compared exactly', async () => {
    for (const path of ['/', '/app.css', '/metrics', '/api/snapshot', `/probe?target=${uw.statsAddress}`, '/sd', '/metrics/relay']) {
      expect((await get(tokenRelay.port, path)).status).toBe(401);
      expect((await get(tokenRelay.port, path, { Authorization: `Bearer ${TOKEN}x` })).status).toBe(401);
      expect((await get(tokenRelay.port, path, { Authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    }
    expect((await get(tokenRelay.port, `/api/snapshot?token=${TOKEN.slice(0, -1)}`)).status).toBe(401);
    expect((await get(tokenRelay.port, `/api/snapshot?token=${TOKEN}`)).status).toBe(200);
    // A liveness probe holds no token: /healthz answers it, and says nothing else.
    const health = await get(tokenRelay.port, '/healthz');
    expect([health.status, health.body]).toEqual([200, 'ok\n']);
    // The page carries the token to its stylesheet; its code modules hold no data and load without it
    // (ES module imports cannot carry a query).
    expect((await get(tokenRelay.port, `/?token=${TOKEN}`)).body).toContain(`/app.css?token=${TOKEN}`);
    expect((await get(tokenRelay.port, '/js/page/main.js')).status).toBe(200);
    await expect(recordingClient(`ws://127.0.0.1:${tokenRelay.port}/ws`)).rejects.toMatchObject({ status: 401 });
    const ok = await recordingClient(`ws://127.0.0.1:${tokenRelay.port}/ws?token=${TOKEN}`);
    expect((await ok.waitFor((m) => m.type === 'hello')).targets[0].target).toBe(uw.statsAddress);
    ok.close();
  });

  it('refuses WebSocket upgrades from a foreign Origin, accepts its own page and non-browser clients', async () => {
    await expect(recordingClient(`ws://127.0.0.1:${relay.port}/ws`, { origin: 'http://evil.example' })).rejects.toMatchObject({ status: 403 });
    await expect(recordingClient(`ws://127.0.0.1:${relay.port}/ws`, { origin: `http://127.0.0.1:${relay.port + 1}` })).rejects.toMatchObject({ status: 403 });
    const same = await recordingClient(`ws://127.0.0.1:${relay.port}/ws`, { origin: `http://127.0.0.1:${relay.port}` });
    await same.waitFor((m) => m.type === 'hello');
    same.close();
    const bare = await recordingClient(`ws://127.0.0.1:${relay.port}/ws`);
    await bare.waitFor((m) => m.type === 'hello');
    bare.close();
  });

  it('refuses to listen beyond loopback without a token, and control without a token', async () => {
    await expect(startRelay([monitor], { host: '0.0.0.0', port: 0 })).rejects.toThrow(/token/);
    await expect(startRelay([monitor], { port: 0, allowControl: true })).rejects.toThrow(/token/);
  });

  it('closes a client that sends an oversized message', async () => {
    const c = await recordingClient(`ws://127.0.0.1:${relay.port}/ws`);
    const code = await new Promise<number>((ok) => {
      c.ws.on('close', (code) => ok(code));
      c.ws.send('x'.repeat(64 * 1024));
    });
    expect(code).toBe(1009);
  });

  it('refuses commands when control is off, and unknown or dangerous commands when it is on', async () => {
    const plain = await recordingClient(`ws://127.0.0.1:${relay.port}/ws`);
    plain.ws.send(JSON.stringify({ v: 2, type: 'command', id: 'a', target: uw.statsAddress, command: 'reload-workers' }));
    const refused = await plain.waitFor((m) => m.type === 'command-result');
    expect(refused.ok).toBe(false);
    expect(refused.message).toMatch(/disabled/);
    plain.close();
    const ctl = await recordingClient(`ws://127.0.0.1:${tokenRelay.port}/ws`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    const hello = await ctl.waitFor((m) => m.type === 'hello');
    expect(hello.commands).not.toContain('shutdown');
    ctl.ws.send(JSON.stringify({ v: 2, type: 'command', id: 'b', target: uw.statsAddress, command: 'shutdown-brutal' }));
    const bad = await ctl.waitFor((m) => m.type === 'command-result' && m.id === 'b');
    expect(bad.ok).toBe(false);
    ctl.close();
    expect(uw.alive()).toBe(true);
  });
});

describe('one feed for every client', () => {
  it('20 WebSocket clients and repeated scrapes cost one stats read per interval; each update is serialised once', async () => {
    const clients = await Promise.all(Array.from({ length: 20 }, () => recordingClient(`ws://127.0.0.1:${relay.port}/ws`)));
    await Promise.all(clients.map((c) => c.waitFor((m) => m.type === 'hello')));
    const published: number[] = [];
    const unsubscribe = monitor.subscribe((u) => published.push(u.seq));
    const before = relay.stats();
    const reads0 = reads;
    const seq0 = monitor.latest()!.seq;
    const t0 = Date.now();
    for (let i = 0; i < 30; i++) {
      await get(relay.port, '/metrics');
      await get(relay.port, '/api/snapshot');
      if (i % 10 === 0) await get(relay.port, '/');
    }
    await waitFor(() => published.length >= 4, 'four more updates');
    unsubscribe();
    const elapsed = Date.now() - t0;
    const after = relay.stats();
    const seq1 = monitor.latest()!.seq;
    // Every read is one poll (seq), whatever the scrapes and clients; a read may be in flight at either end.
    expect(Math.abs(reads - reads0 - (seq1 - seq0))).toBeLessThanOrEqual(1);
    expect(reads - reads0).toBeLessThanOrEqual(Math.ceil(elapsed / INTERVAL_MS) + 2);
    // One serialisation per update, one frame per client per update.
    const updates = after.serialisations - before.serialisations;
    expect(updates).toBe(published.length);
    expect(after.frames - before.frames).toBe(updates * 20);
    // And every client got the very same bytes for the same poll.
    // Updates after the hello are deltas; the last one's revision is the hello's plus the updates sent.
    const lastRev = (c: (typeof clients)[number]): number => Math.max(...c.raw.map((r) => JSON.parse(r)).filter((m) => m.type === 'delta').map((m) => m.rev));
    await waitFor(() => clients.every((c) => c.raw.some((r) => JSON.parse(r).type === 'delta')), 'deltas at every client');
    const rev = Math.min(...clients.map(lastRev));
    const texts = new Set(clients.map((c) => c.raw.find((r) => JSON.parse(r).type === 'delta' && JSON.parse(r).rev === rev)));
    expect(texts.size).toBe(1);
    const msg = JSON.parse([...texts][0]!);
    expect(msg).toMatchObject({ v: 2, type: 'delta', target: uw.statsAddress });
    expect(Array.isArray(msg.ops)).toBe(true);
    for (const c of clients) c.close();
    await waitFor(() => relay.stats().clients === 0, 'clients to go');
  }, 30000);
});

describe('relay client (ws://)', () => {
  it('mirrors the relay: same workers, live updates, history and events', async () => {
    const raw = await rawStats(uw);
    const remotes = await connectRelay(`ws://127.0.0.1:${relay.port}`);
    expect(remotes.map((m) => m.target)).toEqual([uw.statsAddress]);
    const remote = remotes[0]!;
    const snap = remote.latest()!.snapshot!;
    expect(snap.kind).toBe('instance');
    if (snap.kind === 'instance') expect(snap.doc.workers.map((w) => w.pid)).toEqual(raw.workers.map((w: { pid: number }) => w.pid));
    expect(remote.history('rps').values().length).toBeGreaterThan(0);
    const seen: number[] = [];
    remote.subscribe((u) => seen.push(u.seq));
    await waitFor(() => seen.length >= 2, 'two live updates through the relay');
    // The remote's latest equals the local monitor's update of the same poll.
    const last = seen[seen.length - 1]!;
    await waitFor(() => monitor.latest()!.seq >= last, 'local monitor');
    expect(remote.latest()!.seq).toBe(last);
    expect(remote.events().map((e) => e.type)).toEqual(monitor.events().map((e) => e.type));
    remote.stop();
    await waitFor(() => relay.stats().clients === 0, 'relay client to disconnect after stop()');
  });

  it('needs the token for a token relay, then runs a FIFO command through it, logged with who asked', async () => {
    await expect(connectRelay(`ws://127.0.0.1:${tokenRelay.port}`)).rejects.toThrow(/token/);
    const [remote] = await connectRelay(`ws://127.0.0.1:${tokenRelay.port}?token=${TOKEN}`);
    expect(remote!.commands()).toContain('reload-workers');
    const before = (await rawStats(uw)).workers.map((w: { pid: number }) => w.pid);
    const result = await remote!.runCommand('reload-workers');
    expect(result.ok).toBe(true);
    const after = (await rawStats(uw)).workers.map((w: { pid: number }) => w.pid);
    expect(after.some((pid: number) => before.includes(pid))).toBe(false);
    expect(logLines.some((l) => l.includes('reload-workers') && l.includes('from 127.0.0.1:'))).toBe(true);
    expect(monitor.events().some((e) => e.type === 'command' && e.message.includes('reload-workers'))).toBe(true);
    await waitFor(() => remote!.events().some((e) => e.type === 'command'), 'command event on the remote monitor');
    remote!.stop();
  }, 60000);
});

// @module-tag calendar
/**
 * Every kind of document real uWSGI sends, read through the client into snapshots: emperor, fastrouter,
 * legion, cheaper mode, a busy core, a paused instance, and a request that makes the document invalid JSON.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { openSync, writeSync, closeSync, constants } from 'node:fs';
import { parseAddress } from '../../src/stats/address.js';
import { readSnapshot } from '../../src/stats/client.js';
import type { Snapshot, InstanceSnapshot, InFlightRequest } from '../../src/stats/snapshot.js';
import { cleanupAll, rawHttpRequest, rawStats, rawStatsRead, startUwsgi, waitFor } from '../support/uwsgi.js';
import { startEmperor, startFastrouterWithSubscriber, startLegion } from '../support/topologies.js';

afterAll(cleanupAll);

async function read(address: string): Promise<Snapshot> {
  return readSnapshot(parseAddress(address), { timeoutMs: 3000 });
}

function instance(snapshot: Snapshot): InstanceSnapshot {
  if (snapshot.kind !== 'instance') throw new Error(`expected an instance document, got ${snapshot.kind}`);
  return snapshot;
}

function hasHostHeader(request: InFlightRequest): boolean {
  return request.vars.some(([key]) => key === 'HTTP_HOST');
}

describe('documents of every kind from real uWSGI', () => {
  it('reads an emperor document with its vassals', async () => {
    const { emperor } = await startEmperor(['alpha', 'beta']);
    const raw = await rawStats(emperor);
    const snap = await read(emperor.statsAddress);
    expect(snap.kind).toBe('emperor');
    if (snap.kind !== 'emperor') return;
    expect(snap.doc.pid).toBe(emperor.pid);
    expect(snap.doc.vassals.map((v) => v.id).sort()).toEqual(['alpha.ini', 'beta.ini']);
    for (const vassal of snap.doc.vassals) {
      const expected = raw.vassals.find((v: { id: string }) => v.id === vassal.id);
      expect(vassal.pid).toBe(expected.pid);
      expect(vassal.ready).toBe(true);
    }
  });

  it('reads an emperor whose vassal file names hold a quote and a backslash (uWSGI writes them raw)', async () => {
    const { emperor } = await startEmperor(['ev"il', 'back\\x']);
    const raw = await rawStatsRead(emperor);
    // The emperor's own bytes are not valid JSON: the ids are written unescaped.
    expect(() => JSON.parse(raw)).toThrow();
    const snap = await read(emperor.statsAddress);
    expect(snap.kind).toBe('emperor');
    if (snap.kind !== 'emperor') return;
    expect(snap.doc.vassals.map((v) => v.id).sort()).toEqual(['back\\x.ini', 'ev"il.ini']);
    expect(snap.repairs.join(' ')).toMatch(/raw quote/);
    expect(snap.repairs.join(' ')).toMatch(/raw backslash/);
  });

  it('reads a fastrouter document with its subscription and node', async () => {
    const { router, nodeAddress } = await startFastrouterWithSubscriber('shop.example');
    const raw = await rawStats(router);
    const snap = await read(router.statsAddress);
    expect(snap.kind).toBe('router');
    if (snap.kind !== 'router') return;
    // The router runs in a gateway process of its own: its pid is not the master's.
    expect(snap.doc.pid).toBe(raw.pid);
    expect(snap.doc.pid).not.toBe(0);
    expect(snap.doc.routerName).toBe('fastrouter');
    const subscription = snap.doc.subscriptions.find((s) => s.key === 'shop.example');
    expect(subscription?.nodes.map((n) => n.name)).toEqual([nodeAddress]);
  });

  it('reads both sides of a legion: one lord, one member that knows it', async () => {
    const nodes = await startLegion([100, 50]);
    const [lord, member] = await Promise.all(nodes.map((n) => read(n.statsAddress).then(instance)));
    const lordLegion = lord.doc.legions[0];
    const memberLegion = member.doc.legions[0];
    expect(lordLegion.iAmTheLord).toBeGreaterThan(0);
    expect(lordLegion.valor).toBe(100);
    expect(memberLegion.iAmTheLord).toBe(0);
    expect(memberLegion.lordUuid).toBe(lordLegion.uuid);
    expect(memberLegion.members.map((m) => m.uuid)).toContain(lordLegion.uuid);
  });

  it('numbers cheaper-mode slots by position although their id is 0', async () => {
    const proc = await startUwsgi({ workers: 4, args: ['--cheaper', '1', '--cheaper-algo', 'manual'] });
    const snap = instance(await read(proc.statsAddress));
    expect(snap.doc.workers.map((w) => w.slot)).toEqual([1, 2, 3, 4]);
    const cheap = snap.doc.workers.filter((w) => w.status === 'cheap');
    expect(cheap).toHaveLength(3);
    for (const w of cheap) {
      expect(w.id).toBe(0);
      expect(w.pid).toBe(0);
    }
  });

  it('shows the request a busy core is serving', async () => {
    const proc = await startUwsgi({ workers: 1, args: ['--threads', '2'] });
    rawHttpRequest(proc.httpPort!, Buffer.from('GET /slow/report?s=8&id=42 HTTP/1.0\r\nHost: shop.example\r\n\r\n'));
    const snap = await waitFor(async () => {
      const s = instance(await read(proc.statsAddress));
      // A core is in_request before uWSGI has parsed the request, and it adds the variables one by one
      // (SERVER_NAME before the headers): wait for the Host header, the request's last line.
      return s.doc.workers[0].inFlight.some(hasHostHeader) ? s : null;
    }, 'an in-flight request');
    const request = snap.doc.workers[0].inFlight[0];
    expect(request.method).toBe('GET');
    expect(request.host).toBe('shop.example');
    expect(request.uri).toBe('/slow/report?s=8&id=42');
    expect(request.path).toBe('/slow/report');
    expect(request.query).toBe('s=8&id=42');
    expect(request.remoteAddr).toBe('127.0.0.1');
    expect(request.startedAt).not.toBeNull();
    expect(Math.abs(request.startedAt! - Date.now() / 1000)).toBeLessThan(10);
    expect(snap.doc.workers[0].status).toBe('busy');
  });

  it('reports a paused instance', async () => {
    const proc = await startUwsgi({ workers: 2, fifos: ['master.fifo'] });
    const fd = openSync(proc.fifos[0], constants.O_WRONLY | constants.O_NONBLOCK);
    writeSync(fd, 'p');
    closeSync(fd);
    const snap = await waitFor(async () => {
      const s = instance(await read(proc.statsAddress));
      return s.doc.workers.every((w) => w.status === 'pause') ? s : null;
    }, 'every worker paused');
    expect(snap.doc.workers).toHaveLength(2);
  });

  it('reads a document made invalid JSON by one request carrying an ESC byte', async () => {
    const proc = await startUwsgi({ workers: 1, args: ['--threads', '2'] });
    const hostile = Buffer.from('GET /slow?s=8&x=\x1b[2J\x1b]0;owned\x07 HTTP/1.0\r\nHost: evil\x1b[31m.example\r\n\r\n', 'latin1');
    rawHttpRequest(proc.httpPort!, hostile);
    const snap = await waitFor(async () => {
      const s = instance(await read(proc.statsAddress));
      // A core is in_request before uWSGI has parsed the request, and it adds the variables one by one
      // (SERVER_NAME before the headers): wait for the Host header, the request's last line.
      return s.doc.workers[0].inFlight.some(hasHostHeader) ? s : null;
    }, 'the hostile request in flight');
    // The bytes survive decoding (the views escape them), and the repair is reported.
    expect(snap.repairs.length).toBeGreaterThan(0);
    expect(snap.doc.workers[0].inFlight[0].uri).toBe('/slow?s=8&x=\x1b[2J\x1b]0;owned\x07');
    expect(snap.doc.workers[0].inFlight[0].host).toBe('evil\x1b[31m.example');
  });
});

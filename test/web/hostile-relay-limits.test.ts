/**
 * The relay's HTTP front against a hostile peer: two Host headers are refused (400), wrong tokens from one
 * address are answered 429 past WRONG_TOKENS_PER_MINUTE (other addresses unaffected), and one address holding idle connections
 * cannot take every connection the relay has.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRelay, WRONG_TOKENS_PER_MINUTE, type Relay } from '../../src/web/server.js';
import { waitFor } from '../support/uwsgi.js';
import { FakeMonitor, bigInstanceSnapshot } from '../support/web-fixtures.js';

const TOKEN = 'limits-test-token-0123456789abcdef';

/** Send raw request bytes from `localAddress` and return the status code of the answer (null when closed without one). */
function rawStatus(port: number, request: string, localAddress = '127.0.0.1'): Promise<number | null> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port, localAddress });
    let data = '';
    socket.on('data', (d) => (data += d.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(/^HTTP\/1\.1 (\d{3})/.exec(data) ? Number(/^HTTP\/1\.1 (\d{3})/.exec(data)![1]) : null));
    socket.on('connect', () => socket.write(request));
    setTimeout(() => socket.destroy(), 5000);
  });
}

const get = (path: string, headers: string[]): string => `GET ${path} HTTP/1.1\r\n${headers.map((h) => h + '\r\n').join('')}Connection: close\r\n\r\n`;

describe('Host headers', () => {
  let relay: Relay;
  beforeAll(async () => {
    const m = new FakeMonitor('t:1');
    m.emit(bigInstanceSnapshot(2, 't:1'));
    relay = await startRelay([m], { port: 0 });
  });
  afterAll(async () => relay?.close());

  it('one loopback Host is served, two are refused with 400', async () => {
    const host = `Host: 127.0.0.1:${relay.port}`;
    expect(await rawStatus(relay.port, get('/api/snapshot', [host]))).toBe(200);
    expect(await rawStatus(relay.port, get('/api/snapshot', [host, 'Host: evil.example']))).toBe(400);
    expect(await rawStatus(relay.port, get('/api/snapshot', ['Host: evil.example', host]))).toBe(400);
  });
});

describe('wrong tokens and idle connections, per address', () => {
  let relay: Relay;
  beforeAll(async () => {
    const m = new FakeMonitor('t:1');
    m.emit(bigInstanceSnapshot(2, 't:1'));
    relay = await startRelay([m], { port: 0, token: TOKEN, maxConnections: 20, idleTimeoutMs: 20_000 });
  });
  afterAll(async () => relay?.close());

  it('after too many wrong tokens an address gets 429 with a wait, even with the right one; another address is served', async () => {
    const req = (token: string): string => get('/api/snapshot', [`Host: 127.0.0.1:${relay.port}`, `Authorization: Bearer ${token}`]);
    const statuses: Array<number | null> = [];
    const n = WRONG_TOKENS_PER_MINUTE;
    for (let i = 0; i < n + 2; i++) statuses.push(await rawStatus(relay.port, req(`wrong-guess-${String(i).padStart(20, '0')}`), '127.0.0.3'));
    expect(statuses.slice(0, n)).toEqual(Array(n).fill(401));
    expect(statuses.slice(n)).toEqual([429, 429]);
    expect(await rawStatus(relay.port, req(TOKEN), '127.0.0.3')).toBe(429);
    expect(await rawStatus(relay.port, req(TOKEN), '127.0.0.4')).toBe(200);
  });

  it('one address holding idle connections leaves room for another', async () => {
    const idle: net.Socket[] = [];
    try {
      // As many idle connections as the relay takes in all: the ones past this address's share are closed.
      let closed = 0;
      for (let i = 0; i < 20; i++) {
        const s = net.connect({ host: '127.0.0.1', port: relay.port, localAddress: '127.0.0.5' });
        s.on('error', () => undefined);
        s.on('close', () => closed++);
        idle.push(s);
      }
      await waitFor(() => closed >= 10, 'connections past the share closed');
      const req = get('/api/snapshot', [`Host: 127.0.0.1:${relay.port}`, `Authorization: Bearer ${TOKEN}`]);
      expect(await rawStatus(relay.port, req, '127.0.0.6')).toBe(200);
    } finally {
      for (const s of idle) s.destroy();
    }
  });
});

/**
 * QA of the relay's connection bounds: connections that never send a byte are closed (they used to stay open
 * forever, so a peer holding thousands of them exhausted the relay's file descriptors and its stats reads
 * failed), connections beyond the cap are closed at once, and WebSocket clients are not cut by the idle timer.
 */
import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { startRelay, type Relay } from '../../src/web/server.js';
import { FakeMonitor, bigInstanceSnapshot, recordingClient, type RecordingClient } from '../support/web-fixtures.js';

let relay: Relay | null = null;
const sockets: net.Socket[] = [];
const clients: RecordingClient[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const c of clients.splice(0)) c.close();
  await relay?.close();
  relay = null;
});

/** Open a TCP connection that sends nothing; resolves once connected. `closed` settles when the relay closes it. */
function idleConnection(port: number): Promise<{ socket: net.Socket; closed: Promise<Buffer> }> {
  return new Promise((ok, fail) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    sockets.push(socket);
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    const closed = new Promise<Buffer>((done) => socket.on('close', () => done(Buffer.concat(chunks))));
    socket.on('error', () => undefined);
    socket.once('connect', () => ok({ socket, closed }));
    socket.once('error', fail);
  });
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, fail) => setTimeout(() => fail(new Error(`still waiting after ${ms} ms: ${what}`)), ms))]);
}

describe('relay connection bounds', () => {
  it('closes connections that never send a request, and keeps WebSocket clients past that time', async () => {
    const fake = new FakeMonitor('t1');
    relay = await startRelay([fake], { port: 0, idleTimeoutMs: 400 });
    const client = await recordingClient(`ws://127.0.0.1:${relay.port}/ws`);
    clients.push(client);
    const idle = await Promise.all(Array.from({ length: 5 }, () => idleConnection(relay!.port)));
    // Every silent connection is closed by the relay without an answer.
    const bodies = await within(Promise.all(idle.map((c) => c.closed)), 10000, 'the relay to close silent connections');
    expect(bodies.map((b) => b.length)).toEqual([0, 0, 0, 0, 0]);
    // The WebSocket client opened before them is still served.
    const snapshot = bigInstanceSnapshot(3, 't1');
    fake.emit(snapshot);
    const update = await client.waitFor((m) => m.type === 'update');
    expect(update.snapshot.doc.workers).toHaveLength(3);
    expect(client.ws.readyState).toBe(client.ws.OPEN);
  }, 20000);

  it('closes connections beyond the cap at once; the page answers again when they are gone', async () => {
    const fake = new FakeMonitor('t1');
    relay = await startRelay([fake], { port: 0, maxConnections: 8, idleTimeoutMs: 60000 });
    const held = await Promise.all(Array.from({ length: 8 }, () => idleConnection(relay!.port)));
    const extra = await idleConnection(relay.port);
    // Closed by the relay long before the 60 s idle timer could do it.
    expect((await within(extra.closed, 5000, 'the connection beyond the cap to be closed')).length).toBe(0);
    for (const h of held) h.socket.destroy();
    await Promise.all(held.map((h) => h.closed));
    const res = await within(fetch(`http://127.0.0.1:${relay.port}/healthz`), 5000, '/healthz');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok\n');
  }, 20000);
});

/**
 * readRaw/readSnapshot against an adversarial server: what uWSGI will not send on demand must end in a
 * clear error (never a hang, never unbounded memory), and misused protocols are recognised.
 */
import { readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { SAMPLES } from '../support/samples.js';
import { DecodeError, StatsReadError } from '../../src/core/errors.js';
import { parseAddress } from '../../src/stats/address.js';
import { readRaw, readSnapshot, StatsClient, type ReadOptions } from '../../src/stats/client.js';
import { abstractBrokerPid, nodeReachesAbstract, stopAbstractBroker } from '../../src/stats/transport-abstract.js';
import { startAbstractAdversary, startAdversary, type AbstractAdversary, type Adversary } from '../support/adversary.js';
import { freePort, tempDir, cleanupAll } from '../support/uwsgi.js';

const SAMPLE = readFileSync(`${SAMPLES}/instance-idle.json`);
const SAMPLE_DOC = JSON.parse(SAMPLE.toString('utf8')) as { pid: number; workers: unknown[] };
const HTTP_SAMPLE = readFileSync(`${SAMPLES}/stats-http-response.raw`);

const servers: Array<Adversary | AbstractAdversary> = [];
async function adversary(...args: Parameters<typeof startAdversary>): Promise<Adversary> {
  const server = await startAdversary(...args);
  servers.push(server);
  return server;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  await cleanupAll();
});
afterAll(async () => {
  await stopAbstractBroker(); // the abstract-socket broker the reads started, killed by pid
});

/** The StatsReadError a read ends with (fails the test when the read succeeds or throws something else). */
async function readError(text: string, options: ReadOptions = {}): Promise<StatsReadError> {
  try {
    await readRaw(parseAddress(text), options);
  } catch (err) {
    if (err instanceof StatsReadError) return err;
    throw err;
  }
  throw new Error(`reading ${text} succeeded`);
}

describe('plain stats sockets that misbehave', () => {
  it('a whole document is returned byte for byte and decodes to its own pid', async () => {
    const server = await adversary({ kind: 'document', body: SAMPLE });
    const raw = await readRaw(parseAddress(server.address));
    expect(raw.body.equals(SAMPLE)).toBe(true);
    expect(raw.warnings ?? []).toEqual([]);
    const snapshot = await readSnapshot(parseAddress(server.address));
    expect(snapshot.kind).toBe('instance');
    expect(snapshot.target).toBe(server.address);
    expect(snapshot.bytes).toBe(SAMPLE.length);
    if (snapshot.kind === 'instance') {
      expect(snapshot.doc.pid).toBe(SAMPLE_DOC.pid);
      expect(snapshot.doc.workers).toHaveLength(SAMPLE_DOC.workers.length);
    }
  });

  it('garbage and truncated JSON end in a DecodeError, not a crash', async () => {
    const garbage = await adversary({ kind: 'document', body: Buffer.from([0x00, 0xff, 0x1b, 0x5b, 0x32, 0x4a, 0x41]) });
    await expect(readSnapshot(parseAddress(garbage.address))).rejects.toBeInstanceOf(DecodeError);
    const truncated = await adversary({ kind: 'document', body: SAMPLE.subarray(0, Math.floor(SAMPLE.length / 2)) });
    const raw = await readRaw(parseAddress(truncated.address));
    expect(raw.body.length).toBe(Math.floor(SAMPLE.length / 2));
    await expect(readSnapshot(parseAddress(truncated.address))).rejects.toBeInstanceOf(DecodeError);
  });

  it('an empty reply is a transient failure with its own message', async () => {
    const server = await adversary({ kind: 'empty' });
    const err = await readError(server.address);
    expect(err.code).toBe('empty');
    expect(err.transient).toBe(true);
    expect(err.message).toBe(`${server.address}: the stats server closed without sending anything: uWSGI could not build the document; will retry`);
  });

  it('a silent server ends with a timeout after an HTTP probe was tried', async () => {
    const server = await adversary({ kind: 'silent' });
    const err = await readError(server.address, { timeoutMs: 800, probeMs: 100 });
    expect(err.code).toBe('timeout');
    expect(err.message).toContain(`${server.address} accepted the connection but sent nothing within 800 ms, even after an HTTP request`);
    expect(server.received()[0]?.toString('latin1')).toBe('GET / HTTP/1.0\r\n\r\n');
  });

  it('a slow drip ends at the whole-read deadline, not per chunk', async () => {
    // A byte every 40 ms would keep any per-chunk idle timer alive forever.
    const server = await adversary({ kind: 'drip', everyMs: 40 });
    const err = await readError(server.address, { timeoutMs: 700 });
    expect(err.code).toBe('timeout');
    expect(err.message).toMatch(new RegExp(`^${server.address} was still sending after 700 ms \\(\\d+ bytes so far`));
  });

  it('a never-ending reply stops at the size cap and the connection is dropped', async () => {
    const server = await adversary({ kind: 'endless' });
    const maxBytes = 1024 * 1024;
    const err = await readError(server.address, { maxBytes, timeoutMs: 10000 });
    expect(err.code).toBe('too-large');
    expect(err.message).toBe(`the reply from ${server.address} exceeds 1 MiB (the size limit): stopped reading`);
    // The client hung up: the server stops being able to send (memory stays bounded on both sides).
    await expect.poll(() => server.clientHangups()).toBe(1);
    const afterHangup = server.bytesWritten();
    await new Promise((r) => setTimeout(r, 100));
    expect(server.bytesWritten()).toBe(afterHangup);
  });

  it('a never-ending reply under the cap ends with the timeout', async () => {
    const server = await adversary({ kind: 'drip', everyMs: 5, byte: '{' });
    const err = await readError(server.address, { timeoutMs: 500, maxBytes: 64 * 1024 * 1024 });
    expect(err.code).toBe('timeout');
    expect(err.message).toContain('still sending');
  });

  it('a reset mid-way says how much arrived and that the reply is incomplete', async () => {
    const part = SAMPLE.subarray(0, 1000);
    const server = await adversary({ kind: 'reset', body: part });
    const err = await readError(server.address);
    expect(err.code).toBe('reset');
    expect(err.message).toBe(`${server.address} reset the connection after ${part.length} bytes (ECONNRESET): the reply is incomplete`);
  });

  it('a refused port names the address and the uWSGI option to check', async () => {
    const port = await freePort();
    const err = await readError(`127.0.0.1:${port}`);
    expect(err.code).toBe('refused');
    expect(err.message).toBe(`nothing listens on 127.0.0.1:${port} (ECONNREFUSED): is uWSGI running with --stats 127.0.0.1:${port}?`);
    const short = await readError(`:${port}`);
    expect(short.message).toContain(`127.0.0.1:${port}`);
  });

  it('an aborted read ends at once with a cancelled error', async () => {
    const server = await adversary({ kind: 'silent' });
    const controller = new AbortController();
    const pending = readError(server.address, { timeoutMs: 20000, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const err = await pending;
    expect(err.message).toBe(`reading ${server.address} was cancelled`);
  });

  it('a ws:// relay is not read as a stats document: the error says to watch it as a target or read the stats socket', async () => {
    const err = await readError('ws://127.0.0.1:1/ws');
    expect(err.code).toBe('unsupported');
    expect(err.transient).toBe(false);
    expect(err.message).toBe(
      'ws://127.0.0.1:1/ws is a uwsgitop-ts relay (ws://, wss://): it serves live updates, not a stats document to read here; watch it as a target (uwsgitop-ts ws://127.0.0.1:1/ws) or point at the uWSGI stats socket itself (host:port, a socket path, @name or http://)',
    );
  });
});

describe('HTTP and plain mixed up', () => {
  it('a plain read of a server that waits for a request adapts, warns, and asks at once next time', async () => {
    const server = await adversary({ kind: 'after-request', body: HTTP_SAMPLE });
    const expectedBody = HTTP_SAMPLE.subarray(HTTP_SAMPLE.indexOf('\r\n\r\n') + 4);
    const client = new StatsClient();
    const first = await client.readRaw(parseAddress(server.address), { probeMs: 100 });
    expect(first.body.equals(expectedBody)).toBe(true);
    expect(first.warnings).toEqual([`${server.address} is a --stats-http socket; use http://${server.address}`]);
    // With a probe delay longer than the whole timeout, only an immediate request can succeed.
    const second = await client.readRaw(parseAddress(server.address), { probeMs: 60000, timeoutMs: 2000 });
    expect(second.body.equals(expectedBody)).toBe(true);
    expect(server.connections()).toBe(2);
  });

  it('what an endpoint speaks is remembered per client: another client (or a one-off read) finds out on its own', async () => {
    const server = await adversary({ kind: 'after-request', body: HTTP_SAMPLE });
    const address = parseAddress(server.address);
    const first = new StatsClient();
    await first.readRaw(address, { probeMs: 100 });
    // Neither a second client nor a one-off read knows it: with no probe before the deadline they time out.
    await expect(new StatsClient().readRaw(address, { probeMs: 60000, timeoutMs: 500 })).rejects.toMatchObject({ code: 'timeout' });
    await expect(readRaw(address, { probeMs: 60000, timeoutMs: 500 })).rejects.toMatchObject({ code: 'timeout' });
    // The first still asks at once; once told to forget, it has to wait for its probe again.
    const again = await first.readRaw(address, { probeMs: 60000, timeoutMs: 2000 });
    expect(again.body.equals(HTTP_SAMPLE.subarray(HTTP_SAMPLE.indexOf('\r\n\r\n') + 4))).toBe(true);
    first.forget();
    await expect(first.readRaw(address, { probeMs: 60000, timeoutMs: 500 })).rejects.toMatchObject({ code: 'timeout' });
  });

  it('http:// at a plain stats socket is accepted with a note saying which address to use', async () => {
    const server = await adversary({ kind: 'document', body: SAMPLE });
    const raw = await readRaw(parseAddress(`http://${server.address}`));
    expect(raw.body.equals(SAMPLE)).toBe(true);
    expect(raw.warnings).toEqual([`http://${server.address}/ is a plain stats socket, not --stats-http (no HTTP status line): use ${server.address}`]);
    expect(server.received()[0]?.toString('latin1')).toMatch(/^GET \/ HTTP\/1\.0\r\n/);
  });

  it('http:// reads the body after the headers, chunked or not', async () => {
    const expectedBody = HTTP_SAMPLE.subarray(HTTP_SAMPLE.indexOf('\r\n\r\n') + 4);
    const plain = await adversary({ kind: 'after-request', body: HTTP_SAMPLE });
    const raw = await readRaw(parseAddress(`http://${plain.address}/`));
    expect(raw.body.equals(expectedBody)).toBe(true);
    expect(raw.warnings).toEqual([]);
    const half = Math.floor(expectedBody.length / 2);
    const chunked = Buffer.concat([
      Buffer.from(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${half.toString(16)}\r\n`),
      expectedBody.subarray(0, half),
      Buffer.from(`\r\n${(expectedBody.length - half).toString(16)}\r\n`),
      expectedBody.subarray(half),
      Buffer.from('\r\n0\r\n\r\n'),
    ]);
    const proxy = await adversary({ kind: 'after-request', body: chunked });
    const viaProxy = await readRaw(parseAddress(`http://${proxy.address}/stats`));
    expect(viaProxy.body.equals(expectedBody)).toBe(true);
    expect(proxy.received()[0]?.toString('latin1')).toMatch(/^GET \/stats HTTP\/1\.0\r\n/);
  });

  it('a non-200 status is an http-status error with the status, hostile reason escaped', async () => {
    const server = await adversary({ kind: 'after-request', body: 'HTTP/1.0 502 Bad\x1b[2J Gateway\r\n\r\n<html>' });
    const err = await readError(`http://${server.address}`);
    expect(err.code).toBe('http-status');
    expect(err.transient).toBe(true);
    expect(err.message).toBe(`http://${server.address}/ answered HTTP 502 Bad\\x1b[2J Gateway instead of 200 with the stats document`);
    const missing = await adversary({ kind: 'after-request', body: 'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n' });
    const notFound = await readError(`http://${missing.address}/nope`);
    expect(notFound.code).toBe('http-status');
    expect(notFound.transient).toBe(false);
    expect(notFound.message).toContain('HTTP 404 Not Found');
  });

  it('an HTTP body shorter than its Content-Length is reported as incomplete', async () => {
    const server = await adversary({ kind: 'after-request', body: 'HTTP/1.0 200 OK\r\nContent-Length: 5000\r\n\r\n{"pid":1' });
    const err = await readError(`http://${server.address}`);
    expect(err.code).toBe('reset');
    expect(err.message).toContain('ended after 8 of 5000 bytes');
  });
});

describe('https://', () => {
  it('normal certificate verification: a self-signed server is refused with the TLS reason', async () => {
    const dir = tempDir();
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    const tls = await import('node:tls');
    const server = tls.createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (socket) => socket.end(SAMPLE));
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
    try {
      const port = (server.address() as { port: number }).port;
      const err = await readError(`https://127.0.0.1:${port}`);
      expect(err.code).toBe('unreachable');
      expect(err.transient).toBe(false);
      expect(err.message).toMatch(new RegExp(`^TLS verification of https://127\\.0\\.0\\.1:${port}/ failed \\(DEPTH_ZERO_SELF_SIGNED_CERT\\)`));
    } finally {
      await new Promise<void>((ok) => server.close(() => ok()));
    }
  });
});

describe('unix socket paths', () => {
  it('a missing socket file, a regular file, a stale socket file', async () => {
    const dir = tempDir();
    const missing = join(dir, 'absent.sock');
    const notFound = await readError(missing);
    expect(notFound.code).toBe('not-found');
    expect(notFound.message).toBe(`no socket at ${missing} (ENOENT): is uWSGI running with --stats ${missing}?`);

    const file = join(dir, 'saved.json');
    writeFileSync(file, SAMPLE);
    const regular = await readError(file);
    expect(regular.message).toBe(`${file} is a regular file, not a unix socket (a saved stats document? read it with file:${file})`);

    // A socket file nobody listens on any more (left behind by a killed server).
    const stale = join(dir, 'stale.sock');
    execFileSync('python3', ['-c', 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])', stale]);
    const refused = await readError(stale);
    expect(refused.code).toBe('refused');
    expect(refused.message).toBe(`nothing listens on ${stale} (ECONNREFUSED): the socket file is left over; is uWSGI running with --stats ${stale}?`);
  });

  it('a unix adversary gets the same bounds (drip -> timeout, empty -> empty)', async () => {
    const dir = tempDir();
    const drip = await adversary({ kind: 'drip', everyMs: 30 }, join(dir, 'drip.sock'));
    expect((await readError(drip.address, { timeoutMs: 500 })).code).toBe('timeout');
    const empty = await adversary({ kind: 'empty' }, join(dir, 'empty.sock'));
    expect((await readError(empty.address)).code).toBe('empty');
  });
});

// On Node >= 22 the same reads go straight to the socket (no broker): the errors must be the same.
// test/stats/stats-abstract-broker.test.ts drives the broker itself on every Node.
const viaBroker = !nodeReachesAbstract();

describe(`abstract sockets ${viaBroker ? 'through the python3 broker' : 'read by Node itself'}`, () => {
  it('a silent abstract server times out and the broker (Node < 22) drops that connection', async () => {
    const server = await startAbstractAdversary('silent');
    servers.push(server);
    const pending = readError(server.address, { timeoutMs: 1000, probeMs: 100 });
    // While the read runs, the broker holds exactly one socket (this also proves brokerSockets() sees it).
    if (viaBroker) await expect.poll(() => brokerSockets()).toBe(1);
    const err = await pending;
    expect(err.code).toBe('timeout');
    expect(err.message).toContain(`${server.address} accepted the connection but sent nothing within 1000 ms`);
    if (viaBroker) await expect.poll(() => brokerSockets()).toBe(0);
  });

  it('an endless abstract server stops at the cap; a refused name names the address', async () => {
    const server = await startAbstractAdversary('endless');
    servers.push(server);
    const broker = abstractBrokerPid();
    const err = await readError(server.address, { maxBytes: 256 * 1024, timeoutMs: 10000 });
    expect(err.code).toBe('too-large');
    if (viaBroker) await expect.poll(() => brokerSockets()).toBe(0);
    const name = `@uwsgitop-nobody-${process.pid}`;
    const refused = await readError(name);
    expect(refused.code).toBe('refused');
    expect(refused.message).toBe(`nothing listens on ${name} (ECONNREFUSED): is uWSGI running with --stats ${name}?`);
    // Still the broker of the earlier reads: one process for all of them.
    expect(abstractBrokerPid()).toBe(broker);
  });

  it('an abstract document arrives whole', async () => {
    const server = await startAbstractAdversary('document', SAMPLE.toString('utf8'));
    servers.push(server);
    const snapshot = await readSnapshot(parseAddress(server.address));
    expect(snapshot.doc.pid).toBe(SAMPLE_DOC.pid);
  });

  it('without python3 on Node 20 the error says exactly what is needed', async () => {
    await stopAbstractBroker(); // a broker started earlier would still serve: python3 missing means none starts
    const savedPath = process.env.PATH;
    process.env.PATH = tempDir(); // an empty directory: no python3 anywhere on PATH
    try {
      const err = await readError('@anything');
      // Node >= 22 needs no python3: the name is simply not bound.
      if (nodeReachesAbstract()) {
        expect(err.code).toBe('refused');
        return;
      }
      expect(err.code).toBe('unsupported');
      expect(err.message).toBe(
        `reaching abstract socket @anything on Node ${process.versions.node.split('.')[0]} needs python3 (Node < 22 cannot connect to uWSGI's abstract sockets); install python3 or use Node >= 22`,
      );
    } finally {
      process.env.PATH = savedPath;
    }
  });
});

/** Sockets the running abstract-socket broker holds besides its stdio (0 once every read is over). */
function brokerSockets(): number {
  const pid = abstractBrokerPid();
  if (pid === null) throw new Error('no abstract-socket broker is running');
  let count = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    if (Number(fd) <= 2) continue; // stdio: socketpairs from libuv
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:')) count++;
    } catch {
      /* closed meanwhile */
    }
  }
  return count;
}

/**
 * readSnapshot against real uWSGI 2.0.21 masters, over every place the stats server can listen:
 * the snapshot must describe the instance that was started (its master pid, its number of workers).
 */
import net from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { StatsReadError } from '../../src/core/errors.js';
import { parseAddress } from '../../src/stats/address.js';
import { readRaw, readSnapshot, StatsClient, type ReadOptions } from '../../src/stats/client.js';
import type { InstanceSnapshot, Snapshot } from '../../src/stats/snapshot.js';
import { stopAbstractBroker } from '../../src/stats/transport-abstract.js';
import { cleanupAll, freePort, rawStatsRead, startUwsgi, tempDir, waitFor, type UwsgiProcess } from '../support/uwsgi.js';

afterEach(async () => {
  await cleanupAll();
});
afterAll(async () => {
  await stopAbstractBroker(); // the python3 broker the abstract reads started (Node < 22), killed by pid
});

function instance(snapshot: Snapshot): InstanceSnapshot {
  if (snapshot.kind !== 'instance') throw new Error(`expected an instance document, got ${snapshot.kind}`);
  return snapshot;
}

/** Read `text` and check it is the instance `proc` with `workers` workers. */
async function expectInstance(text: string, proc: UwsgiProcess, workers: number, options: ReadOptions = {}, client?: StatsClient): Promise<InstanceSnapshot> {
  const address = parseAddress(text);
  const snapshot = instance(await (client !== undefined ? client.readSnapshot(address, options) : readSnapshot(address, options)));
  expect(snapshot.doc.pid).toBe(proc.pid);
  expect(snapshot.doc.workers).toHaveLength(workers);
  expect(snapshot.target).toBe(text);
  return snapshot;
}

describe('plain stats servers', () => {
  it('TCP host:port and :port', async () => {
    const proc = await startUwsgi({ workers: 2 });
    const snapshot = await expectInstance(proc.statsAddress, proc, 2);
    expect(snapshot.warnings.filter((w) => w.includes('--stats-http'))).toEqual([]);
    const port = proc.statsBind.split(':')[1];
    await expectInstance(`:${port}`, proc, 2);
  });

  it('a unix socket path', async () => {
    const proc = await startUwsgi({ stats: 'unix', workers: 3 });
    await expectInstance(proc.statsAddress, proc, 3);
  });

  it('an abstract socket @name (uWSGI binds \\0name\\0)', async () => {
    const proc = await startUwsgi({ stats: 'abstract', workers: 2 });
    expect(proc.statsAddress.startsWith('@')).toBe(true);
    await expectInstance(proc.statsAddress, proc, 2);
    // A second read works the same (no state left behind by the first).
    await expectInstance(proc.statsAddress, proc, 2);
  });

  it('[::1]:port (IPv6 loopback)', async () => {
    const ipv6 = await new Promise<string | null>((ok) => {
      const server = net.createServer();
      server.once('error', (err) => ok(err.message));
      server.listen(0, '::1', () => server.close(() => ok(null)));
    });
    if (ipv6 !== null) throw new Error(`IPv6 loopback (::1) is not available on this machine (${ipv6}): cannot test [::1]:port`);
    const port = await freePort();
    const proc = await startUwsgi({ stats: 'none', workers: 2, args: ['--stats', `[::1]:${port}`] });
    const text = `[::1]:${port}`;
    const snapshot = await waitFor(
      async () => {
        if (!proc.alive()) throw new Error(`uWSGI exited:\n${proc.log().slice(-1500)}`);
        return readSnapshot(parseAddress(text));
      },
      `uWSGI stats on ${text}`,
      15000,
      200,
    );
    expect(instance(snapshot).doc.pid).toBe(proc.pid);
    expect(instance(snapshot).doc.workers).toHaveLength(2);
  });

  it('http:// at a plain socket is read anyway, with a note naming the right address', async () => {
    const proc = await startUwsgi({ workers: 1 });
    const snapshot = await expectInstance(`http://${proc.statsBind}`, proc, 1);
    expect(snapshot.warnings).toContain(`http://${proc.statsBind}/ is a plain stats socket, not --stats-http (no HTTP status line): use ${proc.statsBind}`);
    // The next reads send no request at all (the endpoint is known to be plain) and still work.
    await expectInstance(`http://${proc.statsBind}`, proc, 1);
  });
});

describe('--stats-http servers', () => {
  it('http://host:port reads the JSON body; a plain host:port read adapts and says to use http://', async () => {
    const proc = await startUwsgi({ statsHttp: true, workers: 2 });
    expect(proc.statsAddress).toBe(`http://${proc.statsBind}`);
    const viaUrl = await expectInstance(proc.statsAddress, proc, 2);
    expect(viaUrl.warnings.filter((w) => w.includes('stats'))).toEqual([]);
    const client = new StatsClient();
    const plain = await expectInstance(proc.statsBind, proc, 2, {}, client);
    expect(plain.warnings).toContain(`${proc.statsBind} is a --stats-http socket; use http://${proc.statsBind}`);
    // Remembered by that client: with a probe delay longer than the whole timeout only an immediate request can work.
    await expectInstance(proc.statsBind, proc, 2, { probeMs: 60000, timeoutMs: 2500 }, client);
  });

  it('a plain read of a --stats-http unix socket adapts and says so', async () => {
    const proc = await startUwsgi({ stats: 'unix', statsHttp: true, workers: 2 });
    const snapshot = await expectInstance(proc.statsAddress, proc, 2);
    expect(snapshot.warnings).toContain(`${proc.statsBind} is a --stats-http socket (read over HTTP)`);
  });

  it('a plain read of a --stats-http abstract socket adapts through the relay too', async () => {
    // The test bed's own reader cannot send a request over an abstract socket: wait with the client itself.
    const proc = await startUwsgi({ stats: 'abstract', statsHttp: true, workers: 1, waitForStats: false });
    const snapshot = await waitFor(
      async () => {
        if (!proc.alive()) throw new Error(`uWSGI exited:\n${proc.log().slice(-1500)}`);
        return expectInstance(proc.statsAddress, proc, 1);
      },
      `uWSGI stats on ${proc.statsAddress}`,
      15000,
      200,
    );
    expect(snapshot.warnings).toContain(`${proc.statsBind} is a --stats-http socket (read over HTTP)`);
  });
});

describe('saved documents and gone servers', () => {
  it('file:PATH and - (stdin) replay a document saved from a real instance', async () => {
    const proc = await startUwsgi({ workers: 2 });
    const saved = await rawStatsRead(proc); // the test bed's own reader, independent of the client
    const path = join(tempDir(), 'saved-stats.json');
    writeFileSync(path, saved);
    await expectInstance(`file:${path}`, proc, 2);

    const stdin = new PassThrough();
    stdin.end(saved);
    const first = await readRaw(parseAddress('-'), { stdin });
    expect(first.body.toString('utf8')).toBe(saved);
    // '-' is read once: a later read replays the same document.
    await expectInstance('-', proc, 2, { stdin });
  });

  it('after uWSGI stops, reading its unix socket explains that nothing serves it', async () => {
    const proc = await startUwsgi({ stats: 'unix', workers: 1 });
    await expectInstance(proc.statsAddress, proc, 1);
    await proc.stop();
    const err = await readRaw(parseAddress(proc.statsAddress)).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StatsReadError);
    const readError = err as StatsReadError;
    expect(['refused', 'not-found']).toContain(readError.code);
    expect(readError.message).toContain(proc.statsAddress);
    expect(readError.message).toContain(`is uWSGI running with --stats ${proc.statsAddress}?`);
    expect(readError.transient).toBe(true);
  });
});

/**
 * The python3 broker that reaches abstract sockets (`@name`) on Node 20: one long-lived process serves
 * every read, each read keeps its own deadline and size cap, and a connection Node gives up on is dropped
 * by the broker at once (checked in /proc/<broker>/fd). Driven through the channel itself, so it runs on
 * any Node version (the client uses it on Node < 22 only).
 */
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { SAMPLES } from '../support/samples.js';
import { StatsReadError } from '../../src/core/errors.js';
import { parseAddress } from '../../src/stats/address.js';
import { decodeSnapshot } from '../../src/stats/document.js';
import { abstractBrokerPid, pythonAbstractChannel, stopAbstractBroker } from '../../src/stats/transport-abstract.js';
import { readChannel, type ChannelReadOptions, type ChannelReply } from '../../src/stats/transport-channel.js';
import { startAbstractAdversary, type AbstractAdversary } from '../support/adversary.js';
import { cleanupAll, REPO_ROOT, startUwsgi, tempDir, type UwsgiProcess } from '../support/uwsgi.js';

const SAMPLE = readFileSync(`${SAMPLES}/instance-idle.json`);
const SAMPLE_PID = (JSON.parse(SAMPLE.toString('utf8')) as { pid: number }).pid;
const PROBE = Buffer.from('GET / HTTP/1.0\r\n\r\n');

const servers: AbstractAdversary[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  await cleanupAll();
});
afterAll(async () => {
  await stopAbstractBroker(); // the broker this file's reads started, killed by pid
});

/** One bounded read of `@name` through the broker (the caller's limits, as the client passes them). */
function read(name: string, options: Partial<ChannelReadOptions> = {}): Promise<ChannelReply> {
  return readChannel(parseAddress(`@${name}`), pythonAbstractChannel(name), { timeoutMs: 3000, maxBytes: 64 * 1024 * 1024, ...options });
}

/** The StatsReadError a read ends with (fails the test when it succeeds or throws something else). */
async function readError(name: string, options: Partial<ChannelReadOptions> = {}): Promise<StatsReadError> {
  try {
    await read(name, options);
  } catch (err) {
    if (err instanceof StatsReadError) return err;
    throw err;
  }
  throw new Error(`reading @${name} succeeded`);
}

/** The master pid and worker count of the document read from a real instance. */
async function readInstance(proc: UwsgiProcess): Promise<{ pid: number; workers: number }> {
  const reply = await read(proc.statsBind.slice(1));
  const snapshot = decodeSnapshot(reply.bytes, { target: proc.statsAddress, readAtMs: Date.now(), monotonicMs: 0, durationMs: 0 });
  if (snapshot.kind !== 'instance') throw new Error(`expected an instance document, got ${snapshot.kind}`);
  return { pid: snapshot.doc.pid, workers: snapshot.doc.workers.length };
}

/** Sockets the broker holds besides its stdio (libuv gives a child socketpairs for fds 0-2). */
function brokerSockets(pid: number): number {
  let count = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    if (Number(fd) <= 2) continue;
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:')) count++;
    } catch {
      /* closed meanwhile */
    }
  }
  return count;
}

/** True while `pid` runs (not gone, not a zombie waiting to be reaped). */
function running(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

function brokerPid(): number {
  const pid = abstractBrokerPid();
  if (pid === null) throw new Error('no abstract-socket broker is running');
  return pid;
}


async function adversary(...args: Parameters<typeof startAbstractAdversary>): Promise<AbstractAdversary> {
  const server = await startAbstractAdversary(...args);
  servers.push(server);
  return server;
}

describe('one shared broker', () => {
  it('serves 20 reads of a real uWSGI with one process: the master pid every time, no socket left after each', async () => {
    const proc = await startUwsgi({ stats: 'abstract', workers: 4 });
    await stopAbstractBroker(); // start from no broker: the first read must start it
    expect(abstractBrokerPid()).toBeNull();
    const pids = new Set<number>();
    for (let i = 0; i < 20; i++) {
      expect(await readInstance(proc)).toEqual({ pid: proc.pid, workers: 4 });
      const broker = brokerPid();
      pids.add(broker);
      await expect.poll(() => brokerSockets(broker)).toBe(0);
    }
    expect(pids.size).toBe(1);
    // It is a python3 process running the broker, a child of this process.
    const [broker] = [...pids] as [number];
    expect(readFileSync(`/proc/${broker}/cmdline`, 'utf8')).toContain('uwsgitop-abstract-broker');
    expect(readFileSync(`/proc/${broker}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]).toBe(String(process.pid));
  }, 60000);

  it('several targets at once, a silent one holding up none of them', async () => {
    const procs = await Promise.all([1, 2, 3].map((workers) => startUwsgi({ stats: 'abstract', workers })));
    const silent = await adversary('silent');
    let silentEnded = false;
    const slow = readError(silent.address.slice(1), { timeoutMs: 4000 }).finally(() => (silentEnded = true));
    await expect.poll(() => brokerSockets(brokerPid())).toBe(1); // the silent connection is open
    const docs = await Promise.all(procs.map((proc) => readInstance(proc)));
    expect(silentEnded).toBe(false);
    expect(docs).toEqual(procs.map((proc, i) => ({ pid: proc.pid, workers: i + 1 })));
    // And again, all at the same time as each other.
    expect(await Promise.all([...procs, ...procs].map((proc) => readInstance(proc)))).toEqual(
      [...procs, ...procs].map((proc) => ({ pid: proc.pid, workers: procs.indexOf(proc) + 1 })),
    );
    const err = await slow;
    expect(err.code).toBe('timeout');
    expect(err.message).toContain(`${silent.address} accepted the connection but sent nothing within 4000 ms`);
    await expect.poll(() => brokerSockets(brokerPid())).toBe(0);
  }, 60000);
});

describe('each read keeps its own limits; the broker drops the socket Node gave up on', () => {
  it('silent: timeout after the probe was sent', async () => {
    const server = await adversary('silent');
    const err = await readError(server.address.slice(1), { timeoutMs: 800, probe: { afterMs: 100, bytes: PROBE } });
    expect(err.code).toBe('timeout');
    expect(err.message).toContain(`${server.address} accepted the connection but sent nothing within 800 ms, even after an HTTP request`);
    await expect.poll(() => brokerSockets(brokerPid())).toBe(0);
  });

  it('endless: stops at the size cap', async () => {
    const server = await adversary('endless');
    const err = await readError(server.address.slice(1), { maxBytes: 256 * 1024, timeoutMs: 10000 });
    expect(err.code).toBe('too-large');
    expect(err.message).toBe(`the reply from ${server.address} exceeds 256.0 KiB (the size limit): stopped reading`);
    await expect.poll(() => brokerSockets(brokerPid())).toBe(0);
  });

  it('a slow drip ends at the whole-read deadline', async () => {
    const server = await adversary('drip');
    const err = await readError(server.address.slice(1), { timeoutMs: 700 });
    expect(err.code).toBe('timeout');
    expect(err.message).toMatch(new RegExp(`^${server.address} was still sending after 700 ms \\(\\d+ bytes so far`));
    await expect.poll(() => brokerSockets(brokerPid())).toBe(0);
  });

  it('an aborted read ends at once with a cancelled error', async () => {
    const server = await adversary('silent');
    const controller = new AbortController();
    const pending = readError(server.address.slice(1), { timeoutMs: 20000, signal: controller.signal });
    await expect.poll(() => brokerSockets(brokerPid())).toBe(1);
    controller.abort();
    expect((await pending).message).toBe(`reading ${server.address} was cancelled`);
    await expect.poll(() => brokerSockets(brokerPid())).toBe(0);
  });

  it('refused (nothing bound under either address) names the address', async () => {
    const name = `uwsgitop-nobody-${process.pid}`;
    const err = await readError(name);
    expect(err.code).toBe('refused');
    expect(err.message).toBe(`nothing listens on @${name} (ECONNREFUSED): is uWSGI running with --stats @${name}?`);
    expect(brokerSockets(brokerPid())).toBe(0);
  });

  it('a whole document arrives byte for byte', async () => {
    const server = await adversary('document', SAMPLE.toString('utf8'));
    const reply = await read(server.address.slice(1));
    expect(reply.bytes.equals(SAMPLE)).toBe(true);
    expect((JSON.parse(reply.bytes.toString('utf8')) as { pid: number }).pid).toBe(SAMPLE_PID);
  });

  it('a full listen backlog is retried until the deadline without blocking other reads', async () => {
    const full = await adversary('backlog');
    const proc = await startUwsgi({ stats: 'abstract', workers: 1 });
    const name = full.address.slice(1);
    // The first connection fills the queue (never accepted); the second cannot even connect.
    const first = readError(name, { timeoutMs: 3000 });
    await expect.poll(() => brokerSockets(brokerPid())).toBe(1);
    let secondEnded = false;
    const second = readError(name, { timeoutMs: 2500 }).finally(() => (secondEnded = true));
    expect(await readInstance(proc)).toEqual({ pid: proc.pid, workers: 1 });
    expect(secondEnded).toBe(false);
    const [firstErr, secondErr] = await Promise.all([first, second]);
    expect(firstErr.message).toContain(`${full.address} accepted the connection but sent nothing within 3000 ms`);
    expect(secondErr.message).toBe(`could not connect to ${full.address} within 2500 ms (timeout)`);
    await expect.poll(() => brokerSockets(brokerPid())).toBe(0);
  }, 30000);
});

describe('a broker that dies', () => {
  it('SIGKILL: the read in flight fails naming the helper, the next read starts a new broker', async () => {
    const proc = await startUwsgi({ stats: 'abstract', workers: 2 });
    expect(await readInstance(proc)).toEqual({ pid: proc.pid, workers: 2 });
    const killed = brokerPid();
    const silent = await adversary('silent');
    const pending = readError(silent.address.slice(1), { timeoutMs: 20000 });
    await expect.poll(() => brokerSockets(killed)).toBe(1);
    process.kill(killed, 'SIGKILL');
    const err = await pending;
    expect(err.code).toBe('io');
    expect(err.message).toBe(
      `reading ${silent.address} failed: the python3 helper for abstract sockets (pid ${killed}) was killed (SIGKILL); the next read starts a new one`,
    );
    expect(await readInstance(proc)).toEqual({ pid: proc.pid, workers: 2 });
    const replacement = brokerPid();
    expect(replacement).not.toBe(killed);
    expect(running(killed)).toBe(false);
  }, 30000);

  it('a broker that answers garbage: the open read fails, that broker is killed, the next read starts another', async () => {
    // A stand-in interpreter that ignores the script and prints a line that is not a frame, then hangs.
    const fake = join(tempDir(), 'fake-python3');
    writeFileSync(fake, "#!/bin/sh\nprintf 'garbage\\n'\nexec sleep 60\n", { mode: 0o755 });
    const pids: number[] = [];
    for (let i = 0; i < 2; i++) {
      const pending = readChannel(parseAddress('@anything'), pythonAbstractChannel('anything', { python: fake }), { timeoutMs: 10000, maxBytes: 1024 }).then(
        () => null,
        (e: unknown) => e,
      );
      const pid = abstractBrokerPid(fake);
      if (pid === null) throw new Error('the read started no broker');
      pids.push(pid);
      const err = await pending;
      expect(err).toBeInstanceOf(StatsReadError);
      expect((err as StatsReadError).code).toBe('io');
      expect((err as StatsReadError).message).toBe(
        'reading @anything failed: the python3 helper for abstract sockets sent a malformed reply (bad frame header "garbage"); the next read starts a new one',
      );
      await expect.poll(() => running(pid)).toBe(false);
    }
    expect(pids[1]).not.toBe(pids[0]);
  });

  it('python3 missing: the same clear error, every time, and no broker left behind', async () => {
    const command = { python: join(tempDir(), 'python3') }; // a path where no interpreter exists
    for (let i = 0; i < 2; i++) {
      const err = await readChannel(parseAddress('@anything'), pythonAbstractChannel('anything', command), { timeoutMs: 3000, maxBytes: 1024 }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(StatsReadError);
      expect((err as StatsReadError).code).toBe('unsupported');
      expect((err as StatsReadError).message).toBe(
        `reaching abstract socket @anything on Node ${process.versions.node.split('.')[0]} needs python3 (Node < 22 cannot connect to uWSGI's abstract sockets); install python3 or use Node >= 22`,
      );
    }
    expect(abstractBrokerPid(command.python)).toBeNull();
  });

  it('a program that read through the broker exits by itself, and its broker exits with it', async () => {
    const proc = await startUwsgi({ stats: 'abstract', workers: 1 });
    // Compile the channel code into a temp dir and run it in a separate Node process.
    const out = tempDir();
    const sources = ['transport-abstract.ts', 'transport-channel.ts', 'address.ts'].map((f) => join(REPO_ROOT, 'src', 'stats', f));
    execFileSync(join(REPO_ROOT, 'node_modules', '.bin', 'tsc'), [
      '--ignoreConfig', ...sources, '--outDir', out, '--rootDir', join(REPO_ROOT, 'src'),
      '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--types', 'node', '--skipLibCheck',
    ], { cwd: REPO_ROOT, stdio: 'ignore', timeout: 60000 });
    writeFileSync(join(out, 'package.json'), '{"type":"module"}');
    const main = join(out, 'main.js');
    writeFileSync(
      main,
      `import { abstractBrokerPid, pythonAbstractChannel } from './stats/transport-abstract.js';
import { readChannel } from './stats/transport-channel.js';
import { parseAddress } from './stats/address.js';
const name = process.argv[2];
const reply = await readChannel(parseAddress('@' + name), pythonAbstractChannel(name), { timeoutMs: 5000, maxBytes: 1 << 26 });
process.stdout.write(JSON.stringify({ pid: JSON.parse(reply.bytes.toString()).pid, broker: abstractBrokerPid() }));
`,
    );
    // A broker that kept the event loop alive would make this run into the 15 s kill.
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((ok) => {
      const child = spawn(process.execPath, [main, proc.statsBind.slice(1)], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const timer = setTimeout(() => child.pid !== undefined && process.kill(child.pid, 'SIGKILL'), 15000);
      child.once('close', (code) => {
        clearTimeout(timer);
        ok({ code, stdout, stderr });
      });
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const { pid, broker } = JSON.parse(result.stdout) as { pid: number; broker: number };
    expect(pid).toBe(proc.pid);
    expect(broker).toBeGreaterThan(0);
    // Its stdin closed with the program: the broker exits on its own (it was orphaned, so nobody kills it).
    await expect.poll(() => running(broker), { timeout: 5000 }).toBe(false);
  }, 60000);
});

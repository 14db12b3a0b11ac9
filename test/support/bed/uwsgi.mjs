// The test bed's one uWSGI starter, for the suite (vitest, through test/support/uwsgi.ts) and the benchmark
// scripts (plain node) alike: starts real uWSGI instances (Debian's uwsgi-core) on free loopback ports or
// temp-dir sockets, waits for their stats server, and stops them by pid (SIGKILL of the process group as last
// resort). Plain JavaScript so both load it as it is; uwsgi.d.mts gives it its types.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { freePort } from './port.mjs';

export const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url)).replace(/\/$/, '');
/** The demo/test WSGI app: /, /slow?s=N, /error, /cache?key. */
export const APP_PY = join(REPO_ROOT, 'scripts', 'demo', 'app.py');

/** Absolute path of the uwsgi binary; throws (failing the test) when uWSGI is not installed. */
export function uwsgiBinary() {
  for (const candidate of ['/usr/bin/uwsgi', '/usr/local/bin/uwsgi']) {
    if (existsSync(candidate)) return candidate;
  }
  throw new Error('uWSGI is not installed: run scripts/setup.sh (installs uwsgi-core and uwsgi-plugin-python3)');
}

const tempDirs = [];

/** A new temp directory removed by cleanupAll(). */
export function tempDir(prefix = 'uwsgitop-test-') {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** Poll `check` until it returns a truthy value or the time runs out (then throws with `what`). */
export async function waitFor(check, what, timeoutMs = 15000, stepMs = 100) {
  const deadline = performance.now() + timeoutMs;
  let lastError = null;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    if (performance.now() > deadline) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

const running = new Set();

let counter = 0;

/**
 * Start a real uWSGI master with the given options and wait until its stats server answers. A port this test
 * bed chose that another process took in the meantime ("Address already in use") is chosen again, twice at most.
 */
export async function startUwsgi(options = {}) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startUwsgiOnce(options);
    } catch (err) {
      const taken = err instanceof Error && err.message.includes('Address already in use');
      if (!taken || attempt >= 3 || options.statsAt !== undefined) throw err;
    }
  }
}

async function startUwsgiOnce(options) {
  const binary = uwsgiBinary();
  const dir = options.dir ?? tempDir();
  const stats = options.stats ?? 'tcp';
  const http = options.http ?? true;
  const timeoutMs = options.timeoutMs ?? 20000;
  const args = [];
  for (const plugin of options.plugins ?? []) args.push('--plugin', plugin);
  if (!options.noMaster) args.push('--master');
  args.push('--die-on-term', '--socket-timeout', '4');
  if (options.wsgiFile !== undefined) args.push('--plugin', 'python3', '--wsgi-file', options.wsgiFile);
  else if (options.app ?? http) args.push('--plugin', 'python3', '--wsgi-file', APP_PY);
  let httpPort = null;
  if (http) {
    httpPort = await freePort();
    args.push('--http-socket', `127.0.0.1:${httpPort}`);
  }
  if (options.workers !== undefined) args.push('--workers', String(options.workers));
  let statsBind = '';
  let statsAddress = '';
  if (options.statsAt) {
    statsBind = options.statsAt;
    statsAddress = statsBind;
  } else if (stats === 'tcp') {
    const port = await freePort();
    statsBind = `127.0.0.1:${port}`;
    statsAddress = statsBind;
  } else if (stats === 'unix') {
    statsBind = join(dir, `stats${counter++}.sock`);
    statsAddress = statsBind;
  } else if (stats === 'abstract') {
    statsBind = `@uwsgitop-test-${process.pid}-${Date.now().toString(36)}-${counter++}`;
    statsAddress = statsBind;
  }
  if (statsBind) args.push(options.statsOption ?? '--stats', statsBind);
  if (options.statsHttp) {
    args.push('--stats-http');
    if (stats === 'tcp') statsAddress = `http://${statsBind}`;
  }
  const fifos = (options.fifos ?? []).map((f) => (f.startsWith('/') ? f : join(dir, f)));
  for (const fifo of fifos) args.push('--master-fifo', fifo);
  args.push(...(options.args ?? []));

  const logFile = join(dir, `uwsgi${counter++}.log`);
  const logFd = openSync(logFile, 'a');
  let child;
  try {
    child = spawn(binary, args, { cwd: dir, detached: true, stdio: ['ignore', logFd, logFd] });
  } finally {
    closeSync(logFd);
  }
  if (child.pid === undefined) throw new Error(`could not start ${binary}`);
  const pid = child.pid;
  let isAlive = true;
  const exited = new Promise((ok) => child.once('exit', () => ((isAlive = false), ok())));

  const proc = {
    pid,
    dir,
    statsAddress,
    statsBind,
    statsPort: statsBind.startsWith('127.0.0.1:') ? Number(statsBind.slice('127.0.0.1:'.length)) : null,
    httpPort,
    statsHttp: options.statsHttp ?? false,
    fifos,
    logFile,
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
    alive: () => isAlive,
    exited,
    async stop(graceMs = 5000) {
      running.delete(proc);
      if (isAlive) {
        try {
          process.kill(pid, 'SIGINT');
        } catch {
          /* already gone */
        }
        await Promise.race([exited, new Promise((r) => setTimeout(r, graceMs))]);
      }
      // Workers share the master's process group (detached spawn): kill what is left of it, by pid.
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        /* group already gone */
      }
      if (isAlive) await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
    },
  };
  running.add(proc);
  if (stats !== 'none' && options.waitForStats !== false) {
    try {
      const died = exited.then(() => {
        throw new Error(`uWSGI exited at start:\n${proc.log().slice(-2000)}`);
      });
      await Promise.race([
        died,
        waitFor(async () => {
          if (!isAlive) return false;
          const body = await rawStatsRead(proc);
          return body.length > 0 && body.includes('"pid"');
        }, `stats server of uWSGI pid ${pid} at ${statsBind}`, timeoutMs, 150),
      ]);
      died.catch(() => undefined);
      const cheap = (options.args ?? []).some((a) => a.startsWith('--cheaper'));
      if (options.workers && (options.waitForWorkers ?? !cheap)) {
        const want = options.workers;
        await Promise.race([
          died,
          waitFor(async () => {
            const body = await rawStatsRead(proc);
            if (!body.includes('"workers"')) return true; // not an instance document (emperor, router)
            // A --stats-http reply starts with its HTTP head: the document is from the first brace on.
            const doc = JSON.parse(body.slice(body.indexOf('{')));
            return doc.workers.filter((w) => w.pid > 0 && w.accepting === 1).length >= want;
          }, `${want} accepting workers of uWSGI pid ${pid}`, timeoutMs, 100),
        ]);
      }
    } catch (err) {
      await proc.stop(1000);
      throw err;
    }
  }
  return proc;
}

/**
 * Read one stats document straight from the socket, as bytes (test-bed only: independent of the code under
 * test). A --stats-http server is sent a GET first; its reply keeps its HTTP head.
 */
export async function rawStatsBytes(proc, timeoutMs = 3000) {
  const bind = proc.statsBind;
  const isHttp = proc.statsHttp ?? false;
  if (bind.startsWith('@')) {
    // Node 20 cannot connect to uWSGI's abstract sockets (see the facts file): ask python3.
    const script =
      'import socket,sys\n' +
      's=socket.socket(socket.AF_UNIX)\n' +
      's.settimeout(3)\n' +
      "s.connect(b'\\0'+sys.argv[1].encode()+b'\\0')\n" +
      "if sys.argv[2]=='http': s.sendall(b'GET / HTTP/1.0\\r\\n\\r\\n')\n" +
      'd=b""\n' +
      'while True:\n' +
      '  c=s.recv(65536)\n' +
      '  if not c: break\n' +
      '  d+=c\n' +
      'sys.stdout.buffer.write(d)\n';
    return execFileSync('python3', ['-c', script, bind.slice(1), isHttp ? 'http' : 'plain'], { timeout: timeoutMs, stdio: ['ignore', 'pipe', 'ignore'] });
  }
  return new Promise((ok, fail) => {
    const socket = bind.startsWith('/')
      ? net.connect({ path: bind })
      : net.connect({ host: bind.slice(0, bind.lastIndexOf(':')), port: Number(bind.slice(bind.lastIndexOf(':') + 1)) });
    const chunks = [];
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error('stats read timed out')));
    socket.on('connect', () => {
      if (isHttp) socket.write('GET / HTTP/1.0\r\n\r\n');
    });
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', fail);
    socket.on('close', () => ok(Buffer.concat(chunks)));
  });
}

/** Read one stats document straight from the socket, as text (see rawStatsBytes). */
export async function rawStatsRead(proc, timeoutMs = 3000) {
  return (await rawStatsBytes(proc, timeoutMs)).toString('utf8');
}

/** Parse one stats document read with rawStatsRead (strips HTTP headers when present). */
export async function rawStats(proc) {
  let text = await rawStatsRead(proc);
  const split = text.indexOf('\r\n\r\n');
  if (text.startsWith('HTTP/') && split >= 0) text = text.slice(split + 4);
  return JSON.parse(text);
}

/** Every worker's `requests` summed. */
export function totalRequests(doc) {
  return doc.workers.reduce((s, w) => s + w.requests, 0);
}

/**
 * The stats document once uWSGI has counted at least `total` requests: it counts a request just after
 * answering it, so a read right after the client got its last answer can miss that one.
 */
export function statsCounting(proc, total) {
  return waitFor(async () => {
    const doc = await rawStats(proc);
    return totalRequests(doc) >= total ? doc : null;
  }, `uWSGI to count ${total} requests`);
}

/** Send `count` HTTP GETs to the instance (sequentially `concurrency` at a time); resolves with the status codes. */
export async function httpRequests(port, path, count, concurrency = 1) {
  const statuses = [];
  let next = 0;
  async function worker() {
    while (next < count) {
      next++;
      try {
        const res = await fetch(`http://127.0.0.1:${port}${path}`);
        await res.arrayBuffer();
        statuses.push(res.status);
      } catch {
        statuses.push(0);
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return statuses;
}

const sockets = new Set();

/** Send one raw HTTP request (arbitrary bytes, e.g. control characters in the URI) without waiting for the answer. */
export function rawHttpRequest(port, requestBytes) {
  const socket = net.connect({ host: '127.0.0.1', port }, () => socket.write(requestBytes));
  socket.on('error', () => undefined);
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
  return socket;
}

/** Stop every instance started here and remove the temp dirs tempDir() made (tests: afterAll/afterEach). */
export async function cleanupAll() {
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  await Promise.all([...running].map((p) => p.stop(3000)));
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

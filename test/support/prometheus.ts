/**
 * Test bed for Prometheus: Debian's `prometheus` and `promtool` (installed by scripts/setup.sh test), run
 * with a temp config and storage on a free loopback port, stopped by pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, tempDir, waitFor } from './uwsgi.js';

function binary(name: string): string {
  for (const dir of ['/usr/bin', '/usr/local/bin']) {
    if (existsSync(join(dir, name))) return join(dir, name);
  }
  throw new Error(`${name} is not installed: run scripts/setup.sh test (installs Debian's prometheus)`);
}

/** Absolute path of promtool; throws (failing the test) when it is not installed. */
export function promtoolBinary(): string {
  return binary('promtool');
}

export interface PrometheusProcess {
  pid: number;
  url: string;
  /** The server's log so far. */
  log(): string;
  /** GET /api/v1/<path> with these query parameters; resolves with the parsed JSON (any status). */
  api(path: string, params?: Record<string, string>): Promise<{ status: string; data?: any; error?: string; errorType?: string }>;
  stop(): Promise<void>;
}

const running = new Set<PrometheusProcess>();

/** Start Prometheus with this config (written to a temp dir) and wait until it is ready. */
export async function startPrometheus(config: string): Promise<PrometheusProcess> {
  const dir = tempDir('uwsgitop-prom-');
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, config);
  const port = await freePort();
  const logFile = join(dir, 'prometheus.log');
  const logFd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(
      binary('prometheus'),
      [`--config.file=${configFile}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
      { cwd: dir, stdio: ['ignore', logFd, logFd] },
    );
  } finally {
    closeSync(logFd);
  }
  if (child.pid === undefined) throw new Error('could not start prometheus');
  const pid = child.pid;
  let alive = true;
  const exited = new Promise<void>((ok) => child.once('exit', () => ((alive = false), ok())));
  const url = `http://127.0.0.1:${port}`;
  const proc: PrometheusProcess = {
    pid,
    url,
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
    async api(path, params = {}) {
      const res = await fetch(`${url}/api/v1/${path}?${new URLSearchParams(params).toString()}`);
      return (await res.json()) as never;
    },
    async stop() {
      running.delete(proc);
      if (!alive) return;
      process.kill(pid, 'SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (alive) {
        process.kill(pid, 'SIGKILL');
        await exited;
      }
    },
  };
  running.add(proc);
  try {
    await waitFor(async () => {
      if (!alive) throw new Error(`prometheus exited:\n${proc.log().slice(-2000)}`);
      return (await fetch(`${url}/-/ready`)).ok;
    }, `prometheus on port ${port} to be ready`, 30000, 200);
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return proc;
}

/** Stop every Prometheus this test file started. */
export async function stopAllPrometheus(): Promise<void> {
  await Promise.all([...running].map((p) => p.stop()));
}

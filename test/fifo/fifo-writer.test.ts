import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FifoError } from '../../src/core/errors.js';
import { probeFifo, writeFifo } from '../../src/fifo/writer.js';
import { cleanupAll, rawStats, REPO_ROOT, startUwsgi, tempDir, waitFor } from '../support/uwsgi.js';

async function failure(promise: Promise<unknown>): Promise<FifoError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof FifoError) return err;
    throw err;
  }
  throw new Error('expected a FifoError, the write succeeded');
}

describe('master FIFO writer', () => {
  afterAll(cleanupAll);

  it('refuses a stale FIFO (no reader) at once with ENXIO and the likely causes', async () => {
    const dir = tempDir();
    const path = join(dir, 'stale.fifo');
    execFileSync('mkfifo', ['-m', '0600', path]);
    const started = Date.now();
    const err = await failure(writeFifo(path, 'r'));
    const elapsed = Date.now() - started;
    expect(err.code).toBe('no-reader');
    expect(err.message).toContain(`no uWSGI master is reading ${path} (ENXIO)`);
    expect(err.message).toContain('is the instance running?');
    // "Immediate": well under the 1.5 s retry window used for a missing path.
    expect(elapsed).toBeLessThan(1000);
    expect(lstatSync(path).isFIFO()).toBe(true);
  });

  it('refuses a regular file and leaves its content unchanged', async () => {
    const dir = tempDir();
    const path = join(dir, 'app.fifo');
    writeFileSync(path, 'precious\n');
    const err = await failure(writeFifo(path, 'q'));
    expect(err.code).toBe('not-fifo');
    expect(err.message).toContain('is a regular file, not a FIFO');
    expect(readFileSync(path, 'utf8')).toBe('precious\n');
  });

  it('never creates a missing path', async () => {
    const dir = tempDir();
    const path = join(dir, 'missing.fifo');
    const err = await failure(writeFifo(path, 'r', { retryMs: 300 }));
    expect(err.code).toBe('missing');
    expect(err.message).toContain('ENOENT');
    expect(existsSync(path)).toBe(false);
  });

  it('refuses an over-long command rather than splitting it', async () => {
    const dir = tempDir();
    const path = join(dir, 'x.fifo');
    execFileSync('mkfifo', [path]);
    const err = await failure(writeFifo(path, 's'.repeat(5000)));
    expect(err.code).toBe('usage');
  });

  it('writes to a live master: several commands in one write reach it in order', async () => {
    const proc = await startUwsgi({ fifos: ['a.fifo'], args: ['--cheaper-algo', 'manual', '--cheaper', '1', '--workers', '3'] });
    const fifo = proc.fifos[0] as string;
    expect((await probeFifo(fifo)).state).toBe('answering');
    // '++' then 's': two more workers, then the master logs its stats (the log is what an operator would look at).
    expect(proc.log()).not.toContain('workers total requests');
    await writeFifo(fifo, '++s');
    await waitFor(async () => (await rawStats(proc)).workers.filter((w: { pid: number }) => w.pid > 0).length === 3, '3 workers after ++', 10000);
    await waitFor(() => proc.log().includes('workers total requests'), 'the stats dump in the log after s', 5000);
  });

  it('explains a permission error with the owner of the FIFO, for an unprivileged writer', async () => {
    const proc = await startUwsgi({ fifos: ['perm.fifo'], workers: 1 });
    const fifo = proc.fifos[0] as string;
    // Compile the writer alone so it can run as nobody (uid 65534) outside vitest.
    const build = tempDir('uwsgitop-build-');
    // The sources are ESM (the repository's package.json says so); say the same for the copy compiled outside it.
    writeFileSync(join(build, 'package.json'), '{"type":"module"}\n');
    execFileSync(join(REPO_ROOT, 'node_modules', '.bin', 'tsc'), [
      '--ignoreConfig', '--outDir', build, '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022',
      '--types', 'node', '--skipLibCheck', '--rootDir', join(REPO_ROOT, 'src'), join(REPO_ROOT, 'src', 'fifo', 'writer.ts'),
    ], { cwd: REPO_ROOT });
    chmodSync(build, 0o755);
    chmodSync(proc.dir, 0o755);
    const script = `import(${JSON.stringify(join(build, 'fifo', 'writer.js'))}).then((m) => m.writeFifo(process.argv[1], 's')).then(() => console.log('WROTE'), (e) => console.log(e.code + ' ' + e.message));`;
    const output = await new Promise<string>((resolveOut, reject) => {
      const child = spawn(process.execPath, ['-e', script, fifo], { uid: 65534, gid: 65534, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (c) => (out += c));
      child.stderr.on('data', (c) => (out += c));
      const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
      child.on('error', reject);
      child.on('exit', () => (clearTimeout(timer), resolveOut(out)));
    });
    expect(output).toContain('permission ');
    expect(output).toContain(`permission denied writing ${fifo}`);
    expect(output).toContain('mode 0600 owned by root (uid 0)');
    expect(output).toContain('nobody (uid 65534)');
    expect(output).not.toContain('WROTE');
    // Owned by root, the advice is to run as root, said once (not "run as root (e.g. sudo -u root ...) or as root").
    expect(output).toContain('run as root (e.g. sudo ...)');
    expect(output).not.toContain('or as root');
    // The master still answers: nothing was broken by the refused attempt.
    expect((await probeFifo(fifo)).state).toBe('answering');
  });
});

/**
 * Permission errors, seen by an unprivileged user. Tests run as root (which may connect to any socket),
 * so the client is compiled to JavaScript and run as nobody (setpriv) against a real uWSGI unix socket.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupAll, REPO_ROOT, startUwsgi, tempDir, type UwsgiProcess } from '../support/uwsgi.js';

const NOBODY = '65534';

let runner = '';
let proc: UwsgiProcess;
let dir = '';

interface ChildResult {
  ok?: boolean;
  pid?: number;
  name?: string;
  code?: string;
  message?: string;
}

/** Run readSnapshot(address) as nobody in a child process; resolves with what it printed. */
function readAsNobody(address: string): Promise<ChildResult> {
  return new Promise((ok, fail) => {
    execFile(
      'setpriv',
      ['--reuid', NOBODY, '--regid', NOBODY, '--clear-groups', process.execPath, runner, address],
      { timeout: 15000 },
      (err, stdout, stderr) => {
        if (err) fail(new Error(`child failed: ${err.message}\n${stderr}`));
        else ok(JSON.parse(stdout) as ChildResult);
      },
    );
  });
}

beforeAll(async () => {
  if (process.getuid?.() !== 0) throw new Error('this test needs root to switch to nobody with setpriv');
  // Compile the client (and what it imports) to plain JavaScript that nobody can read.
  const out = tempDir('uwsgitop-perm-build-');
  chmodSync(out, 0o755);
  execFileSync(
    join(REPO_ROOT, 'node_modules', '.bin', 'tsc'),
    ['--ignoreConfig', '--outDir', out, '--rootDir', join(REPO_ROOT, 'src'), '--module', 'nodenext', '--moduleResolution', 'nodenext',
      '--target', 'es2022', '--skipLibCheck', '--types', 'node', '--noCheck', join(REPO_ROOT, 'src', 'stats', 'client.ts')],
    { cwd: REPO_ROOT, stdio: 'pipe' },
  );
  execFileSync('chmod', ['-R', 'a+rX', out]);
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(out, 'node_modules'));
  writeFileSync(join(out, 'package.json'), '{"type":"module"}');
  runner = join(out, 'runner.js');
  writeFileSync(
    runner,
    `import { parseAddress } from './stats/address.js';
import { readSnapshot } from './stats/client.js';
try {
  const s = await readSnapshot(parseAddress(process.argv[2]));
  console.log(JSON.stringify({ ok: true, pid: s.doc.pid }));
} catch (e) {
  console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message }));
}
`,
  );
  chmodSync(runner, 0o644);

  dir = tempDir('uwsgitop-perm-');
  chmodSync(dir, 0o755);
  proc = await startUwsgi({ stats: 'unix', dir, workers: 1 });
}, 60000);

afterAll(async () => {
  await cleanupAll();
});

describe('permission denied, as an unprivileged user', () => {
  const owner = `${userInfo().username} (uid ${process.getuid?.()})`;

  it('an accessible socket is read by nobody (the harness works)', async () => {
    chmodSync(proc.statsBind, 0o777);
    const result = await readAsNobody(proc.statsBind);
    expect(result).toEqual({ ok: true, pid: proc.pid });
  }, 30000);

  it('a socket with mode 0000 names its owner and mode', async () => {
    chmodSync(proc.statsBind, 0o000);
    try {
      const result = await readAsNobody(proc.statsBind);
      expect(result.name).toBe('StatsReadError');
      expect(result.code).toBe('permission');
      expect(result.message).toBe(
        `permission denied connecting to ${proc.statsBind} (EACCES): ${proc.statsBind} is owned by ${owner} with mode 0000: run as that user, or have uWSGI give the socket a mode that lets this user write to it`,
      );
    } finally {
      chmodSync(proc.statsBind, 0o777);
    }
  }, 30000);

  it('a directory that cannot be entered is named instead', async () => {
    const inner = join(dir, 'private');
    mkdirSync(inner, { mode: 0o700 });
    const path = join(inner, 'stats.sock');
    const result = await readAsNobody(path);
    expect(result.code).toBe('permission');
    expect(result.message).toBe(
      `permission denied connecting to ${path} (EACCES): the directory ${inner} (owner ${owner}, mode 0700) cannot be entered by this user`,
    );
  }, 30000);

  it('a saved document nobody may read', async () => {
    const saved = join(dir, 'saved.json');
    writeFileSync(saved, '{}', { mode: 0o600 });
    const result = await readAsNobody(`file:${saved}`);
    expect(result.code).toBe('permission');
    expect(result.message).toBe(`permission denied reading ${saved} (EACCES): ${saved} is owned by ${owner} with mode 0600: run as that user, or make the file readable to this user`);
  }, 30000);
});

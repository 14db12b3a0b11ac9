/**
 * The package as a user gets it: `npm pack` of this tree (dist/ and dist/bundle built by the global setup),
 * `npm install -g` of the tarball into a temp prefix on the Node that runs this suite (scripts/test.sh runs it
 * on each supported line), then each command against a real uWSGI: --version, --once, --json, serve with
 * /metrics and the page, --record and replay, the dashboard's first frame in tmux.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paneSeen, privateTmux } from './support/tmux.js';
import { cleanupAll, freePort, REPO_ROOT, startUwsgi, tempDir, waitFor, type UwsgiProcess } from './support/uwsgi.js';
import { spawnShell } from './cli-helpers.js';

// The Node under test first on PATH: npm, and the installed command's `exec node`, run on it.
const ENV = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`, TZ: 'UTC' };
const children = new Set<ChildProcess>();
let prefix: string;
let installed: string;
let command: string;
let uwsgi: UwsgiProcess;

function run(args: string[], timeout = 20_000): { code: number; stdout: string; stderr: string } {
  try {
    const stdout = execFileSync(command, args, { env: ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout });
    return { code: 0, stdout, stderr: '' };
  } catch (err) {
    const e = err as { status: number; stdout: string; stderr: string };
    return { code: e.status, stdout: e.stdout, stderr: e.stderr };
  }
}

function start(args: string[]): { child: ChildProcess; out: () => string; err: () => string } {
  const child = spawn(command, args, { env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString('utf8')));
  return { child, out: () => out, err: () => err };
}

async function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const closed = new Promise<number | null>((r) => child.once('close', (code) => r(code)));
  child.kill('SIGINT');
  return closed;
}

beforeAll(async () => {
  const dir = tempDir('uwsgitop-pack-');
  // --ignore-scripts: the global setup built dist/ and dist/bundle once; a prepack here would rebuild the dist/
  // that other test files are running.
  const name = execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', dir], { cwd: REPO_ROOT, env: ENV, encoding: 'utf8' }).trim().split('\n').at(-1)!;
  prefix = join(dir, 'prefix');
  // --offline: the package has no dependencies to fetch.
  execFileSync('npm', ['install', '-g', '--offline', '--no-audit', '--no-fund', '--loglevel=error', '--prefix', prefix, join(dir, name)], { env: ENV, stdio: 'ignore', timeout: 120_000 });
  installed = join(prefix, 'lib', 'node_modules', 'uwsgitop-ts');
  command = join(prefix, 'bin', 'uwsgitop-ts');
  uwsgi = await startUwsgi({ workers: 2 });
}, 180_000);

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await cleanupAll();
});

describe(`npm install -g of the tarball, on Node ${process.versions.node}`, () => {
  it('installs one package (its dependencies are bundled), with the docs its help names, LICENSE and CHANGELOG', () => {
    const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(readdirSync(join(installed))).not.toContain('node_modules');
    for (const f of ['LICENSE', 'CHANGELOG.md', 'README.md']) expect(statSync(join(installed, f)).size, f).toBeGreaterThan(100);
    expect(readFileSync(join(installed, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} uwsgitop-ts contributors\n/);
    const help = [run(['--help']).stdout, run(['help', 'serve']).stdout, run(['help', 'replay']).stdout].join('\n');
    const docs = [...new Set(help.match(/docs\/[\w.-]+\.md/g) ?? [])];
    expect(docs.length).toBeGreaterThan(0);
    for (const d of docs) expect(existsSync(join(installed, d)), d).toBe(true);
  });

  it('man uwsgitop-ts finds the installed page (man looks beside PATH\'s bin), and the bash completion it carries completes', () => {
    const man = execFileSync('man', ['uwsgitop-ts'], { env: { ...ENV, PATH: `${join(prefix, 'bin')}:${ENV.PATH}`, MANPAGER: 'cat', MANPATH: '', LC_ALL: 'C.UTF-8' }, encoding: 'utf8' });
    expect(man).toContain('uwsgitop-ts - live terminal monitor and controller for uWSGI');
    expect(execFileSync('man', ['-w', 'uwsgitop-ts'], { env: { ...ENV, PATH: `${join(prefix, 'bin')}:${ENV.PATH}`, MANPATH: '' }, encoding: 'utf8' }).trim()).toBe(join(installed, 'dist', 'man', 'uwsgitop-ts.1'));
    expect(realpathSync(join(prefix, 'share', 'man', 'man1', 'uwsgitop-ts.1'))).toBe(join(installed, 'dist', 'man', 'uwsgitop-ts.1'));
    const script = `source ${join(installed, 'dist', 'completions', 'uwsgitop-ts.bash')}; COMP_WORDS=(uwsgitop-ts serve --token-f); COMP_CWORD=2; _uwsgitop_ts; echo "\${COMPREPLY[*]}"`;
    expect(execFileSync('bash', ['--norc', '--noprofile', '-c', script], { encoding: 'utf8' })).toBe('--token-file\n');
    for (const f of ['_uwsgitop-ts', 'uwsgitop-ts.fish']) expect(existsSync(join(installed, 'dist', 'completions', f)), f).toBe(true);
  });

  it('--version, --once and --json read the real instance', () => {
    expect(run(['--version'])).toEqual({ code: 0, stdout: `${JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).version}\n`, stderr: '' });
    const once = run(['--once', '-i', '0.2', uwsgi.statsAddress]);
    expect(once.code, once.stderr).toBe(0);
    expect(once.stdout).toContain(`master pid ${uwsgi.pid}`);
    const json = run(['--json', uwsgi.statsAddress]);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, pid: uwsgi.pid, target: uwsgi.statsAddress });
  });

  it('serve answers /metrics with the instance and serves the page, on this very Node', async () => {
    const port = await freePort();
    const serve = start(['serve', '--listen', `127.0.0.1:${port}`, '-i', '0.2', uwsgi.statsAddress]);
    const metrics = await waitFor(async () => {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`).catch(() => null);
      const text = res?.ok ? await res.text() : '';
      return text.includes('uwsgi_workers{') ? text : null;
    }, `/metrics of serve (stderr: ${serve.err()})`);
    expect(metrics).toMatch(new RegExp(`^uwsgi_workers\\{[^}]*target="${uwsgi.statsAddress.replace(/[.[\]]/g, '\\$&')}"[^}]*\\} 2$`, 'm'));
    const page = await fetch(`http://127.0.0.1:${port}/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    const scripts = [...html.matchAll(/<script[^>]*src="([^"]+)"/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    for (const s of scripts) expect((await fetch(new URL(s, `http://127.0.0.1:${port}/`))).status, s).toBe(200);
    // sh exec'd the node first on PATH: the one under test.
    expect(readlinkSync(`/proc/${serve.child.pid}/exe`)).toBe(readlinkSync('/proc/self/exe'));
    expect(await stop(serve.child)).toBe(0);
  }, 30_000);

  it('--json --watch --record writes a recording that replay reads back, poll for poll', async () => {
    const file = join(tempDir('uwsgitop-pack-rec-'), 'rec.uwrec');
    const rec = start(['--json', '--watch', '-i', '0.2', '--record', file, uwsgi.statsAddress]);
    await waitFor(() => rec.out().split('\n').length > 4, 'four polls');
    expect(await stop(rec.child)).toBe(0);
    const live = rec.out().trim().split('\n').map((l) => JSON.parse(l));
    const replay = run(['replay', file, '--json']);
    expect(replay.code, replay.stderr).toBe(0);
    const replayed = replay.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(replayed.map((r) => [r.readAtMs, r.pid])).toEqual(live.map((r) => [r.readAtMs, r.pid]));
    const once = run(['replay', file, '--once']);
    expect(once.code, once.stderr).toBe(0);
    expect(once.stdout).toContain(`master pid ${uwsgi.pid}`);
  }, 30_000);

  describe('the dashboard in tmux', () => {
    const tmux = privateTmux('uwsgitop-pack');
    for (const term of ['xterm-256color', 'uwsgitop-unknown-term']) {
      it(`draws its first frame with TERM=${term}${term.includes('unknown') ? ' (blessed falls back to the terminfo it carries)' : ''} and quits on q`, async () => {
        const name = term.replace(/\W/g, '');
        tmux('new-session', '-d', '-s', name, '-x', '100', '-y', '30', 'env', `PATH=${ENV.PATH}`, `TERM=${term}`, 'bash', '--norc', '--noprofile');
        tmux('send-keys', '-t', name, `${command} -i 0.5 ${uwsgi.statsAddress}; echo "exit=$?"`, 'Enter');
        const seen = paneSeen(tmux, name);
        const frame = await seen((s) => s.includes('● live') && s.includes(String(uwsgi.pid)), 'the live dashboard with the master pid');
        expect(frame).not.toMatch(/Error|at .*\.js:\d+/);
        tmux('send-keys', '-t', name, 'q');
        await seen((s) => s.includes('exit=0'), 'exit=0 after q');
      }, 30_000);
    }
  });
});

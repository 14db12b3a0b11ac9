/**
 * The package as a user gets it: `npm pack` of this tree (dist/ and dist/bundle built by the global setup),
 * `npm install -g` of the tarball into a temp prefix on the Node that runs this suite (scripts/test.sh runs it
 * on each supported line), then each command against a real uWSGI: --version, --once, --json, serve with
 * /metrics and the page, --record and replay, the dashboard's first frame in tmux. Then the deployment examples
 * in contrib/ with that installed command: the systemd unit and the container example.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paneSeen, privateTmux } from '../support/tmux.js';
import { cleanupAll, freePort, REPO_ROOT, startUwsgi, tempDir, waitFor, type UwsgiProcess } from '../support/uwsgi.js';
import { spawnShell } from '../support/cli-helpers.js';

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

  it('a document with fields of the wrong type is read with the slow path\'s warnings (zod, from the bundle)', () => {
    const out = execFileSync(command, ['--json', '-'], { env: ENV, encoding: 'utf8', input: '{"pid": "12", "workers": [{"id": 1, "pid": "x"}]}' });
    expect(JSON.parse(out).warnings).toEqual(['pid: expected number, got string', 'workers[0].pid: expected number, got string']);
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
    // A relay client's frames are validated by zod (the bundle's zod.cjs, loaded on first use).
    const relayed = run(['--json', `ws://127.0.0.1:${port}`]);
    expect(relayed.code, relayed.stderr).toBe(0);
    expect(JSON.parse(relayed.stdout.trim().split('\n')[0]!)).toMatchObject({ ok: true, pid: uwsgi.pid });
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

/** `serve`'s command line made runnable here: the unit's or image's paths and addresses swapped for temp ones. */
async function runServe(args: string[], token: string): Promise<{ port: number; stop: () => Promise<number | null> }> {
  const serve = start(args);
  const port = Number(/127\.0\.0\.1:(\d+)/.exec(args.find((a) => a.startsWith('127.0.0.1:') && a !== uwsgi.statsAddress) ?? '')![1]);
  await waitFor(async () => {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { Authorization: `Bearer ${token}` } }).catch(() => null);
    return res?.ok && (await res.text()).includes('uwsgi_workers{') ? true : null;
  }, `/metrics of ${args.join(' ')} (stderr: ${serve.err()})`);
  expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(401);
  return { port, stop: () => stop(serve.child) };
}

describe('contrib/systemd/uwsgitop-ts-serve.service', () => {
  const unitText = readFileSync(join(REPO_ROOT, 'contrib', 'systemd', 'uwsgitop-ts-serve.service'), 'utf8');

  it('passes systemd-analyze verify (its ExecStart pointed at the installed command) and rates OK in its security review', () => {
    const dir = tempDir('uwsgitop-unit-');
    const unit = join(dir, 'uwsgitop-ts-serve.service');
    writeFileSync(unit, unitText.replace('/usr/local/bin/uwsgitop-ts', command));
    // man is asked for the Documentation= page: the installed one, found beside PATH's bin.
    const env = { ...ENV, PATH: `${join(prefix, 'bin')}:${ENV.PATH}`, MANPATH: '' };
    const verify = spawnSync('systemd-analyze', ['verify', unit], { env, encoding: 'utf8' });
    expect({ status: verify.status, stderr: verify.stderr }).toEqual({ status: 0, stderr: '' });
    const security = spawnSync('systemd-analyze', ['security', '--offline=yes', '--no-pager', unit], { env, encoding: 'utf8' });
    const level = Number(/Overall exposure level for \S+: ([\d.]+)/.exec(security.stdout)?.[1]);
    expect(level, security.stdout.split('\n').slice(-3).join('\n')).toBeLessThanOrEqual(2);
  });

  it('its ExecStart runs as systemd would run it (%d the credentials, %S the state directory): token required, polls recorded', async () => {
    const execStart = /^ExecStart=(.+)$/m.exec(unitText)![1]!.split(' ');
    const creds = tempDir('uwsgitop-creds-');
    const state = tempDir('uwsgitop-state-');
    const token = 'unit-token-0123456789';
    writeFileSync(join(creds, 'token'), `${token}\n`);
    mkdirSync(join(state, 'uwsgitop-ts'));
    const port = await freePort();
    const args = execStart.slice(1).map((a) =>
      a.replace('%d', creds).replace('%S', state).replace('0.0.0.0:9192', `127.0.0.1:${port}`).replace(/^127\.0\.0\.1:9191$/, uwsgi.statsAddress),
    );
    expect(execStart[0]).toBe('/usr/local/bin/uwsgitop-ts');
    const serve = await runServe(args, token);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await serve.stop()).toBe(0);
    const replay = run(['replay', join(state, 'uwsgitop-ts'), '--json']);
    expect(replay.code, replay.stderr).toBe(0);
    expect(replay.stdout.trim().split('\n').map((l) => JSON.parse(l).pid)).toContain(uwsgi.pid);
  }, 30_000);
});

describe('contrib/container (no docker here: its files and commands are run as far as this machine allows)', () => {
  const dir = join(REPO_ROOT, 'contrib', 'container');

  it("compose.yaml builds both images from files that exist, and serve shares the app's network namespace", () => {
    const compose = JSON.parse(execFileSync('python3', ['-c', 'import json,sys,yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))', join(dir, 'compose.yaml')], { encoding: 'utf8' }));
    expect(Object.keys(compose.services).sort()).toEqual(['app', 'uwsgitop']);
    expect(compose.services.uwsgitop.network_mode).toBe('service:app');
    for (const [name, svc] of Object.entries<{ build: string }>(compose.services)) {
      const dockerfile = readFileSync(join(dir, svc.build, 'Dockerfile'), 'utf8');
      for (const m of dockerfile.matchAll(/^COPY (.+) \S+$/gm)) {
        for (const src of m[1]!.split(' ')) if (!src.includes('*')) expect(existsSync(join(dir, svc.build, src)), `${name}: COPY ${src}`).toBe(true);
      }
    }
  });

  it("the app image's uWSGI ini and the serve image's ENTRYPOINT and CMD run against each other", async () => {
    const work = tempDir('uwsgitop-container-');
    const [httpPort, statsPort, port] = [await freePort(), await freePort(), await freePort()];
    const ini = readFileSync(join(dir, 'app', 'uwsgi.ini'), 'utf8')
      .replace('0.0.0.0:8000', `127.0.0.1:${httpPort}`).replace('127.0.0.1:9191', `127.0.0.1:${statsPort}`).replaceAll('/run/app', work)
      .replace('%d/app.py', join(dir, 'app', 'app.py'));
    writeFileSync(join(work, 'uwsgi.ini'), ini);
    const app = spawn('uwsgi', ['--ini', join(work, 'uwsgi.ini')], { cwd: work, stdio: ['ignore', 'ignore', 'ignore'], detached: true });
    children.add(app);
    try {
      await waitFor(() => existsSync(join(work, 'master.fifo')), 'the app uWSGI and its master FIFO');
      const dockerfile = readFileSync(join(dir, 'Dockerfile'), 'utf8');
      const cmd = JSON.parse(/^CMD (\[.+\])$/m.exec(dockerfile)![1]!) as string[];
      expect(JSON.parse(/^ENTRYPOINT (\[.+\])$/m.exec(dockerfile)![1]!)).toEqual(['uwsgitop-ts']);
      const token = 'container-token-0123456789';
      writeFileSync(join(work, 'token'), token);
      mkdirSync(join(work, 'rec'));
      const args = cmd.map((a) =>
        a.replace('0.0.0.0:9192', `127.0.0.1:${port}`).replace('/run/secrets/uwsgitop_token', join(work, 'token')).replace('/var/lib/uwsgitop-ts', join(work, 'rec'))
          .replace('/run/app', work).replaceAll('127.0.0.1:9191', `127.0.0.1:${statsPort}`),
      );
      const serve = await runServe(args, token);
      const metrics = await (await fetch(`http://127.0.0.1:${serve.port}/metrics`, { headers: { Authorization: `Bearer ${token}` } })).text();
      expect(metrics).toMatch(/^uwsgi_workers\{[^}]*\} 2$/m);
      expect(await serve.stop()).toBe(0);
    } finally {
      process.kill(-app.pid!, 'SIGTERM');
    }
  }, 40_000);
});

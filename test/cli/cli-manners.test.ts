/**
 * First-hour messages on the command line, against real uWSGI instances: the application's HTTP port given
 * as a stats address, out-of-range numbers in the text report's header, `replay --at` before the
 * recording, a wss:// relay with an untrusted certificate, `read-recording.py | head`, and --help.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runServeCli } from '../../src/cli/serve-cli.js';
import { Recording } from '../../src/record/reader.js';
import { KEYMAP, keysMarkdown } from '../../src/views/dashboard/keymap.js';
import { buildDist, LAUNCHER, runCli, spawnShell } from '../support/cli-helpers.js';
import { paneSeen, privateTmux } from '../support/tmux.js';
import { sample } from '../support/views-support.js';
import { cleanupAll, freePort, REPO_ROOT, startUwsgi, tempDir, waitFor, type UwsgiProcess } from '../support/uwsgi.js';

const tmux = privateTmux('i22-cli');
let proc: UwsgiProcess;
let recording: string;

beforeAll(async () => {
  buildDist();
  proc = await startUwsgi({ workers: 2 });
  recording = join(tempDir(), 'app.uwrec');
  const r = await runCli(['--json', '--watch', '--count', '4', '-i', '0.2', '--record', recording, proc.statsAddress]);
  expect(r.code, r.stderr).toBe(0);
}, 120_000);

afterAll(cleanupAll);

describe('messages that say what happened', () => {
  it("the application's HTTP port given as a stats address: an HTTP application, not a stats server, and what to give", async () => {
    const r = await runCli(['--once', '-i', '0.2', `127.0.0.1:${proc.httpPort}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`127.0.0.1:${proc.httpPort}: this is an HTTP application, not a stats server`);
    expect(r.stderr).toContain("uWSGI's --stats option");
    expect(r.stderr).not.toContain('invalid JSON');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    // The same through http://, and in --json's error code.
    const json = await runCli(['--json', `http://127.0.0.1:${proc.httpPort}`]);
    const rec = JSON.parse(json.stdout);
    expect(rec.ok).toBe(false);
    expect(rec.errorCode).toBe('http-application');
  });

  it('out-of-range queue numbers read "-" in the text report header, as the warning says, never NaN', async () => {
    const doc = sample('instance-busy.json');
    doc.listen_queue = 'LQ';
    doc.signal_queue = 'SQ';
    doc.listen_queue_errors = 'LQE';
    const file = join(tempDir(), 'absurd.json');
    writeFileSync(file, JSON.stringify(doc).replace('"LQ"', '1e999').replace('"SQ"', '-1e999').replace('"LQE"', '1e999'));
    const r = await runCli(['--once', `file:${file}`]);
    const header = r.stdout.split('\n').slice(0, 4).join('\n');
    expect(header).not.toContain('NaN');
    expect(header).toMatch(/listen queue -\/\d+ {2}queue errors - {2}signal queue - /);
    expect(r.stdout).toContain('listen_queue: out of range (infinite), shown as -');
  });

  it('replay --at before the recording starts says so: --once ends with the reason, --json starts at the first poll and says it', async () => {
    const start = Recording.open(recording).polls[0]!.t;
    const early = new Date(start - 3_600_000).toISOString();
    const once = await runCli(['replay', recording, '--once', '--at', early]);
    expect(once.code).toBe(1);
    expect(once.stdout).toBe('');
    expect(once.stderr).toMatch(/^uwsgitop-ts: replay: --at \S+: before the recording starts \(.*\): nothing recorded then\n$/);
    const json = await runCli(['replay', recording, '--json', '--at', early]);
    expect(json.code).toBe(0);
    expect(json.stderr).toMatch(/: before the recording starts .*: from its first poll\n$/);
    expect(json.stdout.trim().split('\n')).toHaveLength(Recording.open(recording).polls.length);
    // Inside the recording: no note.
    const inside = await runCli(['replay', recording, '--once', '--at', new Date(start + 1).toISOString()]);
    expect(inside.code, inside.stderr).toBe(0);
    expect(inside.stderr).toBe('');
  });

  it('replay --at before the start says so on the dashboard too', async () => {
    const start = Recording.open(recording).polls[0]!.t;
    tmux('new-session', '-d', '-s', 'replay', '-x', '100', '-y', '30', '-c', REPO_ROOT, 'bash --norc --noprofile');
    tmux('send-keys', '-t', 'replay', `node ${LAUNCHER} replay ${recording} --at ${new Date(start - 3_600_000).toISOString()}; echo "exit=$?"`, 'Enter');
    const seen = paneSeen(tmux, 'replay');
    await seen((x) => x.includes('--at: before the recording starts') && x.includes('first poll shown'), 'the note on the status line');
    tmux('send-keys', '-t', 'replay', 'q');
    await seen((x) => x.includes('exit=0'), 'exit');
  }, 60_000);

  it('scripts/read-recording.py FILE | head ends quietly (no BrokenPipe traceback)', async () => {
    // Enough records that head closes the pipe while Python still writes.
    const big = join(tempDir(), 'big.uwrec');
    const r = await runCli(['--json', '--watch', '--count', '40', '-i', '0.1', '--record', big, proc.statsAddress]);
    expect(r.code, r.stderr).toBe(0);
    const piped = await spawnShell(`python3 scripts/read-recording.py ${big} | head -n 1`);
    expect(piped.stderr).toBe('');
    expect(piped.code).toBe(0);
    expect(JSON.parse(piped.stdout).doc.pid).toBe(proc.pid);
  });
});

describe('a wss:// relay with an untrusted certificate', () => {
  let port = 0;
  let cert = '';
  const stop = new AbortController();
  let served: Promise<number>;

  beforeAll(async () => {
    const dir = tempDir();
    cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    port = await freePort();
    const out = new PassThrough();
    let printed = '';
    out.on('data', (c: Buffer) => (printed += c.toString('utf8')));
    served = runServeCli([proc.statsAddress, '--listen', `127.0.0.1:${port}`, '--interval', '0.3', '--tls-cert', cert, '--tls-key', key], { stdout: out, stderr: new PassThrough(), env: {}, signal: stop.signal });
    await waitFor(() => printed.includes(`https://127.0.0.1:${port}/`), 'serve to print its https address');
  }, 60_000);

  afterAll(async () => {
    stop.abort();
    await served;
  });

  it('ends the dashboard at once with a one-line reason and status 1, as README says; NODE_EXTRA_CA_CERTS makes it work', async () => {
    tmux('new-session', '-d', '-s', 'wss', '-x', '160', '-y', '30', '-c', REPO_ROOT, 'bash --norc --noprofile');
    tmux('send-keys', '-t', 'wss', `node ${LAUNCHER} wss://127.0.0.1:${port}; echo "exit=$?"`, 'Enter');
    const seen = paneSeen(tmux, 'wss');
    await seen((x) => /^exit=\d/m.test(x), 'the command to end', 20_000);
    // Joined: the reason is one line, however the pane wraps it.
    const s = tmux('capture-pane', '-p', '-J', '-t', 'wss');
    expect(s, s).toContain('exit=1');
    const reason = s.split('\n').filter((l) => l.startsWith('uwsgitop-ts: '));
    expect(reason).toHaveLength(1);
    expect(reason[0]).toContain('self-signed certificate');
    expect(reason[0]).toContain('NODE_EXTRA_CA_CERTS');
    tmux('send-keys', '-t', 'wss', 'clear', 'Enter');
    tmux('send-keys', '-t', 'wss', `NODE_EXTRA_CA_CERTS=${cert} node ${LAUNCHER} wss://127.0.0.1:${port}; echo "exit=$?"`, 'Enter');
    await seen((x) => x.includes('● live'), 'live through the trusted relay');
    tmux('send-keys', '-t', 'wss', 'q');
    await seen((x) => x.includes('exit=0'), 'exit');
  }, 60_000);

  it('ends --once with the same line', async () => {
    const r = await runCli(['--once', `wss://127.0.0.1:${port}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^uwsgitop-ts: relay wss:\/\/127\.0\.0\.1:\d+\/\S*: its certificate is not trusted \(self-signed certificate\).*NODE_EXTRA_CA_CERTS/);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});

describe('--help and README say what the code does', () => {
  it('--help lists replay among the commands, wss:// among the addresses, and every dashboard key from the keymap', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\s+uwsgitop-ts replay PATH/m);
    expect(r.stdout).toContain('wss://HOST:PORT');
    for (const b of KEYMAP.filter((x) => x.label !== '')) expect(r.stdout, b.action).toContain(`${b.label.padEnd(16)} ${b.help.replace(/\u00a0/g, ' ')}`);
    expect(r.stdout).toContain('Ctrl-Z');
  });

  it("README's key table is the keymap's, exactly", () => {
    const readme = readFileSync(`${REPO_ROOT}/README.md`, 'utf8');
    const m = /<!-- keys: generated from src\/views\/dashboard\/keymap\.ts -->\n([\s\S]*?)<!-- \/keys -->/.exec(readme);
    expect(m, 'README.md has the keys markers').not.toBeNull();
    expect(m![1], 'README.md key table (regenerate it from keysMarkdown())').toBe(keysMarkdown());
  });

  it('--sort with an unknown column is a usage error naming the columns; a known one (title or name) is accepted', async () => {
    const bad = await runCli(['--sort', 'nosuch', '--once', proc.statsAddress]);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/^uwsgitop-ts: --sort: no column "nosuch" in the workers \(vassals, nodes\) table; the columns are WID, %, PID, REQ, .*BUSY%.* \(see --help\)\n$/);
    for (const good of ['BUSY%', 'rss', 'ReSpwn']) {
      const ok = await runCli(['--sort', good, '--once', '-i', '0.1', proc.statsAddress]);
      expect(ok.code, `${good}: ${ok.stderr}`).toBe(0);
    }
  });
});

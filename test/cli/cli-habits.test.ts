/**
 * Habits that used to exit 2, each against a real uWSGI: uwsgitop's --frequency, top's -d -b -n, htop's -C,
 * -v/-V, help, help serve, version, uwsgi_exporter's tcp:// and unix:// addresses, --interval 2s; --help lists
 * the subcommands. The option table drives commander for every command and README's options section.
 * And --fifo only pairs a FIFO with a target, matched by endpoint whatever the spelling.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPTION_TABLE, optionsMarkdown, optionsOf } from '../../src/cli/option-table.js';
import { parseSeconds } from '../../src/cli/options.js';
import { runCli } from '../support/cli-helpers.js';
import { cleanupAll, REPO_ROOT, startUwsgi, type UwsgiProcess } from '../support/uwsgi.js';

let tcp: UwsgiProcess;
let unix: UwsgiProcess;
const port = (): string => tcp.statsAddress.split(':')[1]!;
const version = (JSON.parse(readFileSync(`${REPO_ROOT}/package.json`, 'utf8')) as { version: string }).version;

beforeAll(async () => {
  [tcp, unix] = await Promise.all([startUwsgi({ workers: 1 }), startUwsgi({ workers: 1, stats: 'unix' })]);
}, 60_000);
afterAll(cleanupAll);

/** The JSON records of a --json run, one per line. */
function records(stdout: string): Array<{ target: string; ok: boolean; pid: number }> {
  return stdout.trimEnd().split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

describe('habits of other tools', () => {
  it("accepts uwsgitop's --frequency N and --interval with a unit (2s, 300ms)", async () => {
    const freq = await runCli(['--frequency', '0.3', '--once', tcp.statsAddress]);
    expect(freq.stderr).toBe('');
    expect(freq.code).toBe(0);
    expect(freq.stdout).toContain(`master pid ${tcp.pid}`);
    const unit = await runCli(['--interval', '300ms', '--once', tcp.statsAddress]);
    expect(unit.code, unit.stderr).toBe(0);
    const json = await runCli(['--json', '--interval', '2s', tcp.statsAddress]);
    expect(json.code, json.stderr).toBe(0);
    expect(parseSeconds('--interval', '2s', 0.1)).toBe(2);
    expect(parseSeconds('--interval', '500ms', 0.1)).toBe(0.5);
    const both = await runCli(['--frequency', '1', '-d', '2', '--once', tcp.statsAddress]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--frequency and -d both set the interval/);
  });

  it("accepts top's -b -n N -d N: N batch reports, one delay apart", async () => {
    const r = await runCli(['-b', '-n', '2', '-d', '0.2', tcp.statsAddress]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.match(new RegExp(`master pid ${tcp.pid}`, 'g'))).toHaveLength(2);
  });

  it("accepts htop's -C and --no-colour", async () => {
    for (const flag of ['-C', '--no-colour']) {
      const r = await runCli([flag, '--once', '-i', '0.2', tcp.statsAddress]);
      expect(r.code, `${flag}: ${r.stderr}`).toBe(0);
    }
  });

  it('prints the version for -v, -V, --version and version', async () => {
    for (const words of [['-v'], ['-V'], ['--version'], ['version']]) {
      const r = await runCli(words);
      expect(r.code, words.join(' ')).toBe(0);
      expect(r.stdout.trim()).toBe(version);
    }
  });

  it('help prints the help, which lists the subcommands; help serve prints the serve help', async () => {
    const help = await runCli(['help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toBe((await runCli(['--help'])).stdout);
    for (const sub of ['serve', 'fifo', 'dance', 'help', 'version']) expect(help.stdout).toMatch(new RegExp(`^\\s+uwsgitop-ts ${sub}\\b`, 'm'));
    const serve = await runCli(['help', 'serve']);
    expect(serve.code).toBe(0);
    expect(serve.stdout).toContain('--listen <host:port>');
    const unknown = await runCli(['help', 'frobnicate']);
    expect(unknown.code).toBe(2);
  });

  it("reads uwsgi_exporter's tcp://HOST:PORT and unix:///path addresses", async () => {
    const r = await runCli(['--json', `tcp://${tcp.statsBind}`, `unix://${unix.statsBind}`]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(records(r.stdout).map((x) => [x.ok, x.pid])).toEqual([[true, tcp.pid], [true, unix.pid]]);
  });
});

describe('--fifo pairs, never adds', () => {
  it('pairs 127.0.0.1:P with :P (one target), and a pair naming no target is ignored with a warning, not read', async () => {
    const same = await runCli(['--json', '--fifo', `127.0.0.1:${port()}=/run/none.fifo`, `:${port()}`]);
    expect(same.stderr).toBe('');
    expect(records(same.stdout).map((x) => x.target)).toEqual([`:${port()}`]);
    const spellings = await runCli(['--json', `:${port()}`, `localhost:${port()}`, `tcp://127.0.0.1:${port()}`, `127.0.0.1:${port()}`]);
    expect(records(spellings.stdout).map((x) => x.target)).toEqual([`:${port()}`]);
    const other = await runCli(['--json', '--fifo', ':1=/run/none.fifo', tcp.statsAddress]);
    expect(other.code).toBe(0);
    expect(records(other.stdout).map((x) => x.target)).toEqual([tcp.statsAddress]);
    expect(other.stderr).toMatch(/^uwsgitop-ts: warning: --fifo :1=\/run\/none\.fifo pairs no target given .*: ignored\n$/);
  });
});

describe('the option table', () => {
  it('drives every command: each --help lists each of its options', async () => {
    for (const name of ['monitor', 'serve', 'fifo', 'dance'] as const) {
      const r = await runCli(name === 'monitor' ? ['--help'] : [name, '--help']);
      expect(r.code, name).toBe(0);
      for (const row of optionsOf(name)) expect(r.stdout, `${name} ${row.flags}`).toContain(row.flags.replace(/ <.*$/, ''));
    }
    expect(OPTION_TABLE.length).toBeGreaterThan(20);
  });

  it("is README's options section, exactly", () => {
    const readme = readFileSync(`${REPO_ROOT}/README.md`, 'utf8');
    const m = /<!-- options: generated from src\/cli\/option-table\.ts -->\n([\s\S]*?)<!-- \/options -->/.exec(readme);
    expect(m, 'README.md has the options markers').not.toBeNull();
    expect(m![1], 'README.md options section (regenerate it from optionsMarkdown())').toBe(optionsMarkdown());
  });
});

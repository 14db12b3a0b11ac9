/** Helpers for the CLI tests: run main() with in-memory streams, run the built launcher, read report tables. */
import { PassThrough } from 'node:stream';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { REPO_ROOT } from './uwsgi.js';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run main() with PassThrough streams (not a TTY unless asked) and collect what it wrote. */
export async function runCli(argv: string[], options: { stdin?: string; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  if (options.stdin !== undefined) stdin.end(options.stdin);
  const code = await main(argv, { stdin, stdout, stderr, env: options.env ?? { TERM: 'xterm' } });
  await new Promise((r) => setImmediate(r));
  return { code, stdout: out, stderr: err };
}

export const LAUNCHER = join(REPO_ROOT, 'bin', 'uwsgitop-ts');

/** Check that dist/ (the launcher's code) is there: the suite's global setup compiles it once, before any file runs. */
export function buildDist(): void {
  if (!existsSync(join(REPO_ROOT, 'dist', 'cli', 'main.js'))) throw new Error('dist/cli/main.js is missing: the global setup (test/support/global-setup.ts) builds it');
}

/** Spawn `node bin/uwsgitop-ts ARGS` (stdout/stderr are pipes) and collect its output and exit code. */
export function spawnCli(args: string[], timeoutMs = 20_000): Promise<RunResult & { signal: NodeJS.Signals | null }> {
  return spawnShell(null, args, timeoutMs);
}

/** Run a shell command line (bash, with pipefail) or the launcher directly; kills it by pid on timeout. */
export function spawnShell(command: string | null, args: string[] = [], timeoutMs = 20_000): Promise<RunResult & { signal: NodeJS.Signals | null }> {
  const child =
    command === null
      ? spawn(process.execPath, [LAUNCHER, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn('bash', ['-c', `set -o pipefail; ${command}`], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString('utf8')));
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      try {
        if (command === null) child.kill('SIGKILL');
        else process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, signal, stdout: out, stderr: err });
    });
  });
}

/** The lines of the report section whose title starts with `title`, up to the next blank line (title excluded). */
export function section(report: string, title: string): string[] {
  const lines = report.split('\n');
  const start = lines.findIndex((l) => l.startsWith(title));
  if (start < 0) throw new Error(`no section "${title}" in:\n${report}`);
  const end = lines.findIndex((l, i) => i > start && l.trim() === '');
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

/** Parse a table whose header names and cells contain no spaces into records keyed by header. */
export function parseTable(lines: string[]): Array<Record<string, string>> {
  const [header, ...rows] = lines;
  if (header === undefined) return [];
  const names = header.trim().split(/\s+/);
  return rows.map((row) => {
    const cells = row.trim().split(/\s+/);
    return Object.fromEntries(names.map((n, i) => [n, cells[i] ?? '']));
  });
}
